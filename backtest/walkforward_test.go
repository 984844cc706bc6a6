package backtest

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFolds(t *testing.T) {
	tests := []struct {
		name string
		w    WalkForward
		n    int
		want []Fold
	}{
		{name: "expanding", w: WalkForward{MinTrain: 4, Refit: 3, Expanding: true}, n: 11, want: []Fold{
			{0, 4, 4, 7}, {0, 7, 7, 10}, {0, 10, 10, 11},
		}},
		{name: "rolling", w: WalkForward{TrainBars: 4, Refit: 2}, n: 9, want: []Fold{
			{0, 4, 4, 6}, {2, 6, 6, 8}, {4, 8, 8, 9},
		}},
		{name: "rolling, shorter first windows", w: WalkForward{MinTrain: 2, TrainBars: 3, Refit: 2}, n: 8, want: []Fold{
			{0, 2, 2, 4}, {1, 4, 4, 6}, {3, 6, 6, 8},
		}},
		{name: "refit every bar", w: WalkForward{MinTrain: 3, Refit: 1, Expanding: true}, n: 5, want: []Fold{
			{0, 3, 3, 4}, {0, 4, 4, 5},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.w.Folds(tc.n)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestFoldsErrors(t *testing.T) {
	tests := []struct {
		name    string
		w       WalkForward
		n       int
		wantErr error
	}{
		{name: "no refit", w: WalkForward{MinTrain: 5, Expanding: true}, n: 10, wantErr: ErrBadConfig},
		{name: "expanding without MinTrain", w: WalkForward{Refit: 1, Expanding: true}, n: 10, wantErr: ErrBadConfig},
		{name: "rolling without TrainBars", w: WalkForward{MinTrain: 3, Refit: 1}, n: 10, wantErr: ErrBadConfig},
		{name: "negative", w: WalkForward{MinTrain: -1, TrainBars: 3, Refit: 1}, n: 10, wantErr: ErrBadConfig},
		{name: "too few bars", w: WalkForward{MinTrain: 10, Refit: 1, Expanding: true}, n: 10, wantErr: ErrTooFewBars},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.w.Folds(tc.n)
			assert.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestRunWalkForward(t *testing.T) {
	w := WalkForward{MinTrain: 3, Refit: 2, Expanding: true}
	var seen []Fold
	scores, err := RunWalkForward(context.Background(), 8, w, func(_ context.Context, f Fold) ([]float64, error) {
		seen = append(seen, f)
		out := make([]float64, f.TestEnd-f.TestStart)
		for i := range out {
			out[i] = float64(f.TestStart + i) // score = bar index
		}
		return out, nil
	})
	require.NoError(t, err)
	require.Len(t, scores, 8)
	for i := range 3 {
		assert.True(t, math.IsNaN(scores[i]), "in-sample bar %d must be NaN", i)
	}
	for i := 3; i < 8; i++ {
		assert.Equal(t, float64(i), scores[i])
	}
	for _, f := range seen {
		assert.Equal(t, f.TrainEnd, f.TestStart, "train ends where the test starts")
	}
	assert.Len(t, seen, 3)
}

func TestRunWalkForwardErrors(t *testing.T) {
	w := WalkForward{MinTrain: 2, Refit: 2, Expanding: true}
	errFit := errors.New("fit diverged")
	t.Run("cancelled between folds", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		_, err := RunWalkForward(ctx, 10, w, func(_ context.Context, f Fold) ([]float64, error) {
			calls++
			cancel()
			return make([]float64, f.TestEnd-f.TestStart), nil
		})
		require.ErrorIs(t, err, context.Canceled)
		var fe *FoldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, 1, fe.Index)
		assert.Equal(t, 1, calls)
	})
	t.Run("fit error", func(t *testing.T) {
		_, err := RunWalkForward(context.Background(), 10, w, func(context.Context, Fold) ([]float64, error) {
			return nil, errFit
		})
		require.ErrorIs(t, err, errFit)
		assert.EqualError(t, err, "backtest: fold 0 (train [0,2), test [2,4)): fit diverged")
	})
	t.Run("wrong score count", func(t *testing.T) {
		_, err := RunWalkForward(context.Background(), 10, w, func(context.Context, Fold) ([]float64, error) {
			return []float64{1}, nil
		})
		require.ErrorIs(t, err, ErrScoreCount)
	})
	t.Run("bad schedule", func(t *testing.T) {
		_, err := RunWalkForward(context.Background(), 10, WalkForward{}, nil)
		require.ErrorIs(t, err, ErrBadConfig)
	})
}
