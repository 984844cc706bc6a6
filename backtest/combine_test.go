package backtest

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// closeBars builds bars from closes on days day(start)...; each open
// equals the previous close (no overnight gaps).
func closeBars(start int, closes ...float64) Bars {
	b := Bars{Time: make([]time.Time, len(closes)), Open: make([]float64, len(closes)), Close: closes}
	for i := range closes {
		b.Time[i] = day(start + i)
		b.Open[i] = closes[max(i-1, 0)]
	}
	return b
}

func TestCombine(t *testing.T) {
	// A: days 0..3, always long (decided at day 0, filled at the open of
	// day 1 = previous close, so it earns close-to-close returns); 10 bp.
	a, err := Run(closeBars(0, 100, 110, 99, 99), []float64{1, 1, 1, 1}, Config{CostBps: 10})
	require.NoError(t, err)
	// B: days 1..3 only, long from day 2, same 10 bp cost.
	b, err := Run(closeBars(1, 50, 50, 60), []float64{1, 1, 1}, Config{CostBps: 10})
	require.NoError(t, err)

	p, err := Combine([]*Result{a, b}, Config{})
	require.NoError(t, err)
	require.Equal(t, []time.Time{day(1), day(2), day(3)}, p.Time)
	assert.Equal(t, day(0), p.Start)
	assert.Equal(t, day(3), p.End)

	// Day 1: only A is alive (+10% after a 10 bp entry). Day 2: A -10%,
	// B entry cost -10 bp. Day 3: A 0%, B +20%.
	wantNet := []float64{0.999*1.1 - 1, (-0.10 - 0.001) / 2, (0 + 0.2) / 2}
	wantBench := []float64{0.10, (-0.10 + 0) / 2, (0 + 0.2) / 2}
	eq, beq := 1.0, 1.0
	for i := range wantNet {
		assert.InDelta(t, wantNet[i], p.Net[i], 1e-12, "net %d", i)
		eq *= 1 + wantNet[i]
		beq *= 1 + wantBench[i]
		assert.InDelta(t, eq, p.Equity[i], 1e-12, "equity %d", i)
		assert.InDelta(t, beq, p.Benchmark[i], 1e-12, "benchmark %d", i)
	}
	assert.Equal(t, []float64{1, 1, 1}, p.Position, "gross exposure")
	assert.InDelta(t, eq-1, p.Metrics.TotalReturn, 1e-12)
	assert.InDelta(t, beq-1, p.BenchmarkMetrics.TotalReturn, 1e-12)
	// Turnover: day 1 A enters (1), day 2 B enters (1/2), day 3 none.
	assert.InDelta(t, 1.5*252/3, p.Metrics.Turnover, 1e-12)
	assert.InDelta(t, 3/365.25, p.Metrics.Years, 1e-12)
	assert.Equal(t, 10.0, p.Config.CostBps, "costs recorded from the results")
}

func TestCombineSingle(t *testing.T) {
	r, err := Run(randomBars(60, 9), Positions(make([]float64, 60), PositionRule{Mode: LongFlat, Threshold: -1}), Config{CostBps: 2})
	require.NoError(t, err)
	p, err := Combine([]*Result{r}, Config{})
	require.NoError(t, err)
	assert.Equal(t, r.Net, p.Net)
	assert.InDeltaSlice(t, r.Benchmark, p.Benchmark, 1e-12)
	assert.InDelta(t, r.Metrics.Sharpe, p.Metrics.Sharpe, 1e-12)
	assert.InDelta(t, r.Metrics.Turnover, p.Metrics.Turnover, 1e-12)
}

func TestCombineErrors(t *testing.T) {
	_, err := Combine(nil, Config{})
	assert.ErrorIs(t, err, ErrNoResults)
	_, err = Combine([]*Result{nil}, Config{})
	assert.ErrorIs(t, err, ErrBadConfig)
	r, err := Run(flatBars(3), []float64{0, 0, 0}, Config{})
	require.NoError(t, err)
	_, err = Combine([]*Result{r}, Config{PeriodsPerYear: math.Inf(1)})
	assert.ErrorIs(t, err, ErrBadConfig)
	r2, err := Run(flatBars(3), []float64{0, 0, 0}, Config{CostBps: 1})
	require.NoError(t, err)
	_, err = Combine([]*Result{r, r2}, Config{})
	assert.ErrorIs(t, err, ErrBadConfig, "different costs")
}
