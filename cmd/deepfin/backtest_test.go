package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run executes the command line args and returns stdout, stderr and the
// error the command ended with.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// smallRun are flags that keep a backtest of the 300-bar fixture quick.
var smallRun = []string{"--window", "5", "--train-years", "0.5", "--refit", "60", "--epochs", "2", "--hidden", "4"}

func TestBacktestWritesReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	args := append([]string{"backtest", "--data", "testdata/aapl_300.csv", "--out", out, "--json", "--quiet"}, smallRun...)
	stdout, _, err := run(t, args...)
	require.NoError(t, err)

	var sum summary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum))
	assert.Equal(t, "gru", sum.Model)
	assert.Equal(t, "2013-08-09", sum.Start, "bar 126 (line 128) follows the 126-bar training window")
	assert.Equal(t, 3, sum.Folds)
	for _, name := range []string{"report.html", "report.md", "report.json", "equity.png", "equity.svg", "drawdown.png", "rolling_sharpe.svg"} {
		assert.FileExists(t, filepath.Join(out, name))
	}
}

func TestBacktestTablePrinted(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report")
	args := append([]string{"backtest", "--data", "testdata/aapl_300.csv", "--out", out, "--quiet", "--model", "linear"}, smallRun...)
	stdout, _, err := run(t, args...)
	require.NoError(t, err)
	for _, want := range []string{"strategy", "buy & hold", "Sharpe", "max drawdown", "report written to"} {
		assert.Contains(t, stdout, want)
	}
}

// TestBacktestBadInput checks that each malformed file stops the command
// with one line naming the problem and the place, and leaves no report.
func TestBacktestBadInput(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"missing_close.csv", []string{"missing_close.csv", `missing required column "close"`}},
		{"non_numeric.csv", []string{"non_numeric.csv:57", `column "close"`, `invalid number "abc"`}},
		{"duplicate_date.csv", []string{"duplicate_date.csv:41", "duplicate date 2013-04-05", "line 40"}},
		{"empty.csv", []string{"empty.csv", "empty file"}},
		{"five_rows.csv", []string{"five_rows.csv", "5 bars", "at least 30"}},
		{"no_such_file.csv", []string{"no_such_file.csv", "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report")
			_, _, err := run(t, "backtest", "--data", filepath.Join("testdata", tt.file), "--out", out, "--quiet")
			require.Error(t, err)
			msg := oneLine(err.Error())
			assert.NotContains(t, msg, "\n")
			for _, w := range tt.want {
				assert.Contains(t, msg, w)
			}
			assert.NoDirExists(t, out, "a failed run must leave no report")
		})
	}
}

func TestBacktestBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"model", []string{"--model", "transformer"}, `model "transformer"`},
		{"strategy", []string{"--strategy", "martingale"}, `--strategy "martingale"`},
		{"execution", []string{"--execution", "noon"}, `--execution "noon"`},
		{"train years", []string{"--train-years", "0"}, "--train-years"},
		{"negative cost", []string{"--cost-bps", "-1"}, "--cost-bps"},
		{"threshold", []string{"--strategy", "threshold", "--threshold", "0.7"}, "--threshold"},
		{"window", []string{"--window", "0"}, "window must be at least 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"backtest", "--data", "testdata/aapl_300.csv", "--out", filepath.Join(t.TempDir(), "r"), "--quiet"}, tt.args...)
			_, _, err := run(t, args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestBacktestOutIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "taken")
	require.NoError(t, os.WriteFile(file, []byte("keep me"), 0o644))
	_, _, err := run(t, "backtest", "--data", "testdata/aapl_300.csv", "--out", file, "--quiet")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a directory")
	b, _ := os.ReadFile(file)
	assert.Equal(t, "keep me", string(b))
}

func TestBacktestKeepsForeignFolder(t *testing.T) {
	dir := t.TempDir()
	precious := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(precious, []byte("keep me"), 0o644))
	_, _, err := run(t, "backtest", "--data", "testdata/aapl_300.csv", "--out", dir, "--quiet")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "it holds files deepfin would not write there: notes.txt")
	assert.FileExists(t, precious)
}

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a; b c", oneLine("a\n b   c\n"))
	assert.False(t, strings.Contains(oneLine("x\r\ny"), "\n"))
}

func TestBacktestRefusesOutHoldingData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "aapl.csv")
	b, err := os.ReadFile("testdata/aapl_300.csv")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(data, b, 0o644))
	require.NoError(t, os.Remove(data))
	// An earlier report folder into which the user has put the data.
	sub := filepath.Join(dir, "out")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "report.json"), []byte(`{"format":"deepfin-backtest-report"}`), 0o644))
	inside := filepath.Join(sub, "aapl.csv")
	require.NoError(t, os.WriteFile(inside, b, 0o644))
	_, _, err = run(t, "backtest", "--data", inside, "--out", sub, "--quiet")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lies inside it")
	assert.FileExists(t, inside)
}

func TestBacktestMakesOutParent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "a", "b", "report")
	args := append([]string{"backtest", "--data", "testdata/aapl_300.csv", "--out", out, "--quiet", "--model", "linear"}, smallRun...)
	_, _, err := run(t, args...)
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(out, "predictions.csv"))
	b, err := os.ReadFile(filepath.Join(out, "predictions.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	assert.Equal(t, "date,ticker,p_up,target_position", lines[0])
	assert.Len(t, lines, 1+300-126, "one row per out-of-sample bar")
}
