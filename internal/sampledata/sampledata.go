// Package sampledata embeds the small real dataset that deepfin's command
// runs on when it is given no data of its own.
//
// The files are five unmodified tickers (AAPL, AMZN, BA, BAC, CAT) from the
// Kaggle "S&P 500 stock data" by Cam Nugent, 2013-02-08 to 2018-02-07, daily
// OHLCV in USD, not adjusted for dividends. The dataset is published under
// CC0; see ../shared/data/README.md in the development tree for its
// provenance. Nothing under a non-commercial or copyleft licence is embedded.
package sampledata

import (
	"embed"
	"io/fs"
)

//go:embed sp500/*.csv
var sp500 embed.FS

// SP500 returns a read-only file system whose root holds one CSV file per
// ticker, named <TICKER>_data.csv, with the header
// date,open,high,low,close,volume,Name.
func SP500() fs.FS {
	sub, err := fs.Sub(sp500, "sp500")
	if err != nil {
		// The directory is fixed at compile time; failing here means the
		// embed pattern above was broken.
		panic("sampledata: " + err.Error())
	}
	return sub
}

// Description is a one-line statement of what SP500 holds, for reports.
const Description = "embedded sample: AAPL, AMZN, BA, BAC, CAT daily OHLCV 2013-02-08..2018-02-07 (Kaggle S&P 500 stock data, CC0)"
