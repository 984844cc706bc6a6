package features

import (
	"fmt"
	"math"
)

// StandardScaler standardises columns to zero mean and unit variance with
// statistics fitted on a training slice. Mean[j] and Std[j] belong to
// column j; Std is the population standard deviation (divisor n) of the
// finite training values. The struct marshals to JSON as
// {"mean":[...],"std":[...]} so it can be saved beside a model; a fitted
// scaler never holds NaN or Inf, which JSON cannot carry.
type StandardScaler struct {
	Mean []float64 `json:"mean"`
	Std  []float64 `json:"std"`
}

// FitStandardScaler fits a scaler on rows [0, end) of cols (cols[j] is one
// column, all of one length) and ignores every other row, so no statistic
// leaks from the evaluation period into training. Missing (NaN or ±Inf)
// values are skipped.
//
// It returns an *Error wrapping ErrInvalidArgument when cols is empty or
// end is outside [1, len(cols[0])], ErrLengthMismatch when the columns
// differ in length, and ErrNoFiniteValues naming the column when a column
// has no finite value in rows [0, end).
func FitStandardScaler(cols [][]float64, end int) (*StandardScaler, error) {
	const op = "FitStandardScaler"
	if len(cols) == 0 {
		return nil, argError(op, "cols", ErrInvalidArgument, "no columns")
	}
	n := len(cols[0])
	for j, c := range cols {
		if len(c) != n {
			return nil, colError(op, "", j, ErrLengthMismatch, "%d rows, column 0 has %d", len(c), n)
		}
	}
	if end < 1 || end > n {
		return nil, argError(op, "end", ErrInvalidArgument, "%d outside [1, %d]", end, n)
	}

	s := &StandardScaler{Mean: make([]float64, len(cols)), Std: make([]float64, len(cols))}
	for j, c := range cols {
		sum, cnt := 0.0, 0
		for _, v := range c[:end] {
			if finite(v) {
				sum += v
				cnt++
			}
		}
		if cnt == 0 {
			return nil, colError(op, "", j, ErrNoFiniteValues, "in rows [0, %d)", end)
		}
		mean := sum / float64(cnt)
		ss := 0.0
		for _, v := range c[:end] {
			if finite(v) {
				ss += (v - mean) * (v - mean)
			}
		}
		s.Mean[j], s.Std[j] = mean, math.Sqrt(ss/float64(cnt))
	}
	return s, nil
}

// Transform returns new columns (x - Mean[j]) / Std[j]; the inputs are not
// modified. Missing values (NaN or ±Inf) come out as NaN. A column whose
// fitted Std is 0 (constant on the training slice, or a single finite
// training value) maps every finite value to 0: the training data gave it
// no scale, so it contributes nothing rather than ±Inf.
//
// Rows are transformed independently, so Transform adds no look-ahead. It
// panics if len(cols) differs from len(s.Mean) or if len(s.Std) differs
// from len(s.Mean).
func (s *StandardScaler) Transform(cols [][]float64) [][]float64 {
	if len(cols) != len(s.Mean) || len(s.Std) != len(s.Mean) {
		panic(fmt.Sprintf("features: StandardScaler.Transform: %d columns for a scaler of %d means and %d stds",
			len(cols), len(s.Mean), len(s.Std)))
	}
	out := make([][]float64, len(cols))
	for j, c := range cols {
		o := make([]float64, len(c))
		m, sd := s.Mean[j], s.Std[j]
		for t, v := range c {
			switch {
			case !finite(v):
				o[t] = math.NaN()
			case sd == 0:
				o[t] = 0
			default:
				o[t] = (v - m) / sd
			}
		}
		out[j] = o
	}
	return out
}
