package features

import (
	"encoding/csv"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// nan is shorthand for expected NaN values in tables.
var nan = math.NaN()

// loadFixture reads testdata/aapl_300.csv: the first 300 daily bars of
// AAPL (2013-02-08 .. 2014-04-17) cut from the sp500_5yr dataset.
func loadFixture(t testing.TB) OHLCV {
	t.Helper()
	return loadCSV(t, "testdata/aapl_300.csv")
}

// loadCSV reads a sp500_5yr file (date,open,high,low,close,volume,Name).
func loadCSV(t testing.TB, path string) OHLCV {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"date", "open", "high", "low", "close", "volume", "Name"}, recs[0])
	var b OHLCV
	cols := []*[]float64{&b.Open, &b.High, &b.Low, &b.Close, &b.Volume}
	for i, r := range recs[1:] {
		for j, dst := range cols {
			v, err := strconv.ParseFloat(r[j+1], 64)
			require.NoError(t, err, "row %d col %d", i+2, j+1)
			*dst = append(*dst, v)
		}
	}
	return b
}

// assertClose fails unless got and want agree within tol elementwise,
// with NaN matching NaN only.
func assertClose(t *testing.T, want, got []float64, tol float64) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		if math.IsNaN(want[i]) {
			if !math.IsNaN(got[i]) {
				t.Errorf("[%d]: got %v, want NaN", i, got[i])
			}
			continue
		}
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol {
			t.Errorf("[%d]: got %.15g, want %.15g (tol %g)", i, got[i], want[i], tol)
		}
	}
}

// randomWalk returns n positive prices from a seeded geometric random
// walk starting at 100.
func randomWalk(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, n)
	p := 100.0
	for i := range x {
		p *= math.Exp(0.01 * r.NormFloat64())
		x[i] = p
	}
	return x
}

// withHoles returns a copy of x with NaN at the given indices.
func withHoles(x []float64, idx ...int) []float64 {
	y := append([]float64(nil), x...)
	for _, i := range idx {
		y[i] = math.NaN()
	}
	return y
}
