package models

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewSpecErrors(t *testing.T) {
	cases := []struct {
		name  string
		spec  Spec
		layer int
		msg   string
	}{
		{"no_input", Spec{Layers: []LayerSpec{{Type: LayerDense, Units: 1}}}, -1, "1, 2 or 3 dimensions"},
		{"4d_input", Spec{Input: []int{1, 2, 3, 4}, Layers: []LayerSpec{{Type: LayerDense, Units: 1}}}, -1, "1, 2 or 3 dimensions"},
		{"conv_on_flat", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerConv2D, Filters: 2, Kernel: []int{3}}}}, 0, "not [channels, height, width]"},
		{"conv_no_filters", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{{Type: LayerConv2D, Kernel: []int{3}}}}, 0, "filters 0"},
		{"conv_kernel_too_big", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{{Type: LayerConv2D, Filters: 1, Kernel: []int{5}}}}, 0, "larger than the padded input"},
		{"conv_three_values", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{{Type: LayerConv2D, Filters: 1, Kernel: []int{1, 2, 3}}}}, 0, "1 or 2 values"},
		{"pool_pad_too_big", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{{Type: LayerMaxPool2D, Kernel: []int{2}, Padding: []int{2}}}}, 0, "exceeds half the kernel"},
		{"filters_on_dense", Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerDense, Units: 1, Filters: 2}}}, 0, "not conv2d"},
		{"residual_mismatch", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{{Type: LayerResidual, Branch: []LayerSpec{{Type: LayerConv2D, Filters: 2, Kernel: []int{1}}}}}}, 0, "differs from shortcut"},
		{"residual_nested_error", Spec{Input: []int{1, 4, 4}, Layers: []LayerSpec{{Type: LayerReLU}, {Type: LayerResidual, Branch: []LayerSpec{{Type: LayerGRU, Units: 2}}}}}, 1, "layers.1.branch.0"},
		{"bn_on_sequence", Spec{Input: []int{2, 3}, Layers: []LayerSpec{{Type: LayerBatchNorm}}}, 0, "flat or image"},
		{"zero_input", Spec{Input: []int{0}, Layers: []LayerSpec{{Type: LayerDense, Units: 1}}}, -1, "every dimension"},
		{"no_layers", Spec{Input: []int{3}}, -1, "no layers"},
		{"unknown", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: "conv"}}}, 0, `unknown layer type "conv"`},
		{"dense_units", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense}}}, 0, "units 0"},
		{"units_on_relu", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense, Units: 2}, {Type: LayerReLU, Units: 2}}}, 1, "units 2"},
		{"dropout_rate", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDropout, Rate: 1}}}, 0, "rate 1 not in [0, 1)"},
		{"rate_on_dense", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense, Units: 1, Rate: 0.5}}}, 0, "not dropout"},
		{"gru_flat_input", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerGRU, Units: 2}}}, 0, "not [steps, features]"},
		{"gru_after_last_state", Spec{Input: []int{4, 3}, Layers: []LayerSpec{{Type: LayerGRU, Units: 2}, {Type: LayerGRU, Units: 2}}}, 1, "not [steps, features]"},
		{"return_sequences_on_dense", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerDense, Units: 1, ReturnSequences: true}}}, 0, "not recurrent"},
		{"alpha_on_relu", Spec{Input: []int{3}, Layers: []LayerSpec{{Type: LayerReLU, Alpha: 0.1}}}, 0, "not leaky_relu"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.spec, 1)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalidSpec))
			var se *SpecError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, c.layer, se.Layer)
			assert.Contains(t, err.Error(), c.msg)
		})
	}
}

func TestModelShapes(t *testing.T) {
	cases := []struct {
		name             string
		spec             Spec
		params, in, outs int
	}{
		// 200·32 + 32 + 32·1 + 1
		{"mlp", mlpSpec(200), 6465, 200, 1},
		{"linear", Spec{Input: []int{10}, Layers: []LayerSpec{{Type: LayerDense, Units: 1}}}, 11, 10, 1},
		// GRU(16) on 10 features: 3·10·16 + 3·16·16 + 4·16 = 1312; dense: 17
		{"gru", gruSpec(20, 10, 16), 1329, 200, 1},
		// every step's state, flattened: 20·16
		{"gru_sequences", Spec{Input: []int{20, 10}, Layers: []LayerSpec{{Type: LayerGRU, Units: 16, ReturnSequences: true}}}, 1312, 200, 320},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.spec, 1)
			require.NoError(t, err)
			assert.Equal(t, c.params, m.NumParams())
			assert.Equal(t, c.in, m.Inputs())
			assert.Equal(t, c.outs, m.Outputs())
		})
	}
}

func TestSpecJSON(t *testing.T) {
	raw := `{"input":[20,10],"layers":[{"type":"gru","units":16,"return_sequences":true},{"type":"dropout","rate":0.2},{"type":"dense","units":1}]}`
	var s Spec
	require.NoError(t, json.Unmarshal([]byte(raw), &s))
	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, raw, string(out))
	m, err := New(s, 1)
	require.NoError(t, err)
	got := m.Spec()
	got.Layers[0].Units = 99 // Spec returns a copy
	assert.Equal(t, 16, m.Spec().Layers[0].Units)
}

