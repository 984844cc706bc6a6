package models

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitReducesLoss(t *testing.T) {
	cases := []struct {
		name     string
		spec     Spec
		data     Dataset
		cfg      TrainConfig
		maxFinal float64 // final epoch's training loss must be below this
	}{
		{
			name: "xor/bce_logits/adam",
			spec: Spec{Input: []int{2}, Layers: []LayerSpec{{Type: LayerDense, Units: 8}, {Type: LayerTanh}, {Type: LayerDense, Units: 1}}},
			data: xorData(16),
			cfg:  TrainConfig{Epochs: 150, BatchSize: 8, Loss: LossBCELogits, Optimizer: OptimizerConfig{LearningRate: 0.05}},
			// chance level is ln 2 ≈ 0.693
			maxFinal: 0.05,
		},
		{
			name:     "linear/mse/sgd_momentum",
			spec:     Spec{Input: []int{5}, Layers: []LayerSpec{{Type: LayerDense, Units: 1}}},
			data:     linearData(256, 5, 4),
			cfg:      TrainConfig{Epochs: 40, BatchSize: 32, Loss: LossMSE, Optimizer: OptimizerConfig{Name: OptimizerSGD, LearningRate: 0.05, Momentum: 0.9}},
			maxFinal: 0.02, // noise variance is 0.01
		},
		{
			name:     "gru/mse/adam",
			spec:     gruSpec(5, 3, 8),
			data:     linearData(256, 15, 5),
			cfg:      TrainConfig{Epochs: 30, BatchSize: 32, Loss: LossMSE, Optimizer: OptimizerConfig{LearningRate: 0.01, ClipNorm: 1}},
			maxFinal: 0.15,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := New(c.spec, 1)
			require.NoError(t, err)
			h, err := m.Fit(t.Context(), c.data, c.cfg)
			require.NoError(t, err)
			require.Len(t, h.TrainLoss, c.cfg.Epochs)
			first, last := h.TrainLoss[0], h.TrainLoss[len(h.TrainLoss)-1]
			assert.Less(t, last, first/2, "loss %g -> %g", first, last)
			assert.Less(t, last, c.maxFinal)
			assert.Equal(t, c.cfg.Epochs-1, h.BestEpoch)
			assert.Nil(t, h.ValLoss)
		})
	}
}

func TestFitSoftmaxTargets(t *testing.T) {
	// Class indices and one-hot rows are the same targets.
	spec := Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerDense, Units: 6}, {Type: LayerTanh}, {Type: LayerDense, Units: 3}}}
	x := randomX(60, 4, 1)
	idx := make([]float32, 60)
	onehot := make([]float32, 60*3)
	for i := range idx {
		c := 0
		if x[i*4] > 0.3 {
			c = 1
		} else if x[i*4] < -0.3 {
			c = 2
		}
		idx[i] = float32(c)
		onehot[i*3+c] = 1
	}
	cfg := TrainConfig{Epochs: 40, BatchSize: 16, Loss: LossSoftmaxCE, Optimizer: OptimizerConfig{LearningRate: 0.05}}
	a, _ := New(spec, 2)
	b, _ := New(spec, 2)
	ha, err := a.Fit(t.Context(), Dataset{X: x, Y: idx, N: 60}, cfg)
	require.NoError(t, err)
	hb, err := b.Fit(t.Context(), Dataset{X: x, Y: onehot, N: 60}, cfg)
	require.NoError(t, err)
	assert.Equal(t, ha.TrainLoss, hb.TrainLoss)
	assert.Less(t, ha.TrainLoss[39], 0.3, "chance level is ln 3 ≈ 1.10")

	_, err = a.Fit(t.Context(), Dataset{X: x, Y: append(idx[:59:59], 3), N: 60}, cfg)
	assert.ErrorIs(t, err, ErrDataShape, "class index out of range")
}

func TestFitDeterministic(t *testing.T) {
	spec := Spec{Input: []int{6, 2}, Layers: []LayerSpec{
		{Type: LayerGRU, Units: 4, ReturnSequences: true}, {Type: LayerDropout, Rate: 0.3}, {Type: LayerDense, Units: 1},
	}}
	d := linearData(50, 12, 3) // 50 = 3 full batches of 16 + a partial one
	val := linearData(20, 12, 4)
	fit := func(seed int64) (*Model, *History) {
		m, err := New(spec, 7)
		require.NoError(t, err)
		h, err := m.Fit(t.Context(), d, TrainConfig{Epochs: 4, BatchSize: 16, Loss: LossMSE, Seed: seed, Validation: &val,
			Optimizer: OptimizerConfig{WeightDecay: 0.01, ClipNorm: 0.5}})
		require.NoError(t, err)
		return m, h
	}
	m1, h1 := fit(1)
	m2, h2 := fit(1)
	m3, _ := fit(2)
	assert.Equal(t, h1, h2)
	for i := range m1.params {
		for k := range m1.params[i] {
			if math.Float32bits(m1.params[i][k]) != math.Float32bits(m2.params[i][k]) {
				t.Fatalf("%s[%d]: %v != %v with the same seed", m1.info[i].name, k, m1.params[i][k], m2.params[i][k])
			}
		}
	}
	assert.NotEqual(t, m1.params, m3.params, "another seed shuffles and drops differently")
}

