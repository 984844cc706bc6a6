package nlp

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// deepReal skips unless DEEPFIN_DEEP=1: the deep text models take minutes
// on the real corpora (the CLI's bench commands report them).
func deepReal(t *testing.T) {
	t.Helper()
	if os.Getenv("DEEPFIN_DEEP") != "1" {
		t.Skip("deep text models on real data: set DEEPFIN_DEEP=1 (minutes)")
	}
}

// TestTextPhraseBank reports each deep kind on the all-agree subset, on
// the seed-42 stratified 80/20 split that the baseline reports.
func TestTextPhraseBank(t *testing.T) {
	deepReal(t)
	d, err := LoadPhraseBank(textData(t, "financial_phrasebank_allagree.csv"), false, false)
	require.NoError(t, err)
	train, test, err := d.StratifiedSplit(0.2, realSeed)
	require.NoError(t, err)
	kinds := TextKinds()
	if k := os.Getenv("DEEPFIN_KINDS"); k != "" {
		kinds = []string{k}
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			start := time.Now()
			c, err := FitTextClassifierDataset(context.Background(), train, TextConfig{Kind: kind, Seed: realSeed})
			require.NoError(t, err)
			pred, err := c.Predict(test.Texts)
			require.NoError(t, err)
			m := Evaluate(test.Labels, pred, len(d.Classes))
			t.Logf("%s: accuracy %.4f macro-F1 %.4f, best epoch %d of %d, vocab %d, maxlen %d, %v",
				kind, m.Accuracy, m.MacroF1, c.History.BestEpoch+1, len(c.History.TrainLoss), c.Encoder.Vocab.Len(), c.Encoder.MaxLen, time.Since(start).Round(time.Second))
		})
	}
}
