package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/backtest"
)

// loadBars reads a daily OHLC CSV with a header naming date, open and
// close columns (any case), as in testdata/ and ../shared/data/markets.
func loadBars(t testing.TB, path string) backtest.Bars {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.ToLower(h)] = i
	}
	var b backtest.Bars
	for n, rec := range recs[1:] {
		d, err := time.Parse("2006-01-02", rec[col["date"]])
		require.NoError(t, err, "%s line %d", path, n+2)
		o, err := strconv.ParseFloat(rec[col["open"]], 64)
		require.NoError(t, err, "%s line %d", path, n+2)
		c, err := strconv.ParseFloat(rec[col["close"]], 64)
		require.NoError(t, err, "%s line %d", path, n+2)
		b.Time = append(b.Time, d)
		b.Open = append(b.Open, o)
		b.Close = append(b.Close, c)
	}
	return b
}

// smaSignal is a simple trend rule used as a stand-in for a model: long
// when the close is above its trailing mean of window bars (decided at
// the close, so it uses no future data), NaN during the warm-up.
func smaSignal(close []float64, window int) []float64 {
	out := make([]float64, len(close))
	var sum float64
	for i, c := range close {
		sum += c
		if i >= window {
			sum -= close[i-window]
		}
		out[i] = math.NaN()
		if i >= window-1 {
			out[i] = c/(sum/float64(window)) - 1
		}
	}
	return out
}

// simulate runs the SMA rule over its defined span.
func simulate(t testing.TB, b backtest.Bars, window int, cfg backtest.Config) *backtest.Result {
	t.Helper()
	scores := smaSignal(b.Close, window)
	from, to, ok := backtest.Span(scores)
	require.True(t, ok)
	res, err := backtest.Run(b.Slice(from, to), backtest.Positions(scores[from:to], backtest.PositionRule{}), cfg)
	require.NoError(t, err)
	return res
}

