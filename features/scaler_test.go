package features

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitStandardScaler(t *testing.T) {
	// column 0 on rows [0,4): {1,2,3,4}, mean 2.5, population variance
	// (2.25+0.25+0.25+2.25)/4 = 1.25. Column 1 skips the NaN and the Inf:
	// {10,30}, mean 20, std 10. Column 2 is constant: std 0.
	cols := [][]float64{
		{1, 2, 3, 4, 1000},
		{10, nan, math.Inf(1), 30, -5},
		{7, 7, 7, 7, 8},
	}
	s, err := FitStandardScaler(cols, 4)
	require.NoError(t, err)
	assertClose(t, []float64{2.5, 20, 7}, s.Mean, 1e-15)
	assertClose(t, []float64{math.Sqrt(1.25), 10, 0}, s.Std, 1e-15)

	got := s.Transform(cols)
	// (1000-2.5)/sqrt(1.25); (-5-20)/10 = -2.5; constant column -> 0, even
	// for the out-of-sample 8.
	assertClose(t, []float64{-1.5 / math.Sqrt(1.25), -0.5 / math.Sqrt(1.25), 0.5 / math.Sqrt(1.25), 1.5 / math.Sqrt(1.25), 997.5 / math.Sqrt(1.25)}, got[0], 1e-12)
	assertClose(t, []float64{-1, nan, nan, 1, -2.5}, got[1], 1e-15)
	assertClose(t, []float64{0, 0, 0, 0, 0}, got[2], 0)
	assert.Equal(t, 1.0, cols[0][0], "Transform must not modify its input")
}

func TestFitStandardScalerErrors(t *testing.T) {
	tests := []struct {
		name     string
		cols     [][]float64
		end      int
		sentinel error
		msg      string
	}{
		{"no columns", nil, 1, ErrInvalidArgument, `features: FitStandardScaler: argument "cols": invalid argument: no columns`},
		{"end zero", [][]float64{{1, 2}}, 0, ErrInvalidArgument, `features: FitStandardScaler: argument "end": invalid argument: 0 outside [1, 2]`},
		{"end past", [][]float64{{1, 2}}, 3, ErrInvalidArgument, `features: FitStandardScaler: argument "end": invalid argument: 3 outside [1, 2]`},
		{"lengths", [][]float64{{1, 2}, {1}}, 1, ErrLengthMismatch, `features: FitStandardScaler: column 1: length mismatch: 1 rows, column 0 has 2`},
		{"all nan", [][]float64{{1, 2}, {nan, 3}}, 1, ErrNoFiniteValues, `features: FitStandardScaler: column 1: no finite values: in rows [0, 1)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitStandardScaler(tc.cols, tc.end)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.sentinel)
			var fe *Error
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.msg, err.Error())
		})
	}
}

// TestScalerIgnoresRowsFromEnd: rows >= end cannot move Mean or Std.
func TestScalerIgnoresRowsFromEnd(t *testing.T) {
	tab := Standard(loadFixture(t))
	const end = 150
	base, err := FitStandardScaler(tab.Cols, end)
	require.NoError(t, err)
	for _, factor := range []float64{0, 2, -1e9, nan} {
		cols := make([][]float64, len(tab.Cols))
		for j, c := range tab.Cols {
			cols[j] = append([]float64(nil), c...)
			for i := end; i < len(c); i++ {
				cols[j][i] *= factor
			}
		}
		s, err := FitStandardScaler(cols, end)
		require.NoError(t, err)
		assert.Equal(t, base, s, "factor %v", factor)
	}
}

func TestScalerJSON(t *testing.T) {
	s := &StandardScaler{Mean: []float64{1.5, -2}, Std: []float64{0.25, 0}}
	b, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"mean":[1.5,-2],"std":[0.25,0]}`, string(b))
	var back StandardScaler
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, *s, back)
}

func TestTransformPanicsOnWidth(t *testing.T) {
	s := &StandardScaler{Mean: []float64{0}, Std: []float64{1}}
	assert.Panics(t, func() { s.Transform([][]float64{{1}, {2}}) })
}
