package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/finance/credit"
	"github.com/deepfin/deepfin/finance/credit/server"
)

const germanFixture = "../../finance/credit/testdata/german_200.csv"

// trainFixture trains a quick scorecard on the German fixture into a new
// folder and returns its path.
func trainFixture(t *testing.T, extra ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "model")
	args := append([]string{"credit", "train", "--data", germanFixture, "--target", "class", "--bad", "2",
		"--out", out, "--fitter", "newton", "--quiet"}, extra...)
	_, _, err := run(t, args...)
	require.NoError(t, err)
	return out
}

func TestCreditTrainScoreReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model")
	stdout, _, err := run(t, "credit", "train", "--data", germanFixture, "--target", "class", "--bad", "2",
		"--out", out, "--fitter", "newton", "--folds", "3", "--quiet")
	require.NoError(t, err)
	for _, want := range []string{"AUC", "Gini", "KS", "train (in-sample)", "3-fold CV mean", "model and report written to"} {
		assert.Contains(t, stdout, want)
	}
	for _, name := range []string{credit.BundleFile, reportFile, "roc.png", "roc.svg", "ks.png", "calibration.svg", "score_distribution.png"} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	b, err := credit.LoadBundle(out)
	require.NoError(t, err)
	assert.Equal(t, credit.KindScorecard, b.Kind())
	require.NotNil(t, b.Training.CV)
	assert.Equal(t, 3, b.Training.CV.Folds)
	assert.Len(t, b.Training.ScoreQuantiles, 101)

	// score to a file
	scores := filepath.Join(t.TempDir(), "scores.csv")
	_, _, err = run(t, "credit", "score", "--model", out, "--data", germanFixture, "--output", scores)
	require.NoError(t, err)
	fh, err := os.Open(scores)
	require.NoError(t, err)
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 201)
	assert.Equal(t, []string{"id", "score", "pd", "reason_1", "reason_2", "reason_3"}, recs[0])
	assert.Equal(t, "1", recs[1][0], "ids default to 1-based row numbers")
	assert.Regexp(t, `^[a-z_]+: `, recs[1][3])

	// the same scores as the library, row by row
	d, err := credit.LoadCSV(germanFixture, credit.LoadOptions{Target: "class", Bad: "2"})
	require.NoError(t, err)
	pts, _, err := b.ScoreDataset(d, nil)
	require.NoError(t, err)
	assert.Equal(t, strconv.FormatFloat(pts[4], 'f', 3, 64), recs[5][1])

	// report
	rep := filepath.Join(t.TempDir(), "rep")
	stdout, _, err = run(t, "credit", "report", "--model", out, "--data", germanFixture, "--out", rep, "--json")
	require.NoError(t, err)
	var er evalReport
	require.NoError(t, json.Unmarshal([]byte(stdout), &er))
	assert.Equal(t, 200, er.Summary.N)
	require.NotNil(t, er.PSI)
	assert.Less(t, *er.PSI, 0.01, "the training data against itself is stable")
	assert.Len(t, er.Calibration, 10)
	assert.FileExists(t, filepath.Join(rep, "roc.png"))
	assert.FileExists(t, filepath.Join(rep, reportFile))
}

func TestCreditTrainMLPAndScore(t *testing.T) {
	out := trainFixture(t, "--model", "mlp", "--epochs", "2", "--folds", "0")
	assert.DirExists(t, filepath.Join(out, credit.NetworkDir))
	stdout, _, err := run(t, "credit", "score", "--model", out, "--data", germanFixture, "--id", "age_years", "--reasons", "0")
	require.NoError(t, err)
	recs, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 201)
	assert.Equal(t, []string{"id", "score", "pd"}, recs[0])
	assert.Equal(t, "67", recs[1][0], "--id copies the column")
}

