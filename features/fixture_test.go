package features

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFixtureReference checks indicators on real AAPL prices against values
// computed independently by testdata/reference.py (plain Python loops from
// the textbook formulas; run `/usr/bin/python3 testdata/reference.py` in
// this directory to reproduce them). The script prints 12 significant
// digits, hence the tolerances.
func TestFixtureReference(t *testing.T) {
	b := loadFixture(t)
	require.Len(t, b.Close, 300)
	c := b.Close
	macd, sig, hist := MACD(c, 12, 26, 9)
	cols := map[string][]float64{
		"logret": LogReturns(c),
		"sma20":  RollingMean(c, 20),
		"std20":  RollingStd(c, 20),
		"min20":  RollingMin(c, 20),
		"max20":  RollingMax(c, 20),
		"z20":    RollingZScore(c, 20),
		"pctb20": BollingerPercentB(c, 20, 2),
		"volz20": VolumeZScore(b.Volume, 20),
		"ema12":  EMA(c, 12),
		"rsi14":  RSI(c, 14),
		"atr14":  ATR(b.High, b.Low, c, 14),
		"macd":   macd,
		"sig":    sig,
		"hist":   hist,
		"fwd5":   ForwardReturn(c, 5),
	}
	tests := []struct {
		col  string
		t    int
		want float64
	}{
		{"logret", 19, 0.00263829049035},
		{"sma20", 19, 64.068855},
		{"std20", 19, 2.46851019965},
		{"min20", 19, 60.0071},
		{"max20", 19, 68.5614},
		{"z20", 19, -0.970081063608},
		{"pctb20", 19, 0.257479734098},
		{"volz20", 19, -0.861525046307},
		{"ema12", 19, 62.615486864},
		{"rsi14", 19, 32.0502464836},
		{"atr14", 19, 1.48737221647},
		{"fwd5", 19, 0.0276566214073},
		{"sma20", 60, 60.672765},
		{"std20", 60, 3.0718600289},
		{"z20", 60, 1.57876171257},
		{"rsi14", 60, 64.8829224183},
		{"atr14", 60, 1.65453900706},
		{"macd", 60, 0.763504378115},
		{"sig", 60, -0.180029510826},
		{"hist", 60, 0.943533888942},
		{"min20", 150, 66.4142},
		{"max20", 150, 72.5342},
		{"pctb20", 150, -0.0764538739539},
		{"volz20", 150, -0.472330932063},
		{"ema12", 150, 69.2352291783},
		{"rsi14", 150, 40.6167733989},
		{"hist", 150, -0.780882169865},
		{"fwd5", 150, 0.00539944770847},
		{"logret", 299, 0.011361594595},
		{"std20", 299, 1.26778931808},
		{"z20", 299, -0.720060491901},
		{"volz20", 299, 0.639336169429},
		{"rsi14", 299, 46.2778484137},
		{"atr14", 299, 1.0645558144},
		{"macd", 299, -0.461715702214},
		{"sig", 299, -0.259655035373},
		{"hist", 299, -0.202060666841},
	}
	for _, tc := range tests {
		t.Run(tc.col+"@"+strconv.Itoa(tc.t), func(t *testing.T) {
			got := cols[tc.col][tc.t]
			assert.InDelta(t, tc.want, got, 1e-10*math.Max(1, math.Abs(tc.want)))
		})
	}
	// Warm-up boundaries of the same columns.
	assert.True(t, math.IsNaN(cols["sma20"][18]))
	assert.True(t, math.IsNaN(cols["rsi14"][13]))
	assert.False(t, math.IsNaN(cols["rsi14"][14]))
	assert.True(t, math.IsNaN(cols["atr14"][12]))
	assert.False(t, math.IsNaN(cols["atr14"][13]))
	assert.True(t, math.IsNaN(cols["hist"][32]))
	assert.False(t, math.IsNaN(cols["hist"][33]))
	assert.False(t, math.IsNaN(cols["fwd5"][294]))
	assert.True(t, math.IsNaN(cols["fwd5"][295]))
}

// TestAgreesWithGota compares RollingMean and RollingStd with gota's
// Rolling(20) on the fixture (gota's StdDev is also the sample std).
func TestAgreesWithGota(t *testing.T) {
	c := loadFixture(t).Close
	s := series.Floats(c)
	gm := s.Rolling(20).Mean().Float()
	gs := s.Rolling(20).StdDev().Float()
	m, sd := RollingMean(c, 20), RollingStd(c, 20)
	for i := 19; i < len(c); i++ {
		assert.InDelta(t, gm[i], m[i], 1e-10, "mean[%d]", i)
		assert.InDelta(t, gs[i], sd[i], 1e-10, "std[%d]", i)
	}
}

// dataDir finds the shared data directory: $DEEPFIN_DATA, else
// ../../shared/data relative to this package.
func dataDir() string {
	if d := os.Getenv("DEEPFIN_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "shared", "data")
}

// TestStandardFullAAPL runs Standard over the whole AAPL file (1259 bars,
// including the 7:1 split of June 2014 as the file records it).
func TestStandardFullAAPL(t *testing.T) {
	path := filepath.Join(dataDir(), "markets", "sp500_5yr", "AAPL_data.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("needs ../shared/data/markets/sp500_5yr/AAPL_data.csv (or $DEEPFIN_DATA): %v", err)
	}
	b := loadCSV(t, path)
	tab := Standard(b)
	require.Equal(t, StandardNames(), tab.Names)
	for j, col := range tab.Cols {
		for i, v := range col {
			require.False(t, math.IsInf(v, 0), "%s[%d] is Inf", tab.Names[j], i)
			if i >= StandardWarmup {
				require.False(t, math.IsNaN(v), "%s[%d] is NaN", tab.Names[j], i)
			}
		}
	}
}
