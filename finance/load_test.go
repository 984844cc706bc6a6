package finance

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tol = 1e-12

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestMalformedFixtures(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		opt    LoadOptions
		want   error
		row    int
		column string
		msg    string // full message when non-empty
	}{
		{name: "missing close column", file: "bad/missing_close.csv", want: ErrMissingColumn, column: "close",
			msg: `finance: testdata/bad/missing_close.csv: missing required column "close" (have: date, open, high, low, volume, Name)`},
		{name: "non-numeric cell", file: "bad/bad_number.csv", want: ErrBadNumber, row: 17, column: "close",
			msg: `finance: testdata/bad/bad_number.csv:17: column "close": invalid number "abc"`},
		{name: "duplicated date", file: "bad/duplicate_date.csv", want: ErrDuplicateDate, row: 9,
			msg: `finance: testdata/bad/duplicate_date.csv:9: duplicate date 2013-02-19 (first seen on line 8)`},
		{name: "empty file", file: "bad/empty.csv", want: ErrEmpty},
		{name: "header only", file: "bad/header_only.csv", want: ErrEmpty},
		{name: "five rows", file: "bad/five_rows.csv", want: ErrTooFewRows,
			msg: `finance: testdata/bad/five_rows.csv: too few rows: ticker "AAPL" has 5 bars, need at least 30 (LoadOptions.MinBars)`},
		{name: "ragged row", file: "bad/ragged.csv", want: ErrFieldCount, row: 12,
			msg: `finance: testdata/bad/ragged.csv:12: wrong number of fields: row has 6, header has 7`},
		{name: "impossible date", file: "bad/bad_date.csv", want: ErrBadDate, row: 6, column: "date"},
		{name: "NA price", file: "bad/na_price.csv", want: ErrMissingValue, row: 10, column: "open"},
		{name: "null price", file: "bad/null_price.csv", want: ErrMissingValue, row: 11, column: "high"},
		{name: "zero price", file: "bad/nonpositive.csv", want: ErrNonPositivePrice, row: 7, column: "low"},
		{name: "negative volume", file: "bad/negative_volume.csv", want: ErrNegativeVolume, row: 8, column: "volume"},
		{name: "infinite price", file: "bad/inf_price.csv", want: ErrBadNumber, row: 9, column: "close"},
		{name: "bare quote", file: "bad/bare_quote.csv", want: ErrSyntax, row: 5},
		{name: "empty ticker cell", file: "bad/missing_ticker.csv", want: ErrMissingValue, row: 4, column: "ticker"},
		{name: "duplicated column", file: "bad/duplicate_column.csv", want: ErrDuplicateColumn, row: 1, column: "close"},
		{name: "BHF incomplete row", file: "quirks/BHF_data.csv", want: ErrMissingValue, row: 9, column: "open",
			msg: `finance: testdata/quirks/BHF_data.csv:9: column "open": missing value (LoadOptions.DropIncomplete drops such rows)`},
		{name: "high below low strict", file: "quirks/AOS_data.csv", opt: LoadOptions{StrictOHLC: true},
			want: ErrHighLow, row: 23, msg: `finance: testdata/quirks/AOS_data.csv:23: high below low: high 23.595 < low 23.85`},
		{name: "open outside range strict", file: "quirks/CHD_data.csv", opt: LoadOptions{StrictOHLC: true},
			want: ErrOHLCRange, row: 23},
		{name: "gap fixture under default MinBars", file: "ok/gap.csv", want: ErrTooFewRows},
		{name: "ticker differs from option", file: "long.csv", opt: LoadOptions{Ticker: "AAPL"},
			want: ErrMixedTickers, row: 3, column: "ticker"},
		{name: "negative MinBars", file: "gspc.csv", opt: LoadOptions{MinBars: -1}, want: ErrInvalidOption},
		{name: "negative MaxGapDays", file: "gspc.csv", opt: LoadOptions{MaxGapDays: -3}, want: ErrInvalidOption},
		{name: "ticker option on directory", file: "sp500", opt: LoadOptions{Ticker: "AAPL"}, want: ErrInvalidOption},
		{name: "no such file", file: "bad/nope.csv", want: ErrRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := LoadOHLCV(filepath.Join("testdata", tt.file), tt.opt)
			require.Error(t, err)
			assert.Nil(t, md)
			assert.ErrorIs(t, err, tt.want)
			var de *DataError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.row, de.Row, "row")
			assert.Equal(t, tt.column, de.Column, "column")
			assert.NotContains(t, err.Error(), "\n")
			assert.True(t, strings.HasPrefix(err.Error(), "finance: "), err.Error())
			if tt.msg != "" {
				assert.Equal(t, tt.msg, err.Error())
			}
		})
	}
}

