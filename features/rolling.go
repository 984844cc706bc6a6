package features

import "math"

// The rolling statistics below share one scheme. A counter run holds the
// number of consecutive finite inputs ending at bar t; a missing input
// resets it and every running sum, so a NaN never poisons later windows.
// The output at t is defined once run >= window. Running sums are
// recomputed exactly from the window every window bars, which bounds the
// rounding drift of the O(1) updates while keeping the total cost O(n).

// RollingMean returns the mean of x over the window bars ending at each bar:
// out[t] = (x[t-window+1] + ... + x[t]) / window. The first window-1 values
// are NaN, and so is every window holding a missing (NaN or ±Inf) value.
// It panics if window < 1.
func RollingMean(x []float64, window int) []float64 {
	mustWindow("RollingMean", "window", window)
	out := make([]float64, len(x))
	fw := float64(window)
	run := 0
	sum := 0.0
	for t, v := range x {
		if !finite(v) {
			run, sum = 0, 0
			out[t] = math.NaN()
			continue
		}
		run++
		switch {
		case run <= window:
			sum += v
		case (run-window)%window == 0:
			sum = 0
			for _, u := range x[t-window+1 : t+1] {
				sum += u
			}
		default:
			sum += v - x[t-window]
		}
		if run < window {
			out[t] = math.NaN()
		} else {
			out[t] = sum / fw
		}
	}
	return out
}

// rollingMoments fills mean and sd with the rolling mean and sample
// standard deviation (divisor window-1) of x; either may be nil. A window
// whose values are all identical gets exactly its value as mean and exactly
// 0 as sd. With window 1 the sd is NaN.
func rollingMoments(x []float64, window int, mean, sd []float64) {
	fw := float64(window)
	run := 0  // consecutive finite values ending at t
	same := 0 // consecutive values equal to x[t], ending at t
	m, m2 := 0.0, 0.0
	peak := 0.0 // largest m2 since the last exact computation
	for t, v := range x {
		if !finite(v) {
			run, same, m, m2, peak = 0, 0, 0, 0, 0
			set(mean, t, math.NaN())
			set(sd, t, math.NaN())
			continue
		}
		run++
		if run > 1 && v == x[t-1] {
			same++
		} else {
			same = 1
		}

		// Welford's update while the window fills, then the sliding form
		// (replace x[t-window] by v), re-synchronised by a two-pass
		// computation every window bars. The rounding error of an update
		// is relative to the largest m2 since the last exact pass, so a
		// collapse of the variance by more than 1e-6 of that peak (a calm
		// window after a jump) also triggers an exact pass; this bounds
		// the relative error of the std near 1e-10 at worst O(window)
		// extra work per collapse.
		switch {
		case run <= window:
			d := v - m
			m += d / float64(run)
			m2 += d * (v - m)
		case (run-window)%window == 0:
			m, m2 = twoPass(x[t-window+1 : t+1])
			peak = m2
		default:
			old := x[t-window]
			d := v - old
			nm := m + d/fw
			m2 += d * ((v - nm) + (old - m))
			m = nm
			if m2 < peak*1e-6 {
				m, m2 = twoPass(x[t-window+1 : t+1])
				peak = m2
			}
		}
		peak = math.Max(peak, m2)

		switch {
		case run < window:
			set(mean, t, math.NaN())
			set(sd, t, math.NaN())
		case same >= window:
			set(mean, t, v)
			set(sd, t, sdOrNaN(window, 0))
		default:
			set(mean, t, m)
			set(sd, t, sdOrNaN(window, math.Sqrt(math.Max(m2, 0)/(fw-1))))
		}
	}
}

// twoPass returns the mean and the sum of squared deviations of w.
func twoPass(w []float64) (mean, m2 float64) {
	for _, u := range w {
		mean += u
	}
	mean /= float64(len(w))
	for _, u := range w {
		d := u - mean
		m2 += d * d
	}
	return mean, m2
}

// sdOrNaN returns s, or NaN when window 1 leaves the sample std undefined.
func sdOrNaN(window int, s float64) float64 {
	if window == 1 {
		return math.NaN()
	}
	return s
}

// set writes v to dst[i] unless dst is nil.
func set(dst []float64, i int, v float64) {
	if dst != nil {
		dst[i] = v
	}
}

// RollingStd returns the sample standard deviation (divisor window-1) of x
// over the window bars ending at each bar. It is exactly 0 when every value
// in the window is identical, NaN for the first window-1 bars, for windows
// holding a missing value, and everywhere when window == 1 (one value has no
// sample deviation). It panics if window < 1.
func RollingStd(x []float64, window int) []float64 {
	mustWindow("RollingStd", "window", window)
	out := make([]float64, len(x))
	rollingMoments(x, window, nil, out)
	return out
}

// RollingZScore returns how many rolling standard deviations x[t] lies from
// the rolling mean, both taken over the window bars ending at t (x[t]
// included): (x[t] - RollingMean) / RollingStd. When the window's standard
// deviation is 0 (every value identical) the z-score is 0: a flat window
// carries no information, and 0 keeps the output finite. NaN where
// RollingStd is NaN, so everywhere when window == 1. It panics if window < 1.
func RollingZScore(x []float64, window int) []float64 {
	mustWindow("RollingZScore", "window", window)
	mean := make([]float64, len(x))
	out := make([]float64, len(x))
	rollingMoments(x, window, mean, out)
	for t, s := range out {
		switch {
		case s > 0:
			out[t] = (x[t] - mean[t]) / s
		case s == 0:
			out[t] = 0
		}
	}
	return out
}

// RollingMin returns the minimum of x over the window bars ending at each
// bar, NaN for the first window-1 bars and for windows holding a missing
// value. It runs in O(n) with a monotonic deque. It panics if window < 1.
func RollingMin(x []float64, window int) []float64 {
	mustWindow("RollingMin", "window", window)
	return rollingExtreme(x, window, false)
}

// RollingMax returns the maximum of x over the window bars ending at each
// bar, NaN for the first window-1 bars and for windows holding a missing
// value. It runs in O(n) with a monotonic deque. It panics if window < 1.
func RollingMax(x []float64, window int) []float64 {
	mustWindow("RollingMax", "window", window)
	return rollingExtreme(x, window, true)
}

// rollingExtreme keeps, in a ring buffer of window indices, the bars of
// the current window whose values are strictly better (greater for max,
// smaller for min) than every later value; the front is the extreme.
func rollingExtreme(x []float64, window int, max bool) []float64 {
	out := make([]float64, len(x))
	dq := make([]int, window)
	head, size, run := 0, 0, 0
	for t, v := range x {
		if !finite(v) {
			head, size, run = 0, 0, 0
			out[t] = math.NaN()
			continue
		}
		run++
		if size > 0 && dq[head] <= t-window {
			head = (head + 1) % window
			size--
		}
		for size > 0 {
			b := x[dq[(head+size-1)%window]]
			if (max && b <= v) || (!max && b >= v) {
				size--
				continue
			}
			break
		}
		dq[(head+size)%window] = t
		size++
		if run < window {
			out[t] = math.NaN()
		} else {
			out[t] = x[dq[head]]
		}
	}
	return out
}
