package finance

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Every error returned by the loaders is a *DataError whose
// Err wraps exactly one of these, so callers can branch with errors.Is and
// recover the file, row and column with errors.As.
var (
	// ErrEmpty: the input has no header, no data rows, or a directory holds
	// no .csv files.
	ErrEmpty = errors.New("no data")
	// ErrRead: the file could not be opened or read; the underlying
	// operating-system error is wrapped as well (errors.Is(err,
	// fs.ErrNotExist) works).
	ErrRead = errors.New("cannot read")
	// ErrSyntax: the CSV itself is malformed (for example a stray quote).
	ErrSyntax = errors.New("malformed csv")
	// ErrMissingColumn: a required column (date, open, high, low, close) is
	// absent from the header.
	ErrMissingColumn = errors.New("missing required column")
	// ErrDuplicateColumn: two header cells name the same column, such as
	// "adj close" and "adj_close".
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrFieldCount: a data row has a different number of fields than the
	// header (a ragged row).
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrMissingValue: a required cell is empty or holds a missing-value
	// marker such as NA or null.
	ErrMissingValue = errors.New("missing value")
	// ErrBadNumber: a numeric cell does not parse as a finite number.
	ErrBadNumber = errors.New("invalid number")
	// ErrBadDate: a date cell matches none of the accepted layouts.
	ErrBadDate = errors.New("invalid date")
	// ErrNonPositivePrice: an open, high, low, close or adjusted close is
	// zero or negative.
	ErrNonPositivePrice = errors.New("non-positive price")
	// ErrNegativeVolume: a volume is negative.
	ErrNegativeVolume = errors.New("negative volume")
	// ErrHighLow: high is below low. Returned only with
	// LoadOptions.StrictOHLC; otherwise a WarnOHLC warning is recorded.
	ErrHighLow = errors.New("high below low")
	// ErrOHLCRange: open or close lies outside [low, high]. Returned only
	// with LoadOptions.StrictOHLC; otherwise a WarnOHLC warning is recorded.
	ErrOHLCRange = errors.New("price outside [low, high]")
	// ErrDuplicateDate: one ticker has two rows with the same date and
	// LoadOptions.KeepLast is off.
	ErrDuplicateDate = errors.New("duplicate date")
	// ErrTooFewRows: a ticker has fewer bars than LoadOptions.MinBars.
	ErrTooFewRows = errors.New("too few rows")
	// ErrMixedTickers: the ticker column disagrees with LoadOptions.Ticker.
	ErrMixedTickers = errors.New("mixed tickers")
	// ErrDuplicateTicker: two files of one directory hold the same ticker.
	ErrDuplicateTicker = errors.New("duplicate ticker")
	// ErrNoTicker: the file has no ticker column, LoadOptions.Ticker is
	// empty and no ticker can be derived from the file name.
	ErrNoTicker = errors.New("no ticker")
	// ErrInvalidOption: a LoadOptions field is out of range or does not
	// apply to the input.
	ErrInvalidOption = errors.New("invalid option")
)

// DataError reports a problem with market data input. It prints as one
// line:
//
//	finance: data/x.csv:17: column "close": invalid number "abc"
//
// The row and column parts are left out when they do not apply, and the
// column part is left out for ErrMissingColumn, whose message names the
// column:
//
//	finance: data/x.csv: missing required column "close" (have: date, open, high, low, volume)
type DataError struct {
	// File is the path or name of the input, as given to the loader.
	File string
	// Row is the 1-based line number in the file; the header is line 1.
	// For a quoted cell spanning lines it is the line where the row starts.
	// Row is 0 when the problem is not tied to one row.
	Row int
	// Column is the canonical column name: one of date, ticker, open, high,
	// low, close, adj_close, volume. It is empty when the problem concerns
	// a whole row or file.
	Column string
	// Err wraps one of the package's sentinel errors and carries the
	// detail of the message.
	Err error
}

// Error returns the one-line message, prefixed with "finance: ".
func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString("finance: ")
	b.WriteString(location(e.File, e.Row))
	// A missing-column message names the column itself.
	if e.Column != "" && !errors.Is(e.Err, ErrMissingColumn) {
		b.WriteString("column ")
		b.WriteString(strconv.Quote(e.Column))
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns e.Err, so errors.Is sees the sentinel.
func (e *DataError) Unwrap() error { return e.Err }

// location formats "file:row: ", "file: ", "line row: " or "" as available.
func location(file string, row int) string {
	switch {
	case file != "" && row > 0:
		return file + ":" + strconv.Itoa(row) + ": "
	case file != "":
		return file + ": "
	case row > 0:
		return "line " + strconv.Itoa(row) + ": "
	}
	return ""
}

// WarningKind classifies a Warning.
type WarningKind int

// Warning kinds. The zero value is not used.
const (
	// WarnUnsorted: a ticker's rows were not in ascending date order and
	// have been sorted (stably). Row is the first line out of order.
	WarnUnsorted WarningKind = iota + 1
	// WarnGap: more than LoadOptions.MaxGapDays calendar days separate two
	// consecutive bars. Row is the line of the bar after the gap.
	WarnGap
	// WarnDuplicate: with LoadOptions.KeepLast an earlier row of a
	// duplicated date was discarded. Row is the discarded line.
	WarnDuplicate
	// WarnDropped: with LoadOptions.DropIncomplete a row with a missing
	// price was dropped. Row is the dropped line.
	WarnDropped
	// WarnOHLC: high < low, or open or close outside [low, high]; the row
	// is kept unchanged. Row is the offending line.
	WarnOHLC
	// WarnVolume: the file has no volume column, or some volume cells are
	// missing; those volumes are NaN. Row is the first missing cell's line,
	// or 0 when the column is absent.
	WarnVolume
)

// String returns a short lower-case name such as "gap".
func (k WarningKind) String() string {
	switch k {
	case WarnUnsorted:
		return "unsorted"
	case WarnGap:
		return "gap"
	case WarnDuplicate:
		return "duplicate"
	case WarnDropped:
		return "dropped"
	case WarnOHLC:
		return "ohlc"
	case WarnVolume:
		return "volume"
	}
	return "warning(" + strconv.Itoa(int(k)) + ")"
}

// Warning is a non-fatal problem found while loading. The library never
// prints warnings; callers decide what to show.
type Warning struct {
	Kind WarningKind
	// File is the input's path or name, as for DataError.
	File string
	// Row is the 1-based line number, or 0 when not tied to one row.
	Row int
	// Ticker is the series the warning concerns.
	Ticker string
	// Message is a lower-case description without file or row.
	Message string
}

// String formats the warning as one line in the style of DataError:
//
//	finance: data/x.csv:40: AAPL: gap of 12 calendar days after 2015-03-02
func (w Warning) String() string {
	s := "finance: " + location(w.File, w.Row)
	if w.Ticker != "" {
		s += w.Ticker + ": "
	}
	return s + w.Message
}
