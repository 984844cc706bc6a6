package backtest

import (
	"fmt"
	"math"
	"time"
)

// Execution says when a target decided at the close of bar t is traded.
// The zero value is NextOpen.
type Execution int

const (
	// NextOpen trades at the open of bar t+1. Bar t+1's close-to-close
	// return is split: the overnight part (close t to open t+1) is earned
	// by the old position, the intraday part (open t+1 to close t+1) by
	// the new one.
	NextOpen Execution = iota
	// NextClose trades at the close of bar t+1; the new position earns
	// from bar t+2 onward.
	NextClose
)

// String returns "next_open" or "next_close" (or "execution(N)" for an
// invalid value).
func (e Execution) String() string {
	switch e {
	case NextOpen:
		return "next_open"
	case NextClose:
		return "next_close"
	}
	return fmt.Sprintf("execution(%d)", int(e))
}

// ParseExecution parses "next_open" or "next_close" (as String writes
// them); any other string is an error wrapping ErrBadConfig.
func ParseExecution(s string) (Execution, error) {
	switch s {
	case "next_open":
		return NextOpen, nil
	case "next_close":
		return NextClose, nil
	}
	return 0, configError("execution", fmt.Sprintf("%q", s), `want "next_open" or "next_close"`)
}

// MarshalText implements encoding.TextMarshaler (so JSON shows the name).
func (e Execution) MarshalText() ([]byte, error) {
	if e != NextOpen && e != NextClose {
		return nil, configError("execution", int(e), "unknown value")
	}
	return []byte(e.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseExecution.
func (e *Execution) UnmarshalText(b []byte) error {
	v, err := ParseExecution(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// DefaultPeriodsPerYear is the annualisation factor used when
// Config.PeriodsPerYear is 0: 252 trading days.
const DefaultPeriodsPerYear = 252

// Config holds the simulation settings. The zero value is usable: no
// costs, NextOpen execution, 252 periods per year, zero risk-free rate.
type Config struct {
	// CostBps is the commission per side, in basis points (1 bp = 0.0001)
	// of the traded notional. Must be finite and >= 0.
	CostBps float64 `json:"cost_bps"`
	// SlippageBps is the slippage per side, in basis points of the traded
	// notional, charged like CostBps. Must be finite and >= 0.
	SlippageBps float64 `json:"slippage_bps"`
	// Execution chooses the fill time of a decision; see Execution.
	Execution Execution `json:"execution"`
	// PeriodsPerYear annualises volatility, Sharpe, Sortino and turnover
	// (bars per year); 0 means DefaultPeriodsPerYear. Must be >= 0.
	PeriodsPerYear float64 `json:"periods_per_year"`
	// RiskFree is the annual risk-free rate as a fraction (0.02 = 2%),
	// converted to a per-bar rate by dividing by PeriodsPerYear; used by
	// Sharpe and Sortino only. 0 by default.
	RiskFree float64 `json:"risk_free"`
}

// Validate reports the first invalid field as an error wrapping
// ErrBadConfig, or nil.
func (c Config) Validate() error {
	switch {
	case math.IsNaN(c.CostBps) || math.IsInf(c.CostBps, 0) || c.CostBps < 0:
		return configError("CostBps", c.CostBps, "must be finite and >= 0")
	case math.IsNaN(c.SlippageBps) || math.IsInf(c.SlippageBps, 0) || c.SlippageBps < 0:
		return configError("SlippageBps", c.SlippageBps, "must be finite and >= 0")
	case c.Execution != NextOpen && c.Execution != NextClose:
		return configError("Execution", int(c.Execution), "unknown value")
	case math.IsNaN(c.PeriodsPerYear) || math.IsInf(c.PeriodsPerYear, 0) || c.PeriodsPerYear < 0:
		return configError("PeriodsPerYear", c.PeriodsPerYear, "must be finite and >= 0")
	case math.IsNaN(c.RiskFree) || math.IsInf(c.RiskFree, 0):
		return configError("RiskFree", c.RiskFree, "must be finite")
	}
	return nil
}

// withDefaults returns c with PeriodsPerYear filled in.
func (c Config) withDefaults() Config {
	if c.PeriodsPerYear == 0 {
		c.PeriodsPerYear = DefaultPeriodsPerYear
	}
	return c
}

// costRate is the fraction of traded notional lost per side.
func (c Config) costRate() float64 { return (c.CostBps + c.SlippageBps) / 1e4 }

// Bars is the price input of a single-asset simulation: one entry per bar,
// in time order. Open may be nil when Execution is NextClose.
type Bars struct {
	Time        []time.Time
	Open, Close []float64
}

// Len returns the number of bars, len(b.Close).
func (b Bars) Len() int { return len(b.Close) }

// Slice returns the bars [i, j) as a view sharing memory with b (nil
// slices stay nil). It panics if i or j is out of range, like a slice
// expression.
func (b Bars) Slice(i, j int) Bars {
	out := Bars{Close: b.Close[i:j]}
	if b.Time != nil {
		out.Time = b.Time[i:j]
	}
	if b.Open != nil {
		out.Open = b.Open[i:j]
	}
	return out
}

// Span returns the half-open range [from, to) from the first to the last
// finite value of scores, and ok=false (with 0, 0) when there is none.
// Use it to cut a walk-forward score series to its out-of-sample part
// before calling Run, so that the simulated period, the benchmark and the
// metrics cover the out-of-sample bars only:
//
//	from, to, ok := backtest.Span(scores)
//	res, err := backtest.Run(bars.Slice(from, to), backtest.Positions(scores[from:to], rule), cfg)
func Span(scores []float64) (from, to int, ok bool) {
	from = -1
	for i, v := range scores {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			if from < 0 {
				from = i
			}
			to = i + 1
		}
	}
	if from < 0 {
		return 0, 0, false
	}
	return from, to, true
}

// Result is the outcome of a simulation. The per-bar slices (Time,
// Position, Gross, Cost, Net, Equity, Benchmark) all have length Bars-1
// of the input: entry i describes input bar i+1, the bar whose
// close-to-close return is the i-th of the simulated period. The input's
// first bar only provides the starting close, at which Equity and
// Benchmark are 1 (that point, at time Start, is not stored in the
// slices).
type Result struct {
	// Time[i] is the date of the bar whose return is entry i.
	Time []time.Time
	// Position[i] is the position (fraction of equity; negative = short)
	// held during bar i after its trade: the target decided at the close
	// of input bar i-1 (NextOpen, held from the open of bar i) or of bar
	// i-2 (NextClose, held from the close of bar i-1). With NextOpen the
	// overnight part of bar i is earned by Position[i-1].
	Position []float64
	// Gross[i] is the bar's return before costs, as a fraction of the
	// equity at the previous close.
	Gross []float64
	// Cost[i] = Gross[i] - Net[i]: the return lost to commission and
	// slippage in bar i, equal to (CostBps+SlippageBps)/1e4 *
	// |Position[i] - Position[i-1]| * (1 + Gross[i]) (Position[-1] = 0),
	// i.e. exactly the basis-point charge when the price does not move.
	Cost []float64
	// Net[i] is the bar's return after costs, never below -1: on a bar
	// that would take equity to 0 or below, Net is -1 (so Cost is then
	// not Gross - Net) and every later bar is flat with zero returns.
	Net []float64
	// Equity[i] is the value of 1 invested at Start, at the close of bar i.
	Equity []float64
	// Benchmark[i] is buy-and-hold equity: close of bar i divided by the
	// close at Start; no costs.
	Benchmark []float64

	// Metrics summarise Net and Position; BenchmarkMetrics summarise the
	// buy-and-hold returns (position 1 throughout).
	Metrics, BenchmarkMetrics Metrics
	// Start is the time of the close at which equity is 1 (the bar before
	// the first return); End is the time of the last bar.
	Start, End time.Time
	// Config is the configuration used, with defaults filled in.
	Config Config
}

// Len returns the number of simulated bars (returns), len(r.Net).
func (r *Result) Len() int { return len(r.Net) }

// Run simulates one asset trading the target positions.
//
// target[t] is the position (fraction of equity, normally in [-1, 1];
// values beyond mean leverage) decided with information up to the close of
// bar t. It takes effect at bar t+1: at its open (NextOpen) or its close
// (NextClose); see Execution. A NaN target means "no decision" and is
// treated as flat (0). Between trades the position is a constant fraction
// of equity (rebalancing for price drift is free). The last target
// (NextOpen) or last two targets (NextClose) are never traded, since the
// data end before they would earn anything.
//
// Every change of position, including the first entry from flat, costs
// (CostBps+SlippageBps)/1e4 times |change| of the equity at the moment of
// the trade. Equity starts at 1 at the close of the first bar; the
// simulated period is bars 1..n-1 (see Result). The benchmark holds the
// asset from that same close, so both cover exactly the same bars. An
// account whose equity reaches 0 (possible with leverage or shorts) is
// ruined: equity stays 0 and no further trades happen.
//
// Run panics if len(target), len(bars.Time) or a non-nil bars.Open differ
// from len(bars.Close). It returns an error for an invalid cfg
// (ErrBadConfig), fewer than 2 bars (ErrTooFewBars), a nil Open with
// NextOpen (ErrBadConfig), and a *BarError for a bad price, unsorted times
// or an infinite target.
func Run(bars Bars, target []float64, cfg Config) (*Result, error) {
	n := bars.Len()
	if len(target) != n || len(bars.Time) != n || (bars.Open != nil && len(bars.Open) != n) {
		panic(fmt.Sprintf("backtest: Run: length mismatch: close %d, time %d, open %d, target %d",
			n, len(bars.Time), len(bars.Open), len(target)))
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if n < 2 {
		return nil, fmt.Errorf("backtest: run: %d bars, need at least 2: %w", n, ErrTooFewBars)
	}
	if cfg.Execution == NextOpen && bars.Open == nil {
		return nil, configError("Execution", cfg.Execution, "needs open prices (Bars.Open is nil)")
	}
	if err := checkBars(bars, target, cfg.Execution == NextOpen); err != nil {
		return nil, err
	}

	m := n - 1
	res := &Result{
		Time:      append([]time.Time(nil), bars.Time[1:]...),
		Position:  make([]float64, m),
		Gross:     make([]float64, m),
		Cost:      make([]float64, m),
		Net:       make([]float64, m),
		Equity:    make([]float64, m),
		Benchmark: make([]float64, m),
		Start:     bars.Time[0],
		End:       bars.Time[n-1],
		Config:    cfg,
	}
	// pos(t) is the target decided at the close of input bar t, NaN -> flat;
	// before the first bar nothing is held.
	pos := func(t int) float64 {
		if t < 0 || math.IsNaN(target[t]) {
			return 0
		}
		return target[t]
	}
	lag := 1 // NextOpen: bar t holds the decision of bar t-1
	if cfg.Execution == NextClose {
		lag = 2
	}
	k := cfg.costRate()
	eq := 1.0
	ruined := false
	for t := 1; t < n; t++ {
		i := t - 1
		pOld, pNew := pos(t-lag-1), pos(t-lag)
		trade := 1 - k*math.Abs(pNew-pOld)
		var gross, net float64
		if cfg.Execution == NextOpen {
			over := 1 + pOld*(bars.Open[t]/bars.Close[t-1]-1)
			intra := 1 + pNew*(bars.Close[t]/bars.Open[t]-1)
			gross = over*intra - 1
			net = over*trade*intra - 1
		} else {
			// The trade happened at the close of bar t-1, i.e. at the
			// start of this bar's interval.
			r := 1 + pNew*(bars.Close[t]/bars.Close[t-1]-1)
			gross = r - 1
			net = trade*r - 1
		}
		cost := gross - net
		if ruined {
			pNew, gross, net, cost = 0, 0, 0, 0
		} else if net <= -1 {
			// The account is wiped out: equity cannot go below 0.
			net, ruined = -1, true
		}
		eq *= 1 + net
		res.Position[i] = pNew
		res.Gross[i] = gross
		res.Net[i] = net
		res.Cost[i] = cost
		res.Equity[i] = eq
		res.Benchmark[i] = bars.Close[t] / bars.Close[0]
	}

	bench := make([]float64, m)
	ones := make([]float64, m)
	prev := 1.0
	for i, b := range res.Benchmark {
		bench[i] = b/prev - 1
		prev = b
		ones[i] = 1
	}
	res.Metrics = computeMetrics(res.Start, res.Time, res.Net, res.Position, cfg)
	res.BenchmarkMetrics = computeMetrics(res.Start, res.Time, bench, ones, cfg)
	return res, nil
}

// checkBars validates prices, times and targets.
func checkBars(b Bars, target []float64, needOpen bool) error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 }
	for t := range b.Close {
		if t > 0 && !b.Time[t].After(b.Time[t-1]) {
			return &BarError{Index: t, Time: b.Time[t], Field: "time", Value: math.NaN(), Err: ErrUnsorted}
		}
		if bad(b.Close[t]) {
			return &BarError{Index: t, Time: b.Time[t], Field: "close", Value: b.Close[t], Err: ErrBadPrice}
		}
		// The first open is never used.
		if needOpen && t > 0 && bad(b.Open[t]) {
			return &BarError{Index: t, Time: b.Time[t], Field: "open", Value: b.Open[t], Err: ErrBadPrice}
		}
		if math.IsInf(target[t], 0) {
			return &BarError{Index: t, Time: b.Time[t], Field: "target", Value: target[t], Err: ErrBadTarget}
		}
	}
	return nil
}
