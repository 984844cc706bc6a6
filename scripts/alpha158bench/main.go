// Command alpha158bench times features.Alpha158 on a directory of daily
// OHLCV files, for scripts/alpha158_vs_pandas.sh. It loads the files with
// finance.LoadOHLCV (DropIncomplete), then computes the factors of every
// ticker, on one goroutine and on GOMAXPROCS goroutines, and prints the
// best of -repeat runs of each as GO_SECONDS_1 and GO_SECONDS_N.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/finance/market"
)

func main() {
	repeat := flag.Int("repeat", 3, "runs of each timing; the best is reported")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: alpha158bench [-repeat N] DIR")
		os.Exit(2)
	}
	md, err := finance.LoadOHLCV(flag.Arg(0), finance.LoadOptions{DropIncomplete: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "alpha158bench:", err)
		os.Exit(1)
	}
	values := 0
	best := func(workers int) float64 {
		b := 0.0
		for r := range *repeat {
			start := time.Now()
			tabs := market.ComputeAlpha158(md.Series, workers)
			s := time.Since(start).Seconds()
			if r == 0 || s < b {
				b = s
			}
			values = 0
			for _, t := range tabs {
				values += t.Len() * len(t.Cols)
			}
		}
		return b
	}
	one := best(1)
	n := best(0)
	fmt.Printf("go %s: %d tickers, %d values; 1 goroutine %.3f s, %d goroutines %.3f s\n",
		runtime.Version(), len(md.Series), values, one, runtime.GOMAXPROCS(0), n)
	fmt.Printf("GO_SECONDS_1=%.6f\nGO_SECONDS_N=%.6f\n", one, n)
}
