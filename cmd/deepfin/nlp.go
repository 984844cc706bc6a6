package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/models"
	"github.com/deepfin/deepfin/nlp"
)

// Text corpus formats of the nlp and bench text commands.
const (
	fmtPhraseBank = "phrasebank" // text,label CSV with negative|neutral|positive
	fmtUCI        = "uci"        // text,label,source CSV, labels 0|1
	fmtIMDB       = "imdb"       // text,label CSV, labels 0|1
	fmtCSV        = "csv"        // text,label CSV, classes from the data
	fmtAclImdb    = "aclimdb"    // folder: train|test/pos|neg/*.txt
)

// textFormatsHelp describes the --format values for the help of the
// commands that read a labelled corpus.
const textFormatsHelp = `Corpus formats (--format):
  phrasebank  CSV with columns text and label (negative, neutral or
              positive), or the original sentence@label text file
  uci         CSV with columns text, label (0 or 1) and source
  imdb        CSV with columns text and label (0 or 1)
  csv         CSV with columns text and label; the classes are the
              distinct labels
  aclimdb     --data names a folder laid out as train|test/pos|neg/*.txt;
              --split picks the part
CSV column names are matched ignoring case and surrounding spaces, other
columns are ignored, and a quoted text may span lines. A leading UTF-8
byte-order mark is ignored.`

// checkFormat returns an error naming --format unless format is one the
// text commands read.
func checkFormat(format string) error {
	switch format {
	case fmtPhraseBank, fmtUCI, fmtIMDB, fmtCSV, fmtAclImdb:
		return nil
	}
	return fmt.Errorf("--format %q: want phrasebank, uci, imdb, csv or aclimdb", format)
}

// loadText reads a labelled corpus; split names the aclImdb split.
func loadText(format, path, split string) (*nlp.Dataset, error) {
	switch format {
	case fmtPhraseBank:
		return nlp.LoadPhraseBank(path, false, false)
	case fmtUCI:
		return nlp.LoadUCISentences(path, false)
	case fmtIMDB:
		return nlp.LoadCSV(path, nlp.CSVOptions{Classes: nlp.BinaryClasses()})
	case fmtCSV:
		return nlp.LoadCSV(path, nlp.CSVOptions{})
	case fmtAclImdb:
		return nlp.LoadAclImdb(path, split, false)
	}
	return nil, checkFormat(format)
}

// nlpError is an error of package nlp behind the context of a command
// (e.g. "nlp score"), its leading "nlp: " left out so that the message
// does not name the package twice. It unwraps to err.
type nlpError struct {
	what string
	err  error
}

func (e *nlpError) Error() string {
	return e.what + ": " + strings.TrimPrefix(e.err.Error(), "nlp: ")
}

func (e *nlpError) Unwrap() error { return e.err }

// wrapNLP returns err behind the context what as an *nlpError.
func wrapNLP(what string, err error) error { return &nlpError{what: what, err: err} }

// textFlags are the model flags shared by nlp train and the text benches
// (which pick models with --kinds rather than --kind).
type textFlags struct {
	maxLen    int
	keepEnd   bool
	embed     int
	units     int
	kernel    int
	dropout   float64
	epochs    int
	batch     int
	lr        float64
	decay     float64
	patience  int
	minFreq   int
	normalize bool
	seed      uint64
}

func (f *textFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.IntVar(&f.maxLen, "max-len", 0, "tokens kept per text (0: 95th percentile of the training texts, 8..256)")
	fl.BoolVar(&f.keepEnd, "keep-end", false, "keep the last tokens of long texts instead of the first")
	fl.IntVar(&f.embed, "embed", 64, "embedding dimension (>= 1)")
	fl.IntVar(&f.units, "units", 64, "recurrent units or convolution filters (>= 1)")
	fl.IntVar(&f.kernel, "kernel", 3, "convolution width of the cnn (odd, >= 1)")
	fl.Float64Var(&f.dropout, "dropout", 0.3, "dropout rate before the output layer, in [0, 1) (0: none)")
	fl.IntVar(&f.epochs, "epochs", 30, "most training epochs, >= 1 (early stopping on a 10% validation slice)")
	fl.IntVar(&f.batch, "batch", 32, "batch size (>= 1)")
	fl.Float64Var(&f.lr, "lr", 0.002, "Adam learning rate (> 0)")
	fl.Float64Var(&f.decay, "weight-decay", 0, "AdamW decoupled weight decay (>= 0; 0: none)")
	fl.IntVar(&f.patience, "patience", 4, "epochs without a lower validation loss before stopping (>= 1)")
	fl.IntVar(&f.minFreq, "min-freq", 2, "minimum training occurrences of a vocabulary token (>= 1)")
	fl.BoolVar(&f.normalize, "normalize-numbers", false, "replace numbers by one token")
	fl.Uint64Var(&f.seed, "seed", 42, "seed of the validation slice, the weights, shuffling and dropout")
}

