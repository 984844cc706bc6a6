// Package backtest simulates trading on model predictions and measures the
// result: positions from scores, next-bar execution, transaction costs,
// daily P&L, equity against a buy-and-hold benchmark, performance metrics,
// equal-weight portfolios and walk-forward (out-of-sample) schedules.
//
// All numbers are float64. Returns, drawdowns and rates are fractions
// (0.01 = 1%); costs are given in basis points (1 bp = 0.0001). Bars are
// 0-based indices into the caller's slices. NaN marks "undefined": a NaN
// score or target means no decision (flat), a NaN metric means the figure
// does not exist for that input (e.g. a Sharpe ratio with zero volatility).
//
// # Timing
//
// A target decided with information up to the close of bar t is traded at
// bar t+1, never at bar t, so a signal can never earn the return of the
// bar it was computed on:
//
//   - NextOpen (the default): trade at the open of t+1. The overnight gap
//     close(t) -> open(t+1) belongs to the old position, open(t+1) ->
//     close(t+1) to the new one.
//   - NextClose: trade at the close of t+1; the new position earns from
//     bar t+2.
//
// Costs, (CostBps + SlippageBps) per side, are charged on |Δposition| at
// every trade, the first entry included. Equity starts at 1 at the close
// of the first input bar (Result.Start); the buy-and-hold benchmark starts
// at the same close, so both cover exactly the same bars.
//
// # Conventions
//
// Annualisation uses PeriodsPerYear bars (252 by default) and the square
// root of it for volatility-based figures; CAGR uses calendar years,
// (End - Start) / 365.25 days. See Metrics for every definition.
//
// # Walk-forward use
//
// A typical pipeline scores bars out of sample with RunWalkForward, keeps
// the out-of-sample span with Span, turns scores into positions with
// Positions and simulates with Run; Combine makes an equal-weight
// portfolio of several assets. The package imports no model code: the
// fit callback is where a model is trained and asked for scores.
//
// # Cross-sectional use
//
// For scores per day and ticker, a Panel holds the day-by-ticker matrix;
// DailyIC measures its daily information coefficient (Pearson and rank)
// against realised returns, and TopKDropout holds the k best-scored names
// in equal weight, swapping at most n of them a day, with separate buy and
// sell costs, against an equal-weight buy-and-hold of the universe.
//
// Errors are returned for bad data and configuration (typed: *BarError,
// *FoldError, or wrapping the Err* sentinels); functions panic only when
// slice lengths that must match do not, as documented on each.
package backtest