// dataDir finds the shared data folder: $DEEPFIN_DATA, else
// ../shared/data beside the repository root.
func dataDir() string {
	if d := os.Getenv("DEEPFIN_DATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "data")
}

// outDir returns where a test writes its report: $DEEPFIN_REPORT_OUT/name
// when set (to look at the output), else a temporary directory.
func outDir(t *testing.T, name string) string {
	if d := os.Getenv("DEEPFIN_REPORT_OUT"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return filepath.Join(d, name)
	}
	return filepath.Join(t.TempDir(), name)
}

var wantFiles = []string{
	"drawdown.png", "drawdown.svg", "equity.png", "equity.svg",
	"report.html", "report.json", "report.md", "rolling_sharpe.png", "rolling_sharpe.svg",
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// checkReport verifies the files of a written report against r.
func checkReport(t *testing.T, dir string, r *Report) Summary {
	t.Helper()
	assert.Equal(t, wantFiles, listDir(t, dir))
	for _, f := range wantFiles {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Greater(t, st.Size(), int64(200), "%s looks empty", f)
	}
	png, err := os.ReadFile(filepath.Join(dir, "equity.png"))
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG", string(png[:4]))

	raw, err := os.ReadFile(filepath.Join(dir, FileJSON))
	require.NoError(t, err)
	var sum Summary
	require.NoError(t, json.Unmarshal(raw, &sum), "report.json parses back")
	s := r.Strategy
	assert.Equal(t, "deepfin-backtest-report", sum.Format)
	assert.Equal(t, s.Start.Format("2006-01-02"), sum.Period.Start)
	assert.Equal(t, s.Time[len(s.Time)-1].Format("2006-01-02"), sum.Period.End)
	assert.Equal(t, s.Len(), sum.Period.Bars)
	assert.InDelta(t, s.Metrics.TotalReturn, sum.Metrics.Strategy.TotalReturn, 1e-12)
	assert.InDelta(t, s.Metrics.Sharpe, sum.Metrics.Strategy.Sharpe, 1e-12)
	assert.InDelta(t, s.BenchmarkMetrics.CAGR, sum.Metrics.Benchmark.CAGR, 1e-12)
	assert.Equal(t, s.Metrics.MaxDrawdownBars, sum.Metrics.Strategy.MaxDrawdownBars)
	assert.Equal(t, 252.0, sum.Conventions.PeriodsPerYear)
	assert.Contains(t, sum.Conventions.CAGR, "365.25")
	assert.Equal(t, s.Config.Execution.String(), sum.Conventions.Execution)
	assert.Equal(t, append([]Setting{}, r.Settings...), sum.Settings)
	assert.Len(t, sum.Assets, len(r.Assets))
	assert.Len(t, sum.Plots, 3)

	html, err := os.ReadFile(filepath.Join(dir, FileHTML))
	require.NoError(t, err)
	h := string(html)
	assert.Equal(t, 3, strings.Count(h, `src="data:image/png;base64,`), "plots inlined")
	assert.Equal(t, 3, strings.Count(h, "<img "), "no other images")
	assert.NotRegexp(t, regexp.MustCompile(`(?i)https?://|<link|<script|@import|url\(`), h, "self-contained")
	assert.Contains(t, h, "Buy and hold")
	assert.Contains(t, h, sum.Period.Start)

	md, err := os.ReadFile(filepath.Join(dir, FileMarkdown))
	require.NoError(t, err)
	for _, p := range []string{"equity.png", "drawdown.png", "rolling_sharpe.png"} {
		assert.Contains(t, string(md), "]("+p+")")
	}
	return sum
}

func TestWriteFixture(t *testing.T) {
	b := loadBars(t, filepath.Join("testdata", "gspc_2018_2020.csv"))
	res := simulate(t, b, 50, backtest.Config{CostBps: 5, SlippageBps: 2})
	r := &Report{
		Title:    "S&P 500: close above its 50-day mean",
		Strategy: res,
		Settings: []Setting{{"data", "testdata/gspc_2018_2020.csv"}, {"rule", "long when close > SMA(50), else flat"}, {"seed", "n/a"}},
		Notes:    []string{"Fixture cut from ^GSPC daily (Yahoo), 2018-11 to 2020-11."},
	}
	dir := outDir(t, "gspc_fixture")
	require.NoError(t, Write(dir, r))
	sum := checkReport(t, dir, r)
	assert.Empty(t, sum.Conventions.Portfolio)

	// Writing again replaces the directory in place.
	r.Notes = append(r.Notes, "second run")
	require.NoError(t, Write(dir, r))
	md, err := os.ReadFile(filepath.Join(dir, FileMarkdown))
	require.NoError(t, err)
	assert.Contains(t, string(md), "second run")
	assert.Equal(t, []string{filepath.Base(dir)}, listDir(t, filepath.Dir(dir))[:1])
}

func TestWritePortfolio(t *testing.T) {
	var assets []AssetResult
	var results []*backtest.Result
	for _, name := range []string{"AAPL", "AMZN"} {
		b := loadBars(t, filepath.Join("testdata", name+"_2016_2018.csv"))
		res := simulate(t, b, 20, backtest.Config{CostBps: 5})
		assets = append(assets, AssetResult{Name: name, Result: res})
		results = append(results, res)
	}
	// Give the second asset a later start to exercise the union of dates.
	results[1] = sliceResultFrom(t, assets[1].Result, 40)
	assets[1].Result = results[1]
	port, err := backtest.Combine(results, backtest.Config{})
	require.NoError(t, err)

	r := &Report{Title: "Two stocks | SMA(20)", Strategy: port, Assets: assets,
		Settings: []Setting{{"universe", "AAPL, AMZN"}}}
	dir := outDir(t, "portfolio")
	require.NoError(t, Write(dir, r))
	sum := checkReport(t, dir, r)
	assert.NotEmpty(t, sum.Conventions.Portfolio)
	assert.Equal(t, "AAPL", sum.Assets[0].Name)
	assert.InDelta(t, assets[1].Result.Metrics.Sharpe, sum.Assets[1].Metrics.Strategy.Sharpe, 1e-12)
	md, err := os.ReadFile(filepath.Join(dir, FileMarkdown))
	require.NoError(t, err)
	assert.Contains(t, string(md), `# Two stocks | SMA(20)`)
	assert.Contains(t, string(md), "| AMZN |")
}

// sliceResultFrom re-runs nothing: it keeps the bars of res from entry k
// on, rescaled, which is what a later-listed asset looks like.
func sliceResultFrom(t *testing.T, res *backtest.Result, k int) *backtest.Result {
	t.Helper()
	out := *res
	out.Start = res.Time[k-1]
	out.Time = res.Time[k:]
	out.Position, out.Gross, out.Cost, out.Net = res.Position[k:], res.Gross[k:], res.Cost[k:], res.Net[k:]
	out.Equity = make([]float64, len(out.Net))
	out.Benchmark = make([]float64, len(out.Net))
	for i := range out.Net {
		out.Equity[i] = res.Equity[k+i] / res.Equity[k-1]
		out.Benchmark[i] = res.Benchmark[k+i] / res.Benchmark[k-1]
	}
	return &out
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	b := loadBars(t, filepath.Join("testdata", "gspc_2018_2020.csv"))
	r := &Report{Strategy: simulate(t, b, 50, backtest.Config{})}
	errDisk := errors.New("disk full")
	for _, stage := range []string{"plots", "html", "markdown", "json"} {
		t.Run("fail after "+stage, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "report")
			err := write(dst, r, func(s string) error {
				if s == stage {
					return errDisk
				}
				return nil
			})
			require.ErrorIs(t, err, errDisk)
			assert.Empty(t, listDir(t, parent), "no destination and no temp dir")
		})
	}
	t.Run("existing report kept", func(t *testing.T) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "report")
		require.NoError(t, Write(dst, r))
		before, err := os.ReadFile(filepath.Join(dst, FileJSON))
		require.NoError(t, err)
		r2 := *r
		r2.Title = "changed"
		err = write(dst, &r2, func(s string) error {
			if s == "markdown" {
				return errDisk
			}
			return nil
		})
		require.ErrorIs(t, err, errDisk)
		after, err := os.ReadFile(filepath.Join(dst, FileJSON))
		require.NoError(t, err)
		assert.Equal(t, before, after)
		assert.Equal(t, []string{"report"}, listDir(t, parent))
	})
}

