package credit

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const tol = 1e-9

// numData builds a dataset with one numeric column x and labels y.
func numData(x []float64, y []int) *Dataset {
	return &Dataset{Columns: []Column{{Name: "x", Kind: Numeric, Num: x}}, Y: y}
}

// catData builds a dataset with one categorical column c and labels y.
func catData(c []string, y []int) *Dataset {
	return &Dataset{Columns: []Column{{Name: "c", Kind: Categorical, Cat: c}}, Y: y}
}

func loadFixture(t testing.TB) *Dataset {
	t.Helper()
	d, err := LoadCSV("testdata/german_200.csv", LoadOptions{Target: "class", Bad: "2"})
	require.NoError(t, err)
	return d
}

func readString(t testing.TB, s string, opt LoadOptions) (*Dataset, error) {
	t.Helper()
	return ReadCSV(strings.NewReader(s), "mem.csv", opt)
}

var nan = math.NaN()
