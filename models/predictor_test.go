package models

import (
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// predictorTol is the largest absolute difference allowed between the
// Predictor and the gorgonia graph (both float32, summing in different
// orders).
const predictorTol = 1e-5

func TestPredictorMatchesGraph(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
	}{
		{"linear", Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerDense, Units: 1}}}},
		{"relu", Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerDense, Units: 8}, {Type: LayerReLU}, {Type: LayerDense, Units: 2}}}},
		{"tanh", Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerDense, Units: 8}, {Type: LayerTanh}, {Type: LayerDense, Units: 2}}}},
		{"sigmoid", Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerDense, Units: 8}, {Type: LayerSigmoid}, {Type: LayerDense, Units: 2}}}},
		{"leaky_relu", Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerDense, Units: 8}, {Type: LayerLeakyReLU}, {Type: LayerDense, Units: 2}}}},
		{"dropout", mlpSpec(20)},
		{"gru", gruSpec(20, 10, 16)},
		{"gru/sequences", Spec{Input: []int{6, 3}, Layers: []LayerSpec{{Type: LayerGRU, Units: 4, ReturnSequences: true}}}},
		{"gru/stacked", Spec{Input: []int{6, 3}, Layers: []LayerSpec{
			{Type: LayerGRU, Units: 5, ReturnSequences: true}, {Type: LayerTanh}, {Type: LayerDropout, Rate: 0.5},
			{Type: LayerGRU, Units: 4}, {Type: LayerDense, Units: 3}}}},
		{"sequence_to_dense", Spec{Input: []int{4, 3}, Layers: []LayerSpec{{Type: LayerLeakyReLU, Alpha: 0.2}, {Type: LayerDense, Units: 2}}}},
		{"lenet_like", img(inShape(1, 12, 12), conv(4, 5, 1, 2, 1), LayerSpec{Type: LayerReLU}, LayerSpec{Type: LayerMaxPool2D, Kernel: []int{2}},
			conv(6, 3, 1, 0, 1), LayerSpec{Type: LayerReLU}, LayerSpec{Type: LayerAvgPool2D, Kernel: []int{2}}, flat(), fc(8), LayerSpec{Type: LayerReLU}, fc(2))},
		{"conv_bn_leaky", img(inShape(2, 9, 7), LayerSpec{Type: LayerConv2D, Filters: 3, Kernel: []int{5, 3}, Padding: []int{2, 1}, Dilation: []int{1, 2}, Stride: []int{1, 2}, NoBias: true},
			LayerSpec{Type: LayerBatchNorm}, LayerSpec{Type: LayerLeakyReLU}, LayerSpec{Type: LayerMaxPool2D, Kernel: []int{2, 1}}, fc(2))},
		{"residual", img(inShape(3, 6, 6), conv(4, 3, 1, 1, 1), LayerSpec{Type: LayerResidual,
			Branch: []LayerSpec{conv(4, 3, 1, 1, 1), LayerSpec{Type: LayerBatchNorm}, LayerSpec{Type: LayerReLU}, conv(4, 3, 1, 1, 1)}},
			LayerSpec{Type: LayerResidual, Branch: []LayerSpec{conv(8, 3, 2, 1, 1)},
				Shortcut: []LayerSpec{{Type: LayerConv2D, Filters: 8, Kernel: []int{1}, Stride: []int{2}, NoBias: true}, {Type: LayerBatchNorm}}},
			LayerSpec{Type: LayerReLU}, LayerSpec{Type: LayerGlobalAvgPool}, fc(2))},
		{"batch_norm/flat", Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerBatchNorm, Momentum: 0.5}, {Type: LayerDense, Units: 3}, {Type: LayerBatchNorm}, {Type: LayerDense, Units: 2}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.spec, 42)
			require.NoError(t, err)
			// Train briefly so that biases are non-zero.
			d := linearData(64, m.Inputs(), 9)
			if m.Outputs() != 1 {
				d.Y = randomX(64, m.Outputs(), 10)
			}
			_, err = m.Fit(t.Context(), d, TrainConfig{Epochs: 2, BatchSize: 16, Loss: LossMSE, Optimizer: OptimizerConfig{LearningRate: 0.01}})
			require.NoError(t, err)
			p := m.Predictor()
			for _, n := range []int{1, 3, 300} { // 300 spans two evaluation batches
				x := randomX(n, m.Inputs(), uint64(n))
				want, err := m.Predict(x, n)
				require.NoError(t, err)
				got, err := p.Predict(nil, x)
				require.NoError(t, err)
				require.Len(t, got, n*m.Outputs())
				for i := range got {
					require.InDelta(t, want[i], got[i], predictorTol, "n=%d output %d", n, i)
				}
			}
		})
	}
}

func TestPredictorSnapshot(t *testing.T) {
	m, err := New(mlpSpec(4), 1)
	require.NoError(t, err)
	p := m.Predictor()
	x := randomX(2, 4, 3)
	before, err := p.Predict(nil, x)
	require.NoError(t, err)
	_, err = m.Fit(t.Context(), linearData(32, 4, 1), TrainConfig{Epochs: 3, BatchSize: 8, Loss: LossMSE})
	require.NoError(t, err)
	after, err := p.Predict(nil, x)
	require.NoError(t, err)
	assert.Equal(t, before, after, "training must not change an existing Predictor")
}

func TestPredictorArgs(t *testing.T) {
	m, err := New(mlpSpec(4), 1)
	require.NoError(t, err)
	p := m.Predictor()
	assert.Equal(t, 4, p.Inputs())
	assert.Equal(t, 1, p.Outputs())

	_, err = p.Predict(nil, make([]float32, 5))
	assert.True(t, errors.Is(err, ErrDataShape), "partial row: %v", err)

	out, err := p.Predict(nil, nil)
	require.NoError(t, err)
	assert.Empty(t, out)

	buf := make([]float32, 0, 10)
	out, err = p.Predict(buf, make([]float32, 8))
	require.NoError(t, err)
	assert.Len(t, out, 2)
	assert.Same(t, &buf[:1][0], &out[0], "dst storage reused")

	_, err = m.Predict(make([]float32, 7), 2)
	assert.True(t, errors.Is(err, ErrDataShape), "graph predict: %v", err)
	out, err = m.Predict(nil, 0)
	require.NoError(t, err)
	assert.Empty(t, out)
}

func TestPredictorConcurrent(t *testing.T) {
	m, err := New(gruSpec(8, 3, 6), 5)
	require.NoError(t, err)
	p := m.Predictor()
	const rows = 7
	x := randomX(rows, m.Inputs(), 8)
	want, err := p.Predict(nil, x)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := 0; g < 32; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var dst []float32
			for it := 0; it < 50; it++ {
				r := (g + it) % rows
				var err error
				dst, err = p.Predict(dst, x[r*m.Inputs():(r+1)*m.Inputs()])
				if err != nil {
					errs <- err
					return
				}
				if math.Float32bits(dst[0]) != math.Float32bits(want[r]) {
					errs <- errors.New("concurrent prediction differs")
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
