package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/deepfin/deepfin/backtest"
)

// Plot size: 10 x 4.5 inches, i.e. 960 x 432 pixels in PNG (96 dpi).
const (
	plotWidth  = 10 * vg.Inch
	plotHeight = 4.5 * vg.Inch
)

var (
	strategyColor  = color.RGBA{R: 31, G: 119, B: 180, A: 255} // blue
	benchmarkColor = color.RGBA{R: 230, G: 115, B: 0, A: 255}  // orange
	zeroColor      = color.RGBA{R: 90, G: 90, B: 90, A: 255}
	gridColor      = color.RGBA{R: 225, G: 225, B: 225, A: 255}
)

// plotSpec is one plot of the report.
type plotSpec struct {
	name, title string
	build       func(r *Report) (*plot.Plot, error)
}

// renderedPlot holds one plot in both formats.
type renderedPlot struct {
	name, title string
	png, svg    []byte
}

func plotSpecs(r *Report) []plotSpec {
	return []plotSpec{
		{name: "equity", title: "Equity (log scale): strategy vs buy and hold", build: equityPlot},
		{name: "drawdown", title: "Drawdown (underwater): strategy vs buy and hold", build: drawdownPlot},
		{name: "rolling_sharpe", title: fmt.Sprintf("Rolling Sharpe ratio (%d bars, annualised)", r.window()), build: rollingSharpePlot},
	}
}

func renderPlots(r *Report) ([]renderedPlot, error) {
	var out []renderedPlot
	for _, s := range plotSpecs(r) {
		p, err := s.build(r)
		if err != nil {
			return nil, fmt.Errorf("report: plot %s: %w", s.name, err)
		}
		rp := renderedPlot{name: s.name, title: s.title}
		for _, format := range []string{"png", "svg"} {
			w, err := p.WriterTo(plotWidth, plotHeight, format)
			if err != nil {
				return nil, fmt.Errorf("report: plot %s.%s: %w", s.name, format, err)
			}
			var buf bytes.Buffer
			if _, err := w.WriteTo(&buf); err != nil {
				return nil, fmt.Errorf("report: plot %s.%s: %w", s.name, format, err)
			}
			if format == "png" {
				rp.png = buf.Bytes()
			} else {
				rp.svg = buf.Bytes()
			}
		}
		out = append(out, rp)
	}
	return out, nil
}

// newPlot sets up the common look: title, dated x axis over the result's
// period, grid, legend in the top-left corner.
func newPlot(r *Report, title, ylabel string) *plot.Plot {
	s := r.Strategy
	p := plot.New()
	p.Title.Text = r.title() + ": " + title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.Y.Label.Text = ylabel
	p.X.Min = unix(s.Start)
	p.X.Max = unix(s.Time[len(s.Time)-1])
	p.X.Tick.Marker = dateTicks(p.X.Min, p.X.Max)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(4)
	p.Legend.ThumbnailWidth = vg.Points(24)
	g := plotter.NewGrid()
	g.Vertical.Color = gridColor
	g.Horizontal.Color = gridColor
	p.Add(g)
	return p
}

func unix(t time.Time) float64 { return float64(t.Unix()) }

// series builds x/y points with the starting point (Start, y0) first when
// y0 is finite.
func series(s *backtest.Result, y0 float64, ys []float64) (xs, vs []float64) {
	if !math.IsNaN(y0) {
		xs = append(xs, unix(s.Start))
		vs = append(vs, y0)
	}
	for i, t := range s.Time {
		xs = append(xs, unix(t))
		vs = append(vs, ys[i])
	}
	return xs, vs
}

// addLine adds ys as one or more line segments (split at NaN values) and
// a single legend entry. It reports whether anything was drawn.
func addLine(p *plot.Plot, name string, xs, ys []float64, c color.Color, width vg.Length) (bool, error) {
	var seg plotter.XYs
	drawn := false
	flush := func() error {
		if len(seg) == 0 {
			return nil
		}
		l, err := plotter.NewLine(seg)
		if err != nil {
			return err
		}
		l.LineStyle.Color = c
		l.LineStyle.Width = width
		p.Add(l)
		if !drawn && name != "" {
			p.Legend.Add(name, l)
		}
		drawn = true
		seg = nil
		return nil
	}
	for i, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) {
			if err := flush(); err != nil {
				return false, err
			}
			continue
		}
		seg = append(seg, plotter.XY{X: xs[i], Y: y})
	}
	return drawn, flush()
}

func finiteRange(vals ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		for _, x := range v {
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
	}
	return lo, hi, lo <= hi
}

