package features

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRollingHand(t *testing.T) {
	s43 := math.Sqrt(4.0 / 3) // sample std of {2,4,4} and {5,5,7}
	s13 := math.Sqrt(1.0 / 3) // sample std of {4,4,5} and {4,5,5}
	tests := []struct {
		name   string
		f      func([]float64, int) []float64
		x      []float64
		window int
		want   []float64
	}{
		// (1+2+3)/3 = 2, (2+3+4)/3 = 3, (3+4+5)/3 = 4.
		{"mean", RollingMean, []float64{1, 2, 3, 4, 5}, 3, []float64{nan, nan, 2, 3, 4}},
		{"mean window 1", RollingMean, []float64{1, 2, 3}, 1, []float64{1, 2, 3}},
		{"mean window > len", RollingMean, []float64{1, 2}, 3, []float64{nan, nan}},
		// Windows holding the NaN at index 2 are NaN; (4+5)/2 = 4.5 etc.
		{"mean hole", RollingMean, []float64{1, 2, nan, 4, 5, 6, 7}, 2, []float64{nan, 1.5, nan, nan, 4.5, 5.5, 6.5}},
		{"mean inf is missing", RollingMean, []float64{1, math.Inf(1), 3, 5}, 2, []float64{nan, nan, nan, 4}},
		// {2,4,4}: mean 10/3, squared deviations 16/9+4/9+4/9 = 24/9,
		// /(3-1) = 4/3. {4,4,4}: 0. {4,4,5}: 1/9+1/9+4/9 = 6/9, /2 = 1/3.
		// {5,7,9}: mean 7, 4+0+4 = 8, /2 = 4, std 2.
		{"std", RollingStd, []float64{2, 4, 4, 4, 5, 5, 7, 9}, 3, []float64{nan, nan, s43, 0, s13, s13, s43, 2}},
		{"std window 1", RollingStd, []float64{1, 2}, 1, []float64{nan, nan}},
		{"std hole", RollingStd, []float64{2, 4, nan, 1, 3}, 2, []float64{nan, math.Sqrt2, nan, nan, math.Sqrt2}},
		{"min", RollingMin, []float64{3, 1, 4, 1, 5, 9, 2, 6}, 3, []float64{nan, nan, 1, 1, 1, 1, 2, 2}},
		{"max", RollingMax, []float64{3, 1, 4, 1, 5, 9, 2, 6}, 3, []float64{nan, nan, 4, 4, 5, 9, 9, 9}},
		{"min hole", RollingMin, []float64{3, 1, nan, 7, 5, 9}, 2, []float64{nan, 1, nan, nan, 5, 5}},
		{"max window 1", RollingMax, []float64{3, 1, 4}, 1, []float64{3, 1, 4}},
		// {1,2,3}: mean 2, std 1, z = (3-2)/1 = 1; same for {2,3,4}.
		// {3,4,10}: mean 17/3, deviations -8/3,-5/3,13/3, squares sum
		// 258/9, /2 = 129/9, std sqrt(129)/3; z = (13/3)/(sqrt(129)/3).
		{"zscore", RollingZScore, []float64{1, 2, 3, 4, 10}, 3, []float64{nan, nan, 1, 1, 13 / math.Sqrt(129)}},
		{"zscore flat is 0", RollingZScore, []float64{7, 7, 7, 8}, 3, []float64{nan, nan, 0, 1 / math.Sqrt(1.0/3) * (1 - 1.0/3)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertClose(t, tc.want, tc.f(tc.x, tc.window), 1e-12)
		})
	}
}

func TestRollingPanicsOnBadWindow(t *testing.T) {
	for name, f := range map[string]func([]float64, int) []float64{
		"mean": RollingMean, "std": RollingStd, "min": RollingMin, "max": RollingMax,
		"zscore": RollingZScore, "ema": EMA, "rsi": RSI, "volz": VolumeZScore,
	} {
		t.Run(name, func(t *testing.T) {
			assert.Panics(t, func() { f([]float64{1, 2}, 0) })
		})
	}
}

// naiveRolling applies stat to every full window free of NaN.
func naiveRolling(x []float64, w int, stat func([]float64) float64) []float64 {
	out := make([]float64, len(x))
	for t := range x {
		out[t] = math.NaN()
		if t < w-1 {
			continue
		}
		win := x[t-w+1 : t+1]
		if slices.ContainsFunc(win, math.IsNaN) {
			continue
		}
		out[t] = stat(win)
	}
	return out
}

func naiveMean(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += v
	}
	return s / float64(len(w))
}

func naiveStd(w []float64) float64 {
	m := naiveMean(w)
	s := 0.0
	for _, v := range w {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(w)-1))
}

// TestRollingAgainstNaive runs long enough for the periodic exact
// recomputation to kick in many times, with holes that reset the state.
func TestRollingAgainstNaive(t *testing.T) {
	x := withHoles(randomWalk(3000, 1), 5, 6, 400, 401, 402, 1777, 2999)
	for _, w := range []int{1, 2, 3, 20, 63} {
		naiveZ := func(win []float64) float64 {
			return (win[len(win)-1] - naiveMean(win)) / naiveStd(win)
		}
		tests := []struct {
			name  string
			got   []float64
			want  []float64
			scale float64
		}{
			{"mean", RollingMean(x, w), naiveRolling(x, w, naiveMean), 1},
			{"min", RollingMin(x, w), naiveRolling(x, w, slices.Min[[]float64]), 0},
			{"max", RollingMax(x, w), naiveRolling(x, w, slices.Max[[]float64]), 0},
		}
		if w > 1 {
			tests = append(tests,
				struct {
					name      string
					got, want []float64
					scale     float64
				}{"std", RollingStd(x, w), naiveRolling(x, w, naiveStd), 1},
				struct {
					name      string
					got, want []float64
					scale     float64
				}{"zscore", RollingZScore(x, w), naiveRolling(x, w, naiveZ), 100})
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				// prices are ~100, so 1e-9 absolute is ~1e-11 relative.
				assertClose(t, tc.want, tc.got, 1e-9*tc.scale)
			})
		}
	}
}

// TestRollingStdFlatAfterMove checks that a window of identical values
// reached by sliding (where the running sums carry rounding residue) gives
// exactly 0, and the z-score exactly 0.
func TestRollingStdFlatAfterMove(t *testing.T) {
	x := []float64{0.1, 1e6, 0.3, 0.7, 0.7, 0.7, 0.7}
	sd := RollingStd(x, 3)
	z := RollingZScore(x, 3)
	assert.Equal(t, 0.0, sd[5])
	assert.Equal(t, 0.0, sd[6])
	assert.Equal(t, 0.0, z[6])
}
