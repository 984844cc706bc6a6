package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/nlp"
)

// testdata/text/news.csv holds 90 invented three-class finance sentences.
var newsCSV = filepath.Join("testdata", "text", "news.csv")

// runCmd runs the root command with args and stdin, returning stdout.
func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	out, _, err := runCmdStderr(t, stdin, args...)
	return out, err
}

// runCmdStderr is runCmd that also returns standard error.
func runCmdStderr(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
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
		{"score_no_model", []string{"nlp", "score", "--model", filepath.Join(t.TempDir(), "none"), "text"}, "nlp score: load text classifier: open "},
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

// Every out-of-range model flag is refused, naming the flag, its value and
// what is allowed, before the data (here a missing file) is read.
func TestNLPFlagValues(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.csv")
	out := filepath.Join(t.TempDir(), "clf")
	cases := []struct {
		flag, value, want string
	}{
		{"--batch", "0", "--batch 0: want an integer >= 1"},
		{"--batch", "-1", "--batch -1: want an integer >= 1"},
		{"--units", "0", "--units 0: want an integer >= 1"},
		{"--units", "-5", "--units -5: want an integer >= 1"},
		{"--embed", "0", "--embed 0: want an integer >= 1"},
		{"--epochs", "0", "--epochs 0: want an integer >= 1"},
		{"--epochs", "-1", "--epochs -1: want an integer >= 1"},
		{"--max-len", "-3", "--max-len -3: want an integer >= 0 (0: the 95th percentile of the training lengths)"},
		{"--patience", "0", "--patience 0: want an integer >= 1"},
		{"--patience", "-1", "--patience -1: want an integer >= 1"},
		{"--min-freq", "0", "--min-freq 0: want an integer >= 1"},
		{"--kernel", "4", "--kernel 4: want an odd integer >= 1"},
		{"--kernel", "0", "--kernel 0: want an odd integer >= 1"},
		{"--dropout", "-0.1", "--dropout -0.1: want a rate in [0, 1) (0: none)"},
		{"--dropout", "1", "--dropout 1: want a rate in [0, 1) (0: none)"},
		{"--lr", "0", "--lr 0: want a finite number > 0"},
		{"--lr", "NaN", "--lr NaN: want a finite number > 0"},
		{"--lr", "-0.01", "--lr -0.01: want a finite number > 0"},
		{"--weight-decay", "-1", "--weight-decay -1: want a finite number >= 0 (0: none)"},
		{"--weight-decay", "+Inf", "--weight-decay +Inf: want a finite number >= 0 (0: none)"},
	}
	for _, cmd := range [][]string{{"nlp", "train"}, {"bench", "phrasebank"}, {"bench", "uci"}, {"bench", "imdb"}} {
		what := strings.Join(cmd, " ")
		for _, c := range cases {
			t.Run(what+" "+c.flag+"="+c.value, func(t *testing.T) {
				_, err := runCmd(t, "", append(cmd, "--data", missing, "--out", out, c.flag, c.value)...)
				require.Error(t, err)
				assert.Equal(t, what+": "+c.want, err.Error())
				assert.NoDirExists(t, out)
			})
		}
	}

	others := []struct {
		name string
		args []string
		want string
	}{
		{"train_test_fraction_negative", []string{"nlp", "train", "--test-fraction", "-0.5"},
			"nlp train: --test-fraction -0.5: want a fraction in [0, 1) (0: no test part)"},
		{"train_test_fraction_one", []string{"nlp", "train", "--test-fraction", "1"},
			"nlp train: --test-fraction 1: want a fraction in [0, 1) (0: no test part)"},
		{"train_kind", []string{"nlp", "train", "--kind", "bert"}, `nlp train: --kind "bert": want lstm, gru, cnn or mean`},
		{"train_format", []string{"nlp", "train", "--format", "xml"}, `nlp train: --format "xml": want phrasebank, uci, imdb, csv or aclimdb`},
		{"eval_format", []string{"nlp", "eval", "--format", "xml"}, `nlp eval: --format "xml": want phrasebank, uci, imdb, csv or aclimdb`},
		{"bench_runs", []string{"bench", "phrasebank", "--runs", "0"}, "bench phrasebank: --runs 0: want an integer >= 1"},
		{"bench_folds", []string{"bench", "uci", "--folds", "1"}, "bench uci: --folds 1: want an integer >= 2"},
		{"bench_test_fraction", []string{"bench", "phrasebank", "--test-fraction", "0"}, "bench phrasebank: --test-fraction 0: want a fraction in (0, 1)"},
		{"bench_c", []string{"bench", "imdb", "--c", "1,-2"}, `bench imdb: --c "1,-2": want finite numbers > 0, separated by commas`},
	}
	for _, c := range others {
		t.Run(c.name, func(t *testing.T) {
			_, err := runCmd(t, "", append(c.args, "--data", missing)...)
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

// The flags reach the configuration as given: no value is replaced by a
// library default, and --dropout 0 means no dropout.
func TestTextFlagsConfig(t *testing.T) {
	f := textFlags{maxLen: 0, embed: 3, units: 5, kernel: 1, dropout: 0, epochs: 1, batch: 1, lr: 0.5, patience: 1, minFreq: 1, seed: 9}
	require.NoError(t, f.validate())
	cfg := f.config(nlp.KindCNN)
	assert.Equal(t, nlp.TextConfig{Kind: nlp.KindCNN, EmbedDim: 3, Units: 5, Kernel: 1, Dropout: -1, Epochs: 1, BatchSize: 1,
		LearningRate: 0.5, Patience: 1, Vocab: nlp.VocabConfig{MinFreq: 1}, Seed: 9}, cfg)
	f.dropout = 0.25
	assert.Equal(t, 0.25, f.config(nlp.KindCNN).Dropout)
}

func TestNLPTrainHelp(t *testing.T) {
	out, err := runCmd(t, "", "nlp", "train", "--help")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(out, "Train fits a deep text classifier"), out)
	assert.Contains(t, out, "csv         CSV with columns text and label")
}

func TestNLPTrainVocabulary(t *testing.T) {
	t.Run("empty", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "clf")
		_, err := runCmd(t, "", "nlp", "train", "--data", newsCSV, "--out", out, "--min-freq", "1000", "--quiet")
		require.ErrorIs(t, err, nlp.ErrEmptyVocab)
		assert.Equal(t, "nlp train: --min-freq 1000: text classifier: empty vocabulary: "+
			"no token occurs 1000 or more times (the minimum frequency) in the 81 training texts", err.Error())
		assert.NoDirExists(t, out)
	})
	for _, c := range []struct {
		minFreq, warning string
	}{
		{"45", "nlp train: warning: the vocabulary holds only 3 words beside <pad> and <unk> (--min-freq 45); the model sees little of the text\n"},
		{"10", ""},
	} {
		t.Run("min_freq_"+c.minFreq, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "clf")
			_, stderr, err := runCmdStderr(t, "", "nlp", "train", "--data", newsCSV, "--out", out, "--kind", "mean",
				"--epochs", "1", "--min-freq", c.minFreq, "--quiet")
			require.NoError(t, err)
			assert.Equal(t, c.warning, stderr)
		})
	}
}

func TestNLPTrainDataErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	rows := "\"Acme Oyj: sales jumped.\",positive\n\"Acme Oyj: shares slumped.\",negative\n"
	cases := []struct {
		name, file, content, format, want string
	}{
		{"missing_column", "cols.csv", "sentence,label\nhi,positive\n", "csv",
			`nlp train: ` + filepath.Join(dir, "cols.csv") + `:1: column "text": missing column: want columns "text" and "label"; the header has "sentence" and "label"`},
		{"unclosed_quote", "quote.csv", "text,label\n" + rows + rows + "\"Baltic Steel: orders fell.,negative\n" + rows, "phrasebank",
			`nlp train: ` + filepath.Join(dir, "quote.csv") + `:6: malformed row: extraneous or missing " in a quoted field of the record starting on this line (the reader stopped on line 7, column 1)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := write(c.file, c.content)
			_, err := runCmd(t, "", "nlp", "train", "--data", path, "--format", c.format, "--out", filepath.Join(dir, "clf"))
			require.Error(t, err)
			assert.Equal(t, c.want, err.Error())
		})
	}
}

func TestNLPScoreInput(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "clf")
	_, err := runCmd(t, "", append([]string{"nlp", "train", "--data", newsCSV, "--out", model, "--kind", "mean"}, smallModel...)...)
	require.NoError(t, err)
	score := func(t *testing.T, input string) ([]scoredText, string, error) {
		t.Helper()
		path := filepath.Join(dir, "in.txt")
		require.NoError(t, os.WriteFile(path, []byte(input), 0o644))
		out, stderr, err := runCmdStderr(t, "", "nlp", "score", "--model", model, "--input", path, "--json")
		var rows []scoredText
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			var r scoredText
			if l != "" {
				require.NoError(t, json.Unmarshal([]byte(l), &r))
				rows = append(rows, r)
			}
		}
		return rows, stderr, err
	}

	t.Run("byte_order_mark", func(t *testing.T) {
		plain, _, err := score(t, "Baltic Steel: sales jumped this year.\n")
		require.NoError(t, err)
		marked, _, err := score(t, "\ufeffBaltic Steel: sales jumped this year.\n")
		require.NoError(t, err)
		assert.Equal(t, plain, marked)
	})
	t.Run("blank_lines", func(t *testing.T) {
		for _, c := range []struct{ input, want string }{
			{"a.\n\nb.\n", "skipped 1 blank line of "},
			{"a.\n\n \nb.\n", "skipped 2 blank lines of "},
			{"a.\n", ""},
		} {
			_, stderr, err := score(t, c.input)
			require.NoError(t, err)
			if c.want == "" {
				assert.Empty(t, stderr)
			} else {
				assert.Equal(t, "nlp score: "+c.want+filepath.Join(dir, "in.txt")+"\n", stderr)
			}
		}
	})
	t.Run("long_line", func(t *testing.T) {
		_, _, err := score(t, "short.\n"+strings.Repeat("a", maxScoreLine+1)+"\n")
		require.Error(t, err)
		assert.Equal(t, "nlp score: "+filepath.Join(dir, "in.txt")+":2: line longer than 16 MiB", err.Error())
	})
	t.Run("missing_model", func(t *testing.T) {
		_, err := runCmd(t, "", "nlp", "score", "--model", filepath.Join(dir, "none"), "text")
		require.ErrorIs(t, err, fs.ErrNotExist)
		assert.True(t, strings.HasPrefix(err.Error(), "nlp score: load text classifier: open "), err.Error())
	})
}
