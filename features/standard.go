package features

import "math"

// OHLCV holds one instrument's daily bars as parallel columns, oldest
// first, prices in the instrument's currency and volume in shares.
type OHLCV struct {
	Open, High, Low, Close, Volume []float64
}

// Standard column names, in the order Standard adds them.
const (
	// NameRet1 is the 1-bar log return ln(close[t]/close[t-1]).
	NameRet1 = "ret1"
	// NameRet5 is the 5-bar log return ln(close[t]/close[t-5]).
	NameRet5 = "ret5"
	// NameRet20 is the 20-bar log return ln(close[t]/close[t-20]).
	NameRet20 = "ret20"
	// NameRVol20 is the 20-bar sample std of ret1 (daily, not annualised).
	NameRVol20 = "rvol20"
	// NameCloseZ20 is RollingZScore(close, 20).
	NameCloseZ20 = "close_z20"
	// NameRSI14 is RSI(close, 14)/100 - 0.5, in -0.5..0.5.
	NameRSI14 = "rsi14"
	// NameMACDHist is the MACD(12, 26, 9) histogram divided by close.
	NameMACDHist = "macd_hist"
	// NameBBPctB20 is BollingerPercentB(close, 20, 2).
	NameBBPctB20 = "bb_pctb20"
	// NameATR14 is ATR(high, low, close, 14) divided by close.
	NameATR14 = "atr14"
	// NameVolumeZ20 is VolumeZScore(volume, 20).
	NameVolumeZ20 = "volume_z20"
)

// StandardWarmup is the number of leading bars for which some Standard
// column is NaN on gap-free data: the MACD histogram is the slowest
// (26-bar EMA, then a 9-bar signal EMA), so row 33 is the first complete
// one.
const StandardWarmup = 33

// StandardNames returns the names of the Standard columns in order (a new
// slice on each call).
func StandardNames() []string {
	return []string{NameRet1, NameRet5, NameRet20, NameRVol20, NameCloseZ20,
		NameRSI14, NameMACDHist, NameBBPctB20, NameATR14, NameVolumeZ20}
}

// Standard computes the default feature set of deepfin: ten causal,
// scale-free columns (see the Name constants) that do not depend on the
// price level or the currency, so one model can serve many tickers. Every
// column is NaN during its warm-up (the first StandardWarmup rows hold at
// least one NaN) and wherever an input it needs is missing; log returns of
// non-positive prices are NaN. Open is not used and may be nil.
//
// It panics if High, Low, Close and Volume (and Open when non-nil) differ
// in length.
func Standard(bars OHLCV) *Table {
	mustSameLen("Standard", bars.Close, bars.High, bars.Low, bars.Volume)
	if bars.Open != nil {
		mustSameLen("Standard", bars.Close, bars.Open)
	}
	c := bars.Close

	t := &Table{}
	ret1 := LogReturns(c)
	t.Add(NameRet1, ret1)
	t.Add(NameRet5, logReturnsOver(c, 5))
	t.Add(NameRet20, logReturnsOver(c, 20))
	t.Add(NameRVol20, RollingStd(ret1, 20))
	t.Add(NameCloseZ20, RollingZScore(c, 20))

	rsi := RSI(c, 14)
	for i := range rsi {
		rsi[i] = rsi[i]/100 - 0.5
	}
	t.Add(NameRSI14, rsi)

	_, _, hist := MACD(c, 12, 26, 9)
	t.Add(NameMACDHist, perClose(hist, c))
	t.Add(NameBBPctB20, BollingerPercentB(c, 20, 2))
	t.Add(NameATR14, perClose(ATR(bars.High, bars.Low, c, 14), c))
	t.Add(NameVolumeZ20, VolumeZScore(bars.Volume, 20))
	return t
}

// perClose divides x by close in place, giving NaN where the quotient is
// not finite (close 0 or missing), and returns x.
func perClose(x, close []float64) []float64 {
	for i := range x {
		if q := x[i] / close[i]; finite(q) {
			x[i] = q
		} else {
			x[i] = math.NaN()
		}
	}
	return x
}
