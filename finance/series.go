package finance

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// Series is one ticker's daily bars, sorted by date ascending with no
// duplicate dates. All slices have the same length, Len(). Prices are in
// the file's currency units (float64); Volume is in shares, NaN where the
// input had no volume.
type Series struct {
	// Ticker is the symbol, as written in the file's ticker column or as
	// given by LoadOptions.Ticker or derived from the file name.
	Ticker string
	// Time holds the bar dates at UTC midnight.
	Time []time.Time
	// Open, High, Low and Close are the bar prices, all > 0.
	Open, High, Low, Close []float64
	// Volume is the traded volume, >= 0, or NaN when missing. It is never
	// nil for a loaded series: a file without a volume column gives an
	// all-NaN slice.
	Volume []float64
	// AdjClose is the adjusted close, > 0; nil when the input had no
	// adjusted-close column.
	AdjClose []float64
}

// Len returns the number of bars. It returns 0 for a nil *Series.
func (s *Series) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Time)
}

// Slice returns a view of bars [i, j), 0-based, sharing memory with s: a
// write through the view changes s. The view's slices have capacity j-i, so
// appending to them never overwrites s. AdjClose stays nil when it is nil
// in s. Slice panics, like a slice expression, unless 0 <= i <= j <= Len().
func (s *Series) Slice(i, j int) *Series {
	n := s.Len()
	if i < 0 || j < i || j > n {
		panic("finance: Series.Slice: bounds out of range")
	}
	v := &Series{
		Ticker: s.Ticker,
		Time:   s.Time[i:j:j],
		Open:   s.Open[i:j:j],
		High:   s.High[i:j:j],
		Low:    s.Low[i:j:j],
		Close:  s.Close[i:j:j],
		Volume: s.Volume[i:j:j],
	}
	if s.AdjClose != nil {
		v.AdjClose = s.AdjClose[i:j:j]
	}
	return v
}

// MarketData is the result of loading: the typed per-ticker view and the
// same bars as one long gota DataFrame.
type MarketData struct {
	// Series holds one entry per ticker, sorted by ticker (byte order).
	Series []*Series
	// Frame is the long-format table: one row per (ticker, date) in the
	// order of Series and then date, with columns date (string,
	// "2006-01-02"), ticker (string), open, high, low, close, adj_close
	// (only when at least one series has AdjClose; NaN for those that do
	// not) and volume (float, NaN when missing). gota has no time type,
	// hence the string dates. The frame copies the values: editing one
	// side does not change the other.
	Frame dataframe.DataFrame
	// Warnings lists non-fatal problems in input order; it is nil when
	// there were none.
	Warnings []Warning
}

// Lookup returns the series of ticker. An exact match is tried first, then
// a case-insensitive one. It returns nil, false when no series matches or
// md is nil.
func (md *MarketData) Lookup(ticker string) (*Series, bool) {
	if md == nil {
		return nil, false
	}
	i := sort.Search(len(md.Series), func(i int) bool { return md.Series[i].Ticker >= ticker })
	if i < len(md.Series) && md.Series[i].Ticker == ticker {
		return md.Series[i], true
	}
	for _, s := range md.Series {
		if strings.EqualFold(s.Ticker, ticker) {
			return s, true
		}
	}
	return nil, false
}

// Bars returns the total number of bars over all series.
func (md *MarketData) Bars() int {
	if md == nil {
		return 0
	}
	n := 0
	for _, s := range md.Series {
		n += s.Len()
	}
	return n
}

// buildFrame assembles the long-format DataFrame from the typed series.
func buildFrame(ss []*Series) dataframe.DataFrame {
	n, hasAdj := 0, false
	for _, s := range ss {
		n += s.Len()
		hasAdj = hasAdj || s.AdjClose != nil
	}

	dates := make([]string, 0, n)
	tickers := make([]string, 0, n)
	cols := make([][]float64, 6)
	for k := range cols {
		cols[k] = make([]float64, 0, n)
	}
	var buf []byte
	for _, s := range ss {
		for i, t := range s.Time {
			buf = t.AppendFormat(buf[:0], time.DateOnly)
			dates = append(dates, string(buf))
			tickers = append(tickers, s.Ticker)
			cols[0] = append(cols[0], s.Open[i])
			cols[1] = append(cols[1], s.High[i])
			cols[2] = append(cols[2], s.Low[i])
			cols[3] = append(cols[3], s.Close[i])
			adj := math.NaN()
			if s.AdjClose != nil {
				adj = s.AdjClose[i]
			}
			cols[4] = append(cols[4], adj)
			cols[5] = append(cols[5], s.Volume[i])
		}
	}

	out := []series.Series{
		series.New(dates, series.String, "date"),
		series.New(tickers, series.String, "ticker"),
		series.New(cols[0], series.Float, "open"),
		series.New(cols[1], series.Float, "high"),
		series.New(cols[2], series.Float, "low"),
		series.New(cols[3], series.Float, "close"),
	}
	if hasAdj {
		out = append(out, series.New(cols[4], series.Float, "adj_close"))
	}
	out = append(out, series.New(cols[5], series.Float, "volume"))
	return dataframe.New(out...)
}
