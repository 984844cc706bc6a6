package backtest

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flatBars returns n bars whose open and close are all 100.
func flatBars(n int) Bars {
	b := Bars{Time: make([]time.Time, n), Open: make([]float64, n), Close: make([]float64, n)}
	for i := range n {
		b.Time[i] = day(i)
		b.Open[i], b.Close[i] = 100, 100
	}
	return b
}

// randomBars returns a seeded random walk with overnight gaps.
func randomBars(n int, seed uint64) Bars {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := Bars{Time: make([]time.Time, n), Open: make([]float64, n), Close: make([]float64, n)}
	c := 100.0
	for i := range n {
		b.Time[i] = day(i)
		b.Open[i] = c * (1 + 0.005*rng.NormFloat64())
		c = b.Open[i] * (1 + 0.01*rng.NormFloat64())
		b.Close[i] = c
	}
	return b
}

func TestRunCostsToTheBasisPoint(t *testing.T) {
	target := []float64{1, 1, 0, -1, math.NaN()}
	tests := []struct {
		name     string
		exec     Execution
		wantPos  []float64
		wantCost []float64 // in basis points
	}{
		// NextOpen: bar t holds target[t-1]; changes 0->1, 1->1, 1->0, 0->-1.
		{name: "next open", exec: NextOpen, wantPos: []float64{1, 1, 0, -1}, wantCost: []float64{7, 0, 7, 7}},
		// NextClose: bar t holds target[t-2].
		{name: "next close", exec: NextClose, wantPos: []float64{0, 1, 1, 0}, wantCost: []float64{0, 7, 0, 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(flatBars(5), target, Config{CostBps: 5, SlippageBps: 2, Execution: tc.exec})
			require.NoError(t, err)
			require.Equal(t, 4, res.Len())
			assert.Equal(t, tc.wantPos, res.Position)
			eq := 1.0
			for i := range tc.wantCost {
				assert.InDelta(t, tc.wantCost[i]*1e-4, res.Cost[i], 1e-15, "cost bar %d", i)
				assert.InDelta(t, 0, res.Gross[i], 1e-15, "gross bar %d", i)
				assert.InDelta(t, -tc.wantCost[i]*1e-4, res.Net[i], 1e-15, "net bar %d", i)
				eq *= 1 - tc.wantCost[i]*1e-4
				assert.InDelta(t, eq, res.Equity[i], 1e-15, "equity bar %d", i)
				assert.Equal(t, 1.0, res.Benchmark[i])
			}
		})
	}
}

func TestRunCostWithPriceMove(t *testing.T) {
	// Enter long at the open of bar 1 (100), close at 110; 10 bp per side.
	b := Bars{
		Time:  []time.Time{day(0), day(1)},
		Open:  []float64{100, 100},
		Close: []float64{100, 110},
	}
	res, err := Run(b, []float64{1, 1}, Config{CostBps: 10})
	require.NoError(t, err)
	assert.InDelta(t, 0.1, res.Gross[0], 1e-15)
	assert.InDelta(t, 0.999*1.1-1, res.Net[0], 1e-15, "cost charged at the open, before the move")
	assert.InDelta(t, 0.001*1.1, res.Cost[0], 1e-15, "Cost = k|Δp|(1+Gross)")
	assert.InDelta(t, 0.1, res.BenchmarkMetrics.TotalReturn, 1e-15)
}

func TestRunOvernightSplit(t *testing.T) {
	// close0 100 -> open1 102 (overnight +2%) -> close1 102*1.05.
	// The decision at bar 0 (long) is filled at the open of bar 1, so it
	// earns only the intraday +5%; the overnight +2% belongs to the flat
	// position before it. Then target[1] = 0 exits at the open of bar 2
	// after earning bar 2's overnight gap.
	b := Bars{
		Time:  []time.Time{day(0), day(1), day(2)},
		Open:  []float64{100, 102, 102 * 1.05 * 0.97},
		Close: []float64{100, 102 * 1.05, 50},
	}
	res, err := Run(b, []float64{1, 0, 0}, Config{})
	require.NoError(t, err)
	assert.InDelta(t, 0.05, res.Net[0], 1e-12)
	assert.InDelta(t, -0.03, res.Net[1], 1e-12, "overnight of bar 2 earned by the old long position")
	assert.InDelta(t, 1.05*0.97, res.Equity[1], 1e-12)
	assert.InDelta(t, 0.5, res.Benchmark[1], 1e-12)
}

