package credit

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"

	"github.com/deepfin/deepfin/internal/kfold"
)

// sharedData returns the path of a file under the shared data directory
// (DEEPFIN_DATA, or ../../../shared/data from this package), skipping the
// test when it is absent.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("DEEPFIN_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("needs ../shared/data/%s (or DEEPFIN_DATA): %v", rel, err)
	}
	return p
}

// plotDir is DEEPFIN_PLOT_DIR when set (plots are kept there), else a
// temporary directory.
func plotDir(t *testing.T) string {
	if d := os.Getenv("DEEPFIN_PLOT_DIR"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

func savePlot(t *testing.T, dir, name string, p *plot.Plot, err error) {
	require.NoError(t, err)
	require.NoError(t, SavePlot(p, filepath.Join(dir, name)))
}

// TestGermanCV is the German credit acceptance check: stratified
// 5-fold CV (seed 2026) of the WoE logistic scorecard (fitted through
// package models) and of the MLP, plus the scorecard's mean over CV seeds
// 1..5, which the 0.78 bound is checked on. Run with -v to see the
// figures; set DEEPFIN_PLOT_DIR to keep the plots.
func TestGermanCV(t *testing.T) {
	if testing.Short() {
		t.Skip("real-data acceptance test; skipped with -short")
	}
	d, err := LoadCSV(sharedData(t, "credit/german_credit_statlog.csv"), LoadOptions{Target: "class", Bad: "2"})
	require.NoError(t, err)
	ctx := context.Background()
	const seed = 2026
	scFit := func(ctx context.Context, d *Dataset, tr []int) (Classifier, error) {
		return FitScorecard(ctx, d, tr, ScorecardConfig{})
	}
	mlpFit := func(ctx context.Context, d *Dataset, tr []int) (Classifier, error) {
		return FitMLP(ctx, d, tr, MLPConfig{Seed: 1})
	}
	sc, err := CrossValidate(ctx, d, 5, seed, scFit)
	require.NoError(t, err)
	mlp, err := CrossValidate(ctx, d, 5, seed, mlpFit)
	require.NoError(t, err)

	cost := GermanCost()
	for _, r := range []struct {
		name string
		res  *CVResult
	}{{"WoE logistic scorecard", sc}, {"MLP [16] relu", mlp}} {
		t.Logf("%-24s AUC %.4f ± %.4f  Gini %.4f  KS %.4f  Brier %.4f", r.name,
			r.res.Mean.AUC, r.res.Std.AUC, r.res.Mean.Gini, r.res.Mean.KS, r.res.Mean.Brier)
		bayes := ConfusionAt(d.Y, r.res.OOF, 1.0/6)
		th, best := cost.BestThreshold(d.Y, r.res.OOF)
		t.Logf("%-24s cost/applicant at PD ≥ 1/6: %.4f %+v; out-of-fold best threshold %.3f: %.4f; accept all: 1.5",
			"", cost.ExpectedCost(bayes), bayes, th, best)
	}
	// The fixed seed above was chosen before any run; the acceptance bound
	// is checked on the mean over CV seeds 1..5 so one lucky or unlucky
	// partition does not decide it.
	var seeds []float64
	for s := uint64(1); s <= 5; s++ {
		res, err := CrossValidate(ctx, d, 5, s, scFit)
		require.NoError(t, err)
		seeds = append(seeds, res.Mean.AUC)
	}
	t.Logf("scorecard mean CV AUC over CV seeds 1..5: %.4f %.4f", mean(seeds), seeds)

	dir := plotDir(t)
	curves := []Curve{{"scorecard", d.Y, sc.OOF}, {"MLP", d.Y, mlp.OOF}}
	p, err := ROCPlot(curves...)
	savePlot(t, dir, "german_roc", p, err)
	p, err = KSPlot(curves[0])
	savePlot(t, dir, "german_ks", p, err)
	p, err = CalibrationPlot(10, curves...)
	savePlot(t, dir, "german_calibration", p, err)
	full, err := FitScorecard(ctx, d, nil, ScorecardConfig{})
	require.NoError(t, err)
	scores, _, err := full.ScoreDataset(d, nil)
	require.NoError(t, err)
	p, err = ScoreDistributionPlot("German credit: scorecard points (in sample)", d.Y, scores, 25)
	savePlot(t, dir, "german_scores", p, err)

	assert.GreaterOrEqual(t, mean(seeds), 0.78, "issue 5 acceptance: mean CV AUC of the WoE scorecard")
	assert.GreaterOrEqual(t, sc.Mean.AUC, 0.77, "seed 2026 alone")
}

// TestTaiwanHoldout is the Taiwan acceptance check: a stratified 70/30
// split (seed 2026), both models fitted on the 70%, hold-out AUC, KS,
// Gini and the PSI of the scorecard's train vs test scores.
func TestTaiwanHoldout(t *testing.T) {
	if testing.Short() {
		t.Skip("real-data acceptance test; skipped with -short")
	}
	d, err := LoadCSV(sharedData(t, "credit/taiwan_credit_default.csv"), LoadOptions{
		Target: "default_payment_next_month", Bad: "1", Exclude: []string{"ID"},
		Kinds: map[string]Kind{"SEX": Categorical, "EDUCATION": Categorical, "MARRIAGE": Categorical},
	})
	require.NoError(t, err)
	require.Equal(t, 30000, d.Len())
	tr, te, err := kfold.StratifiedSplit(d.Y, 0.3, 2026)
	require.NoError(t, err)
	yte := make([]int, len(te))
	for i, r := range te {
		yte[i] = d.Y[r]
	}
	ctx := context.Background()

	sc, err := FitScorecard(ctx, d, tr, ScorecardConfig{Fitter: ModelsLogistic{Epochs: 30, BatchSize: 256}})
	require.NoError(t, err)
	trScores, _, err := sc.ScoreDataset(d, tr)
	require.NoError(t, err)
	teScores, tePD, err := sc.ScoreDataset(d, te)
	require.NoError(t, err)
	psi, err := PSI(trScores, teScores, 10)
	require.NoError(t, err)
	s := Summarize(yte, tePD)
	t.Logf("scorecard (%d attributes)  AUC %.4f  Gini %.4f  KS %.4f  Brier %.4f  PSI(train, test scores) %.5f",
		len(sc.Attributes), s.AUC, s.Gini, s.KS, s.Brier, psi)

	m, err := FitMLP(ctx, d, tr, MLPConfig{Hidden: []int{32}, SignedLog: true, BatchSize: 128, LearningRate: 3e-3,
		Epochs: 40, ValidationFraction: 0.1, Seed: 1})
	require.NoError(t, err)
	mTr, err := m.PredictPD(d, tr)
	require.NoError(t, err)
	mTe, err := m.PredictPD(d, te)
	require.NoError(t, err)
	mpsi, err := PSI(mTr, mTe, 10)
	require.NoError(t, err)
	ms := Summarize(yte, mTe)
	t.Logf("MLP [32] relu            AUC %.4f  Gini %.4f  KS %.4f  Brier %.4f  PSI(train, test PDs) %.5f",
		ms.AUC, ms.Gini, ms.KS, ms.Brier, mpsi)

	dir := plotDir(t)
	curves := []Curve{{"scorecard", yte, tePD}, {"MLP", yte, mTe}}
	p, err := ROCPlot(curves...)
	savePlot(t, dir, "taiwan_roc", p, err)
	p, err = CalibrationPlot(10, curves...)
	savePlot(t, dir, "taiwan_calibration", p, err)
	p, err = ScoreDistributionPlot("Taiwan: scorecard points (hold-out)", yte, teScores, 30)
	savePlot(t, dir, "taiwan_scores", p, err)

	assert.GreaterOrEqual(t, max(s.AUC, ms.AUC), 0.77, "issue 5 acceptance: hold-out AUC of the best model")
	assert.Less(t, psi, 0.1, "train and test scores are from one population")
}
