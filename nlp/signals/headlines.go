package signals

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deepfin/deepfin/nlp"
)

// Sentinel errors of this package; test for them with errors.Is. The
// nlp sentinels (nlp.ErrEmptyText, nlp.ErrInvalidUTF8, nlp.ErrMissingColumn,
// nlp.ErrMalformed, nlp.ErrEmpty) are used too.
var (
	// ErrBadDate reports a date cell in none of the accepted formats.
	ErrBadDate = errors.New("invalid date")
	// ErrMissingTicker reports an empty ticker cell.
	ErrMissingTicker = errors.New("missing ticker")
	// ErrUnsortedBars reports bar dates that are not strictly increasing.
	ErrUnsortedBars = errors.New("bar dates not strictly increasing")
	// ErrClass reports a class name the classifier does not have.
	ErrClass = errors.New("unknown class")
)

// Headline is one dated news item about one ticker.
type Headline struct {
	// Time is the publication time. When HasTime is false only its
	// calendar date (year, month, day as stored) is meaningful.
	Time time.Time
	// HasTime reports whether the source gave a time of day.
	HasTime bool
	// Ticker is the instrument the headline is about, as written.
	Ticker string
	// Text is the headline text.
	Text string
	// Line is the 1-based line of the record in its file; 0 when built
	// in memory.
	Line int
}

// ReadOptions configures ReadHeadlines. The zero value reads times
// without a zone as UTC and fails on the first bad row.
type ReadOptions struct {
	// Location is the zone of timestamps written without an offset; nil
	// means UTC. Timestamps with an offset or "Z" keep it.
	Location *time.Location
	// SkipBad skips bad rows and returns them instead of failing.
	SkipBad bool
}

// LoadHeadlines reads a headline CSV file; see ReadHeadlines.
func LoadHeadlines(path string, opt ReadOptions) ([]Headline, []*nlp.DataError, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("signals: %w", err)
	}
	defer f.Close()
	return ReadHeadlines(f, path, opt)
}

// ReadHeadlines reads a CSV stream with a header naming the columns date
// (or datetime, timestamp, time), ticker (or symbol) and text (or
// headline, title), matched case-insensitively; other columns are
// ignored. name is used in errors. Dates are "2006-01-02", "2006/01/02"
// or "20060102"; timestamps are RFC 3339 ("2006-01-02T15:04:05Z",
// "...+02:00") or "2006-01-02 15:04[:05]" (with a space or a T) in
// opt.Location. Headlines are returned in file order.
//
// A bad row (date in no accepted format: ErrBadDate; empty ticker:
// ErrMissingTicker; blank text: nlp.ErrEmptyText; invalid UTF-8:
// nlp.ErrInvalidUTF8) is an *nlp.DataError naming the line and column;
// with opt.SkipBad it is skipped and returned in the second result. An
// unparsable record (nlp.ErrMalformed), a missing column and an input
// without rows are always errors.
func ReadHeadlines(r io.Reader, name string, opt ReadOptions) ([]Headline, []*nlp.DataError, error) {
	loc := opt.Location
	if loc == nil {
		loc = time.UTC
	}
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, &nlp.DataError{File: name, Err: nlp.ErrEmpty, Detail: "no header"}
	}
	if err != nil {
		return nil, nil, csvError(name, err)
	}
	cols := map[string]int{"date": -1, "ticker": -1, "text": -1}
	for j, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "date", "datetime", "timestamp", "time":
			cols["date"] = j
		case "ticker", "symbol":
			cols["ticker"] = j
		case "text", "headline", "title":
			cols["text"] = j
		}
	}
	for _, c := range []string{"date", "ticker", "text"} {
		if cols[c] < 0 {
			return nil, nil, &nlp.DataError{File: name, Line: 1, Column: c, Err: nlp.ErrMissingColumn}
		}
	}

	var out []Headline
	var skipped []*nlp.DataError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		h, bad := parseHeadline(rec[cols["date"]], rec[cols["ticker"]], rec[cols["text"]], loc)
		if bad != nil {
			bad.File, bad.Line = name, line
			if !opt.SkipBad {
				return nil, nil, bad
			}
			skipped = append(skipped, bad)
			continue
		}
		h.Line = line
		out = append(out, h)
	}
	if len(out) == 0 {
		return nil, skipped, &nlp.DataError{File: name, Err: nlp.ErrEmpty, Detail: fmt.Sprintf("%d bad rows skipped", len(skipped))}
	}
	return out, skipped, nil
}

// parseHeadline validates one record; the returned error lacks File and
// Line.
func parseHeadline(date, ticker, text string, loc *time.Location) (Headline, *nlp.DataError) {
	for _, c := range [...]struct{ col, v string }{{"date", date}, {"ticker", ticker}, {"text", text}} {
		if !utf8.ValidString(c.v) {
			return Headline{}, &nlp.DataError{Column: c.col, Err: nlp.ErrInvalidUTF8}
		}
	}
	h := Headline{Ticker: strings.TrimSpace(ticker), Text: text}
	switch {
	case h.Ticker == "":
		return h, &nlp.DataError{Column: "ticker", Err: ErrMissingTicker}
	case strings.TrimSpace(text) == "":
		return h, &nlp.DataError{Column: "text", Err: nlp.ErrEmptyText}
	}
	// Formats without a time of day, then with one (zoneless ones are
	// read in loc).
	dateLayouts := [...]string{"2006-01-02", "2006/01/02", "20060102"}
	timeLayouts := [...]string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"}
	date = strings.TrimSpace(date)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, date); err == nil {
			h.Time = t
			return h, nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, date, loc); err == nil {
			h.Time, h.HasTime = t, true
			return h, nil
		}
	}
	return h, &nlp.DataError{Column: "date", Err: ErrBadDate, Detail: fmt.Sprintf("%q", date)}
}

// csvError converts an encoding/csv error into an *nlp.DataError.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &nlp.DataError{File: name, Line: pe.Line, Err: nlp.ErrMalformed, Detail: pe.Err.Error()}
	}
	return fmt.Errorf("signals: %s: %w", name, err)
}
