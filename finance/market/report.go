package market

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/deepfin/deepfin/internal/atomicfile"
)

// Report files written by WriteReport.
const (
	FileTable     = "table.md"
	FileJSON      = "results.json"
	FileCumExcess = "cum_excess" // .png and .svg
	FileIC        = "ic"         // .png and .svg
)

// ICSmoothDays is the trailing window, in days, of the IC plot's means.
const ICSmoothDays = 20

// Report is what WriteReport writes: the results table of several models
// on one universe, with the settings that produced it.
type Report struct {
	Title   string
	Source  string // where the data came from
	Notes   []string
	Rows    []Row
	Results []*Result // the models that ran, in table order
}

// WriteTable writes the results table as Markdown: IC, ICIR, Rank IC and
// Rank ICIR (daily, test period), annualised excess return, information
// ratio and max drawdown of the top-k portfolio, its turnover, epochs and
// training time. Unavailable models show their error.
func WriteTable(w io.Writer, rows []Row) error {
	var b strings.Builder
	b.WriteString("| model | IC | ICIR | Rank IC | Rank ICIR | excess return (ann.) | IR | max drawdown | excess max DD | turnover (ann.) | epochs | train time |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	f := func(v float64, prec int) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "–"
		}
		return fmt.Sprintf("%.*f", prec, v)
	}
	pct := func(v float64) string {
		if math.IsNaN(v) {
			return "–"
		}
		return fmt.Sprintf("%.2f%%", 100*v)
	}
	for _, r := range rows {
		if r.Err != nil {
			fmt.Fprintf(&b, "| %s | not available: %s |||||||||||\n", r.Model, strings.ReplaceAll(r.Err.Error(), "|", "/"))
			continue
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n", r.Model,
			f(r.IC, 4), f(r.ICIR, 3), f(r.RankIC, 4), f(r.RankICIR, 3), pct(r.ExcessReturn), f(r.IR, 2),
			pct(r.MaxDD), pct(r.ExcessMaxDD), f(r.Turnover, 1), r.Epochs, r.TrainTime.Round(100*time.Millisecond))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteReport writes rep into the directory dir, replacing it atomically:
// FileTable (Markdown: title, notes, table), FileJSON (every row, the
// configurations and the daily series: IC, Rank IC, portfolio, benchmark
// and cumulative excess returns) and two plots, each as PNG and SVG: the
// cumulative excess return of each model's portfolio over the benchmark,
// and each model's daily Rank IC as an ICSmoothDays-day trailing mean.
func WriteReport(dir string, rep *Report) error {
	var md bytes.Buffer
	fmt.Fprintf(&md, "# %s\n\n", rep.Title)
	if rep.Source != "" {
		fmt.Fprintf(&md, "Data: %s\n\n", rep.Source)
	}
	if err := WriteTable(&md, rep.Rows); err != nil {
		return err
	}
	md.WriteString("\n")
	for _, n := range rep.Notes {
		fmt.Fprintf(&md, "- %s\n", n)
	}
	js, err := json.MarshalIndent(reportJSON(rep), "", " ")
	if err != nil {
		return fmt.Errorf("market: report: %w", err)
	}
	plots := map[string]*plot.Plot{}
	if len(rep.Results) > 0 {
		if plots[FileCumExcess], err = cumExcessPlot(rep.Results); err != nil {
			return err
		}
		if plots[FileIC], err = icPlot(rep.Results); err != nil {
			return err
		}
	}
	return atomicfile.ReplaceDir(dir, func(tmp string) error {
		if err := os.WriteFile(filepath.Join(tmp, FileTable), md.Bytes(), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, FileJSON), append(js, '\n'), 0o644); err != nil {
			return err
		}
		for name, p := range plots {
			for _, format := range []string{"png", "svg"} {
				w, err := p.WriterTo(10*vg.Inch, 4.5*vg.Inch, format)
				if err != nil {
					return fmt.Errorf("market: plot %s: %w", name, err)
				}
				var buf bytes.Buffer
				if _, err := w.WriteTo(&buf); err != nil {
					return fmt.Errorf("market: plot %s: %w", name, err)
				}
				if err := os.WriteFile(filepath.Join(tmp, name+"."+format), buf.Bytes(), 0o644); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// jnum maps NaN and ±Inf to JSON null.
func jnum(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

func jnums(v []float64) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = jnum(x)
	}
	return out
}

// reportJSON lays the report out for encoding/json.
func reportJSON(rep *Report) map[string]any {
	rows := make([]map[string]any, len(rep.Rows))
	for i, r := range rep.Rows {
		m := map[string]any{"model": r.Model, "ic": jnum(r.IC), "icir": jnum(r.ICIR), "rank_ic": jnum(r.RankIC),
			"rank_icir": jnum(r.RankICIR), "excess_return_ann": jnum(r.ExcessReturn), "information_ratio": jnum(r.IR),
			"max_drawdown": jnum(r.MaxDD), "excess_max_drawdown": jnum(r.ExcessMaxDD), "turnover_ann": jnum(r.Turnover),
			"portfolio_cagr": jnum(r.PortfolioCAGR), "benchmark_cagr": jnum(r.BenchmarkCAGR),
			"epochs": r.Epochs, "train_seconds": r.TrainTime.Seconds()}
		if r.Err != nil {
			m["error"] = r.Err.Error()
		}
		rows[i] = m
	}
	models := make([]map[string]any, len(rep.Results))
	for i, r := range rep.Results {
		dates := make([]string, len(r.IC.Time))
		for d, t := range r.IC.Time {
			dates[d] = t.Format(time.DateOnly)
		}
		pdates := make([]string, len(r.TopK.Time))
		for d, t := range r.TopK.Time {
			pdates[d] = t.Format(time.DateOnly)
		}
		models[i] = map[string]any{"model": r.Model, "config": r.Config, "spec": r.Spec, "params": r.Params,
			"train": r.Train, "valid": r.Valid, "test": r.Test,
			"train_loss": jnums(r.History.TrainLoss), "valid_loss": jnums(r.History.ValLoss), "best_epoch": r.History.BestEpoch,
			"portfolio_metrics": r.TopK.Metrics, "benchmark_metrics": r.TopK.BenchmarkMetrics,
			"daily": map[string]any{"ic_dates": dates, "ic": jnums(r.IC.IC), "rank_ic": jnums(r.IC.RankIC),
				"portfolio_dates": pdates, "portfolio_return": jnums(r.TopK.Return),
				"benchmark_return": jnums(r.TopK.Benchmark), "cum_excess": jnums(r.TopK.CumExcess)}}
	}
	return map[string]any{"title": rep.Title, "source": rep.Source, "notes": rep.Notes, "table": rows, "models": models}
}

// palette colours the models' lines.
func palette(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {230, 115, 0, 255}, {44, 160, 44, 255},
		{214, 39, 40, 255}, {148, 103, 189, 255}, {140, 86, 75, 255}}
	return cs[i%len(cs)]
}

// timePlot starts a plot with a dated x axis.
func timePlot(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.X.Tick.Marker = plot.TimeTicks{Format: "2006-01"}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	return p
}

// addLine adds one named series; NaN values are skipped.
func addLine(p *plot.Plot, name string, i int, times []time.Time, y []float64) error {
	var xy plotter.XYs
	for k, v := range y {
		if !math.IsNaN(v) {
			xy = append(xy, plotter.XY{X: float64(times[k].Unix()), Y: v})
		}
	}
	if len(xy) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("market: plot %s: %w", name, err)
	}
	l.Color = palette(i)
	l.Width = vg.Points(1.2)
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

func cumExcessPlot(rs []*Result) (*plot.Plot, error) {
	p := timePlot("Top-k portfolio minus equal-weight buy and hold: cumulative excess return (test)",
		"sum of daily excess returns")
	for i, r := range rs {
		if err := addLine(p, r.Model, i, r.TopK.Time, r.TopK.CumExcess); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func icPlot(rs []*Result) (*plot.Plot, error) {
	p := timePlot(fmt.Sprintf("Daily Rank IC, %d-day trailing mean (test)", ICSmoothDays), "Rank IC")
	for i, r := range rs {
		if err := addLine(p, r.Model, i, r.IC.Time, trailingMean(r.IC.RankIC, ICSmoothDays)); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// trailingMean averages the finite values among the last w entries; NaN
// until w entries have passed or when none is finite.
func trailingMean(x []float64, w int) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = math.NaN()
		if i+1 < w {
			continue
		}
		s, n := 0.0, 0
		for _, v := range x[i+1-w : i+1] {
			if !math.IsNaN(v) {
				s += v
				n++
			}
		}
		if n > 0 {
			out[i] = s / float64(n)
		}
	}
	return out
}
