package credit

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCSVFixture(t *testing.T) {
	d := loadFixture(t)
	assert.Equal(t, 200, d.Len())
	assert.Equal(t, 57, d.Bads())
	require.Len(t, d.Columns, 20)
	kinds := map[string]Kind{}
	for _, c := range d.Columns {
		kinds[c.Name] = c.Kind
	}
	assert.Equal(t, Categorical, kinds["checking_status"])
	assert.Equal(t, Numeric, kinds["duration_months"])
	assert.Equal(t, Numeric, kinds["age_years"])
	assert.Equal(t, Categorical, kinds["foreign_worker"])
	c, ok := d.Column("credit_amount")
	require.True(t, ok)
	assert.InDelta(t, 1169, c.Num[0], tol)
	assert.Equal(t, 0, d.Y[0])
	assert.Equal(t, 1, d.Y[1])
}

func TestReadCSVOptions(t *testing.T) {
	const src = "id,age,grade,flag,target\n1,30,A,1,yes\n2,,B,0,no\n3,41.5,NA,1,no\n4,22,A,0,yes\n"
	d, err := readString(t, src, LoadOptions{
		Target: "target", Bad: "yes", Exclude: []string{"id"},
		Kinds: map[string]Kind{"flag": Categorical}, Missing: []string{"NA"},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"age", "grade", "flag"}, d.Names())
	assert.Equal(t, []int{1, 0, 0, 1}, d.Y)
	age, _ := d.Column("age")
	assert.Equal(t, Numeric, age.Kind)
	assert.True(t, math.IsNaN(age.Num[1]))
	grade, _ := d.Column("grade")
	assert.Equal(t, []string{"A", "B", "", "A"}, grade.Cat)
	flag, _ := d.Column("flag")
	assert.Equal(t, Categorical, flag.Kind)

	// numeric comparison of the bad value
	d, err = readString(t, "x,y\n1,1.0\n2,0\n", LoadOptions{Target: "y", Bad: "1"})
	require.NoError(t, err)
	assert.Equal(t, []int{1, 0}, d.Y)
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name   string
		src    string
		opt    LoadOptions
		want   error
		line   int
		column string
	}{
		{"no target option", "a,y\n1,1\n", LoadOptions{Bad: "1"}, ErrInvalidOption, 0, ""},
		{"no bad option", "a,y\n1,1\n", LoadOptions{Target: "y"}, ErrInvalidOption, 0, "y"},
		{"empty input", "", LoadOptions{Target: "y", Bad: "1"}, ErrEmpty, 0, ""},
		{"header only", "a,y\n", LoadOptions{Target: "y", Bad: "1"}, ErrEmpty, 0, ""},
		{"target absent", "a,b\n1,1\n", LoadOptions{Target: "y", Bad: "1"}, ErrMissingColumn, 1, "y"},
		{"excluded absent", "a,y\n1,1\n", LoadOptions{Target: "y", Bad: "1", Exclude: []string{"id"}}, ErrMissingColumn, 1, "id"},
		{"override absent", "a,y\n1,1\n", LoadOptions{Target: "y", Bad: "1", Kinds: map[string]Kind{"b": Numeric}}, ErrMissingColumn, 1, "b"},
		{"duplicate header", "a,a,y\n1,2,1\n", LoadOptions{Target: "y", Bad: "1"}, ErrDuplicateColumn, 1, "a"},
		{"ragged row", "a,y\n1,1\n2\n", LoadOptions{Target: "y", Bad: "1"}, ErrBadRow, 3, ""},
		{"forced numeric", "a,y\n1,1\nx,0\n", LoadOptions{Target: "y", Bad: "1", Kinds: map[string]Kind{"a": Numeric}}, ErrBadNumber, 3, "a"},
		{"forced numeric inf", "a,y\n1,1\nInf,0\n", LoadOptions{Target: "y", Bad: "1", Kinds: map[string]Kind{"a": Numeric}}, ErrBadNumber, 3, "a"},
		{"empty target", "a,y\n1,1\n2,\n", LoadOptions{Target: "y", Bad: "1"}, ErrTarget, 3, "y"},
		{"no bads", "a,y\n1,0\n2,0\n", LoadOptions{Target: "y", Bad: "1"}, ErrTarget, 0, "y"},
		{"all bad", "a,y\n1,1\n2,1\n", LoadOptions{Target: "y", Bad: "1"}, ErrTarget, 0, "y"},
		{"only target", "y\n1\n0\n", LoadOptions{Target: "y", Bad: "1"}, ErrEmpty, 0, ""},
		{"third target value", "a,y\n1,1\n2,0\n3,0.0\n4,3\n", LoadOptions{Target: "y", Bad: "1"}, ErrTarget, 5, "y"},
		{"one odd cell in a numeric column", "a,y\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n8,0\n9,1\n1x0,0\n11,1\n",
			LoadOptions{Target: "y", Bad: "1"}, ErrBadNumber, 11, "a"},
		{"NaN text in a numeric column", "a,y\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n8,0\n9,1\n10,0\nNaN,1\n",
			LoadOptions{Target: "y", Bad: "1"}, ErrBadNumber, 12, "a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readString(t, tc.src, tc.opt)
			require.ErrorIs(t, err, tc.want)
			var de *DataError
			require.True(t, errors.As(err, &de), "want *DataError, got %T", err)
			assert.Equal(t, "mem.csv", de.File)
			assert.Equal(t, tc.line, de.Line)
			assert.Equal(t, tc.column, de.Column)
			assert.Contains(t, err.Error(), "credit: mem.csv")
		})
	}
}

