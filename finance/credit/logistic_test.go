package credit

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logisticData is a small problem with a known, non-separable structure.
func logisticData() (x []float64, y []int) {
	// two features; P(bad) rises with x0, falls with x1
	for i := range 40 {
		a := float64(i%8) - 3.5
		b := float64(i%5) - 2
		x = append(x, a, b)
		// deterministic labels roughly following σ(0.6a − 0.8b − 0.5)
		p := 1 / (1 + math.Exp(-(0.6*a - 0.8*b - 0.5)))
		lab := 0
		if float64((i*37)%100)/100 < p {
			lab = 1
		}
		y = append(y, lab)
	}
	return x, y
}

// gradient of the penalised weighted mean log loss at (w, b).
func logisticGrad(x []float64, y []int, w []float64, b, l2 float64) []float64 {
	p := len(w)
	g := make([]float64, p+1)
	for i := range y {
		z := b
		for j := range p {
			z += w[j] * x[i*p+j]
		}
		r := (sigmoid(z) - float64(y[i])) / float64(len(y))
		for j := range p {
			g[j] += r * x[i*p+j]
		}
		g[p] += r
	}
	for j := range p {
		g[j] += l2 * w[j]
	}
	return g
}

func TestNewtonLogistic(t *testing.T) {
	x, y := logisticData()
	cases := []struct {
		name string
		l2   float64
	}{{"no penalty", 0}, {"ridge", 0.1}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, b, err := NewtonLogistic{}.FitLogistic(context.Background(), x, y, nil, 2, tc.l2)
			require.NoError(t, err)
			for j, g := range logisticGrad(x, y, w, b, tc.l2) {
				assert.InDelta(t, 0, g, 1e-9, "gradient %d at the optimum", j)
			}
			assert.Greater(t, w[0], 0.0)
			assert.Less(t, w[1], 0.0)
		})
	}
	// a constant column without penalty is singular
	xc := make([]float64, 2*len(y))
	for i := range y {
		xc[2*i], xc[2*i+1] = 1, x[2*i]
	}
	_, _, err := NewtonLogistic{}.FitLogistic(context.Background(), xc, y, nil, 2, 0)
	assert.ErrorIs(t, err, ErrInvalidOption)
	assert.Panics(t, func() { _, _, _ = NewtonLogistic{}.FitLogistic(context.Background(), x[:3], y, nil, 2, 0) })
}

func TestNewtonLogisticWeights(t *testing.T) {
	// weight 2 on a row equals the row repeated twice
	x, y := logisticData()
	wts := make([]float64, len(y))
	var xr []float64
	var yr []int
	for i := range y {
		wts[i] = float64(1 + i%2)
		for range int(wts[i]) {
			xr = append(xr, x[2*i:2*i+2]...)
			yr = append(yr, y[i])
		}
	}
	w1, b1, err := NewtonLogistic{}.FitLogistic(context.Background(), x, y, wts, 2, 0.01)
	require.NoError(t, err)
	w2, b2, err := NewtonLogistic{}.FitLogistic(context.Background(), xr, yr, nil, 2, 0.01)
	require.NoError(t, err)
	assert.InDeltaSlice(t, w2, w1, 1e-9)
	assert.InDelta(t, b2, b1, 1e-9)
}

func TestModelsLogisticMatchesNewton(t *testing.T) {
	x, y := logisticData()
	wn, bn, err := NewtonLogistic{}.FitLogistic(context.Background(), x, y, nil, 2, 0.01)
	require.NoError(t, err)
	wm, bm, err := ModelsLogistic{Epochs: 400, BatchSize: 40, LearningRate: 0.1}.FitLogistic(context.Background(), x, y, nil, 2, 0.01)
	require.NoError(t, err)
	// models also decays the bias, so allow a small gap there
	assert.InDeltaSlice(t, wn, wm, 0.02)
	assert.InDelta(t, bn, bm, 0.05)

	_, _, err = ModelsLogistic{}.FitLogistic(context.Background(), x, y, make([]float64, len(y)), 2, 0)
	assert.Error(t, err, "all-zero weights leave no data")
	frac := make([]float64, len(y))
	for i := range frac {
		frac[i] = 1.5
	}
	_, _, err = ModelsLogistic{}.FitLogistic(context.Background(), x, y, frac, 2, 0)
	assert.ErrorIs(t, err, ErrInvalidOption)
}
