package features

import (
	"fmt"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
)

// Table is an ordered set of named float64 columns of one length, indexed
// by bar. Names[j] names Cols[j]. Build it with Add so the invariants
// (equal lengths, unique non-empty names) hold; the zero value is an empty
// table ready to use.
type Table struct {
	Names []string
	Cols  [][]float64
}

// Add appends col under name. The slice is stored, not copied. It panics
// if name is empty or already present, or if col's length differs from
// the table's existing columns.
func (t *Table) Add(name string, col []float64) {
	if name == "" {
		panic("features: Table.Add: empty column name")
	}
	if t.Index(name) >= 0 {
		panic(fmt.Sprintf("features: Table.Add: duplicate column %q", name))
	}
	if len(t.Cols) > 0 && len(col) != len(t.Cols[0]) {
		panic(fmt.Sprintf("features: Table.Add: column %q has %d rows, table has %d", name, len(col), len(t.Cols[0])))
	}
	t.Names = append(t.Names, name)
	t.Cols = append(t.Cols, col)
}

// Len returns the number of rows, 0 for a table without columns.
func (t *Table) Len() int {
	if len(t.Cols) == 0 {
		return 0
	}
	return len(t.Cols[0])
}

// Index returns the position of the column called name, or -1.
func (t *Table) Index(name string) int {
	for j, n := range t.Names {
		if n == name {
			return j
		}
	}
	return -1
}

// Col returns the column called name (not a copy), or nil if there is
// none.
func (t *Table) Col(name string) []float64 {
	if j := t.Index(name); j >= 0 {
		return t.Cols[j]
	}
	return nil
}

// DataFrame returns a gota DataFrame holding a copy of the table, one
// Float series per column in order; NaN values become gota's NaN. A table
// without columns gives a DataFrame whose Err is set, as gota does for an
// empty frame: check df.Err.
func (t *Table) DataFrame() dataframe.DataFrame {
	ss := make([]series.Series, len(t.Cols))
	for j, c := range t.Cols {
		ss[j] = series.New(c, series.Float, t.Names[j])
	}
	return dataframe.New(ss...)
}

// TableFromFrame copies the named numeric columns of df into a new Table,
// in the order given; with no names it takes every column of df. Float and
// Int columns are accepted; gota's NaN and missing cells become NaN.
//
// It returns an *Error wrapping ErrFrame when df.Err is set,
// ErrMissingColumn naming a column df lacks (gota itself would panic),
// ErrColumnType naming a string or bool column, and ErrInvalidArgument
// for a name given twice.
func TableFromFrame(df dataframe.DataFrame, names ...string) (*Table, error) {
	const op = "TableFromFrame"
	if df.Err != nil {
		return nil, &Error{Op: op, Column: -1, Detail: df.Err.Error(), Err: ErrFrame}
	}
	have := df.Names()
	types := df.Types()
	if len(names) == 0 {
		names = have
	}

	t := &Table{}
	for _, name := range names {
		j := -1
		for i, h := range have {
			if h == name {
				j = i
				break
			}
		}
		switch {
		case j < 0:
			return nil, colError(op, name, -1, ErrMissingColumn, "frame has %d columns", len(have))
		case types[j] != series.Float && types[j] != series.Int:
			return nil, colError(op, name, j, ErrColumnType, "type %s", types[j])
		case t.Index(name) >= 0:
			return nil, colError(op, name, j, ErrInvalidArgument, "requested twice")
		}
		s := df.Col(name)
		if s.Err != nil {
			return nil, colError(op, name, j, ErrFrame, "%v", s.Err)
		}
		t.Add(name, s.Float())
	}
	return t, nil
}
