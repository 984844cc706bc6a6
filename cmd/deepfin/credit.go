package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"gonum.org/v1/plot"

	"github.com/deepfin/deepfin/finance/credit"
	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/deepfin/deepfin/internal/csvsep"
)

// reportFile is the JSON summary written beside a trained bundle and by
// credit report; its presence also marks a report folder as replaceable.
const reportFile = "report.json"

func newCreditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "credit",
		Short: "Train, apply and evaluate credit-risk models (scorecard or MLP)",
		Long: `Credit trains a points scorecard (WoE binning + logistic regression) or a
small neural network on a labelled CSV of applicants, scores new applicants
with reason codes, and evaluates a saved model on labelled data.

  deepfin credit train  --data FILE --target COL --bad VALUE --out DIR
  deepfin credit score  --model DIR --data FILE [--output FILE]
  deepfin credit report --model DIR --data FILE --out DIR

A trained model folder is also what "deepfin serve --model DIR" serves.`,
	}
	cmd.AddCommand(newCreditTrainCmd(), newCreditScoreCmd(), newCreditReportCmd(), newCreditLoadtestCmd())
	return cmd
}

// ---- train ----

type creditTrainFlags struct {
	data, target, bad, model, fitter, out string
	exclude, categorical, missing         []string
	seed                                  int64
	folds                                 int
	minIV                                 float64
	hidden                                []int
	epochs                                int
	signedLog, jsonOut, quiet             bool
}