// maxTextLen is the longest --max-len: a model input dimension may not
// exceed 65,536.
const maxTextLen = 65536

// validate returns an error naming the first model flag whose value is
// out of range, so that commands fail before reading any data.
func (f *textFlags) validate() error {
	for _, c := range []struct {
		flag     string
		v, least int
		note     string
	}{
		{"max-len", f.maxLen, 0, " (0: the 95th percentile of the training lengths)"},
		{"embed", f.embed, 1, ""},
		{"units", f.units, 1, ""},
		{"epochs", f.epochs, 1, ""},
		{"batch", f.batch, 1, ""},
		{"patience", f.patience, 1, ""},
		{"min-freq", f.minFreq, 1, ""},
	} {
		if c.v < c.least {
			return fmt.Errorf("--%s %d: want an integer >= %d%s", c.flag, c.v, c.least, c.note)
		}
	}
	if f.maxLen > maxTextLen {
		return fmt.Errorf("--max-len %d: want at most %d tokens", f.maxLen, maxTextLen)
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case f.kernel < 1 || f.kernel%2 == 0:
		return fmt.Errorf("--kernel %d: want an odd integer >= 1", f.kernel)
	case !(f.dropout >= 0 && f.dropout < 1):
		return fmt.Errorf("--dropout %g: want a rate in [0, 1) (0: none)", f.dropout)
	case !(f.lr > 0) || !finite(f.lr):
		return fmt.Errorf("--lr %g: want a finite number > 0", f.lr)
	case !(f.decay >= 0) || !finite(f.decay):
		return fmt.Errorf("--weight-decay %g: want a finite number >= 0 (0: none)", f.decay)
	}
	return nil
}

// config returns the TextConfig of the flags, which validate has
// accepted. Every size is passed as given, so no flag value turns into a
// library default; --dropout 0 becomes the library's "none".
func (f *textFlags) config(kind string) nlp.TextConfig {
	cfg := nlp.TextConfig{Kind: kind, MaxLen: f.maxLen, KeepEnd: f.keepEnd, EmbedDim: f.embed, Units: f.units,
		Kernel: f.kernel, Dropout: f.dropout, Epochs: f.epochs, BatchSize: f.batch, LearningRate: f.lr,
		WeightDecay: f.decay, Patience: f.patience, Vocab: nlp.VocabConfig{MinFreq: f.minFreq}, Seed: f.seed}
	if f.dropout == 0 {
		cfg.Dropout = -1
	}
	if f.normalize {
		cfg.Tokenizer.Numbers = nlp.NumbersNormalize
	}
	return cfg
}

// fitBar draws training progress over epochs on w, or nothing when
// quiet. Each call of the returned function's Progress covers one fit.
type fitBar struct {
	w     io.Writer
	quiet bool
	bar   *progressbar.ProgressBar
}

func newFitBar(w io.Writer, quiet bool, total int, what string) *fitBar {
	b := &fitBar{w: w, quiet: quiet || !isTerminal(w)}
	if !b.quiet {
		b.bar = newBar(w, total, what)
	}
	return b
}

// progress returns a Fit progress callback that labels the bar.
func (b *fitBar) progress(label string) func(models.Progress) {
	if b.quiet {
		return nil
	}
	return func(p models.Progress) {
		if p.Done {
			b.bar.Describe(fmt.Sprintf("%s epoch %d val %.4f", label, p.Epoch, p.ValLoss))
		}
	}
}

// step advances the bar by one finished fit.
func (b *fitBar) step() {
	if !b.quiet {
		b.bar.Add(1)
	}
}

func (b *fitBar) done() {
	if !b.quiet {
		b.bar.Exit()
		fmt.Fprintln(b.w)
	}
}

