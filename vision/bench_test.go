package vision

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/deepfin/deepfin/models"
)

// BenchmarkFitResNet18 trains ResNet-18 with the ImageNet stem on random
// 1×28×28 images (the Fashion-MNIST benchmark's shapes), batch 64, SGD
// with momentum and weight decay, 256 images per op.
func BenchmarkFitResNet18(b *testing.B) {
	spec, err := ResNet(ResNetConfig{Depth: 18, Classes: 10, Input: []int{1, 28, 28}})
	if err != nil {
		b.Fatal(err)
	}
	m, err := models.New(spec, 1)
	if err != nil {
		b.Fatal(err)
	}
	const n = 256
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*m.Inputs())
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	y := make([]float32, n)
	for i := range y {
		y[i] = float32(i % 10)
	}
	cfg := models.TrainConfig{Epochs: 1, BatchSize: 64, Loss: models.LossSoftmaxCE, Seed: 1,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerSGD, LearningRate: 0.01, Momentum: 0.9, WeightDecay: 5e-4}}
	d := models.Dataset{X: x, Y: y, N: n}
	if _, err := m.Fit(context.Background(), models.Dataset{X: x[:64*m.Inputs()], Y: y[:64], N: 64}, cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.Fit(context.Background(), d, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "img/s")
}
