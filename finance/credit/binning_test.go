package credit

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitBinningNumericHand(t *testing.T) {
	// 1..5: 4 goods 1 bad; 6..10: 1 good 4 bads
	d := numData([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, []int{0, 0, 0, 1, 0, 0, 1, 1, 1, 1})
	b, err := FitBinning(d, nil, BinningConfig{FineClasses: 2, MinBinShare: 0.1})
	require.NoError(t, err)
	a := b.Attributes[0]
	require.Len(t, a.Bins, 2)
	assert.Equal(t, TrendAscending, a.Trend)
	assert.True(t, math.IsInf(a.Bins[0].Lo, -1))
	assert.InDelta(t, 5, a.Bins[0].Hi, tol)
	assert.True(t, math.IsInf(a.Bins[1].Hi, 1))
	// smoothing 0.5, two bins: shares (4.5/6, 1.5/6) and (1.5/6, 4.5/6)
	assert.InDelta(t, math.Log(3), a.Bins[0].WoE, tol)
	assert.InDelta(t, -math.Log(3), a.Bins[1].WoE, tol)
	assert.InDelta(t, 0.5*math.Log(3), a.Bins[0].IV, tol)
	assert.InDelta(t, math.Log(3), a.IV, tol)
	assert.Equal(t, "(-inf, 5]", a.Bins[0].Label())
	assert.Equal(t, "(5, +inf)", a.Bins[1].Label())

	cases := []struct {
		name string
		v    Value
		want int
	}{
		{"below range", Num(-3), 0},
		{"on the edge", Num(5), 0},
		{"just above", Num(5.0001), 1},
		{"above range", Num(1e9), 1},
		{"missing goes to worst bin", Missing(), 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, a.BinOf(tc.v))
		})
	}
}

func TestFitBinningMissingBin(t *testing.T) {
	d := numData([]float64{1, 2, 3, 4, nan, nan}, []int{0, 0, 1, 1, 1, 0})
	b, err := FitBinning(d, nil, BinningConfig{FineClasses: 2, MinBinShare: 0.1})
	require.NoError(t, err)
	a := b.Attributes[0]
	require.Len(t, a.Bins, 3)
	assert.True(t, a.HasMissingBin())
	assert.True(t, a.Bins[2].Missing)
	assert.Equal(t, 1, a.Bins[2].Goods)
	assert.Equal(t, 1, a.Bins[2].Bads)
	assert.Equal(t, 2, a.BinOf(Missing()))
	// G = B = 3, k = 3: missing bin shares 1.5/4.5 each, WoE 0
	assert.InDelta(t, 0, a.Bins[2].WoE, tol)
	assert.Equal(t, "missing", a.Bins[2].Label())
}

func TestFitBinningMonotonic(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	y := []int{0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1}
	cases := []struct {
		name  string
		trend Trend
		his   []float64
		rates []float64
	}{
		// fine classes of two rows: rates 0, .5, 0, .5, 1, 1; pooling
		// merges (3..6) and (9..12)
		{"auto is ascending", TrendAuto, []float64{2, 6, 8, math.Inf(1)}, []float64{0, 0.25, 0.5, 1}},
		{"forced ascending", TrendAscending, []float64{2, 6, 8, math.Inf(1)}, []float64{0, 0.25, 0.5, 1}},
		{"descending pools to one bin", TrendDescending, []float64{math.Inf(1)}, []float64{0.5}},
		{"none keeps fine classes", TrendNone, []float64{2, 4, 6, 8, 10, math.Inf(1)}, []float64{0, 0.5, 0, 0.5, 1, 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := FitBinning(numData(x, y), nil, BinningConfig{FineClasses: 6, MinBinShare: 0.1, Trend: tc.trend})
			require.NoError(t, err)
			a := b.Attributes[0]
			require.Len(t, a.Bins, len(tc.his))
			for i, bn := range a.Bins {
				assert.InDelta(t, tc.his[i], bn.Hi, tol, "bin %d hi", i)
				assert.InDelta(t, tc.rates[i], bn.BadRate(), tol, "bin %d rate", i)
			}
		})
	}
}

func TestFitBinningMinShareAndMaxBins(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	y := []int{0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1}
	b, err := FitBinning(numData(x, y), nil, BinningConfig{FineClasses: 6, MinBinShare: 0.25, Trend: TrendNone})
	require.NoError(t, err)
	for _, bn := range b.Attributes[0].Bins {
		assert.GreaterOrEqual(t, bn.Goods+bn.Bads, 3, "bin %s", bn.Label())
	}
	b, err = FitBinning(numData(x, y), nil, BinningConfig{FineClasses: 6, MinBinShare: 0.1, MaxBins: 2})
	require.NoError(t, err)
	assert.Len(t, b.Attributes[0].Bins, 2)
}