func TestRunSignalNeverEarnsItsOwnBar(t *testing.T) {
	// Bar 5 doubles intraday; the only long decision is made at its close.
	b := flatBars(10)
	b.Close[5] = 200
	for i := 6; i < 10; i++ {
		b.Open[i], b.Close[i] = 200, 200
	}
	target := make([]float64, 10)
	target[5] = 1
	for _, exec := range []Execution{NextOpen, NextClose} {
		t.Run(exec.String(), func(t *testing.T) {
			res, err := Run(b, target, Config{Execution: exec})
			require.NoError(t, err)
			assert.InDelta(t, 0, res.Metrics.TotalReturn, 1e-15, "the jump of bar 5 must not be earned")
			assert.InDelta(t, 1, res.BenchmarkMetrics.TotalReturn, 1e-15)
		})
	}
}

func TestRunPerfectForesight(t *testing.T) {
	n := 300
	b := randomBars(n, 7)
	// No overnight gaps so that the intraday part is the whole return.
	for i := 1; i < n; i++ {
		b.Open[i] = b.Close[i-1]
	}
	sign := func(x float64) float64 {
		if x > 0 {
			return 1
		}
		return -1
	}
	ret := func(t int) float64 { return b.Close[t]/b.Close[t-1] - 1 }

	t.Run("knowing bar t+1 earns |r| under next open", func(t *testing.T) {
		target := make([]float64, n)
		for i := 0; i < n-1; i++ {
			target[i] = sign(ret(i + 1))
		}
		res, err := Run(b, target, Config{})
		require.NoError(t, err)
		want := 1.0
		for i := 1; i < n; i++ {
			want *= 1 + math.Abs(ret(i))
		}
		assert.InDelta(t, want-1, res.Metrics.TotalReturn, 1e-9)
		assert.InDelta(t, 1, res.Metrics.HitRate, 1e-15)
	})
	t.Run("knowing bar t+2 earns |r| under next close", func(t *testing.T) {
		target := make([]float64, n)
		for i := 0; i < n-2; i++ {
			target[i] = sign(ret(i + 2))
		}
		res, err := Run(b, target, Config{Execution: NextClose})
		require.NoError(t, err)
		want := 1.0
		for i := 2; i < n; i++ {
			want *= 1 + math.Abs(ret(i))
		}
		assert.InDelta(t, want-1, res.Metrics.TotalReturn, 1e-9)
	})
	t.Run("the same foresight one bar late is not perfect", func(t *testing.T) {
		// target[t] = sign(r[t]) only knows the bar it was computed on.
		target := make([]float64, n)
		for i := 1; i < n; i++ {
			target[i] = sign(ret(i))
		}
		res, err := Run(b, target, Config{})
		require.NoError(t, err)
		assert.Less(t, res.Metrics.HitRate, 0.7, "hit rate %v looks like look-ahead", res.Metrics.HitRate)
	})
}

func TestRunNoLookAhead(t *testing.T) {
	n := 200
	base := randomBars(n, 11)
	rng := rand.New(rand.NewPCG(3, 4))
	target := make([]float64, n)
	for i := range target {
		target[i] = float64(rng.IntN(3) - 1)
	}
	for _, exec := range []Execution{NextOpen, NextClose} {
		for _, cut := range []int{1, 50, 150, n - 2} {
			// Perturb every price and target after bar cut.
			p := randomBars(n, 11)
			tg := append([]float64(nil), target...)
			for i := cut + 1; i < n; i++ {
				p.Open[i] *= 1.3
				p.Close[i] *= 0.6
				tg[i] = -tg[i]
			}
			cfg := Config{Execution: exec, CostBps: 3, SlippageBps: 1}
			a, err := Run(base, target, cfg)
			require.NoError(t, err)
			c, err := Run(p, tg, cfg)
			require.NoError(t, err)
			// Entry i is bar i+1: bars 1..cut are entries 0..cut-1.
			assert.Equal(t, a.Equity[:cut], c.Equity[:cut], "%v cut %d", exec, cut)
			assert.Equal(t, a.Benchmark[:cut], c.Benchmark[:cut], "%v cut %d", exec, cut)
			assert.NotEqual(t, a.Benchmark[cut:], c.Benchmark[cut:], "perturbation must show after the cut")
		}
	}
}

func TestRunBenchmarkAndMetrics(t *testing.T) {
	b := randomBars(50, 5)
	res, err := Run(b, Positions(make([]float64, 50), PositionRule{Threshold: -1}), Config{})
	require.NoError(t, err)
	assert.Equal(t, b.Time[0], res.Start)
	assert.Equal(t, b.Time[49], res.End)
	assert.Equal(t, b.Time[1:], res.Time)
	assert.InDelta(t, b.Close[49]/b.Close[0]-1, res.BenchmarkMetrics.TotalReturn, 1e-12)
	assert.InDelta(t, b.Close[49]/b.Close[0], res.Benchmark[48], 1e-12)
	assert.Equal(t, 252.0, res.Config.PeriodsPerYear, "defaults recorded")
	assert.InDelta(t, 49/365.25, res.Metrics.Years, 1e-12)
}

