package features

import (
	"math"
	"sort"
)

// Cross-sectional transforms normalise one day's values across
// instruments: x[i] is instrument i's value on that day, NaN (or ±Inf)
// where it has none. They read no other day, so they add no look-ahead;
// missing values stay NaN in the output and are ignored by the
// statistics. Each returns a new slice of len(x); nil or empty x gives an
// empty slice.

// madScale turns a median absolute deviation into a standard deviation
// for normally distributed data (1/Φ⁻¹(3/4)).
const madScale = 1.4826

// CSZScore returns (x - mean) / std over the finite values of one
// cross-section, std being the population standard deviation (divisor n).
// When every finite value is equal (or there is only one) the finite
// values map to 0: the day carries no ranking information.
func CSZScore(x []float64) []float64 {
	out := make([]float64, len(x))
	mean, n := 0.0, 0
	for _, v := range x {
		if finite(v) {
			mean += v
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	ss := 0.0
	for _, v := range x {
		if finite(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	sd := 0.0
	if n > 0 {
		sd = math.Sqrt(ss / float64(n))
	}
	for i, v := range x {
		switch {
		case !finite(v):
			out[i] = math.NaN()
		case sd > 0:
			out[i] = (v - mean) / sd
		default:
			out[i] = 0
		}
	}
	return out
}

// CSRobustZScore returns (x - median) / (1.4826·MAD) over the finite
// values of one cross-section, MAD being the median absolute deviation
// from the median (medians of an even count average the two middle
// values). A positive clip then limits the result to [-clip, clip]
// (Qlib's RobustZScoreNorm uses 3); clip <= 0 disables clipping. When the
// MAD is 0 (more than half the values equal) the finite values map to 0.
func CSRobustZScore(x []float64, clip float64) []float64 {
	out := make([]float64, len(x))
	vals := make([]float64, 0, len(x))
	for _, v := range x {
		if finite(v) {
			vals = append(vals, v)
		}
	}
	med := median(vals)
	for i, v := range vals {
		vals[i] = math.Abs(v - med)
	}
	mad := median(vals) * madScale
	for i, v := range x {
		switch {
		case !finite(v):
			out[i] = math.NaN()
			continue
		case mad > 0:
			out[i] = (v - med) / mad
		default:
			out[i] = 0
		}
		if clip > 0 {
			out[i] = math.Max(-clip, math.Min(clip, out[i]))
		}
	}
	return out
}

// CSRank returns the percentile rank of each finite value of one
// cross-section, (r - 0.5) / n, where r is its 1-based rank among the n
// finite values (tied values share their average rank). The ranks are
// symmetric around 0.5 and lie in (0, 1); a single finite value gets 0.5.
// Subtracting 0.5 and multiplying by √12 gives unit variance, which is
// how a ranked label is usually fed to a regression loss.
func CSRank(x []float64) []float64 {
	out := make([]float64, len(x))
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if finite(v) {
			idx = append(idx, i)
		} else {
			out[i] = math.NaN()
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	n := float64(len(idx))
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && x[idx[hi]] == x[idx[lo]] {
			hi++
		}
		r := float64(lo+1+hi) / 2 // average of the 1-based ranks lo+1..hi
		for _, i := range idx[lo:hi] {
			out[i] = (r - 0.5) / n
		}
		lo = hi
	}
	return out
}

// CrossSection applies fn to every row of a day-major panel (panel[d] is
// day d's cross-section) and returns the transformed rows as a new panel.
// fn must return a slice of its input's length; CrossSection panics if it
// does not. The input is not modified as long as fn does not modify it
// (none of this package's CS functions do).
func CrossSection(panel [][]float64, fn func([]float64) []float64) [][]float64 {
	out := make([][]float64, len(panel))
	for d, row := range panel {
		out[d] = fn(row)
		if len(out[d]) != len(row) {
			panic("features: CrossSection: fn changed the row length")
		}
	}
	return out
}

// median returns the median of v, reordering v; NaN for an empty v. It
// selects the middle element(s) in expected O(n) instead of sorting.
func median(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return math.NaN()
	}
	m := n / 2
	hi := nthElement(v, m)
	if n%2 == 1 {
		return hi
	}
	// After selection every element of v[:m] is <= v[m].
	lo := v[0]
	for _, u := range v[1:m] {
		lo = math.Max(lo, u)
	}
	return (lo + hi) / 2
}

// nthElement reorders v so that v[k] is the value a sort would put there,
// with no larger value before it and no smaller one after, and returns
// v[k] (Hoare's selection with a median-of-three pivot; v holds no NaN).
func nthElement(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for hi-lo > 16 {
		mid := lo + (hi-lo)/2
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	// Insertion sort finishes a short range.
	for i := lo + 1; i <= hi; i++ {
		for j := i; j > lo && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	return v[k]
}
