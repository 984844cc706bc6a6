package credit

import (
	"context"
	"fmt"
	"math"

	"github.com/deepfin/deepfin/models"
)

// ModelsLogistic is a LogisticFitter that trains a models network with one
// dense unit on the binary cross-entropy of its logit (a logistic
// regression) by SGD with momentum; the L2 penalty becomes the optimizer's
// WeightDecay, which for SGD adds l2·w to the gradient (note: package
// models decays the bias too). The weights are read back by evaluating the
// trained network at the origin and at each unit vector.
//
// Package models has no per-sample weights: row weights must be whole
// numbers, and a row of weight k is repeated k times. The zero value is
// ready to use with the defaults noted on each field.
type ModelsLogistic struct {
	// Epochs is the number of passes over the data; 0 means 100.
	Epochs int
	// BatchSize is the rows per step; 0 means 128.
	BatchSize int
	// LearningRate is the SGD step; 0 means 0.05.
	LearningRate float64
	// Momentum is the SGD momentum; 0 means 0.9.
	Momentum float64
	// Seed drives initialisation and shuffling.
	Seed int64
}

// FitLogistic implements LogisticFitter. It panics as
// NewtonLogistic.FitLogistic does, and returns an error wrapping
// ErrInvalidOption for fractional weights.
func (ml ModelsLogistic) FitLogistic(ctx context.Context, x []float64, y []int, weights []float64, p int, l2 float64) ([]float64, float64, error) {
	n := len(y)
	if len(x) != n*p || (weights != nil && len(weights) != n) {
		panic(fmt.Sprintf("credit: FitLogistic: %d values for %d rows × %d columns, %d weights", len(x), n, p, len(weights)))
	}
	epochs, batch, lr, mom := ml.Epochs, ml.BatchSize, ml.LearningRate, ml.Momentum
	if epochs == 0 {
		epochs = 100
	}
	if batch == 0 {
		batch = 128
	}
	if lr == 0 {
		lr = 0.05
	}
	if mom == 0 {
		mom = 0.9
	}
	ds, err := weightedDataset(x, y, weights, p)
	if err != nil {
		return nil, 0, err
	}
	m, err := models.New(models.Spec{Input: []int{p}, Layers: []models.LayerSpec{{Type: models.LayerDense, Units: 1}}}, ml.Seed)
	if err != nil {
		return nil, 0, fmt.Errorf("credit: logistic: %w", err)
	}
	_, err = m.Fit(ctx, ds, models.TrainConfig{
		Epochs: epochs, BatchSize: batch, Loss: models.LossBCELogits, Seed: ml.Seed,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerSGD, LearningRate: lr, Momentum: mom, WeightDecay: l2},
	})
	if err != nil {
		return nil, 0, fmt.Errorf("credit: logistic: %w", err)
	}

	// read back b = f(0), w_j = f(e_j) − f(0)
	probe := make([]float32, (p+1)*p)
	for j := range p {
		probe[(j+1)*p+j] = 1
	}
	out, err := m.Predictor().Predict(nil, probe)
	if err != nil {
		return nil, 0, fmt.Errorf("credit: logistic: %w", err)
	}
	b := float64(out[0])
	w := make([]float64, p)
	for j := range p {
		w[j] = float64(out[j+1]) - b
	}
	return w, b, nil
}

// weightedDataset converts x and y to float32, repeating each row by its
// whole-number weight.
func weightedDataset(x []float64, y []int, weights []float64, p int) (models.Dataset, error) {
	n := len(y)
	total := n
	if weights != nil {
		total = 0
		for i, w := range weights {
			if w < 0 || w != math.Trunc(w) || w > 1e6 {
				return models.Dataset{}, optionError("logistic: row %d has weight %v; package models needs whole-number weights", i, w)
			}
			total += int(w)
		}
	}
	ds := models.Dataset{X: make([]float32, 0, total*p), Y: make([]float32, 0, total), N: total}
	for i := range n {
		k := 1
		if weights != nil {
			k = int(weights[i])
		}
		for range k {
			for _, v := range x[i*p : (i+1)*p] {
				ds.X = append(ds.X, float32(v))
			}
			ds.Y = append(ds.Y, float32(y[i]))
		}
	}
	return ds, nil
}
