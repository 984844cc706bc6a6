package nlp

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/deepfin/deepfin/internal/atomicfile"
)

// BaselineConfig configures FitBaseline. The zero value tokenizes with
// the zero Tokenizer, builds unigram+bigram sublinear TF-IDF features and
// fits an L2 logistic regression with C = 1.
type BaselineConfig struct {
	Tokenizer Tokenizer    `json:"tokenizer"`
	TFIDF     TFIDFConfig  `json:"tfidf"`
	LogReg    LogRegConfig `json:"logreg"`
}

// Baseline is the simple reference text classifier: tokenizer, TF-IDF
// features and a multinomial logistic regression, all in float64. Every
// deep text model is reported beside it. It is immutable after fitting and
// safe for concurrent use.
type Baseline struct {
	// Config is the configuration it was fitted with.
	Config BaselineConfig `json:"config"`
	// ClassNames names the classes in index order.
	ClassNames []string `json:"classes"`
	// TFIDF holds the fitted n-gram vocabulary and idf weights.
	TFIDF *TFIDF `json:"tfidf"`
	// Model holds the fitted regression.
	Model *LogReg `json:"model"`
	// Info reports how the solver ended; it is not saved.
	Info *FitInfo `json:"-"`
}

// FitBaseline fits a Baseline on texts with class indices labels into
// classes (names in index order). Everything is learned from these texts
// only. It returns an error wrapping ErrInvalidArgument when the lengths
// differ or fewer than two classes are given, and the errors of FitTFIDF
// and FitLogReg.
func FitBaseline(ctx context.Context, texts []string, labels []int, classes []string, cfg BaselineConfig) (*Baseline, error) {
	if len(texts) != len(labels) {
		return nil, argError("FitBaseline", "labels", "%d labels for %d texts", len(labels), len(texts))
	}
	docs := tokenizeAll(cfg.Tokenizer, texts)
	tf, err := FitTFIDF(docs, cfg.TFIDF)
	if err != nil {
		return nil, err
	}
	m, info, err := FitLogReg(ctx, tf.Transform(docs), labels, len(classes), cfg.LogReg)
	if err != nil {
		return nil, err
	}
	return &Baseline{Config: cfg, ClassNames: slices.Clone(classes), TFIDF: tf, Model: m, Info: info}, nil
}

// FitBaselineDataset is FitBaseline on a Dataset's texts, labels and
// classes.
func FitBaselineDataset(ctx context.Context, d *Dataset, cfg BaselineConfig) (*Baseline, error) {
	return FitBaseline(ctx, d.Texts, d.Labels, d.Classes, cfg)
}

func tokenizeAll(tk Tokenizer, texts []string) [][]string {
	docs := make([][]string, len(texts))
	for i, t := range texts {
		docs[i] = tk.Tokenize(t)
	}
	return docs
}

// Classes returns a copy of the class names in index order.
func (b *Baseline) Classes() []string { return slices.Clone(b.ClassNames) }

// PredictProba returns, for each text, the probability of each class
// (rows sum to 1), indexed [text][class]. The error is always nil; it is
// there so that Baseline satisfies the classifier interfaces of callers
// whose other models can fail.
func (b *Baseline) PredictProba(texts []string) ([][]float64, error) {
	flat := b.Model.PredictProba(b.TFIDF.Transform(tokenizeAll(b.Config.Tokenizer, texts)))
	k := b.Model.Classes
	out := make([][]float64, len(texts))
	for i := range out {
		out[i] = flat[i*k : i*k+k : i*k+k]
	}
	return out, nil
}

// Predict returns the most probable class index of each text.
func (b *Baseline) Predict(texts []string) []int {
	flat := b.Model.PredictProba(b.TFIDF.Transform(tokenizeAll(b.Config.Tokenizer, texts)))
	return argmaxRows(flat, b.Model.Classes)
}

// FitPredict returns a FitPredictFunc for CrossValidate that fits a
// Baseline with cfg on each training fold.
func (cfg BaselineConfig) FitPredict() FitPredictFunc {
	return func(ctx context.Context, train, test *Dataset) ([]int, error) {
		b, err := FitBaselineDataset(ctx, train, cfg)
		if err != nil {
			return nil, err
		}
		return b.Predict(test.Texts), nil
	}
}

// baselineFormat and baselineVersion head a saved Baseline.
const (
	baselineFormat  = "deepfin-nlp-baseline"
	baselineVersion = 1
)

type baselineFile struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Model   *Baseline `json:"baseline"`
}

// Save writes the baseline (configuration, classes, TF-IDF vocabulary and
// weights) to path as one JSON file {"format":"deepfin-nlp-baseline",
// "version":1,...}, atomically: a failed save leaves any previous file.
func (b *Baseline) Save(path string) error {
	data, err := json.Marshal(baselineFile{Format: baselineFormat, Version: baselineVersion, Model: b})
	if err != nil {
		return fmt.Errorf("nlp: save baseline: %w", err)
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("nlp: save baseline: %w", err)
	}
	return nil
}

// LoadBaseline reads a Baseline written by Save. It returns an error
// wrapping ErrFormat for another format, a newer version or inconsistent
// dimensions.
func LoadBaseline(path string) (*Baseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nlp: load baseline: %w", err)
	}
	var f baselineFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, formatError(path, "%v", err)
	}
	switch {
	case f.Format != baselineFormat:
		return nil, formatError(path, "format %q, want %q", f.Format, baselineFormat)
	case f.Version > baselineVersion:
		return nil, formatError(path, "version %d is newer than %d, which this build reads", f.Version, baselineVersion)
	case f.Model == nil || f.Model.TFIDF == nil || f.Model.Model == nil:
		return nil, formatError(path, "incomplete baseline")
	}
	b, m := f.Model, f.Model.Model
	if m.Classes != len(b.ClassNames) || m.Features != len(b.TFIDF.Terms) ||
		len(m.W) != m.Features*m.Classes || len(m.B) != m.Classes || m.Classes < 2 {
		return nil, formatError(path, "inconsistent dimensions")
	}
	return b, nil
}