func newCreditTrainCmd() *cobra.Command {
	f := &creditTrainFlags{}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Fit a scorecard or an MLP on a labelled CSV and save it with plots and a report",
		Long: `Train reads a CSV with a header, fits the model on every row, and writes the
model bundle (credit-model.json, plus network/ for an MLP), report.json and
ROC, KS, calibration and score-distribution plots (PNG and SVG) into --out,
which is replaced atomically. With --folds k ≥ 2 it first runs a stratified
k-fold cross-validation and reports its out-of-fold AUC, Gini and KS beside
the in-sample figures.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCreditTrain(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "", "labelled CSV of applicants (required)")
	fl.StringVar(&f.target, "target", "", "target column (required)")
	fl.StringVar(&f.bad, "bad", "", "target value that marks a bad applicant (required)")
	fl.StringVar(&f.model, "model", credit.KindScorecard, "scorecard or mlp")
	fl.StringVar(&f.fitter, "fitter", "models", "scorecard regression: models (package models, SGD) or newton (IRLS, faster)")
	fl.StringVar(&f.out, "out", "credit-model", "folder to write the model and report into (replaced atomically)")
	fl.StringSliceVar(&f.exclude, "exclude", nil, "columns to ignore, e.g. an ID (comma-separated)")
	fl.StringSliceVar(&f.categorical, "categorical", nil, "columns to read as categories even when numeric (comma-separated)")
	fl.StringSliceVar(&f.missing, "missing", nil, `cell values meaning "missing" besides the empty cell, e.g. NA`)
	fl.Int64Var(&f.seed, "seed", 1, "seed for folds, initialisation and shuffling")
	fl.IntVar(&f.folds, "folds", 5, "cross-validation folds (0 or 1: none)")
	fl.Float64Var(&f.minIV, "min-iv", 0, "scorecard: drop attributes with a lower information value (0: 0.02)")
	fl.IntSliceVar(&f.hidden, "hidden", []int{16}, "mlp: hidden layer widths")
	fl.IntVar(&f.epochs, "epochs", 40, "mlp: training epochs")
	fl.BoolVar(&f.signedLog, "signed-log", false, "mlp: map numbers through sign(x)·ln(1+|x|) before standardising")
	fl.BoolVar(&f.jsonOut, "json", false, "print the summary as JSON instead of a table")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	return cmd
}

// trainReport is report.json of credit train.
type trainReport struct {
	Kind     string             `json:"kind"`
	Data     string             `json:"data"`
	Target   string             `json:"target"`
	Bad      string             `json:"bad"`
	Rows     int                `json:"rows"`
	Bads     int                `json:"bads"`
	Seed     int64              `json:"seed"`
	Train    credit.Summary     `json:"train"`
	CV       *credit.CVSummary  `json:"cv,omitempty"`
	CVPooled *credit.Summary    `json:"cv_pooled,omitempty"`
	IV       []credit.IVRow     `json:"iv,omitempty"`
	Points   []credit.PointsRow `json:"points,omitempty"`
	Schema   []credit.Field     `json:"schema"`
	Seconds  float64            `json:"seconds"`
	Model    string             `json:"model_dir"`
	Config   map[string]any     `json:"config"`
	Plots    []string           `json:"plots"`
}

func (f *creditTrainFlags) fitFunc() (credit.FitFunc, error) {
	switch f.model {
	case credit.KindScorecard:
		cfg := credit.ScorecardConfig{MinIV: f.minIV}
		switch f.fitter {
		case "models":
			cfg.Fitter = credit.ModelsLogistic{Seed: f.seed}
		case "newton":
			cfg.Fitter = credit.NewtonLogistic{}
		default:
			return nil, fmt.Errorf("--fitter %q: want models or newton", f.fitter)
		}
		return func(ctx context.Context, d *credit.Dataset, rows []int) (credit.Classifier, error) {
			return credit.FitScorecard(ctx, d, rows, cfg)
		}, nil
	case credit.KindMLP:
		if f.epochs < 1 || len(f.hidden) == 0 {
			return nil, fmt.Errorf("--epochs %d, --hidden %v: want at least one epoch and one layer", f.epochs, f.hidden)
		}
		for _, h := range f.hidden {
			if h < 1 {
				return nil, fmt.Errorf("--hidden %v: widths must be positive", f.hidden)
			}
		}
		cfg := credit.MLPConfig{Hidden: f.hidden, Epochs: f.epochs, Seed: f.seed, SignedLog: f.signedLog}
		return func(ctx context.Context, d *credit.Dataset, rows []int) (credit.Classifier, error) {
			return credit.FitMLP(ctx, d, rows, cfg)
		}, nil
	}
	return nil, fmt.Errorf("--model %q: want scorecard or mlp", f.model)
}

func runCreditTrain(ctx context.Context, f *creditTrainFlags, stdout, stderr io.Writer) error {
	if f.data == "" || f.target == "" || f.bad == "" {
		return errors.New("credit train needs --data, --target and --bad")
	}
	fit, err := f.fitFunc()
	if err != nil {
		return err
	}
	if f.folds < 0 {
		return fmt.Errorf("--folds %d: want 0 or more", f.folds)
	}
	if err := credit.CheckReplaceable(f.out, credit.BundleFile, credit.BundleEntry); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(f.out)), 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	opt := credit.LoadOptions{Target: f.target, Bad: f.bad, Exclude: f.exclude, Missing: f.missing}
	if len(f.categorical) > 0 {
		opt.Kinds = map[string]credit.Kind{}
		for _, c := range f.categorical {
			opt.Kinds[c] = credit.Categorical
		}
	}
	d, err := credit.LoadCSV(f.data, opt)
	if err != nil {
		return err
	}

	start := time.Now()
	steps := 1
	if f.folds >= 2 {
		steps += f.folds
	}
	bar := newStepBar(stderr, f.quiet, steps)
	var cv *credit.CVResult
	if f.folds >= 2 {
		fold := 0
		cv, err = credit.CrossValidate(ctx, d, f.folds, uint64(f.seed), func(ctx context.Context, d *credit.Dataset, rows []int) (credit.Classifier, error) {
			bar.step(fmt.Sprintf("fold %d/%d", fold+1, f.folds))
			fold++
			return fit(ctx, d, rows)
		})
		if err != nil {
			bar.finish(err)
			return err
		}
	}
	bar.step("final fit")
	m, err := fit(ctx, d, nil)
	bar.finish(err)
	if err != nil {
		return err
	}

	b := &credit.Bundle{Target: d.Target, Bad: d.Bad}
	switch mm := m.(type) {
	case *credit.Scorecard:
		b.Scorecard = mm
	case *credit.MLP:
		b.MLP = mm
	}
	points, pds, err := b.ScoreDataset(d, nil)
	if err != nil {
		return err
	}
	train := credit.Summarize(d.Y, pds)
	b.Training = credit.TrainingInfo{Data: f.data, Rows: d.Len(), Bads: d.Bads(), Seed: f.seed, Train: &train,
		ScoreQuantiles: credit.ScoreQuantiles(points, 100)}
	rep := trainReport{Kind: b.Kind(), Data: f.data, Target: d.Target, Bad: d.Bad, Rows: d.Len(), Bads: d.Bads(),
		Seed: f.seed, Train: train, Schema: b.Schema().Fields, Model: f.out,
		Config: map[string]any{"model": f.model, "folds": f.folds, "exclude": f.exclude, "categorical": f.categorical}}
	if b.Scorecard != nil {
		rep.Config["fitter"], rep.Config["min_iv"] = f.fitter, f.minIV
		rep.IV = b.Scorecard.Binning.IVTable()
		rep.Points = b.Scorecard.PointsTable()
	} else {
		rep.Config["hidden"], rep.Config["epochs"], rep.Config["signed_log"] = f.hidden, f.epochs, f.signedLog
	}
	curves := []credit.Curve{{Name: "train (in-sample)", Y: d.Y, PD: pds}}
	if cv != nil {
		b.Training.CV = &credit.CVSummary{Folds: f.folds, Mean: cv.Mean, Std: cv.Std}
		rep.CV = b.Training.CV
		pooled := credit.Summarize(d.Y, cv.OOF)
		rep.CVPooled = &pooled
		curves = append([]credit.Curve{{Name: fmt.Sprintf("%d-fold CV (out of fold)", f.folds), Y: d.Y, PD: cv.OOF}}, curves...)
	}
	rep.Seconds = time.Since(start).Seconds()

	err = atomicfile.ReplaceDir(f.out, func(tmp string) error {
		if err := b.WriteFiles(tmp); err != nil {
			return err
		}
		names, err := writeCreditPlots(tmp, curves, "training scores (points)", d.Y, points)
		if err != nil {
			return err
		}
		rep.Plots = names
		return writeJSONFile(filepath.Join(tmp, reportFile), rep)
	})
	if err != nil {
		return err
	}
	if f.jsonOut {
		return printJSON(stdout, rep)
	}
	rows := []summaryRow{{"train (in-sample)", train}}
	if cv != nil {
		rows = append(rows,
			summaryRow{fmt.Sprintf("%d-fold CV mean", f.folds), cv.Mean},
			summaryRow{"CV std", cv.Std},
			summaryRow{"CV pooled out-of-fold", *rep.CVPooled})
	}
	fmt.Fprintf(stdout, "%s on %s: %d rows, %d bad (%s = %q), seed %d\n\n", b.Kind(), f.data, d.Len(), d.Bads(), d.Target, d.Bad, f.seed)
	if err := printSummaries(stdout, rows); err != nil {
		return err
	}
	if b.Scorecard != nil {
		fmt.Fprintf(stdout, "\n%d of %d attributes in the scorecard\n", len(b.Scorecard.Attributes), len(d.Columns))
	}
	_, err = fmt.Fprintf(stdout, "\nmodel and report written to %s (%.1fs)\n", f.out, rep.Seconds)
	return err
}

type summaryRow struct {
	name string
	s    credit.Summary
}

func printSummaries(w io.Writer, rows []summaryRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tAUC\tGini\tKS\tBrier\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.4f\t%.4f\t\n", r.name, r.s.AUC, r.s.Gini, r.s.KS, r.s.Brier)
	}
	return tw.Flush()
}

// writeCreditPlots saves ROC, KS (of the first curve), calibration and
// score-distribution plots into dir and returns the file base names.
func writeCreditPlots(dir string, curves []credit.Curve, distTitle string, y []int, points []float64) ([]string, error) {
	type named struct {
		name string
		make func() (*plot.Plot, error)
	}
	// the score plot counts higher points as safer, as the scale does
	plots := []named{
		{"roc", func() (*plot.Plot, error) { return credit.ROCPlot(curves...) }},
		{"ks", func() (*plot.Plot, error) { return credit.KSPlot(curves[0]) }},
		{"calibration", func() (*plot.Plot, error) { return credit.CalibrationPlot(10, curves...) }},
		{"score_distribution", func() (*plot.Plot, error) { return credit.ScoreDistributionPlot(distTitle, y, points, 30) }},
	}
	var names []string
	for _, p := range plots {
		pl, err := p.make()
		if err != nil {
			return nil, fmt.Errorf("plot %s: %w", p.name, err)
		}
		if err := credit.SavePlot(pl, filepath.Join(dir, p.name)); err != nil {
			return nil, err
		}
		names = append(names, p.name+".png", p.name+".svg")
	}
	return names, nil
}

func writeJSONFile(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, append(data, '\n'), 0o644)
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// stepBar is a progress bar over a fixed number of named steps.
type stepBar struct {
	bar *progressbar.ProgressBar
	n   int
}

func newStepBar(w io.Writer, quiet bool, steps int) *stepBar {
	if quiet || !isTerminal(w) {
		return &stepBar{}
	}
	return &stepBar{bar: newBar(w, steps, "")}
}

func (s *stepBar) step(desc string) {
	if s.bar == nil {
		return
	}
	s.bar.Describe(desc)
	s.bar.Set(s.n)
	s.n++
}

func (s *stepBar) finish(err error) {
	if s.bar == nil || s.bar.IsFinished() {
		return
	}
	if err != nil {
		s.bar.Exit()
		return
	}
	s.bar.Finish()
}

// ---- score ----

type creditScoreFlags struct {
	model, data, id, output string
	reasons                 int
}

func newCreditScoreCmd() *cobra.Command {
	f := &creditScoreFlags{}
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score a CSV of applicants with a saved model: id, score, pd, reason codes",
		Long: `Score reads a CSV with a header holding the model's input columns (other
columns, such as a target, are ignored) and writes a CSV with one line per
applicant: id (--id column, or the 1-based row number), score in points
(higher is safer), pd (probability of bad) and reason_1..reason_k (the
attributes that cost the most points, as "attribute: bin"; empty for an
MLP). Every row is validated against the model's schema; the first bad row
stops the command with an error naming the file, the line and the column
(file:line: column "name": ...), and nothing is written.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCreditScore(f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model folder written by credit train (required)")
	fl.StringVar(&f.data, "data", "", "CSV of applicants (required)")
	fl.StringVar(&f.id, "id", "", "column to copy as the id (default: the 1-based row number)")
	fl.StringVar(&f.output, "output", "", "file to write (atomically) instead of standard output")
	fl.IntVar(&f.reasons, "reasons", 3, "reason codes per applicant")
	return cmd
}

