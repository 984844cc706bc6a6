package features

import (
	"strings"
	"testing"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTableAdd(t *testing.T) {
	var tab Table
	assert.Equal(t, 0, tab.Len())
	tab.Add("a", []float64{1, 2})
	tab.Add("b", []float64{3, 4})
	assert.Equal(t, 2, tab.Len())
	assert.Equal(t, 1, tab.Index("b"))
	assert.Equal(t, -1, tab.Index("c"))
	assert.Equal(t, []float64{3, 4}, tab.Col("b"))
	assert.Nil(t, tab.Col("c"))

	tests := []struct {
		name string
		add  func()
	}{
		{"duplicate", func() { tab.Add("a", []float64{0, 0}) }},
		{"empty name", func() { tab.Add("", []float64{0, 0}) }},
		{"length", func() { tab.Add("c", []float64{0}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.Panics(t, tc.add) })
	}
}

func TestTableFrameRoundTrip(t *testing.T) {
	var tab Table
	tab.Add("x", []float64{1.5, nan, -2})
	tab.Add("y", []float64{0, 1, 2})
	df := tab.DataFrame()
	require.NoError(t, df.Err)
	assert.Equal(t, []string{"x", "y"}, df.Names())
	assert.Equal(t, 3, df.Nrow())

	back, err := TableFromFrame(df)
	require.NoError(t, err)
	assert.Equal(t, tab.Names, back.Names)
	assertClose(t, tab.Cols[0], back.Cols[0], 0)
	assertClose(t, tab.Cols[1], back.Cols[1], 0)

	sub, err := TableFromFrame(df, "y")
	require.NoError(t, err)
	assert.Equal(t, []string{"y"}, sub.Names)

	var empty Table
	assert.Error(t, empty.DataFrame().Err)
}

func TestTableFromFrameErrors(t *testing.T) {
	df := dataframe.New(
		series.New([]float64{1, 2}, series.Float, "f"),
		series.New([]int{1, 2}, series.Int, "i"),
		series.New([]string{"a", "b"}, series.String, "s"),
	)
	require.NoError(t, df.Err)
	ok, err := TableFromFrame(df, "i", "f")
	require.NoError(t, err)
	assert.Equal(t, []float64{1, 2}, ok.Col("i"))

	broken := dataframe.ReadCSV(strings.NewReader(""))
	require.Error(t, broken.Err)

	tests := []struct {
		name     string
		df       dataframe.DataFrame
		names    []string
		sentinel error
		msg      string
	}{
		{"missing", df, []string{"f", "close"}, ErrMissingColumn, `features: TableFromFrame: argument "close": missing column: frame has 3 columns`},
		{"string", df, []string{"s"}, ErrColumnType, `features: TableFromFrame: column 2 ("s"): non-numeric column: type string`},
		{"twice", df, []string{"f", "f"}, ErrInvalidArgument, `features: TableFromFrame: column 0 ("f"): invalid argument: requested twice`},
		{"frame error", broken, nil, ErrFrame, ""},
		{"all columns include string", df, nil, ErrColumnType, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TableFromFrame(tc.df, tc.names...)
			require.ErrorIs(t, err, tc.sentinel)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, err.Error())
			}
		})
	}
}
