package nlp

import (
	"context"
	"path/filepath"
	"testing"
)

func BenchmarkTokenize(b *testing.B) {
	d, err := LoadCSV(filepath.Join("testdata", "reviews.csv"), CSVOptions{})
	if err != nil {
		b.Fatal(err)
	}
	tk := Tokenizer{}
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range d.Texts {
			tk.Tokenize(t)
		}
	}
	b.ReportMetric(float64(b.N*d.Len())/b.Elapsed().Seconds(), "texts/s")
}

func BenchmarkBaselinePredict(b *testing.B) {
	d, err := LoadCSV(filepath.Join("testdata", "reviews.csv"), CSVOptions{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := FitBaselineDataset(context.Background(), d, BaselineConfig{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Predict(d.Texts)
	}
	b.ReportMetric(float64(b.N*d.Len())/b.Elapsed().Seconds(), "texts/s")
}