func TestNotExistWrapsOSError(t *testing.T) {
	_, err := LoadOHLCV(filepath.Join("testdata", "bad", "nope.csv"), LoadOptions{})
	assert.ErrorIs(t, err, ErrRead)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestLoadableVariants(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		opt      LoadOptions
		ticker   string
		bars     int
		warnings []WarningKind
		warnRows []int
	}{
		{name: "BOM", file: "ok/bom.csv", ticker: "AAPL", bars: 35},
		{name: "CRLF", file: "ok/crlf.csv", ticker: "AAPL", bars: 35},
		{name: "mixed date layouts", file: "ok/date_formats.csv", ticker: "AAPL", bars: 35},
		{name: "aliases and padding", file: "ok/aliases.csv", ticker: "^GSPC", bars: 35},
		{name: "no volume column", file: "ok/no_volume.csv", ticker: "AAPL", bars: 35,
			warnings: []WarningKind{WarnVolume}, warnRows: []int{0}},
		{name: "NA volume cells", file: "ok/na_volume.csv", ticker: "AAPL", bars: 35,
			warnings: []WarningKind{WarnVolume}, warnRows: []int{4}},
		{name: "newest first", file: "ok/unsorted.csv", ticker: "AAPL", bars: 35,
			warnings: []WarningKind{WarnUnsorted}, warnRows: []int{3}},
		{name: "gap", file: "ok/gap.csv", opt: LoadOptions{MinBars: 20}, ticker: "AAPL", bars: 26,
			warnings: []WarningKind{WarnGap}, warnRows: []int{12}},
		{name: "gap under a wider threshold", file: "ok/gap.csv", opt: LoadOptions{MinBars: 20, MaxGapDays: 14},
			ticker: "AAPL", bars: 26},
		{name: "duplicate with KeepLast", file: "bad/duplicate_date.csv", opt: LoadOptions{KeepLast: true},
			ticker: "AAPL", bars: 34, warnings: []WarningKind{WarnDuplicate}, warnRows: []int{8}},
		{name: "BHF with DropIncomplete", file: "quirks/BHF_data.csv", opt: LoadOptions{DropIncomplete: true},
			ticker: "BHF", bars: 39, warnings: []WarningKind{WarnDropped}, warnRows: []int{9}},
		{name: "AOS high below low", file: "quirks/AOS_data.csv", ticker: "AOS", bars: 40,
			warnings: []WarningKind{WarnOHLC}, warnRows: []int{23}},
		{name: "CHD open outside range", file: "quirks/CHD_data.csv", ticker: "CHD", bars: 40,
			warnings: []WarningKind{WarnOHLC}, warnRows: []int{23}},
		{name: "five rows with MinBars 1", file: "bad/five_rows.csv", opt: LoadOptions{MinBars: 1}, ticker: "AAPL", bars: 5},
		{name: "explicit ticker", file: "gspc.csv", opt: LoadOptions{Ticker: "^GSPC"}, ticker: "^GSPC", bars: 120},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := LoadOHLCV(filepath.Join("testdata", tt.file), tt.opt)
			require.NoError(t, err)
			require.Len(t, md.Series, 1)
			s := md.Series[0]
			assert.Equal(t, tt.ticker, s.Ticker)
			assert.Equal(t, tt.bars, s.Len())
			checkInvariants(t, s)
			var kinds []WarningKind
			var rows []int
			for _, w := range md.Warnings {
				kinds = append(kinds, w.Kind)
				rows = append(rows, w.Row)
			}
			assert.Equal(t, tt.warnings, kinds, "warning kinds: %v", md.Warnings)
			assert.Equal(t, tt.warnRows, rows, "warning rows")
		})
	}
}

