package features

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAlphaNames(t *testing.T) {
	names := AlphaNames(Alpha158Windows())
	require.Len(t, names, 158)
	assert.Equal(t, "kmid", names[0])
	assert.Equal(t, "tp0", names[12])
	assert.Equal(t, "roc5", names[13])
	assert.Equal(t, "vsumd60", names[157])
	tab := Alpha158(loadFixture(t))
	assert.Equal(t, names, tab.Names)
}

// TestAlphaHandComputed checks every operator on a 6-bar series whose
// values can be worked out by hand, with window 3.
func TestAlphaHandComputed(t *testing.T) {
	b := OHLCV{
		Open:   []float64{10, 11, 12, 11, 13, 12},
		High:   []float64{11, 12, 13, 12, 14, 13},
		Low:    []float64{9, 10, 11, 10, 12, 11},
		Close:  []float64{10, 12, 11, 12, 13, 12},
		Volume: []float64{100, 200, 100, 300, 300, 200},
	}
	tab := Alpha(b, []int{3})
	col := func(name string) []float64 {
		c := tab.Col(name)
		require.NotNil(t, c, name)
		return c
	}
	// Window 3 ending at bar 4: closes 11, 12, 13; highs 13, 12, 14;
	// lows 11, 10, 12; volumes 100, 300, 300.
	// Window ending at bar 5: closes 12, 13, 12.
	tests := []struct {
		name string
		t    int
		want float64
	}{
		{"kmid", 1, (12.0 - 11) / 11},
		{"klen", 1, 2.0 / 11},
		{"kmid2", 1, 1 / (2 + eps)},
		{"kup", 2, (13.0 - 12) / 12},
		{"klow2", 2, (11.0 - 11) / (2 + eps)},
		{"ksft", 3, (24.0 - 12 - 10) / 11},
		{"open0", 4, 1},
		{"high0", 4, 14.0 / 13},
		{"tp0", 5, 12.0 / 12},
		{"roc3", 3, 10.0 / 12},
		{"roc3", 2, nan},
		{"ma3", 4, 12.0 / 13},
		{"std3", 4, 1.0 / 13},
		// Slope of 11, 12, 13 on 0, 1, 2 is 1; a perfect fit.
		{"beta3", 4, 1.0 / 13},
		{"rsqr3", 4, 1},
		{"resi3", 4, 0},
		// 12, 13, 12: slope 0, R² 0, fitted value 37/3.
		{"beta3", 5, 0},
		{"rsqr3", 5, 0},
		{"resi3", 5, (12 - 37.0/3) / 12},
		{"max3", 4, 14.0 / 13},
		{"min3", 4, 10.0 / 13},
		// Sorted 11, 12, 13: q0.8 at position 1.6 -> 12.6; q0.2 at 0.4 -> 11.4.
		{"qtlu3", 4, 12.6 / 13},
		{"qtld3", 4, 11.4 / 13},
		{"rank3", 4, 1},
		// 12, 12, 13 sorted with 12 last: ranks 1 and 2 tie at 1.5.
		{"rank3", 5, 1.5 / 3},
		{"rsv3", 4, (13.0 - 10) / (14 - 10 + eps)},
		// Highs 13, 12, 14: max at position 3; lows 11, 10, 12: min at 2.
		{"imax3", 4, 3.0 / 3},
		{"imin3", 4, 2.0 / 3},
		{"imxd3", 4, 1.0 / 3},
		// Changes over bars 2..4: -1, +1, +1.
		{"cntp3", 4, 2.0 / 3},
		{"cntn3", 4, 1.0 / 3},
		{"cntd3", 4, 1.0 / 3},
		{"sump3", 4, 2 / (3 + eps)},
		{"sumn3", 4, 1 / (3 + eps)},
		{"sumd3", 4, 1 / (3 + eps)},
		// Bars 1..3 see closes 12, 11, 12 and log volumes of 201, 101, 301.
		{"cntp3", 3, 2.0 / 3},
		{"vma3", 4, (700.0 / 3) / (300 + eps)},
		{"vstd3", 4, math.Sqrt(40000.0/3) / (300 + eps)},
		// Volume changes over bars 2..4: -100, +200, 0.
		{"vsump3", 4, 200 / (300 + eps)},
		{"vsumn3", 4, 100 / (300 + eps)},
		{"vsumd3", 4, 100 / (300 + eps)},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s@%d", tc.name, tc.t), func(t *testing.T) {
			got := col(tc.name)[tc.t]
			if math.IsNaN(tc.want) {
				assert.True(t, math.IsNaN(got), "got %v, want NaN", got)
				return
			}
			assert.InDelta(t, tc.want, got, 1e-12)
		})
	}

	// corr3 at bar 3: closes 12, 11, 12 against ln(201), ln(101), ln(301).
	x := []float64{12, 11, 12}
	y := []float64{math.Log(201), math.Log(101), math.Log(301)}
	assert.InDelta(t, pearson(x, y), col("corr3")[3], 1e-12)
	// The same column is NaN where closes are flat... none here; check
	// the warm-up instead.
	assert.True(t, math.IsNaN(col("corr3")[1]))
}