// newNLPCmd groups the text-model commands.
func newNLPCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nlp",
		Short: "Train, evaluate and apply deep text classifiers",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newNLPTrainCmd(), newNLPEvalCmd(), newNLPScoreCmd())
	return cmd
}

type nlpTrainFlags struct {
	textFlags
	kind                     string
	data, format, split, out string
	testFraction             float64
	quiet                    bool
}

// nlpTrainResult is what nlp train reports and saves beside the model.
type nlpTrainResult struct {
	Config    nlp.TextConfig `json:"config"`
	Classes   []string       `json:"classes"`
	TrainN    int            `json:"train_n"`
	TestN     int            `json:"test_n,omitempty"`
	Vocab     int            `json:"vocab"`
	MaxLen    int            `json:"max_len"`
	Params    int            `json:"params"`
	Epochs    int            `json:"epochs"`
	BestEpoch int            `json:"best_epoch"`
	Seconds   float64        `json:"seconds"`
	Test      *metricsJSON   `json:"test,omitempty"`
}

// metricsJSON is the JSON form of nlp.Metrics.
type metricsJSON struct {
	Accuracy  float64 `json:"accuracy"`
	MacroF1   float64 `json:"macro_f1"`
	N         int     `json:"n"`
	Confusion [][]int `json:"confusion"`
}

func toJSON(m nlp.Metrics) *metricsJSON {
	return &metricsJSON{Accuracy: m.Accuracy, MacroF1: m.MacroF1, N: m.N, Confusion: m.Confusion}
}