func TestWriteInvalid(t *testing.T) {
	b := loadBars(t, filepath.Join("testdata", "gspc_2018_2020.csv"))
	good := simulate(t, b, 50, backtest.Config{})
	tests := []struct {
		name string
		r    *Report
	}{
		{name: "nil report", r: nil},
		{name: "no strategy", r: &Report{}},
		{name: "empty strategy", r: &Report{Strategy: &backtest.Result{}}},
		{name: "nil asset", r: &Report{Strategy: good, Assets: []AssetResult{{Name: "X"}}}},
		{name: "bad window", r: &Report{Strategy: good, RollingWindow: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			err := Write(filepath.Join(parent, "r"), tc.r)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Regexp(t, `^report: `, err.Error())
			assert.Empty(t, listDir(t, parent))
		})
	}
}

func TestWriteShortAndWipedOut(t *testing.T) {
	// 30 bars: too few for the 126-bar rolling Sharpe; a leveraged
	// position ruined by a -64% day takes equity to 0, which makes the
	// log scale impossible. Both must still render.
	n := 30
	b := backtest.Bars{Time: make([]time.Time, n), Open: make([]float64, n), Close: make([]float64, n)}
	for i := range n {
		b.Time[i] = time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		b.Open[i], b.Close[i] = 100+float64(i), 100+float64(i)
	}
	target := make([]float64, n)
	target[10] = 2 // leveraged long into a -60% day
	b.Open[11], b.Close[11] = 110, 40
	res, err := backtest.Run(b, target, backtest.Config{})
	require.NoError(t, err)
	require.LessOrEqual(t, res.Equity[len(res.Equity)-1], 0.0)
	dir := outDir(t, "short")
	require.NoError(t, Write(dir, &Report{Strategy: res}))
	checkReport(t, dir, &Report{Strategy: res})
}