// checkInvariants asserts the Series contract: equal lengths, strictly
// increasing UTC-midnight dates, positive prices, non-negative or NaN
// volume.
func checkInvariants(t *testing.T, s *Series) {
	t.Helper()
	n := s.Len()
	for _, col := range [][]float64{s.Open, s.High, s.Low, s.Close, s.Volume} {
		require.Len(t, col, n)
	}
	if s.AdjClose != nil {
		require.Len(t, s.AdjClose, n)
	}
	for i := 0; i < n; i++ {
		tm := s.Time[i]
		require.Equal(t, time.UTC, tm.Location())
		require.True(t, tm.Equal(tm.Truncate(24*time.Hour)), "bar %d not at midnight: %v", i, tm)
		if i > 0 {
			require.True(t, s.Time[i-1].Before(tm), "bar %d: %v not after %v", i, tm, s.Time[i-1])
		}
		for _, p := range []float64{s.Open[i], s.High[i], s.Low[i], s.Close[i]} {
			require.Greater(t, p, 0.0)
		}
		require.True(t, math.IsNaN(s.Volume[i]) || s.Volume[i] >= 0)
	}
}

func TestRealCutValues(t *testing.T) {
	md, err := LoadOHLCV(filepath.Join("testdata", "sp500", "AAPL_data.csv"), LoadOptions{})
	require.NoError(t, err)
	s, ok := md.Lookup("AAPL")
	require.True(t, ok)
	require.Equal(t, 120, s.Len())
	assert.Nil(t, s.AdjClose)
	// First and last rows of the cut, read off the file by hand; the last
	// row has no trailing newline.
	assert.Equal(t, date(2017, 8, 17), s.Time[0])
	assert.InDelta(t, 160.52, s.Open[0], tol)
	assert.InDelta(t, 160.71, s.High[0], tol)
	assert.InDelta(t, 157.84, s.Low[0], tol)
	assert.InDelta(t, 157.86, s.Close[0], tol)
	assert.InDelta(t, 27940565, s.Volume[0], tol)
	assert.Equal(t, date(2018, 2, 7), s.Time[119])
	assert.InDelta(t, 159.0685, s.Low[119], tol)
	assert.InDelta(t, 51608580, s.Volume[119], tol)

	g, err := LoadOHLCV(filepath.Join("testdata", "gspc.csv"), LoadOptions{Ticker: "^GSPC"})
	require.NoError(t, err)
	gs := g.Series[0]
	require.NotNil(t, gs.AdjClose)
	assert.Equal(t, date(2020, 5, 18), gs.Time[0])
	assert.InDelta(t, 2953.909912, gs.AdjClose[0], tol)
	assert.InDelta(t, 6364290000, gs.Volume[0], tol)
	assert.Equal(t, date(2020, 11, 4), gs.Time[119])
	assert.InDelta(t, 3443.439941, gs.Close[119], tol)
	checkInvariants(t, gs)
}

func TestDirectoryAndFrame(t *testing.T) {
	md, err := LoadOHLCV(filepath.Join("testdata", "sp500"), LoadOptions{})
	require.NoError(t, err)
	require.Len(t, md.Series, 2)
	assert.Equal(t, "AAPL", md.Series[0].Ticker)
	assert.Equal(t, "BAC", md.Series[1].Ticker)
	assert.Empty(t, md.Warnings)
	assert.Equal(t, 240, md.Bars())

	rows, cols := md.Frame.Dims()
	assert.Equal(t, 240, rows)
	assert.Equal(t, 7, cols)
	assert.Equal(t, []string{"date", "ticker", "open", "high", "low", "close", "volume"}, md.Frame.Names())
	require.NoError(t, md.Frame.Err)
	// Row 120 is BAC's first bar (2013-02-08 close 11.76).
	assert.Equal(t, "BAC", md.Frame.Col("ticker").Elem(120).String())
	assert.Equal(t, "2013-02-08", md.Frame.Col("date").Elem(120).String())
	assert.InDelta(t, 11.76, md.Frame.Col("close").Elem(120).Float(), tol)

	// Frame and Series agree on every value.
	closes := md.Frame.Col("close").Float()
	k := 0
	for _, s := range md.Series {
		for i := range s.Close {
			require.InDelta(t, s.Close[i], closes[k], 0)
			k++
		}
	}
}

