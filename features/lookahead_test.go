package features

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// perturbAfter returns a copy of b in which every value at a bar > t is
// multiplied by a random factor in [0.5, 1.5) or, one time in twenty,
// replaced by NaN. The random source is seeded by the caller.
func perturbAfter(b OHLCV, t int, r *rand.Rand) OHLCV {
	f := func(x []float64) []float64 {
		y := append([]float64(nil), x...)
		for i := t + 1; i < len(y); i++ {
			if r.IntN(20) == 0 {
				y[i] = math.NaN()
			} else {
				y[i] *= 0.5 + r.Float64()
			}
		}
		return y
	}
	return OHLCV{Open: f(b.Open), High: f(b.High), Low: f(b.Low), Close: f(b.Close), Volume: f(b.Volume)}
}

// causalCases lists every feature function, each mapping bars to one or
// more output columns.
func causalCases() []struct {
	name string
	f    func(OHLCV) [][]float64
} {
	one := func(x []float64) [][]float64 { return [][]float64{x} }
	return []struct {
		name string
		f    func(OHLCV) [][]float64
	}{
		{"SimpleReturns", func(b OHLCV) [][]float64 { return one(SimpleReturns(b.Close)) }},
		{"LogReturns", func(b OHLCV) [][]float64 { return one(LogReturns(b.Close)) }},
		{"Lag", func(b OHLCV) [][]float64 { return one(Lag(b.Close, 3)) }},
		{"RollingMean", func(b OHLCV) [][]float64 { return one(RollingMean(b.Close, 20)) }},
		{"RollingStd", func(b OHLCV) [][]float64 { return one(RollingStd(b.Close, 20)) }},
		{"RollingStd2", func(b OHLCV) [][]float64 { return one(RollingStd(b.Close, 2)) }},
		{"RollingMin", func(b OHLCV) [][]float64 { return one(RollingMin(b.Low, 10)) }},
		{"RollingMax", func(b OHLCV) [][]float64 { return one(RollingMax(b.High, 10)) }},
		{"RollingZScore", func(b OHLCV) [][]float64 { return one(RollingZScore(b.Close, 20)) }},
		{"EMA", func(b OHLCV) [][]float64 { return one(EMA(b.Close, 12)) }},
		{"RSI", func(b OHLCV) [][]float64 { return one(RSI(b.Close, 14)) }},
		{"MACD", func(b OHLCV) [][]float64 {
			m, s, h := MACD(b.Close, 12, 26, 9)
			return [][]float64{m, s, h}
		}},
		{"BollingerPercentB", func(b OHLCV) [][]float64 { return one(BollingerPercentB(b.Close, 20, 2)) }},
		{"ATR", func(b OHLCV) [][]float64 { return one(ATR(b.High, b.Low, b.Close, 14)) }},
		{"VolumeZScore", func(b OHLCV) [][]float64 { return one(VolumeZScore(b.Volume, 20)) }},
		{"Standard", func(b OHLCV) [][]float64 { return Standard(b).Cols }},
		// Transform is per row; a fixed scaler must add no look-ahead.
		{"Transform", func(b OHLCV) [][]float64 {
			s := &StandardScaler{Mean: []float64{100, 0}, Std: []float64{10, 0}}
			return s.Transform([][]float64{b.Close, b.Volume})
		}},
	}
}

// TestNoLookAhead perturbs every value after bar t, for every t, and
// requires every output at bars <= t to stay bit-for-bit identical. It
// runs on the clean fixture and on one with holes, so the restart paths
// are covered too.
func TestNoLookAhead(t *testing.T) {
	clean := loadFixture(t)
	holey := OHLCV{
		Open:   withHoles(clean.Open, 40),
		High:   withHoles(clean.High, 41, 150),
		Low:    withHoles(clean.Low, 42),
		Close:  withHoles(clean.Close, 50, 51, 200),
		Volume: withHoles(clean.Volume, 60),
	}
	inputs := map[string]OHLCV{"clean": clean, "holes": holey}
	for inName, in := range inputs {
		for _, tc := range causalCases() {
			t.Run(inName+"/"+tc.name, func(t *testing.T) {
				r := rand.New(rand.NewPCG(42, 1))
				base := tc.f(in)
				n := len(in.Close)
				for cut := 0; cut < n; cut++ {
					got := tc.f(perturbAfter(in, cut, r))
					require.Len(t, got, len(base))
					for j := range base {
						for i := 0; i <= cut; i++ {
							if math.Float64bits(got[j][i]) != math.Float64bits(base[j][i]) {
								t.Fatalf("output %d at bar %d changed (%v -> %v) when bars > %d changed",
									j, i, base[j][i], got[j][i], cut)
							}
						}
					}
				}
			})
		}
	}
}

// TestWindowsNoLookAhead: samples ending at bars <= t do not change when
// features after t change.
func TestWindowsNoLookAhead(t *testing.T) {
	in := loadFixture(t)
	target := ForwardReturn(in.Close, 1)
	r := rand.New(rand.NewPCG(43, 1))
	base, err := Windows(Standard(in).Cols, target, 10, 0, len(target))
	require.NoError(t, err)
	for cut := 0; cut < len(target); cut += 7 {
		p := perturbAfter(in, cut, r)
		got, err := Windows(Standard(p).Cols, target, 10, 0, len(target))
		require.NoError(t, err)
		row := base.Window * base.Features
		for i, e := range base.End {
			if e > cut {
				break
			}
			require.Equal(t, e, got.End[i])
			require.Equal(t, base.X[i*row:(i+1)*row], got.X[i*row:(i+1)*row], "sample ending at %d", e)
		}
	}
}

// TestForwardReturnReadsOnlyTToTPlusH: the documented exception. out[t]
// must not move when anything outside {t, t+h} moves, and must move when
// close[t+h] moves.
func TestForwardReturnReadsOnlyTToTPlusH(t *testing.T) {
	c := loadFixture(t).Close
	const h = 5
	base := ForwardReturn(c, h)
	r := rand.New(rand.NewPCG(44, 1))
	for tt := 0; tt+h < len(c); tt++ {
		y := append([]float64(nil), c...)
		for i := range y {
			if i != tt && i != tt+h {
				y[i] *= 0.5 + r.Float64()
			}
		}
		require.Equal(t, math.Float64bits(base[tt]), math.Float64bits(ForwardReturn(y, h)[tt]), "bar %d", tt)
		y[tt+h] *= 1.01
		assert.NotEqual(t, base[tt], ForwardReturn(y, h)[tt], "bar %d must depend on bar %d", tt, tt+h)
	}
}
