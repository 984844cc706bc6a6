package models

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func smallResNetSpec() Spec {
	return img(inShape(2, 6, 6), conv(4, 3, 1, 1, 1), LayerSpec{Type: LayerBatchNorm}, LayerSpec{Type: LayerReLU},
		LayerSpec{Type: LayerResidual,
			Branch:   []LayerSpec{{Type: LayerConv2D, Filters: 8, Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}, NoBias: true}, {Type: LayerBatchNorm}},
			Shortcut: []LayerSpec{{Type: LayerConv2D, Filters: 8, Kernel: []int{1}, Stride: []int{2}, NoBias: true}, {Type: LayerBatchNorm}}},
		LayerSpec{Type: LayerReLU}, LayerSpec{Type: LayerGlobalAvgPool}, fc(3))
}

func TestBatchNormTrainEvalAndSave(t *testing.T) {
	m, err := New(smallResNetSpec(), 4)
	require.NoError(t, err)
	d := Dataset{X: randomX(40, m.Inputs(), 3), Y: make([]float32, 40), N: 40}
	for i := range d.Y {
		d.Y[i] = float32(i % 3)
	}
	// Shift the inputs so that the running mean must move away from 0.
	for i := range d.X {
		d.X[i] += 2
	}
	_, err = m.Fit(t.Context(), d, TrainConfig{Epochs: 3, BatchSize: 16, Loss: LossSoftmaxCE})
	require.NoError(t, err)

	var rm []float32
	for i, p := range m.info {
		if p.name == "layers.1.batch_norm.running_mean" {
			rm = m.params[i]
		}
	}
	require.NotNil(t, rm)
	moved := false
	for _, v := range rm {
		moved = moved || v > 0.1 || v < -0.1
	}
	assert.True(t, moved, "running mean %v never updated", rm)

	// Evaluation mode (running statistics) differs from training mode
	// (batch statistics) on the same batch.
	evalOut, err := m.Predict(d.X[:16*m.Inputs()], 16)
	require.NoError(t, err)
	gr, err := m.graphFor(graphKey{batch: 16, loss: LossSoftmaxCE})
	require.NoError(t, err)
	fillX(gr, m.Inputs(), 16, func(i int) []float32 { return d.X[i*m.Inputs() : (i+1)*m.Inputs()] })
	snapshot := append([]float32(nil), rm...)
	require.NoError(t, gr.run())
	trainOut := gr.out.Value().Data().([]float32)
	diff := 0.0
	for i := range evalOut {
		diff = max(diff, float64(abs32(evalOut[i]-trainOut[i])))
	}
	assert.Greater(t, diff, 1e-3, "train and eval mode gave the same outputs")
	for i := range rm { // undo the running-statistics update of that run
		rm[i] = snapshot[i]
	}

	// Save and load keep weights and running statistics; the Predictor of
	// the loaded model gives the same outputs.
	dir := t.TempDir()
	require.NoError(t, m.Save(dir, nil))
	m2, _, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, m.NumParams(), m2.NumParams())
	a, err := m.Predictor().Predict(nil, d.X)
	require.NoError(t, err)
	b, err := m2.Predictor().Predict(nil, d.X)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestImageSpecJSONRoundTrip(t *testing.T) {
	spec := smallResNetSpec()
	raw, err := json.Marshal(spec)
	require.NoError(t, err)
	var back Spec
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, spec, back)
	assert.Contains(t, string(raw), `"branch":[{"type":"conv2d","filters":8,"kernel":[3],"stride":[2],"padding":[1],"no_bias":true}`)
	m, err := New(back, 1)
	require.NoError(t, err)
	// conv 2·9·4+4, bn 8, conv 4·9·8, bn 16, conv 4·8, bn 16, dense 8·3+3.
	assert.Equal(t, 76+8+288+16+32+16+27, m.NumParams())
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