func TestLongFile(t *testing.T) {
	md, err := LoadOHLCV(filepath.Join("testdata", "long.csv"), LoadOptions{})
	require.NoError(t, err)
	require.Len(t, md.Series, 2)
	aapl, ok := md.Lookup("aapl") // case-insensitive fallback
	require.True(t, ok)
	assert.Equal(t, "AAPL", aapl.Ticker)
	bac, ok := md.Lookup("BAC")
	require.True(t, ok)
	assert.Equal(t, 40, aapl.Len())
	assert.Equal(t, 40, bac.Len())
	assert.InDelta(t, 11.76, bac.Close[0], tol)
	assert.InDelta(t, 67.8542, aapl.Close[0], tol)
	_, ok = md.Lookup("MSFT")
	assert.False(t, ok)

	// The long file's bars equal the first 40 of the per-ticker cut.
	cut, err := LoadOHLCV(filepath.Join("testdata", "sp500", "BAC_data.csv"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, cut.Series[0].Slice(0, 40), bac)
}

func TestFrameAdjCloseMixed(t *testing.T) {
	fsys := fstest.MapFS{
		"d/AAPL_data.csv": &fstest.MapFile{Data: mustRead(t, "sp500/AAPL_data.csv")},
		"d/GSPC.csv":      &fstest.MapFile{Data: mustRead(t, "gspc.csv")},
		"d/notes.txt":     &fstest.MapFile{Data: []byte("not data")},
		"d/.hidden.csv":   &fstest.MapFile{Data: []byte("junk")},
	}
	md, err := LoadFS(fsys, "d", LoadOptions{})
	require.NoError(t, err)
	require.Len(t, md.Series, 2)
	assert.Equal(t, []string{"date", "ticker", "open", "high", "low", "close", "adj_close", "volume"}, md.Frame.Names())
	adj := md.Frame.Col("adj_close").Float()
	assert.True(t, math.IsNaN(adj[0]), "AAPL has no adj close")
	assert.InDelta(t, 2953.909912, adj[120], tol)
}

func TestDuplicateTickerAcrossFiles(t *testing.T) {
	data := mustRead(t, "sp500/AAPL_data.csv")
	fsys := fstest.MapFS{
		"d/AAPL_data.csv": &fstest.MapFile{Data: data},
		"d/aapl.csv":      &fstest.MapFile{Data: data},
	}
	_, err := LoadFS(fsys, "d", LoadOptions{})
	require.ErrorIs(t, err, ErrDuplicateTicker)
	assert.Equal(t, `finance: d/aapl.csv: duplicate ticker "AAPL" (also in d/AAPL_data.csv)`, err.Error())

	_, err = LoadFS(fstest.MapFS{"e/x.txt": &fstest.MapFile{}}, "e", LoadOptions{})
	assert.ErrorIs(t, err, ErrEmpty)
}

func TestKeepLastKeepsLaterRow(t *testing.T) {
	md, err := LoadOHLCV(filepath.Join("testdata", "bad", "duplicate_date.csv"), LoadOptions{KeepLast: true})
	require.NoError(t, err)
	s := md.Series[0]
	// Lines 8 and 9 are both dated 2013-02-19; line 9 (open 65.3842) wins.
	assert.Equal(t, date(2013, 2, 19), s.Time[6])
	assert.InDelta(t, 65.3842, s.Open[6], tol)
	assert.Equal(t, "finance: testdata/bad/duplicate_date.csv:8: AAPL: duplicate date 2013-02-19: row dropped, kept line 9",
		md.Warnings[0].String())
}

func TestUnsortedEqualsSorted(t *testing.T) {
	want, err := LoadOHLCV(filepath.Join("testdata", "ok", "crlf.csv"), LoadOptions{})
	require.NoError(t, err)
	got, err := LoadOHLCV(filepath.Join("testdata", "ok", "unsorted.csv"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, want.Series, got.Series)
}

func TestDateLayoutsAgree(t *testing.T) {
	want, err := LoadOHLCV(filepath.Join("testdata", "ok", "bom.csv"), LoadOptions{})
	require.NoError(t, err)
	got, err := LoadOHLCV(filepath.Join("testdata", "ok", "date_formats.csv"), LoadOptions{})
	require.NoError(t, err)
	assert.Equal(t, want.Series[0].Time, got.Series[0].Time)
}

func TestMissingVolumeIsNaN(t *testing.T) {
	md, err := LoadOHLCV(filepath.Join("testdata", "ok", "na_volume.csv"), LoadOptions{})
	require.NoError(t, err)
	v := md.Series[0].Volume
	// Lines 4, 6 and 10 hold NA, null and an empty cell: bars 2, 4 and 8.
	for i := range v {
		assert.Equal(t, i == 2 || i == 4 || i == 8, math.IsNaN(v[i]), "bar %d", i)
	}
	assert.Equal(t, "finance: testdata/ok/na_volume.csv:4: AAPL: 3 missing volume cells set to NaN", md.Warnings[0].String())

	md, err = LoadOHLCV(filepath.Join("testdata", "ok", "no_volume.csv"), LoadOptions{})
	require.NoError(t, err)
	for _, x := range md.Series[0].Volume {
		require.True(t, math.IsNaN(x))
	}
}

func TestParseDay(t *testing.T) {
	want := date(2015, 3, 2)
	tests := []struct {
		in string
		ok bool
	}{
		{"2015-03-02", true}, {"2015/03/02", true}, {"2015/3/2", true}, {"03/02/2015", true},
		{"3/2/2015", true}, {"03-02-2015", true}, {"20150302", true}, {"2015-03-02T00:00:00Z", true},
		{"2015-03-02T15:04:05Z", true}, {"2015-03-02T23:30:00-05:00", false}, // 2015-03-03 in UTC
		{"2015-03-02 09:30:00", true}, {"2015-3-2", true},
		{"2015-02-30", false}, {"2015-13-01", false}, {"02/03/2015x", false}, {"", false},
		{"abc", false}, {"2015-03-0", false}, {"13/02/2015", false}, {"201503", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, ok := parseDay(tt.in)
			if !tt.ok {
				if ok {
					assert.NotEqual(t, want, dayTime(d))
				}
				return
			}
			require.True(t, ok)
			assert.Equal(t, want, dayTime(d))
		})
	}
	d, ok := parseDay("1950-01-03")
	require.True(t, ok)
	assert.Equal(t, date(1950, 1, 3), dayTime(d))
	d, ok = parseDay("1969-12-31")
	require.True(t, ok)
	assert.Equal(t, int64(-1), d)
}

func TestTickerFromName(t *testing.T) {
	tests := map[string]string{
		"AAPL_data.csv":              "AAPL",
		"data/sp500/BF.B_data.csv":   "BF.B",
		"x.csv":                      "X",
		`C:\data\msft.CSV`:           "MSFT",
		"spy.txt":                    "SPY",
		"_data.csv":                  "_DATA",
		"":                           "",
		".csv":                       "",
		"prices":                     "PRICES",
		"sp500_index_gspc_daily.csv": "SP500_INDEX_GSPC_DAILY",
	}
	for in, want := range tests {
		assert.Equal(t, want, tickerFromName(in), "name %q", in)
	}
	_, err := ReadOHLCV(strings.NewReader("date,open,high,low,close\n2015-03-02,1,1,1,1\n"), "", LoadOptions{MinBars: 1})
	assert.ErrorIs(t, err, ErrNoTicker)
}

func TestReadOHLCVInline(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		opt    LoadOptions
		want   error
		row    int
		column string
	}{
		{name: "only BOM", in: "\ufeff", want: ErrEmpty},
		{name: "blank lines", in: "\n\n\n", want: ErrEmpty},
		{name: "two missing columns", in: "date,open,low\n", want: ErrMissingColumn, column: "high"},
		{name: "missing date", in: "date,open,high,low,close\n,1,1,1,1\n", opt: LoadOptions{MinBars: 1},
			want: ErrMissingValue, row: 2, column: "date"},
		{name: "missing price with drop and bad neighbour", in: "date,open,high,low,close\n2015-03-02,,x,1,1\n",
			opt: LoadOptions{DropIncomplete: true, MinBars: 1}, want: ErrBadNumber, row: 2, column: "high"},
		{name: "all rows dropped", in: "date,open,high,low,close\n2015-03-02,,1,1,1\n",
			opt: LoadOptions{DropIncomplete: true, MinBars: 1}, want: ErrTooFewRows},
		{name: "negative adj close", in: "date,open,high,low,close,adj close\n2015-03-02,1,1,1,1,-2\n",
			opt: LoadOptions{MinBars: 1}, want: ErrNonPositivePrice, row: 2, column: "adj_close"},
		{name: "quoted multi-line cell", in: "date,open,high,low,close,note\n2015-03-02,1,1,1,1,\"a\nb\"\n2015-03-02,1,1,1,1,c\n",
			opt: LoadOptions{MinBars: 1}, want: ErrDuplicateDate, row: 4},
		{name: "same alias twice", in: "Date,date,open,high,low,close\n", want: ErrDuplicateColumn, row: 1, column: "date"},
		{name: "overflowing number", in: "date,open,high,low,close\n2015-03-02,1e999,1,1,1\n", opt: LoadOptions{MinBars: 1},
			want: ErrBadNumber, row: 2, column: "open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadOHLCV(strings.NewReader(tt.in), "in.csv", tt.opt)
			require.ErrorIs(t, err, tt.want)
			var de *DataError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.row, de.Row, "row")
			assert.Equal(t, tt.column, de.Column, "column")
		})
	}
}

