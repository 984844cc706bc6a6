package backtest

import (
	"context"
	"fmt"
	"math"
)

// WalkForward describes a walk-forward schedule over n bars: fit on a
// training window, predict the next Refit bars out of sample, move the
// window forward by Refit bars and repeat until the bars run out.
type WalkForward struct {
	// MinTrain is the index of the first out-of-sample bar, i.e. the
	// number of bars available to the first fit. Required (>= 1) when
	// Expanding; with a rolling window 0 means TrainBars.
	MinTrain int `json:"min_train"`
	// TrainBars is the rolling window length in bars, used only when
	// Expanding is false (then >= 1). When MinTrain < TrainBars the first
	// folds train on all bars so far, fewer than TrainBars.
	TrainBars int `json:"train_bars"`
	// Refit is the number of out-of-sample bars per fold (>= 1): the model
	// is refitted every Refit bars.
	Refit int `json:"refit"`
	// Expanding trains every fold from bar 0; otherwise on the last
	// TrainBars bars before the test block.
	Expanding bool `json:"expanding"`
}

// Fold is one step of a walk-forward schedule. Bars are 0-based indices;
// the model is trained on [TrainStart, TrainEnd) and scores bars
// [TestStart, TestEnd), with TrainEnd == TestStart.
//
// A score for bar t is made at the close of bar t. The fold's model is
// fitted at the close of TestStart, so a training row t whose label looks
// h bars ahead may be used only when t+h <= TestStart: with a 1-bar
// forward-return label all rows of [TrainStart, TrainEnd) are usable; with
// h > 1 the fit function must drop the last h-1 rows.
type Fold struct {
	TrainStart, TrainEnd int
	TestStart, TestEnd   int
}

// Validate returns an error wrapping ErrBadConfig for an impossible
// schedule (negative values, Refit < 1, MinTrain < 1 when Expanding,
// TrainBars < 1 when rolling).
func (w WalkForward) Validate() error {
	switch {
	case w.Refit < 1:
		return configError("WalkForward.Refit", w.Refit, "must be >= 1")
	case w.MinTrain < 0:
		return configError("WalkForward.MinTrain", w.MinTrain, "must be >= 0")
	case w.TrainBars < 0:
		return configError("WalkForward.TrainBars", w.TrainBars, "must be >= 0")
	case w.Expanding && w.MinTrain < 1:
		return configError("WalkForward.MinTrain", w.MinTrain, "must be >= 1 with an expanding window")
	case !w.Expanding && w.TrainBars < 1:
		return configError("WalkForward.TrainBars", w.TrainBars, "must be >= 1 with a rolling window")
	}
	return nil
}

// Folds returns the schedule over n bars, in time order. The first test
// block starts at MinTrain (rolling: MinTrain, or TrainBars when MinTrain
// is 0); each block has Refit bars except the last, which ends at n. The
// test blocks tile [first, n) without gaps or overlap.
//
// It returns an error wrapping ErrBadConfig when w is invalid and one
// wrapping ErrTooFewBars when n leaves no out-of-sample bar.
func (w WalkForward) Folds(n int) ([]Fold, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	first := w.MinTrain
	if !w.Expanding && first == 0 {
		first = w.TrainBars
	}
	if n <= first {
		return nil, fmt.Errorf("backtest: walk-forward: %d bars leave no out-of-sample bar after the first %d: %w",
			n, first, ErrTooFewBars)
	}

	folds := make([]Fold, 0, (n-first+w.Refit-1)/w.Refit)
	for s := first; s < n; s += w.Refit {
		f := Fold{TrainStart: 0, TrainEnd: s, TestStart: s, TestEnd: min(s+w.Refit, n)}
		if !w.Expanding {
			f.TrainStart = max(0, s-w.TrainBars)
		}
		folds = append(folds, f)
	}
	return folds, nil
}

// RunWalkForward runs fit on every fold of w.Folds(n) in order and
// assembles the out-of-sample scores: the result has length n, holds
// fit's scores on each fold's [TestStart, TestEnd) and NaN on every bar
// before the first test block. fit must return exactly TestEnd-TestStart
// scores (NaN allowed: "no decision").
//
// ctx is checked before each fold and passed to fit. The first error
// stops the run and is returned as a *FoldError wrapping fit's error, the
// context's error or ErrScoreCount, with nil scores. Invalid schedules
// return the Folds error.
func RunWalkForward(ctx context.Context, n int, w WalkForward,
	fit func(ctx context.Context, f Fold) ([]float64, error)) ([]float64, error) {
	folds, err := w.Folds(n)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	for i, f := range folds {
		if err := ctx.Err(); err != nil {
			return nil, &FoldError{Index: i, Fold: f, Err: err}
		}
		scores, err := fit(ctx, f)
		if err != nil {
			return nil, &FoldError{Index: i, Fold: f, Err: err}
		}
		if want := f.TestEnd - f.TestStart; len(scores) != want {
			return nil, &FoldError{Index: i, Fold: f,
				Err: fmt.Errorf("got %d, want %d: %w", len(scores), want, ErrScoreCount)}
		}
		copy(out[f.TestStart:f.TestEnd], scores)
	}
	return out, nil
}
