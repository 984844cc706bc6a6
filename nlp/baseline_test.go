package nlp

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixtureBaseline(t *testing.T) (*Dataset, *Baseline) {
	t.Helper()
	d, err := LoadCSV(filepath.Join("testdata", "reviews.csv"), CSVOptions{})
	require.NoError(t, err)
	b, err := FitBaselineDataset(context.Background(), d, BaselineConfig{LogReg: LogRegConfig{C: 10}})
	require.NoError(t, err)
	return d, b
}

func TestBaseline(t *testing.T) {
	d, b := fixtureBaseline(t)
	assert.Equal(t, d.Labels, b.Predict(d.Texts), "fits its training texts")
	assert.Equal(t, []int{1, 0}, b.Predict([]string{"Great coffee and lovely staff.", "Awful, dull and terrible."}))
	p, err := b.PredictProba([]string{"great", ""})
	require.NoError(t, err)
	require.Len(t, p, 2)
	for _, row := range p {
		assert.InDelta(t, 1, row[0]+row[1], 1e-12)
	}
	assert.Greater(t, p[0][1], 0.5)
	assert.Equal(t, []string{"neg", "pos"}, b.Classes())

	_, err = FitBaseline(context.Background(), d.Texts, d.Labels[:3], d.Classes, BaselineConfig{})
	assert.ErrorIs(t, err, ErrInvalidArgument)
}

func TestBaselineSaveLoad(t *testing.T) {
	d, b := fixtureBaseline(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "baseline.json")
	require.NoError(t, b.Save(path))
	back, err := LoadBaseline(path)
	require.NoError(t, err)
	texts := append(d.Texts, "An unseen text with NEW words <br /> and 42 numbers.")
	want, _ := b.PredictProba(texts)
	got, _ := back.PredictProba(texts)
	assert.Equal(t, want, got, "identical scores after loading")
	assert.Equal(t, b.Config, back.Config)

	cases := []struct {
		name, content string
	}{
		{"other format", `{"format":"something","version":1}`},
		{"newer version", `{"format":"deepfin-nlp-baseline","version":2}`},
		{"incomplete", `{"format":"deepfin-nlp-baseline","version":1,"baseline":{}}`},
		{"bad dims", `{"format":"deepfin-nlp-baseline","version":1,"baseline":{"classes":["a","b"],"tfidf":{"terms":["x"],"idf":[1]},"model":{"classes":2,"features":2,"w":[0,0,0,0],"b":[0,0]}}}`},
		{"not json", `{`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".json")
			require.NoError(t, os.WriteFile(p, []byte(tc.content), 0o644))
			_, err := LoadBaseline(p)
			assert.ErrorIs(t, err, ErrFormat)
		})
	}
	_, err = LoadBaseline(filepath.Join(dir, "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestBaselineCrossValidateFixture(t *testing.T) {
	d, err := LoadCSV(filepath.Join("testdata", "reviews.csv"), CSVOptions{})
	require.NoError(t, err)
	res, err := CrossValidate(context.Background(), d, 3, 1, BaselineConfig{LogReg: LogRegConfig{C: 10}}.FitPredict())
	require.NoError(t, err)
	assert.Len(t, res.Folds, 3)
	assert.GreaterOrEqual(t, res.Accuracy, 0.5)
}

func ExampleFitBaseline() {
	texts := []string{
		"Profit rose and sales grew.", "Sales grew strongly.", "Record profit, strong growth.",
		"Profit fell and sales shrank.", "Sales fell sharply.", "Heavy loss, weak demand.",
	}
	labels := []int{1, 1, 1, 0, 0, 0}
	b, err := FitBaseline(context.Background(), texts, labels, []string{"negative", "positive"}, BaselineConfig{LogReg: LogRegConfig{C: 10}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, text := range []string{"Strong sales growth.", "Profit fell."} {
		p, _ := b.PredictProba([]string{text})
		fmt.Printf("%-22s %s (p=%.2f)\n", text, b.ClassNames[b.Predict([]string{text})[0]], max(p[0][0], p[0][1]))
	}
	// Output:
	// Strong sales growth.   positive (p=0.75)
	// Profit fell.           negative (p=0.77)
}

func TestBaselineAclImdbLayout(t *testing.T) {
	root := filepath.Join("testdata", "aclImdb")
	train, err := LoadAclImdb(root, "train", false)
	require.NoError(t, err)
	test, err := LoadAclImdb(root, "test", false)
	require.NoError(t, err)
	b, err := FitBaselineDataset(context.Background(), train, BaselineConfig{LogReg: LogRegConfig{C: 10}})
	require.NoError(t, err)
	assert.NotContains(t, b.TFIDF.Terms, "br", "tags removed before counting")
	m := Evaluate(test.Labels, b.Predict(test.Texts), 2)
	assert.InDelta(t, 1.0, m.Accuracy, 1e-12)
}
