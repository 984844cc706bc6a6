package report_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/backtest/report"
)

func ExampleWrite() {
	// A year of synthetic daily bars and an always-long strategy.
	n := 253
	bars := backtest.Bars{Time: make([]time.Time, n), Open: make([]float64, n), Close: make([]float64, n)}
	for i := range n {
		bars.Time[i] = time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*365/(n-1))
		bars.Close[i] = 100 * math.Exp(0.1*float64(i)/252+0.02*math.Sin(float64(i)/5))
		bars.Open[i] = bars.Close[max(i-1, 0)]
	}
	target := make([]float64, n)
	for i := range target {
		target[i] = 1
	}
	res, err := backtest.Run(bars, target, backtest.Config{CostBps: 1})
	if err != nil {
		panic(err)
	}

	parent, err := os.MkdirTemp("", "report-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(parent)
	dir := filepath.Join(parent, "out")
	err = report.Write(dir, &report.Report{
		Title:    "Always long",
		Strategy: res,
		Settings: []report.Setting{{Key: "rule", Value: "target = 1"}},
	})
	if err != nil {
		panic(err)
	}

	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	raw, _ := os.ReadFile(filepath.Join(dir, report.FileJSON))
	var sum report.Summary
	if err := json.Unmarshal(raw, &sum); err != nil {
		panic(err)
	}
	fmt.Printf("%s to %s, %d bars, execution %s\n", sum.Period.Start, sum.Period.End, sum.Period.Bars, sum.Conventions.Execution)
	// Output:
	// drawdown.png
	// drawdown.svg
	// equity.png
	// equity.svg
	// report.html
	// report.json
	// report.md
	// rolling_sharpe.png
	// rolling_sharpe.svg
	// 2023-01-02 to 2024-01-02, 252 bars, execution next_open
}
