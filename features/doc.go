// Package features turns daily price and volume bars into model inputs:
// returns, lags, rolling statistics, technical indicators, forward-return
// targets, a standard scaler and a window builder for sequence models.
//
// # Numbers and indices
//
// Every function works on plain []float64 columns (float64 throughout) that
// are indexed by bar, 0-based, oldest first. Windows, spans, lags and
// horizons count bars. Outputs are freshly allocated slices of the input
// length: element t of an output describes bar t.
//
// NaN marks an undefined value: the warm-up at the start of a column, or a
// window that holds a missing input. Inputs that are ±Inf are treated as
// missing too, so outputs hold finite values or NaN and never ±Inf (except
// where arithmetic on finite inputs overflows). Nothing is zero-filled.
//
// # Causality
//
// Every feature is causal: output t depends on inputs at bars 0..t only, and
// the computation runs forward, so changing inputs after bar t leaves outputs
// at bars 0..t bit-for-bit unchanged. The tests check this for every
// function. [ForwardReturn] is the one exception: it is a target and reads
// bars t..t+h by design.
//
// # Missing values
//
// Rolling statistics are NaN while a missing value lies inside their window
// and resume as soon as the window is clear of it. Recursive indicators
// ([EMA], [RSI], [ATR], [MACD]) restart after a missing value: they return NaN
// for the missing bar and then warm up again as at the start of the column.
//
// # Panics and errors
//
// Functions that return no error panic on broken contracts only: a window,
// span or horizon below 1, a negative lag, a Bollinger width k that is not
// a finite positive number, input columns of different lengths, or a
// scaler applied to the wrong number of columns. Table.Add also panics on
// an empty or duplicate name. Functions that return an
// error ([FitStandardScaler], [Windows], [TableFromFrame]) report bad
// arguments and mismatched lengths as *[Error] values that wrap one of the
// package's sentinel errors.
//
// # Feature sets
//
// [Standard] builds the default scale-free feature set used by the deepfin
// command; its column names are listed in [StandardNames]. [Alpha158]
// builds a 158-column factor set in the style of Qlib's Alpha158 (candle
// shape, rates of change, moving averages, rolling dispersion, extremes,
// quantiles, RSV, price-volume correlation, up-day counts over 5 to 60
// bars) for one ticker; [CSZScore], [CSRobustZScore] and [CSRank] then
// normalise a universe across tickers, one day at a time, using nothing
// but that day's values. [Table] holds named columns and converts to and
// from a gota DataFrame.
package features
