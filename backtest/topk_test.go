package backtest

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// topkFixture: four names, all at 10 on day 0. See TestTopKDropoutByHand.
func topkFixture() (Panel, Prices) {
	names := []string{"A", "B", "C", "D"}
	t := days(4)
	scores := Panel{Time: t, Names: names, Values: [][]float64{
		{4, 3, 2, 1},
		{4, 1, 3, 5},
		{5, 1, 0, 4},
		{5, 1, 0, 4},
	}}
	prices := Prices{Time: t, Names: names, Close: [][]float64{
		{10, 10, 10, 10},
		{11, 10, 10, 10},
		{12.1, 9, 10, 10},
		{12.1, 9, 10, 11},
	}}
	return scores, prices
}

// TestTopKDropoutByHand: K 2, NDrop 1, trading at the next close.
//
//	day 1: buy A and B (best of day 0) at 0.5 each; no return yet.
//	day 2: A +10% -> 0.55, B -10% -> 0.45; equity 1. Day 1's scores put D
//	       first: H ∪ C = D, A, B; B is the lowest and is sold; D bought
//	       with 0.45.
//	day 3: D +10% -> 0.495; equity 1.045.
//
// Benchmark: 0.25 in each name from day 0: 1.025, 1.0275, 1.0525.
func TestTopKDropoutByHand(t *testing.T) {
	scores, prices := topkFixture()
	cfg := TopKConfig{K: 2, NDrop: 1, Execution: NextClose}
	res, err := TopKDropout(scores, prices, cfg)
	require.NoError(t, err)

	assertSlice(t, []float64{0, 0, 0.045}, res.Return, 1e-12, "return")
	assertSlice(t, []float64{1, 1, 1.045}, res.Equity, 1e-12, "equity")
	assertSlice(t, []float64{1.025, 1.0275, 1.0525}, res.BenchmarkEquity, 1e-12, "benchmark")
	assertSlice(t, []float64{0.025, 1.0275/1.025 - 1, 1.0525/1.0275 - 1}, res.Benchmark, 1e-12, "benchmark return")
	assertSlice(t, []float64{0.5, 0.45, 0}, res.Turnover, 1e-12, "turnover")
	assert.Equal(t, [][]int{{0, 1}, {3, 0}, {0, 3}}, res.Held)
	assert.InDelta(t, res.ExcessReturn[0]+res.ExcessReturn[1]+res.ExcessReturn[2], res.CumExcess[2], 1e-15)
	assert.InDelta(t, -res.ExcessReturn[0]-res.ExcessReturn[1], res.Excess.MaxDrawdown, 1e-12)
}

func TestTopKDropoutCosts(t *testing.T) {
	scores, prices := topkFixture()
	cfg := TopKConfig{K: 2, NDrop: 1, BuyCostBps: 5, SellCostBps: 15, Execution: NextClose}
	res, err := TopKDropout(scores, prices, cfg)
	require.NoError(t, err)
	// Day 1: 1 spent, 0.9995 held.
	assert.InDelta(t, -0.0005, res.Return[0], 1e-12)
	assert.InDelta(t, 0.0005, res.Cost[0], 1e-12)
	// Day 2: A 0.49975·1.1, B 0.49975·0.9; B sold (15 bp) and D bought
	// with the proceeds (5 bp).
	b := 0.49975 * 0.9
	a := 0.49975 * 1.1
	d := b * (1 - 0.0015) * (1 - 0.0005)
	assert.InDelta(t, (a+d)/0.9995-1, res.Return[1], 1e-12)
	assert.InDelta(t, (b*0.0015+b*(1-0.0015)*0.0005)/0.9995, res.Cost[1], 1e-12)
}

// TestTopKDropoutNoSwapWhenWorse: a held name is kept when every
// candidate scores lower, even with NDrop > 0.
func TestTopKDropoutNoSwapWhenWorse(t *testing.T) {
	names := []string{"A", "B", "C"}
	tm := days(3)
	scores := Panel{Time: tm, Names: names, Values: [][]float64{{3, 2, 1}, {3, 2, 1}, {3, 2, 1}}}
	prices := Prices{Time: tm, Names: names, Close: [][]float64{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}}
	res, err := TopKDropout(scores, prices, TopKConfig{K: 2, NDrop: 1, Execution: NextClose})
	require.NoError(t, err)
	assert.Equal(t, [][]int{{0, 1}, {0, 1}}, res.Held)
	assert.Equal(t, []float64{0.5, 0}, res.Turnover)
}

