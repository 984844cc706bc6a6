// Package report turns backtest results into a report directory:
//
//	equity.png, equity.svg                 strategy vs buy-and-hold equity, log scale
//	drawdown.png, drawdown.svg             underwater curves of both
//	rolling_sharpe.png, rolling_sharpe.svg rolling annualised Sharpe (126 bars)
//	report.html                            self-contained page: CSS inline, PNGs as data URIs
//	report.md                              Markdown summary linking the PNGs
//	report.json                            every figure, settings and conventions (see Summary)
//
// Write builds all files in a temporary directory beside the target and
// renames it into place only when everything succeeded (see
// internal/atomicfile.ReplaceDir), so a failed run leaves the previous
// report, or nothing, never a half-written one.
//
// Plots are drawn with gonum.org/v1/plot. All x axes are dates in UTC.
// Figures are float64; returns and drawdowns are fractions in JSON and
// percentages in the HTML and Markdown tables. Undefined figures (NaN)
// are null in JSON and "n/a" in the tables. The package never prints.
package report
