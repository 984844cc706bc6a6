package credit

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScaling(t *testing.T) {
	s, err := Scaling{}.withDefaults()
	require.NoError(t, err)
	assert.Equal(t, DefaultScaling(), s)
	assert.InDelta(t, 20/math.Ln2, s.Factor(), tol)
	assert.InDelta(t, 600-20/math.Ln2*math.Log(50), s.Offset(), tol)
	assert.InDelta(t, 487.1228762045, s.Offset(), 1e-9)
	assert.InDelta(t, 1.0/51, s.PD(600), tol, "600 points is 50:1")
	assert.InDelta(t, 1.0/101, s.PD(620), tol, "20 more points double the odds")
	assert.InDelta(t, 0.5, s.PD(s.Offset()), tol)

	custom, err := Scaling{BaseScore: 500, BaseOdds: 10, PDO: 40}.withDefaults()
	require.NoError(t, err)
	assert.InDelta(t, 1.0/11, custom.PD(500), tol)
	_, err = Scaling{PDO: -1}.withDefaults()
	assert.ErrorIs(t, err, ErrInvalidOption)
}

func fitFixture(t testing.TB, cfg ScorecardConfig) (*Dataset, *Scorecard) {
	t.Helper()
	d := loadFixture(t)
	if cfg.Fitter == nil {
		cfg.Fitter = NewtonLogistic{}
	}
	sc, err := FitScorecard(context.Background(), d, nil, cfg)
	require.NoError(t, err)
	return d, sc
}

func TestScorecardPointsAddUp(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	require.NotEmpty(t, sc.Attributes)
	f, o := sc.Scaling.Factor(), sc.Scaling.Offset()
	x := make([]Value, sc.Schema.Len())
	for r := range d.Len() {
		x = sc.Schema.Record(d, r, x)
		logit := sc.Intercept
		for _, a := range sc.Attributes {
			logit += a.Coef * a.Bins.Bins[a.Bins.BinOf(x[a.Field])].WoE
		}
		score := sc.Score(x)
		assert.InDelta(t, o-f*logit, score, 1e-9, "row %d", r)
		assert.InDelta(t, 1/(1+math.Exp(-logit)), sc.PD(x), 1e-12, "row %d", r)
	}
	for _, a := range sc.Attributes {
		assert.Less(t, a.Coef, 0.0, "%s keeps the WoE sign", a.Bins.Name)
		assert.GreaterOrEqual(t, a.Bins.IV, 0.02)
		assert.True(t, sc.Schema.Fields[a.Field].Used)
		assert.True(t, sc.Schema.Fields[a.Field].Required)
	}
	scores, pds, err := sc.ScoreDataset(d, nil)
	require.NoError(t, err)
	y := d.Y
	assert.Greater(t, AUC(y, pds), 0.8, "in-sample AUC on the fixture")
	assert.InDelta(t, AUC(y, pds), 1-AUC(y, scores), 1e-12, "points and PD rank alike")
	tab := sc.PointsTable()
	assert.NotEmpty(t, tab)
}

func TestScorecardScalingSettable(t *testing.T) {
	d, a := fitFixture(t, ScorecardConfig{})
	_, b := fitFixture(t, ScorecardConfig{Scaling: Scaling{BaseScore: 500, BaseOdds: 20, PDO: 50}})
	x := make([]Value, a.Schema.Len())
	for r := range 5 {
		x = a.Schema.Record(d, r, x)
		assert.InDelta(t, a.PD(x), b.PD(x), 1e-12, "scaling changes points, not PD")
		want := 500 + 50/math.Ln2*(math.Log((1-a.PD(x))/a.PD(x))-math.Log(20))
		assert.InDelta(t, want, b.Score(x), 1e-9)
	}
}