func TestOtherSeparatorHint(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"semicolons", "date;open;high;low;close\n2015-03-02;1;1;1;1\n",
			`finance: in.csv: missing required columns "date", "open", "high", "low", "close" (have: date;open;high;low;close); ` +
				`the file seems to use ';', not commas, between columns: its header reads as one column`},
		{"tabs", "date\topen\thigh\tlow\tclose\n", `the file seems to use '\t', not commas, between columns`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadOHLCV(strings.NewReader(c.in), "in.csv", LoadOptions{MinBars: 1})
			require.ErrorIs(t, err, ErrMissingColumn)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := ReadOHLCV(strings.NewReader("date,open,low\n"), "in.csv", LoadOptions{})
	require.ErrorIs(t, err, ErrMissingColumn)
	assert.NotContains(t, err.Error(), "separated", "no hint for a comma file")
}

func TestAliasPriority(t *testing.T) {
	// "date" beats "time" (a time-of-day column); "ticker" beats "name".
	in := "time,Date,Name,Ticker,Open,High,Low,Close\n09:30,2015-03-02,Apple Inc,AAPL,1,2,0.5,1.5\n"
	md, err := ReadOHLCV(strings.NewReader(in), "x.csv", LoadOptions{MinBars: 1})
	require.NoError(t, err)
	require.Len(t, md.Series, 1)
	assert.Equal(t, "AAPL", md.Series[0].Ticker)
	assert.Equal(t, date(2015, 3, 2), md.Series[0].Time[0])
}

