package backtest

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tol = 1e-12

// day returns UTC midnight of 2020-01-01 plus d days.
func day(d int) time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d) }

// dailyTimes returns n+1 consecutive calendar days starting at day(0).
func dailyTimes(n int) []time.Time {
	ts := make([]time.Time, n+1)
	for i := range ts {
		ts[i] = day(i)
	}
	return ts
}

// assertNaNOr checks a float against want with tolerance, treating NaN
// as equal to NaN.
func assertNaNOr(t *testing.T, want, got float64, tolerance float64, name string) {
	t.Helper()
	if math.IsNaN(want) {
		assert.True(t, math.IsNaN(got), "%s: got %v, want NaN", name, got)
		return
	}
	assert.InDelta(t, want, got, tolerance, "%s", name)
}

func TestComputeMetricsConstantPath(t *testing.T) {
	// 8 returns of +1% from 2020-01-01 to 2024-01-01: 1461 days = exactly
	// 4 calendar years of 365.25 days.
	r := []float64{0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01}
	ts := make([]time.Time, len(r)+1)
	for i := range ts {
		ts[i] = day(i * 1461 / len(r))
	}
	require.Equal(t, day(1461), ts[len(r)])
	m := ComputeMetrics(ts, r, nil, 0)

	assert.Equal(t, 8, m.Bars)
	assert.InDelta(t, 4.0, m.Years, tol)
	assert.InDelta(t, math.Pow(1.01, 8)-1, m.TotalReturn, tol)
	assert.InDelta(t, 0.0201, m.CAGR, tol, "1.01^(8/4) - 1")
	assert.InDelta(t, 0, m.AnnVol, tol)
	assert.True(t, math.IsNaN(m.Sharpe), "zero volatility: Sharpe undefined, got %v", m.Sharpe)
	assert.True(t, math.IsNaN(m.Sortino), "no downside: Sortino undefined, got %v", m.Sortino)
	assert.Equal(t, 0.0, m.MaxDrawdown)
	assert.Equal(t, 0, m.MaxDrawdownBars)
	assert.True(t, math.IsNaN(m.Calmar))
	assert.InDelta(t, 1, m.HitRate, tol)
	assert.InDelta(t, 1, m.Exposure, tol)
	assert.InDelta(t, 252.0/8, m.Turnover, tol, "one entry over 8 bars, annualised")
}

func TestComputeMetricsDrawdown(t *testing.T) {
	tests := []struct {
		name     string
		r        []float64
		wantDD   float64
		wantBars int
		wantTR   float64
	}{
		// equity path 1 -> 2 -> 1 -> 1 -> 2 -> 2.2: peak at bar 1, recovered at bar 4.
		{name: "recovered 50%", r: []float64{1, -0.5, 0, 1, 0.1}, wantDD: 0.5, wantBars: 3, wantTR: 1.2},
		// 1 -> 1.1 -> 0.55 -> 0.66: peak at bar 1, never recovered, end at bar 3.
		{name: "unrecovered 50%", r: []float64{0.1, -0.5, 0.2}, wantDD: 0.5, wantBars: 2, wantTR: -0.34},
		// The start counts as a peak: 1 -> 0.5 -> 1.
		{name: "drawdown from the start", r: []float64{-0.5, 1}, wantDD: 0.5, wantBars: 2, wantTR: 0},
		// A long shallow drawdown does not replace a short deep one:
		// 1 -> 0.4 -> 1 (deep, 2 bars) -> 0.9 ... (shallow, to the end).
		{name: "deepest wins over longest", r: []float64{-0.6, 1.5, -0.1, 0, 0, 0, 0}, wantDD: 0.6, wantBars: 2, wantTR: -0.1},
		{name: "monotone up", r: []float64{0.1, 0.2}, wantDD: 0, wantBars: 0, wantTR: 0.32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := ComputeMetrics(dailyTimes(len(tc.r)), tc.r, nil, 252)
			assert.InDelta(t, tc.wantDD, m.MaxDrawdown, tol)
			assert.Equal(t, tc.wantBars, m.MaxDrawdownBars)
			assert.InDelta(t, tc.wantTR, m.TotalReturn, tol)
			if tc.wantDD > 0 {
				assert.InDelta(t, m.CAGR/tc.wantDD, m.Calmar, tol)
			}
		})
	}
}

