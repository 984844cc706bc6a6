package credit

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/deepfin/deepfin/internal/csvsep"
)

// Kind is the type of an attribute: Numeric or Categorical.
type Kind int

const (
	// Numeric attributes hold finite float64 values; NaN marks missing.
	Numeric Kind = iota
	// Categorical attributes hold strings; "" marks missing.
	Categorical
)

// String returns "numeric" or "categorical".
func (k Kind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Categorical:
		return "categorical"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) {
	if k != Numeric && k != Categorical {
		return nil, optionError("unknown kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "numeric"
// and "categorical" (case-insensitive).
func (k *Kind) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "numeric":
		*k = Numeric
	case "categorical":
		*k = Categorical
	default:
		return optionError("unknown kind %q, want numeric or categorical", b)
	}
	return nil
}

// Column is one attribute of a Dataset. Exactly one of Num (Numeric) and
// Cat (Categorical) is non-nil, with one entry per row.
type Column struct {
	Name string
	Kind Kind
	Num  []float64 // Numeric values; NaN marks a missing cell
	Cat  []string  // Categorical values, trimmed; "" marks a missing cell
}

// Value returns row i of the column as a Value.
func (c *Column) Value(i int) Value {
	if c.Kind == Numeric {
		return Value{Num: c.Num[i]}
	}
	return Value{Num: math.NaN(), Cat: c.Cat[i]}
}

// Dataset is a table of applicants: attribute columns plus a binary target.
// Y[i] is 1 when row i is bad (the target equalled the bad value) and 0
// when it is good. Rows are 0-based.
type Dataset struct {
	Columns []Column
	Y       []int
	Target  string // name of the target column in the source
	Bad     string // target value that marked a bad row
}

// Len returns the number of rows.
func (d *Dataset) Len() int { return len(d.Y) }

// Column returns the column called name and true, or nil and false.
func (d *Dataset) Column(name string) (*Column, bool) {
	for i := range d.Columns {
		if d.Columns[i].Name == name {
			return &d.Columns[i], true
		}
	}
	return nil, false
}

// Names returns the attribute names in column order.
func (d *Dataset) Names() []string {
	out := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		out[i] = c.Name
	}
	return out
}

// Subset returns a new Dataset holding the given rows (0-based, in the
// given order; repeats allowed). It panics if a row is out of range.
func (d *Dataset) Subset(rows []int) *Dataset {
	out := &Dataset{Target: d.Target, Bad: d.Bad, Y: make([]int, len(rows))}
	for j, r := range rows {
		out.Y[j] = d.Y[r]
	}
	out.Columns = make([]Column, len(d.Columns))
	for ci, c := range d.Columns {
		nc := Column{Name: c.Name, Kind: c.Kind}
		if c.Kind == Numeric {
			nc.Num = make([]float64, len(rows))
			for j, r := range rows {
				nc.Num[j] = c.Num[r]
			}
		} else {
			nc.Cat = make([]string, len(rows))
			for j, r := range rows {
				nc.Cat[j] = c.Cat[r]
			}
		}
		out.Columns[ci] = nc
	}
	return out
}

// Bads returns the number of bad rows.
func (d *Dataset) Bads() int {
	n := 0
	for _, y := range d.Y {
		n += y
	}
	return n
}

// LoadOptions configures LoadCSV and ReadCSV.
type LoadOptions struct {
	// Target is the name of the target column. Required.
	Target string
	// Bad is the target value that marks a bad row (compared after
	// trimming spaces; numerically when both sides are numbers, so "1"
	// matches "1.0"). The target must hold exactly one other value, the
	// good one; a third value is an error naming its line. Required.
	Bad string
	// Exclude names columns to drop, such as an ID. Each must exist.
	Exclude []string
	// Kinds overrides the detected kind of named columns. Without an
	// override a column is Numeric when at least 90% of its non-missing
	// cells are finite numbers (any other cell is then an error naming it)
	// and Categorical otherwise (an all-missing column is Categorical).
	Kinds map[string]Kind
	// Missing lists cell values, besides the empty cell, that mean
	// "missing" (e.g. "NA", "?"). Compared after trimming spaces.
	Missing []string
}

// LoadCSV reads a comma-separated file with one header row. See ReadCSV.
func LoadCSV(path string, opt LoadOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &DataError{File: path, Err: err}
	}
	defer f.Close()
	return ReadCSV(f, path, opt)
}

