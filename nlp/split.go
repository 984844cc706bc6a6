package nlp

import (
	"context"
	"fmt"
	"math"

	"github.com/deepfin/deepfin/internal/kfold"
)

// Fold is one cross-validation fold: 0-based row indices, each sorted
// ascending; Train and Test are disjoint and together hold every row.
type Fold struct {
	Train, Test []int
}

// StratifiedFolds splits the rows of d into k folds whose class
// proportions follow the whole dataset's (each class's rows are shuffled
// with seed and dealt to the folds in turn, by internal/kfold.Stratified).
// The result depends only on (labels, k, seed). It returns an error
// wrapping ErrInvalidArgument (and kfold's sentinel) when k < 2 or a class
// has fewer than k rows.
func (d *Dataset) StratifiedFolds(k int, seed uint64) ([]Fold, error) {
	return stratifiedFolds(d.Labels, k, seed)
}

// StratifiedSplit splits d into a training and a test set, putting
// round(testFraction × count) rows of each class, chosen with seed, into
// the test set (at least one and at most count−1 for a class of two or
// more rows; internal/kfold.StratifiedSplit). Both keep the input's row
// order. It returns an error wrapping ErrInvalidArgument (and kfold's
// sentinel) when testFraction is not inside (0, 1) or the test set would
// be empty.
func (d *Dataset) StratifiedSplit(testFraction float64, seed uint64) (train, test *Dataset, err error) {
	tr, te, err := stratifiedSplit(d.Labels, testFraction, seed)
	if err != nil {
		return nil, nil, err
	}
	return d.Subset(tr), d.Subset(te), nil
}

// stratifiedFolds and stratifiedSplit are the one place that splits rows;
// they delegate to internal/kfold and re-wrap its errors so that callers
// can also test for ErrInvalidArgument.
func stratifiedFolds(labels []int, k int, seed uint64) ([]Fold, error) {
	kf, err := kfold.Stratified(labels, k, seed)
	if err != nil {
		return nil, fmt.Errorf("nlp: StratifiedFolds: %w: %w", ErrInvalidArgument, err)
	}
	folds := make([]Fold, len(kf))
	for i, f := range kf {
		folds[i] = Fold{Train: f.Train, Test: f.Test}
	}
	return folds, nil
}

func stratifiedSplit(labels []int, testFraction float64, seed uint64) (train, test []int, err error) {
	train, test, err = kfold.StratifiedSplit(labels, testFraction, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("nlp: StratifiedSplit: %w: %w", ErrInvalidArgument, err)
	}
	return train, test, nil
}

// FitPredictFunc trains a classifier on train and returns its predicted
// class index for every row of test, in order.
type FitPredictFunc func(ctx context.Context, train, test *Dataset) ([]int, error)

// CVResult holds the outcome of CrossValidate.
type CVResult struct {
	// Folds holds the test metrics of each fold, in fold order.
	Folds []Metrics
	// Accuracy and MacroF1 are the means over folds (fractions);
	// AccuracyStd is the sample standard deviation of the fold
	// accuracies.
	Accuracy, AccuracyStd, MacroF1 float64
	// Pooled scores the out-of-fold predictions of every row together.
	Pooled Metrics
	// Predictions holds the out-of-fold prediction of each row of the
	// dataset.
	Predictions []int
	// Seed is the seed the folds were drawn with.
	Seed uint64
}

// CrossValidate runs stratified k-fold cross-validation of fit on d: for
// each fold it calls fit with the training and test subsets and scores the
// predictions. Everything a model learns (vocabulary, TF-IDF weights)
// must be fitted inside fit, on train only. It stops at the first error,
// including ctx's, and returns an error wrapping ErrInvalidArgument when
// fit returns the wrong number of predictions or an index outside the
// classes.
func CrossValidate(ctx context.Context, d *Dataset, k int, seed uint64, fit FitPredictFunc) (*CVResult, error) {
	folds, err := d.StratifiedFolds(k, seed)
	if err != nil {
		return nil, err
	}
	res := &CVResult{Predictions: make([]int, d.Len()), Seed: seed}
	accs := make([]float64, k)
	for f, fold := range folds {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("nlp: CrossValidate: %w", err)
		}
		test := d.Subset(fold.Test)
		pred, err := fit(ctx, d.Subset(fold.Train), test)
		if err != nil {
			return nil, fmt.Errorf("nlp: CrossValidate: fold %d: %w", f, err)
		}
		if len(pred) != test.Len() {
			return nil, argError("CrossValidate", "fit", "fold %d: %d predictions for %d rows", f, len(pred), test.Len())
		}
		for i, p := range pred {
			if p < 0 || p >= len(d.Classes) {
				return nil, argError("CrossValidate", "fit", "fold %d: prediction %d outside [0, %d)", f, p, len(d.Classes))
			}
			res.Predictions[fold.Test[i]] = p
		}
		m := Evaluate(test.Labels, pred, len(d.Classes))
		res.Folds = append(res.Folds, m)
		accs[f] = m.Accuracy
		res.Accuracy += m.Accuracy / float64(k)
		res.MacroF1 += m.MacroF1 / float64(k)
	}
	var ss float64
	for _, a := range accs {
		ss += (a - res.Accuracy) * (a - res.Accuracy)
	}
	res.AccuracyStd = math.Sqrt(ss / float64(k-1))
	res.Pooled = Evaluate(d.Labels, res.Predictions, len(d.Classes))
	return res, nil
}
