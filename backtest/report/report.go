package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/internal/atomicfile"
)

// ErrInvalid is wrapped by the errors Write returns for an unusable
// Report (nil, no strategy result, an empty result, a nil asset result).
var ErrInvalid = errors.New("invalid report")

// ErrNotReportDir is returned (wrapped) by Write and CheckTarget when the
// target exists and is not an empty directory or one holding an earlier
// report and nothing else: Write replaces whole directories, so it
// refuses to replace one that may hold files it did not write. The
// message says why: for example "it holds files deepfin would not write
// there: notes.txt".
var ErrNotReportDir = errors.New("not replaceable by a report")

// DefaultRollingWindow is the rolling Sharpe window, in bars, used when
// Report.RollingWindow is 0: about half a year of daily bars.
const DefaultRollingWindow = 126

// Setting is one key/value line of the report's settings table, kept in
// the order given (e.g. "model" = "gru-32", "threshold" = "0.5").
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// AssetResult names the single-asset result of one instrument.
type AssetResult struct {
	Name   string
	Result *backtest.Result
}

// Report is the input of Write.
type Report struct {
	// Title heads every page and plot; "" means "Backtest report".
	Title string
	// Strategy is the result the report is about: one asset's Run, or the
	// backtest.Combine portfolio of Assets. Required and non-empty.
	Strategy *backtest.Result
	// Assets are optional per-asset results, shown as one row each. When
	// there are two or more, Strategy is taken to be their equal-weight
	// backtest.Combine portfolio and the report states that convention.
	Assets []AssetResult
	// Settings are shown in order (model, features, schedule, seed...).
	Settings []Setting
	// Notes are free-text remarks shown at the end, in order.
	Notes []string
	// RollingWindow is the rolling Sharpe window in bars (>= 2); 0 means
	// DefaultRollingWindow.
	RollingWindow int
	// Files are extra files written into the report directory with the
	// rest, such as per-bar predictions as CSV. Names must be plain file
	// names (no separators) distinct from the report's own files.
	Files []File
}

// File is an extra file of a report.
type File struct {
	Name string
	Data []byte
}

// plotNames are the base names of the plots Write renders.
var plotNames = [...]string{"equity", "drawdown", "rolling_sharpe"}

// reportFormat names the JSON format of report.json.
const reportFormat = "deepfin-backtest-report"

// File names written by Write.
const (
	FileHTML     = "report.html"
	FileMarkdown = "report.md"
	FileJSON     = "report.json"
)

// Write renders r into the directory dir, replacing any existing
// directory there atomically (see the package comment for the file
// list). The parent of dir must exist. On any error nothing is left
// behind: dir keeps its previous content, or stays absent.
//
// Only an absent directory, an empty one or one holding an earlier report
// (a report.json written by this package) is replaced; any other existing
// directory gives an error wrapping ErrNotReportDir and is left alone.
//
// Errors wrap ErrInvalid for an unusable Report, or come from plotting
// and file writing; all are prefixed "report:" (atomicfile errors keep
// their own prefix inside).
func Write(dir string, r *Report) error {
	if err := CheckTarget(dir); err != nil {
		return err
	}
	return write(dir, r, nil)
}

// CheckTarget reports whether Write may use dir: it returns nil when dir
// is absent, an empty directory or a directory holding an earlier report
// and nothing but report files (HTML, Markdown, JSON, CSV, PNG, SVG), and
// an error wrapping ErrNotReportDir otherwise. Commands call it before
// long work so that a bad target fails at once.
func CheckTarget(dir string) error {
	err := atomicfile.CheckReplaceable(dir, FileJSON, func(name string) bool {
		switch filepath.Ext(name) {
		case ".html", ".md", ".json", ".png", ".svg", ".csv":
			return true
		}
		return false
	})
	var refused *atomicfile.RefusedError
	switch {
	case errors.As(err, &refused):
		return fmt.Errorf("report: %s: %w: %s; choose a new or empty folder", dir, ErrNotReportDir, refused.Reason())
	case err != nil:
		return fmt.Errorf("report: %s: %w: %w", dir, ErrNotReportDir, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, FileJSON)); err == nil {
		var head struct {
			Format string `json:"format"`
		}
		if json.Unmarshal(b, &head) != nil || head.Format != reportFormat {
			return fmt.Errorf("report: %s: %w: its %s is not a deepfin report; choose a new or empty folder", dir, ErrNotReportDir, FileJSON)
		}
	}
	return nil
}

