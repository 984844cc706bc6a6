package market

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/finance"
)

// loadFixture reads testdata/: eight sp500_5yr tickers cut to
// 2013-02-08 .. 2014-05-30 (ALLE starts 2013-11-18).
func loadFixture(t testing.TB) []*finance.Series {
	t.Helper()
	md, err := finance.LoadOHLCV("testdata", finance.LoadOptions{DropIncomplete: true})
	require.NoError(t, err)
	return md.Series
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// smallConfig trains quickly on the fixture.
func smallConfig(kind string) Config {
	c := DefaultConfig(kind)
	c.Split = Split{ValidStart: date(2013, 12, 1), TestStart: date(2014, 3, 1)}
	c.Epochs, c.Patience, c.BatchSize = 3, 2, 128
	c.Window, c.Hidden = 5, 8
	c.TopK.K, c.TopK.NDrop = 3, 1
	return c
}

// perturbAfter returns a deep copy of series in which ticker k's prices
// and volume on the days after `after` are scaled by random factors.
func perturbAfter(series []*finance.Series, k int, after time.Time, seed uint64) []*finance.Series {
	r := rand.New(rand.NewPCG(seed, 3))
	out := make([]*finance.Series, len(series))
	for i, s := range series {
		c := *s
		cp := func(x []float64) []float64 { return append([]float64(nil), x...) }
		c.Open, c.High, c.Low, c.Close, c.Volume = cp(s.Open), cp(s.High), cp(s.Low), cp(s.Close), cp(s.Volume)
		if i == k {
			for b := 0; b < c.Len(); b++ {
				if !c.Time[b].After(after) {
					continue
				}
				f := 0.7 + 0.6*r.Float64()
				c.Open[b] *= f
				c.High[b] *= f * 1.01
				c.Low[b] *= f * 0.99
				c.Close[b] *= f
				c.Volume[b] *= 0.5 + r.Float64()
			}
		}
		out[i] = &c
	}
	return out
}

func TestBuildDataset(t *testing.T) {
	series := loadFixture(t)
	ds, err := BuildDataset(series, 2)
	require.NoError(t, err)
	nt := len(ds.Names)
	require.Equal(t, 8, nt)
	assert.Equal(t, 158, len(ds.Features))
	assert.Equal(t, series[0].Len(), ds.Days(), "AAPL trades every day of the calendar")

	alle := -1
	for i, n := range ds.Names {
		if n == "ALLE" {
			alle = i
		}
	}
	require.GreaterOrEqual(t, alle, 0)
	// ALLE's first valid day is its 61st bar.
	s := series[alle]
	first := -1
	for d := range ds.Days() {
		if ds.Valid[d*nt+alle] {
			first = d
			break
		}
	}
	require.GreaterOrEqual(t, first, 0)
	assert.Equal(t, s.Time[60], ds.Time[first])
	assert.True(t, math.IsNaN(ds.Close[0][alle]), "ALLE has no price before it lists")

	// The label of day d is close(d+2)/close(d+1) - 1.
	d := 100
	aapl := series[0]
	assert.InDelta(t, aapl.Close[d+2]/aapl.Close[d+1]-1, ds.Return[d*nt+0], 1e-15)
	assert.True(t, math.IsNaN(ds.Return[(ds.Days()-2)*nt]), "last two days have no label")

	// Features are clipped robust z-scores; targets rank-centred.
	for c, ok := range ds.Valid {
		if !ok {
			continue
		}
		for _, v := range ds.X[c*len(ds.Features) : (c+1)*len(ds.Features)] {
			require.LessOrEqual(t, math.Abs(float64(v)), float64(ClipZ))
		}
	}
	sum, n := 0.0, 0
	for c := d * nt; c < (d+1)*nt; c++ {
		if !math.IsNaN(ds.Target[c]) {
			sum += ds.Target[c]
			n++
		}
	}
	assert.Equal(t, 7, n, "ALLE is not valid on day 100")
	assert.InDelta(t, 0, sum, 1e-12)

	// Worker count does not change the result.
	ds1, err := BuildDataset(series, 1)
	require.NoError(t, err)
	assert.Equal(t, ds.X, ds1.X)
}

// TestDatasetNoLookAhead: changing one ticker's prices after day cut
// leaves every feature of every ticker up to cut, and every label known
// by cut, unchanged.
func TestDatasetNoLookAhead(t *testing.T) {
	series := loadFixture(t)
	base, err := BuildDataset(series, 0)
	require.NoError(t, err)
	nt, nf := len(base.Names), len(base.Features)
	for k, cut := range []int{70, 150, 250} {
		ticker := k * 3 % nt
		got, err := BuildDataset(perturbAfter(series, ticker, base.Time[cut], uint64(k)), 0)
		require.NoError(t, err)
		upTo := (cut + 1) * nt
		require.Equal(t, base.X[:upTo*nf], got.X[:upTo*nf], "features up to day %d", cut)
		require.Equal(t, base.Valid[:upTo], got.Valid[:upTo])
		// Labels of days <= cut-2 are known at cut.
		known := (cut - 1) * nt
		sameBits(t, base.Target[:known], got.Target[:known], "targets up to day %d", cut-2)
		assert.NotEqual(t, base.X[upTo*nf:], got.X[upTo*nf:], "the perturbation must reach later features")
	}
}

// TestRunReproducible: the same seed gives identical scores, IC and
// portfolio.
func TestRunReproducible(t *testing.T) {
	ds, err := BuildDataset(loadFixture(t), 0)
	require.NoError(t, err)
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			a, err := Run(context.Background(), ds, smallConfig(kind))
			if errors.Is(err, ErrModelKind) {
				t.Skipf("models cannot build %s yet: %v", kind, err)
			}
			require.NoError(t, err)
			b, err := Run(context.Background(), ds, smallConfig(kind))
			require.NoError(t, err)
			for d := range a.Scores.Values {
				sameBits(t, a.Scores.Values[d], b.Scores.Values[d], "scores")
			}
			sameBits(t, a.IC.IC, b.IC.IC, "ic")
			sameBits(t, a.TopK.Return, b.TopK.Return, "portfolio")
			assert.Equal(t, a.History, b.History)
			assert.Equal(t, date(2014, 3, 3), a.Test.Start)
			assert.Equal(t, date(2013, 11, 29), a.Train.End)
			assert.Greater(t, a.Train.Samples, 500)
			assert.Greater(t, a.IC.Summary.Days, 50)
			assert.Len(t, a.TopK.Return, a.Test.Days-1)
		})
	}
}