func TestSeriesSlice(t *testing.T) {
	md, err := LoadOHLCV(filepath.Join("testdata", "gspc.csv"), LoadOptions{})
	require.NoError(t, err)
	s := md.Series[0]
	v := s.Slice(10, 20)
	assert.Equal(t, 10, v.Len())
	assert.Equal(t, s.Time[10], v.Time[0])
	assert.InDelta(t, s.AdjClose[19], v.AdjClose[9], 0)
	assert.Equal(t, 10, cap(v.Close), "capacity is capped so appends do not clobber s")
	v.Close[0] = -1
	assert.InDelta(t, -1, s.Close[10], 0, "a view shares memory")
	assert.Equal(t, 0, s.Slice(5, 5).Len())

	var nilS *Series
	assert.Equal(t, 0, nilS.Len())
	a, err := LoadOHLCV(filepath.Join("testdata", "sp500", "BAC_data.csv"), LoadOptions{})
	require.NoError(t, err)
	assert.Nil(t, a.Series[0].Slice(0, 3).AdjClose)

	for _, b := range [][2]int{{-1, 2}, {3, 2}, {0, 121}} {
		assert.Panics(t, func() { s.Slice(b[0], b[1]) }, "bounds %v", b)
	}
}

func TestLookupNil(t *testing.T) {
	var md *MarketData
	s, ok := md.Lookup("AAPL")
	assert.Nil(t, s)
	assert.False(t, ok)
	assert.Equal(t, 0, md.Bars())
}