// csvError converts an error of encoding/csv reading file into a
// *credit.DataError naming the line (a wrong number of fields, bad
// quoting); other errors are returned as they are.
func csvError(file string, err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	return &credit.DataError{File: file, Line: pe.Line, Err: fmt.Errorf("%w: %v", credit.ErrBadRow, pe.Err)}
}

// checkHeader returns a *credit.DataError on line 1 naming the first field
// of s for which need returns true and that header (trimmed names) lacks,
// saying so when the file seems to use another separator than the comma;
// it returns nil when every such field is there.
func checkHeader(file string, header []string, s *credit.Schema, need func(credit.Field) bool) error {
	for _, fd := range s.Fields {
		if !need(fd) || slices.Contains(header, fd.Name) {
			continue
		}
		err := fmt.Errorf("used by the model but not in the header: %w", credit.ErrMissingColumn)
		if hint := csvsep.Hint(header); hint != "" {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return &credit.DataError{File: file, Line: 1, Column: fd.Name, Err: err}
	}
	return nil
}

// trimHeader trims spaces and a byte-order mark from header names in place.
func trimHeader(header []string) []string {
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	return header
}

// applicantReader reads CSV rows as validated records of a schema.
type applicantReader struct {
	file   string
	cr     *csv.Reader
	schema *credit.Schema
	cols   []int // CSV column of each schema field, -1 when absent
	idCol  int   // -1: row number
	rec    []string
	in     map[string]any
	row    int
	width  int // fields of the header
}

func newApplicantReader(r io.Reader, file string, s *credit.Schema, idCol string) (*applicantReader, error) {
	ar := &applicantReader{file: file, cr: csv.NewReader(r), schema: s, idCol: -1, in: make(map[string]any, s.Len())}
	ar.cr.ReuseRecord = true
	header, err := ar.cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &credit.DataError{File: file, Err: fmt.Errorf("empty file, want a header: %w", credit.ErrEmpty)}
		}
		return nil, csvError(file, err)
	}
	header = slices.Clone(trimHeader(header)) // the reader reuses its record
	if err := checkHeader(file, header, s, func(fd credit.Field) bool { return fd.Required }); err != nil {
		return nil, err
	}
	ar.width = len(header)
	ar.cr.FieldsPerRecord = -1 // counted in next, to report the numbers
	ar.cols = make([]int, s.Len())
	for fi, fd := range s.Fields {
		ar.cols[fi] = slices.Index(header, fd.Name)
	}
	if idCol != "" {
		ar.idCol = slices.Index(header, idCol)
		if ar.idCol < 0 {
			return nil, &credit.DataError{File: file, Line: 1, Column: idCol,
				Err: fmt.Errorf("--id column not in the header: %w", credit.ErrMissingColumn)}
		}
	}
	return ar, nil
}

