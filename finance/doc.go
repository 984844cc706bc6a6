// Package finance loads and validates daily market data (OHLCV bars) for
// deepfin.
//
// It owns the edge between files and the rest of the library: CSV in,
// validated per-ticker Series and one long-format gota DataFrame out. All
// numbers are float64; NaN marks a missing value (only volume may be
// missing in a loaded Series). Dates are calendar days at UTC midnight.
//
// A typical input is the Kaggle S&P 500 layout, one file per ticker:
//
//	date,open,high,low,close,volume,Name
//	2013-02-08,67.7142,68.4014,66.8928,67.8542,158168416,AAPL
//	2013-02-11,68.0714,69.2771,67.6071,68.5614,129029425,AAPL
//
// or Yahoo's, without a ticker column (the ticker then comes from
// LoadOptions.Ticker or the file name). Tickers from a ticker column or a
// file name are upper-cased, so "aapl" and "AAPL" are one series:
//
//	Date,Open,High,Low,Close,Adj Close,Volume
//	1950-01-03,16.660000,16.660000,16.660000,16.660000,16.660000,1260000
//
// LoadOHLCV reads a file or a directory of files, LoadFS the same from an
// fs.FS, and ReadOHLCV one io.Reader. ReadOHLCV documents the accepted
// headers, date layouts and missing-value markers.
//
// # Validation
//
// Problems that make a bar unusable are errors: a missing required column,
// a ragged row, an unparsable number or date, a non-positive price, a
// negative volume, a missing price (unless LoadOptions.DropIncomplete), a
// duplicated date for one ticker (unless LoadOptions.KeepLast), and fewer
// than LoadOptions.MinBars bars. Every error is a *DataError naming the
// file, the 1-based line (the header is line 1) and the column, and wraps
// one sentinel (ErrBadNumber, ErrDuplicateDate, ...) for errors.Is. The
// first problem found stops the load (row-level problems are found in file
// order); nothing is partly returned.
//
// Problems that leave the bars usable are Warnings, which the package
// never prints: rows out of date order (sorted), calendar gaps longer
// than LoadOptions.MaxGapDays, missing or absent volume (NaN), and bars
// whose high is below their low or whose open or close lies outside
// [low, high]. The last are kept as warnings by default because real
// vendor files contain them; LoadOptions.StrictOHLC makes them errors
// (ErrHighLow, ErrOHLCRange).
//
// Nothing is filled in silently: no forward fill, no zero fill, no
// adjustment for splits or dividends.
//
// The loaders never panic on malformed input. Series.Slice panics on out
// of range bounds, like a slice expression.
package finance