func TestWarningKindString(t *testing.T) {
	assert.Equal(t, "gap", WarnGap.String())
	assert.Equal(t, "warning(99)", WarningKind(99).String())
	assert.Equal(t, "finance: unknown error", (&DataError{}).Error())
	assert.Equal(t, "finance: line 3: column \"open\": x", (&DataError{Row: 3, Column: "open", Err: errors.New("x")}).Error())
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func TestTickerCaseFolded(t *testing.T) {
	in := "date,open,high,low,close,volume,Name\n"
	for i := range 40 {
		name := "AAPL"
		if i%2 == 1 {
			name = "aapl"
		}
		in += fmt.Sprintf("2020-01-%02d,1,2,0.5,1.5,100,%s\n", i%28+1, name)
		if i == 27 {
			break
		}
	}
	md, err := ReadOHLCV(strings.NewReader(in), "mixed.csv", LoadOptions{MinBars: 5})
	require.NoError(t, err)
	require.Len(t, md.Series, 1)
	assert.Equal(t, "AAPL", md.Series[0].Ticker)
	assert.Equal(t, 28, md.Series[0].Len())
}

func TestUnterminatedQuoteNamesItsLine(t *testing.T) {
	in := "date,open,high,low,close,volume\n2020-01-02,1,2,0.5,1.5,100\n2020-01-03,\"1,2,0.5,1.5,100\n2020-01-06,1,2,0.5,1.5,100\n"
	_, err := ReadOHLCV(strings.NewReader(in), "q.csv", LoadOptions{})
	var de *DataError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 3, de.Row)
	assert.ErrorIs(t, err, ErrSyntax)
}

func TestLineTooLong(t *testing.T) {
	in := io.MultiReader(strings.NewReader("date,open,high,low,close,volume\n2020-01-02,1,2,0.5,1.5,100\n"),
		io.LimitReader(zeros{}, 4*MaxLineBytes))
	_, err := ReadOHLCV(in, "zero.csv", LoadOptions{})
	var de *DataError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 3, de.Row)
	assert.ErrorIs(t, err, ErrSyntax)
	assert.Contains(t, err.Error(), "line longer than")
}

type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

func TestReadOHLCVDayFirstHint(t *testing.T) {
	in := "date,open,high,low,close\n02/01/2015,1,1,1,1\n13/01/2015,1,1,1,1\n"
	_, err := ReadOHLCV(strings.NewReader(in), "eu.csv", LoadOptions{MinBars: 1})
	require.ErrorIs(t, err, ErrBadDate)
	assert.Contains(t, err.Error(), "eu.csv:3")
	assert.Contains(t, err.Error(), "reads as day first")

	in = "date,open,high,low,close\n2015/13/01,1,1,1,1\n"
	_, err = ReadOHLCV(strings.NewReader(in), "odd.csv", LoadOptions{MinBars: 1})
	require.ErrorIs(t, err, ErrBadDate)
	assert.NotContains(t, err.Error(), "day first")
}
