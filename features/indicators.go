package features

import (
	"fmt"
	"math"
)

// EMA returns the exponential moving average of x with smoothing factor
// alpha = 2/(span+1): out[t] = alpha*x[t] + (1-alpha)*out[t-1]. It is
// seeded with the simple mean of the first span values, so out[span-1] is
// that mean and earlier values are NaN. A missing input gives NaN and
// restarts the average, which is seeded again from the next span finite
// values. It panics if span < 1.
func EMA(x []float64, span int) []float64 {
	mustWindow("EMA", "span", span)
	return smooth(x, span, 2/(float64(span)+1))
}

// wilder is Wilder's smoothing: an exponential average with alpha =
// 1/window, seeded with the mean of the first window values, restarted
// after a missing value.
func wilder(x []float64, window int) []float64 {
	return smooth(x, window, 1/float64(window))
}

// smooth computes the seeded exponential average shared by EMA and
// wilder.
func smooth(x []float64, n int, alpha float64) []float64 {
	out := make([]float64, len(x))
	run := 0
	sum, e := 0.0, 0.0
	for t, v := range x {
		if !finite(v) {
			run, sum = 0, 0
			out[t] = math.NaN()
			continue
		}
		run++
		switch {
		case run < n:
			sum += v
			out[t] = math.NaN()
		case run == n:
			sum += v
			e = sum / float64(n)
			out[t] = e
		default:
			e = alpha*v + (1-alpha)*e
			out[t] = e
		}
	}
	return out
}

// RSI returns Wilder's relative strength index of close, in 0..100. With
// the one-bar changes d[t] = close[t] - close[t-1], the gains max(d, 0) and
// losses max(-d, 0) are each smoothed with Wilder's average (alpha =
// 1/window, seeded with the mean of the first window changes), and
// RSI = 100 * avgGain / (avgGain + avgLoss), which equals the textbook
// 100 - 100/(1 + avgGain/avgLoss) and gives 100 when there are no losses.
// When prices have not moved at all (both averages 0) the RSI is 50.
//
// The first value is at index window (window changes need window+1
// prices); earlier values are NaN. A missing price restarts the averages.
// It panics if window < 1.
func RSI(close []float64, window int) []float64 {
	mustWindow("RSI", "window", window)
	n := len(close)
	gain, loss := make([]float64, n), make([]float64, n)
	for t := range close {
		d := math.NaN()
		if t > 0 {
			d = close[t] - close[t-1]
		}
		switch {
		case !finite(d):
			gain[t], loss[t] = math.NaN(), math.NaN()
		case d > 0:
			gain[t], loss[t] = d, 0
		default:
			gain[t], loss[t] = 0, -d
		}
	}
	ag, al := wilder(gain, window), wilder(loss, window)
	out := ag // reuse
	for t := range out {
		switch s := ag[t] + al[t]; {
		case math.IsNaN(s):
			out[t] = math.NaN()
		case s == 0:
			out[t] = 50
		default:
			out[t] = 100 * ag[t] / s
		}
	}
	return out
}

// MACD returns the moving average convergence/divergence of close, in
// price units: macd = EMA(close, fast) - EMA(close, slow), sig =
// EMA(macd, signal) and hist = macd - sig. macd is first defined at index
// slow-1 (or fast-1 if fast > slow), sig and hist signal-1 bars later. The
// usual parameters are 12, 26, 9. It panics if any period is < 1; fast >=
// slow is allowed though rarely meaningful.
func MACD(close []float64, fast, slow, signal int) (macd, sig, hist []float64) {
	mustWindow("MACD", "fast", fast)
	mustWindow("MACD", "slow", slow)
	mustWindow("MACD", "signal", signal)
	macd = EMA(close, fast)
	es := EMA(close, slow)
	for t := range macd {
		macd[t] -= es[t] // NaN if either is NaN
	}
	sig = EMA(macd, signal)
	hist = make([]float64, len(macd))
	for t := range hist {
		hist[t] = macd[t] - sig[t]
	}
	return macd, sig, hist
}

// BollingerPercentB returns where close sits within its Bollinger bands,
// as a fraction: (close - lower) / (upper - lower), with the bands at
// RollingMean(close, window) ± k * RollingStd(close, window) (the sample
// standard deviation, divisor window-1). 0 is the lower band, 1 the upper,
// 0.5 the middle; values outside 0..1 are outside the bands. A flat window
// (standard deviation 0) gives 0.5. NaN where RollingStd is NaN, so
// everywhere when window == 1. It panics if window < 1 or if k is not a
// finite positive number.
func BollingerPercentB(close []float64, window int, k float64) []float64 {
	mustWindow("BollingerPercentB", "window", window)
	if !(k > 0) || math.IsInf(k, 1) {
		panic(fmt.Sprintf("features: BollingerPercentB: k %v is not a finite positive number", k))
	}
	mean := make([]float64, len(close))
	out := make([]float64, len(close))
	rollingMoments(close, window, mean, out)
	for t, s := range out {
		switch {
		case s > 0:
			lower, upper := mean[t]-k*s, mean[t]+k*s
			out[t] = (close[t] - lower) / (upper - lower)
		case s == 0:
			out[t] = 0.5
		}
	}
	return out
}

// ATR returns Wilder's average true range, in price units. The true range
// of bar t is max(high-low, |high-close[t-1]|, |low-close[t-1]|); bar 0, and
// any bar whose previous close is missing, uses high-low. The true ranges
// are smoothed with Wilder's average (alpha = 1/window) seeded with the
// mean of the first window of them, so the first value is at index
// window-1. A bar with a missing high or low restarts the average. It
// panics if window < 1 or if the three columns differ in length.
func ATR(high, low, close []float64, window int) []float64 {
	mustWindow("ATR", "window", window)
	mustSameLen("ATR", high, low, close)
	tr := make([]float64, len(high))
	for t := range tr {
		r := high[t] - low[t]
		if t > 0 && finite(close[t-1]) {
			r = math.Max(r, math.Max(math.Abs(high[t]-close[t-1]), math.Abs(low[t]-close[t-1])))
		}
		if !finite(high[t]) || !finite(low[t]) {
			r = math.NaN()
		}
		tr[t] = r
	}
	return wilder(tr, window)
}

// VolumeZScore returns the rolling z-score of volume over window bars, as
// RollingZScore does: (v[t] - mean) / sample std over the bars t-window+1..t.
// Zero volumes are ordinary values; a window of identical volumes (all
// zero, say) gives 0, not NaN or Inf, since it carries no information. It
// panics if window < 1.
func VolumeZScore(volume []float64, window int) []float64 {
	mustWindow("VolumeZScore", "window", window)
	return RollingZScore(volume, window)
}