func TestInit(t *testing.T) {
	spec := Spec{Input: []int{4, 50}, Layers: []LayerSpec{
		{Type: LayerGRU, Units: 8}, {Type: LayerDense, Units: 30}, {Type: LayerReLU}, {Type: LayerDense, Units: 20}, {Type: LayerTanh},
	}}
	a, err := New(spec, 5)
	require.NoError(t, err)
	b, _ := New(spec, 5)
	c, _ := New(spec, 6)
	assert.Equal(t, a.params, b.params, "same seed, same weights")
	assert.NotEqual(t, a.params, c.params)

	maxAbs := func(w []float32) float64 {
		var m float64
		for _, v := range w {
			m = math.Max(m, math.Abs(float64(v)))
		}
		return m
	}
	idx := map[string]int{}
	for i, p := range a.info {
		idx[p.name] = i
	}
	// dense before relu: He-uniform, limit √(6/8); dense before tanh:
	// Glorot-uniform, limit √(6/(30+20)).
	heW := a.params[idx["layers.1.dense.w"]]
	assert.LessOrEqual(t, maxAbs(heW), math.Sqrt(6.0/8))
	assert.Greater(t, maxAbs(heW), 0.9*math.Sqrt(6.0/8))
	glW := a.params[idx["layers.3.dense.w"]]
	assert.LessOrEqual(t, maxAbs(glW), math.Sqrt(6.0/50))
	assert.Greater(t, maxAbs(glW), 0.9*math.Sqrt(6.0/50))
	assert.Zero(t, maxAbs(a.params[idx["layers.1.dense.b"]]), "biases start at zero")

	// Recurrent kernels are orthogonal: U·Uᵀ = I.
	u := a.params[idx["layers.0.gru.u_n"]]
	const h = 8
	for i := 0; i < h; i++ {
		for j := 0; j < h; j++ {
			var dot float64
			for k := 0; k < h; k++ {
				dot += float64(u[i*h+k]) * float64(u[j*h+k])
			}
			want := 0.0
			if i == j {
				want = 1
			}
			assert.InDelta(t, want, dot, 1e-5, "U·Uᵀ[%d,%d]", i, j)
		}
	}
}

func TestOptimizerStep(t *testing.T) {
	// Hand-computed single steps on w = [1, -2], g = [0.5, 0.25].
	cases := []struct {
		name string
		cfg  OptimizerConfig
		want []float64
	}{
		// w − lr·g
		{"sgd", OptimizerConfig{Name: OptimizerSGD, LearningRate: 0.1}, []float64{0.95, -2.025}},
		// g' = g + 0.1·w = [0.6, 0.05]; w − 0.1·g'
		{"sgd/decay", OptimizerConfig{Name: OptimizerSGD, LearningRate: 0.1, WeightDecay: 0.1}, []float64{0.94, -2.005}},
		// first Adam step moves every weight by lr·sign(g) (ε negligible)
		{"adam", OptimizerConfig{LearningRate: 0.01}, []float64{0.99, -2.01}},
		// plus decoupled decay lr·wd·w = [0.001, −0.002]
		{"adam/decay", OptimizerConfig{LearningRate: 0.01, WeightDecay: 0.1}, []float64{0.989, -2.008}},
		// ‖g‖ = 0.559; clipped to norm 0.1: g·0.1/0.559 = [0.08944, 0.04472]
		{"sgd/clip", OptimizerConfig{Name: OptimizerSGD, LearningRate: 1, ClipNorm: 0.1}, []float64{1 - 0.0894427, -2 - 0.0447214}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := c.cfg.resolved()
			require.NoError(t, err)
			w := [][]float32{{1, -2}}
			g := [][]float32{{0.5, 0.25}}
			o := newOptimizer(cfg, w)
			clip(g, cfg.ClipNorm)
			o.step(w, g)
			for i, v := range c.want {
				assert.InDelta(t, v, w[0][i], 1e-6, "w[%d]", i)
			}
		})
	}

	// SGD momentum over two steps with a constant gradient 1, lr 0.1, μ 0.9:
	// v1 = 1, w1 = −0.1; v2 = 1.9, w2 = −0.29.
	cfg, err := OptimizerConfig{Name: OptimizerSGD, LearningRate: 0.1, Momentum: 0.9}.resolved()
	require.NoError(t, err)
	w := [][]float32{{0}}
	o := newOptimizer(cfg, w)
	o.step(w, [][]float32{{1}})
	o.step(w, [][]float32{{1}})
	assert.InDelta(t, -0.29, w[0][0], 1e-6)
}

func TestScheduleRate(t *testing.T) {
	cases := []struct {
		name      string
		s         Schedule
		e, epochs int
		want      float64
	}{
		{"constant", Schedule{}, 7, 10, 0.1},
		{"step/first", Schedule{Name: ScheduleStep, StepEpochs: 3, Gamma: 0.5}, 2, 10, 0.1},
		{"step/second", Schedule{Name: ScheduleStep, StepEpochs: 3, Gamma: 0.5}, 3, 10, 0.05},
		{"step/third", Schedule{Name: ScheduleStep, StepEpochs: 3, Gamma: 0.5}, 7, 10, 0.025},
		{"cosine/start", Schedule{Name: ScheduleCosine}, 0, 4, 0.1},
		{"cosine/middle", Schedule{Name: ScheduleCosine, MinRate: 0.02}, 2, 4, 0.06},
		{"cosine/late", Schedule{Name: ScheduleCosine}, 3, 4, 0.1 * (1 - math.Sqrt(0.5)) / 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.s.check())
			assert.InDelta(t, c.want, c.s.rate(0.1, c.e, c.epochs), 1e-12)
		})
	}
	assert.ErrorIs(t, Schedule{Name: "linear"}.check(), ErrInvalidConfig)
	assert.ErrorIs(t, Schedule{Name: ScheduleStep, Gamma: 0.5}.check(), ErrInvalidConfig)
}