func TestFitBinningCategoricalHand(t *testing.T) {
	// A: 3 goods 1 bad; B: 1 good 3 bads; C: 1 good (rare)
	c := []string{"A", "A", "A", "A", "B", "B", "B", "B", "C"}
	y := []int{0, 0, 0, 1, 0, 1, 1, 1, 0}
	b, err := FitBinning(catData(c, y), nil, BinningConfig{MinBinShare: 0.2})
	require.NoError(t, err)
	a := b.Attributes[0]
	require.Len(t, a.Bins, 2)
	assert.Equal(t, []string{"A", "C"}, a.Bins[0].Categories)
	assert.Equal(t, []string{"B"}, a.Bins[1].Categories)
	// G = 5, B = 4, smoothing 0.5 over 2 bins: denominators 6 and 5
	woeAC := math.Log((4.5 / 6) / (1.5 / 5))
	woeB := math.Log((1.5 / 6) / (3.5 / 5))
	assert.InDelta(t, woeAC, a.Bins[0].WoE, tol)
	assert.InDelta(t, woeB, a.Bins[1].WoE, tol)
	assert.InDelta(t, (4.5/6-1.5/5)*woeAC+(1.5/6-3.5/5)*woeB, a.IV, tol)
	assert.InDelta(t, 0.87566, a.IV, 1e-5) // 0.45·0.91629 + 0.45·1.02962
	assert.Equal(t, 0, a.BinOf(Cat("C")))
	assert.Equal(t, 1, a.BinOf(Cat("unseen")), "unseen category goes to the worst bin")
	assert.Equal(t, 1, a.BinOf(Cat("")), "missing without missing bin goes to the worst bin")
	assert.Equal(t, "A, C", a.Bins[0].Label())
}

func TestFitBinningTrainRowsOnly(t *testing.T) {
	x := []float64{1, 2, 3, 4, 100, 200}
	y := []int{0, 0, 1, 1, 1, 0}
	b, err := FitBinning(numData(x, y), []int{0, 1, 2, 3}, BinningConfig{FineClasses: 2, MinBinShare: 0.1})
	require.NoError(t, err)
	assert.Equal(t, 2, b.Goods)
	assert.Equal(t, 2, b.Bads)
	assert.InDelta(t, 2, b.Attributes[0].Bins[0].Hi, tol)
}

func TestFitBinningErrors(t *testing.T) {
	d := numData([]float64{1, 2}, []int{0, 1})
	cases := []struct {
		name string
		rows []int
		cfg  BinningConfig
		want error
	}{
		{"one fine class", nil, BinningConfig{FineClasses: 1}, ErrInvalidOption},
		{"share too big", nil, BinningConfig{MinBinShare: 0.5}, ErrInvalidOption},
		{"negative share", nil, BinningConfig{MinBinShare: -0.1}, ErrInvalidOption},
		{"negative smoothing", nil, BinningConfig{Smoothing: -1}, ErrInvalidOption},
		{"negative max bins", nil, BinningConfig{MaxBins: -1}, ErrInvalidOption},
		{"one class only", []int{0}, BinningConfig{}, ErrTarget},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FitBinning(d, tc.rows, tc.cfg)
			require.ErrorIs(t, err, tc.want)
		})
	}
}

func TestIVTable(t *testing.T) {
	d := loadFixture(t)
	b, err := FitBinning(d, nil, BinningConfig{})
	require.NoError(t, err)
	tab := b.IVTable()
	require.Len(t, tab, 20)
	assert.Contains(t, []string{"checking_status", "duration_months"}, tab[0].Attribute)
	for i := 1; i < len(tab); i++ {
		assert.GreaterOrEqual(t, tab[i-1].IV, tab[i].IV)
	}
	for _, a := range b.Attributes {
		sum := 0.0
		for _, bn := range a.Bins {
			sum += bn.IV
			assert.GreaterOrEqual(t, bn.IV, 0.0)
		}
		assert.InDelta(t, a.IV, sum, 1e-12)
		if a.Kind == Numeric && a.Trend != TrendNone {
			nm := a.Bins
			for i := 1; i < len(nm); i++ {
				if a.Trend == TrendAscending {
					assert.Greater(t, nm[i].BadRate(), nm[i-1].BadRate(), "%s", a.Name)
				} else {
					assert.Less(t, nm[i].BadRate(), nm[i-1].BadRate(), "%s", a.Name)
				}
			}
		}
	}
}

func TestStrength(t *testing.T) {
	cases := []struct {
		iv   float64
		want string
	}{{0.01, "useless"}, {0.05, "weak"}, {0.2, "medium"}, {0.4, "strong"}, {0.9, "suspicious"}}
	for _, tc := range cases {
		assert.Equal(t, tc.want, Strength(tc.iv), "IV %v", tc.iv)
	}
}
