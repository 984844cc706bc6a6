package finance

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadOHLCV checks that no input makes ReadOHLCV panic, that every
// error is a one-line *DataError wrapping a sentinel, and that every
// success satisfies the Series contract.
func FuzzReadOHLCV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.csv"))
	top, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, name := range append(files, top...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(data) > 4096 { // keep seeds small so mutation is fast
			data = data[:bytes.LastIndexByte(data[:4096], '\n')+1]
		}
		f.Add(data, uint8(0))
	}
	f.Add([]byte("date,open,high,low,close,ticker\n2015-03-02,1,2,0.5,1,A\n2015-03-02,1,2,0.5,1,B\n"), uint8(7))

	sentinels := []error{ErrEmpty, ErrRead, ErrSyntax, ErrMissingColumn, ErrDuplicateColumn, ErrFieldCount,
		ErrMissingValue, ErrBadNumber, ErrBadDate, ErrNonPositivePrice, ErrNegativeVolume, ErrHighLow,
		ErrOHLCRange, ErrDuplicateDate, ErrTooFewRows, ErrMixedTickers, ErrDuplicateTicker, ErrNoTicker,
		ErrInvalidOption}

	f.Fuzz(func(t *testing.T, data []byte, flags uint8) {
		opt := LoadOptions{
			KeepLast:       flags&1 != 0,
			DropIncomplete: flags&2 != 0,
			StrictOHLC:     flags&4 != 0,
			MinBars:        1,
			MaxGapDays:     int(flags >> 4),
		}
		if flags&8 != 0 {
			opt.Ticker = "A"
		}
		md, err := ReadOHLCV(bytes.NewReader(data), "fuzz.csv", opt)
		if err != nil {
			var de *DataError
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *DataError: %v", err, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		bars := 0
		for i, s := range md.Series {
			if i > 0 && md.Series[i-1].Ticker >= s.Ticker {
				t.Fatalf("series not sorted by ticker")
			}
			n := s.Len()
			bars += n
			if n == 0 || len(s.Open) != n || len(s.High) != n || len(s.Low) != n || len(s.Close) != n ||
				len(s.Volume) != n || (s.AdjClose != nil && len(s.AdjClose) != n) {
				t.Fatalf("ragged series %q", s.Ticker)
			}
			for j := 0; j < n; j++ {
				if j > 0 && !s.Time[j-1].Before(s.Time[j]) {
					t.Fatalf("dates not strictly increasing at %d", j)
				}
				for _, p := range []float64{s.Open[j], s.High[j], s.Low[j], s.Close[j]} {
					if !(p > 0) || math.IsInf(p, 0) {
						t.Fatalf("bad price %v", p)
					}
				}
				if v := s.Volume[j]; v < 0 || math.IsInf(v, 0) {
					t.Fatalf("bad volume %v", v)
				}
				if opt.StrictOHLC && (s.High[j] < s.Low[j] || s.Open[j] < s.Low[j] || s.Close[j] > s.High[j]) {
					t.Fatalf("inconsistent bar passed StrictOHLC")
				}
			}
		}
		if rows, _ := md.Frame.Dims(); rows != bars {
			t.Fatalf("frame has %d rows, series %d bars", rows, bars)
		}
	})
}