func TestFitReusesGraphs(t *testing.T) {
	m, err := New(mlpSpec(3), 1)
	require.NoError(t, err)
	cfg := TrainConfig{Epochs: 1, BatchSize: 8, Loss: LossMSE}
	for range 3 {
		_, err = m.Fit(t.Context(), linearData(20, 3, 1), cfg)
		require.NoError(t, err)
	}
	assert.Len(t, m.graphs, 1)
}

func TestDropoutTrainEval(t *testing.T) {
	// dropout(0.5) → dense with weights 1 and bias 0 on an all-ones input:
	// in training the output is 2·(number of kept units); in evaluation it
	// is the plain sum, 200.
	const in = 200
	spec := Spec{Input: []int{in}, Layers: []LayerSpec{{Type: LayerDropout, Rate: 0.5}, {Type: LayerDense, Units: 1}}}
	m, err := New(spec, 1)
	require.NoError(t, err)
	for k := range m.params[0] {
		m.params[0][k] = 1
	}
	x := make([]float32, in)
	for i := range x {
		x[i] = 1
	}
	pred, err := m.Predict(x, 1)
	require.NoError(t, err)
	assert.InDelta(t, 200, pred[0], 1e-4, "eval mode is the identity")
	pp, err := m.Predictor().Predict(nil, x)
	require.NoError(t, err)
	assert.InDelta(t, 200, pp[0], 1e-4)

	// One training forward pass through the graph, with y = 0 and weight 1
	// on the single real row: loss = out².
	gr, err := m.graphFor(graphKey{batch: 2, loss: LossMSE})
	require.NoError(t, err)
	fillX(gr, in, 1, func(int) []float32 { return x })
	w := gr.w.Data().([]float32)
	w[0], w[1] = 1, 0
	require.Len(t, gr.masks, 1)
	mask := gr.masks[0].Data().([]float32)
	fillMask(mask, 0.5, newTestRand(3))
	kept := 0
	for _, v := range mask[:in] {
		switch v {
		case 0:
		case 2:
			kept++
		default:
			t.Fatalf("mask value %v, want 0 or 2", v)
		}
	}
	assert.InDelta(t, in/2, kept, 30, "about half kept")
	require.NoError(t, gr.run())
	out := math.Sqrt(float64(gr.lossVal.Data().(float32)))
	assert.InDelta(t, float64(2*kept), out, 1e-3)
}

func TestEarlyStopping(t *testing.T) {
	// The validation targets are the negated training targets: the better
	// the fit, the worse the validation loss, so the best epoch is early.
	train := linearData(64, 4, 1)
	val := Dataset{X: train.X, Y: make([]float32, len(train.Y)), N: train.N}
	for i, v := range train.Y {
		val.Y[i] = -v
	}
	m, err := New(Spec{Input: []int{4}, Layers: []LayerSpec{{Type: LayerDense, Units: 1}}}, 1)
	require.NoError(t, err)
	var epochsSeen []int
	h, err := m.Fit(t.Context(), train, TrainConfig{Epochs: 50, BatchSize: 16, Loss: LossMSE, Validation: &val, Patience: 3,
		Optimizer: OptimizerConfig{LearningRate: 0.05},
		Progress: func(p Progress) {
			if p.Done {
				epochsSeen = append(epochsSeen, p.Epoch)
				assert.False(t, math.IsNaN(p.ValLoss))
			} else {
				assert.True(t, math.IsNaN(p.ValLoss))
			}
		}})
	require.NoError(t, err)
	assert.True(t, h.Stopped)
	require.Len(t, h.ValLoss, len(h.TrainLoss))
	assert.Equal(t, h.BestEpoch+3+1, len(h.TrainLoss), "stops Patience epochs after the best")
	assert.Len(t, epochsSeen, len(h.TrainLoss))

	// The restored weights reproduce the best validation loss.
	pred, err := m.Predict(val.X, val.N)
	require.NoError(t, err)
	tt, err := checkTargets("val", val.Y, val.N, 1, LossMSE)
	require.NoError(t, err)
	assert.InDelta(t, h.ValLoss[h.BestEpoch], tt.meanLoss(pred, val.Y, val.N), 1e-6)
	for i, v := range h.ValLoss {
		assert.GreaterOrEqual(t, v, h.ValLoss[h.BestEpoch], "epoch %d", i)
	}
}

