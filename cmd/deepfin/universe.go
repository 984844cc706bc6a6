package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/finance/market"
	"github.com/deepfin/deepfin/internal/atomicfile"
)

// universeFlags holds the flags of the cross-sectional mode of backtest,
// chosen by --universe.
type universeFlags struct {
	dir        string
	topk       int
	ndrop      int
	buyBps     float64
	sellBps    float64
	validStart string
	testStart  string
	maxTrain   int
}

// withUniverse adds the --universe mode to the backtest command: with
// --universe DIR it ranks the tickers of DIR each day with one model (or
// all five with --model all, the default in this mode), trades a
// top-k-with-dropout portfolio on the test period and writes a results
// table and plots; without it the command runs as before.
func withUniverse(cmd *cobra.Command) *cobra.Command {
	u := &universeFlags{}
	def := market.DefaultConfig(market.GRU)
	fl := cmd.Flags()
	fl.StringVar(&u.dir, "universe", "", "directory of daily OHLCV CSV files: rank its tickers each day and trade the top k (cross-sectional mode)")
	fl.IntVar(&u.topk, "topk", def.TopK.K, "with --universe: names held by the top-k portfolio")
	fl.IntVar(&u.ndrop, "ndrop", def.TopK.NDrop, "with --universe: most held names replaced per day")
	fl.Float64Var(&u.buyBps, "buy-cost-bps", def.TopK.BuyCostBps, "with --universe: cost of buying, basis points of the traded notional")
	fl.Float64Var(&u.sellBps, "sell-cost-bps", def.TopK.SellCostBps, "with --universe: cost of selling, basis points of the traded notional")
	fl.StringVar(&u.validStart, "valid-start", def.Split.ValidStart.Format(time.DateOnly), "with --universe: first day of the validation period (training ends before it)")
	fl.StringVar(&u.testStart, "test-start", def.Split.TestStart.Format(time.DateOnly), "with --universe: first day of the test period")
	fl.IntVar(&u.maxTrain, "max-train-samples", def.MaxTrainSamples, "with --universe: most training samples of the recurrent models (0: all)")
	inner := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if u.dir == "" {
			for _, name := range []string{"topk", "ndrop", "buy-cost-bps", "sell-cost-bps", "valid-start", "test-start", "max-train-samples"} {
				if c.Flags().Changed(name) {
					return fmt.Errorf("--%s needs --universe", name)
				}
			}
			return inner(c, args)
		}
		return runUniverse(c, u)
	}
	return cmd
}

// universeSettings resolves the flags into the models to run and their
// configuration.
func universeSettings(c *cobra.Command, u *universeFlags) ([]string, func(string) market.Config, error) {
	fl := c.Flags()
	for _, name := range []string{"data", "horizon", "train-years", "refit", "expanding", "threshold", "cost-bps", "slippage-bps", "keep-last", "drop-incomplete"} {
		if fl.Changed(name) {
			return nil, nil, fmt.Errorf("--%s does not apply with --universe", name)
		}
	}
	kinds := market.Kinds()
	if fl.Changed("model") {
		m, _ := fl.GetString("model")
		if m != "all" {
			kinds = []string{m}
		}
	}
	if s, _ := fl.GetString("strategy"); fl.Changed("strategy") && s != "topk" {
		return nil, nil, fmt.Errorf("--strategy %q: with --universe the strategy is topk", s)
	}
	parse := func(flag, v string) (time.Time, error) {
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return t, fmt.Errorf("--%s %q: want a date like 2016-01-01", flag, v)
		}
		return t, nil
	}
	vs, err := parse("valid-start", u.validStart)
	if err != nil {
		return nil, nil, err
	}
	ts, err := parse("test-start", u.testStart)
	if err != nil {
		return nil, nil, err
	}
	exec := backtest.NextClose
	if fl.Changed("execution") {
		e, _ := fl.GetString("execution")
		if exec, err = backtest.ParseExecution("next_" + e); err != nil {
			return nil, nil, fmt.Errorf("--execution %q: want open or close", e)
		}
	}
	if u.maxTrain < 0 {
		return nil, nil, fmt.Errorf("--max-train-samples %d: want 0 or more", u.maxTrain)
	}

	configure := func(kind string) market.Config {
		cfg := market.DefaultConfig(kind)
		if fl.Changed("epochs") {
			cfg.Epochs, _ = fl.GetInt("epochs")
		}
		if fl.Changed("hidden") {
			cfg.Hidden, _ = fl.GetInt("hidden")
		}
		if fl.Changed("lr") {
			cfg.LearningRate, _ = fl.GetFloat64("lr")
		}
		if fl.Changed("window") {
			cfg.Window, _ = fl.GetInt("window")
		}
		if fl.Changed("seed") {
			cfg.Seed, _ = fl.GetInt64("seed")
		}
		if fl.Changed("max-train-samples") || cfg.MaxTrainSamples > 0 {
			cfg.MaxTrainSamples = u.maxTrain
		}
		cfg.Split = market.Split{ValidStart: vs, TestStart: ts}
		cfg.TopK.K, cfg.TopK.NDrop = u.topk, u.ndrop
		cfg.TopK.BuyCostBps, cfg.TopK.SellCostBps = u.buyBps, u.sellBps
		cfg.TopK.Execution = exec
		return cfg
	}
	// Validate the shared settings once, before any long work.
	if err := configure(kinds[0]).TopK.Validate(); err != nil {
		return nil, nil, fmt.Errorf("--topk/--ndrop/--buy-cost-bps/--sell-cost-bps: %w", err)
	}
	return kinds, configure, nil
}

