package models

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGradientCheckLengths(t *testing.T) {
	cases := []struct {
		name string
		spec Spec
	}{
		{"lstm", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerLSTM, Units: 3}, {Type: LayerDense, Units: 1}}}},
		{"rnn/sequences", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerRNN, Units: 3, ReturnSequences: true}, {Type: LayerDense, Units: 2}}}},
		{"stacked/alstm", Spec{Input: []int{4, 2}, Layers: []LayerSpec{
			{Type: LayerLSTM, Units: 2, ReturnSequences: true}, {Type: LayerTanh}, {Type: LayerALSTM, Units: 2}, {Type: LayerDense, Units: 1}}}},
		{"gru", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerGRU, Units: 3}, {Type: LayerDense, Units: 1}}}},
		{"gru/sequences", Spec{Input: []int{4, 2}, Layers: []LayerSpec{{Type: LayerGRU, Units: 3, ReturnSequences: true}, {Type: LayerDense, Units: 2}}}},
		{"stacked/gru", Spec{Input: []int{4, 2}, Layers: []LayerSpec{
			{Type: LayerGRU, Units: 2, ReturnSequences: true}, {Type: LayerDropout, Rate: 0.2}, {Type: LayerGRU, Units: 3}, {Type: LayerDense, Units: 1}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gradCheck(t, c.spec, LossMSE, 4, 2, 4, 1, 3)
		})
	}
}

// A sample padded to more steps gives the output of the same sample cut
// to its valid length, in the graph and in the Predictor.
func TestPaddedEqualsUnpadded(t *testing.T) {
	cases := []struct {
		name   string
		layers []LayerSpec
	}{
		{"lstm", []LayerSpec{{Type: LayerLSTM, Units: 4}, {Type: LayerDense, Units: 2}}},
		{"rnn_relu", []LayerSpec{{Type: LayerRNN, Units: 4, Activation: ActReLU}, {Type: LayerDense, Units: 1}}},
		{"stacked", []LayerSpec{{Type: LayerLSTM, Units: 3, ReturnSequences: true}, {Type: LayerDropout, Rate: 0.3}, {Type: LayerRNN, Units: 4}}},
		{"alstm", []LayerSpec{{Type: LayerALSTM, Units: 3}, {Type: LayerDense, Units: 1}}},
		{"gru", []LayerSpec{{Type: LayerGRU, Units: 4}, {Type: LayerDense, Units: 2}}},
		{"gru_into_gru", []LayerSpec{{Type: LayerGRU, Units: 3, ReturnSequences: true}, {Type: LayerGRU, Units: 2}}},
		{"lstm_into_gru", []LayerSpec{{Type: LayerLSTM, Units: 3, ReturnSequences: true}, {Type: LayerGRU, Units: 4}, {Type: LayerDense, Units: 1}}},
	}
	const full, f = 7, 3
	lengths := []int{7, 3, 1, 5}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			padded, err := New(Spec{Input: []int{full, f}, Layers: c.layers}, 2)
			require.NoError(t, err)
			x := randomX(len(lengths), full*f, 4)
			got, err := padded.PredictLengths(x, lengths, len(lengths))
			require.NoError(t, err)
			gotP, err := padded.Predictor().PredictLengths(nil, x, lengths)
			require.NoError(t, err)
			for i, l := range lengths {
				cut, err := New(Spec{Input: []int{l, f}, Layers: c.layers}, 2)
				require.NoError(t, err)
				for k := range cut.params {
					copy(cut.params[k], padded.params[k]) // weights do not depend on the length
				}
				want, err := cut.Predict(x[i*full*f:i*full*f+l*f], 1)
				require.NoError(t, err)
				o := len(want)
				for k := range want {
					assert.InDelta(t, want[k], got[i*o+k], 1e-5, "graph: sample %d output %d", i, k)
					assert.InDelta(t, want[k], gotP[i*o+k], 1e-5, "predictor: sample %d output %d", i, k)
				}
			}
		})
	}
}

func TestLengthsErrors(t *testing.T) {
	lstm, err := New(Spec{Input: []int{3, 2}, Layers: []LayerSpec{{Type: LayerLSTM, Units: 2}}}, 1)
	require.NoError(t, err)
	dense, err := New(Spec{Input: []int{3, 2}, Layers: []LayerSpec{{Type: LayerTanh}, {Type: LayerDense, Units: 1}}}, 1)
	require.NoError(t, err)
	x := randomX(2, 6, 1)
	cases := []struct {
		name    string
		m       *Model
		lengths []int
		want    string
	}{
		{"too_long", lstm, []int{3, 4}, "lengths[1] = 4 not in [1, 3]"},
		{"zero", lstm, []int{0, 1}, "lengths[0] = 0"},
		{"count", lstm, []int{1}, "1 lengths for 2 samples"},
		{"dense_over_sequence", dense, []int{1, 2}, "layer 1 (dense)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.m.PredictLengths(x, c.lengths, 2)
			require.ErrorIs(t, err, ErrDataShape)
			assert.Contains(t, err.Error(), c.want)
			_, err = c.m.Predictor().PredictLengths(nil, x, c.lengths)
			require.ErrorIs(t, err, ErrDataShape)
		})
	}
}

func TestFitLengths(t *testing.T) {
	// The target is the sum of the first feature over the valid steps.
	const n, steps = 96, 5
	x := randomX(n, steps*2, 8)
	lengths := make([]int, n)
	y := make([]float32, n)
	for i := range lengths {
		lengths[i] = 1 + i%steps
		for s := 0; s < lengths[i]; s++ {
			y[i] += x[i*steps*2+s*2]
		}
	}
	d := Dataset{X: x, Y: y, N: n, Lengths: lengths}
	m, err := New(Spec{Input: []int{steps, 2}, Layers: []LayerSpec{{Type: LayerLSTM, Units: 8}, {Type: LayerDense, Units: 1}}}, 1)
	require.NoError(t, err)
	h, err := m.Fit(t.Context(), d, TrainConfig{Epochs: 40, BatchSize: 32, Loss: LossMSE, Seed: 1, Validation: &d,
		Optimizer: OptimizerConfig{LearningRate: 0.01}})
	require.NoError(t, err)
	assert.Less(t, h.ValLoss[len(h.ValLoss)-1], 0.5*h.ValLoss[0])

	gru, err := New(gruSpec(steps, 2, 8), 1)
	require.NoError(t, err)
	h, err = gru.Fit(t.Context(), d, TrainConfig{Epochs: 40, BatchSize: 32, Loss: LossMSE, Seed: 1, Validation: &d,
		Optimizer: OptimizerConfig{LearningRate: 0.01}})
	require.NoError(t, err)
	assert.Less(t, h.ValLoss[len(h.ValLoss)-1], 0.5*h.ValLoss[0])
}
