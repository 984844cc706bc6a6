package backtest

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Metrics summarise a return series. Returns and drawdowns are fractions
// (0.05 = 5%). A figure that is undefined for the input (for example a
// Sharpe ratio of a series with zero volatility) is NaN; JSON encodes NaN
// and ±Inf as null.
//
// Conventions (stated again in every report):
//   - Equity starts at 1 at Start, the close before the first return, and
//     compounds the per-bar returns.
//   - Years = (End - Start) / 365.25 days, End being the time of the last
//     return. CAGR = (1+TotalReturn)^(1/Years) - 1 (-1 when equity ends at
//     or below 0; NaN when Years <= 0).
//   - AnnVol = sample standard deviation (n-1) of the per-bar returns times
//     sqrt(PeriodsPerYear).
//   - Sharpe = mean(r - rf) / std(r) * sqrt(PeriodsPerYear), rf being the
//     per-bar risk-free rate RiskFree/PeriodsPerYear.
//   - Sortino = mean(r - rf) / DD * sqrt(PeriodsPerYear), with the downside
//     deviation DD = sqrt(sum(min(r - rf, 0)^2) / n) over all n bars (bars
//     above the target count as 0); the target is rf, i.e. 0 by default.
//   - MaxDrawdown = max over bars of 1 - equity/running peak (the start at
//     1 counts as a peak), a positive fraction. MaxDrawdownBars counts the
//     bars from the peak before the deepest trough to the first bar at or
//     above that peak again, or to the last bar if equity never recovers;
//     the first such drawdown wins ties. 0 when there is no drawdown.
//   - Calmar = CAGR / MaxDrawdown.
//   - HitRate = among bars in the market (position != 0), the fraction
//     with a strictly positive return.
//   - Turnover = sum of |position[i] - position[i-1]| (position before the
//     first bar = 0, so the first entry counts) times PeriodsPerYear / n:
//     traded notional per year as a multiple of equity, one side.
//   - Exposure = mean |position|.
type Metrics struct {
	TotalReturn     float64 // compounded return over the period, fraction
	CAGR            float64 // compound annual growth rate, calendar years, fraction
	AnnVol          float64 // annualised volatility, fraction
	Sharpe          float64 // annualised
	Sortino         float64 // annualised
	MaxDrawdown     float64 // deepest peak-to-trough fall, positive fraction
	MaxDrawdownBars int     // bars from that peak to recovery (or to the end)
	Calmar          float64 // CAGR / MaxDrawdown
	HitRate         float64 // fraction of in-market bars with a positive return
	Turnover        float64 // annualised sum of |Δposition|
	Exposure        float64 // mean |position|
	Bars            int     // number of returns
	Years           float64 // (End-Start)/365.25 days
}

// ComputeMetrics computes Metrics for a return series with a zero
// risk-free rate.
//
// times has one entry more than returns: times[0] is Start (the close
// before the first return) and times[i+1] the time of returns[i]; only the
// first and last times are used, for Years. positions[i] is the position
// during bar i (see Result.Position); nil means fully invested (1) on
// every bar. periodsPerYear <= 0 means DefaultPeriodsPerYear.
//
// An empty returns slice gives Bars 0, TotalReturn 0, MaxDrawdown 0 and
// NaN for the rest. ComputeMetrics panics if len(times) != len(returns)+1
// or a non-nil positions has a different length than returns.
func ComputeMetrics(times []time.Time, returns, positions []float64, periodsPerYear float64) Metrics {
	if len(times) != len(returns)+1 {
		panic(fmt.Sprintf("backtest: ComputeMetrics: %d times for %d returns, want len(returns)+1 (times[0] = start)",
			len(times), len(returns)))
	}
	if positions != nil && len(positions) != len(returns) {
		panic(fmt.Sprintf("backtest: ComputeMetrics: %d positions for %d returns", len(positions), len(returns)))
	}
	if positions == nil {
		positions = make([]float64, len(returns))
		for i := range positions {
			positions[i] = 1
		}
	}
	if periodsPerYear <= 0 {
		periodsPerYear = DefaultPeriodsPerYear
	}
	return computeMetrics(times[0], times[1:], returns, positions, Config{PeriodsPerYear: periodsPerYear})
}

