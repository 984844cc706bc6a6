package features

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-gota/gota/series"
)

// benchBars returns n bars of a seeded random walk.
func benchBars(n int) OHLCV {
	r := rand.New(rand.NewPCG(3, 4))
	c := randomWalk(n, 5)
	b := OHLCV{Open: make([]float64, n), High: make([]float64, n), Low: make([]float64, n), Close: c, Volume: make([]float64, n)}
	for i, p := range c {
		b.Open[i] = p * (1 + 0.002*r.NormFloat64())
		b.High[i] = math.Max(p, b.Open[i]) * (1 + 0.005*r.Float64())
		b.Low[i] = math.Min(p, b.Open[i]) * (1 - 0.005*r.Float64())
		b.Volume[i] = 1e6 * math.Exp(0.3*r.NormFloat64())
	}
	return b
}

func reportBars(b *testing.B, n int) {
	b.ReportMetric(float64(n), "bars/op")
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "bars/s")
}

func BenchmarkRollingMean(b *testing.B) {
	x := randomWalk(1_000_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		RollingMean(x, 20)
	}
	reportBars(b, len(x))
}

func BenchmarkRollingStd(b *testing.B) {
	x := randomWalk(1_000_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		RollingStd(x, 20)
	}
	reportBars(b, len(x))
}

func BenchmarkStandard(b *testing.B) {
	bars := benchBars(1_000_000)
	b.ReportAllocs()
	for b.Loop() {
		Standard(bars)
	}
	reportBars(b, len(bars.Close))
}

// BenchmarkRollingMeanVsGota times gota's Rolling(20).Mean() and
// RollingMean on the same 1e5 values in each iteration and reports both
// times and their ratio (gota time / ours).
func BenchmarkRollingMeanVsGota(b *testing.B) {
	x := randomWalk(100_000, 1)
	s := series.Floats(x)
	var gota, ours time.Duration
	for b.Loop() {
		t0 := time.Now()
		s.Rolling(20).Mean()
		t1 := time.Now()
		RollingMean(x, 20)
		gota += t1.Sub(t0)
		ours += time.Since(t1)
	}
	b.ReportMetric(float64(gota.Nanoseconds())/float64(b.N), "gota-ns/op")
	b.ReportMetric(float64(ours.Nanoseconds())/float64(b.N), "features-ns/op")
	b.ReportMetric(float64(gota)/float64(ours), "speedup")
}
