package credit

import (
	"context"
	"slices"
	"testing"
	"time"
)

// latency reports the p50 and p99 of single calls of f over b.N calls,
// timed one by one.
func latency(b *testing.B, f func(i int)) {
	b.Helper()
	d := make([]time.Duration, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		f(i)
		d[i] = time.Since(t0)
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[b.N/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(d[min(b.N-1, b.N*99/100)].Nanoseconds()), "p99-ns")
}

func fixtureRecords(b *testing.B, s *Schema, d *Dataset) [][]Value {
	recs := make([][]Value, d.Len())
	for r := range recs {
		recs[r] = s.Record(d, r, nil)
	}
	return recs
}

// BenchmarkScorecardScore scores one applicant per call (a fitted German
// credit scorecard), reporting p50 and p99 latency.
func BenchmarkScorecardScore(b *testing.B) {
	d, sc := fitFixture(b, ScorecardConfig{})
	recs := fixtureRecords(b, sc.Schema, d)
	var sink float64
	latency(b, func(i int) { sink += sc.PD(recs[i%len(recs)]) })
	_ = sink
}

// BenchmarkScorecardScoreReasons adds the three top reason codes.
func BenchmarkScorecardScoreReasons(b *testing.B) {
	d, sc := fitFixture(b, ScorecardConfig{})
	recs := fixtureRecords(b, sc.Schema, d)
	dst := make([]Reason, 0, 3)
	latency(b, func(i int) {
		x := recs[i%len(recs)]
		_ = sc.PD(x)
		dst = sc.Reasons(x, dst, 3)
	})
}

// BenchmarkScorecardBatch scores 10,000 applicants per op, reporting rows/s.
func BenchmarkScorecardBatch(b *testing.B) {
	d, sc := fitFixture(b, ScorecardConfig{})
	recs := fixtureRecords(b, sc.Schema, d)
	const n = 10000
	out := make([]float64, n)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for i := range n {
			out[i] = sc.PD(recs[i%len(recs)])
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func fitBenchMLP(b *testing.B) (*Dataset, *MLP) {
	d := loadFixture(b)
	m, err := FitMLP(context.Background(), d, nil, MLPConfig{Epochs: 5, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return d, m
}

// BenchmarkMLPScore scores one applicant per call with the MLP's plain-Go
// predictor, reporting p50 and p99 latency.
func BenchmarkMLPScore(b *testing.B) {
	d, m := fitBenchMLP(b)
	recs := fixtureRecords(b, m.Schema, d)
	var sink float64
	latency(b, func(i int) { sink += m.PD(recs[i%len(recs)]) })
	_ = sink
}

// BenchmarkMLPBatch scores 10,000 applicants per op through PredictPD.
func BenchmarkMLPBatch(b *testing.B) {
	d, m := fitBenchMLP(b)
	rows := make([]int, 10000)
	for i := range rows {
		rows[i] = i % d.Len()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := m.PredictPD(d, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