// TestRunNoLookAhead: changing a ticker's prices after test day cut
// leaves every prediction up to cut unchanged (the model is trained on
// earlier days only, labels purged).
func TestRunNoLookAhead(t *testing.T) {
	series := loadFixture(t)
	ds, err := BuildDataset(series, 0)
	require.NoError(t, err)
	for _, kind := range []string{Linear, GRU} {
		cfg := smallConfig(kind)
		base, err := Run(context.Background(), ds, cfg)
		require.NoError(t, err)
		t0 := ds.Days() - base.Test.Days
		for k, off := range []int{-1, 0, 20} {
			cut := t0 + off // perturb bars after day cut
			pds, err := BuildDataset(perturbAfter(series, 2+k, ds.Time[cut], uint64(k)), 0)
			require.NoError(t, err)
			got, err := Run(context.Background(), pds, cfg)
			require.NoError(t, err)
			for d := 0; d <= off; d++ {
				sameBits(t, base.Scores.Values[d], got.Scores.Values[d], "%s: test day %d, cut %d", kind, d, off)
			}
			assert.Equal(t, base.History, got.History, "%s: training must not see the test period", kind)
		}
	}
}

func TestRunErrors(t *testing.T) {
	ds, err := BuildDataset(loadFixture(t), 0)
	require.NoError(t, err)
	tests := []struct {
		name string
		edit func(*Config)
		want error
	}{
		{"kind", func(c *Config) { c.Model = "transformer" }, ErrConfig},
		{"window", func(c *Config) { c.Window = 0 }, ErrConfig},
		{"seq feature", func(c *Config) { c.Model = GRU; c.SeqFeatures = []string{"nope"} }, ErrConfig},
		{"split order", func(c *Config) { c.Split.TestStart = c.Split.ValidStart }, ErrConfig},
		{"split outside", func(c *Config) { c.Split.TestStart = date(2020, 1, 1) }, ErrConfig},
		{"topk", func(c *Config) { c.TopK.K = 0 }, ErrConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := smallConfig(Linear)
			tc.edit(&cfg)
			_, err := Run(context.Background(), ds, cfg)
			assert.True(t, errors.Is(err, tc.want), "%v", err)
		})
	}
}

// TestRunAllUnavailableKinds: lstm and alstm either run (once models has
// them) or are reported as unavailable without stopping the others.
func TestRunAllUnavailableKinds(t *testing.T) {
	ds, err := BuildDataset(loadFixture(t), 0)
	require.NoError(t, err)
	_, rows, err := RunAll(context.Background(), ds, []string{Linear, LSTM, ALSTM}, smallConfig)
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.NoError(t, rows[0].Err)
	for _, r := range rows[1:] {
		if r.Err != nil {
			assert.True(t, errors.Is(r.Err, ErrModelKind), "%v", r.Err)
			assert.True(t, math.IsNaN(r.IC))
		}
	}
}

// sameBits fails unless a and b are bit-for-bit equal (NaN matches NaN).
func sameBits(t *testing.T, a, b []float64, msg string, args ...any) {
	t.Helper()
	require.Len(t, b, len(a))
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			t.Fatalf("[%d] %v != %v: "+msg, append([]any{i, a[i], b[i]}, args...)...)
		}
	}
}

func TestWriteReport(t *testing.T) {
	ds, err := BuildDataset(loadFixture(t), 0)
	require.NoError(t, err)
	results, rows, err := RunAll(context.Background(), ds, []string{Linear, ALSTM}, smallConfig)
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "out")
	rep := &Report{Title: "test", Source: "testdata", Notes: []string{"a note"}, Rows: rows, Results: results}
	require.NoError(t, WriteReport(dir, rep))
	for _, f := range []string{FileTable, FileJSON, FileCumExcess + ".png", FileCumExcess + ".svg", FileIC + ".png", FileIC + ".svg"} {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
		assert.Greater(t, st.Size(), int64(100), f)
	}
	md, err := os.ReadFile(filepath.Join(dir, FileTable))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| linear |")
	var js map[string]any
	b, err := os.ReadFile(filepath.Join(dir, FileJSON))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &js))
	assert.Len(t, js["table"], 2)
}

func ExampleWriteTable() {
	rows := []Row{{Model: "linear", IC: 0.0123, ICIR: 0.101, RankIC: 0.0111, RankICIR: 0.09,
		ExcessReturn: 0.052, IR: 0.8, MaxDD: 0.12, ExcessMaxDD: 0.07, Turnover: 50.2, Epochs: 7, TrainTime: 1500 * time.Millisecond}}
	_ = WriteTable(os.Stdout, rows)
	// Output:
	// | model | IC | ICIR | Rank IC | Rank ICIR | excess return (ann.) | IR | max drawdown | excess max DD | turnover (ann.) | epochs | train time |
	// |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
	// | linear | 0.0123 | 0.101 | 0.0111 | 0.090 | 5.20% | 0.80 | 12.00% | 7.00% | 50.2 | 7 | 1.5s |
}
