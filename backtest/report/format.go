package report

import (
	"fmt"
	"math"
	"strconv"

	"github.com/deepfin/deepfin/backtest"
)

func undefined(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// pct formats a fraction as a percentage with two decimals ("12.34%").
func pct(x float64) string {
	if undefined(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

// num formats a ratio with two decimals.
func num(x float64) string {
	if undefined(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", x)
}

// row is one line of the strategy vs buy-and-hold metrics table.
type row struct{ Label, Strategy, Benchmark string }

func metricRows(s, b backtest.Metrics) []row {
	line := func(label string, f func(m backtest.Metrics) string) row {
		return row{Label: label, Strategy: f(s), Benchmark: f(b)}
	}
	return []row{
		line("Total return", func(m backtest.Metrics) string { return pct(m.TotalReturn) }),
		line("CAGR", func(m backtest.Metrics) string { return pct(m.CAGR) }),
		line("Annualised volatility", func(m backtest.Metrics) string { return pct(m.AnnVol) }),
		line("Sharpe ratio", func(m backtest.Metrics) string { return num(m.Sharpe) }),
		line("Sortino ratio", func(m backtest.Metrics) string { return num(m.Sortino) }),
		line("Max drawdown", func(m backtest.Metrics) string { return pct(m.MaxDrawdown) }),
		line("Max drawdown length (bars)", func(m backtest.Metrics) string { return strconv.Itoa(m.MaxDrawdownBars) }),
		line("Calmar ratio", func(m backtest.Metrics) string { return num(m.Calmar) }),
		line("Hit rate (bars in market)", func(m backtest.Metrics) string { return pct(m.HitRate) }),
		line("Turnover (x equity per year)", func(m backtest.Metrics) string { return num(m.Turnover) }),
		line("Exposure (mean |position|)", func(m backtest.Metrics) string { return pct(m.Exposure) }),
		line("Bars", func(m backtest.Metrics) string { return strconv.Itoa(m.Bars) }),
		line("Years", func(m backtest.Metrics) string { return num(m.Years) }),
	}
}

// assetHeader and assetCells define the per-asset table.
func assetHeader() []string {
	return []string{"Asset", "Period", "Total return", "CAGR", "Sharpe", "Max drawdown",
		"B&H total return", "B&H Sharpe", "B&H max drawdown", "Turnover", "Exposure"}
}

func assetCells(a AssetSummary) []string {
	s, b := a.Metrics.Strategy, a.Metrics.Benchmark
	return []string{a.Name, a.Start + " to " + a.End, pct(s.TotalReturn), pct(s.CAGR), num(s.Sharpe),
		pct(s.MaxDrawdown), pct(b.TotalReturn), num(b.Sharpe), pct(b.MaxDrawdown), num(s.Turnover), pct(s.Exposure)}
}

// conventionRows lists the conventions as label/text pairs, in the order
// the report shows them.
func conventionRows(c Conventions) [][2]string {
	rows := [][2]string{
		{"Annualisation", c.Annualisation},
		{"CAGR", c.CAGR},
		{"Execution", c.Execution + ": " + c.ExecutionTiming},
		{"Costs", c.CostModel},
		{"Benchmark", c.Benchmark},
		{"Sharpe", c.Sharpe},
		{"Sortino", c.Sortino},
		{"Max drawdown", c.MaxDrawdown},
		{"Hit rate", c.HitRate},
		{"Turnover", c.Turnover},
		{"Exposure", c.Exposure},
		{"Rolling Sharpe", c.RollingSharpe},
		{"Positions", c.PositionSemantic},
	}
	if c.Portfolio != "" {
		rows = append(rows, [2]string{"Portfolio", c.Portfolio})
	}
	return append(rows, [2]string{"Undefined values", c.NaN})
}
