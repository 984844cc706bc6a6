package credit

import (
	"context"
	"fmt"
	"math"

	"github.com/deepfin/deepfin/internal/kfold"
)

// Classifier is a fitted model that predicts probabilities of bad. A
// *Scorecard and an *MLP are Classifiers.
type Classifier interface {
	// PredictPD returns the PD of each given row of d (0-based; nil means
	// all rows), in order.
	PredictPD(d *Dataset, rows []int) ([]float64, error)
}

// FitFunc fits a Classifier on the training rows of d. It must not look
// at any other row.
type FitFunc func(ctx context.Context, d *Dataset, train []int) (Classifier, error)

// CVResult holds the outcome of a cross-validation.
type CVResult struct {
	// Folds holds each test fold's summary, in fold order.
	Folds []Summary `json:"folds"`
	// Mean and Std are the mean and sample standard deviation over folds
	// of each figure (N and Bads hold totals in Mean and 0 in Std).
	Mean Summary `json:"mean"`
	Std  Summary `json:"std"`
	// OOF holds every row's out-of-fold PD, indexed by row.
	OOF []float64 `json:"-"`
}

// CrossValidate runs stratified k-fold cross-validation (folds from
// kfold.Stratified with seed): fit on k−1 folds, predict the held-out one.
// The context is checked before each fold. It returns the first error of
// fit or prediction, wrapped with the fold number (0-based).
func CrossValidate(ctx context.Context, d *Dataset, k int, seed uint64, fit FitFunc) (*CVResult, error) {
	folds, err := kfold.Stratified(d.Y, k, seed)
	if err != nil {
		return nil, fmt.Errorf("credit: cross-validation: %w", err)
	}
	res := &CVResult{OOF: make([]float64, d.Len())}
	for i := range res.OOF {
		res.OOF[i] = math.NaN()
	}
	for fi, f := range folds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m, err := fit(ctx, d, f.Train)
		if err != nil {
			return nil, fmt.Errorf("credit: cross-validation fold %d: %w", fi, err)
		}
		pd, err := m.PredictPD(d, f.Test)
		if err != nil {
			return nil, fmt.Errorf("credit: cross-validation fold %d: %w", fi, err)
		}
		y := make([]int, len(f.Test))
		for j, r := range f.Test {
			y[j] = d.Y[r]
			res.OOF[r] = pd[j]
		}
		res.Folds = append(res.Folds, Summarize(y, pd))
	}
	res.Mean, res.Std = meanStd(res.Folds)
	return res, nil
}

func meanStd(s []Summary) (mean, std Summary) {
	n := float64(len(s))
	for _, f := range s {
		mean.N += f.N
		mean.Bads += f.Bads
		mean.AUC += f.AUC / n
		mean.Gini += f.Gini / n
		mean.KS += f.KS / n
		mean.Brier += f.Brier / n
	}
	if len(s) < 2 {
		return mean, std
	}
	for _, f := range s {
		std.AUC += (f.AUC - mean.AUC) * (f.AUC - mean.AUC)
		std.Gini += (f.Gini - mean.Gini) * (f.Gini - mean.Gini)
		std.KS += (f.KS - mean.KS) * (f.KS - mean.KS)
		std.Brier += (f.Brier - mean.Brier) * (f.Brier - mean.Brier)
	}
	std.AUC = math.Sqrt(std.AUC / (n - 1))
	std.Gini = math.Sqrt(std.Gini / (n - 1))
	std.KS = math.Sqrt(std.KS / (n - 1))
	std.Brier = math.Sqrt(std.Brier / (n - 1))
	return mean, std
}
