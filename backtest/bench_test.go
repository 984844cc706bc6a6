package backtest

import (
	"testing"
)

func BenchmarkRun(b *testing.B) {
	const n = 17827 // the length of the ^GSPC 1950-2020 file
	bars := randomBars(n, 1)
	target := make([]float64, n)
	for i := range target {
		target[i] = float64(i/20%3 - 1)
	}
	cfg := Config{CostBps: 5, SlippageBps: 2}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Run(bars, target, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "bars/s")
}
