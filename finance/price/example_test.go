package price_test

import (
	"context"
	"fmt"
	"log"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/finance/price"
)

// Example walks a small GRU forward through 300 days of AAPL, trades its
// out-of-sample scores long/flat at the next open with 5 bp costs, and
// compares the result with buy-and-hold over the same bars.
func Example() {
	md, err := finance.LoadOHLCV("testdata/AAPL_300.csv", finance.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	s := md.Series[0]

	cfg := price.DefaultConfig() // GRU(16) over 20-bar windows, 2-year rolling window
	cfg.Window, cfg.TrainBars, cfg.Refit, cfg.Epochs = 10, 150, 50, 5
	res, err := price.WalkForward(context.Background(), md.Series, cfg)
	if err != nil {
		log.Fatal(err)
	}

	// Trade the out-of-sample span only: a score made after the close of
	// bar t is traded at the open of bar t+1.
	prob := res.Series[0].Prob
	from, to, _ := backtest.Span(prob)
	scores := make([]float64, to-from)
	for i := range scores {
		scores[i] = prob[from+i] - 0.5
	}
	bars := backtest.Bars{Time: s.Time[from:to], Open: s.Open[from:to], Close: s.Close[from:to]}
	pos := backtest.Positions(scores, backtest.PositionRule{Mode: "long_flat"})
	bt, err := backtest.Run(bars, pos, backtest.Config{CostBps: 5})
	if err != nil {
		log.Fatal(err)
	}

	fmt.Printf("out of sample: %s to %s, %d refits\n",
		res.Start.Format("2006-01-02"), res.End.Format("2006-01-02"), len(res.Folds))
	fmt.Printf("buy-and-hold total return: %.2f%%\n", 100*bt.BenchmarkMetrics.TotalReturn)
	// Output:
	// out of sample: 2013-09-13 to 2014-04-17, 3 refits
	// buy-and-hold total return: 12.91%
}
