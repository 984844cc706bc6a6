package backtest

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// days returns n consecutive daily dates from 2020-01-01.
func days(n int) []time.Time {
	t := make([]time.Time, n)
	for i := range t {
		t[i] = time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC)
	}
	return t
}

func TestDailyIC(t *testing.T) {
	nan := math.NaN()
	names := []string{"A", "B", "C"}
	scores := Panel{Time: days(3), Names: names, Values: [][]float64{{1, 2, 3}, {1, 2, nan}, {4, 4, 4}}}
	labels := Panel{Time: days(3), Names: names, Values: [][]float64{{1, 3, 2}, {2, 1, 5}, {1, 2, 3}}}
	res, err := DailyIC(scores, labels)
	require.NoError(t, err)

	tests := []struct {
		name      string
		got, want float64
	}{
		// Day 0: dx = -1, 0, 1; dy = -1, 1, 0 -> 1/sqrt(2*2).
		{"ic day 0", res.IC[0], 0.5},
		{"rank ic day 0", res.RankIC[0], 0.5},
		// Day 1: two pairs moving in opposite directions.
		{"ic day 1", res.IC[1], -1},
		{"rank ic day 1", res.RankIC[1], -1},
		{"mean ic", res.Summary.IC, -0.25},
		{"ic std", res.Summary.ICStd, math.Sqrt(1.125)},
		{"icir", res.Summary.ICIR, -0.25 / math.Sqrt(1.125)},
		{"rank icir", res.Summary.RankICIR, -0.25 / math.Sqrt(1.125)},
		{"positive", res.Summary.PositiveIC, 0.5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.InDelta(t, tc.want, tc.got, 1e-12) })
	}
	assert.True(t, math.IsNaN(res.IC[2]), "constant scores give NaN")
	assert.Equal(t, []int{3, 2, 3}, res.Pairs)
	assert.Equal(t, 2, res.Summary.Days)
}

func TestDailyICRankUsesRanks(t *testing.T) {
	// A monotone but non-linear relation: Rank IC 1, IC below 1.
	p := Panel{Time: days(1), Names: []string{"a", "b", "c", "d"}, Values: [][]float64{{1, 2, 3, 4}}}
	l := Panel{Time: days(1), Names: p.Names, Values: [][]float64{{1, 2, 3, 100}}}
	res, err := DailyIC(p, l)
	require.NoError(t, err)
	assert.InDelta(t, 1, res.RankIC[0], 1e-12)
	assert.Less(t, res.IC[0], 0.9)
}

func TestDailyICShapeErrors(t *testing.T) {
	ok := Panel{Time: days(2), Names: []string{"A"}, Values: [][]float64{{1}, {2}}}
	tests := []struct {
		name string
		a, b Panel
		want error
	}{
		{"row count", Panel{Time: days(2), Names: []string{"A"}, Values: [][]float64{{1}}}, ok, ErrPanelShape},
		{"row width", Panel{Time: days(2), Names: []string{"A"}, Values: [][]float64{{1}, {1, 2}}}, ok, ErrPanelShape},
		{"names differ", Panel{Time: days(2), Names: []string{"B"}, Values: [][]float64{{1}, {2}}}, ok, ErrPanelShape},
		{"unsorted", Panel{Time: []time.Time{days(2)[1], days(2)[0]}, Names: []string{"A"}, Values: [][]float64{{1}, {2}}}, ok, ErrUnsorted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DailyIC(tc.a, tc.b)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}

func ExampleDailyIC() {
	names := []string{"AAA", "BBB", "CCC", "DDD"}
	scores := Panel{Time: days(2), Names: names, Values: [][]float64{{0.3, 0.1, 0.2, 0.4}, {0.1, 0.2, 0.3, 0.4}}}
	labels := Panel{Time: days(2), Names: names, Values: [][]float64{{0.02, -0.01, 0.01, 0.00}, {-0.01, 0.00, 0.01, 0.03}}}
	res, _ := DailyIC(scores, labels)
	fmt.Printf("rank IC per day: %.2f\n", res.RankIC)
	fmt.Printf("mean rank IC %.2f, rank ICIR %.2f\n", res.Summary.RankIC, res.Summary.RankICIR)
	// Output:
	// rank IC per day: [0.40 1.00]
	// mean rank IC 0.70, rank ICIR 1.65
}