// checkUniverseOut accepts an absent or empty directory, or one holding an
// earlier universe report and nothing else.
func checkUniverseOut(dir string) error {
	err := atomicfile.CheckReplaceable(dir, market.FileJSON, func(name string) bool {
		switch name {
		case market.FileJSON, market.FileTable:
			return true
		}
		ext := filepath.Ext(name)
		return ext == ".png" || ext == ".svg"
	})
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755)
}

// runUniverse runs the cross-sectional mode.
func runUniverse(c *cobra.Command, u *universeFlags) error {
	kinds, configure, err := universeSettings(c, u)
	if err != nil {
		return err
	}
	fl := c.Flags()
	out, _ := fl.GetString("out")
	if !fl.Changed("out") {
		out = "deepfin-universe" // the single-series report keeps deepfin-out
	}
	quiet, _ := fl.GetBool("quiet")
	jsonOut, _ := fl.GetBool("json")
	if err := checkUniverseOut(out); err != nil {
		return err
	}
	stdout, stderr := c.OutOrStdout(), c.ErrOrStderr()

	md, err := finance.LoadOHLCV(u.dir, finance.LoadOptions{DropIncomplete: true})
	if err != nil {
		return err
	}
	if n := len(md.Series); n < 2 || u.topk >= n {
		return fmt.Errorf("--universe %s: %d tickers cannot be ranked into a top %d (want at least 2 tickers and --topk below their number)",
			u.dir, n, u.topk)
	}
	printWarnings(stderr, md.Warnings)
	dropped := 0
	for _, w := range md.Warnings {
		if w.Kind == finance.WarnDropped {
			dropped++
		}
	}
	start := time.Now()
	ds, err := market.BuildDataset(md.Series, 0)
	if err != nil {
		return err
	}
	featTime := time.Since(start)

	bar := &modelBar{w: stderr, quiet: quiet}
	results, rows, err := market.RunAll(c.Context(), ds, kinds, func(k string) market.Config {
		cfg := configure(k)
		bar.start(k, cfg.Epochs)
		cfg.Progress = bar.update
		return cfg
	})
	bar.finish()
	if err != nil {
		return err
	}
	rep := &market.Report{
		Title:   "deepfin universe backtest: daily ranking, top-k with dropout",
		Source:  u.dir,
		Rows:    rows,
		Results: results,
		Notes:   universeNotes(md, ds, dropped, configure(kinds[0]), featTime),
	}
	if err := market.WriteReport(out, rep); err != nil {
		return err
	}

	if jsonOut {
		b, err := os.ReadFile(filepath.Join(out, market.FileJSON))
		if err != nil {
			return err
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"table": v["table"], "report": out})
	}
	cfg := configure(kinds[0])
	fmt.Fprintf(stdout, "%d tickers, %d days; test %s .. %s; top %d, %d swaps a day, %g/%g bp; seed %d\n\n",
		len(ds.Names), ds.Days(), cfg.Split.TestStart.Format(time.DateOnly), ds.Time[ds.Days()-1].Format(time.DateOnly),
		cfg.TopK.K, cfg.TopK.NDrop, cfg.TopK.BuyCostBps, cfg.TopK.SellCostBps, cfg.Seed)
	if err := market.WriteTable(stdout, rows); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\nreport written to %s (%.1fs)\n", out, time.Since(start).Seconds())
	return err
}

