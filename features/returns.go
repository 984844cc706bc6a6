package features

import "math"

// SimpleReturns returns the one-bar simple return of x, a fraction:
// out[t] = x[t]/x[t-1] - 1 for t >= 1, and out[0] = NaN. Where the ratio is
// undefined (x[t-1] == 0, or either value missing) out[t] is NaN rather than
// ±Inf. A nil or empty x gives an empty result.
func SimpleReturns(x []float64) []float64 {
	out := make([]float64, len(x))
	for t := range x {
		out[t] = math.NaN()
		if t == 0 {
			continue
		}
		if r := x[t]/x[t-1] - 1; finite(r) {
			out[t] = r
		}
	}
	return out
}

// LogReturns returns the one-bar log return of x: out[t] = ln(x[t]/x[t-1])
// for t >= 1, and out[0] = NaN. Where either value is missing or not
// strictly positive, out[t] is NaN. A nil or empty x gives an empty result.
func LogReturns(x []float64) []float64 {
	return logReturnsOver(x, 1)
}

// logReturnsOver returns ln(x[t]/x[t-k]) for t >= k, NaN elsewhere and
// wherever the ratio is not a finite positive number.
func logReturnsOver(x []float64, k int) []float64 {
	out := make([]float64, len(x))
	for t := range x {
		out[t] = math.NaN()
		if t < k || !(x[t] > 0) || !(x[t-k] > 0) {
			continue
		}
		if r := math.Log(x[t] / x[t-k]); finite(r) {
			out[t] = r
		}
	}
	return out
}

// Lag shifts x forward by k bars: out[t] = x[t-k] for t >= k and NaN for
// t < k; ±Inf values become NaN like every other missing value. Lag(x, 0)
// is a copy of x. Lag panics if k < 0, since a negative lag would read the
// future.
func Lag(x []float64, k int) []float64 {
	if k < 0 {
		panic("features: Lag: negative lag would look ahead")
	}
	out := make([]float64, len(x))
	for t := range out {
		if t < k || !finite(x[t-k]) {
			out[t] = math.NaN()
		} else {
			out[t] = x[t-k]
		}
	}
	return out
}

// ForwardReturn is the h-bar forward simple return used as a prediction
// target, a fraction: out[t] = close[t+h]/close[t] - 1. It is NaN for the
// last h bars and wherever the ratio is undefined (a missing value or
// close[t] == 0).
//
// ForwardReturn deliberately looks ahead: out[t] depends on close[t] and
// close[t+h] only. Never use it as a feature. It panics if h < 1.
func ForwardReturn(close []float64, h int) []float64 {
	mustWindow("ForwardReturn", "h", h)
	out := make([]float64, len(close))
	for t := range close {
		out[t] = math.NaN()
		if t+h >= len(close) {
			continue
		}
		if r := close[t+h]/close[t] - 1; finite(r) {
			out[t] = r
		}
	}
	return out
}
