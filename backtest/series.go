package backtest

import (
	"fmt"
	"math"
)

// Drawdown returns the underwater curve of an equity path that starts at
// 1 before its first entry (as Result.Equity and Result.Benchmark do):
// out[i] = equity[i] / max(1, equity[0..i]) - 1, a fraction <= 0 (-0.25
// means 25% below the running peak). The minimum of out is
// -Metrics.MaxDrawdown. A nil or empty input gives an empty slice.
func Drawdown(equity []float64) []float64 {
	out := make([]float64, len(equity))
	peak := 1.0
	for i, e := range equity {
		peak = math.Max(peak, e)
		out[i] = e/peak - 1
	}
	return out
}

// RollingSharpe returns the annualised Sharpe ratio of each trailing
// window of returns (zero risk-free rate): out[i] = mean / sd *
// sqrt(periodsPerYear) over returns[i-window+1 .. i], sd being the sample
// standard deviation. out[i] is NaN for i < window-1, when the window's sd
// is 0 (for example a strategy flat for the whole window) or when it holds
// a NaN. periodsPerYear <= 0 means DefaultPeriodsPerYear. It panics if
// window < 2.
func RollingSharpe(returns []float64, window int, periodsPerYear float64) []float64 {
	if window < 2 {
		panic(fmt.Sprintf("backtest: RollingSharpe: window %d, need >= 2", window))
	}
	if periodsPerYear <= 0 {
		periodsPerYear = DefaultPeriodsPerYear
	}
	ann := math.Sqrt(periodsPerYear)
	out := make([]float64, len(returns))
	for i := range out {
		out[i] = math.NaN()
	}
	// Recompute each window: O(n*window), but exact and immune to the
	// cancellation drift of running sums. 126 x 20k bars is ~2.5M ops.
	for i := window - 1; i < len(returns); i++ {
		w := returns[i-window+1 : i+1]
		var sum float64
		for _, x := range w {
			sum += x
		}
		mean := sum / float64(window)
		var ss float64
		for _, x := range w {
			ss += (x - mean) * (x - mean)
		}
		if sd := math.Sqrt(ss / float64(window-1)); sd > 0 {
			out[i] = mean / sd * ann
		}
	}
	return out
}