func TestComputeMetricsAlternating(t *testing.T) {
	// +2%, -1% twice. mean 0.005; deviations ±0.015, sample variance
	// 4*0.000225/3 = 0.0003; downside deviation sqrt(2*0.0001/4).
	r := []float64{0.02, -0.01, 0.02, -0.01}
	pos := []float64{1, 1, 0, 1}
	sd := math.Sqrt(0.0003)
	dd := math.Sqrt(0.00005)
	ann := math.Sqrt(252)
	m := ComputeMetrics(dailyTimes(4), r, pos, 252)

	assert.InDelta(t, 1.02*0.99*1.02*0.99-1, m.TotalReturn, tol)
	assert.InDelta(t, sd*ann, m.AnnVol, 1e-12)
	assert.InDelta(t, 0.005/sd*ann, m.Sharpe, 1e-9)
	assert.InDelta(t, 4.58257569495584, m.Sharpe, 1e-9, "hand value")
	assert.InDelta(t, 0.005/dd*ann, m.Sortino, 1e-9)
	assert.InDelta(t, 11.2249721603218, m.Sortino, 1e-9, "hand value")
	assert.InDelta(t, 1.0/3, m.HitRate, tol, "in market on bars 0,1,3; only bar 0 positive")
	assert.InDelta(t, 3*252.0/4, m.Turnover, tol, "entries/exits: 0->1, 1->0, 0->1")
	assert.InDelta(t, 0.75, m.Exposure, tol)
	assert.InDelta(t, 0.01, m.MaxDrawdown, 1e-12)
	assert.InDelta(t, 4/365.25, m.Years, tol)

	t.Run("risk-free rate", func(t *testing.T) {
		cfg := Config{PeriodsPerYear: 252, RiskFree: 0.0252} // 1 bp per bar
		ts := dailyTimes(4)
		m := computeMetrics(ts[0], ts[1:], r, pos, cfg)
		assert.InDelta(t, (0.005-0.0001)/sd*ann, m.Sharpe, 1e-9)
		ddRF := math.Sqrt((0.0101*0.0101 + 0.0101*0.0101) / 4)
		assert.InDelta(t, (0.005-0.0001)/ddRF*ann, m.Sortino, 1e-9)
	})
}

func TestComputeMetricsEdgeCases(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		m := ComputeMetrics([]time.Time{day(0)}, nil, nil, 0)
		assert.Equal(t, 0, m.Bars)
		assert.Equal(t, 0.0, m.TotalReturn)
		assert.True(t, math.IsNaN(m.CAGR))
		assert.True(t, math.IsNaN(m.Sharpe))
	})
	t.Run("never in the market", func(t *testing.T) {
		m := ComputeMetrics(dailyTimes(3), []float64{0, 0, 0}, []float64{0, 0, 0}, 0)
		assert.True(t, math.IsNaN(m.HitRate))
		assert.Equal(t, 0.0, m.Turnover)
		assert.Equal(t, 0.0, m.Exposure)
	})
	t.Run("wiped out", func(t *testing.T) {
		m := ComputeMetrics(dailyTimes(2), []float64{-1, 0.5}, nil, 0)
		assert.Equal(t, -1.0, m.CAGR)
		assert.InDelta(t, 1, m.MaxDrawdown, tol)
	})
	t.Run("length mismatch panics", func(t *testing.T) {
		assert.Panics(t, func() { ComputeMetrics(dailyTimes(2)[1:], []float64{0, 0}, nil, 0) })
		assert.Panics(t, func() { ComputeMetrics(dailyTimes(2), []float64{0, 0}, []float64{1}, 0) })
	})
}

func TestMetricsJSON(t *testing.T) {
	m := ComputeMetrics(dailyTimes(3), []float64{0.01, 0.01, 0.01}, nil, 0)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"sharpe":null`)
	assert.Contains(t, string(b), `"max_drawdown_bars":0`)

	var back Metrics
	require.NoError(t, json.Unmarshal(b, &back))
	assert.True(t, math.IsNaN(back.Sharpe))
	assert.InDelta(t, m.TotalReturn, back.TotalReturn, tol)
	assert.Equal(t, m.Bars, back.Bars)
	assert.InDelta(t, m.Turnover, back.Turnover, tol)
}

func TestYearsBetweenLongSpans(t *testing.T) {
	a := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	b := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	days := float64(b.Unix()-a.Unix()) / 86400
	assert.InDelta(t, days/365.25, yearsBetween(a, b), 1e-9, "spans beyond time.Duration's 292 years")
	assert.InDelta(t, 1.0, yearsBetween(a, a.AddDate(0, 0, 365).Add(6*time.Hour)), 1e-12)
}
