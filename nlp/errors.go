package nlp

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by the package's error values; test for them
// with errors.Is.
var (
	// ErrInvalidArgument reports an argument outside its documented range.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrMissingColumn reports a CSV header that lacks a required column.
	ErrMissingColumn = errors.New("missing column")
	// ErrMalformed reports a row the CSV reader could not parse, such as
	// one with the wrong number of fields or a bad quote.
	ErrMalformed = errors.New("malformed row")
	// ErrMissingLabel reports a row whose label cell is empty.
	ErrMissingLabel = errors.New("missing label")
	// ErrUnknownLabel reports a label outside the declared classes.
	ErrUnknownLabel = errors.New("unknown label")
	// ErrEmptyText reports a row or file whose text is empty or blank.
	ErrEmptyText = errors.New("empty text")
	// ErrInvalidUTF8 reports text that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid utf-8")
	// ErrEmpty reports an input with no usable rows.
	ErrEmpty = errors.New("no rows")
	// ErrLayout reports a folder that does not have the expected layout,
	// such as an aclImdb split without its pos or neg folder.
	ErrLayout = errors.New("unexpected folder layout")
	// ErrFormat reports a saved model or vocabulary that cannot be read:
	// a wrong format name, a newer version or inconsistent contents.
	ErrFormat = errors.New("unreadable saved data")
	// ErrNotConverged reports a solver that stopped without meeting its
	// tolerance for a reason other than the iteration limit.
	ErrNotConverged = errors.New("solver did not converge")
	// ErrEmptyVocab reports a vocabulary built from training texts that
	// holds no token beside the reserved ones, for instance because
	// VocabConfig.MinFreq exceeds every token's count.
	ErrEmptyVocab = errors.New("empty vocabulary")
)

// ConfigError reports a configuration field outside its documented range.
// It wraps ErrInvalidArgument.
type ConfigError struct {
	// Op names what is being configured, e.g. "text classifier".
	Op string
	// Field is the field's name as written in Go, e.g. "Units".
	Field string
	// Value is the offending value.
	Value any
	// Want says what the field accepts, e.g. ">= 0".
	Want string
}

// Error returns a one-line message such as
// `nlp: text classifier: Units is -5, want >= 0`; a string value is
// quoted.
func (e *ConfigError) Error() string {
	v := fmt.Sprint(e.Value)
	if s, ok := e.Value.(string); ok {
		v = fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("nlp: %s: %s is %s, want %s", e.Op, e.Field, v, e.Want)
}

// Unwrap returns ErrInvalidArgument.
func (e *ConfigError) Unwrap() error { return ErrInvalidArgument }

// DataError describes a bad input row or file. It names the file, the
// 1-based line (the header is line 1 of a CSV file; 0 when no line
// applies) and the column, and wraps one of the sentinels above.
type DataError struct {
	// File is the file name or the name given to a reader.
	File string
	// Line is the 1-based line on which the offending record or byte
	// starts; 0 when the error concerns the whole file.
	Line int
	// Column is the column name, e.g. "label"; empty when no single
	// column is at fault.
	Column string
	// Err is the sentinel this error wraps.
	Err error
	// Detail adds specifics, e.g. the offending value; may be empty.
	Detail string
}

// Error returns a one-line, lower-case message such as
// `nlp: news.csv:7: column "label": missing label`.
func (e *DataError) Error() string {
	msg := "nlp: " + e.File
	if e.Line > 0 {
		msg += fmt.Sprintf(":%d", e.Line)
	}
	if e.Column != "" {
		msg += fmt.Sprintf(": column %q", e.Column)
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
func (e *DataError) Unwrap() error { return e.Err }

// argError returns an error naming the function and argument at fault,
// wrapping ErrInvalidArgument.
func argError(op, arg, format string, a ...any) error {
	return fmt.Errorf("nlp: %s: argument %q: %w: %s", op, arg, ErrInvalidArgument, fmt.Sprintf(format, a...))
}

// formatError returns an error for unreadable saved data.
func formatError(what, format string, a ...any) error {
	return fmt.Errorf("nlp: %s: %w: %s", what, ErrFormat, fmt.Sprintf(format, a...))
}