func TestFitCancel(t *testing.T) {
	m, err := New(mlpSpec(3), 1)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	batches := 0
	h, err := m.Fit(ctx, linearData(100, 3, 1), TrainConfig{Epochs: 10, BatchSize: 10, Loss: LossMSE,
		Progress: func(p Progress) {
			if !p.Done {
				batches++
			}
			if p.Epoch == 2 && p.Batch == 3 {
				cancel()
			}
		}})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "epoch 2 batch 4")
	assert.Equal(t, 13, batches)
	assert.Len(t, h.TrainLoss, 1)
}

func TestFitErrors(t *testing.T) {
	m, err := New(mlpSpec(3), 1)
	require.NoError(t, err)
	good := linearData(10, 3, 1)
	ok := TrainConfig{Epochs: 1, BatchSize: 4, Loss: LossMSE}
	nanX := Dataset{X: append([]float32{float32(math.NaN())}, good.X[1:]...), Y: good.Y, N: 10}
	cases := []struct {
		name   string
		data   Dataset
		mutate func(*TrainConfig)
		want   error
		field  string
	}{
		{"epochs", good, func(c *TrainConfig) { c.Epochs = 0 }, ErrInvalidConfig, "Epochs"},
		{"batch", good, func(c *TrainConfig) { c.BatchSize = -1 }, ErrInvalidConfig, "BatchSize"},
		{"loss", good, func(c *TrainConfig) { c.Loss = "hinge" }, ErrInvalidConfig, "Loss"},
		{"softmax_one_output", good, func(c *TrainConfig) { c.Loss = LossSoftmaxCE }, ErrInvalidConfig, "Loss"},
		{"patience_without_validation", good, func(c *TrainConfig) { c.Patience = 2 }, ErrInvalidConfig, "Patience"},
		{"optimizer", good, func(c *TrainConfig) { c.Optimizer.Name = "rmsprop" }, ErrInvalidConfig, "Optimizer.Name"},
		{"momentum_for_adam", good, func(c *TrainConfig) { c.Optimizer.Momentum = 0.9 }, ErrInvalidConfig, "Optimizer.Momentum"},
		{"sgd_momentum_range", good, func(c *TrainConfig) { c.Optimizer = OptimizerConfig{Name: OptimizerSGD, Momentum: 1} }, ErrInvalidConfig, "Optimizer.Momentum"},
		{"negative_lr", good, func(c *TrainConfig) { c.Optimizer.LearningRate = -1 }, ErrInvalidConfig, "Optimizer.LearningRate"},
		{"negative_decay", good, func(c *TrainConfig) { c.Optimizer.WeightDecay = -1 }, ErrInvalidConfig, "Optimizer.WeightDecay"},
		{"short_x", Dataset{X: good.X[:29], Y: good.Y, N: 10}, nil, ErrDataShape, ""},
		{"short_y", Dataset{X: good.X, Y: good.Y[:9], N: 10}, nil, ErrDataShape, ""},
		{"empty", Dataset{}, nil, ErrDataShape, ""},
		{"nan_x", nanX, nil, ErrDataShape, ""},
		{"bce_target_not_probability", Dataset{X: good.X, Y: append([]float32{5}, make([]float32, 9)...), N: 10},
			func(c *TrainConfig) { c.Loss = LossBCELogits }, ErrDataShape, ""},
		{"diverged", good, func(c *TrainConfig) {
			c.Epochs = 30
			c.Optimizer = OptimizerConfig{Name: OptimizerSGD, LearningRate: 1e6}
		}, ErrDiverged, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			if c.mutate != nil {
				c.mutate(&cfg)
			}
			_, err := m.Fit(t.Context(), c.data, cfg)
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			if c.field != "" {
				var ce *ConfigError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, c.field, ce.Field)
			}
		})
	}
}

func TestFitConcurrentModels(t *testing.T) {
	// Separate models may train on separate goroutines (walk-forward
	// refits in parallel) and give the same result as training alone.
	spec := gruSpec(4, 2, 3)
	d := linearData(40, 8, 1)
	cfg := TrainConfig{Epochs: 3, BatchSize: 8, Loss: LossMSE, Seed: 2}
	ref, err := New(spec, 1)
	require.NoError(t, err)
	_, err = ref.Fit(t.Context(), d, cfg)
	require.NoError(t, err)

	models := make([]*Model, 4)
	errs := make([]error, len(models))
	done := make(chan int)
	for i := range models {
		go func(i int) {
			defer func() { done <- i }()
			m, err := New(spec, 1)
			if err == nil {
				_, err = m.Fit(context.Background(), d, cfg)
			}
			models[i], errs[i] = m, err
		}(i)
	}
	for range models {
		<-done
	}
	for i, m := range models {
		require.NoError(t, errs[i])
		assert.Equal(t, ref.params, m.params, "model %d", i)
	}
}
