package models_test

import (
	"context"
	"fmt"
	"math"

	"github.com/deepfin/deepfin/models"
)

// Example trains a small network on XOR with a logit output and scores
// the four points with a Predictor.
func Example() {
	spec := models.Spec{Input: []int{2}, Layers: []models.LayerSpec{
		{Type: "dense", Units: 8}, {Type: "tanh"}, {Type: "dense", Units: 1},
	}}
	m, err := models.New(spec, 1)
	if err != nil {
		panic(err)
	}
	x := []float32{0, 0, 0, 1, 1, 0, 1, 1}
	y := []float32{0, 1, 1, 0}
	h, err := m.Fit(context.Background(), models.Dataset{X: x, Y: y, N: 4}, models.TrainConfig{
		Epochs: 300, BatchSize: 4, Loss: "bce_logits", Seed: 1,
		Optimizer: models.OptimizerConfig{Name: "adam", LearningRate: 0.05},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("params %d, loss below 0.05: %v\n", m.NumParams(), h.TrainLoss[len(h.TrainLoss)-1] < 0.05)

	logits, err := m.Predictor().Predict(nil, x)
	if err != nil {
		panic(err)
	}
	for i, z := range logits {
		p := 1 / (1 + math.Exp(-float64(z)))
		fmt.Printf("%v xor %v -> %.0f\n", x[2*i], x[2*i+1], p)
	}
	// Output:
	// params 33, loss below 0.05: true
	// 0 xor 0 -> 0
	// 0 xor 1 -> 1
	// 1 xor 0 -> 1
	// 1 xor 1 -> 0
}

// A sample padded with zeros to 6 steps, with its length 3 given, scores
// as the same sample cut to 3 steps.
func ExampleModel_PredictLengths() {
	layers := []models.LayerSpec{{Type: models.LayerLSTM, Units: 4}, {Type: models.LayerDense, Units: 1}}
	long, _ := models.New(models.Spec{Input: []int{6, 1}, Layers: layers}, 1)
	short, _ := models.New(models.Spec{Input: []int{3, 1}, Layers: layers}, 1) // same seed, same weights
	padded, _ := long.PredictLengths([]float32{0.5, -1, 2, 0, 0, 0}, []int{3}, 1)
	cut, _ := short.Predict([]float32{0.5, -1, 2}, 1)
	fmt.Printf("%.5f %.5f\n", padded[0], cut[0])
	// Output: 0.25359 0.25359
}