// write is Write with a hook called after each stage ("plots", "html",
// "markdown", "json"); a non-nil error from it aborts the build, which
// lets tests fail the run midway.
func write(dir string, r *Report, hook func(stage string) error) error {
	if err := r.validate(); err != nil {
		return err
	}
	step := func(stage string) error {
		if hook == nil {
			return nil
		}
		if err := hook(stage); err != nil {
			return fmt.Errorf("report: %s: %w", stage, err)
		}
		return nil
	}
	return atomicfile.ReplaceDir(dir, func(tmp string) error {
		plots, err := renderPlots(r)
		if err != nil {
			return err
		}
		for _, p := range plots {
			if err := writeFile(tmp, p.name+".png", p.png); err != nil {
				return err
			}
			if err := writeFile(tmp, p.name+".svg", p.svg); err != nil {
				return err
			}
		}
		if err := step("plots"); err != nil {
			return err
		}

		sum := r.Summary()
		html, err := renderHTML(r, sum, plots)
		if err != nil {
			return err
		}
		if err := writeFile(tmp, FileHTML, html); err != nil {
			return err
		}
		if err := step("html"); err != nil {
			return err
		}

		if err := writeFile(tmp, FileMarkdown, renderMarkdown(sum)); err != nil {
			return err
		}
		if err := step("markdown"); err != nil {
			return err
		}

		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(sum); err != nil {
			return fmt.Errorf("report: encode %s: %w", FileJSON, err)
		}
		if err := writeFile(tmp, FileJSON, buf.Bytes()); err != nil {
			return err
		}
		if err := step("json"); err != nil {
			return err
		}
		for _, f := range r.Files {
			if err := writeFile(tmp, f.Name, f.Data); err != nil {
				return err
			}
		}
		return nil
	})
}

