package backtest

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Combine builds an equal-weight portfolio of single-asset results.
//
// The portfolio's bars are the union of the results' Time values. On each
// such date the assets alive are those with a bar on that date (an asset
// joins at its first simulated bar and leaves after its last); the
// portfolio is rebalanced every bar, free of charge, to equal weights
// among them, so its Gross, Cost and Net returns are the plain means of
// the alive assets' values. The benchmark is the same equal-weight,
// daily-rebalanced mix of the assets' buy-and-hold returns.
//
// For the portfolio, Position[i] is the gross exposure: the mean of |asset
// position| over the alive assets, so Exposure and HitRate read as "any
// market exposure". Turnover is the mean over alive assets of each
// asset's |Δposition| (its own previous bar), annualised; the trading
// needed to restore equal weights is not counted.
//
// Start is the earliest Start, End the latest End. cfg supplies
// PeriodsPerYear and RiskFree for the metrics; its CostBps, SlippageBps
// and Execution are not used (costs are already in each result): the
// portfolio's Config records the results' own values, which must agree.
// Combine returns an error wrapping ErrNoResults for an empty slice, and
// ErrBadConfig for a nil result, an invalid cfg or results simulated with
// different costs or execution. A single result gives a portfolio with
// the same returns. The inputs are not modified.
func Combine(results []*Result, cfg Config) (*Result, error) {
	if len(results) == 0 {
		return nil, fmt.Errorf("backtest: combine: %w", ErrNoResults)
	}
	for i, r := range results {
		if r == nil {
			return nil, configError(fmt.Sprintf("results[%d]", i), "nil", "result is nil")
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	first := results[0].Config
	for i, r := range results {
		c := r.Config
		if c.CostBps != first.CostBps || c.SlippageBps != first.SlippageBps || c.Execution != first.Execution {
			return nil, configError(fmt.Sprintf("results[%d].Config", i),
				fmt.Sprintf("{cost %g bp, slippage %g bp, %v}", c.CostBps, c.SlippageBps, c.Execution),
				fmt.Sprintf("differs from results[0] {cost %g bp, slippage %g bp, %v}", first.CostBps, first.SlippageBps, first.Execution))
		}
	}
	cfg.CostBps, cfg.SlippageBps, cfg.Execution = first.CostBps, first.SlippageBps, first.Execution

	var dates []time.Time
	start, end := results[0].Start, results[0].End
	for _, r := range results {
		dates = append(dates, r.Time...)
		if r.Start.Before(start) {
			start = r.Start
		}
		if r.End.After(end) {
			end = r.End
		}
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	dates = slices.CompactFunc(dates, func(a, b time.Time) bool { return a.Equal(b) })

	m := len(dates)
	out := &Result{
		Time:      dates,
		Position:  make([]float64, m),
		Gross:     make([]float64, m),
		Cost:      make([]float64, m),
		Net:       make([]float64, m),
		Equity:    make([]float64, m),
		Benchmark: make([]float64, m),
		Start:     start,
		End:       end,
		Config:    cfg,
	}
	bench := make([]float64, m)
	next := make([]int, len(results)) // per asset: index of its next unused bar
	eq, beq, turn := 1.0, 1.0, 0.0
	for i, d := range dates {
		var alive int
		var gross, cost, net, expo, br, dpos float64
		for a, r := range results {
			j := next[a]
			if j >= len(r.Time) || !r.Time[j].Equal(d) {
				continue
			}
			next[a]++
			alive++
			gross += r.Gross[j]
			cost += r.Cost[j]
			net += r.Net[j]
			expo += math.Abs(r.Position[j])
			prevB, prevP := 1.0, 0.0
			if j > 0 {
				prevB, prevP = r.Benchmark[j-1], r.Position[j-1]
			}
			br += r.Benchmark[j]/prevB - 1
			dpos += math.Abs(r.Position[j] - prevP)
		}
		k := float64(alive) // >= 1: d comes from some asset's Time
		out.Gross[i], out.Cost[i], out.Net[i] = gross/k, cost/k, net/k
		out.Position[i] = expo / k
		bench[i] = br / k
		turn += dpos / k
		eq *= 1 + out.Net[i]
		beq *= 1 + bench[i]
		out.Equity[i], out.Benchmark[i] = eq, beq
	}

	ones := make([]float64, m)
	for i := range ones {
		ones[i] = 1
	}
	out.Metrics = computeMetrics(start, dates, out.Net, out.Position, cfg)
	out.Metrics.Turnover = turn * cfg.PeriodsPerYear / float64(m)
	out.BenchmarkMetrics = computeMetrics(start, dates, bench, ones, cfg)
	return out, nil
}
