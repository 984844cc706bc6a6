package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/text/news.csv holds 90 invented three-class finance sentences.
var newsCSV = filepath.Join("testdata", "text", "news.csv")

// runCmd runs the root command with args and stdin, returning stdout.
func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

var smallModel = []string{"--embed", "8", "--units", "8", "--epochs", "30", "--lr", "0.02", "--min-freq", "1", "--quiet"}

func TestNLPTrainKeepsUserFiles(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("keep"), 0o644))
	_, err := runCmd(t, "", append([]string{"nlp", "train", "--data", newsCSV, "--out", dir, "--kind", "mean"}, smallModel...)...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "refusing to replace")
	assert.FileExists(t, notes)
}

func TestNLPTrainEvalScore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clf")
	out, err := runCmd(t, "", append([]string{"nlp", "train", "--data", newsCSV, "--out", dir, "--kind", "cnn", "--test-fraction", "0.2"}, smallModel...)...)
	require.NoError(t, err)
	assert.Contains(t, out, "test (18 texts): accuracy")

	var tr nlpTrainResult
	b, err := os.ReadFile(filepath.Join(dir, "training.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &tr))
	assert.Equal(t, 72, tr.TrainN)
	require.NotNil(t, tr.Test)
	assert.GreaterOrEqual(t, tr.Test.Accuracy, 0.8)

	out, err = runCmd(t, "", "nlp", "eval", "--model", dir, "--data", newsCSV, "--json")
	require.NoError(t, err)
	var m metricsJSON
	require.NoError(t, json.Unmarshal([]byte(out), &m))
	assert.Equal(t, 90, m.N)
	assert.GreaterOrEqual(t, m.Accuracy, 0.8)

	out, err = runCmd(t, "", "nlp", "score", "--model", dir, "Baltic Steel: sales jumped this year.", "Acme Oyj: shares slumped in the third quarter.")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, []string{"1", "positive"}, strings.Fields(lines[1])[:2], lines[1])
	assert.Equal(t, []string{"2", "negative"}, strings.Fields(lines[2])[:2], lines[2])

	out, err = runCmd(t, "the board met.\n\nsales jumped.\n", "nlp", "score", "--model", dir, "--json")
	require.NoError(t, err)
	var rows []scoredText
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var r scoredText
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		rows = append(rows, r)
	}
	require.Len(t, rows, 2)
	assert.Equal(t, "positive", rows[1].Class)
	assert.Equal(t, []int{1, 3}, []int{rows[0].Line, rows[1].Line}, "rows keep their input lines across a blank one")
	assert.InDelta(t, 1, rows[0].Proba["negative"]+rows[0].Proba["neutral"]+rows[0].Proba["positive"], 1e-9)

	_, err = runCmd(t, "sales jumped.\nprofit \xff\xfe fell.\n", "nlp", "score", "--model", dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "standard input:2: text is not valid UTF-8")
	_, err = runCmd(t, "\n \n", "nlp", "score", "--model", dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "holds no text")
}

func TestBenchText(t *testing.T) {
	cases := []struct {
		name string
		args []string
		rows int
	}{
		{"phrasebank_runs", []string{"bench", "phrasebank", "--data", newsCSV, "--kinds", "mean", "--runs", "2"}, 3},
		{"uci_folds", []string{"bench", "uci", "--data", newsCSV, "--format", "phrasebank", "--kinds", "mean,cnn", "--folds", "3", "--c", "10"}, 3},
		{"imdb_aclimdb", []string{"bench", "imdb", "--data", filepath.Join("..", "..", "nlp", "testdata", "aclImdb"), "--format", "aclimdb", "--kinds", "lstm", "--epochs", "2"}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			jsonPath := filepath.Join(t.TempDir(), "r.json")
			out, err := runCmd(t, "", append(append(c.args, smallModel...), "--json", "--out", jsonPath)...)
			require.NoError(t, err)
			var res benchTextResult
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			require.Len(t, res.Rows, c.rows)
			for _, r := range res.Rows {
				assert.True(t, r.Accuracy >= 0 && r.Accuracy <= 1, "%s: %g", r.Model, r.Accuracy)
			}
			b, err := os.ReadFile(jsonPath)
			require.NoError(t, err)
			assert.Contains(t, string(b), `"rows"`)
		})
	}
}

func TestNLPErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"kind", []string{"nlp", "train", "--data", newsCSV, "--kind", "bert", "--out", filepath.Join(t.TempDir(), "x")}, `kind "bert"`},
		{"format", []string{"nlp", "train", "--data", newsCSV, "--format", "xml"}, `--format "xml"`},
		{"eval_no_data", []string{"nlp", "eval", "--model", t.TempDir()}, "--data is required"},
		{"score_no_model", []string{"nlp", "score", "--model", filepath.Join(t.TempDir(), "none"), "text"}, "nlp score"},
		{"bench_kinds", []string{"bench", "phrasebank", "--data", newsCSV, "--kinds", "bert"}, `"bert" is not one of`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runCmd(t, "", c.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
