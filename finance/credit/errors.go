package credit

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is.
var (
	// ErrEmpty marks an input with no header or no data rows.
	ErrEmpty = errors.New("no data")
	// ErrMissingColumn marks a named column (target, excluded, overridden)
	// that the header lacks.
	ErrMissingColumn = errors.New("missing column")
	// ErrDuplicateColumn marks a header naming a column twice.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrBadNumber marks a cell of a numeric column that is not a finite
	// number.
	ErrBadNumber = errors.New("invalid number")
	// ErrBadRow marks a CSV record that cannot be read (wrong number of
	// fields, bad quoting).
	ErrBadRow = errors.New("malformed row")
	// ErrTarget marks an empty target cell or a target column that does not
	// hold both classes.
	ErrTarget = errors.New("bad target")
	// ErrInvalidOption marks an option or argument outside its domain.
	ErrInvalidOption = errors.New("invalid option")

	// ErrUnknownField marks an applicant field the schema does not know.
	ErrUnknownField = errors.New("unknown field")
	// ErrMissingField marks a required applicant field that is absent or
	// null.
	ErrMissingField = errors.New("missing required field")
	// ErrWrongType marks an applicant value of the wrong JSON type: a
	// numeric field needs a number, a categorical field a string.
	ErrWrongType = errors.New("wrong type")
	// ErrNonFinite marks a NaN or infinite numeric applicant value.
	ErrNonFinite = errors.New("non-finite number")
	// ErrOutOfRange marks a numeric applicant value outside the field's
	// [Min, Max].
	ErrOutOfRange = errors.New("out of range")
	// ErrUnknownCategory marks a categorical applicant value not seen in
	// training.
	ErrUnknownCategory = errors.New("unknown category")
)

// DataError reports a problem in a data file. Line is the 1-based line
// number in the file (the header is line 1), or 0 when the problem is not
// tied to a line; Column is the column name, or empty.
type DataError struct {
	File   string
	Line   int
	Column string
	Err    error
}

// Error implements error. The message is one line, for example
// `credit: german.csv:12: column "age_years": invalid number "x"`.
func (e *DataError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Column != "" {
		return fmt.Sprintf("credit: %s: column %q: %v", where, e.Column, e.Err)
	}
	return fmt.Sprintf("credit: %s: %v", where, e.Err)
}

// Unwrap returns the wrapped error, which wraps one of the sentinels.
func (e *DataError) Unwrap() error { return e.Err }

// FieldError reports one invalid field of an applicant. Field is the field
// name as given by the caller (for unknown fields) or as in the Schema.
type FieldError struct {
	Field string
	Err   error // wraps ErrUnknownField, ErrMissingField, ErrWrongType, ErrNonFinite, ErrOutOfRange or ErrUnknownCategory
}

// Error implements error, e.g. `credit: field "age_years": wrong type: got string, want number`.
func (e *FieldError) Error() string {
	return fmt.Sprintf("credit: field %q: %v", e.Field, e.Err)
}

// Unwrap returns the wrapped error.
func (e *FieldError) Unwrap() error { return e.Err }

// optionError builds an error wrapping ErrInvalidOption.
func optionError(format string, args ...any) error {
	return fmt.Errorf("credit: %s: %w", fmt.Sprintf(format, args...), ErrInvalidOption)
}
