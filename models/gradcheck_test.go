package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

// Gradient check: the analytic gradients of a float64 training graph
// against central differences of its loss,
//
//	n = (L(w+ε) − L(w−ε)) / 2ε, ε = 1e-5,
//
// accepted when |a − n| ≤ 1e-8 or |a − n| / max(|a|, |n|) ≤ 1e-5.
const (
	gcEps    = 1e-5
	gcAbsTol = 1e-8
	gcRelTol = 1e-5
)

// float64Graph builds a float64 training graph over a copy of m's weights
// and fills its inputs from a seeded generator. It returns the graph and
// the weights' backing arrays.
func float64Graph(t *testing.T, m *Model, loss string, batch, real int, seed uint64) (*graph, [][]float64) {
	t.Helper()
	vals := make([]tensor.Tensor, len(m.info))
	w64 := make([][]float64, len(m.info))
	for i, p := range m.info {
		w64[i] = make([]float64, len(m.params[i]))
		for k, v := range m.params[i] {
			w64[i][k] = float64(v)
		}
		vals[i] = tensor.New(tensor.WithShape(graphShape(p)...), tensor.WithBacking(w64[i]))
	}
	gr, err := buildGraph(m.layers, m.info, vals, tensor.Float64, batch, loss)
	require.NoError(t, err)

	rng := rand.New(rand.NewPCG(seed, 7))
	out := m.Outputs()
	for _, xt := range gr.x {
		x := xt.Data().([]float64)
		for i := range x {
			x[i] = 2*rng.Float64() - 1
			if m.layers[0].spec.Type == LayerEmbedding {
				// token ids, with some padding (0) and repeats
				x[i] = float64(rng.IntN(m.layers[0].spec.Vocab))
			}
		}
	}
	y := gr.y.Data().([]float64)
	for i := 0; i < batch; i++ {
		switch loss {
		case LossSoftmaxCE:
			y[i*out+rng.IntN(out)] = 1
		case LossBCELogits:
			for k := 0; k < out; k++ {
				y[i*out+k] = rng.Float64() // soft labels are valid targets too
			}
		default:
			for k := 0; k < out; k++ {
				y[i*out+k] = 2*rng.Float64() - 1
			}
		}
	}
	w := gr.w.Data().([]float64)
	for i := 0; i < real; i++ {
		w[i] = 1 / float64(real*out)
	}
	for k, mt := range gr.masks {
		md := mt.Data().([]float64)
		for i := range md {
			if rng.Float64() >= gr.maskRates[k] {
				md[i] = 1 / (1 - gr.maskRates[k])
			}
		}
	}
	return gr, w64
}

func gradCheck(t *testing.T, spec Spec, loss string, batch int, lens ...int) {
	t.Helper()
	m, err := New(spec, 3)
	require.NoError(t, err)
	// Non-zero biases exercise the bias gradients on a generic point.
	rng := rand.New(rand.NewPCG(11, 13))
	for i, p := range m.info {
		if len(p.shape) == 1 {
			for k := range m.params[i] {
				m.params[i][k] = float32(0.2 * rng.NormFloat64())
			}
		}
	}
	real := batch - 1 // one padding row of weight 0
	gr, w64 := float64Graph(t, m, loss, batch, real, 5)
	if lens != nil {
		gr.lens.n = lens
	}
	gr.rows = real // batch_norm statistics over the real rows only

	require.NoError(t, gr.run())
	grads := make([][]float64, len(gr.params))
	for i, n := range gr.params {
		grads[i] = make([]float64, len(w64[i]))
		if !gr.used[i] {
			continue
		}
		g, err := n.Grad()
		require.NoError(t, err)
		copy(grads[i], g.Data().([]float64))
	}
	lossAt := func() float64 {
		require.NoError(t, gr.run())
		return gr.lossVal.Data().(float64)
	}
	var norm float64
	for _, g := range grads {
		for _, v := range g {
			norm += v * v
		}
	}
	require.Greater(t, math.Sqrt(norm), 1e-3, "gradient is (nearly) zero: the check would be vacuous")
	checked := 0
	for i := range w64 {
		if m.info[i].buffer {
			continue
		}
		for k := range w64[i] {
			orig := w64[i][k]
			w64[i][k] = orig + gcEps
			lp := lossAt()
			w64[i][k] = orig - gcEps
			lm := lossAt()
			w64[i][k] = orig
			num := (lp - lm) / (2 * gcEps)
			a := grads[i][k]
			diff := math.Abs(a - num)
			if diff > gcAbsTol && diff/math.Max(math.Abs(a), math.Abs(num)) > gcRelTol {
				t.Errorf("%s[%d]: analytic %.10g, numeric %.10g", m.info[i].name, k, a, num)
			}
			checked++
		}
	}
	require.Equal(t, m.NumParams(), checked)
}

