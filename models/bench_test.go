package models

import (
	"context"
	"testing"
)

// BenchmarkPredictorRow scores one row through the MLP the finance
// pipeline uses (200 → dense 32 → relu → dropout → dense 1).
func BenchmarkPredictorRow(b *testing.B) {
	m, err := New(mlpSpec(200), 1)
	if err != nil {
		b.Fatal(err)
	}
	p := m.Predictor()
	x := randomX(1, 200, 2)
	dst := make([]float32, 1)
	b.ReportAllocs()
	for b.Loop() {
		if dst, err = p.Predict(dst, x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictorRowGRU scores one 20×10 window through GRU(16) →
// dense 1.
func BenchmarkPredictorRowGRU(b *testing.B) {
	m, err := New(gruSpec(20, 10, 16), 1)
	if err != nil {
		b.Fatal(err)
	}
	p := m.Predictor()
	x := randomX(1, 200, 2)
	dst := make([]float32, 1)
	b.ReportAllocs()
	for b.Loop() {
		if dst, err = p.Predict(dst, x); err != nil {
			b.Fatal(err)
		}
	}
}

// benchFit trains one epoch of n samples per iteration and reports
// training throughput in sequences (samples) per second.
func benchFit(b *testing.B, spec Spec, n int) {
	m, err := New(spec, 1)
	if err != nil {
		b.Fatal(err)
	}
	d := linearData(n, m.Inputs(), 3)
	cfg := TrainConfig{Epochs: 1, BatchSize: 64, Loss: LossMSE, Seed: 1}
	if _, err := m.Fit(context.Background(), d, cfg); err != nil { // build the graph
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Fit(context.Background(), d, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "seq/s")
}

// BenchmarkFitGRU trains GRU(16) → dense 1 on 20-step windows of 10
// features, batch 64, Adam, 1024 samples per op.
func BenchmarkFitGRU(b *testing.B) { benchFit(b, gruSpec(20, 10, 16), 1024) }

// BenchmarkFitMLP trains the 200 → 32 → 1 MLP with dropout, batch 64,
// Adam, 1024 samples per op.
func BenchmarkFitMLP(b *testing.B) { benchFit(b, mlpSpec(200), 1024) }

// rowMNISTSpec is the row-by-row MNIST classifier: 28 steps of 28 pixels
// through a recurrent layer of the given type and width, then 10 logits.
func rowMNISTSpec(typ string, units int, act string) Spec {
	return Spec{Input: []int{28, 28}, Layers: []LayerSpec{
		{Type: typ, Units: units, Activation: act}, {Type: LayerDense, Units: 10},
	}}
}

// benchFitClass trains one epoch of n random 10-class samples per
// iteration, batch 64, SGD with momentum, and reports sequences per second.
func benchFitClass(b *testing.B, spec Spec, n int) {
	m, err := New(spec, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := randomX(n, m.Inputs(), 3)
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(i % 10)
	}
	d := Dataset{X: x, Y: y, N: n}
	cfg := TrainConfig{Epochs: 1, BatchSize: 64, Loss: LossSoftmaxCE, Seed: 1,
		Optimizer: OptimizerConfig{Name: OptimizerSGD, LearningRate: 0.01, Momentum: 0.9}}
	if _, err := m.Fit(context.Background(), Dataset{X: x[:64*m.Inputs()], Y: y[:64], N: 64}, cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Fit(context.Background(), d, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "seq/s")
}

// BenchmarkFitRowMNISTLSTM trains LSTM(128) → dense 10 on 28×28 inputs,
// 640 samples per op.
func BenchmarkFitRowMNISTLSTM(b *testing.B) { benchFitClass(b, rowMNISTSpec(LayerLSTM, 128, ""), 640) }

// BenchmarkFitRowMNISTRNN trains RNN(256, relu) → dense 10 on 28×28
// inputs, 640 samples per op.
func BenchmarkFitRowMNISTRNN(b *testing.B) {
	benchFitClass(b, rowMNISTSpec(LayerRNN, 256, ActReLU), 640)
}

// BenchmarkPredictorRowLSTMText scores one 40-token sentence through
// embedding(1000, 64) → LSTM(64) → dense 3, the text classifier's shape.
func BenchmarkPredictorRowLSTMText(b *testing.B) {
	spec := Spec{Input: []int{40}, Layers: []LayerSpec{
		{Type: LayerEmbedding, Vocab: 1000, Units: 64}, {Type: LayerLSTM, Units: 64}, {Type: LayerDense, Units: 3},
	}}
	m, err := New(spec, 1)
	if err != nil {
		b.Fatal(err)
	}
	p := m.Predictor()
	x := make([]float32, 40)
	for i := range x {
		x[i] = float32((i * 37) % 1000)
	}
	dst := make([]float32, 3)
	b.ReportAllocs()
	for b.Loop() {
		if dst, err = p.Predict(dst, x); err != nil {
			b.Fatal(err)
		}
	}
}
