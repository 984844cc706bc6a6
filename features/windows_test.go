package features

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWindows(t *testing.T) {
	// Two features over 8 bars; feature a has a hole at bar 2, the
	// target a hole at bar 7.
	a := []float64{0, 1, nan, 3, 4, 5, 6, 7}
	b := []float64{10, 11, 12, 13, 14, 15, 16, 17}
	y := []float64{100, 101, 102, 103, 104, 105, 106, nan}
	tests := []struct {
		name     string
		window   int
		from, to int
		wantEnd  []int
		wantX    []float64
	}{
		// window 2: end bars 1 (a[0..1]) ok, 2 and 3 touch the hole, 4,5,6
		// ok, 7 has no target.
		{"all", 2, 0, 8, []int{1, 4, 5, 6}, []float64{
			0, 10, 1, 11, // end 1: step 0 = bar 0, step 1 = bar 1
			3, 13, 4, 14,
			4, 14, 5, 15,
			5, 15, 6, 16,
		}},
		{"range", 2, 5, 7, []int{5, 6}, []float64{4, 14, 5, 15, 5, 15, 6, 16}},
		{"window 1", 1, 0, 4, []int{0, 1, 3}, []float64{0, 10, 1, 11, 3, 13}},
		// window 3 fits only after the hole: bars 3..5 and 4..6.
		{"window 3", 3, 0, 8, []int{5, 6}, []float64{3, 13, 4, 14, 5, 15, 4, 14, 5, 15, 6, 16}},
		{"empty range", 2, 3, 3, []int{}, []float64{}},
		{"too long", 9, 0, 8, []int{}, []float64{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws, err := Windows([][]float64{a, b}, y, tc.window, tc.from, tc.to)
			require.NoError(t, err)
			assert.Equal(t, tc.wantEnd, ws.End)
			assert.Equal(t, tc.wantX, ws.X)
			assert.Equal(t, tc.window, ws.Window)
			assert.Equal(t, 2, ws.Features)
			assert.Equal(t, len(tc.wantEnd), ws.Len())
			require.Len(t, ws.Y, len(tc.wantEnd))
			for i, e := range ws.End {
				assert.Equal(t, y[e], ws.Y[i])
			}
		})
	}
}

func TestWindowsErrors(t *testing.T) {
	a := []float64{1, 2, 3}
	tests := []struct {
		name     string
		cols     [][]float64
		target   []float64
		window   int
		from, to int
		sentinel error
	}{
		{"window", [][]float64{a}, a, 0, 0, 3, ErrInvalidArgument},
		{"no cols", nil, a, 1, 0, 3, ErrInvalidArgument},
		{"to past end", [][]float64{a}, a, 1, 0, 4, ErrInvalidArgument},
		{"from negative", [][]float64{a}, a, 1, -1, 3, ErrInvalidArgument},
		{"from after to", [][]float64{a}, a, 1, 2, 1, ErrInvalidArgument},
		{"length", [][]float64{a, {1}}, a, 1, 0, 3, ErrLengthMismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Windows(tc.cols, tc.target, tc.window, tc.from, tc.to)
			assert.ErrorIs(t, err, tc.sentinel)
		})
	}
}
