package nlp

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// labelsOf returns n0 rows of class 0 then n1 of class 1 then n2 of 2.
func labelsOf(n ...int) []int {
	var out []int
	for c, k := range n {
		for range k {
			out = append(out, c)
		}
	}
	return out
}

func TestStratifiedFolds(t *testing.T) {
	d := &Dataset{Labels: labelsOf(10, 5, 20), Classes: []string{"a", "b", "c"}}
	d.Texts = make([]string, len(d.Labels))
	folds, err := d.StratifiedFolds(5, 3)
	require.NoError(t, err)
	require.Len(t, folds, 5)

	seen := make([]int, len(d.Labels))
	for f, fold := range folds {
		assert.True(t, slices.IsSorted(fold.Test) && slices.IsSorted(fold.Train), "fold %d sorted", f)
		assert.Equal(t, len(d.Labels), len(fold.Test)+len(fold.Train))
		counts := make([]int, 3)
		for _, r := range fold.Test {
			seen[r]++
			counts[d.Labels[r]]++
		}
		assert.Equal(t, []int{2, 1, 4}, counts, "fold %d keeps the class proportions", f)
		in := map[int]bool{}
		for _, r := range fold.Test {
			in[r] = true
		}
		for _, r := range fold.Train {
			assert.False(t, in[r], "row %d in both sides of fold %d", r, f)
		}
	}
	for r, n := range seen {
		assert.Equal(t, 1, n, "row %d tested once", r)
	}

	again, err := d.StratifiedFolds(5, 3)
	require.NoError(t, err)
	assert.Equal(t, folds, again, "same seed, same folds")
	other, err := d.StratifiedFolds(5, 4)
	require.NoError(t, err)
	assert.NotEqual(t, folds, other, "another seed shuffles differently")

	for _, k := range []int{1, 36} {
		_, err := d.StratifiedFolds(k, 1)
		assert.ErrorIs(t, err, ErrInvalidArgument, "k=%d", k)
	}
}

func TestStratifiedSplit(t *testing.T) {
	d := &Dataset{Labels: labelsOf(303, 1391, 570), Classes: PhraseBankClasses()}
	d.Texts = make([]string, len(d.Labels))
	train, test, err := d.StratifiedSplit(0.2, 42)
	require.NoError(t, err)
	// round(0.2 × 303) = 61, round(278.2) = 278, round(114) = 114.
	assert.Equal(t, []int{61, 278, 114}, test.ClassCounts())
	assert.Equal(t, []int{242, 1113, 456}, train.ClassCounts())

	for _, f := range []float64{0, 1, -0.1, math.NaN()} {
		_, _, err := d.StratifiedSplit(f, 1)
		assert.ErrorIs(t, err, ErrInvalidArgument, "fraction %g", f)
	}
}

func TestCrossValidate(t *testing.T) {
	d := &Dataset{Labels: labelsOf(6, 4), Classes: []string{"a", "b"}}
	for i := range d.Labels {
		d.Texts = append(d.Texts, string(rune('a'+d.Labels[i])))
	}
	// A "model" that reads the answer from the text is always right.
	oracle := func(_ context.Context, _, test *Dataset) ([]int, error) {
		out := make([]int, test.Len())
		for i, s := range test.Texts {
			out[i] = int(s[0] - 'a')
		}
		return out, nil
	}
	res, err := CrossValidate(context.Background(), d, 2, 9, oracle)
	require.NoError(t, err)
	assert.InDelta(t, 1.0, res.Accuracy, 1e-12)
	assert.InDelta(t, 0.0, res.AccuracyStd, 1e-12)
	assert.Equal(t, d.Labels, res.Predictions)
	assert.Len(t, res.Folds, 2)

	// Always predicting class 0 scores 6/10 on every split of this data.
	zero := func(_ context.Context, _, test *Dataset) ([]int, error) { return make([]int, test.Len()), nil }
	res, err = CrossValidate(context.Background(), d, 2, 9, zero)
	require.NoError(t, err)
	assert.InDelta(t, 0.6, res.Accuracy, 1e-12)
	assert.InDelta(t, 0.6, res.Pooled.Accuracy, 1e-12)

	short := func(_ context.Context, _, _ *Dataset) ([]int, error) { return []int{0}, nil }
	_, err = CrossValidate(context.Background(), d, 2, 9, short)
	assert.ErrorIs(t, err, ErrInvalidArgument)

	boom := errors.New("boom")
	_, err = CrossValidate(context.Background(), d, 2, 9, func(context.Context, *Dataset, *Dataset) ([]int, error) { return nil, boom })
	assert.ErrorIs(t, err, boom)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = CrossValidate(ctx, d, 2, 9, oracle)
	assert.ErrorIs(t, err, context.Canceled)
}
