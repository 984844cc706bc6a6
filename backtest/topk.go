package backtest

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// TopKConfig configures TopKDropout. DefaultTopKConfig gives the values
// the deepfin command uses.
type TopKConfig struct {
	// K is the number of names held (> 0).
	K int `json:"k"`
	// NDrop is the most held names replaced per day (0 <= NDrop <= K).
	NDrop int `json:"n_drop"`
	// BuyCostBps and SellCostBps are the per-side costs, in basis points
	// of the traded notional (finite, >= 0).
	BuyCostBps  float64 `json:"buy_cost_bps"`
	SellCostBps float64 `json:"sell_cost_bps"`
	// Execution: NextClose (the usual choice for a label running from
	// the close of d+1 to the close of d+2) trades a decision made at the
	// close of day d at the close of d+1; NextOpen at the open of d+1.
	Execution Execution `json:"execution"`
	// PeriodsPerYear annualises the figures; 0 means
	// DefaultPeriodsPerYear.
	PeriodsPerYear float64 `json:"periods_per_year"`
}

// DefaultTopKConfig returns K 20, NDrop 4, 5 bp to buy, 15 bp to sell,
// trading at the next close, 252 days a year.
func DefaultTopKConfig() TopKConfig {
	return TopKConfig{K: 20, NDrop: 4, BuyCostBps: 5, SellCostBps: 15, Execution: NextClose}
}

// Validate reports the first invalid field as an error wrapping
// ErrBadConfig, or nil.
func (c TopKConfig) Validate() error {
	switch {
	case c.K < 1:
		return configError("K", c.K, "must be at least 1")
	case c.NDrop < 0 || c.NDrop > c.K:
		return configError("NDrop", c.NDrop, fmt.Sprintf("must lie in [0, K=%d]", c.K))
	case !(c.BuyCostBps >= 0) || math.IsInf(c.BuyCostBps, 0):
		return configError("BuyCostBps", c.BuyCostBps, "must be finite and >= 0")
	case !(c.SellCostBps >= 0) || math.IsInf(c.SellCostBps, 0):
		return configError("SellCostBps", c.SellCostBps, "must be finite and >= 0")
	case c.Execution != NextOpen && c.Execution != NextClose:
		return configError("Execution", int(c.Execution), "unknown execution")
	case !(c.PeriodsPerYear >= 0) || math.IsInf(c.PeriodsPerYear, 0):
		return configError("PeriodsPerYear", c.PeriodsPerYear, "must be finite and >= 0")
	}
	return nil
}

// Prices holds daily open and close prices of a universe on the grid of a
// score Panel: Open[d][i] and Close[d][i] for day Time[d] and instrument
// Names[i]; NaN where the instrument has no bar that day. Open may be nil
// with NextClose execution.
type Prices struct {
	Time        []time.Time
	Names       []string
	Open, Close [][]float64
}

// ExcessMetrics describe the daily excess return e = portfolio −
// benchmark, Qlib-style (arithmetic): AnnReturn = mean(e)·PeriodsPerYear,
// AnnVol = std(e)·√PeriodsPerYear (sample std), InformationRatio =
// AnnReturn/AnnVol, MaxDrawdown = the deepest fall of the running sum of
// e below its running peak (0 counts as the first peak), a positive
// fraction.
type ExcessMetrics struct {
	AnnReturn        float64 `json:"ann_return"`
	AnnVol           float64 `json:"ann_vol"`
	InformationRatio float64 `json:"information_ratio"`
	MaxDrawdown      float64 `json:"max_drawdown"`
}

// TopKResult is the outcome of TopKDropout. Per-day slices have one entry
// per day of the input after the first: entry i describes day i+1.
type TopKResult struct {
	Time []time.Time
	// Return[i] is the portfolio's net return on the day (after costs),
	// Benchmark[i] the benchmark's, ExcessReturn[i] their difference.
	Return, Benchmark, ExcessReturn []float64
	// Cost[i] is the cost paid that day as a fraction of the previous
	// close's equity; Turnover[i] is (bought + sold notional) / 2 over
	// that equity.
	Cost, Turnover []float64
	// Equity and BenchmarkEquity compound Return and Benchmark from 1 at
	// Start; CumExcess is the running sum of Excess.
	Equity, BenchmarkEquity, CumExcess []float64
	// Held[i] lists the indices (into Names) of the names held after the
	// day's trade, in decreasing order of the score that chose them.
	Held [][]int
	// Metrics summarise Return (Turnover there is the annualised sum of
	// the daily Turnover, Exposure the mean invested fraction of equity);
	// BenchmarkMetrics summarise Benchmark; Excess summarises
	// ExcessReturn.
	Metrics, BenchmarkMetrics Metrics
	Excess                    ExcessMetrics
	// Start is the first day (equity 1 at its close).
	Start  time.Time
	Config TopKConfig
}

