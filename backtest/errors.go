package backtest

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors, wrapped by the errors this package returns; test them
// with errors.Is.
var (
	// ErrTooFewBars: a simulation needs at least two bars (one return).
	ErrTooFewBars = errors.New("too few bars")
	// ErrBadPrice: an open or close price is NaN, infinite or not positive.
	ErrBadPrice = errors.New("price must be finite and positive")
	// ErrUnsorted: bar times are not strictly increasing.
	ErrUnsorted = errors.New("times not strictly increasing")
	// ErrBadTarget: a target position is infinite.
	ErrBadTarget = errors.New("target position is infinite")
	// ErrBadConfig: a Config, WalkForward or PositionRule field is invalid.
	ErrBadConfig = errors.New("invalid configuration")
	// ErrNoResults: Combine was given no results.
	ErrNoResults = errors.New("no results to combine")
	// ErrScoreCount: a walk-forward fit returned the wrong number of scores.
	ErrScoreCount = errors.New("wrong number of scores")
)

// BarError reports a problem with one bar of the input. Index is 0-based
// into the slices given to Run; Field names the offending input ("open",
// "close", "time" or "target").
type BarError struct {
	Index int
	Time  time.Time // zero when the input had no time for this bar
	Field string
	Value float64 // the offending value; NaN when not numeric
	Err   error   // a sentinel such as ErrBadPrice
}

// Error returns a one-line, lower-case description, e.g.
// `backtest: bar 17 (2020-03-02): close 0: price must be finite and positive`.
func (e *BarError) Error() string {
	date := ""
	if !e.Time.IsZero() {
		date = " (" + e.Time.Format("2006-01-02") + ")"
	}
	if e.Field == "time" {
		return fmt.Sprintf("backtest: bar %d%s: time: %v", e.Index, date, e.Err)
	}
	return fmt.Sprintf("backtest: bar %d%s: %s %g: %v", e.Index, date, e.Field, e.Value, e.Err)
}

// Unwrap returns the sentinel.
func (e *BarError) Unwrap() error { return e.Err }

// FoldError reports a failure of the walk-forward fit callback (or a
// cancelled context) for one fold. Index is the 0-based fold number.
type FoldError struct {
	Index int
	Fold  Fold
	Err   error
}

// Error returns a one-line description naming the fold and its ranges.
func (e *FoldError) Error() string {
	f := e.Fold
	return fmt.Sprintf("backtest: fold %d (train [%d,%d), test [%d,%d)): %v",
		e.Index, f.TrainStart, f.TrainEnd, f.TestStart, f.TestEnd, e.Err)
}

// Unwrap returns the underlying error (the callback's error, a
// context error, or ErrScoreCount).
func (e *FoldError) Unwrap() error { return e.Err }

// configError builds an ErrBadConfig error naming the field.
func configError(field string, value any, why string) error {
	return fmt.Errorf("backtest: %s %v: %s: %w", field, value, why, ErrBadConfig)
}
