package signals

import (
	"context"
	"fmt"
	"slices"

	"github.com/deepfin/deepfin/nlp"
)

// Classifier is what Score needs from a trained text model: the
// probability of each class for each text, indexed [text][class], and the
// class names in index order. nlp.Baseline satisfies it.
type Classifier interface {
	PredictProba(texts []string) ([][]float64, error)
	Classes() []string
}

// ScoreConfig configures Score. The zero value suits a Financial
// PhraseBank model: classes "positive" and "negative", batches of 256.
type ScoreConfig struct {
	// Positive and Negative name the classifier's positive and negative
	// classes; empty means "positive" and "negative". Use "1" and "0" for
	// a 0/1-labelled model. Other classes (e.g. "neutral") count as
	// neither.
	Positive, Negative string
	// BatchSize is the number of texts per PredictProba call; 0 means
	// 256.
	BatchSize int
}

// Scored is a headline with its model score.
type Scored struct {
	Headline
	// Score is P(positive) − P(negative), in [-1, 1].
	Score float64
	// Class is the index of the most probable class (the lowest on ties).
	Class int
	// Polarity is +1 when Class is the positive class, -1 when it is the
	// negative one, 0 otherwise.
	Polarity int
}

// Score runs c over the headlines' texts in batches and returns one
// Scored per headline, in order. It returns an error wrapping ErrClass when
// c lacks the configured positive or negative class, ctx's error between
// batches, and c's errors.
func Score(ctx context.Context, c Classifier, hs []Headline, cfg ScoreConfig) ([]Scored, error) {
	pos, neg := cfg.Positive, cfg.Negative
	if pos == "" {
		pos = "positive"
	}
	if neg == "" {
		neg = "negative"
	}
	classes := c.Classes()
	pi, ni := slices.Index(classes, pos), slices.Index(classes, neg)
	if pi < 0 || ni < 0 || pi == ni {
		return nil, fmt.Errorf("signals: Score: %w: need distinct classes %q and %q, model has %q", ErrClass, pos, neg, classes)
	}
	batch := cfg.BatchSize
	if batch <= 0 {
		batch = 256
	}

	out := make([]Scored, len(hs))
	texts := make([]string, 0, batch)
	for start := 0; start < len(hs); start += batch {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("signals: Score: %w", err)
		}
		end := min(start+batch, len(hs))
		texts = texts[:0]
		for _, h := range hs[start:end] {
			texts = append(texts, h.Text)
		}
		probs, err := c.PredictProba(texts)
		if err != nil {
			return nil, fmt.Errorf("signals: Score: %w", err)
		}
		if len(probs) != len(texts) {
			return nil, fmt.Errorf("signals: Score: %w: %d probability rows for %d texts", nlp.ErrInvalidArgument, len(probs), len(texts))
		}
		for k, p := range probs {
			if len(p) != len(classes) {
				return nil, fmt.Errorf("signals: Score: %w: %d probabilities for %d classes", nlp.ErrInvalidArgument, len(p), len(classes))
			}
			s := Scored{Headline: hs[start+k], Score: p[pi] - p[ni]}
			for j, v := range p {
				if v > p[s.Class] {
					s.Class = j
				}
			}
			switch s.Class {
			case pi:
				s.Polarity = 1
			case ni:
				s.Polarity = -1
			}
			out[start+k] = s
		}
	}
	return out, nil
}
