package nlp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toyNews returns n invented three-class finance sentences: the class is
// carried by one cue word among neutral filler, so a model must find the
// cue wherever it sits.
func toyNews(n int, seed uint64) *Dataset {
	cues := [][]string{
		{"slumped", "plunged", "fell", "dropped", "missed"},
		{"reported", "announced", "scheduled", "published", "filed"},
		{"soared", "jumped", "beat", "rallied", "climbed"},
	}
	filler := []string{"the", "company", "shares", "quarter", "its", "results", "on", "tuesday", "group", "sales", "bank", "annual", "report", "in", "europe"}
	rng := rand.New(rand.NewPCG(seed, 3))
	d := &Dataset{Classes: PhraseBankClasses()}
	for i := 0; i < n; i++ {
		c := i % 3
		k := 3 + rng.IntN(7)
		words := make([]string, k)
		for j := range words {
			words[j] = filler[rng.IntN(len(filler))]
		}
		words[rng.IntN(k)] = cues[c][rng.IntN(len(cues[c]))]
		text := ""
		for j, w := range words {
			if j > 0 {
				text += " "
			}
			text += w
		}
		d.Texts = append(d.Texts, text+".")
		d.Labels = append(d.Labels, c)
	}
	return d
}

func TestTextClassifierKinds(t *testing.T) {
	train, test := toyNews(240, 1), toyNews(60, 2)
	for _, kind := range TextKinds() {
		t.Run(kind, func(t *testing.T) {
			cfg := TextConfig{Kind: kind, EmbedDim: 8, Units: 8, Epochs: 40, LearningRate: 0.02, Seed: 7, Vocab: VocabConfig{MinFreq: 1}}
			c, err := FitTextClassifierDataset(context.Background(), train, cfg)
			require.NoError(t, err)
			pred, err := c.Predict(test.Texts)
			require.NoError(t, err)
			m := Evaluate(test.Labels, pred, 3)
			assert.GreaterOrEqual(t, m.Accuracy, 0.9, "held-out accuracy")

			proba, err := c.PredictProba(test.Texts[:5])
			require.NoError(t, err)
			for i, row := range proba {
				var s float64
				for _, p := range row {
					s += p
				}
				assert.InDelta(t, 1, s, 1e-9, "row %d", i)
			}

			dir := filepath.Join(t.TempDir(), "clf")
			require.NoError(t, c.Save(dir))
			require.NoError(t, c.Save(dir), "saving over an existing classifier")
			l, err := LoadTextClassifier(dir)
			require.NoError(t, err)
			again, err := l.PredictProba(test.Texts[:5])
			require.NoError(t, err)
			for i := range proba {
				assert.InDeltaSlice(t, proba[i], again[i], 1e-6)
			}
			assert.Equal(t, c.Classes(), l.Classes())
		})
	}
}

func TestTextClassifierCrossValidate(t *testing.T) {
	d := toyNews(90, 4)
	cfg := TextConfig{Kind: KindMean, EmbedDim: 8, Epochs: 30, LearningRate: 0.03, Seed: 1, Vocab: VocabConfig{MinFreq: 1}}
	deep, err := CrossValidate(context.Background(), d, 3, 5, cfg.FitPredict())
	require.NoError(t, err)
	base, err := CrossValidate(context.Background(), d, 3, 5, BaselineConfig{}.FitPredict())
	require.NoError(t, err)
	require.Len(t, deep.Folds, 3)
	for i := range deep.Folds {
		assert.Equal(t, base.Folds[i].N, deep.Folds[i].N, "same folds")
	}
	assert.Greater(t, deep.Accuracy, 0.8)
}

// The aclImdb layout feeds the same classifier (invented fixture reviews).
func TestTextClassifierAclImdb(t *testing.T) {
	root := filepath.Join("testdata", "aclImdb")
	train, err := LoadAclImdb(root, "train", false)
	require.NoError(t, err)
	test, err := LoadAclImdb(root, "test", false)
	require.NoError(t, err)
	c, err := FitTextClassifierDataset(context.Background(), train, TextConfig{Kind: KindLSTM, EmbedDim: 4, Units: 4, Epochs: 3, Seed: 1, Vocab: VocabConfig{MinFreq: 1}})
	require.NoError(t, err)
	pred, err := c.Predict(test.Texts)
	require.NoError(t, err)
	assert.Len(t, pred, test.Len())
	assert.Equal(t, AclImdbClasses(), c.Classes())
}

func TestTextClassifierErrors(t *testing.T) {
	d := toyNews(30, 1)
	cases := []struct {
		name string
		cfg  TextConfig
		want string
	}{
		{"kind", TextConfig{Kind: "transformer"}, `Kind is "transformer", want one of ["lstm" "gru" "cnn" "mean"]`},
		{"even_kernel", TextConfig{Kind: KindCNN, Kernel: 4}, "Kernel is 4, want an odd number >= 1, or 0"},
		{"negative_kernel", TextConfig{Kind: KindCNN, Kernel: -3}, "Kernel is -3, want an odd number >= 1, or 0"},
		{"dropout", TextConfig{Dropout: 1}, "Dropout is 1, want < 1"},
		{"dropout_nan", TextConfig{Dropout: math.NaN()}, "Dropout is NaN, want < 1"},
		{"val_fraction", TextConfig{ValFraction: 1.5}, "ValFraction is 1.5, want a fraction in (0, 1), or 0"},
		{"max_len", TextConfig{MaxLen: -3}, "MaxLen is -3, want >= 0"},
		{"embed_dim", TextConfig{EmbedDim: -1}, "EmbedDim is -1, want >= 0"},
		{"units", TextConfig{Units: -5}, "Units is -5, want >= 0"},
		{"epochs", TextConfig{Epochs: -1}, "Epochs is -1, want >= 0"},
		{"batch_size", TextConfig{BatchSize: -1}, "BatchSize is -1, want >= 0"},
		{"patience", TextConfig{Patience: -1}, "Patience is -1, want >= 0"},
		{"learning_rate", TextConfig{LearningRate: -0.1}, "LearningRate is -0.1, want a finite number >= 0"},
		{"weight_decay_inf", TextConfig{WeightDecay: math.Inf(1)}, "WeightDecay is +Inf, want a finite number >= 0"},
		{"clip_norm", TextConfig{ClipNorm: -1}, "ClipNorm is -1, want a finite number >= 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FitTextClassifierDataset(context.Background(), d, c.cfg)
			require.ErrorIs(t, err, ErrInvalidArgument)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "nlp: text classifier: "+c.want, err.Error())
		})
	}
	_, err := FitTextClassifier(context.Background(), d.Texts, d.Labels[:3], d.Classes, TextConfig{})
	require.ErrorIs(t, err, ErrInvalidArgument)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, textMetaFile), []byte(`{"format":"other","version":1}`), 0o644))
	_, err = LoadTextClassifier(dir)
	require.ErrorIs(t, err, ErrFormat)
	_, err = LoadTextClassifier(filepath.Join(dir, "missing"))
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrFormat), fmt.Sprint(err))
}

func TestTextClassifierEmptyVocab(t *testing.T) {
	d := toyNews(30, 1)
	_, err := FitTextClassifierDataset(context.Background(), d, TextConfig{Kind: KindMean, Vocab: VocabConfig{MinFreq: 1000}})
	require.ErrorIs(t, err, ErrEmptyVocab)
	assert.Contains(t, err.Error(), "no token occurs 1000 or more times (the minimum frequency)")
}