// universeNotes states the conventions of a run.
func universeNotes(md *finance.MarketData, ds *market.Dataset, dropped int, cfg market.Config, featTime time.Duration) []string {
	late := []string{}
	for _, s := range md.Series {
		if s.Len() > 0 && s.Time[0].After(ds.Time[0]) {
			late = append(late, fmt.Sprintf("%s (%s)", s.Ticker, s.Time[0].Format(time.DateOnly)))
		}
	}
	n := []string{
		fmt.Sprintf("Features: %d Alpha158-style factors per ticker and day, cross-sectional robust z-score clipped to ±%d; %d missing values set to 0 after normalisation; computed in %.1fs.",
			len(ds.Features), market.ClipZ, ds.Filled, featTime.Seconds()),
		"Label: return from the close of d+1 to the close of d+2, ranked across tickers per day (training target); IC and Rank IC are computed against the raw return.",
		fmt.Sprintf("Split by date: train before %s, validation (early stopping) until %s, test from %s; the last 2 days of train and validation are purged because their labels reach into the next period.",
			cfg.Split.ValidStart.Format(time.DateOnly), cfg.Split.TestStart.Format(time.DateOnly), cfg.Split.TestStart.Format(time.DateOnly)),
		fmt.Sprintf("Portfolio: top %d names in equal weight at purchase, at most %d replaced a day (only by better-scored names), traded at the %s after the score; costs %g bp to buy, %g bp to sell.",
			cfg.TopK.K, cfg.TopK.NDrop, strings.TrimPrefix(cfg.TopK.Execution.String(), "next_")+" of the next day", cfg.TopK.BuyCostBps, cfg.TopK.SellCostBps),
		"Benchmark: equal-weight buy and hold of the tickers priced on the first test day. Excess return is arithmetic: mean daily excess × 252; IR = that / (std × √252); excess max DD on the running sum of daily excess returns; max drawdown of the portfolio itself on its equity.",
		"IC, ICIR: daily Pearson correlation across tickers, its mean and mean/std (not annualised); Rank IC likewise with Spearman.",
	}
	if len(late) > 0 {
		n = append(n, "Tickers that start late (no sample before their 61st bar): "+strings.Join(late, ", ")+".")
	}
	if dropped > 0 {
		n = append(n, fmt.Sprintf("%d incomplete row(s) dropped on loading (DropIncomplete).", dropped))
	}
	return n
}

// modelBar draws one progress bar per model over its epochs.
type modelBar struct {
	w     io.Writer
	quiet bool
	bar   *progressbar.ProgressBar
	model string
}

func (b *modelBar) start(model string, epochs int) {
	b.finish()
	b.model = model
	if b.quiet || !isTerminal(b.w) {
		return
	}
	b.bar = newBar(b.w, epochs, model)
}

func (b *modelBar) update(p market.Progress) {
	if b.bar == nil {
		return
	}
	b.bar.Describe(fmt.Sprintf("%-6s epoch %2d val %.4f", p.Model, p.Epoch, p.ValLoss))
	b.bar.Set(p.Epoch)
}

func (b *modelBar) finish() {
	if b.bar != nil && !b.bar.IsFinished() {
		b.bar.Finish()
	}
	b.bar = nil
}