func TestGradientCheck(t *testing.T) {
	dense := func(acts ...LayerSpec) Spec {
		layers := []LayerSpec{{Type: LayerDense, Units: 4}}
		layers = append(layers, acts...)
		layers = append(layers, LayerSpec{Type: LayerDense, Units: 2})
		return Spec{Input: []int{3}, Layers: layers}
	}
	cases := []struct {
		name  string
		spec  Spec
		loss  string
		batch int // 0 means 3
	}{
		{"dense/mse", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense, Units: 2}}}, LossMSE, 0},
		{"relu", dense(LayerSpec{Type: LayerReLU}), LossMSE, 0},
		{"tanh", dense(LayerSpec{Type: LayerTanh}), LossMSE, 0},
		{"sigmoid", dense(LayerSpec{Type: LayerSigmoid}), LossMSE, 0},
		{"leaky_relu", dense(LayerSpec{Type: LayerLeakyReLU, Alpha: 0.1}), LossMSE, 0},
		{"dropout", dense(LayerSpec{Type: LayerTanh}, LayerSpec{Type: LayerDropout, Rate: 0.3}), LossMSE, 0},
		{"bce_logits", dense(LayerSpec{Type: LayerTanh}), LossBCELogits, 0},
		{"softmax_ce", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense, Units: 4}, {Type: LayerTanh}, {Type: LayerDense, Units: 3}}}, LossSoftmaxCE, 0},
		{"gru", Spec{Input: []int{4, 3}, Layers: []LayerSpec{{Type: LayerGRU, Units: 3}, {Type: LayerDense, Units: 1}}}, LossMSE, 0},
		{"gru/one_step", Spec{Input: []int{1, 3}, Layers: []LayerSpec{{Type: LayerGRU, Units: 2}}}, LossMSE, 0},
		{"gru/sequences", Spec{Input: []int{3, 2}, Layers: []LayerSpec{{Type: LayerGRU, Units: 3, ReturnSequences: true}, {Type: LayerDense, Units: 2}}}, LossBCELogits, 0},
		{"gru/stacked", Spec{Input: []int{3, 2}, Layers: []LayerSpec{
			{Type: LayerGRU, Units: 3, ReturnSequences: true}, {Type: LayerTanh}, {Type: LayerDropout, Rate: 0.25},
			{Type: LayerGRU, Units: 2}, {Type: LayerDense, Units: 1}}}, LossMSE, 0},
		{"sequence_to_dense", Spec{Input: []int{3, 2}, Layers: []LayerSpec{{Type: LayerSigmoid}, {Type: LayerDense, Units: 2}}}, LossMSE, 0},
		// Large batches: gorgonia's row Slice breaks from 128 rows on;
		// make sure nothing in the graph or its gradient relies on it.
		{"conv2d", img(inShape(2, 5, 5), conv(3, 3, 1, 1, 1), tanh(), conv(2, 3, 1, 0, 1), flat(), fc(2)), LossMSE, 0},
		{"conv2d/stride_dilation_rect", img(inShape(2, 7, 6), tanh(), LayerSpec{Type: LayerConv2D, Filters: 3, Kernel: []int{2, 3}, Stride: []int{2, 1}, Padding: []int{1, 2}, Dilation: []int{2, 1}}, fc(2)), LossMSE, 0},
		{"conv2d/one_by_one_no_bias", img(inShape(3, 4, 4), tanh(), LayerSpec{Type: LayerConv2D, Filters: 2, Kernel: []int{1}, NoBias: true}, fc(2)), LossBCELogits, 0},
		{"max_pool2d", img(inShape(2, 6, 6), conv(2, 3, 1, 1, 1), LayerSpec{Type: LayerMaxPool2D, Kernel: []int{2}}, fc(2)), LossMSE, 0},
		{"max_pool2d/pad_stride_rect", img(inShape(1, 7, 5), conv(2, 3, 1, 1, 1), LayerSpec{Type: LayerMaxPool2D, Kernel: []int{3, 2}, Stride: []int{2, 1}, Padding: []int{1, 1}}, fc(2)), LossMSE, 0},
		{"avg_pool2d/pad", img(inShape(1, 6, 6), conv(2, 3, 1, 1, 1), LayerSpec{Type: LayerAvgPool2D, Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}}, fc(2)), LossMSE, 0},
		{"global_avg_pool2d", img(inShape(1, 5, 4), conv(3, 3, 1, 1, 1), LayerSpec{Type: LayerGlobalAvgPool}, fc(2)), LossSoftmaxCE, 0},
		{"batch_norm/image", img(inShape(2, 4, 4), conv(3, 3, 1, 1, 1), LayerSpec{Type: LayerBatchNorm}, LayerSpec{Type: LayerLeakyReLU, Alpha: 0.1}, fc(2)), LossMSE, 5},
		{"batch_norm/flat", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense, Units: 4}, {Type: LayerBatchNorm, Epsilon: 1e-3}, {Type: LayerTanh}, {Type: LayerDense, Units: 2}}}, LossMSE, 6},
		{"residual", img(inShape(2, 4, 4), conv(3, 3, 1, 1, 1), LayerSpec{Type: LayerResidual,
			Branch: []LayerSpec{conv(3, 3, 1, 1, 1), LayerSpec{Type: LayerBatchNorm}, tanh(), conv(3, 3, 1, 1, 1)}},
			LayerSpec{Type: LayerResidual,
				Branch:   []LayerSpec{conv(4, 3, 2, 1, 1), tanh()},
				Shortcut: []LayerSpec{LayerSpec{Type: LayerConv2D, Filters: 4, Kernel: []int{1}, Stride: []int{2}, NoBias: true}, LayerSpec{Type: LayerBatchNorm}}},
			tanh(), LayerSpec{Type: LayerGlobalAvgPool}, fc(2)), LossSoftmaxCE, 4},
		{"large_batch/gru_sequences", Spec{Input: []int{3, 2}, Layers: []LayerSpec{
			{Type: LayerGRU, Units: 2, ReturnSequences: true}, {Type: LayerDropout, Rate: 0.5}, {Type: LayerDense, Units: 1}}}, LossMSE, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			batch := c.batch
			if batch == 0 {
				batch = 3
			}
			gradCheck(t, c.spec, c.loss, batch)
		})
	}
}

// Shorthands for image specs in tests.
func inShape(d ...int) []int { return d }

func img(in []int, layers ...LayerSpec) Spec { return Spec{Input: in, Layers: layers} }

func conv(filters, k, stride, pad, dil int) LayerSpec {
	return LayerSpec{Type: LayerConv2D, Filters: filters, Kernel: []int{k}, Stride: []int{stride}, Padding: []int{pad}, Dilation: []int{dil}}
}

func tanh() LayerSpec { return LayerSpec{Type: LayerTanh} }

func flat() LayerSpec { return LayerSpec{Type: LayerFlatten} }

func fc(units int) LayerSpec { return LayerSpec{Type: LayerDense, Units: units} }