func TestWriteGSPCFull(t *testing.T) {
	path := filepath.Join(dataDir(), "markets", "sp500_index_gspc_daily_1950_2020.csv")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("needs ../shared/data/markets/sp500_index_gspc_daily_1950_2020.csv (or $DEEPFIN_DATA): %v", err)
	}
	b := loadBars(t, path)
	res := simulate(t, b, 200, backtest.Config{CostBps: 5, SlippageBps: 5, Execution: backtest.NextClose})
	r := &Report{Title: "S&P 500 1950-2020: close above SMA(200)", Strategy: res,
		Settings: []Setting{{"rule", "long when close > SMA(200)"}, {"execution", "next_close (open = close before 1962)"}}}
	dir := outDir(t, "gspc_full")
	require.NoError(t, Write(dir, r))
	checkReport(t, dir, r)
}

func TestWriteRefusesForeignDirectory(t *testing.T) {
	r := sampleReport(t)
	tests := []struct {
		name    string
		prepare func(dir string)
		wantErr string // the reason the message gives; "" means no error
	}{
		{"absent", func(string) {}, ""},
		{"empty", func(dir string) { require.NoError(t, os.Mkdir(dir, 0o755)) }, ""},
		{"user files", func(dir string) {
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "thesis.tex"), []byte("precious"), 0o644))
		}, "it holds files deepfin would not write there: thesis.tex"},
		{"an earlier report beside a user's folder", func(dir string) {
			require.NoError(t, Write(dir, sampleReport(t)))
			require.NoError(t, os.Mkdir(filepath.Join(dir, "text-model"), 0o755))
		}, "it holds files deepfin would not write there: text-model/"},
		{"an earlier report beside a user's notes", func(dir string) {
			require.NoError(t, Write(dir, sampleReport(t)))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("precious"), 0o644))
		}, "it holds files deepfin would not write there: notes.txt"},
		{"report files without report.json", func(dir string) {
			require.NoError(t, Write(dir, sampleReport(t)))
			require.NoError(t, os.Remove(filepath.Join(dir, FileJSON)))
		}, "it has no report.json, the file that marks a folder deepfin wrote"},
		{"foreign report.json", func(dir string) {
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, FileJSON), []byte(`{"format":"other"}`), 0o644))
		}, "its report.json is not a deepfin report"},
		{"a file", func(dir string) {
			require.NoError(t, os.WriteFile(dir, []byte("precious"), 0o644))
		}, "it is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			tt.prepare(dir)
			err := Write(dir, r)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NoError(t, Write(dir, r), "a directory holding an earlier report is replaced")
				return
			}
			require.ErrorIs(t, err, ErrNotReportDir)
			assert.EqualError(t, err, "report: "+dir+": not replaceable by a report: "+tt.wantErr+"; choose a new or empty folder")
			if tt.name == "user files" {
				assert.FileExists(t, filepath.Join(dir, "thesis.tex"))
				assert.NoFileExists(t, filepath.Join(dir, FileHTML), "nothing written into a foreign directory")
			}
			if tt.name == "an earlier report beside a user's folder" {
				assert.DirExists(t, filepath.Join(dir, "text-model"))
			}
			if tt.name == "an earlier report beside a user's notes" {
				assert.FileExists(t, filepath.Join(dir, "notes.txt"))
				assert.FileExists(t, filepath.Join(dir, FileJSON), "the earlier report is kept too")
			}
		})
	}
}

func sampleReport(t *testing.T) *Report {
	t.Helper()
	b := loadBars(t, filepath.Join("testdata", "gspc_2018_2020.csv"))
	return &Report{Title: "sample", Strategy: simulate(t, b, 50, backtest.Config{CostBps: 5})}
}

func TestWriteExtraFiles(t *testing.T) {
	r := sampleReport(t)
	r.Files = []File{{Name: "predictions.csv", Data: []byte("date,score\n")}}
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, Write(dir, r))
	b, err := os.ReadFile(filepath.Join(dir, "predictions.csv"))
	require.NoError(t, err)
	assert.Equal(t, "date,score\n", string(b))

	for _, bad := range []string{"", "..", "../x.csv", "sub/x.csv", FileJSON, "equity.png"} {
		r.Files = []File{{Name: bad}}
		assert.ErrorIs(t, Write(filepath.Join(t.TempDir(), "o"), r), ErrInvalid, "name %q", bad)
	}
}
