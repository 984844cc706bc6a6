package credit

import (
	"context"
	"os"
	"testing"
)

// benchBundle returns the bundle and data the bundle benchmarks use: the
// saved model in DEEPFIN_BENCH_BUNDLE scored on the CSV in
// DEEPFIN_BENCH_DATA (as scripts/credit_mlp_vs_torch.py sets them), or by
// default an MLP fitted on the package fixture.
func benchBundle(b *testing.B) (*Bundle, *Dataset) {
	dir, data := os.Getenv("DEEPFIN_BENCH_BUNDLE"), os.Getenv("DEEPFIN_BENCH_DATA")
	if dir == "" || data == "" {
		d := loadFixture(b)
		m, err := FitMLP(context.Background(), d, nil, MLPConfig{Epochs: 5, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		return &Bundle{MLP: m}, d
	}
	bd, err := LoadBundle(dir)
	if err != nil {
		b.Fatal(err)
	}
	kinds := map[string]Kind{}
	for _, f := range bd.Schema().Fields {
		kinds[f.Name] = f.Kind
	}
	d, err := LoadCSV(data, LoadOptions{Target: bd.Target, Bad: bd.Bad, Kinds: kinds})
	if err != nil {
		b.Fatal(err)
	}
	return bd, d
}

// BenchmarkBundleScore scores one applicant per call (encoding, network or
// points, PD), reporting p50 and p99 latency.
func BenchmarkBundleScore(b *testing.B) {
	bd, d := benchBundle(b)
	recs := fixtureRecords(b, bd.Schema(), d)
	var sink float64
	latency(b, func(i int) {
		_, pd := bd.Score(recs[i%len(recs)])
		sink += pd
	})
	_ = sink
}

// BenchmarkBundleBatch scores 10,000 applicants per op (rows of the data
// repeated) through ScoreDataset, reporting rows/s.
func BenchmarkBundleBatch(b *testing.B) {
	bd, d := benchBundle(b)
	rows := make([]int, 10000)
	for i := range rows {
		rows[i] = i % d.Len()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := bd.ScoreDataset(d, rows); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(rows))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