func TestRaggedRowMessage(t *testing.T) {
	_, err := readString(t, "a,b,y\n1,2,1\n\"3\n\",1\n", LoadOptions{Target: "y", Bad: "1"})
	require.ErrorIs(t, err, ErrBadRow)
	assert.Contains(t, err.Error(), "mem.csv:3: malformed row: 2 fields, the header has 3")
}

func TestDataErrorMessage(t *testing.T) {
	_, err := readString(t, "a,y\n1,1\nx,0\n", LoadOptions{Target: "y", Bad: "1", Kinds: map[string]Kind{"a": Numeric}})
	assert.EqualError(t, err, `credit: mem.csv:3: column "a": invalid number "x"`)
	_, err = LoadCSV("testdata/does-not-exist.csv", LoadOptions{Target: "y", Bad: "1"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "testdata/does-not-exist.csv")
}

func TestReadCSVOtherSeparator(t *testing.T) {
	cases := []struct {
		name, src, want string
	}{
		{"semicolons", "a;b;y\n1;2;1\n", `credit: mem.csv:1: column "y": target column not in header: missing column (the file seems to use ';', not commas, between columns: its header reads as one column)`},
		{"tabs", "a\tb\ty\n1\t2\t1\n", `the file seems to use '\t', not commas, between columns`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readString(t, c.src, LoadOptions{Target: "y", Bad: "1"})
			require.ErrorIs(t, err, ErrMissingColumn)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := readString(t, "a,b\n1,1\n", LoadOptions{Target: "y", Bad: "1"})
	assert.EqualError(t, err, `credit: mem.csv:1: column "y": target column not in header: missing column`, "no hint for a comma file")
}

func TestSubset(t *testing.T) {
	d := loadFixture(t)
	s := d.Subset([]int{1, 0, 1})
	assert.Equal(t, []int{1, 0, 1}, s.Y)
	c, _ := s.Column("checking_status")
	assert.Equal(t, []string{"A12", "A11", "A12"}, c.Cat)
}

func TestKindText(t *testing.T) {
	for _, k := range []Kind{Numeric, Categorical} {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var got Kind
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, k, got)
	}
	var k Kind
	assert.ErrorIs(t, k.UnmarshalText([]byte("text")), ErrInvalidOption)
}
