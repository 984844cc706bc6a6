package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/nlp"
)

// benchTextFlags holds the flags of bench phrasebank, imdb and uci.
type benchTextFlags struct {
	textFlags
	data, format string
	kinds        string
	cs           string
	folds        int
	testFraction float64
	runs         int
	out          string
	jsonOut      bool
	quiet        bool
}

// benchTextRow is one model's result in a text bench.
type benchTextRow struct {
	Model    string  `json:"model"`
	Accuracy float64 `json:"accuracy"`
	// AccuracyStd is the standard deviation over folds (cross-validation)
	// or over training seeds (--runs > 1); 0 otherwise.
	AccuracyStd float64   `json:"accuracy_std"`
	MacroF1     float64   `json:"macro_f1"`
	Runs        []float64 `json:"run_accuracies,omitempty"`
	Seconds     float64   `json:"seconds"`
}

// benchTextResult is the outcome of a text bench.
type benchTextResult struct {
	Corpus   string         `json:"corpus"`
	Data     string         `json:"data"`
	N        int            `json:"n"`
	Protocol string         `json:"protocol"`
	Seed     uint64         `json:"split_seed"`
	Config   nlp.TextConfig `json:"config"`
	Rows     []benchTextRow `json:"rows"`
}

func newBenchTextCmd(name string) *cobra.Command {
	f := &benchTextFlags{}
	var short, long, data, format string
	switch name {
	case "phrasebank":
		short = "Financial PhraseBank (all agree): deep text models beside TF-IDF + logistic regression on a stratified 80/20 split"
		data, format = "../shared/data/text/financial_phrasebank_allagree.csv", fmtPhraseBank
	case "imdb":
		short = "IMDB reviews: 5-fold accuracy of the deep text models beside TF-IDF + logistic regression"
		data, format = "../shared/data/text/imdb_reviews_1000.csv", fmtIMDB
	default: // uci
		short = "UCI sentiment sentences: 5-fold accuracy of the deep text models beside TF-IDF + logistic regression"
		data, format = "../shared/data/text/sentiment_labelled_sentences.csv", fmtUCI
	}
	long = short + `.

Every model sees the same split or the same stratified folds (seed --seed).
The baseline is fitted once per --c value. Deep models stop early on a 10%
validation slice of their training part; --runs N repeats each deep model
with training seeds seed..seed+N-1 on the same split and reports the mean.
With --format aclimdb, --data names a folder in the aclImdb layout and the
models are fitted on its train split and scored on its test split. Flag
values out of range are refused before any data is read.

` + textFormatsHelp
	cmd := &cobra.Command{
		Use:   name,
		Short: short,
		Long:  long,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchText(cmd.Context(), name, f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.textFlags.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", data, "corpus file (or aclImdb folder)")
	fl.StringVar(&f.format, "format", format, "corpus format: phrasebank, uci, imdb, csv or aclimdb")
	kinds := "lstm,gru,cnn,mean"
	if name == "imdb" {
		kinds = "lstm,cnn,mean" // the unrolled GRU is slow on 200+ steps
	}
	fl.StringVar(&f.kinds, "kinds", kinds, "comma-separated deep models to run")
	fl.StringVar(&f.cs, "c", "1,100", "comma-separated C values of the TF-IDF baseline")
	fl.IntVar(&f.folds, "folds", 5, "cross-validation folds, >= 2 (imdb, uci)")
	fl.Float64Var(&f.testFraction, "test-fraction", 0.2, "test fraction of the split, in (0, 1) (phrasebank)")
	fl.IntVar(&f.runs, "runs", 1, "training seeds per deep model, >= 1 (phrasebank)")
	fl.StringVar(&f.out, "out", "", "also write the result as JSON to this file")
	fl.BoolVar(&f.jsonOut, "json", false, "print the result as JSON instead of a table")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	return cmd
}

// splitList splits a comma-separated flag, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func runBenchText(ctx context.Context, name string, f *benchTextFlags, stdout, stderr io.Writer) error {
	what := "bench " + name
	if err := f.validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := checkFormat(f.format); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	kinds := splitList(f.kinds)
	var cs []float64
	for _, s := range splitList(f.cs) {
		c, err := strconv.ParseFloat(s, 64)
		if err != nil || !(c > 0) || math.IsInf(c, 1) {
			return fmt.Errorf("%s: --c %q: want finite numbers > 0, separated by commas", what, f.cs)
		}
		cs = append(cs, c)
	}
	switch {
	case f.runs < 1:
		return fmt.Errorf("%s: --runs %d: want an integer >= 1", what, f.runs)
	case f.folds < 2:
		return fmt.Errorf("%s: --folds %d: want an integer >= 2", what, f.folds)
	case !(f.testFraction > 0 && f.testFraction < 1):
		return fmt.Errorf("%s: --test-fraction %g: want a fraction in (0, 1)", what, f.testFraction)
	}
	for _, k := range kinds {
		if !slices.Contains(nlp.TextKinds(), k) {
			return fmt.Errorf("%s: --kinds: %q is not one of %v", what, k, nlp.TextKinds())
		}
	}

	split := "train"
	d, err := loadText(f.format, f.data, split)
	if err != nil {
		return wrapNLP(what, err)
	}
	res := &benchTextResult{Corpus: name, Data: f.data, N: d.Len(), Seed: f.seed, Config: f.config("")}

	// eval runs one model over the protocol and returns its row.
	var eval func(label string, fit nlp.FitPredictFunc) (benchTextRow, error)
	var total int
	switch {
	case f.format == fmtAclImdb:
		test, err := loadText(f.format, f.data, "test")
		if err != nil {
			return wrapNLP(what, err)
		}
		res.Protocol = fmt.Sprintf("aclImdb train (%d) → test (%d)", d.Len(), test.Len())
		total = 1
		eval = func(label string, fit nlp.FitPredictFunc) (benchTextRow, error) {
			pred, err := fit(ctx, d, test)
			if err != nil {
				return benchTextRow{}, err
			}
			m := nlp.Evaluate(test.Labels, pred, len(d.Classes))
			return benchTextRow{Model: label, Accuracy: m.Accuracy, MacroF1: m.MacroF1}, nil
		}
	case name == "phrasebank":
		train, test, err := d.StratifiedSplit(f.testFraction, f.seed)
		if err != nil {
			return wrapNLP(what+": --test-fraction", err)
		}
		res.Protocol = fmt.Sprintf("stratified split, test fraction %g, train %d / test %d", f.testFraction, train.Len(), test.Len())
		total = 1
		eval = func(label string, fit nlp.FitPredictFunc) (benchTextRow, error) {
			pred, err := fit(ctx, train, test)
			if err != nil {
				return benchTextRow{}, err
			}
			m := nlp.Evaluate(test.Labels, pred, len(d.Classes))
			return benchTextRow{Model: label, Accuracy: m.Accuracy, MacroF1: m.MacroF1}, nil
		}
	default:
		res.Protocol = fmt.Sprintf("stratified %d-fold cross-validation", f.folds)
		total = f.folds
		eval = func(label string, fit nlp.FitPredictFunc) (benchTextRow, error) {
			cv, err := nlp.CrossValidate(ctx, d, f.folds, f.seed, fit)
			if err != nil {
				return benchTextRow{}, err
			}
			row := benchTextRow{Model: label, Accuracy: cv.Accuracy, AccuracyStd: cv.AccuracyStd, MacroF1: cv.MacroF1}
			for _, fm := range cv.Folds {
				row.Runs = append(row.Runs, fm.Accuracy)
			}
			return row, nil
		}
	}

	runs := 1
	if name == "phrasebank" && f.format != fmtAclImdb {
		runs = f.runs
	}
	bar := newFitBar(stderr, f.quiet || !isTerminal(stderr), total*(len(cs)+runs*len(kinds)), what)
	save := func() {
		if f.out != "" {
			_ = saveJSON(f.out, res) // a partial record survives an interrupted run
		}
	}
	for _, c := range cs {
		bcfg := nlp.BaselineConfig{LogReg: nlp.LogRegConfig{C: c}}
		base := bcfg.FitPredict()
		start := time.Now()
		row, err := eval(fmt.Sprintf("tfidf+logreg C=%g", c), func(ctx context.Context, tr, te *nlp.Dataset) ([]int, error) {
			defer bar.step()
			return base(ctx, tr, te)
		})
		if err != nil {
			bar.done()
			return wrapNLP(what, err)
		}
		row.Seconds = time.Since(start).Seconds()
		res.Rows = append(res.Rows, row)
		save()
	}
	for _, kind := range kinds {
		var rows []benchTextRow
		start := time.Now()
		for r := 0; r < runs; r++ {
			cfg := f.config(kind)
			cfg.Seed = f.seed + uint64(r)
			cfg.Progress = bar.progress(kind)
			fit := cfg.FitPredict()
			row, err := eval(kind, func(ctx context.Context, tr, te *nlp.Dataset) ([]int, error) {
				defer bar.step()
				return fit(ctx, tr, te)
			})
			if err != nil {
				bar.done()
				return wrapNLP(what+": "+kind, err)
			}
			rows = append(rows, row)
		}
		row := rows[0]
		if runs > 1 {
			row = meanRows(kind, rows)
		}
		row.Seconds = time.Since(start).Seconds()
		res.Rows = append(res.Rows, row)
		save()
	}
	bar.done()
	save()
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%s: %d texts, %s, seed %d\n", name, res.N, res.Protocol, res.Seed)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\taccuracy %\t± std\tmacro-F1\tseconds")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.4f\t%.0f\n", r.Model, 100*r.Accuracy, 100*r.AccuracyStd, r.MacroF1, r.Seconds)
	}
	return tw.Flush()
}

// meanRows averages runs of one model over training seeds.
func meanRows(label string, rows []benchTextRow) benchTextRow {
	out := benchTextRow{Model: fmt.Sprintf("%s (mean of %d seeds)", label, len(rows))}
	for _, r := range rows {
		out.Accuracy += r.Accuracy / float64(len(rows))
		out.MacroF1 += r.MacroF1 / float64(len(rows))
		out.Runs = append(out.Runs, r.Accuracy)
	}
	var ss float64
	for _, r := range rows {
		ss += (r.Accuracy - out.Accuracy) * (r.Accuracy - out.Accuracy)
	}
	out.AccuracyStd = math.Sqrt(ss / float64(len(rows)-1))
	return out
}