// TestTopKDropoutMissingPrices: a name without a price cannot be bought,
// and the benchmark holds only names priced on day 0.
func TestTopKDropoutMissingPrices(t *testing.T) {
	nan := math.NaN()
	names := []string{"A", "B", "C"}
	tm := days(3)
	scores := Panel{Time: tm, Names: names, Values: [][]float64{{1, 2, 3}, {1, 2, 3}, {1, 2, 3}}}
	prices := Prices{Time: tm, Names: names, Close: [][]float64{{10, 10, nan}, {10, 10, nan}, {10, 20, 5}}}
	res, err := TopKDropout(scores, prices, TopKConfig{K: 1, NDrop: 1, Execution: NextClose})
	require.NoError(t, err)
	// Day 1: C is best but unpriced, so B is bought.
	assert.Equal(t, []int{1}, res.Held[0])
	assert.InDelta(t, 1.0, res.Return[1], 1e-12)
	// Day 2: C now priced and better: B sold, C bought.
	assert.Equal(t, []int{2}, res.Held[1])
	assert.InDelta(t, 0.5, res.Benchmark[1], 1e-12)
}

// TestTopKDropoutNextOpen: with NextOpen the new holding earns the
// intraday part of the trading day.
func TestTopKDropoutNextOpen(t *testing.T) {
	names := []string{"A", "B"}
	tm := days(2)
	scores := Panel{Time: tm, Names: names, Values: [][]float64{{2, 1}, {2, 1}}}
	prices := Prices{Time: tm, Names: names, Open: [][]float64{{10, 10}, {10, 10}}, Close: [][]float64{{10, 10}, {12, 10}}}
	res, err := TopKDropout(scores, prices, TopKConfig{K: 1, Execution: NextOpen})
	require.NoError(t, err)
	assert.InDelta(t, 0.2, res.Return[0], 1e-12)
}

// TestTopKDropoutNoLookAhead: changing scores and prices after day t
// leaves the results of days up to t unchanged.
func TestTopKDropoutNoLookAhead(t *testing.T) {
	scores, prices := topkFixture()
	cfg := TopKConfig{K: 2, NDrop: 1, Execution: NextClose}
	base, err := TopKDropout(scores, prices, cfg)
	require.NoError(t, err)
	for cut := 1; cut < 3; cut++ {
		s2, p2 := topkFixture()
		for d := cut + 1; d < 4; d++ {
			for i := range s2.Values[d] {
				s2.Values[d][i] = float64(10 - i)
				p2.Close[d][i] *= 1.7
			}
		}
		got, err := TopKDropout(s2, p2, cfg)
		require.NoError(t, err)
		// Entry k describes day k+1.
		assert.Equal(t, base.Return[:cut], got.Return[:cut], "cut %d", cut)
		assert.Equal(t, base.Held[:cut], got.Held[:cut], "cut %d", cut)
	}
}

func TestTopKDropoutErrors(t *testing.T) {
	scores, prices := topkFixture()
	bad := prices
	bad.Close = [][]float64{{10, 10, 10, 10}, {11, -1, 10, 10}, {12.1, 9, 10, 10}, {12.1, 9, 10, 11}}
	tests := []struct {
		name string
		cfg  TopKConfig
		p    Prices
		want error
	}{
		{"k", TopKConfig{K: 0}, prices, ErrBadConfig},
		{"ndrop", TopKConfig{K: 2, NDrop: 3}, prices, ErrBadConfig},
		{"cost", TopKConfig{K: 2, SellCostBps: -1}, prices, ErrBadConfig},
		{"no open", TopKConfig{K: 2, Execution: NextOpen}, prices, ErrPanelShape},
		{"bad price", TopKConfig{K: 2, Execution: NextClose}, bad, ErrBadPrice},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TopKDropout(scores, tc.p, tc.cfg)
			assert.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}

// assertSlice compares float slices within tol.
func assertSlice(t *testing.T, want, got []float64, tol float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		assert.InDelta(t, want[i], got[i], tol, "%s[%d]", what, i)
	}
}