func TestCreditScoreBadRows(t *testing.T) {
	model := trainFixture(t, "--folds", "0")
	raw, err := os.ReadFile(germanFixture)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	header := lines[0]
	row := lines[3] // data row 3, line 4: A14,12,A34,A46,2096,A61,A74,2,A93,A101,3,A121,49,...
	cases := []struct {
		name string
		file string
		want string
	}{
		{"unknown category", header + "\n" + lines[1] + "\n" + strings.Replace(row, "A14,", "A19,", 1), `/bad.csv:3: column "checking_status": unknown category "A19"`},
		{"not a number", header + "\n" + strings.Replace(row, ",12,", ",twelve,", 1), `/bad.csv:2: column "duration_months": wrong type: "twelve" is not a number`},
		{"out of range", header + "\n" + strings.Replace(row, ",12,", ",-12,", 1), `/bad.csv:2: column "duration_months": out of range: -12 < min 0`},
		{"absurd value", header + "\n" + strings.Replace(row, ",12,", ",1e300,", 1), `/bad.csv:2: column "duration_months": out of range: 1e+300 > max`},
		{"missing required", header + "\n" + strings.Replace(row, "A14,", ",", 1), `/bad.csv:2: column "checking_status": missing required field`},
		{"line of a cell after a multi-line one", "note," + header + "\n\"two\nlines\"," + strings.Replace(row, ",12,", ",x,", 1),
			`/bad.csv:3: column "duration_months": wrong type: "x" is not a number`},
		{"column absent", strings.Replace(header, "checking_status", "checking", 1) + "\n" + row,
			`/bad.csv:1: column "checking_status": used by the model but not in the header: missing column`},
		{"semicolons", strings.ReplaceAll(header, ",", ";") + "\n" + strings.ReplaceAll(row, ",", ";"),
			`/bad.csv:1: column "checking_status": used by the model but not in the header: missing column ` +
				`(the file seems to use ';', not commas, between columns: its header reads as one column)`},
		{"ragged row", header + "\n" + row + ",extra", `/bad.csv:2: malformed row: 22 fields, the header has 21`},
		{"no rows", header, "/bad.csv: no applicants after the header"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "bad.csv")
			require.NoError(t, os.WriteFile(in, []byte(c.file+"\n"), 0o644))
			out := filepath.Join(dir, "scores.csv")
			_, _, err := run(t, "credit", "score", "--model", model, "--data", in, "--output", out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.True(t, strings.HasPrefix(err.Error(), "credit: "), err.Error())
			assert.NotContains(t, oneLine(err.Error()), "\n")
			assert.NoFileExists(t, out, "nothing written on error")
		})
	}
}

// TestCreditDataErrors checks that train and report name the file, the
// line and the column of bad input, and recognise another separator.
func TestCreditDataErrors(t *testing.T) {
	model := trainFixture(t, "--folds", "0")
	raw, err := os.ReadFile(germanFixture)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	semicolons := strings.ReplaceAll(strings.Join(lines, "\n"), ",", ";")
	badAge := slices.Clone(lines)
	badAge[4] = strings.Replace(badAge[4], ",45,", ",x,", 1) // line 5: ...,A124,45,A143,...
	require.NotEqual(t, lines[4], badAge[4], "fixture: line 5 has age 45")
	noDuration := slices.Clone(lines)
	for i, l := range noDuration {
		f := strings.Split(l, ",")
		noDuration[i] = strings.Join(append(f[:1], f[2:]...), ",")
	}
	hint := `(the file seems to use ';', not commas, between columns: its header reads as one column)`
	cases := []struct {
		name, cmd, file, want string
	}{
		{"train, semicolons", "train", semicolons, `/bad.csv:1: column "class": target column not in header: missing column ` + hint},
		{"train, bad number", "train", strings.Join(badAge, "\n"), `/bad.csv:5: column "age_years": invalid number "x"`},
		{"report, semicolons", "report", semicolons, `/bad.csv:1: column "class": target column not in header: missing column ` + hint},
		{"report, used column absent", "report", strings.Join(noDuration, "\n"),
			`/bad.csv:1: column "duration_months": used by the model but not in the header: missing column`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "bad.csv")
			require.NoError(t, os.WriteFile(in, []byte(c.file+"\n"), 0o644))
			args := []string{"credit", c.cmd, "--data", in, "--out", filepath.Join(dir, "out")}
			if c.cmd == "train" {
				args = append(args, "--target", "class", "--bad", "2", "--folds", "0", "--fitter", "newton", "--quiet")
			} else {
				args = append(args, "--model", model)
			}
			_, _, err := run(t, args...)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "credit: "), err.Error())
			assert.Contains(t, err.Error(), c.want)
			assert.NoDirExists(t, filepath.Join(dir, "out"))
		})
	}
}

