package credit

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/deepfin/deepfin/internal/atomicfile"
)

// Curve names one model's predictions for a plot: labels Y (1 = bad) and
// risk scores PD (higher = riskier).
type Curve struct {
	Name string
	Y    []int
	PD   []float64
}

var palette = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
}

func addLine(p *plot.Plot, name string, xy plotter.XYs, ci int, dashed bool) error {
	l, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("credit: plot %s: %w", name, err)
	}
	l.Color = palette[ci%len(palette)]
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}

func diagonal(p *plot.Plot) {
	d := plotter.NewFunction(func(x float64) float64 { return x })
	d.Color = color.Gray{Y: 150}
	d.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(d)
}

// ROCPlot draws the ROC curve of each model, with its AUC in the legend,
// over the diagonal of a random model. It returns an error wrapping
// ErrInvalidOption when a curve lacks goods or bads.
func ROCPlot(curves ...Curve) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "ROC"
	p.X.Label.Text = "false positive rate (goods refused)"
	p.Y.Label.Text = "true positive rate (bads refused)"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.Legend.Left, p.Legend.Top = false, false
	diagonal(p)
	for i, c := range curves {
		roc := ROC(c.Y, c.PD)
		if roc == nil {
			return nil, optionError("roc plot: %q needs goods and bads", c.Name)
		}
		xy := make(plotter.XYs, len(roc))
		for j, r := range roc {
			xy[j].X, xy[j].Y = r.FPR, r.TPR
		}
		if err := addLine(p, fmt.Sprintf("%s (AUC %.3f)", c.Name, AUC(c.Y, c.PD)), xy, i, false); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// KSPlot draws the cumulative score distributions of goods and bads of one
// model and marks the KS distance.
func KSPlot(c Curve) (*plot.Plot, error) {
	pts := KSCurve(c.Y, c.PD)
	if pts == nil {
		return nil, optionError("ks plot: %q needs goods and bads", c.Name)
	}
	ks, at := KS(c.Y, c.PD)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("KS: %s (KS %.3f at %.3g)", c.Name, ks, at)
	p.X.Label.Text = "risk score (PD)"
	p.Y.Label.Text = "cumulative fraction"
	p.Y.Min, p.Y.Max = 0, 1
	p.Legend.Left, p.Legend.Top = false, false
	g := make(plotter.XYs, 0, len(pts)+1)
	b := make(plotter.XYs, 0, len(pts)+1)
	for _, q := range pts {
		g = append(g, plotter.XY{X: q.Threshold, Y: q.Goods})
		b = append(b, plotter.XY{X: q.Threshold, Y: q.Bads})
	}
	if err := addLine(p, "goods", g, 0, false); err != nil {
		return nil, err
	}
	if err := addLine(p, "bads", b, 1, false); err != nil {
		return nil, err
	}
	for _, q := range pts {
		if q.Threshold == at {
			if err := addLine(p, "KS", plotter.XYs{{X: at, Y: q.Bads}, {X: at, Y: q.Goods}}, 2, true); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// ScoreDistributionPlot draws the share of goods and of bads in each of
// bins equal-width score bands (any score: points or PD), as two
// frequency polygons over shared bands.
func ScoreDistributionPlot(title string, y []int, scores []float64, bins int) (*plot.Plot, error) {
	checkLen("ScoreDistributionPlot", y, scores)
	goods, bads := counts(y)
	if goods == 0 || bads == 0 || bins < 1 {
		return nil, optionError("score distribution plot: %d goods, %d bads, %d bins", goods, bads, bins)
	}
	lo, hi := slices.Min(scores), slices.Max(scores)
	if !(hi > lo) {
		hi = lo + 1
	}
	width := (hi - lo) / float64(bins)
	g := make([]float64, bins)
	b := make([]float64, bins)
	for i, s := range scores {
		k := min(int((s-lo)/width), bins-1)
		if y[i] == 1 {
			b[k]++
		} else {
			g[k]++
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "score"
	p.Y.Label.Text = "share of class"
	gx := make(plotter.XYs, bins)
	bx := make(plotter.XYs, bins)
	for k := range bins {
		mid := lo + (float64(k)+0.5)*width
		gx[k] = plotter.XY{X: mid, Y: g[k] / float64(goods)}
		bx[k] = plotter.XY{X: mid, Y: b[k] / float64(bads)}
	}
	if err := addLine(p, fmt.Sprintf("goods (%d)", goods), gx, 0, false); err != nil {
		return nil, err
	}
	if err := addLine(p, fmt.Sprintf("bads (%d)", bads), bx, 1, false); err != nil {
		return nil, err
	}
	// Both curves fall to zero at the ends; keep the legend clear of them
	// at the top left and leave headroom under the title.
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Max *= 1.15
	return p, nil
}

// CalibrationPlot draws the observed bad rate against the mean predicted
// PD per group (see Calibration) for each model, over the diagonal of
// perfect calibration.
func CalibrationPlot(groups int, curves ...Curve) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "calibration"
	p.X.Label.Text = "mean predicted PD"
	p.Y.Label.Text = "observed bad rate"
	p.Legend.Top, p.Legend.Left = true, true
	maxV := 0.0
	for i, c := range curves {
		cal, err := Calibration(c.Y, c.PD, groups)
		if err != nil {
			return nil, err
		}
		xy := make(plotter.XYs, len(cal))
		for j, b := range cal {
			xy[j] = plotter.XY{X: b.MeanPD, Y: b.BadRate}
			maxV = math.Max(maxV, math.Max(b.MeanPD, b.BadRate))
		}
		l, s, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, fmt.Errorf("credit: calibration plot: %w", err)
		}
		l.Color, s.Color = palette[i%len(palette)], palette[i%len(palette)]
		p.Add(l, s)
		p.Legend.Add(c.Name, l, s)
	}
	diagonal(p)
	p.X.Min, p.Y.Min = 0, 0
	p.X.Max, p.Y.Max = math.Min(1, maxV*1.05), math.Min(1, maxV*1.05)
	return p, nil
}

// SavePlot writes p as base+".png" and base+".svg", 6×4 inches, each file
// written atomically (a temporary file in the same directory, renamed).
func SavePlot(p *plot.Plot, base string) error {
	for _, ext := range []string{"png", "svg"} {
		wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, ext)
		if err != nil {
			return fmt.Errorf("credit: plot %s.%s: %w", base, ext, err)
		}
		var buf bytes.Buffer
		if _, err := wt.WriteTo(&buf); err != nil {
			return fmt.Errorf("credit: plot %s.%s: %w", base, ext, err)
		}
		if err := atomicfile.WriteFile(base+"."+ext, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("credit: plot %s.%s: %w", base, ext, err)
		}
	}
	return nil
}