func writeFile(dir, name string, data []byte) error {
	if err := atomicfile.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func (r *Report) validate() error {
	switch {
	case r == nil:
		return fmt.Errorf("report: nil report: %w", ErrInvalid)
	case r.Strategy == nil:
		return fmt.Errorf("report: Strategy is nil: %w", ErrInvalid)
	case r.Strategy.Len() == 0 || len(r.Strategy.Time) != r.Strategy.Len() ||
		len(r.Strategy.Equity) != r.Strategy.Len() || len(r.Strategy.Benchmark) != r.Strategy.Len():
		return fmt.Errorf("report: Strategy has no bars or inconsistent lengths: %w", ErrInvalid)
	case r.RollingWindow != 0 && r.RollingWindow < 2:
		return fmt.Errorf("report: RollingWindow %d, need >= 2: %w", r.RollingWindow, ErrInvalid)
	}
	for i, a := range r.Assets {
		if a.Result == nil {
			return fmt.Errorf("report: Assets[%d] %q: nil result: %w", i, a.Name, ErrInvalid)
		}
	}
	own := map[string]bool{FileHTML: true, FileMarkdown: true, FileJSON: true}
	for _, p := range plotNames {
		own[p+".png"], own[p+".svg"] = true, true
	}
	for i, f := range r.Files {
		if f.Name == "" || f.Name == "." || f.Name == ".." || filepath.Base(f.Name) != f.Name || own[f.Name] {
			return fmt.Errorf("report: Files[%d] %q: want a plain file name not used by the report: %w", i, f.Name, ErrInvalid)
		}
		own[f.Name] = true
	}
	return nil
}

func (r *Report) title() string {
	if r.Title == "" {
		return "Backtest report"
	}
	return r.Title
}

func (r *Report) window() int {
	if r.RollingWindow == 0 {
		return DefaultRollingWindow
	}
	return r.RollingWindow
}

// Summary is the content of report.json. Dates are "2006-01-02" (UTC).
// Metrics use backtest.Metrics' JSON form (snake_case keys, NaN as null),
// so json.Unmarshal reads the file back into a Summary.
type Summary struct {
	Format      string          `json:"format"`  // always "deepfin-backtest-report"
	Version     int             `json:"version"` // 1
	Title       string          `json:"title"`
	Period      Period          `json:"period"`
	Settings    []Setting       `json:"settings"`
	Conventions Conventions     `json:"conventions"`
	Metrics     MetricsPair     `json:"metrics"`
	Assets      []AssetSummary  `json:"assets"`
	Plots       []PlotFiles     `json:"plots"`
	Notes       []string        `json:"notes"`
	Config      backtest.Config `json:"config"`
}

// Period is the out-of-sample period the metrics cover.
type Period struct {
	Start    string  `json:"start"`     // close at which equity is 1 (Result.Start)
	FirstBar string  `json:"first_bar"` // date of the first return
	End      string  `json:"end"`       // date of the last return
	Bars     int     `json:"bars"`      // number of returns
	Years    float64 `json:"years"`     // (end - start) / 365.25 days
}

// MetricsPair holds the strategy's metrics and buy-and-hold's, over the
// same bars.
type MetricsPair struct {
	Strategy  backtest.Metrics `json:"strategy"`
	Benchmark backtest.Metrics `json:"benchmark"`
}

// AssetSummary is one row of the per-asset table.
type AssetSummary struct {
	Name    string      `json:"name"`
	Start   string      `json:"start"`
	End     string      `json:"end"`
	Metrics MetricsPair `json:"metrics"`
}

// PlotFiles names the files of one plot, relative to the report dir.
type PlotFiles struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	PNG   string `json:"png"`
	SVG   string `json:"svg"`
}

// Conventions states how every figure was computed, in words and numbers.
type Conventions struct {
	PeriodsPerYear   float64 `json:"periods_per_year"`
	Annualisation    string  `json:"annualisation"`
	CAGR             string  `json:"cagr"`
	Execution        string  `json:"execution"`
	ExecutionTiming  string  `json:"execution_timing"`
	CostModel        string  `json:"cost_model"`
	CostBps          float64 `json:"cost_bps_per_side"`
	SlippageBps      float64 `json:"slippage_bps_per_side"`
	RiskFree         float64 `json:"risk_free_annual"`
	Sharpe           string  `json:"sharpe"`
	Sortino          string  `json:"sortino"`
	MaxDrawdown      string  `json:"max_drawdown"`
	HitRate          string  `json:"hit_rate"`
	Turnover         string  `json:"turnover"`
	Exposure         string  `json:"exposure"`
	Benchmark        string  `json:"benchmark"`
	RollingSharpe    string  `json:"rolling_sharpe"`
	RollingWindow    int     `json:"rolling_window_bars"`
	Portfolio        string  `json:"portfolio,omitempty"`
	NaN              string  `json:"undefined_values"`
	PositionSemantic string  `json:"positions"`
}

const dateFmt = "2006-01-02"

func date(t time.Time) string { return t.UTC().Format(dateFmt) }

