package finance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sharedData returns the real-data directory: $DEEPFIN_DATA, else
// ../../shared/data relative to this package. It skips the test when the
// directory is absent.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("DEEPFIN_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	if _, err := os.Stat(filepath.Join(dir, "markets")); err != nil {
		tb.Skipf("needs ../shared/data/markets (or $DEEPFIN_DATA): %v", err)
	}
	return dir
}

const gspcFile = "sp500_index_gspc_daily_1950_2020.csv"

// TestRealData loads every sp500_5yr file and the ^GSPC file and checks the
// row counts stated in shared/data/README.md.
func TestRealData(t *testing.T) {
	markets := filepath.Join(sharedData(t), "markets")
	dir := filepath.Join(markets, "sp500_5yr")

	// Every file loads cleanly on its own with default options, except
	// BHF's incomplete row.
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	want := map[string]int{"ALLE": 1063, "BMY": 1257, "CFG": 850, "BHGE": 152, "BHF": 143, "APTV": 44}
	files, total := 0, 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		files++
		md, err := LoadOHLCV(filepath.Join(dir, e.Name()), LoadOptions{})
		ticker := strings.TrimSuffix(e.Name(), "_data.csv")
		if ticker == "BHF" {
			require.ErrorIs(t, err, ErrMissingValue)
			assert.Contains(t, err.Error(), "BHF_data.csv:9: column \"open\": missing value")
			continue
		}
		require.NoError(t, err, e.Name())
		s, ok := md.Lookup(ticker)
		require.True(t, ok, ticker)
		n, ok := want[ticker]
		if !ok {
			n = 1259
		}
		assert.Equal(t, n, s.Len(), ticker)
		total += s.Len()
		for _, w := range md.Warnings {
			require.Equal(t, WarnOHLC, w.Kind, w.String())
		}
	}
	assert.Equal(t, 100, files)

	// The whole directory: fails on BHF by default, loads with
	// DropIncomplete.
	_, err = LoadOHLCV(dir, LoadOptions{})
	require.ErrorIs(t, err, ErrMissingValue)
	md, err := LoadOHLCV(dir, LoadOptions{DropIncomplete: true})
	require.NoError(t, err)
	assert.Len(t, md.Series, 100)
	dropped, ohlc := 0, 0
	for _, w := range md.Warnings {
		switch w.Kind {
		case WarnDropped:
			dropped++
		case WarnOHLC:
			ohlc++
		default:
			t.Errorf("unexpected warning %s", w)
		}
	}
	assert.Equal(t, 1, dropped)
	assert.Equal(t, 4, ohlc, "AOS, BBY, CHD, CHK")
	assert.Equal(t, 121855, md.Bars()+dropped)
	assert.Equal(t, 121855-143, total)
	rows, _ := md.Frame.Dims()
	assert.Equal(t, md.Bars(), rows)

	g, err := LoadOHLCV(filepath.Join(markets, gspcFile), LoadOptions{Ticker: "^GSPC"})
	require.NoError(t, err)
	assert.Empty(t, g.Warnings)
	gs := g.Series[0]
	assert.Equal(t, 17827, gs.Len())
	assert.Equal(t, date(1950, 1, 3), gs.Time[0])
	assert.Equal(t, date(2020, 11, 4), gs.Time[gs.Len()-1])
	assert.Equal(t, gs.Close, gs.AdjClose, "README: Adj Close always equals Close")
}

func BenchmarkLoadGSPC(b *testing.B) {
	name := filepath.Join(sharedData(b), "markets", gspcFile)
	data, err := os.ReadFile(name)
	require.NoError(b, err)
	benchmarkRead(b, data, name)
}

func BenchmarkReadFixture(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "gspc.csv"))
	require.NoError(b, err)
	benchmarkRead(b, data, "gspc.csv")
}

func benchmarkRead(b *testing.B, data []byte, name string) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	bars := 0
	for b.Loop() {
		md, err := ReadOHLCV(strings.NewReader(string(data)), name, LoadOptions{Ticker: "^GSPC"})
		if err != nil {
			b.Fatal(err)
		}
		bars = md.Bars()
	}
	b.ReportMetric(float64(bars), "bars/op")
	b.ReportMetric(float64(bars)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
