package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/backtest/report"
	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/finance/price"
	"github.com/deepfin/deepfin/internal/sampledata"
)

// backtestFlags holds the backtest command's flags.
type backtestFlags struct {
	data       string
	out        string
	model      string
	window     int
	horizon    int
	trainYears float64
	refit      int
	expanding  bool
	epochs     int
	hidden     int
	lr         float64
	costBps    float64
	slipBps    float64
	strategy   string
	threshold  float64
	execution  string
	seed       int64
	keepLast   bool
	dropBad    bool
	jsonOut    bool
	quiet      bool
}

func newBacktestCmd() *cobra.Command {
	def := price.DefaultConfig()
	f := &backtestFlags{}
	cmd := &cobra.Command{
		Use:   "backtest",
		Short: "Walk a model forward through price history and backtest its signals",
		Long: `Backtest trains a model on a rolling window of daily bars, scores the bars
after it out of sample, refits, and trades the scores at the next bar with
costs. It writes a report (HTML, Markdown, JSON, PNG and SVG plots) into the
output folder and prints strategy against buy-and-hold.

Without --data it runs on five embedded S&P 500 tickers (AAPL, AMZN, BA, BAC,
CAT; 2013-2018). --data takes a CSV file (one ticker, or many in a long file
with a ticker column) or a directory of CSV files.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBacktest(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "CSV file or directory of daily OHLCV (default: the embedded S&P 500 sample)")
	fl.StringVar(&f.out, "out", "deepfin-out", "folder to write the report into (replaced atomically)")
	fl.StringVar(&f.model, "model", string(def.Model), "network: gru, lstm, mlp or linear")
	fl.IntVar(&f.window, "window", def.Window, "bars of history in one sample")
	fl.IntVar(&f.horizon, "horizon", def.Horizon, "bars ahead the predicted direction looks")
	fl.Float64Var(&f.trainYears, "train-years", float64(def.TrainBars)/252, "training window in years of 252 bars")
	fl.IntVar(&f.refit, "refit", def.Refit, "bars between refits (252 = yearly)")
	fl.BoolVar(&f.expanding, "expanding", false, "grow the training window from the first bar instead of rolling it")
	fl.IntVar(&f.epochs, "epochs", def.Epochs, "most training epochs per refit (early stopping may end sooner)")
	fl.IntVar(&f.hidden, "hidden", def.Hidden, "GRU state size or MLP hidden units")
	fl.Float64Var(&f.lr, "lr", def.LearningRate, "Adam learning rate")
	fl.Float64Var(&f.costBps, "cost-bps", 5, "trading cost per side, basis points of traded notional")
	fl.Float64Var(&f.slipBps, "slippage-bps", 0, "slippage per side, basis points")
	fl.StringVar(&f.strategy, "strategy", "long_flat", "positions from scores: long_flat, long_short or threshold")
	fl.Float64Var(&f.threshold, "threshold", 0.02, "for --strategy threshold: trade only when |P(up)-0.5| exceeds this")
	fl.StringVar(&f.execution, "execution", "open", "trade at the next bar's open or close")
	fl.Int64Var(&f.seed, "seed", def.Seed, "seed for initialisation, shuffling and dropout")
	fl.BoolVar(&f.keepLast, "keep-last", false, "on a duplicated date keep the last row instead of failing")
	fl.BoolVar(&f.dropBad, "drop-incomplete", false, "drop rows with empty price cells instead of failing")
	fl.BoolVar(&f.jsonOut, "json", false, "print the summary as JSON instead of a table")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	return cmd
}

// config turns the flags into the pipeline's and the backtest's settings.
func (f *backtestFlags) config() (price.Config, backtest.Config, backtest.PositionRule, error) {
	pc := price.DefaultConfig()
	pc.Model = price.ModelKind(f.model)
	pc.Window, pc.Horizon, pc.Refit = f.window, f.horizon, f.refit
	pc.Expanding = f.expanding
	pc.Epochs, pc.Hidden, pc.LearningRate, pc.Seed = f.epochs, f.hidden, f.lr, f.seed
	if !(f.trainYears > 0) || f.trainYears > 200 {
		return pc, backtest.Config{}, backtest.PositionRule{}, fmt.Errorf("--train-years %v: want a number of years in (0, 200]", f.trainYears)
	}
	pc.TrainBars = int(math.Round(f.trainYears * 252))

	bc := backtest.Config{CostBps: f.costBps, SlippageBps: f.slipBps}
	if !(f.costBps >= 0 && f.slipBps >= 0 && f.costBps+f.slipBps <= 10000) {
		return pc, bc, backtest.PositionRule{}, fmt.Errorf("--cost-bps %v, --slippage-bps %v: want values of at least 0 adding up to at most 10000 (100%%)", f.costBps, f.slipBps)
	}
	exec, err := backtest.ParseExecution("next_" + f.execution)
	if err != nil {
		return pc, bc, backtest.PositionRule{}, fmt.Errorf("--execution %q: want open or close", f.execution)
	}
	bc.Execution = exec
	rule := backtest.PositionRule{Mode: f.strategy}
	switch f.strategy {
	case "long_flat", "long_short":
	case "threshold":
		if !(f.threshold >= 0 && f.threshold < 0.5) {
			return pc, bc, rule, fmt.Errorf("--threshold %v: want a value in [0, 0.5)", f.threshold)
		}
		rule.Threshold = f.threshold
	default:
		return pc, bc, rule, fmt.Errorf("--strategy %q: want long_flat, long_short or threshold", f.strategy)
	}
	return pc, bc, rule, nil
}

func runBacktest(ctx context.Context, f *backtestFlags, stdout, stderr io.Writer) error {
	pc, bc, rule, err := f.config()
	if err != nil {
		return err
	}
	if err := checkOut(f.out, f.data); err != nil {
		return err
	}
	opt := finance.LoadOptions{KeepLast: f.keepLast, DropIncomplete: f.dropBad}
	md, source, err := loadMarket(f.data, opt)
	if err != nil {
		return err
	}
	printWarnings(stderr, md.Warnings)

	bar := newProgress(stderr, f.quiet || !isTerminal(stderr), pc.Epochs)
	pc.Progress = bar.update
	start := time.Now()
	pr, err := price.WalkForward(ctx, md.Series, pc)
	bar.finish(err)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	// Trade each series from its first scored bar; pool them equally.
	var assets []report.AssetResult
	var results []*backtest.Result
	var preds bytes.Buffer
	preds.WriteString("date,ticker,p_up,target_position\n")
	for i, s := range md.Series {
		from, to, ok := backtest.Span(pr.Series[i].Prob)
		if !ok || to-from < 2 {
			continue
		}
		scores := make([]float64, to-from)
		for j := range scores {
			scores[j] = pr.Series[i].Prob[from+j] - 0.5
		}
		bars := backtest.Bars{Time: s.Time[from:to], Open: s.Open[from:to], Close: s.Close[from:to]}
		r, err := backtest.Run(bars, backtest.Positions(scores, rule), bc)
		if err != nil {
			return fmt.Errorf("%s: %w", s.Ticker, err)
		}
		results = append(results, r)
		assets = append(assets, report.AssetResult{Name: s.Ticker, Result: r})
		writePredictions(&preds, s.Ticker, bars.Time, scores, backtest.Positions(scores, rule))
	}
	if len(results) == 0 {
		return fmt.Errorf("no series has out-of-sample bars to trade")
	}
	portfolio := results[0]
	if len(results) > 1 {
		if portfolio, err = backtest.Combine(results, bc); err != nil {
			return err
		}
	}

	rep := &report.Report{
		Title:    "deepfin walk-forward backtest",
		Strategy: portfolio,
		Assets:   assets,
		Settings: settings(source, md, pc, bc, rule, f),
		Notes:    notes(pr, len(results), bc),
		Files:    []report.File{{Name: "predictions.csv", Data: preds.Bytes()}},
	}
	if err := report.Write(f.out, rep); err != nil {
		return err
	}

	sum := summary{
		Source: source, Model: string(pc.Model), Seed: pc.Seed,
		Start: portfolio.Start.Format(time.DateOnly), End: portfolio.End.Format(time.DateOnly),
		Folds: len(pr.Folds), Accuracy: pr.Accuracy, Seconds: elapsed.Seconds(),
		Strategy: portfolio.Metrics, BuyHold: portfolio.BenchmarkMetrics, Report: f.out,
	}
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	return sum.print(stdout)
}

// loadMarket reads --data, or the embedded sample when it is empty.
func loadMarket(data string, opt finance.LoadOptions) (*finance.MarketData, string, error) {
	if data != "" {
		md, err := finance.LoadOHLCV(data, opt)
		return md, data, err
	}
	md, err := finance.LoadFS(sampledata.SP500(), ".", opt)
	return md, sampledata.Description, err
}

func settings(source string, md *finance.MarketData, pc price.Config, bc backtest.Config,
	rule backtest.PositionRule, f *backtestFlags) []report.Setting {

	tickers := make([]string, len(md.Series))
	for i, s := range md.Series {
		tickers[i] = s.Ticker
	}
	window := "rolling"
	if pc.Expanding {
		window = "expanding"
	}
	return []report.Setting{
		{Key: "data", Value: source},
		{Key: "tickers", Value: fmt.Sprint(tickers)},
		{Key: "model", Value: string(pc.Model)},
		{Key: "window (bars)", Value: strconv.Itoa(pc.Window)},
		{Key: "horizon (bars)", Value: strconv.Itoa(pc.Horizon)},
		{Key: "training window", Value: fmt.Sprintf("%s, %d bars (%.3g years of 252 bars)", window, pc.TrainBars, f.trainYears)},
		{Key: "refit every (bars)", Value: strconv.Itoa(pc.Refit)},
		{Key: "hidden units", Value: strconv.Itoa(pc.Hidden)},
		{Key: "epochs (max), patience", Value: fmt.Sprintf("%d, %d", pc.Epochs, pc.Patience)},
		{Key: "optimizer", Value: fmt.Sprintf("Adam, learning rate %g, batch %d", pc.LearningRate, pc.BatchSize)},
		{Key: "strategy", Value: strategyText(rule)},
		{Key: "execution", Value: "signal after the close of bar t, traded at the " + f.execution + " of bar t+1"},
		{Key: "costs", Value: fmt.Sprintf("%g bp per side + %g bp slippage per side", bc.CostBps, bc.SlippageBps)},
		{Key: "seed", Value: strconv.FormatInt(pc.Seed, 10)},
	}
}

func notes(pr *price.Result, nassets int, bc backtest.Config) []string {
	n := []string{
		fmt.Sprintf("Out-of-sample period: %s to %s; every score comes from a model trained only on earlier bars (%d model fits).",
			pr.Start.Format(time.DateOnly), pr.End.Format(time.DateOnly), len(pr.Folds)),
		fmt.Sprintf("Directional accuracy of the out-of-sample scores: %.2f%%.", 100*pr.Accuracy),
		"Annualisation: 252 bars a year for volatility, Sharpe and Sortino; CAGR over calendar years (365.25 days).",
	}
	if nassets > 1 {
		n = append(n, fmt.Sprintf("Portfolio: the %d per-ticker strategies held in equal weight, rebalanced daily; buy-and-hold likewise.", nassets))
	}
	return n
}

// summary is what the command prints at the end.
type summary struct {
	Source   string           `json:"source"`
	Model    string           `json:"model"`
	Seed     int64            `json:"seed"`
	Start    string           `json:"start"`
	End      string           `json:"end"`
	Folds    int              `json:"folds"`
	Accuracy float64          `json:"directional_accuracy"`
	Seconds  float64          `json:"seconds"`
	Strategy backtest.Metrics `json:"strategy"`
	BuyHold  backtest.Metrics `json:"buy_and_hold"`
	Report   string           `json:"report"`
}

func (s summary) print(w io.Writer) error {
	fmt.Fprintf(w, "out of sample %s .. %s, %d model fits, model %s, directional accuracy %.2f%%\n\n",
		s.Start, s.End, s.Folds, s.Model, 100*s.Accuracy)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	pct := func(v float64) string { return strconv.FormatFloat(100*v, 'f', 2, 64) + "%" }
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	rows := []struct {
		name string
		a, b string
	}{
		{"total return", pct(s.Strategy.TotalReturn), pct(s.BuyHold.TotalReturn)},
		{"CAGR", pct(s.Strategy.CAGR), pct(s.BuyHold.CAGR)},
		{"volatility (ann.)", pct(s.Strategy.AnnVol), pct(s.BuyHold.AnnVol)},
		{"Sharpe", num(s.Strategy.Sharpe), num(s.BuyHold.Sharpe)},
		{"Sortino", num(s.Strategy.Sortino), num(s.BuyHold.Sortino)},
		{"max drawdown", pct(s.Strategy.MaxDrawdown), pct(s.BuyHold.MaxDrawdown)},
		{"max drawdown (bars)", strconv.Itoa(s.Strategy.MaxDrawdownBars), strconv.Itoa(s.BuyHold.MaxDrawdownBars)},
		{"Calmar", num(s.Strategy.Calmar), num(s.BuyHold.Calmar)},
		{"hit rate", pct(s.Strategy.HitRate), pct(s.BuyHold.HitRate)},
		{"turnover (ann.)", num(s.Strategy.Turnover), num(s.BuyHold.Turnover)},
		{"exposure", pct(s.Strategy.Exposure), pct(s.BuyHold.Exposure)},
	}
	fmt.Fprintln(tw, "\tstrategy\tbuy & hold\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", r.name, r.a, r.b)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nreport written to %s (%.1fs)\n", s.Report, s.Seconds)
	return err
}

// checkOut fails early, before any training, when the report cannot be
// written to out: its parent is missing and cannot be made, it is not
// writable, it is a folder deepfin did not write, or it holds the data.
func checkOut(out, data string) error {
	if err := report.CheckTarget(out); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if data != "" {
		if d, err := filepath.Abs(data); err == nil && (d == abs || strings.HasPrefix(d, abs+string(filepath.Separator))) {
			return fmt.Errorf("--out %s: the data %s lies inside it and would be replaced", out, data)
		}
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	probe, err := os.MkdirTemp(parent, ".deepfin-probe-*")
	if err != nil {
		return fmt.Errorf("--out: cannot write in %s: %w", parent, err)
	}
	return os.Remove(probe)
}

// printWarnings shows what the loader accepted but found odd, at most ten
// lines and a count of the rest.
func printWarnings(w io.Writer, warns []finance.Warning) {
	const most = 10
	for i, wr := range warns {
		if i == most {
			fmt.Fprintf(w, "deepfin: warning: %d more warnings not shown\n", len(warns)-most)
			break
		}
		fmt.Fprintf(w, "deepfin: warning: %s\n", oneLine(wr.String()))
	}
}

// writePredictions appends one ticker's out-of-sample scores as CSV rows:
// the bar's date, P(up) and the position decided at its close (taken at
// the next bar).
func writePredictions(b *bytes.Buffer, ticker string, times []time.Time, scores, pos []float64) {
	for i, t := range times {
		fmt.Fprintf(b, "%s,%s,%s,%s\n", t.Format(time.DateOnly), ticker,
			strconv.FormatFloat(scores[i]+0.5, 'f', 6, 64), strconv.FormatFloat(pos[i], 'f', -1, 64))
	}
}

func strategyText(rule backtest.PositionRule) string {
	switch rule.Mode {
	case backtest.LongFlat:
		return "long_flat: long when P(up) > 0.5, else flat"
	case backtest.LongShort:
		return "long_short: long when P(up) > 0.5, short when below"
	default:
		return fmt.Sprintf("threshold: long when P(up) > 0.5+%g, short below 0.5-%g, else flat", rule.Threshold, rule.Threshold)
	}
}