// next returns the next applicant's id and record (x reused when it has
// room), or io.EOF.
func (ar *applicantReader) next(x []credit.Value) (string, []credit.Value, error) {
	rec, err := ar.cr.Read()
	if err != nil {
		return "", nil, csvError(ar.file, err)
	}
	if len(rec) != ar.width {
		line, _ := ar.cr.FieldPos(0)
		return "", nil, &credit.DataError{File: ar.file, Line: line,
			Err: fmt.Errorf("%w: %d fields, the header has %d", credit.ErrBadRow, len(rec), ar.width)}
	}
	ar.rec = rec
	ar.row++
	clear(ar.in)
	for fi, fd := range ar.schema.Fields {
		c := ar.cols[fi]
		if c < 0 {
			continue
		}
		cell := strings.TrimSpace(rec[c])
		if cell == "" {
			ar.in[fd.Name] = nil
			continue
		}
		if fd.Kind == credit.Categorical {
			ar.in[fd.Name] = cell
			continue
		}
		v, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			return "", nil, ar.cellError(c, fd.Name, fmt.Errorf("%w: %q is not a number", credit.ErrWrongType, cell))
		}
		ar.in[fd.Name] = v
	}
	out, err := ar.schema.ValidateApplicant(ar.in)
	if err != nil {
		var fe *credit.FieldError
		if errors.As(err, &fe) {
			c := -1
			if fi := ar.schema.Index(fe.Field); fi >= 0 {
				c = ar.cols[fi]
			}
			return "", nil, ar.cellError(c, fe.Field, fe.Err)
		}
		return "", nil, err
	}
	id := strconv.Itoa(ar.row)
	if ar.idCol >= 0 {
		id = rec[ar.idCol]
	}
	if x != nil && len(x) == len(out) {
		copy(x, out)
		out = x
	}
	return id, out, nil
}

