package models

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Text model specs over 5 token ids from a vocabulary of 6.
func textSpecs() map[string][]LayerSpec {
	emb := LayerSpec{Type: LayerEmbedding, Vocab: 6, Units: 3}
	return map[string][]LayerSpec{
		"mean": {emb, {Type: LayerGlobalAvgPool1D}, {Type: LayerDense, Units: 3}},
		"lstm": {emb, {Type: LayerLSTM, Units: 2}, {Type: LayerDense, Units: 3}},
		"cnn": {emb, {Type: LayerConv1D, Filters: 4, Kernel: []int{3}}, {Type: LayerTanh},
			{Type: LayerGlobalMaxPool1D}, {Type: LayerDense, Units: 3}},
		"rnn_seq_cnn": {emb, {Type: LayerRNN, Units: 2, ReturnSequences: true}, {Type: LayerConv1D, Filters: 2, Kernel: []int{1}},
			{Type: LayerGlobalAvgPool1D}, {Type: LayerDense, Units: 3}},
	}
}

func TestGradientCheckText(t *testing.T) {
	for name, layers := range textSpecs() {
		spec := Spec{Input: []int{5}, Layers: layers}
		t.Run(name, func(t *testing.T) { gradCheck(t, spec, LossSoftmaxCE, 4) })
		t.Run(name+"/lengths", func(t *testing.T) { gradCheck(t, spec, LossSoftmaxCE, 4, 5, 2, 1, 4) })
	}
}

func TestEmbeddingLookupByHand(t *testing.T) {
	m, err := New(Spec{Input: []int{3}, Layers: []LayerSpec{
		{Type: LayerEmbedding, Vocab: 3, Units: 2}, {Type: LayerGlobalAvgPool1D},
	}}, 1)
	require.NoError(t, err)
	assert.Equal(t, []float32{0, 0}, m.params[0][:2], "padding row starts at zero")
	copy(m.params[0], []float32{9, 9, 1, 2, 3, 4}) // row 0 is ignored even when non-zero
	x := []float32{1, 2, 2, 1, 0, 0}
	cases := []struct {
		name    string
		lengths []int
		want    []float32
	}{
		// (1+3+3)/3, (2+4+4)/3; (1+0+0)/3, (2+0+0)/3
		{"full", nil, []float32{7.0 / 3, 10.0 / 3, 1.0 / 3, 2.0 / 3}},
		// masked means over 2 and 1 valid steps
		{"lengths", []int{2, 1}, []float32{2, 3, 1, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := m.PredictLengths(x, c.lengths, 2)
			require.NoError(t, err)
			assert.InDeltaSlice(t, c.want, got, 1e-6)
			gotP, err := m.Predictor().PredictLengths(nil, x, c.lengths)
			require.NoError(t, err)
			assert.InDeltaSlice(t, c.want, gotP, 1e-6)
		})
	}
}

// The embedding's gradient accumulates over repeated ids and leaves the
// padding row and unused rows at zero. Hand-computed for a mean over 4
// steps of 1-D embeddings, MSE with row weights w = 1/2:
// y_0 = (2·E3 + E1)/4, y_1 = E3/4, L = Σ_r w·(y_r − t_r)², so
// dL/dE3 = w·2(y_0−t_0)·2/4 + w·2(y_1−t_1)·1/4 and dL/dE1 = w·2(y_0−t_0)/4.
func TestEmbeddingSparseGradient(t *testing.T) {
	m, err := New(Spec{Input: []int{4}, Layers: []LayerSpec{
		{Type: LayerEmbedding, Vocab: 5, Units: 1}, {Type: LayerGlobalAvgPool1D},
	}}, 3)
	require.NoError(t, err)
	gr, w64 := float64Graph(t, m, LossMSE, 2, 2, 9)
	copy(gr.x[0].Data().([]float64), []float64{3, 3, 0, 1, 3, 0, 0, 0})
	require.NoError(t, gr.run())
	g, err := gr.params[0].Grad()
	require.NoError(t, err)
	d := g.Data().([]float64)
	e, tg := w64[0], gr.y.Data().([]float64)
	y0, y1 := (2*e[3]+e[1])/4, e[3]/4
	const w = 0.5
	assert.InDeltaSlice(t, []float64{0, w * 2 * (y0 - tg[0]) / 4, 0, w*2*(y0-tg[0])*2/4 + w*2*(y1-tg[1])/4, 0}, d, 1e-12)
}

