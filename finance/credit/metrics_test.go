package credit

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAUCGiniHand(t *testing.T) {
	cases := []struct {
		name string
		y    []int
		pd   []float64
		want float64
	}{
		// bads .35 and .8 against goods .1 and .4: 3 of 4 pairs won
		{"no ties", []int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8}, 0.75},
		// bad .2 ties good .2 (½), loses to .5; bad .9 wins twice
		{"tie counts half", []int{0, 1, 0, 1}, []float64{0.2, 0.2, 0.5, 0.9}, 0.625},
		{"perfect", []int{0, 0, 1}, []float64{0.1, 0.2, 0.3}, 1},
		{"reversed", []int{1, 0}, []float64{0.1, 0.2}, 0},
		{"all tied", []int{1, 0, 1, 0}, []float64{0.5, 0.5, 0.5, 0.5}, 0.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.want, AUC(tc.y, tc.pd), tol)
			assert.InDelta(t, 2*tc.want-1, Gini(tc.y, tc.pd), tol)
		})
	}
	assert.True(t, math.IsNaN(AUC([]int{0, 0}, []float64{0.1, 0.2})))
	assert.Panics(t, func() { AUC([]int{0}, []float64{0.1, 0.2}) })
}

func TestKSHand(t *testing.T) {
	// sorted: .1 g, .35 b, .4 g, .8 b; |F_g − F_b| = .5, 0, .5, 0
	ks, at := KS([]int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8})
	assert.InDelta(t, 0.5, ks, tol)
	assert.InDelta(t, 0.1, at, tol)
	ks, _ = KS([]int{0, 0, 1}, []float64{0.1, 0.2, 0.3})
	assert.InDelta(t, 1, ks, tol)
	ks, _ = KS([]int{1, 1}, []float64{0.1, 0.2})
	assert.True(t, math.IsNaN(ks))
}

func TestROCCurve(t *testing.T) {
	roc := ROC([]int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8})
	want := []ROCPoint{{math.Inf(1), 0, 0}, {0.8, 0, 0.5}, {0.4, 0.5, 0.5}, {0.35, 0.5, 1}, {0.1, 1, 1}}
	require.Len(t, roc, len(want))
	var area float64
	for i, p := range roc {
		assert.Equal(t, want[i].Threshold, p.Threshold)
		assert.InDelta(t, want[i].FPR, p.FPR, tol, "point %d", i)
		assert.InDelta(t, want[i].TPR, p.TPR, tol, "point %d", i)
		if i > 0 {
			area += (p.FPR - roc[i-1].FPR) * (p.TPR + roc[i-1].TPR) / 2
		}
	}
	assert.InDelta(t, 0.75, area, tol, "trapezoid area equals AUC")
}

func TestBrier(t *testing.T) {
	assert.InDelta(t, 0.1, Brier([]int{0, 1}, []float64{0.2, 0.6}), tol) // (.04+.16)/2
	assert.True(t, math.IsNaN(Brier(nil, nil)))
}

func TestPSIHand(t *testing.T) {
	cases := []struct {
		name     string
		exp, act []float64
		bins     int
		want     float64
	}{
		// edge at 2: expected shares .5/.5, actual .75/.25
		{"two bins", []float64{1, 2, 3, 4}, []float64{1, 1, 1, 4}, 2, 0.25*math.Log(1.5) + 0.25*math.Log(2)},
		{"same sample", []float64{1, 2, 3, 4, 5}, []float64{1, 2, 3, 4, 5}, 5, 0},
		// empty actual bin floored at 1e-4
		{"empty bin", []float64{1, 2}, []float64{1, 1}, 2, (1-0.5)*math.Log(1/0.5) + (1e-4-0.5)*math.Log(1e-4/0.5)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PSI(tc.exp, tc.act, tc.bins)
			require.NoError(t, err)
			assert.InDelta(t, tc.want, got, 1e-12)
		})
	}
	_, err := PSI([]float64{1}, []float64{1}, 1)
	assert.ErrorIs(t, err, ErrInvalidOption)
	_, err = PSI(nil, []float64{1}, 10)
	assert.ErrorIs(t, err, ErrInvalidOption)
	_, err = PSI([]float64{nan}, []float64{1}, 10)
	assert.ErrorIs(t, err, ErrInvalidOption)
}

func TestCalibration(t *testing.T) {
	y := []int{0, 0, 1, 0, 1, 1}
	pd := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6}
	cal, err := Calibration(y, pd, 3)
	require.NoError(t, err)
	require.Len(t, cal, 3)
	want := []CalibrationBin{{2, 0.1, 0.2, 0.15, 0}, {2, 0.3, 0.4, 0.35, 0.5}, {2, 0.5, 0.6, 0.55, 1}}
	for i := range want {
		assert.Equal(t, want[i].N, cal[i].N)
		assert.InDelta(t, want[i].MeanPD, cal[i].MeanPD, tol)
		assert.InDelta(t, want[i].BadRate, cal[i].BadRate, tol)
		assert.InDelta(t, want[i].MinPD, cal[i].MinPD, tol)
		assert.InDelta(t, want[i].MaxPD, cal[i].MaxPD, tol)
	}
	cal, err = Calibration(y, pd, 10)
	require.NoError(t, err)
	assert.Len(t, cal, 6, "groups capped at n")
	_, err = Calibration(y, pd, 0)
	assert.ErrorIs(t, err, ErrInvalidOption)
}

func TestConfusionAndCost(t *testing.T) {
	y := []int{0, 0, 1, 1}
	pd := []float64{0.1, 0.4, 0.35, 0.8}
	c := ConfusionAt(y, pd, 0.35)
	assert.Equal(t, Confusion{Threshold: 0.35, TP: 2, FN: 0, FP: 1, TN: 1}, c)
	cost := GermanCost()
	assert.InDelta(t, 0.25, cost.ExpectedCost(c), tol)
	assert.InDelta(t, 2.5, cost.ExpectedCost(ConfusionAt(y, pd, math.Inf(1))), tol, "accept all: 2 bads × 5 / 4")

	// thresholds: +Inf 10, .8 5, .4 6, .35 1, .1 2 (total cost)
	th, avg := cost.BestThreshold(y, pd)
	assert.InDelta(t, 0.35, th, tol)
	assert.InDelta(t, 0.25, avg, tol)
	th, avg = CostMatrix{BadAccepted: 0.1, GoodRejected: 1}.BestThreshold(y, pd)
	assert.InDelta(t, 0.8, th, tol, "refuse only the one bad above every good")
	assert.InDelta(t, 0.025, avg, tol)
	// equal costs, inverted scores: accept all (1) ties refuse all (1);
	// ties go to the higher threshold
	th, avg = CostMatrix{BadAccepted: 1, GoodRejected: 1}.BestThreshold([]int{1, 0}, []float64{0.1, 0.9})
	assert.True(t, math.IsInf(th, 1), "inverted scores: accept everyone")
	assert.InDelta(t, 0.5, avg, tol)
}

func TestSummarize(t *testing.T) {
	s := Summarize([]int{0, 0, 1, 1}, []float64{0.1, 0.4, 0.35, 0.8})
	assert.Equal(t, 4, s.N)
	assert.Equal(t, 2, s.Bads)
	assert.InDelta(t, 0.75, s.AUC, tol)
	assert.InDelta(t, 0.5, s.Gini, tol)
	assert.InDelta(t, 0.5, s.KS, tol)
}