// cellError reports err in the named column of the record just read; col
// is its position in the record (-1 when absent: the record's first line).
func (ar *applicantReader) cellError(col int, field string, err error) error {
	line, _ := ar.cr.FieldPos(max(col, 0))
	return &credit.DataError{File: ar.file, Line: line, Column: field, Err: err}
}

func runCreditScore(f *creditScoreFlags, stdout io.Writer) error {
	if f.model == "" || f.data == "" {
		return errors.New("credit score needs --model and --data")
	}
	if f.reasons < 0 {
		return fmt.Errorf("--reasons %d: want 0 or more", f.reasons)
	}
	b, err := credit.LoadBundle(f.model)
	if err != nil {
		return err
	}
	if n := len(b.Schema().Fields); f.reasons > n {
		return fmt.Errorf("--reasons %d: the model has %d attributes", f.reasons, n)
	}
	in, err := os.Open(f.data)
	if err != nil {
		return err
	}
	defer in.Close()
	ar, err := newApplicantReader(in, f.data, b.Schema(), f.id)
	if err != nil {
		return err
	}

	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := []string{"id", "score", "pd"}
	for k := range f.reasons {
		head = append(head, "reason_"+strconv.Itoa(k+1))
	}
	cw.Write(head)
	line := make([]string, len(head))
	var reasons []credit.Reason
	for {
		id, x, err := ar.next(nil)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		points, pd := b.Score(x)
		line[0] = id
		line[1] = strconv.FormatFloat(points, 'f', 3, 64)
		line[2] = strconv.FormatFloat(pd, 'g', 10, 64)
		reasons = b.Reasons(x, reasons, f.reasons)
		for k := range f.reasons {
			line[3+k] = ""
			if k < len(reasons) {
				line[3+k] = reasons[k].Attribute + ": " + reasons[k].Bin
			}
		}
		cw.Write(line)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if ar.row == 0 {
		return &credit.DataError{File: f.data, Err: fmt.Errorf("no applicants after the header: %w", credit.ErrEmpty)}
	}
	if f.output == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	return atomicfile.WriteFile(f.output, buf.Bytes(), 0o644)
}

// ---- report ----

type creditReportFlags struct {
	model, data, target, bad, out string
	groups                        int
	jsonOut                       bool
}

func newCreditReportCmd() *cobra.Command {
	f := &creditReportFlags{}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Evaluate a saved model on a labelled CSV: metrics, calibration, drift (PSI), plots",
		Long: `Report scores a labelled CSV with a saved model and writes report.json and
ROC, KS, calibration and score-distribution plots into --out (replaced
atomically): AUC, Gini, KS, Brier, a calibration table by PD group, and the
population stability index (PSI) of the scores against the training score
distribution stored in the model (below 0.1 is usually read as stable,
above 0.25 as a shift). --target and --bad default to the training ones.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCreditReport(f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model folder written by credit train (required)")
	fl.StringVar(&f.data, "data", "", "labelled CSV of applicants (required)")
	fl.StringVar(&f.target, "target", "", "target column (default: the training target)")
	fl.StringVar(&f.bad, "bad", "", "bad target value (default: the training one)")
	fl.StringVar(&f.out, "out", "credit-report", "folder to write the report into (replaced atomically)")
	fl.IntVar(&f.groups, "groups", 10, "calibration groups (10: deciles of PD)")
	fl.BoolVar(&f.jsonOut, "json", false, "print the report as JSON instead of a table")
	return cmd
}

type evalReport struct {
	Model       string                  `json:"model"`
	Kind        string                  `json:"kind"`
	Data        string                  `json:"data"`
	Summary     credit.Summary          `json:"summary"`
	KSThreshold float64                 `json:"ks_threshold_pd"`
	Calibration []credit.CalibrationBin `json:"calibration"`
	PSI         *float64                `json:"psi_vs_training,omitempty"`
	Training    *credit.Summary         `json:"training_summary,omitempty"`
	TrainingCV  *credit.CVSummary       `json:"training_cv,omitempty"`
	ScoreMean   float64                 `json:"score_mean"`
	Plots       []string                `json:"plots"`
}

func runCreditReport(f *creditReportFlags, stdout io.Writer) error {
	if f.model == "" || f.data == "" {
		return errors.New("credit report needs --model and --data")
	}
	if f.groups < 1 {
		return fmt.Errorf("--groups %d: want at least 1", f.groups)
	}
	// A report folder holds report.json and plots only: never a model,
	// which a report written over it would destroy.
	if _, err := os.Stat(filepath.Join(f.out, credit.BundleFile)); err == nil {
		return fmt.Errorf("--out %s holds a model (%s), which the report would replace; choose another folder", f.out, credit.BundleFile)
	}
	if err := credit.CheckReplaceable(f.out, reportFile, func(name string) bool {
		return name == reportFile || credit.PlotEntry(name)
	}); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(filepath.Clean(f.out)), 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	b, err := credit.LoadBundle(f.model)
	if err != nil {
		return err
	}
	target, bad := cmp(f.target, b.Target), cmp(f.bad, b.Bad)
	// A header that cannot be read is reported by LoadCSV below.
	header, _ := csvHeader(f.data)
	opt := credit.LoadOptions{Target: target, Bad: bad, Kinds: map[string]credit.Kind{}}
	for _, fd := range b.Schema().Fields {
		if slices.Contains(header, fd.Name) && fd.Name != target {
			opt.Kinds[fd.Name] = fd.Kind
		}
	}
	d, err := credit.LoadCSV(f.data, opt)
	if err != nil {
		return err
	}
	if err := checkHeader(f.data, header, b.Schema(), func(fd credit.Field) bool { return fd.Used }); err != nil {
		return err
	}
	points, pds, err := b.ScoreDataset(d, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", f.data, err)
	}
	rep := evalReport{Model: f.model, Kind: b.Kind(), Data: f.data, Summary: credit.Summarize(d.Y, pds),
		Training: b.Training.Train, TrainingCV: b.Training.CV}
	_, rep.KSThreshold = credit.KS(d.Y, pds)
	if rep.Calibration, err = credit.Calibration(d.Y, pds, f.groups); err != nil {
		return err
	}
	if q := b.Training.ScoreQuantiles; len(q) > 1 {
		psi, err := credit.PSI(q, points, 10)
		if err != nil {
			return err
		}
		rep.PSI = &psi
	}
	for _, p := range points {
		rep.ScoreMean += p / float64(len(points))
	}
	curves := []credit.Curve{{Name: filepath.Base(f.data), Y: d.Y, PD: pds}}
	err = atomicfile.ReplaceDir(f.out, func(tmp string) error {
		names, err := writeCreditPlots(tmp, curves, "scores (points)", d.Y, points)
		if err != nil {
			return err
		}
		rep.Plots = names
		return writeJSONFile(filepath.Join(tmp, reportFile), rep)
	})
	if err != nil {
		return err
	}
	if f.jsonOut {
		return printJSON(stdout, rep)
	}
	fmt.Fprintf(stdout, "%s model %s on %s: %d rows, %d bad\n\n", rep.Kind, f.model, f.data, d.Len(), d.Bads())
	rows := []summaryRow{{"this data", rep.Summary}}
	if rep.Training != nil {
		rows = append(rows, summaryRow{"training (in-sample)", *rep.Training})
	}
	if rep.TrainingCV != nil {
		rows = append(rows, summaryRow{"training CV mean", rep.TrainingCV.Mean})
	}
	if err := printSummaries(stdout, rows); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\ncalibration (%d groups by PD)\n", len(rep.Calibration))
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "group\tn\tmean PD\tbad rate\t")
	for i, c := range rep.Calibration {
		fmt.Fprintf(tw, "%d\t%d\t%.4f\t%.4f\t\n", i+1, c.N, c.MeanPD, c.BadRate)
	}
	tw.Flush()
	if rep.PSI != nil {
		fmt.Fprintf(stdout, "\nPSI of scores vs training: %.4f (%s)\n", *rep.PSI, psiWord(*rep.PSI))
	}
	_, err = fmt.Fprintf(stdout, "\nreport written to %s\n", f.out)
	return err
}

func psiWord(p float64) string {
	switch {
	case p < 0.1:
		return "stable"
	case p <= 0.25:
		return "some shift"
	}
	return "shifted"
}

// cmp returns a unless it is empty, else b.
func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// csvHeader returns the trimmed column names of a CSV file.
func csvHeader(path string) ([]string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	h, err := csv.NewReader(fh).Read()
	if err != nil {
		return nil, csvError(path, err)
	}
	return trimHeader(h), nil
}