// TopKDropout simulates Qlib's top-k-with-dropout portfolio on daily
// cross-sectional scores. Scores of day d (made at its close) trade at
// day d+1 (see TopKConfig.Execution). On each trading day, with H the
// names held and C the best-scored K-|H|+NDrop names not held that have
// a price to trade at:
//
//   - the held names that fall among the NDrop lowest-scored of H ∪ C
//     are sold (so a held name is only replaced by a better-scored one;
//     a missing score ranks lowest);
//   - the best-scored names of C are bought until K are held again, each
//     with an equal share of the cash.
//
// Bought names are not rebalanced later: weights drift with prices.
// Costs are taken out of the traded notional: selling value v adds
// v·(1−SellCostBps/1e4) to cash; spending a on a purchase holds
// a·(1−BuyCostBps/1e4). Cash earns nothing. A name without a price on a
// day cannot be traded that day and keeps its last value; a held name
// whose price is missing is carried at its last price.
//
// The benchmark is an equal-weight buy-and-hold of the names priced at
// the first day's close (1/N of 1 each, no costs, never rebalanced);
// names that list later are not in it.
//
// The panels must share days and names (ErrPanelShape otherwise); an
// invalid cfg gives ErrBadConfig; fewer than two days ErrTooFewBars; a
// non-positive price ErrBadPrice (a *BarError naming the day and name).
func TopKDropout(scores Panel, prices Prices, cfg TopKConfig) (*TopKResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.PeriodsPerYear == 0 {
		cfg.PeriodsPerYear = DefaultPeriodsPerYear
	}
	if err := scores.check("scores"); err != nil {
		return nil, err
	}
	closeP := Panel{Time: prices.Time, Names: prices.Names, Values: prices.Close}
	if err := closeP.check("close"); err != nil {
		return nil, err
	}
	if err := sameGrid(scores, closeP, "TopKDropout"); err != nil {
		return nil, err
	}
	if cfg.Execution == NextOpen {
		openP := Panel{Time: prices.Time, Names: prices.Names, Values: prices.Open}
		if err := openP.check("open"); err != nil {
			return nil, err
		}
	}
	nd, nn := scores.Days(), len(scores.Names)
	if nd < 2 {
		return nil, fmt.Errorf("backtest: TopKDropout: %d days: %w", nd, ErrTooFewBars)
	}
	if err := checkPrices(prices, cfg.Execution == NextOpen); err != nil {
		return nil, err
	}

	buyC, sellC := cfg.BuyCostBps/1e4, cfg.SellCostBps/1e4
	value := make([]float64, nn) // value of each holding, in units of starting equity
	last := make([]float64, nn)  // last known close (or open, intraday)
	held := make([]bool, nn)
	cash := 1.0
	for i, c := range prices.Close[0] {
		last[i] = c // NaN until the name has a price
	}
	bench := make([]float64, nn)
	nb := 0
	for _, c := range prices.Close[0] {
		if isFinite(c) {
			nb++
		}
	}
	for i, c := range prices.Close[0] {
		if isFinite(c) {
			bench[i] = 1 / float64(nb)
		}
	}
	benchLast := append([]float64(nil), prices.Close[0]...)

	res := &TopKResult{Time: prices.Time[1:], Start: prices.Time[0], Config: cfg}
	m := nd - 1
	res.Return, res.Benchmark, res.ExcessReturn = make([]float64, m), make([]float64, m), make([]float64, m)
	res.Cost, res.Turnover = make([]float64, m), make([]float64, m)
	res.Equity, res.BenchmarkEquity, res.CumExcess = make([]float64, m), make([]float64, m), make([]float64, m)
	res.Held = make([][]int, m)
	exposure := make([]float64, m)

	// grow moves every holding from its last price to p (where p exists).
	grow := func(p []float64) {
		for i := range nn {
			if !isFinite(p[i]) {
				continue
			}
			if held[i] && isFinite(last[i]) {
				value[i] *= p[i] / last[i]
			}
			last[i] = p[i]
		}
	}
	equity := func() float64 {
		e := cash
		for i := range nn {
			if held[i] {
				e += value[i]
			}
		}
		return e
	}
	prevEq, benchEq, cum := 1.0, 1.0, 0.0
	for d := 1; d < nd; d++ {
		var tradeAt []float64
		if cfg.Execution == NextOpen {
			grow(prices.Open[d])
			tradeAt = prices.Open[d]
		} else {
			grow(prices.Close[d])
			tradeAt = prices.Close[d]
		}

		// Trade on the scores of day d-1 at the prices of tradeAt.
		order := rankNames(scores.Values[d-1])
		var sell, cand []int
		nHeld := 0
		for i := range nn {
			if held[i] {
				nHeld++
			}
		}
		want := cfg.K - nHeld + cfg.NDrop
		for _, i := range order {
			if len(cand) == want {
				break
			}
			if !held[i] && isFinite(tradeAt[i]) && isFinite(scores.Values[d-1][i]) {
				cand = append(cand, i)
			}
		}
		// H ∪ C in decreasing score, then its NDrop lowest.
		var comb []int
		isCand := make(map[int]bool, len(cand))
		for _, i := range cand {
			isCand[i] = true
		}
		for _, i := range order {
			if held[i] || isCand[i] {
				comb = append(comb, i)
			}
		}
		for _, i := range comb[max(0, len(comb)-cfg.NDrop):] {
			if held[i] && isFinite(tradeAt[i]) {
				sell = append(sell, i)
			}
		}
		traded, cost := 0.0, 0.0
		for _, i := range sell {
			v := value[i]
			cash += v * (1 - sellC)
			traded += v
			cost += v * sellC
			held[i], value[i] = false, 0
		}
		nBuy := min(len(cand), cfg.K-nHeld+len(sell))
		if nBuy > 0 && cash > 0 {
			a := cash / float64(nBuy)
			for _, i := range cand[:nBuy] {
				held[i], value[i] = true, a*(1-buyC)
				traded += a
				cost += a * buyC
			}
			cash = 0
		}

		if cfg.Execution == NextOpen {
			grow(prices.Close[d])
		}
		eq := equity()
		k := d - 1
		res.Return[k] = eq/prevEq - 1
		res.Cost[k] = cost / prevEq
		res.Turnover[k] = traded / 2 / prevEq
		exposure[k] = (eq - cash) / eq
		for _, i := range order {
			if held[i] {
				res.Held[k] = append(res.Held[k], i)
			}
		}
		prevEq = eq
		res.Equity[k] = eq

		// Benchmark: buy-and-hold from day 0.
		bv := 0.0
		for i := range nn {
			c := prices.Close[d][i]
			if bench[i] > 0 && isFinite(c) {
				bench[i] *= c / benchLast[i]
				benchLast[i] = c
			}
			bv += bench[i]
		}
		res.Benchmark[k] = bv/benchEq - 1
		benchEq = bv
		res.BenchmarkEquity[k] = bv
		res.ExcessReturn[k] = res.Return[k] - res.Benchmark[k]
		cum += res.ExcessReturn[k]
		res.CumExcess[k] = cum
	}

	times := prices.Time
	res.Metrics = ComputeMetrics(times, res.Return, exposure, cfg.PeriodsPerYear)
	turn := 0.0
	for _, v := range res.Turnover {
		turn += v
	}
	res.Metrics.Turnover = turn * cfg.PeriodsPerYear / float64(m)
	res.BenchmarkMetrics = ComputeMetrics(times, res.Benchmark, nil, cfg.PeriodsPerYear)
	res.BenchmarkMetrics.Turnover = 0
	res.Excess = excessMetrics(res.ExcessReturn, cfg.PeriodsPerYear)
	return res, nil
}