func newNLPTrainCmd() *cobra.Command {
	f := &nlpTrainFlags{}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a text classifier on a labelled corpus and save it",
		Long: `Train fits a deep text classifier (--kind lstm, gru, cnn or mean) on a
labelled corpus and saves it as a directory: classifier.json with the
tokenizer and vocabulary, the model, and training.json with the figures of
the run. With --test-fraction it holds out a stratified test part (seed
--seed) and reports accuracy and macro-F1 on it. Flag values out of range
are refused before any data is read. An empty vocabulary (no token passing
--min-freq) is an error, and one of fewer than ` + fmt.Sprint(smallVocab) + ` words draws a
warning on standard error.

` + textFormatsHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNLPTrain(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.textFlags.add(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.kind, "kind", nlp.KindLSTM, "model: lstm, gru, cnn or mean")
	fl.StringVar(&f.data, "data", "../shared/data/text/financial_phrasebank_allagree.csv", "corpus file (or aclImdb folder)")
	fl.StringVar(&f.format, "format", fmtPhraseBank, "corpus format: phrasebank, uci, imdb, csv or aclimdb (see above)")
	fl.StringVar(&f.split, "split", "train", "aclImdb split to read")
	fl.StringVar(&f.out, "out", "deepfin-text-model", "directory to save the classifier to")
	fl.Float64Var(&f.testFraction, "test-fraction", 0, "hold out this stratified fraction, in [0, 1), for a test score (0: train on all)")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	return cmd
}

// smallVocab is the vocabulary size, reserved tokens aside, below which
// nlp train warns that the model sees little of the text.
const smallVocab = 10

func runNLPTrain(ctx context.Context, f *nlpTrainFlags, stdout, stderr io.Writer) error {
	const what = "nlp train"
	if err := f.validate(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !slices.Contains(nlp.TextKinds(), f.kind) {
		return fmt.Errorf("%s: --kind %q: want lstm, gru, cnn or mean", what, f.kind)
	}
	if !(f.testFraction >= 0 && f.testFraction < 1) {
		return fmt.Errorf("%s: --test-fraction %g: want a fraction in [0, 1) (0: no test part)", what, f.testFraction)
	}
	if err := checkFormat(f.format); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := nlp.CheckSaveTarget(f.out); err != nil {
		return wrapNLP(what+": --out", err)
	}

	d, err := loadText(f.format, f.data, f.split)
	if err != nil {
		return wrapNLP(what, err)
	}
	train, test := d, (*nlp.Dataset)(nil)
	if f.testFraction > 0 {
		if train, test, err = d.StratifiedSplit(f.testFraction, f.seed); err != nil {
			return wrapNLP(what+": --test-fraction", err)
		}
	}
	bar := newFitBar(stderr, f.quiet || !isTerminal(stderr), 1, "training")
	cfg := f.config(f.kind)
	cfg.Progress = bar.progress(f.kind)
	start := time.Now()
	c, err := nlp.FitTextClassifierDataset(ctx, train, cfg)
	bar.done()
	if errors.Is(err, nlp.ErrEmptyVocab) {
		return wrapNLP(fmt.Sprintf("%s: --min-freq %d", what, f.minFreq), err)
	}
	if err != nil {
		return wrapNLP(what, err)
	}
	res := nlpTrainResult{Config: c.Config, Classes: c.Classes(), TrainN: train.Len(), Vocab: c.Encoder.Vocab.Len(),
		MaxLen: c.Encoder.MaxLen, Params: c.Model.NumParams(), Epochs: len(c.History.TrainLoss),
		BestEpoch: c.History.BestEpoch + 1, Seconds: time.Since(start).Seconds()}
	if words := res.Vocab - 2; words < smallVocab {
		fmt.Fprintf(stderr, "%s: warning: the vocabulary holds only %d %s beside <pad> and <unk> (--min-freq %d); the model sees little of the text\n",
			what, words, plural(words, "word", "words"), f.minFreq)
	}
	if test != nil {
		pred, err := c.Predict(test.Texts)
		if err != nil {
			return wrapNLP(what, err)
		}
		res.TestN = test.Len()
		res.Test = toJSON(nlp.Evaluate(test.Labels, pred, len(d.Classes)))
	}
	if err := c.Save(f.out); err != nil {
		return wrapNLP(what, err)
	}
	if err := saveJSON(filepath.Join(f.out, nlp.TrainingFile), res); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	fmt.Fprintf(stdout, "%s: %d texts, vocabulary %d, %d tokens per text, %d parameters, %d epochs (best %d), %.0fs\n",
		f.kind, res.TrainN, res.Vocab, res.MaxLen, res.Params, res.Epochs, res.BestEpoch, res.Seconds)
	if res.Test != nil {
		fmt.Fprintf(stdout, "test (%d texts): accuracy %.2f%%, macro-F1 %.4f\n", res.TestN, 100*res.Test.Accuracy, res.Test.MacroF1)
	}
	fmt.Fprintf(stdout, "saved %s (figures in %s)\n", f.out, filepath.Join(f.out, nlp.TrainingFile))
	return nil
}

// plural returns one when n is 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

type nlpEvalFlags struct {
	model, data, format, split, out string
	jsonOut                         bool
}

func newNLPEvalCmd() *cobra.Command {
	f := &nlpEvalFlags{}
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Score a saved text classifier on a labelled corpus",
		Long: `Eval predicts the class of every text of a labelled corpus with a
classifier saved by nlp train and prints the accuracy, the macro-F1 and the
confusion matrix. The corpus must have the model's classes.

` + textFormatsHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNLPEval(f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "deepfin-text-model", "classifier directory written by nlp train")
	fl.StringVar(&f.data, "data", "", "labelled corpus file (or aclImdb folder)")
	fl.StringVar(&f.format, "format", fmtPhraseBank, "corpus format: phrasebank, uci, imdb, csv or aclimdb")
	fl.StringVar(&f.split, "split", "test", "aclImdb split to read")
	fl.StringVar(&f.out, "out", "", "also write the metrics as JSON to this file")
	fl.BoolVar(&f.jsonOut, "json", false, "print the metrics as JSON instead of a table")
	return cmd
}

func runNLPEval(f *nlpEvalFlags, stdout io.Writer) error {
	const what = "nlp eval"
	if f.data == "" {
		return fmt.Errorf("%s: --data is required", what)
	}
	if err := checkFormat(f.format); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	c, err := nlp.LoadTextClassifier(f.model)
	if err != nil {
		return wrapNLP(what, err)
	}
	d, err := loadText(f.format, f.data, f.split)
	if err != nil {
		return wrapNLP(what, err)
	}
	classes := c.Classes()
	if strings.Join(classes, "\x00") != strings.Join(d.Classes, "\x00") {
		return fmt.Errorf("nlp eval: the model's classes %v differ from the corpus's %v", classes, d.Classes)
	}
	pred, err := c.Predict(d.Texts)
	if err != nil {
		return wrapNLP(what, err)
	}
	m := nlp.Evaluate(d.Labels, pred, len(classes))
	res := toJSON(m)
	if f.out != "" {
		if err := saveJSON(f.out, res); err != nil {
			return fmt.Errorf("nlp eval: %w", err)
		}
	}
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%d texts: accuracy %.2f%%, macro-F1 %.4f\n", m.N, 100*m.Accuracy, m.MacroF1)
	fmt.Fprint(stdout, m.ConfusionTable(classes))
	return nil
}

type nlpScoreFlags struct {
	model, input string
	jsonOut      bool
}

// scoredText is one row of nlp score's output.
type scoredText struct {
	// Line is the text's line in --input (1-based), or its position
	// among the arguments.
	Line  int                `json:"line"`
	Text  string             `json:"text"`
	Class string             `json:"class"`
	Proba map[string]float64 `json:"proba"`
}

func newNLPScoreCmd() *cobra.Command {
	f := &nlpScoreFlags{}
	cmd := &cobra.Command{
		Use:   "score [text...]",
		Short: "Classify texts with a saved classifier",
		Long: `Score prints the predicted class and the class probabilities of each
text given as an argument, or of each line of --input ("-" for standard
input) when there are no arguments. Each row carries the line number (or
argument position) of its text; blank lines are skipped and counted on
standard error. A leading UTF-8 byte-order mark is ignored; a line longer
than 16 MiB, or text that is not valid UTF-8, is an error naming its line.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNLPScore(f, args, cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "deepfin-text-model", "classifier directory written by nlp train")
	fl.StringVar(&f.input, "input", "-", "file of texts, one per line (\"-\": standard input), read when no texts are given")
	fl.BoolVar(&f.jsonOut, "json", false, "print JSON lines instead of a table")
	return cmd
}

// maxScoreLine is the longest line, in bytes, that nlp score reads.
const maxScoreLine = 16 << 20

func runNLPScore(f *nlpScoreFlags, texts []string, stdin io.Reader, stdout, stderr io.Writer) error {
	const what = "nlp score"
	c, err := nlp.LoadTextClassifier(f.model)
	if err != nil {
		return wrapNLP(what, err)
	}
	var lines []int
	for i, t := range texts {
		if !utf8.ValidString(t) {
			return fmt.Errorf("%s: argument %d is not valid UTF-8", what, i+1)
		}
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("%s: argument %d is blank", what, i+1)
		}
		lines = append(lines, i+1)
	}
	if len(texts) == 0 {
		r := stdin
		name := "standard input"
		if f.input != "-" {
			file, err := os.Open(f.input)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			defer file.Close()
			r, name = file, f.input
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), maxScoreLine)
		blank, n := 0, 1
		for ; sc.Scan(); n++ {
			line := sc.Text()
			if n == 1 {
				line = strings.TrimPrefix(line, "\ufeff")
			}
			line = strings.TrimSpace(line)
			switch {
			case line == "":
				blank++
			case !utf8.ValidString(line):
				return fmt.Errorf("%s: %s:%d: text is not valid UTF-8", what, name, n)
			default:
				texts = append(texts, line)
				lines = append(lines, n)
			}
		}
		switch err := sc.Err(); {
		case errors.Is(err, bufio.ErrTooLong):
			return fmt.Errorf("%s: %s:%d: line longer than %d MiB", what, name, n, maxScoreLine>>20)
		case err != nil:
			return fmt.Errorf("%s: %s: %w", what, name, err)
		}
		if blank > 0 {
			fmt.Fprintf(stderr, "%s: skipped %d blank %s of %s\n", what, blank, plural(blank, "line", "lines"), name)
		}
		if len(texts) == 0 {
			return fmt.Errorf("%s: %s holds no text", what, name)
		}
	}
	proba, err := c.PredictProba(texts)
	if err != nil {
		return wrapNLP(what, err)
	}
	classes := c.Classes()
	rows := make([]scoredText, len(texts))
	for i, p := range proba {
		best := 0
		rows[i] = scoredText{Line: lines[i], Text: texts[i], Proba: map[string]float64{}}
		for k, v := range p {
			rows[i].Proba[classes[k]] = v
			if v > p[best] {
				best = k
			}
		}
		rows[i].Class = classes[best]
	}
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "line\tclass\t%s\ttext\n", strings.Join(classes, "\t"))
	for i, r := range rows {
		var ps []string
		for _, v := range proba[i] {
			ps = append(ps, fmt.Sprintf("%.3f", v))
		}
		text := r.Text
		if len([]rune(text)) > 70 {
			text = string([]rune(text)[:67]) + "..."
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.Line, r.Class, strings.Join(ps, "\t"), text)
	}
	return tw.Flush()
}