// pearson is the textbook correlation, for the test above.
func pearson(x, y []float64) float64 {
	mx, my := 0.0, 0.0
	for i := range x {
		mx += x[i] / float64(len(x))
		my += y[i] / float64(len(y))
	}
	sxy, sxx, syy := 0.0, 0.0, 0.0
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// TestAlpha158MatchesPandas compares every column on five rows of the AAPL
// fixture with values computed by the independent pandas implementation
// in scripts/alpha158_pandas.py, stored in testdata/alpha158_pandas.csv
// (regenerate: cd features && /usr/bin/python3
// ../scripts/alpha158_pandas.py --golden testdata/aapl_300.csv 4 30 60
// 150 299 > testdata/alpha158_pandas.csv).
func TestAlpha158MatchesPandas(t *testing.T) {
	f, err := os.Open("testdata/alpha158_pandas.csv")
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	tab := Alpha158(loadFixture(t))
	require.Equal(t, tab.Names, recs[0][1:])
	for _, rec := range recs[1:] {
		row, err := strconv.Atoi(rec[0])
		require.NoError(t, err)
		for j, s := range rec[1:] {
			want, err := strconv.ParseFloat(s, 64)
			require.NoError(t, err)
			got := tab.Cols[j][row]
			name := tab.Names[j]
			if math.IsNaN(want) {
				assert.True(t, math.IsNaN(got), "%s row %d: got %v, want NaN", name, row, got)
				continue
			}
			// pandas' rolling sums update incrementally, so agreement is
			// to about 1e-9 relative; counts and ranks match exactly.
			assert.InDelta(t, want, got, 1e-9*math.Max(1, math.Abs(want)), "%s row %d", name, row)
		}
	}
}

// TestAlpha158Warmup: on the gap-free fixture, row Alpha158Warmup is the
// first row without NaN.
func TestAlpha158Warmup(t *testing.T) {
	tab := Alpha158(loadFixture(t))
	complete := func(r int) bool {
		for _, c := range tab.Cols {
			if math.IsNaN(c[r]) {
				return false
			}
		}
		return true
	}
	assert.False(t, complete(Alpha158Warmup-1))
	for r := Alpha158Warmup; r < tab.Len(); r++ {
		require.True(t, complete(r), "row %d", r)
	}
}

// TestAlphaNoLookAhead perturbs every bar after t and requires every
// Alpha158 value at bars <= t to stay bit-for-bit identical, on clean
// data and with holes. The cut runs every third bar to keep it fast.
func TestAlphaNoLookAhead(t *testing.T) {
	clean := loadFixture(t)
	holey := OHLCV{
		Open:   withHoles(clean.Open, 70),
		High:   withHoles(clean.High, 71, 180),
		Low:    withHoles(clean.Low, 72),
		Close:  withHoles(clean.Close, 90, 91, 230),
		Volume: withHoles(clean.Volume, 100),
	}
	for name, in := range map[string]OHLCV{"clean": clean, "holes": holey} {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(45, 1))
			base := Alpha158(in).Cols
			for cut := 0; cut < len(in.Close); cut += 3 {
				got := Alpha158(perturbAfter(in, cut, r)).Cols
				for j := range base {
					for i := 0; i <= cut; i++ {
						if math.Float64bits(got[j][i]) != math.Float64bits(base[j][i]) {
							t.Fatalf("column %d at bar %d changed (%v -> %v) when bars > %d changed",
								j, i, base[j][i], got[j][i], cut)
						}
					}
				}
			}
		})
	}
}

func TestAlphaPanics(t *testing.T) {
	b := loadFixture(t)
	assert.Panics(t, func() { Alpha(b, []int{1}) })
	short := b
	short.Volume = short.Volume[:10]
	assert.Panics(t, func() { Alpha158(short) })
}

func BenchmarkAlpha158(b *testing.B) {
	in := loadFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		Alpha158(in)
	}
	b.ReportMetric(float64(len(in.Close)), "bars/op")
}

// TestRollingSignsFlat: a window of zero changes after large ones gives
// exact zeros despite the sliding sums.
func TestRollingSignsFlat(t *testing.T) {
	x := []float64{nan, 0.3, -0.7, 0.1, 0, 0, 0, 0.2}
	p, n, d := rollingSigns(x, 3, false)
	assertClose(t, []float64{nan, nan, nan, 0.4 / (1.1 + eps), 0.1 / (0.8 + eps), 0.1 / (0.1 + eps), 0, 0.2 / (0.2 + eps)}, p, 1e-12)
	assert.Equal(t, 0.0, n[6])
	assert.Equal(t, 0.0, d[6])
}