func TestRunErrors(t *testing.T) {
	good := func() Bars { return flatBars(4) }
	tests := []struct {
		name    string
		bars    func() Bars
		target  []float64
		cfg     Config
		wantErr error
		wantBar int // -1: not a *BarError
	}{
		{name: "zero close", bars: func() Bars { b := good(); b.Close[2] = 0; return b }, wantErr: ErrBadPrice, wantBar: 2},
		{name: "NaN open", bars: func() Bars { b := good(); b.Open[3] = math.NaN(); return b }, wantErr: ErrBadPrice, wantBar: 3},
		{name: "unsorted", bars: func() Bars { b := good(); b.Time[2] = b.Time[1]; return b }, wantErr: ErrUnsorted, wantBar: 2},
		{name: "infinite target", bars: good, target: []float64{0, math.Inf(1), 0, 0}, wantErr: ErrBadTarget, wantBar: 1},
		{name: "one bar", bars: func() Bars { return good().Slice(0, 1) }, target: []float64{0}, wantErr: ErrTooFewBars, wantBar: -1},
		{name: "no open with next open", bars: func() Bars { b := good(); b.Open = nil; return b }, wantErr: ErrBadConfig, wantBar: -1},
		{name: "negative cost", bars: good, cfg: Config{CostBps: -1}, wantErr: ErrBadConfig, wantBar: -1},
		{name: "unknown execution", bars: good, cfg: Config{Execution: 7}, wantErr: ErrBadConfig, wantBar: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.bars()
			target := tc.target
			if target == nil {
				target = make([]float64, b.Len())
			}
			_, err := Run(b, target, tc.cfg)
			require.ErrorIs(t, err, tc.wantErr)
			assert.Regexp(t, `^backtest: `, err.Error())
			var be *BarError
			if tc.wantBar >= 0 {
				require.True(t, errors.As(err, &be), "want *BarError, got %T", err)
				assert.Equal(t, tc.wantBar, be.Index)
			}
		})
	}
	t.Run("open may be nil with next close", func(t *testing.T) {
		b := good()
		b.Open = nil
		_, err := Run(b, make([]float64, 4), Config{Execution: NextClose})
		require.NoError(t, err)
	})
	t.Run("length mismatch panics", func(t *testing.T) {
		assert.Panics(t, func() { _, _ = Run(good(), make([]float64, 3), Config{}) })
	})
	t.Run("error message", func(t *testing.T) {
		b := good()
		b.Close[2] = -5
		_, err := Run(b, make([]float64, 4), Config{})
		assert.EqualError(t, err, "backtest: bar 2 (2020-01-03): close -5: price must be finite and positive")
	})
}

func TestExecutionText(t *testing.T) {
	for _, e := range []Execution{NextOpen, NextClose} {
		b, err := e.MarshalText()
		require.NoError(t, err)
		var back Execution
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, e, back)
	}
	_, err := ParseExecution("tomorrow")
	assert.ErrorIs(t, err, ErrBadConfig)
}

func TestSpan(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name             string
		in               []float64
		wantFrom, wantTo int
		wantOK           bool
	}{
		{name: "leading and trailing NaN", in: []float64{nan, nan, 1, nan, 2, nan}, wantFrom: 2, wantTo: 5, wantOK: true},
		{name: "all finite", in: []float64{1, 2}, wantFrom: 0, wantTo: 2, wantOK: true},
		{name: "all NaN", in: []float64{nan}, wantOK: false},
		{name: "empty", in: nil, wantOK: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, to, ok := Span(tc.in)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.wantFrom, from)
			assert.Equal(t, tc.wantTo, to)
		})
	}
}

func TestRunRuin(t *testing.T) {
	// Short 1 into a +150% bar: equity would go to -0.5; it stops at 0.
	b := closeBars(0, 100, 100, 250, 100, 300)
	res, err := Run(b, []float64{-1, -1, -1, 1, 1}, Config{})
	require.NoError(t, err)
	assert.Equal(t, []float64{0, -1, 0, 0}, res.Net)
	assert.Equal(t, []float64{1, 0, 0, 0}, res.Equity)
	assert.Equal(t, []float64{-1, -1, 0, 0}, res.Position)
	assert.Equal(t, -1.0, res.Metrics.TotalReturn)
	assert.Equal(t, -1.0, res.Metrics.CAGR)
}
