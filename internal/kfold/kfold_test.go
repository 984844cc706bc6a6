package kfold

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func makeLabels(counts map[int]int) []int {
	var out []int
	keys := make([]int, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// interleave so that classes are not contiguous
	for i := 0; ; i++ {
		added := false
		for _, k := range keys {
			if i < counts[k] {
				out = append(out, k)
				added = true
			}
		}
		if !added {
			return out
		}
	}
}

func TestStratified(t *testing.T) {
	cases := []struct {
		name   string
		counts map[int]int
		k      int
	}{
		{"german-like 700/300 k5", map[int]int{0: 700, 1: 300}, 5},
		{"uneven 13/7 k3", map[int]int{0: 13, 1: 7}, 3},
		{"three classes k4", map[int]int{-1: 9, 0: 10, 5: 11}, 4},
		{"exactly k per class", map[int]int{0: 2, 1: 2}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			labels := makeLabels(tc.counts)
			folds, err := Stratified(labels, tc.k, 42)
			require.NoError(t, err)
			require.Len(t, folds, tc.k)

			seen := make([]int, len(labels))
			sizes := make([]int, 0, tc.k)
			for fi, f := range folds {
				assert.True(t, slices.IsSorted(f.Test), "fold %d test sorted", fi)
				assert.True(t, slices.IsSorted(f.Train), "fold %d train sorted", fi)
				assert.Equal(t, len(labels), len(f.Test)+len(f.Train), "fold %d covers all", fi)
				all := append(slices.Clone(f.Test), f.Train...)
				slices.Sort(all)
				for i, v := range all {
					require.Equal(t, i, v, "fold %d is a partition", fi)
				}
				for _, i := range f.Test {
					seen[i]++
				}
				sizes = append(sizes, len(f.Test))
				// per-class spread
				for c, n := range tc.counts {
					got := 0
					for _, i := range f.Test {
						if labels[i] == c {
							got++
						}
					}
					assert.GreaterOrEqual(t, got, n/tc.k, "fold %d class %d", fi, c)
					assert.LessOrEqual(t, got, (n+tc.k-1)/tc.k, "fold %d class %d", fi, c)
				}
			}
			for i, s := range seen {
				require.Equal(t, 1, s, "index %d in exactly one test fold", i)
			}
			assert.LessOrEqual(t, slices.Max(sizes)-slices.Min(sizes), 1, "fold sizes %v", sizes)
		})
	}
}

func TestStratifiedDeterministic(t *testing.T) {
	labels := makeLabels(map[int]int{0: 50, 1: 20})
	a, err := Stratified(labels, 5, 7)
	require.NoError(t, err)
	b, err := Stratified(labels, 5, 7)
	require.NoError(t, err)
	assert.Equal(t, a, b, "same seed, same folds")
	c, err := Stratified(labels, 5, 8)
	require.NoError(t, err)
	assert.NotEqual(t, a, c, "different seed, different folds")
}

func TestStratifiedErrors(t *testing.T) {
	cases := []struct {
		name   string
		labels []int
		k      int
		want   error
	}{
		{"k one", []int{0, 1, 0, 1}, 1, ErrInvalidArgument},
		{"k negative", []int{0, 1}, -3, ErrInvalidArgument},
		{"fewer samples than folds", []int{0, 1}, 3, ErrTooFewSamples},
		{"empty", nil, 2, ErrTooFewSamples},
		{"class smaller than k", []int{0, 0, 0, 0, 1}, 2, ErrTooFewSamples},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Stratified(tc.labels, tc.k, 1)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), "kfold: ")
		})
	}
}

func TestStratifiedSplit(t *testing.T) {
	cases := []struct {
		name     string
		counts   map[int]int
		frac     float64
		wantTest map[int]int
	}{
		{"30 percent of 700/300", map[int]int{0: 700, 1: 300}, 0.3, map[int]int{0: 210, 1: 90}},
		{"small class keeps one each side", map[int]int{0: 20, 1: 2}, 0.1, map[int]int{0: 2, 1: 1}},
		{"singleton class stays in train", map[int]int{0: 10, 1: 1}, 0.5, map[int]int{0: 5, 1: 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			labels := makeLabels(tc.counts)
			train, test, err := StratifiedSplit(labels, tc.frac, 3)
			require.NoError(t, err)
			assert.True(t, slices.IsSorted(train))
			assert.True(t, slices.IsSorted(test))
			assert.Len(t, train, len(labels)-len(test))
			got := map[int]int{}
			for _, i := range test {
				got[labels[i]]++
			}
			for c, n := range tc.wantTest {
				assert.Equal(t, n, got[c], "class %d in test", c)
			}
			all := append(slices.Clone(train), test...)
			slices.Sort(all)
			for i, v := range all {
				require.Equal(t, i, v)
			}
			train2, test2, err := StratifiedSplit(labels, tc.frac, 3)
			require.NoError(t, err)
			assert.Equal(t, train, train2)
			assert.Equal(t, test, test2)
		})
	}
}

func TestStratifiedSplitErrors(t *testing.T) {
	cases := []struct {
		name   string
		labels []int
		frac   float64
		want   error
	}{
		{"zero fraction", []int{0, 1}, 0, ErrInvalidArgument},
		{"one fraction", []int{0, 1}, 1, ErrInvalidArgument},
		{"NaN fraction", []int{0, 1}, nanFloat(), ErrInvalidArgument},
		{"no labels", nil, 0.2, ErrInvalidArgument},
		{"all singletons", []int{0, 1, 2}, 0.3, ErrTooFewSamples},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := StratifiedSplit(tc.labels, tc.frac, 1)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func nanFloat() float64 {
	var z float64
	return z / z
}

func ExampleStratified() {
	labels := []int{0, 0, 0, 0, 0, 0, 1, 1, 1}
	folds, err := Stratified(labels, 3, 1)
	if err != nil {
		panic(err)
	}
	for i, f := range folds {
		bads := 0
		for _, j := range f.Test {
			bads += labels[j]
		}
		fmt.Printf("fold %d: %d test rows, %d of class 1\n", i, len(f.Test), bads)
	}
	// Output:
	// fold 0: 3 test rows, 1 of class 1
	// fold 1: 3 test rows, 1 of class 1
	// fold 2: 3 test rows, 1 of class 1
}