func equityPlot(r *Report) (*plot.Plot, error) {
	s := r.Strategy
	xs, eq := series(s, 1, s.Equity)
	_, bm := series(s, 1, s.Benchmark)
	lo, hi, _ := finiteRange(eq, bm)

	logScale := lo > 0
	ylabel := "growth of 1 (log scale)"
	if !logScale {
		ylabel = "growth of 1 (linear: equity reached 0)"
	}
	p := newPlot(r, "equity vs buy and hold", ylabel)
	if logScale {
		if hi/lo < 1.02 {
			lo, hi = lo/1.01, hi*1.01
		}
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		// Leave the top ~15% (in log space) free for the legend.
		span := math.Log(hi / lo)
		p.Y.Min = lo * math.Exp(-0.03*span)
		p.Y.Max = hi * math.Exp(0.2*span)
	} else {
		p.Y.Min, p.Y.Max = lo, hi+0.2*(hi-lo)
		p.Y.Tick.Marker = linearTicks{}
	}
	if _, err := addLine(p, "buy and hold", xs, bm, benchmarkColor, vg.Points(1.2)); err != nil {
		return nil, err
	}
	if _, err := addLine(p, "strategy", xs, eq, strategyColor, vg.Points(1.4)); err != nil {
		return nil, err
	}
	return p, nil
}

func drawdownPlot(r *Report) (*plot.Plot, error) {
	s := r.Strategy
	pct := func(v []float64) []float64 {
		out := backtest.Drawdown(v)
		for i := range out {
			out[i] *= 100
		}
		return out
	}
	xs, dd := series(s, 0, pct(s.Equity))
	_, bd := series(s, 0, pct(s.Benchmark))
	lo, _, _ := finiteRange(dd, bd)
	if lo > -1 {
		lo = -1
	}

	p := newPlot(r, "drawdown", "drawdown from running peak (%)")
	p.Y.Min = lo * 1.04
	p.Y.Max = -lo * 0.25 // headroom for the legend above the 0% line
	p.Y.Tick.Marker = nonPositiveTicks{}
	if _, err := addLine(p, "buy and hold", xs, bd, benchmarkColor, vg.Points(1.2)); err != nil {
		return nil, err
	}
	if _, err := addLine(p, "strategy", xs, dd, strategyColor, vg.Points(1.4)); err != nil {
		return nil, err
	}
	return p, nil
}

func rollingSharpePlot(r *Report) (*plot.Plot, error) {
	s := r.Strategy
	w := r.window()
	ppy := s.Config.PeriodsPerYear
	bench := make([]float64, len(s.Benchmark))
	prev := 1.0
	for i, b := range s.Benchmark {
		bench[i] = b/prev - 1
		prev = b
	}
	xs, rs := series(s, math.NaN(), backtest.RollingSharpe(s.Net, w, ppy))
	_, rb := series(s, math.NaN(), backtest.RollingSharpe(bench, w, ppy))
	lo, hi, ok := finiteRange(rs, rb)

	title := fmt.Sprintf("rolling Sharpe, %d bars", w)
	if !ok {
		title += fmt.Sprintf(" (not enough bars: %d)", s.Len())
		lo, hi = -1, 1
	}
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	p := newPlot(r, title, "annualised Sharpe ratio")
	p.Y.Min = lo - 0.04*(hi-lo)
	p.Y.Max = hi + 0.25*(hi-lo)
	p.Y.Tick.Marker = linearTicks{}

	zero, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: 0}, {X: p.X.Max, Y: 0}})
	if err != nil {
		return nil, err
	}
	zero.LineStyle = draw.LineStyle{Color: zeroColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	p.Add(zero)
	if _, err := addLine(p, "buy and hold", xs, rb, benchmarkColor, vg.Points(1.2)); err != nil {
		return nil, err
	}
	if _, err := addLine(p, "strategy", xs, rs, strategyColor, vg.Points(1.4)); err != nil {
		return nil, err
	}
	return p, nil
}

// dateTicks returns a plot.TimeTicks whose ticks fall on calendar
// boundaries (years, months or days, in UTC) chosen so that about 5-10
// labels fit, with a label format suited to the span.
func dateTicks(min, max float64) plot.TimeTicks {
	days := (max - min) / 86400
	switch {
	case days > 3*365:
		return plot.TimeTicks{Ticker: calendarTicker{unit: 'y'}, Format: "2006"}
	case days > 75:
		return plot.TimeTicks{Ticker: calendarTicker{unit: 'm'}, Format: "Jan 2006"}
	default:
		return plot.TimeTicks{Ticker: calendarTicker{unit: 'd'}, Format: "Jan 2"}
	}
}

// calendarTicker puts labelled ticks on the first day of a year (unit
// 'y'), of a month ('m') or at midnight ('d'), every step units, with
// unlabelled minor ticks at each unit when the step is larger than one.
type calendarTicker struct{ unit byte }