// ReadCSV reads a comma-separated table with one header row from r. name
// is used in errors (usually the file name). Cells are trimmed; header
// names must be unique. Errors are *DataError values naming the file, the
// 1-based line and the column, wrapping ErrEmpty, ErrMissingColumn,
// ErrDuplicateColumn, ErrBadNumber, ErrBadRow, ErrTarget or
// ErrInvalidOption. The target must hold both a bad and a good row. The
// separator is the comma: when a named column is missing and the header
// reads as one column holding semicolons, tabs or pipes, the message says
// the file seems to use that separator.
func ReadCSV(r io.Reader, name string, opt LoadOptions) (*Dataset, error) {
	name = filepath.Clean(name)
	if strings.TrimSpace(opt.Target) == "" {
		return nil, &DataError{File: name, Err: optionError("no target column given")}
	}
	if strings.TrimSpace(opt.Bad) == "" {
		return nil, &DataError{File: name, Column: opt.Target, Err: optionError("no bad value given")}
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	cr.FieldsPerRecord = -1 // counted below, to report the numbers
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &DataError{File: name, Err: fmt.Errorf("no header: %w", ErrEmpty)}
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		header[i] = h
		if _, dup := col[h]; dup {
			return nil, &DataError{File: name, Line: 1, Column: h, Err: ErrDuplicateColumn}
		}
		col[h] = i
	}
	need := func(c, what string) error {
		if _, ok := col[c]; !ok {
			return &DataError{File: name, Line: 1, Column: c, Err: missingColumn(what+" column not in header", header)}
		}
		return nil
	}
	if err := need(opt.Target, "target"); err != nil {
		return nil, err
	}
	skip := make([]bool, len(header))
	skip[col[opt.Target]] = true
	for _, c := range opt.Exclude {
		if err := need(c, "excluded"); err != nil {
			return nil, err
		}
		skip[col[c]] = true
	}
	for c := range opt.Kinds {
		if err := need(c, "overridden"); err != nil {
			return nil, err
		}
	}

	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header) {
			return nil, &DataError{File: name, Line: line, Err: fmt.Errorf("%w: %d fields, the header has %d", ErrBadRow, len(rec), len(header))}
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			if slices.Contains(opt.Missing, rec[i]) {
				rec[i] = ""
			}
		}
		rows = append(rows, rec)
		lines = append(lines, line)
	}
	if len(rows) == 0 {
		return nil, &DataError{File: name, Err: fmt.Errorf("no data rows: %w", ErrEmpty)}
	}

	d := &Dataset{Target: opt.Target, Bad: strings.TrimSpace(opt.Bad), Y: make([]int, len(rows))}
	ti := col[opt.Target]
	badNum, badIsNum := parseFinite(d.Bad)
	var nBad int
	good, goodLine := "", 0 // the one good value, and where it was first seen
	for r, rec := range rows {
		v := rec[ti]
		if v == "" {
			return nil, &DataError{File: name, Line: lines[r], Column: opt.Target, Err: fmt.Errorf("empty target: %w", ErrTarget)}
		}
		isBad := v == d.Bad
		if !isBad && badIsNum {
			if x, ok := parseFinite(v); ok && x == badNum {
				isBad = true
			}
		}
		if isBad {
			d.Y[r] = 1
			nBad++
			continue
		}
		// A binary target has one good value; a third value is more
		// likely a typo than a class, so it is an error, not "good".
		switch {
		case goodLine == 0:
			good, goodLine = v, lines[r]
		case !sameValue(v, good):
			return nil, &DataError{File: name, Line: lines[r], Column: opt.Target, Err: fmt.Errorf(
				"third target value %q (bad is %q, good is %q as on line %d): %w", v, d.Bad, good, goodLine, ErrTarget)}
		}
	}
	if nBad == 0 || nBad == len(rows) {
		return nil, &DataError{File: name, Column: opt.Target, Err: fmt.Errorf("%d of %d rows equal bad value %q, want both classes: %w", nBad, len(rows), d.Bad, ErrTarget)}
	}

	for ci, h := range header {
		if skip[ci] {
			continue
		}
		kind, forced := opt.Kinds[h]
		if !forced {
			kind = detectKind(rows, ci)
		}
		c := Column{Name: h, Kind: kind}
		if kind == Numeric {
			c.Num = make([]float64, len(rows))
			for r, rec := range rows {
				if rec[ci] == "" {
					c.Num[r] = math.NaN()
					continue
				}
				x, ok := parseFinite(rec[ci])
				if !ok {
					err := fmt.Errorf("%w %q", ErrBadNumber, rec[ci])
					if !forced {
						err = fmt.Errorf("%w %q in an otherwise numeric column (declare it categorical to keep text)", ErrBadNumber, rec[ci])
					}
					return nil, &DataError{File: name, Line: lines[r], Column: h, Err: err}
				}
				c.Num[r] = x
			}
		} else {
			c.Cat = make([]string, len(rows))
			for r, rec := range rows {
				c.Cat[r] = rec[ci]
			}
		}
		d.Columns = append(d.Columns, c)
	}
	if len(d.Columns) == 0 {
		return nil, &DataError{File: name, Err: fmt.Errorf("no attribute columns: %w", ErrEmpty)}
	}
	return d, nil
}

// detectKind returns Numeric when at least 90% of the non-empty cells of
// column ci are finite numbers, and Categorical otherwise (or when every
// cell is empty). A mostly numeric column with a few other cells is taken
// to be numeric so that loading stops at the first odd cell, naming it,
// rather than turning the column into hundreds of categories.
func detectKind(rows [][]string, ci int) Kind {
	var num, other int
	for _, rec := range rows {
		if rec[ci] == "" {
			continue
		}
		if _, ok := parseFinite(rec[ci]); ok {
			num++
		} else {
			other++
		}
	}
	if num == 0 || num < 9*other {
		return Categorical
	}
	return Numeric
}

// sameValue compares two target values as numbers when both are, and as
// strings otherwise.
func sameValue(a, b string) bool {
	x, okA := parseFinite(a)
	y, okB := parseFinite(b)
	if okA && okB {
		return x == y
	}
	return a == b
}

// parseFinite parses s as a finite float64.
func parseFinite(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// missingColumn returns an error wrapping ErrMissingColumn with the
// message msg, followed, when the header is one column holding semicolons,
// tabs or pipes, by a clause saying the file seems to use that separator.
func missingColumn(msg string, header []string) error {
	if hint := csvsep.Hint(header); hint != "" {
		return fmt.Errorf("%s: %w (%s)", msg, ErrMissingColumn, hint)
	}
	return fmt.Errorf("%s: %w", msg, ErrMissingColumn)
}

// csvError converts an encoding/csv error into a *DataError.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &DataError{File: name, Line: pe.Line, Err: fmt.Errorf("%w: %v", ErrBadRow, pe.Err)}
	}
	return &DataError{File: name, Err: err}
}
