package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chartUniverse returns a folder holding the eight-ticker fixture and
// three more tickers copied from its first files under other names (a
// decile portfolio needs 10 names).
func chartUniverse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join(universeFixture, "*.csv"))
	require.NoError(t, err)
	for i, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644))
		if i < 3 {
			name := strings.TrimSuffix(filepath.Base(f), "_data.csv")
			copyName := fmt.Sprintf("ZZ%c", 'A'+i)
			b = []byte(strings.ReplaceAll(string(b), ","+name+"\n", ","+copyName+"\n"))
			require.NoError(t, os.WriteFile(filepath.Join(dir, copyName+"_data.csv"), b, 0o644))
		}
	}
	return dir
}

// chartArgs keep a chart run on a small universe to a few seconds.
func chartArgs(data, out string) []string {
	return []string{"chart", "--data", data, "--split", "2013-12-02", "--horizon", "5", "--stride", "5",
		"--epochs", "1", "--batch", "32", "--filters", "4", "--examples", "3", "--out", out, "--quiet"}
}

func TestChartRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "charts-out")
	data := chartUniverse(t)
	stdout, _, err := run(t, chartArgs(data, out)...)
	require.NoError(t, err)
	assert.Contains(t, stdout, "out-of-sample accuracy")
	pngs, err := filepath.Glob(filepath.Join(out, "charts", "*.png"))
	require.NoError(t, err)
	assert.Len(t, pngs, 3)
	assert.FileExists(t, filepath.Join(out, "chart.json"))

	// A second run replaces the folder it wrote: no stale charts remain.
	args := chartArgs(data, out)
	args[len(args)-4] = "1" // --examples 1
	_, _, err = run(t, args...)
	require.NoError(t, err)
	pngs, err = filepath.Glob(filepath.Join(out, "charts", "*.png"))
	require.NoError(t, err)
	assert.Len(t, pngs, 1)
}

func TestChartKeepsUserFiles(t *testing.T) {
	out := t.TempDir()
	notes := filepath.Join(out, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("mine"), 0o644))
	_, _, err := run(t, chartArgs(universeFixture, out)...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--out")
	b, err := os.ReadFile(notes)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b))
}

func TestChartTooFewTickers(t *testing.T) {
	_, _, err := run(t, chartArgs(universeFixture, filepath.Join(t.TempDir(), "o"))...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "a decile portfolio needs 10")
}

func TestChartBadFlags(t *testing.T) {
	cases := []struct {
		name string
		flag []string
		want string
	}{
		{"batch", []string{"--batch", "0"}, "--batch 0"},
		{"epochs", []string{"--epochs", "-1"}, "--epochs -1"},
		{"lr", []string{"--lr", "0"}, "--lr 0"},
		{"filters", []string{"--filters", "4,0"}, "--filters"},
		{"horizon", []string{"--horizon", "0"}, "--horizon 0"},
		{"split", []string{"--split", "2013/12/02"}, "--split"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := run(t, append(chartArgs(universeFixture, filepath.Join(t.TempDir(), "o")), c.flag...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestChartKeepsUserFilesInCharts(t *testing.T) {
	data := chartUniverse(t)
	out := filepath.Join(t.TempDir(), "o")
	_, _, err := run(t, chartArgs(data, out)...)
	require.NoError(t, err)
	mine := filepath.Join(out, "charts", "notes.md")
	require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o644))
	_, _, err = run(t, chartArgs(data, out)...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "notes.md")
	assert.NotContains(t, err.Error(), "atomicfile")
	assert.FileExists(t, mine)

	require.NoError(t, os.Remove(mine))
	require.NoError(t, os.RemoveAll(filepath.Join(out, "charts")))
	require.NoError(t, os.WriteFile(filepath.Join(out, "charts"), []byte("not a folder"), 0o644))
	_, _, err = run(t, chartArgs(data, out)...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot read its charts")

	_, _, err = run(t, chartArgs(data, "")...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--out is empty")
}
