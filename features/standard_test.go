package features

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStandard(t *testing.T) {
	b := loadFixture(t)
	tab := Standard(b)
	require.Equal(t, StandardNames(), tab.Names)
	require.Len(t, tab.Cols, 10)
	assert.Equal(t, len(b.Close), tab.Len())

	// Row StandardWarmup-1 still has a NaN (the MACD histogram); from
	// StandardWarmup on, every column is finite on this gap-free data.
	assert.True(t, math.IsNaN(tab.Col(NameMACDHist)[StandardWarmup-1]))
	for j, c := range tab.Cols {
		for i := StandardWarmup; i < len(c); i++ {
			require.False(t, math.IsNaN(c[i]) || math.IsInf(c[i], 0), "%s[%d]", tab.Names[j], i)
		}
	}

	// Each column is the documented composition of the public functions.
	c := b.Close
	_, _, hist := MACD(c, 12, 26, 9)
	atr := ATR(b.High, b.Low, c, 14)
	rsi := RSI(c, 14)
	ret1 := LogReturns(c)
	const i = 120
	tests := []struct {
		name string
		want float64
	}{
		{NameRet1, math.Log(c[i] / c[i-1])},
		{NameRet5, math.Log(c[i] / c[i-5])},
		{NameRet20, math.Log(c[i] / c[i-20])},
		{NameRVol20, RollingStd(ret1, 20)[i]},
		{NameCloseZ20, RollingZScore(c, 20)[i]},
		{NameRSI14, rsi[i]/100 - 0.5},
		{NameMACDHist, hist[i] / c[i]},
		{NameBBPctB20, BollingerPercentB(c, 20, 2)[i]},
		{NameATR14, atr[i] / c[i]},
		{NameVolumeZ20, VolumeZScore(b.Volume, 20)[i]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, tab.Col(tc.name)[i], 1e-12)
		})
	}
}

// TestStandardScaleFree: multiplying every price by 7 (a currency change
// or an unadjusted split applied to the whole history) leaves every column
// unchanged up to rounding.
func TestStandardScaleFree(t *testing.T) {
	b := loadFixture(t)
	s := OHLCV{Volume: b.Volume}
	for _, p := range []struct {
		dst *[]float64
		src []float64
	}{
		{&s.Open, b.Open}, {&s.High, b.High}, {&s.Low, b.Low}, {&s.Close, b.Close},
	} {
		for _, v := range p.src {
			*p.dst = append(*p.dst, 7*v)
		}
	}
	a, z := Standard(b), Standard(s)
	for j := range a.Cols {
		assertClose(t, a.Cols[j], z.Cols[j], 1e-9)
	}
}

func TestStandardEdgeCases(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		tab := Standard(OHLCV{})
		assert.Len(t, tab.Cols, 10)
		assert.Equal(t, 0, tab.Len())
	})
	t.Run("flat volume gives 0", func(t *testing.T) {
		b := loadFixture(t)
		b.Volume = make([]float64, len(b.Close))
		v := Standard(b).Col(NameVolumeZ20)
		assert.True(t, math.IsNaN(v[18]))
		for _, x := range v[19:] {
			require.Equal(t, 0.0, x)
		}
	})
	t.Run("mismatched lengths panic", func(t *testing.T) {
		b := loadFixture(t)
		b.Volume = b.Volume[:10]
		assert.Panics(t, func() { Standard(b) })
	})
	t.Run("open may be nil", func(t *testing.T) {
		b := loadFixture(t)
		b.Open = nil
		assert.NotPanics(t, func() { Standard(b) })
	})
}
