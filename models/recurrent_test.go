package models

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gorgonia.org/tensor"
)

func TestGradientCheckRecurrent(t *testing.T) {
	seq := func(layers ...LayerSpec) Spec { return Spec{Input: []int{4, 3}, Layers: layers} }
	cases := []struct {
		name  string
		spec  Spec
		loss  string
		batch int // 0 means 3
	}{
		{"rnn/tanh", seq(LayerSpec{Type: LayerRNN, Units: 3}, LayerSpec{Type: LayerDense, Units: 2}), LossMSE, 0},
		{"rnn/relu", seq(LayerSpec{Type: LayerRNN, Units: 3, Activation: ActReLU}, LayerSpec{Type: LayerDense, Units: 2}), LossMSE, 0},
		{"lstm", seq(LayerSpec{Type: LayerLSTM, Units: 3}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 0},
		{"lstm/one_step", Spec{Input: []int{1, 3}, Layers: []LayerSpec{{Type: LayerLSTM, Units: 2}}}, LossMSE, 0},
		{"lstm/sequences", seq(LayerSpec{Type: LayerLSTM, Units: 3, ReturnSequences: true}, LayerSpec{Type: LayerDense, Units: 2}), LossBCELogits, 0},
		{"lstm/stacked", seq(
			LayerSpec{Type: LayerLSTM, Units: 3, ReturnSequences: true}, LayerSpec{Type: LayerDropout, Rate: 0.25},
			LayerSpec{Type: LayerLSTM, Units: 2}, LayerSpec{Type: LayerDense, Units: 3}), LossSoftmaxCE, 0},
		{"rnn_into_gru", seq(
			LayerSpec{Type: LayerRNN, Units: 3, ReturnSequences: true},
			LayerSpec{Type: LayerGRU, Units: 2}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 0},
		{"gru_into_lstm", seq(
			LayerSpec{Type: LayerGRU, Units: 3, ReturnSequences: true},
			LayerSpec{Type: LayerLSTM, Units: 2}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 0},
		{"lstm_into_gru", seq(
			LayerSpec{Type: LayerLSTM, Units: 3, ReturnSequences: true},
			LayerSpec{Type: LayerGRU, Units: 2}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 0},
		{"alstm", seq(LayerSpec{Type: LayerALSTM, Units: 3}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 0},
		// 40 rows split the batch over two goroutines.
		{"large_batch/lstm_stacked", seq(
			LayerSpec{Type: LayerLSTM, Units: 2, ReturnSequences: true},
			LayerSpec{Type: LayerALSTM, Units: 2}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 40},
		{"large_batch/gru_stacked", seq(
			LayerSpec{Type: LayerGRU, Units: 2, ReturnSequences: true},
			LayerSpec{Type: LayerGRU, Units: 2}, LayerSpec{Type: LayerDense, Units: 1}), LossMSE, 40},
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

func TestPredictorParityRecurrent(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
	}{
		{"rnn/tanh", Spec{Input: []int{5, 3}, Layers: []LayerSpec{{Type: LayerRNN, Units: 4}, {Type: LayerDense, Units: 2}}}},
		{"rnn/relu/sequences", Spec{Input: []int{5, 3}, Layers: []LayerSpec{{Type: LayerRNN, Units: 4, Activation: ActReLU, ReturnSequences: true}}}},
		{"lstm/stacked", Spec{Input: []int{5, 3}, Layers: []LayerSpec{
			{Type: LayerLSTM, Units: 4, ReturnSequences: true}, {Type: LayerTanh}, {Type: LayerLSTM, Units: 3}, {Type: LayerDense, Units: 2}}}},
		{"alstm", Spec{Input: []int{6, 2}, Layers: []LayerSpec{{Type: LayerALSTM, Units: 5}, {Type: LayerDense, Units: 1}}}},
		{"lstm_into_gru/sequences", Spec{Input: []int{5, 3}, Layers: []LayerSpec{
			{Type: LayerLSTM, Units: 4, ReturnSequences: true}, {Type: LayerGRU, Units: 9, ReturnSequences: true}, {Type: LayerDense, Units: 2}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.spec, 4)
			require.NoError(t, err)
			n := 37
			x := randomX(n, m.Inputs(), 9)
			want, err := m.Predict(x, n)
			require.NoError(t, err)
			got, err := m.Predictor().Predict(nil, x)
			require.NoError(t, err)
			require.Len(t, got, len(want))
			for i := range want {
				require.InDelta(t, want[i], got[i], 1e-5, "output %d", i)
			}
		})
	}
}

func TestSaveLoadRecurrent(t *testing.T) {
	spec := Spec{Input: []int{5, 3}, Layers: []LayerSpec{
		{Type: LayerRNN, Units: 4, Activation: ActReLU, ReturnSequences: true},
		{Type: LayerLSTM, Units: 3, ReturnSequences: true},
		{Type: LayerALSTM, Units: 2}, {Type: LayerDense, Units: 1}}}
	m, err := New(spec, 7)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, m.Save(dir, nil))
	back, _, err := Load(dir)
	require.NoError(t, err)
	require.Equal(t, spec, back.Spec())
	x := randomX(4, m.Inputs(), 2)
	want, err := m.Predict(x, 4)
	require.NoError(t, err)
	got, err := back.Predict(x, 4)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestRecurrentSpecErrors(t *testing.T) {
	seq := []int{4, 3}
	cases := []struct {
		name  string
		input []int
		layer LayerSpec
		want  string
	}{
		{"flat_input", []int{3}, LayerSpec{Type: LayerLSTM, Units: 2}, "is not [steps, features]"},
		{"no_units", seq, LayerSpec{Type: LayerRNN}, "units 0"},
		{"bad_activation", seq, LayerSpec{Type: LayerRNN, Units: 2, Activation: "gelu"}, `activation "gelu"`},
		{"activation_on_lstm", seq, LayerSpec{Type: LayerLSTM, Units: 2, Activation: ActReLU}, "not rnn"},
		{"alstm_sequences", seq, LayerSpec{Type: LayerALSTM, Units: 2, ReturnSequences: true}, "pools the steps"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(Spec{Input: c.input, Layers: []LayerSpec{c.layer}}, 1)
			require.ErrorIs(t, err, ErrInvalidSpec)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

// The float32 kernels (AVX2 products and activations where available)
// give the float64 kernels' gradients (which the gradient checks verify)
// to float32 accuracy.
func TestFloat32GradientsMatchFloat64(t *testing.T) {
	specs := map[string]Spec{
		"lstm_stacked": {Input: []int{6, 5}, Layers: []LayerSpec{
			{Type: LayerLSTM, Units: 20, ReturnSequences: true}, {Type: LayerLSTM, Units: 16}, {Type: LayerDense, Units: 3}}},
		"rnn_tanh": {Input: []int{6, 5}, Layers: []LayerSpec{{Type: LayerRNN, Units: 24}, {Type: LayerDense, Units: 3}}},
		"alstm":    {Input: []int{6, 5}, Layers: []LayerSpec{{Type: LayerALSTM, Units: 9}, {Type: LayerDense, Units: 3}}},
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			const batch = 40
			m, err := New(spec, 3)
			require.NoError(t, err)
			g64, _ := float64Graph(t, m, LossSoftmaxCE, batch, batch, 5)
			require.NoError(t, g64.run())
			gr, err := buildGraph(m.layers, m.info, m.tensors(), tensor.Float32, batch, LossSoftmaxCE)
			require.NoError(t, err)
			for k, xt := range g64.x {
				for i, v := range xt.Data().([]float64) {
					gr.x[k].Data().([]float32)[i] = float32(v)
				}
			}
			for i, v := range g64.y.Data().([]float64) {
				gr.y.Data().([]float32)[i] = float32(v)
			}
			for i, v := range g64.w.Data().([]float64) {
				gr.w.Data().([]float32)[i] = float32(v)
			}
			require.NoError(t, gr.run())
			for i, n := range gr.params {
				g32, err := n.Grad()
				require.NoError(t, err)
				g64v, err := g64.params[i].Grad()
				require.NoError(t, err)
				want := g64v.Data().([]float64)
				var scale float64
				for _, v := range want {
					scale = math.Max(scale, math.Abs(v))
				}
				for k, v := range g32.Data().([]float32) {
					require.InDelta(t, want[k], float64(v), 1e-4*scale+1e-7, "%s[%d]", m.info[i].name, k)
				}
			}
		})
	}
}
