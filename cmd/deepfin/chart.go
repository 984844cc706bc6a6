package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/deepfin/deepfin/models"
	"github.com/deepfin/deepfin/vision"
)

// chartFlags are the flags of "deepfin chart".
type chartFlags struct {
	data     string
	split    string
	horizon  int
	stride   int
	epochs   int
	batch    int
	lr       float64
	filters  []int
	costBps  float64
	examples int
	seed     int64
	out      string
	quiet    bool
}

func newChartCmd() *cobra.Command {
	var f chartFlags
	cmd := &cobra.Command{
		Use:   "chart",
		Short: "Render 20-day OHLC chart images, train a chart CNN on the early years, backtest a long-short decile portfolio on the later ones",
		Long: `Chart renders each ticker's last 20 days as a black-and-white image 64
pixels high and 60 wide (OHLC bars 3 pixels wide, 20-day moving average,
volume bars below;
after Jiang, Kelly & Xiu, "(Re-)Imag(in)ing Price Trends"), trains a CNN
(5×3 convolutions, batch norm, leaky ReLU, 2×1 max pooling) to predict the
sign of the next --horizon-day return on windows ending before --split,
and scores every ticker every --horizon days from --split on. Each
rebalancing day it goes long the top decile of predicted up-probability
and short the bottom decile (equal weights, each leg 100% of equity),
trades at the next open with --cost-bps per side, and reports accuracy,
base rate, and the portfolio's annualised return, Sharpe and turnover
(buys plus sells of both legs, as a multiple of equity per year).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runChart(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "../shared/data/markets/sp500_5yr", "directory of per-ticker OHLCV CSV files")
	fl.StringVar(&f.split, "split", "2016-01-01", "first test date (training windows and their labels end before it)")
	fl.IntVar(&f.horizon, "horizon", 20, "return horizon and rebalancing period, in trading days")
	fl.IntVar(&f.stride, "stride", 5, "days between training windows of a ticker")
	fl.IntVar(&f.epochs, "epochs", 3, "training epochs")
	fl.IntVar(&f.batch, "batch", 128, "batch size")
	fl.Float64Var(&f.lr, "lr", 1e-3, "Adam learning rate")
	fl.IntSliceVar(&f.filters, "filters", []int{16, 32, 64}, "channels of the conv blocks (the paper uses 64,128)")
	fl.Float64Var(&f.costBps, "cost-bps", 10, "trading cost per side, basis points")
	fl.IntVar(&f.examples, "examples", 8, "chart images to save as PNG in --out/charts")
	fl.Int64Var(&f.seed, "seed", 1, "seed for weights, shuffling and dropout")
	fl.StringVar(&f.out, "out", "deepfin-chart", "output directory (chart.json, charts/)")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	return cmd
}

func runChart(cmd *cobra.Command, f chartFlags) error {
	stdout := cmd.OutOrStdout()
	split, err := time.Parse(time.DateOnly, f.split)
	if err != nil {
		return fmt.Errorf("chart: --split %q: want YYYY-MM-DD", f.split)
	}
	if err := f.check(); err != nil {
		return err
	}
	// The output folder is replaced as a whole at the end: refuse now,
	// before any work, if it holds anything chart did not write.
	if err := checkChartOut(f.out); err != nil {
		return err
	}
	md, err := finance.LoadOHLCV(f.data, finance.LoadOptions{DropIncomplete: true})
	if err != nil {
		return err
	}
	var series []*vision.OHLCV
	for _, s := range md.Series {
		series = append(series, &vision.OHLCV{Ticker: s.Ticker, Time: s.Time, Open: s.Open, High: s.High, Low: s.Low, Close: s.Close, Volume: s.Volume})
	}
	chart := vision.Chart20()

	// Training windows end (with their labels) before the split; test
	// windows end on common rebalancing dates from the split on.
	train, err := vision.BuildChartSet(series, vision.ChartSetConfig{Chart: chart, Horizon: f.horizon, Stride: f.stride, To: split})
	if err != nil {
		return err
	}
	var all []time.Time
	for _, s := range md.Series {
		all = append(all, s.Time...)
	}
	slices.SortFunc(all, func(a, b time.Time) int { return a.Compare(b) })
	all = slices.Compact(all)
	var rebal []time.Time
	for i, k := 0, 0; i < len(all); i++ {
		if all[i].Before(split) {
			continue
		}
		if k%f.horizon == 0 {
			rebal = append(rebal, all[i])
		}
		k++
	}
	test, err := vision.BuildChartSet(series, vision.ChartSetConfig{Chart: chart, Horizon: f.horizon, Stride: 1, From: split, Dates: rebal})
	if err != nil {
		return err
	}
	if train.Images.N == 0 || test.Images.N == 0 {
		first, last := md.Series[0].Time[0], md.Series[0].Time[md.Series[0].Len()-1]
		for _, s := range md.Series {
			if s.Time[0].Before(first) {
				first = s.Time[0]
			}
			if t := s.Time[s.Len()-1]; t.After(last) {
				last = t
			}
		}
		return fmt.Errorf("chart: %d training and %d test images: the data runs from %s to %s; training windows (20 days and a %d-day horizon) must end before --split %s and test windows start on it",
			train.Images.N, test.Images.N, first.Format(time.DateOnly), last.Format(time.DateOnly), f.horizon, f.split)
	}
	// A decile portfolio needs at least 10 scored tickers on some date.
	perDate := map[time.Time]int{}
	most := 0
	for _, s := range test.Samples {
		perDate[s.Date]++
		most = max(most, perDate[s.Date])
	}
	if most < 10 {
		return fmt.Errorf("chart: %s: at most %d tickers can be charted on a rebalancing date, a decile portfolio needs 10", f.data, most)
	}

	spec := vision.ChartCNN(chart.Height, chart.Width(), f.filters...)
	m, err := models.New(spec, f.seed)
	if err != nil {
		return err
	}
	bar := newEpochBar(cmd.ErrOrStderr(), f.quiet, f.epochs, (train.Images.N+f.batch-1)/f.batch, false)
	start := time.Now()
	hist, err := m.Fit(cmd.Context(), train.Images.Dataset(), models.TrainConfig{
		Epochs: f.epochs, BatchSize: f.batch, Loss: models.LossSoftmaxCE, Seed: f.seed,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerAdam, LearningRate: f.lr},
		Progress:  bar.update,
	})
	bar.finish(err)
	if err != nil {
		return err
	}
	trainSec := time.Since(start).Seconds()

	// Out-of-sample probabilities of "up".
	logits, err := m.Predictor().Predict(nil, test.Images.X)
	if err != nil {
		return err
	}
	prob := make([]float64, test.Images.N)
	right, ups := 0, 0
	for i := range prob {
		z0, z1 := float64(logits[2*i]), float64(logits[2*i+1])
		prob[i] = 1 / (1 + math.Exp(z0-z1))
		up := test.Images.Y[i] == 1
		if up {
			ups++
		}
		if (prob[i] > 0.5) == up {
			right++
		}
	}
	acc := float64(right) / float64(test.Images.N)
	base := float64(ups) / float64(test.Images.N)

	res, legs, err := decileBacktest(md, test, prob, rebal, f)
	if err != nil {
		return err
	}

	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(stdout, "chart CNN %v on %d training images (windows ending before %s, stride %d), %d test images on %d rebalancing dates; %d parameters, %d epochs, %.0f s\n",
		f.filters, train.Images.N, f.split, f.stride, test.Images.N, len(rebal), m.NumParams(), len(hist.TrainLoss), trainSec)
	fmt.Fprintln(w, "figure\tvalue")
	fmt.Fprintf(w, "out-of-sample accuracy (p>0.5)\t%.2f%%\n", 100*acc)
	fmt.Fprintf(w, "base rate (share of up %d-day returns)\t%.2f%%\n", f.horizon, 100*base)
	fmt.Fprintf(w, "majority-class accuracy\t%.2f%%\n", 100*math.Max(base, 1-base))
	mt := res.Metrics
	fmt.Fprintf(w, "long-short decile: annualised return (CAGR, after %g bp/side)\t%.2f%%\n", f.costBps, 100*mt.CAGR)
	fmt.Fprintf(w, "long-short decile: Sharpe (252 days)\t%.2f\n", mt.Sharpe)
	fmt.Fprintf(w, "long-short decile: annualised volatility\t%.2f%%\n", 100*mt.AnnVol)
	fmt.Fprintf(w, "long-short decile: turnover (buys + sells of both legs, × equity per year)\t%.1f\n", mt.Turnover)
	fmt.Fprintf(w, "long-short decile: max drawdown\t%.2f%%\n", 100*mt.MaxDrawdown)
	fmt.Fprintf(w, "names per leg (mean)\t%.1f\n", legs)
	fmt.Fprintf(w, "equal-weight buy-and-hold CAGR / Sharpe\t%.2f%% / %.2f\n", 100*res.BenchmarkMetrics.CAGR, res.BenchmarkMetrics.Sharpe)
	w.Flush()

	report := map[string]any{
		"spec": spec, "data": f.data, "split": f.split, "horizon": f.horizon, "stride": f.stride, "seed": f.seed,
		"train_images": train.Images.N, "test_images": test.Images.N, "rebalance_dates": len(rebal),
		"epochs": len(hist.TrainLoss), "train_loss": hist.TrainLoss, "train_seconds": trainSec,
		"test_accuracy": acc, "base_rate": base, "majority_accuracy": math.Max(base, 1-base),
		"cost_bps_per_side": f.costBps, "execution": "next open", "periods_per_year": 252,
		"long_short": res.Metrics, "benchmark_equal_weight": res.BenchmarkMetrics, "names_per_leg": legs,
	}
	buf, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	err = atomicfile.ReplaceDir(f.out, func(dir string) error {
		if err := saveExamples(filepath.Join(dir, chartImages), test, f.examples); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, chartReport), append(buf, '\n'), 0o644)
	})
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	fmt.Fprintln(stdout, "saved", filepath.Join(f.out, chartReport), "and", filepath.Join(f.out, chartImages))
	return nil
}

// checkChartOut refuses an --out that is empty or that holds anything
// chart would not write: beside chart.json only a charts folder, holding
// only PNGs.
func checkChartOut(out string) error {
	if strings.TrimSpace(out) == "" {
		return fmt.Errorf("chart: --out is empty")
	}
	err := atomicfile.CheckReplaceable(out, chartReport, func(name string) bool {
		return name == chartReport || name == chartImages
	})
	if err == nil {
		entries, rerr := os.ReadDir(filepath.Join(out, chartImages))
		for _, e := range entries {
			if !e.Type().IsRegular() || filepath.Ext(e.Name()) != ".png" {
				err = fmt.Errorf("refusing to replace %s: %s holds %s, which chart does not write", out, chartImages, e.Name())
				break
			}
		}
		if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = fmt.Errorf("refusing to replace %s: cannot read its %s: %w", out, chartImages, rerr)
		}
	}
	if err != nil {
		return fmt.Errorf("chart: --out: %w", err)
	}
	return nil
}

// The files chart writes in --out; the report marks a folder as chart's.
const (
	chartReport = "chart.json"
	chartImages = "charts"
)

// check validates the flags before any data is read.
func (f chartFlags) check() error {
	if err := checkFitFlags("chart", f.epochs, f.batch, f.lr); err != nil {
		return err
	}
	switch {
	case f.horizon <= 0:
		return fmt.Errorf("chart: --horizon %d, want > 0", f.horizon)
	case f.stride <= 0:
		return fmt.Errorf("chart: --stride %d, want > 0", f.stride)
	case len(f.filters) == 0:
		return fmt.Errorf("chart: --filters is empty")
	case !(f.costBps >= 0) || math.IsInf(f.costBps, 0):
		return fmt.Errorf("chart: --cost-bps %g, want >= 0", f.costBps)
	case f.examples < 0:
		return fmt.Errorf("chart: --examples %d, want >= 0", f.examples)
	}
	for _, c := range f.filters {
		if c <= 0 {
			return fmt.Errorf("chart: --filters %v: every count must be > 0", f.filters)
		}
	}
	return nil
}

// decileBacktest turns the test probabilities into long-short decile
// targets per ticker (held from one rebalancing date to the next), runs
// each ticker and combines them equally. A target of ±N/k (N tickers
// scored that day, k per leg) makes the equal-weight mean a portfolio with
// 100% of equity in each leg. It returns the portfolio and the mean names
// per leg.
func decileBacktest(md *finance.MarketData, test *vision.ChartSet, prob []float64, rebal []time.Time, f chartFlags) (*backtest.Result, float64, error) {
	// Per date, the scored samples.
	byDate := map[time.Time][]int{}
	for i, s := range test.Samples {
		byDate[s.Date] = append(byDate[s.Date], i)
	}
	pos := map[string]map[time.Time]float64{} // ticker → rebalancing date → target
	var legs float64
	for _, d := range rebal {
		idx := byDate[d]
		if len(idx) < 10 {
			continue
		}
		sort.Slice(idx, func(a, b int) bool { return prob[idx[a]] < prob[idx[b]] })
		n := len(idx)
		k := max(1, int(math.Round(float64(n)/10)))
		legs += float64(k)
		size := float64(n) / float64(k)
		for r, i := range idx {
			t := test.Samples[i].Ticker
			if pos[t] == nil {
				pos[t] = map[time.Time]float64{}
			}
			switch {
			case r < k:
				pos[t][d] = -size
			case r >= n-k:
				pos[t][d] = size
			default:
				pos[t][d] = 0
			}
		}
	}
	legs /= float64(len(rebal))
	cfg := backtest.Config{CostBps: f.costBps}
	var results []*backtest.Result
	for _, s := range md.Series {
		p, ok := pos[s.Ticker]
		if !ok {
			continue
		}
		first := slices.IndexFunc(s.Time, func(t time.Time) bool { return !t.Before(rebal[0]) })
		if first < 0 || s.Len()-first < 2 {
			continue
		}
		v := s.Slice(first, s.Len())
		target := make([]float64, v.Len())
		cur := 0.0
		for i, t := range v.Time {
			if x, ok := p[t]; ok {
				cur = x
			} else if slices.Contains(rebal, t) {
				cur = 0 // not scored this time (e.g. too little history)
			}
			target[i] = cur
		}
		r, err := backtest.Run(backtest.Bars{Time: v.Time, Open: v.Open, Close: v.Close}, target, cfg)
		if err != nil {
			return nil, 0, fmt.Errorf("chart: backtest %s: %w", s.Ticker, err)
		}
		results = append(results, r)
	}
	res, err := backtest.Combine(results, cfg)
	return res, legs, err
}

// saveExamples writes n test charts, spread over the set, as PNGs into dir (a fresh
// folder inside ReplaceDir's staging folder).
func saveExamples(dir string, set *vision.ChartSet, n int) error {
	n = min(n, set.Images.N)
	if n <= 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	h, w := set.Images.H, set.Images.W
	for e := 0; e < n; e++ {
		i := e * set.Images.N / n // spread over tickers and dates
		g := image.NewGray(image.Rect(0, 0, w, h))
		for k, v := range set.Images.X[i*h*w : (i+1)*h*w] {
			g.Pix[k] = uint8(v * 255)
		}
		s := set.Samples[i]
		var buf bytes.Buffer
		if err := png.Encode(&buf, g); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		name := filepath.Join(dir, fmt.Sprintf("%s_%s.png", s.Ticker, s.Date.Format(time.DateOnly)))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
	}
	return nil
}
