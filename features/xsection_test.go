package features

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCSZScore(t *testing.T) {
	tests := []struct {
		name    string
		in, out []float64
	}{
		{"empty", nil, []float64{}},
		{"plain", []float64{1, 2, 3}, []float64{-math.Sqrt(1.5), 0, math.Sqrt(1.5)}},
		{"missing", []float64{1, nan, 3}, []float64{-1, nan, 1}},
		{"flat", []float64{4, 4, nan}, []float64{0, 0, nan}},
		{"inf is missing", []float64{math.Inf(1), 2, 4}, []float64{nan, -1, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertClose(t, tc.out, CSZScore(tc.in), 1e-12) })
	}
}

func TestCSRobustZScore(t *testing.T) {
	// Median 3; absolute deviations 2, 1, 0, 1, 97 -> MAD 1.
	in := []float64{1, 2, 3, 4, 100}
	s := madScale
	tests := []struct {
		name string
		in   []float64
		clip float64
		out  []float64
	}{
		{"no clip", in, 0, []float64{-2 / s, -1 / s, 0, 1 / s, 97 / s}},
		{"clip 3", in, 3, []float64{-2 / s, -1 / s, 0, 1 / s, 3}},
		// Even count: median (2+3)/2 = 2.5; deviations 1.5 .5 .5 1.5 -> 1.
		{"even", []float64{1, 2, nan, 3, 4}, 0, []float64{-1.5 / s, -0.5 / s, nan, 0.5 / s, 1.5 / s}},
		{"mad zero", []float64{5, 5, 5, 9}, 3, []float64{0, 0, 0, 0}},
		{"all missing", []float64{nan, nan}, 3, []float64{nan, nan}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertClose(t, tc.out, CSRobustZScore(tc.in, tc.clip), 1e-12) })
	}
}

func TestCSRank(t *testing.T) {
	tests := []struct {
		name    string
		in, out []float64
	}{
		{"plain", []float64{30, 10, 20}, []float64{2.5 / 3, 0.5 / 3, 1.5 / 3}},
		{"ties", []float64{1, 2, 2, 3}, []float64{0.5 / 4, 2 / 4.0, 2 / 4.0, 3.5 / 4}},
		{"missing", []float64{nan, 5, 1}, []float64{nan, 0.75, 0.25}},
		{"single", []float64{nan, 7}, []float64{nan, 0.5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assertClose(t, tc.out, CSRank(tc.in), 1e-12) })
	}
}

// TestCrossSectionPerDay: a transformed day depends on that day only.
func TestCrossSectionPerDay(t *testing.T) {
	panel := [][]float64{{1, 2, 3}, {10, 30, 20}, {5, nan, 6}}
	fns := map[string]func([]float64) []float64{
		"zscore": CSZScore,
		"robust": func(x []float64) []float64 { return CSRobustZScore(x, 3) },
		"rank":   CSRank,
	}
	for name, fn := range fns {
		t.Run(name, func(t *testing.T) {
			base := CrossSection(panel, fn)
			for d := range panel {
				changed := make([][]float64, len(panel))
				for k := range panel {
					changed[k] = append([]float64(nil), panel[k]...)
					if k != d {
						for i := range changed[k] {
							changed[k][i] = changed[k][i]*7 - 3
						}
					}
				}
				got := CrossSection(changed, fn)
				assertClose(t, base[d], got[d], 0)
			}
		})
	}
	assert.Panics(t, func() { CrossSection(panel, func([]float64) []float64 { return nil }) })
}

func ExampleCSRank() {
	fmt.Printf("%.3f\n", CSRank([]float64{0.02, -0.01, math.NaN(), 0.05}))
	// Output: [0.500 0.167 NaN 0.833]
}

// TestMedianMatchesSort checks the selection-based median against a sort
// on random inputs of many sizes, with ties.
func TestMedianMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for n := 1; n < 200; n++ {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64(r.IntN(n/2 + 1))
			if r.IntN(2) == 0 {
				v[i] = r.NormFloat64()
			}
		}
		s := append([]float64(nil), v...)
		sort.Float64s(s)
		want := s[n/2]
		if n%2 == 0 {
			want = (s[n/2-1] + s[n/2]) / 2
		}
		got := median(append([]float64(nil), v...))
		if got != want {
			t.Fatalf("n=%d: median %v, want %v", n, got, want)
		}
	}
}