// Summary assembles the report's figures. It does not validate r; call it
// on a Report that Write would accept.
func (r *Report) Summary() Summary {
	s := r.Strategy
	cfg := s.Config
	if cfg.PeriodsPerYear == 0 {
		cfg.PeriodsPerYear = backtest.DefaultPeriodsPerYear
	}
	sum := Summary{
		Format:  reportFormat,
		Version: 1,
		Title:   r.title(),
		Period: Period{
			Start: date(s.Start), FirstBar: date(s.Time[0]), End: date(s.Time[len(s.Time)-1]),
			Bars: s.Len(), Years: s.Metrics.Years,
		},
		Settings:    append([]Setting{}, r.Settings...),
		Conventions: conventions(cfg, r.window(), len(r.Assets) > 1),
		Metrics:     MetricsPair{Strategy: s.Metrics, Benchmark: s.BenchmarkMetrics},
		Assets:      []AssetSummary{},
		Notes:       append([]string{}, r.Notes...),
		Config:      cfg,
	}
	for _, a := range r.Assets {
		sum.Assets = append(sum.Assets, AssetSummary{
			Name: a.Name, Start: date(a.Result.Start), End: date(a.Result.End),
			Metrics: MetricsPair{Strategy: a.Result.Metrics, Benchmark: a.Result.BenchmarkMetrics},
		})
	}
	for _, p := range plotSpecs(r) {
		sum.Plots = append(sum.Plots, PlotFiles{Name: p.name, Title: p.title, PNG: p.name + ".png", SVG: p.name + ".svg"})
	}
	return sum
}

func conventions(cfg backtest.Config, window int, portfolio bool) Conventions {
	ppy := cfg.PeriodsPerYear
	c := Conventions{
		PeriodsPerYear: ppy,
		Annualisation: fmt.Sprintf("%g periods per year: volatility, Sharpe and Sortino scale per-bar figures by sqrt(%g); turnover by %g/bars",
			ppy, ppy, ppy),
		CAGR: "calendar years: years = (end - start) / 365.25 days, where start is the close of the bar before the first return " +
			"(equity = 1 there) and end the date of the last bar; CAGR = (1 + total return)^(1/years) - 1",
		Execution:     cfg.Execution.String(),
		CostBps:       cfg.CostBps,
		SlippageBps:   cfg.SlippageBps,
		RiskFree:      cfg.RiskFree,
		RollingWindow: window,
		CostModel: fmt.Sprintf("%g bp commission + %g bp slippage per side, charged on |change of position| x equity at each trade, "+
			"the first entry included; price drift between trades is rebalanced free of charge", cfg.CostBps, cfg.SlippageBps),
		Sharpe:  fmt.Sprintf("mean(r - rf) / sample std(r) * sqrt(%g), rf = %g per year / %g", ppy, cfg.RiskFree, ppy),
		Sortino: fmt.Sprintf("mean(r - rf) / downside deviation * sqrt(%g); downside deviation = sqrt(sum(min(r - rf, 0)^2) / n) over all n bars", ppy),
		MaxDrawdown: "largest fall of equity below its running peak (start = 1 counts as a peak), as a positive fraction; " +
			"its length counts bars from that peak to the first bar back at the peak, or to the last bar if not recovered",
		HitRate:   "fraction of bars with a non-zero position whose net return is > 0",
		Turnover:  fmt.Sprintf("sum of |change of position| (first entry included) * %g / bars: equity traded per year, one side", ppy),
		Exposure:  "mean |position|",
		Benchmark: "buy and hold from the same starting close over exactly the same bars, no costs",
		RollingSharpe: fmt.Sprintf("mean / sample std of the last %d net returns * sqrt(%g), zero risk-free rate; undefined (gap) when the window has no variance",
			window, ppy),
		NaN:              "null (JSON) or n/a: the figure is undefined for this data, e.g. Sharpe with zero volatility",
		PositionSemantic: "fraction of equity, -1 short .. 1 long; a NaN score or target is flat",
	}
	switch cfg.Execution {
	case backtest.NextOpen:
		c.ExecutionTiming = "a position decided at the close of bar t is traded at the open of bar t+1; " +
			"the overnight gap close(t) -> open(t+1) is earned by the previous position"
	case backtest.NextClose:
		c.ExecutionTiming = "a position decided at the close of bar t is traded at the close of bar t+1 and earns from bar t+2"
	}
	if portfolio {
		c.Portfolio = "equal weight among the assets that have a bar on each date, rebalanced daily at no cost; " +
			"an asset contributes from its first bar; the benchmark mixes the assets' buy-and-hold returns the same way"
	}
	return c
}