// rankNames returns the indices of s in decreasing score order; NaN
// scores come last; ties keep index order.
func rankNames(s []float64) []int {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := s[idx[a]], s[idx[b]]
		if !isFinite(y) {
			return isFinite(x)
		}
		return isFinite(x) && x > y
	})
	return idx
}

// excessMetrics summarises daily excess returns (see ExcessMetrics).
func excessMetrics(e []float64, ppy float64) ExcessMetrics {
	mean, sd, _ := meanStd(e)
	x := ExcessMetrics{AnnReturn: mean * ppy, AnnVol: sd * math.Sqrt(ppy)}
	x.InformationRatio = ratio(x.AnnReturn, x.AnnVol)
	cum, peak := 0.0, 0.0
	for _, v := range e {
		cum += v
		peak = math.Max(peak, cum)
		x.MaxDrawdown = math.Max(x.MaxDrawdown, peak-cum)
	}
	return x
}

// checkPrices rejects prices that are present but not positive.
func checkPrices(p Prices, open bool) error {
	check := func(field string, rows [][]float64) error {
		for d, row := range rows {
			for i, v := range row {
				if !math.IsNaN(v) && !(v > 0 && !math.IsInf(v, 0)) {
					return &BarError{Index: d, Time: p.Time[d], Field: field + " " + p.Names[i], Value: v, Err: ErrBadPrice}
				}
			}
		}
		return nil
	}
	if err := check("close", p.Close); err != nil {
		return err
	}
	if open {
		return check("open", p.Open)
	}
	return nil
}
