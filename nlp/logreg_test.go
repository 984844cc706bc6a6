package nlp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// randomSparse returns a rows×cols matrix with about density non-zeros.
func randomSparse(rng *rand.Rand, rows, cols int, density float64) *Sparse {
	m := &Sparse{Rows: rows, Cols: cols, Indptr: []int{0}}
	for range rows {
		for j := range cols {
			if rng.Float64() < density {
				m.Indices = append(m.Indices, j)
				m.Values = append(m.Values, rng.NormFloat64())
			}
		}
		m.Indptr = append(m.Indptr, len(m.Indices))
	}
	return m
}

func TestLogRegGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := randomSparse(rng, 20, 7, 0.4)
	y := make([]int, x.Rows)
	for i := range y {
		y[i] = rng.IntN(3)
	}
	obj := &logRegObjective{x: x, y: y, k: 3, invC: 0.5}
	theta := make([]float64, x.Cols*3+3)
	for i := range theta {
		theta[i] = rng.NormFloat64()
	}
	g := make([]float64, len(theta))
	obj.eval(theta, g)
	scratch := make([]float64, len(theta))
	const h = 1e-6
	for i := range theta {
		old := theta[i]
		theta[i] = old + h
		fp := obj.eval(theta, scratch)
		theta[i] = old - h
		fm := obj.eval(theta, scratch)
		theta[i] = old
		assert.InDelta(t, (fp-fm)/(2*h), g[i], 1e-5, "parameter %d", i)
	}
}

func TestLBFGS(t *testing.T) {
	cases := []struct {
		name string
		fg   func(x, g []float64) float64
		x0   []float64
		want []float64
	}{
		{"rosenbrock", func(x, g []float64) float64 {
			a, b := 1-x[0], x[1]-x[0]*x[0]
			g[0] = -2*a - 400*x[0]*b
			g[1] = 200 * b
			return a*a + 100*b*b
		}, []float64{-1.2, 1}, []float64{1, 1}},
		{"ill-conditioned quadratic", func(x, g []float64) float64 {
			var f float64
			for i := range x {
				s := math.Pow(10, float64(i))
				d := x[i] - float64(i)
				f += 0.5 * s * d * d
				g[i] = s * d
			}
			return f
		}, []float64{5, 5, 5, 5}, []float64{0, 1, 2, 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := append([]float64(nil), tc.x0...)
			res, err := lbfgs(context.Background(), tc.fg, x, lbfgsSettings{memory: 5, maxIter: 500, gradTol: 1e-9, funcTol: 0, funcIter: 1})
			require.NoError(t, err)
			assert.Equal(t, "GradientThreshold", res.status)
			assert.InDeltaSlice(t, tc.want, x, 1e-6)
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := lbfgs(ctx, cases[0].fg, []float64{-1.2, 1}, lbfgsSettings{memory: 5, maxIter: 10})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestFitLogRegIntercepts(t *testing.T) {
	// One constant feature: the penalised weight goes to 0 and the free
	// intercepts alone reproduce the class frequencies 1/2, 1/4, 1/4.
	x := &Sparse{Rows: 4, Cols: 1, Indptr: []int{0, 1, 2, 3, 4}, Indices: []int{0, 0, 0, 0}, Values: []float64{1, 1, 1, 1}}
	y := []int{0, 0, 1, 2}
	m, info, err := FitLogReg(context.Background(), x, y, 3, LogRegConfig{Tol: 1e-10})
	require.NoError(t, err)
	assert.Equal(t, "GradientThreshold", info.Status)
	assert.InDeltaSlice(t, []float64{0, 0, 0}, m.W, 1e-8)
	assert.InDelta(t, math.Log(2), m.B[0]-m.B[1], 1e-8)
	assert.InDelta(t, 0, m.B[1]-m.B[2], 1e-8)
	p := m.PredictProba(x)
	assert.InDeltaSlice(t, []float64{0.5, 0.25, 0.25}, p[:3], 1e-8)
	assert.Equal(t, []int{0, 0, 0, 0}, m.Predict(x))
	// Loss = −Σ ln p(y) = −(2 ln ½ + 2 ln ¼).
	assert.InDelta(t, -(2*math.Log(0.5) + 2*math.Log(0.25)), info.Loss, 1e-8)
}

func TestFitLogRegSeparatesAndIsDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	x := randomSparse(rng, 60, 5, 1)
	y := make([]int, x.Rows)
	for i := range y {
		_, v := x.Row(i)
		if v[0]+v[1] > 0 {
			y[i] = 1
		}
	}
	m1, info, err := FitLogReg(context.Background(), x, y, 2, LogRegConfig{C: 100})
	require.NoError(t, err)
	assert.LessOrEqual(t, info.GradNorm, 1e-6*60)
	m2, _, err := FitLogReg(context.Background(), x, y, 2, LogRegConfig{C: 100})
	require.NoError(t, err)
	assert.Equal(t, m1, m2, "bit-for-bit deterministic")
	assert.Equal(t, y, m1.Predict(x), "separable data fits exactly")

	cases := []struct {
		name    string
		y       []int
		classes int
		cfg     LogRegConfig
	}{
		{"one class", y, 1, LogRegConfig{}},
		{"short labels", y[:3], 2, LogRegConfig{}},
		{"class out of range", append(append([]int(nil), y[:59]...), 2), 2, LogRegConfig{}},
		{"negative C", y, 2, LogRegConfig{C: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := FitLogReg(context.Background(), x, tc.y, tc.classes, tc.cfg)
			assert.ErrorIs(t, err, ErrInvalidArgument)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = FitLogReg(ctx, x, y, 2, LogRegConfig{})
	assert.ErrorIs(t, err, context.Canceled)
	assert.Panics(t, func() { m1.PredictProba(&Sparse{Rows: 0, Cols: 4, Indptr: []int{0}}) })
}