func (c calendarTicker) Ticks(min, max float64) []plot.Tick {
	lo := time.Unix(int64(math.Floor(min)), 0).UTC()
	hi := time.Unix(int64(math.Ceil(max)), 0).UTC()
	var (
		steps []int
		span  float64
		first time.Time
		next  func(t time.Time, k int) time.Time
		index func(t time.Time) int
	)
	switch c.unit {
	case 'y':
		steps = []int{1, 2, 5, 10, 20, 25, 50, 100}
		span = float64(hi.Year() - lo.Year())
		first = time.Date(lo.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time, k int) time.Time { return t.AddDate(k, 0, 0) }
		index = func(t time.Time) int { return t.Year() }
	case 'm':
		steps = []int{1, 2, 3, 6, 12}
		span = float64((hi.Year()-lo.Year())*12 + int(hi.Month()-lo.Month()))
		first = time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = func(t time.Time, k int) time.Time { return t.AddDate(0, k, 0) }
		index = func(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }
	default:
		steps = []int{1, 2, 7, 14, 28}
		span = hi.Sub(lo).Hours() / 24
		first = time.Date(lo.Year(), lo.Month(), lo.Day(), 0, 0, 0, 0, time.UTC)
		next = func(t time.Time, k int) time.Time { return t.AddDate(0, 0, k) }
		index = func(t time.Time) int { return int(t.Unix() / 86400) }
	}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/float64(s) <= 9 {
			step = s
			break
		}
	}
	var ticks []plot.Tick
	for t := first; !t.After(hi); t = next(t, 1) {
		v := float64(t.Unix())
		if v < min {
			continue
		}
		tk := plot.Tick{Value: v}
		if index(t)%step == 0 {
			tk.Label = "x" // replaced by plot.TimeTicks with the date
		} else if step > 12 && c.unit == 'y' && t.Year()%(step/5) != 0 {
			continue // keep minor ticks sparse on very long spans
		}
		ticks = append(ticks, tk)
	}
	return ticks
}

// logTicks labels a log axis at 1-2-5 style multiples chosen so that at
// least four labels fall in range, with unlabelled minor ticks at the
// integer multiples of each decade.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	if max/min < 3 {
		// Less than half a decade: round linear values read better.
		return niceTicks(min, max)
	}
	sets := [][]float64{{1}, {1, 2, 5}, {1, 1.5, 2, 3, 5, 7}, {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8}}
	d0 := math.Floor(math.Log10(min))
	d1 := math.Ceil(math.Log10(max))
	inRange := func(v float64) bool { return v >= min*(1-1e-9) && v <= max*(1+1e-9) }
	var labels []float64
	for _, set := range sets {
		labels = labels[:0]
		for d := d0; d <= d1; d++ {
			for _, m := range set {
				if v := m * math.Pow(10, d); inRange(v) {
					labels = append(labels, v)
				}
			}
		}
		if len(labels) >= 4 {
			break
		}
	}
	var ticks []plot.Tick
	labelled := make(map[float64]bool, len(labels))
	for _, v := range labels {
		labelled[v] = true
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
	}
	if len(labels) > 9 {
		return ticks // dense enough; minor ticks would only add clutter
	}
	for d := d0; d <= d1; d++ {
		for m := 1.0; m < 10; m++ {
			if v := m * math.Pow(10, d); inRange(v) && !labelled[v] {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// niceTicks labels about five to eight round values (steps of 1, 2, 2.5
// or 5 times a power of ten) between min and max, with no minor ticks.
func niceTicks(min, max float64) []plot.Tick {
	if !(max > min) {
		return []plot.Tick{{Value: min, Label: strconv.FormatFloat(min, 'g', 4, 64)}}
	}
	raw := (max - min) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	decimals := max0(-int(math.Floor(math.Log10(step) + 1e-9)))
	if r := step / math.Pow(10, math.Floor(math.Log10(step)+1e-9)); math.Abs(r-2.5) < 1e-9 {
		decimals++
	}
	var ticks []plot.Tick
	for k := math.Ceil(min / step); k*step <= max+1e-9*step; k++ {
		v := k * step
		if math.Abs(v) < 1e-12*step {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
	}
	return ticks
}

func max0(x int) int { return max(x, 0) }

// linearTicks is a plot.Ticker using niceTicks.
type linearTicks struct{}

func (linearTicks) Ticks(min, max float64) []plot.Tick { return niceTicks(min, max) }

// nonPositiveTicks is niceTicks without the ticks above zero (the
// headroom left for the legend in drawdown plots).
type nonPositiveTicks struct{}

func (nonPositiveTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range niceTicks(min, 0) {
		if t.Value <= 0 {
			out = append(out, t)
		}
	}
	return out
}
