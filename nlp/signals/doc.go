// Package signals turns dated news headlines into per-bar sentiment
// features and signals that a backtest can consume, without look-ahead.
//
// The pipeline is: LoadHeadlines reads a "date,ticker,text" CSV; Score runs
// a trained text classifier (any type with PredictProba and Classes, such
// as nlp.Baseline) over the headlines; Aggregate groups the scores per
// ticker and availability day (mean score, count, net positive share); and
// Join folds those days onto one ticker's trading bars as a
// features.Table, which converts to a gota DataFrame.
//
// # The look-ahead rule
//
// A bar is identified by its date and stands for the market's close on
// that date; a value computed for bar t may use only what was public
// before that close. A headline's availability day A is:
//
//   - the day after its date, when the headline has a date but no time of
//     day (it may have appeared after the close);
//   - its date, when it carries a time of day strictly before the close
//     (Timing.Close, 16:00 by default, in Timing.Location, UTC by default);
//   - the day after its date, when that time is at or after the close.
//
// The headline then feeds the first bar dated on or after A: weekend and
// holiday news feeds the next trading bar. So a headline never feeds a bar
// dated before its own date, and feeds the bar of its own date only when
// it is timestamped before that bar's close. Headlines available before
// the first bar are dropped (the window they belong to is unknown), as are
// those available after the last bar. The tests check that adding or
// changing headlines available after bar t leaves bars 0..t unchanged.
//
// # Use in a backtest
//
// Join's columns are causal features: bar t's values use headlines known
// before the close of bar t. Fed to a model, or used directly as a target
// position (the "mean" column is in [-1, 1]), they obey the backtest
// convention that a decision made at the close of bar t trades at bar
// t+1. Bars without headlines have count 0 and NaN mean and net share; a
// backtest treats NaN as "no decision" (flat), never as zero sentiment.
//
// Scores are float64, like every feature column. Errors are
// *nlp.DataError values that name the file, line and column.
package signals