// computeMetrics is ComputeMetrics with an explicit start, per-bar times
// and the risk-free rate from cfg (whose PeriodsPerYear must be set).
func computeMetrics(start time.Time, times []time.Time, r, pos []float64, cfg Config) Metrics {
	n := len(r)
	nan := math.NaN()
	m := Metrics{
		CAGR: nan, AnnVol: nan, Sharpe: nan, Sortino: nan, Calmar: nan,
		HitRate: nan, Turnover: nan, Exposure: nan, Years: nan,
		Bars: n,
	}
	if n == 0 {
		return m
	}
	ppy := cfg.PeriodsPerYear
	rf := cfg.RiskFree / ppy

	// Compounding and drawdown in one pass over the equity path.
	eq, peak := 1.0, 1.0
	peakIdx := 0 // index into the path where index 0 is the start
	ddPeak, ddEnd := 0, 0
	recovering := false
	for i, x := range r {
		eq *= 1 + x
		j := i + 1
		if eq >= peak {
			if recovering {
				ddEnd, recovering = j, false
			}
			peak, peakIdx = eq, j
			continue
		}
		if dd := 1 - eq/peak; dd > m.MaxDrawdown {
			m.MaxDrawdown = dd
			ddPeak, recovering = peakIdx, true
		}
	}
	if recovering {
		ddEnd = n
	}
	m.MaxDrawdownBars = ddEnd - ddPeak
	m.TotalReturn = eq - 1

	m.Years = yearsBetween(start, times[n-1])
	switch {
	case m.Years <= 0:
	case eq <= 0:
		m.CAGR = -1
	default:
		m.CAGR = math.Pow(eq, 1/m.Years) - 1
	}

	var sum, down float64
	for _, x := range r {
		sum += x - rf
		if d := math.Min(x-rf, 0); d < 0 {
			down += d * d
		}
	}
	mean := sum / float64(n)
	if n > 1 {
		var ss float64
		mr := mean + rf
		for _, x := range r {
			ss += (x - mr) * (x - mr)
		}
		sd := math.Sqrt(ss / float64(n-1))
		m.AnnVol = sd * math.Sqrt(ppy)
		if sd > 0 {
			m.Sharpe = mean / sd * math.Sqrt(ppy)
		}
	}
	if dd := math.Sqrt(down / float64(n)); dd > 0 {
		m.Sortino = mean / dd * math.Sqrt(ppy)
	}
	if m.MaxDrawdown > 0 {
		m.Calmar = m.CAGR / m.MaxDrawdown
	}

	var in, hits int
	var turn, expo, prev float64
	for i, p := range pos {
		if p != 0 {
			in++
			if r[i] > 0 {
				hits++
			}
		}
		turn += math.Abs(p - prev)
		expo += math.Abs(p)
		prev = p
	}
	if in > 0 {
		m.HitRate = float64(hits) / float64(in)
	}
	m.Turnover = turn * ppy / float64(n)
	m.Exposure = expo / float64(n)
	return m
}

// jsonFloat encodes NaN and ±Inf as null, and decodes null as NaN.
type jsonFloat float64

func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = jsonFloat(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jsonFloat(v)
	return nil
}

// metricsJSON is the wire form of Metrics (snake_case keys).
type metricsJSON struct {
	TotalReturn     jsonFloat `json:"total_return"`
	CAGR            jsonFloat `json:"cagr"`
	AnnVol          jsonFloat `json:"ann_vol"`
	Sharpe          jsonFloat `json:"sharpe"`
	Sortino         jsonFloat `json:"sortino"`
	MaxDrawdown     jsonFloat `json:"max_drawdown"`
	MaxDrawdownBars int       `json:"max_drawdown_bars"`
	Calmar          jsonFloat `json:"calmar"`
	HitRate         jsonFloat `json:"hit_rate"`
	Turnover        jsonFloat `json:"turnover"`
	Exposure        jsonFloat `json:"exposure"`
	Bars            int       `json:"bars"`
	Years           jsonFloat `json:"years"`
}

// MarshalJSON writes the metrics with snake_case keys ("total_return",
// "cagr", "ann_vol", "sharpe", "sortino", "max_drawdown",
// "max_drawdown_bars", "calmar", "hit_rate", "turnover", "exposure",
// "bars", "years"); NaN and ±Inf become null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(metricsJSON{
		TotalReturn: jsonFloat(m.TotalReturn), CAGR: jsonFloat(m.CAGR), AnnVol: jsonFloat(m.AnnVol),
		Sharpe: jsonFloat(m.Sharpe), Sortino: jsonFloat(m.Sortino), MaxDrawdown: jsonFloat(m.MaxDrawdown),
		MaxDrawdownBars: m.MaxDrawdownBars, Calmar: jsonFloat(m.Calmar), HitRate: jsonFloat(m.HitRate),
		Turnover: jsonFloat(m.Turnover), Exposure: jsonFloat(m.Exposure), Bars: m.Bars, Years: jsonFloat(m.Years),
	})
}

// UnmarshalJSON reads the form MarshalJSON writes; null and absent
// figures become NaN (absent integers 0).
func (m *Metrics) UnmarshalJSON(b []byte) error {
	nan := jsonFloat(math.NaN())
	w := metricsJSON{TotalReturn: nan, CAGR: nan, AnnVol: nan, Sharpe: nan, Sortino: nan,
		MaxDrawdown: nan, Calmar: nan, HitRate: nan, Turnover: nan, Exposure: nan, Years: nan}
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("backtest: metrics json: %w", err)
	}
	*m = Metrics{
		TotalReturn: float64(w.TotalReturn), CAGR: float64(w.CAGR), AnnVol: float64(w.AnnVol),
		Sharpe: float64(w.Sharpe), Sortino: float64(w.Sortino), MaxDrawdown: float64(w.MaxDrawdown),
		MaxDrawdownBars: w.MaxDrawdownBars, Calmar: float64(w.Calmar), HitRate: float64(w.HitRate),
		Turnover: float64(w.Turnover), Exposure: float64(w.Exposure), Bars: w.Bars, Years: float64(w.Years),
	}
	return nil
}

// yearsBetween returns the calendar years from a to b, 365.25 days each.
// It works on Unix seconds, not time.Duration, which overflows past about
// 292 years.
func yearsBetween(a, b time.Time) float64 {
	secs := float64(b.Unix()-a.Unix()) + float64(b.Nanosecond()-a.Nanosecond())/1e9
	return secs / (365.25 * 86400)
}
