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

	"github.com/deepfin/deepfin/finance/market"
)

// universeFixture is the eight-ticker fixture of package market.
const universeFixture = "../../finance/market/testdata"

// runUniverseCmd runs "backtest" with the universe mode added, as main
// registers it, and returns stdout and the error.
func runUniverseCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := withUniverse(newBacktestCmd())
	var out, errw bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errw)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func smallUniverseArgs(out string) []string {
	return []string{"--universe", universeFixture, "--out", out, "--quiet",
		"--valid-start", "2013-12-01", "--test-start", "2014-03-01",
		"--epochs", "2", "--hidden", "4", "--window", "5", "--topk", "3", "--ndrop", "1"}
}

func TestUniverseTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rep")
	stdout, err := runUniverseCmd(t, append(smallUniverseArgs(out), "--model", "all")...)
	require.NoError(t, err)
	for _, k := range market.Kinds() {
		assert.Contains(t, stdout, "| "+k+" |", "every model has a row")
	}
	for _, f := range []string{market.FileTable, market.FileJSON, market.FileCumExcess + ".png", market.FileIC + ".svg"} {
		_, err := os.Stat(filepath.Join(out, f))
		assert.NoError(t, err, f)
	}
	md, err := os.ReadFile(filepath.Join(out, market.FileTable))
	require.NoError(t, err)
	assert.Contains(t, string(md), "purged")

	// The same seed reproduces the table exactly (training times aside).
	out2 := filepath.Join(t.TempDir(), "rep2")
	_, err = runUniverseCmd(t, append(smallUniverseArgs(out2), "--model", "all")...)
	require.NoError(t, err)
	assert.Equal(t, tableFigures(t, out), tableFigures(t, out2))
}

// tableFigures reads results.json's table without the training times.
func tableFigures(t *testing.T, dir string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, market.FileJSON))
	require.NoError(t, err)
	var v struct {
		Table []map[string]any `json:"table"`
	}
	require.NoError(t, json.Unmarshal(b, &v))
	for _, r := range v.Table {
		delete(r, "train_seconds")
	}
	return v.Table
}

func TestUniverseJSONOneModel(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rep")
	stdout, err := runUniverseCmd(t, append(smallUniverseArgs(out), "--model", "gru", "--json", "--strategy", "topk")...)
	require.NoError(t, err)
	var v struct {
		Table []map[string]any `json:"table"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &v))
	require.Len(t, v.Table, 1)
	assert.Equal(t, "gru", v.Table[0]["model"])
}

func TestUniverseBadFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rep")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"strategy", []string{"--strategy", "long_flat"}, "--strategy"},
		{"inapplicable", []string{"--horizon", "3"}, "--horizon does not apply"},
		{"ndrop", []string{"--ndrop", "9"}, "NDrop"},
		{"date", []string{"--test-start", "March"}, "--test-start"},
		{"model", []string{"--model", "svm"}, "invalid configuration"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runUniverseCmd(t, append(smallUniverseArgs(out), tc.args...)...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := runUniverseCmd(t, "--topk", "5", "--out", out)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "--topk needs --universe"), err.Error())
}
