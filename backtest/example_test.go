package backtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/deepfin/deepfin/backtest"
)

func ExampleRun() {
	// Five daily bars; the strategy decides "long" at the close of bar 0
	// and "flat" at the close of bar 2. With NextOpen the long position
	// is filled at the open of bar 1 and closed at the open of bar 3;
	// each trade costs 10 bp (5 commission + 5 slippage).
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	bars := backtest.Bars{
		Time:  []time.Time{t0, t0.AddDate(0, 0, 1), t0.AddDate(0, 0, 2), t0.AddDate(0, 0, 3), t0.AddDate(0, 0, 4)},
		Open:  []float64{100, 100, 102, 104, 103},
		Close: []float64{100, 102, 104, 103, 106},
	}
	target := []float64{1, 1, 0, 0, 0}
	res, err := backtest.Run(bars, target, backtest.Config{CostBps: 5, SlippageBps: 5})
	if err != nil {
		panic(err)
	}
	for i := range res.Time {
		fmt.Printf("%s pos=%+.0f net=%+.4f equity=%.4f buy&hold=%.4f\n",
			res.Time[i].Format("2006-01-02"), res.Position[i], res.Net[i], res.Equity[i], res.Benchmark[i])
	}
	fmt.Printf("total %.4f vs %.4f, turnover/yr %.0f\n",
		res.Metrics.TotalReturn, res.BenchmarkMetrics.TotalReturn, res.Metrics.Turnover)
	// Output:
	// 2024-01-02 pos=+1 net=+0.0190 equity=1.0190 buy&hold=1.0200
	// 2024-01-03 pos=+1 net=+0.0196 equity=1.0390 buy&hold=1.0400
	// 2024-01-04 pos=+0 net=-0.0010 equity=1.0379 buy&hold=1.0300
	// 2024-01-05 pos=+0 net=+0.0000 equity=1.0379 buy&hold=1.0600
	// total 0.0379 vs 0.0600, turnover/yr 126
}

func ExampleRunWalkForward() {
	// A toy "model": the score for each test bar is the mean of the
	// training returns, refitted every 2 bars on an expanding window.
	returns := []float64{0.01, -0.02, 0.03, 0.01, -0.01, 0.02, 0.00, 0.01}
	w := backtest.WalkForward{MinTrain: 4, Refit: 2, Expanding: true}
	scores, err := backtest.RunWalkForward(context.Background(), len(returns), w,
		func(_ context.Context, f backtest.Fold) ([]float64, error) {
			var sum float64
			for _, r := range returns[f.TrainStart:f.TrainEnd] {
				sum += r
			}
			out := make([]float64, f.TestEnd-f.TestStart)
			for i := range out {
				out[i] = sum / float64(f.TrainEnd-f.TrainStart)
			}
			return out, nil
		})
	if err != nil {
		panic(err)
	}
	from, to, _ := backtest.Span(scores)
	fmt.Printf("scores %.4f\nout of sample [%d,%d)\n", scores, from, to)
	fmt.Println(backtest.Positions(scores, backtest.PositionRule{Mode: backtest.LongFlat}))
	// Output:
	// scores [NaN NaN NaN NaN 0.0075 0.0075 0.0067 0.0067]
	// out of sample [4,8)
	// [0 0 0 0 1 1 1 1]
}