func TestScorecardReasons(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	x := sc.Schema.Record(d, 1, nil) // a bad applicant
	all := sc.Reasons(x, nil, 0)
	require.NotEmpty(t, all)
	for i, r := range all {
		assert.Greater(t, r.Loss, 0.0)
		assert.InDelta(t, r.MaxPoints-r.Points, r.Loss, 1e-12)
		if i > 0 {
			assert.GreaterOrEqual(t, all[i-1].Loss, r.Loss)
		}
	}
	top := sc.Reasons(x, make([]Reason, 0, 3), 3)
	require.Len(t, top, min(3, len(all)))
	assert.Equal(t, all[:len(top)], top)

	allocs := testing.AllocsPerRun(100, func() { top = sc.Reasons(x, top, 3) })
	assert.Zero(t, allocs, "Reasons with room in dst")
	allocs = testing.AllocsPerRun(100, func() { _ = sc.Score(x) })
	assert.Zero(t, allocs, "Score")
	assert.Panics(t, func() { sc.Score(x[:1]) })
}

func TestScorecardOptions(t *testing.T) {
	d := loadFixture(t)
	ctx := context.Background()
	all, err := FitScorecard(ctx, d, nil, ScorecardConfig{Fitter: NewtonLogistic{}, MinIV: -1, KeepWrongSign: true})
	require.NoError(t, err)
	few, err := FitScorecard(ctx, d, nil, ScorecardConfig{Fitter: NewtonLogistic{}, MinIV: 0.2})
	require.NoError(t, err)
	assert.Greater(t, len(all.Attributes), len(few.Attributes))
	_, err = FitScorecard(ctx, d, nil, ScorecardConfig{Fitter: NewtonLogistic{}, MinIV: 100})
	assert.ErrorIs(t, err, ErrInvalidOption)
	_, err = FitScorecard(ctx, d, nil, ScorecardConfig{BadWeight: -1})
	assert.ErrorIs(t, err, ErrInvalidOption)

	w, err := FitScorecard(ctx, d, nil, ScorecardConfig{Fitter: NewtonLogistic{}, BadWeight: 5})
	require.NoError(t, err)
	_, pdW, _ := w.ScoreDataset(d, nil)
	_, pd1, _ := few.ScoreDataset(d, nil)
	assert.Greater(t, mean(pdW), mean(pd1), "bad weight raises PDs")
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func TestScoreDatasetMissingColumn(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	used := sc.Schema.Fields[sc.Attributes[0].Field].Name
	var keep []Column
	for _, c := range d.Columns {
		if c.Name != used {
			keep = append(keep, c)
		}
	}
	_, _, err := sc.ScoreDataset(&Dataset{Columns: keep, Y: d.Y}, nil)
	assert.ErrorIs(t, err, ErrMissingColumn)
}

func TestCrossValidateFixture(t *testing.T) {
	d := loadFixture(t)
	fit := func(ctx context.Context, d *Dataset, train []int) (Classifier, error) {
		return FitScorecard(ctx, d, train, ScorecardConfig{Fitter: NewtonLogistic{}})
	}
	a, err := CrossValidate(context.Background(), d, 5, 7, fit)
	require.NoError(t, err)
	b, err := CrossValidate(context.Background(), d, 5, 7, fit)
	require.NoError(t, err)
	assert.Equal(t, a.Mean, b.Mean, "deterministic")
	require.Len(t, a.Folds, 5)
	assert.Equal(t, 200, a.Mean.N)
	assert.Equal(t, 57, a.Mean.Bads)
	for _, p := range a.OOF {
		assert.False(t, math.IsNaN(p))
	}
	assert.InDelta(t, a.Mean.AUC, (a.Folds[0].AUC+a.Folds[1].AUC+a.Folds[2].AUC+a.Folds[3].AUC+a.Folds[4].AUC)/5, 1e-12)
	assert.Greater(t, a.Mean.AUC, 0.6)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = CrossValidate(ctx, d, 5, 7, fit)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = CrossValidate(context.Background(), d, 1, 7, fit)
	assert.Error(t, err)
}
