package features

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors wrapped by *Error; test for them with errors.Is.
var (
	// ErrInvalidArgument reports an argument outside its documented range.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrLengthMismatch reports columns of different lengths.
	ErrLengthMismatch = errors.New("length mismatch")
	// ErrMissingColumn reports a requested column that is not present.
	ErrMissingColumn = errors.New("missing column")
	// ErrColumnType reports a column that is not numeric.
	ErrColumnType = errors.New("non-numeric column")
	// ErrNoFiniteValues reports a column with no finite value where one
	// is needed.
	ErrNoFiniteValues = errors.New("no finite values")
	// ErrFrame reports an error carried by a gota DataFrame or Series.
	ErrFrame = errors.New("dataframe error")
)

// Error describes a failure of one of the package's functions. It names the
// function, the argument or column at fault, and wraps one of the sentinel
// errors above.
type Error struct {
	// Op is the function that failed, e.g. "Windows".
	Op string
	// Arg names the offending argument (e.g. "window") or column
	// (e.g. "close"); empty when no single one is at fault.
	Arg string
	// Column is the 0-based index of the offending column, or -1.
	Column int
	// Detail says what was wrong, e.g. "0 < 1".
	Detail string
	// Err is the sentinel this error wraps.
	Err error
}

// Error returns a one-line, lower-case message such as
// `features: Windows: argument "window": invalid argument: 0 < 1`.
func (e *Error) Error() string {
	msg := "features: " + e.Op
	switch {
	case e.Column >= 0 && e.Arg != "":
		msg += fmt.Sprintf(": column %d (%q)", e.Column, e.Arg)
	case e.Column >= 0:
		msg += fmt.Sprintf(": column %d", e.Column)
	case e.Arg != "":
		msg += fmt.Sprintf(": argument %q", e.Arg)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns the wrapped sentinel.
func (e *Error) Unwrap() error { return e.Err }

// argError builds an *Error for a bad argument.
func argError(op, arg string, sentinel error, format string, a ...any) *Error {
	return &Error{Op: op, Arg: arg, Column: -1, Detail: fmt.Sprintf(format, a...), Err: sentinel}
}

// colError builds an *Error for a bad column.
func colError(op, name string, col int, sentinel error, format string, a ...any) *Error {
	return &Error{Op: op, Arg: name, Column: col, Detail: fmt.Sprintf(format, a...), Err: sentinel}
}

// mustWindow panics when a window, span or horizon is below 1.
func mustWindow(op, arg string, w int) {
	if w < 1 {
		panic(fmt.Sprintf("features: %s: %s %d < 1", op, arg, w))
	}
}

// mustSameLen panics when the columns differ in length.
func mustSameLen(op string, cols ...[]float64) {
	for i := 1; i < len(cols); i++ {
		if len(cols[i]) != len(cols[0]) {
			panic(fmt.Sprintf("features: %s: column lengths differ (%d and %d)", op, len(cols[0]), len(cols[i])))
		}
	}
}

// nanSlice returns a slice of n NaNs.
func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return v-v == 0 }