func TestCreditTrainErrors(t *testing.T) {
	foreign := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(foreign, "thesis.tex"), []byte("x"), 0o644))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"--data", germanFixture, "--bad", "2"}, "needs --data, --target and --bad"},
		{"bad model", []string{"--data", germanFixture, "--target", "class", "--bad", "2", "--model", "forest"}, `--model "forest"`},
		{"bad fitter", []string{"--data", germanFixture, "--target", "class", "--bad", "2", "--fitter", "magic"}, `--fitter "magic"`},
		{"missing target column", []string{"--data", germanFixture, "--target", "klass", "--bad", "2"}, `column "klass"`},
		{"foreign out folder", []string{"--data", germanFixture, "--target", "class", "--bad", "2", "--out", foreign}, "refusing to replace"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"credit", "train", "--quiet", "--folds", "0", "--fitter", "newton"}, c.args...)
			if !strings.Contains(strings.Join(c.args, " "), "--out") {
				args = append(args, "--out", filepath.Join(t.TempDir(), "m"))
			}
			_, _, err := run(t, args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	assert.FileExists(t, filepath.Join(foreign, "thesis.tex"))
}

// syncBuffer is a bytes.Buffer safe for one writer and a polling reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeCommand(t *testing.T) {
	model := trainFixture(t, "--folds", "0")
	cmd := newRootCmd()
	var stderr syncBuffer
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{"serve", "--model", model, "--addr", "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()

	re := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
	}
	require.NotEmpty(t, base, "server did not start: %s", stderr.String())
	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Post(base+"/v1/score", "application/json", strings.NewReader(`{"checking_status":"A11"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
	assert.Contains(t, stderr.String(), "shut down cleanly")
}

func TestLoadtestAgainstHandler(t *testing.T) {
	b, err := credit.LoadBundle(trainFixture(t, "--folds", "0"))
	require.NoError(t, err)
	h, err := server.New(b, server.Config{})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	stdout, _, err := run(t, "credit", "loadtest", "--url", srv.URL, "--data", germanFixture,
		"--clients", "4", "--duration", "300ms", "--json")
	require.NoError(t, err, stdout)
	var res loadResult
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Positive(t, res.Requests)
	assert.Zero(t, res.Errors)
	assert.GreaterOrEqual(t, len(res.Malformed), 20)
	for _, m := range res.Malformed {
		assert.True(t, m.OK, "%s: status %d field %q: %s", m.Name, m.Status, m.Got, m.Error)
	}
	assert.True(t, res.GoodAfter)
}

func TestLoadtestOnlyLoopback(t *testing.T) {
	for _, u := range []string{"http://192.0.2.1:8080", "http://example.invalid", "https://127.0.0.1:1"} {
		_, _, err := run(t, "credit", "loadtest", "--url", u, "--data", germanFixture, "--duration", "1ms")
		require.Error(t, err, u)
		assert.Contains(t, err.Error(), "--url")
	}
}

// TestCreditOutNeverLosesUserFiles checks that neither a report nor a new
// model replaces a folder holding something deepfin did not write.
func TestCreditOutNeverLosesUserFiles(t *testing.T) {
	model := trainFixture(t)

	_, _, err := run(t, "credit", "report", "--model", model, "--data", germanFixture, "--out", model)
	require.Error(t, err, "a report must not be written over a model folder")
	assert.Contains(t, err.Error(), "holds a model (credit-model.json), which the report would replace")
	assert.FileExists(t, filepath.Join(model, "credit-model.json"))

	notes := filepath.Join(model, "my_notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("keep"), 0o644))
	_, _, err = run(t, "credit", "train", "--data", germanFixture, "--target", "class", "--bad", "2",
		"--out", model, "--fitter", "newton", "--quiet")
	require.Error(t, err)
	assert.Equal(t, "--out: credit: refusing to replace "+model+": it holds files deepfin would not write there: my_notes.txt", err.Error())
	assert.ErrorIs(t, err, fs.ErrExist)
	assert.FileExists(t, notes)

	// a report folder with the user's notes added is refused, saying so
	rep := filepath.Join(t.TempDir(), "rep")
	_, _, err = run(t, "credit", "report", "--model", model, "--data", germanFixture, "--out", rep)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(rep, "notes.txt"), []byte("keep"), 0o644))
	_, _, err = run(t, "credit", "report", "--model", model, "--data", germanFixture, "--out", rep)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "it holds files deepfin would not write there: notes.txt")
	assert.NotContains(t, err.Error(), "already exists")
	assert.FileExists(t, filepath.Join(rep, "notes.txt"))
	assert.FileExists(t, filepath.Join(rep, reportFile))

	require.NoError(t, os.Remove(notes))
	_, _, err = run(t, "credit", "train", "--data", germanFixture, "--target", "class", "--bad", "2",
		"--out", model, "--fitter", "newton", "--quiet")
	require.NoError(t, err, "a model folder deepfin wrote is replaced")
}