func TestTextPaddedEqualsCut(t *testing.T) {
	lengths := []int{6, 3, 1, 4}
	const full = 6
	x := []float32{1, 2, 3, 4, 5, 1, 2, 5, 3, 0, 0, 0, 4, 1, 1, 2, 2, 2, 5, 4, 3, 2, 0, 0}
	for name, layers := range textSpecs() {
		t.Run(name, func(t *testing.T) {
			padded, err := New(Spec{Input: []int{full}, Layers: layers}, 2)
			require.NoError(t, err)
			got, err := padded.PredictLengths(x, lengths, len(lengths))
			require.NoError(t, err)
			gotP, err := padded.Predictor().PredictLengths(nil, x, lengths)
			require.NoError(t, err)
			for i, l := range lengths {
				cut, err := New(Spec{Input: []int{l}, Layers: layers}, 2)
				require.NoError(t, err)
				for k := range cut.params {
					copy(cut.params[k], padded.params[k])
				}
				want, err := cut.Predict(x[i*full:i*full+l], 1)
				require.NoError(t, err)
				o := len(want)
				assert.InDeltaSlice(t, want, got[i*o:(i+1)*o], 1e-5, "graph: sample %d", i)
				assert.InDeltaSlice(t, want, gotP[i*o:(i+1)*o], 1e-5, "predictor: sample %d", i)
			}
		})
	}
}

func TestTextFitSaveLoad(t *testing.T) {
	// Class = whether id 4 or id 5 appears (ids 1..3 are noise).
	var d Dataset
	rng := newTestRand(5)
	for i := 0; i < 120; i++ {
		c := i % 2
		n := 2 + rng.IntN(4)
		row := make([]float32, 6)
		for k := 0; k < n; k++ {
			row[k] = float32(1 + rng.IntN(3))
		}
		row[rng.IntN(n)] = float32(4 + c)
		d.X = append(d.X, row...)
		d.Y = append(d.Y, float32(c))
		d.Lengths = append(d.Lengths, n)
		d.N++
	}
	for name, layers := range textSpecs() {
		t.Run(name, func(t *testing.T) {
			m, err := New(Spec{Input: []int{6}, Layers: layers}, 1)
			require.NoError(t, err)
			_, err = m.Fit(context.Background(), d, TrainConfig{Epochs: 40, BatchSize: 16, Loss: LossSoftmaxCE,
				Optimizer: OptimizerConfig{Name: OptimizerAdam, LearningRate: 0.05}, Seed: 1})
			require.NoError(t, err)
			p, err := m.PredictLengths(d.X, d.Lengths, d.N)
			require.NoError(t, err)
			correct := 0
			for i := 0; i < d.N; i++ {
				if (p[i*3+1] > p[i*3]) == (d.Y[i] == 1) {
					correct++
				}
			}
			assert.GreaterOrEqual(t, correct, 110, "training accuracy")

			dir := filepath.Join(t.TempDir(), "m")
			require.NoError(t, m.Save(dir, nil))
			l, _, err := Load(dir)
			require.NoError(t, err)
			q, err := l.Predictor().PredictLengths(nil, d.X, d.Lengths)
			require.NoError(t, err)
			assert.InDeltaSlice(t, p, q, 1e-5)
		})
	}
}

func TestTextErrors(t *testing.T) {
	specs := []struct {
		name string
		spec Spec
	}{
		{"embedding_not_first", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerDense, Units: 4}, {Type: LayerEmbedding, Vocab: 3, Units: 2}}}},
		{"embedding_seq_input", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerEmbedding, Vocab: 3, Units: 2}}}},
		{"vocab_small", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerEmbedding, Vocab: 1, Units: 2}}}},
		{"vocab_on_dense", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerDense, Units: 2, Vocab: 3}}}},
		{"conv1d_even", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerConv1D, Filters: 2, Kernel: []int{2}}}}},
		{"conv1d_stride", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerConv1D, Filters: 2, Kernel: []int{3}, Stride: []int{2}}}}},
		{"pool_flat", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerGlobalMaxPool1D}}}},
	}
	for _, c := range specs {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.spec, 1)
			require.ErrorIs(t, err, ErrInvalidSpec)
		})
	}
	m, err := New(Spec{Input: []int{2}, Layers: []LayerSpec{{Type: LayerEmbedding, Vocab: 3, Units: 2}, {Type: LayerGlobalAvgPool1D}}}, 1)
	require.NoError(t, err)
	for _, x := range [][]float32{{1, 3}, {1.5, 0}, {-1, 0}} {
		_, err := m.Predict(x, 1)
		assert.True(t, errors.Is(err, ErrDataShape), "graph %v", x)
		_, err = m.Predictor().Predict(nil, x)
		assert.True(t, errors.Is(err, ErrDataShape), "predictor %v", x)
	}
}
