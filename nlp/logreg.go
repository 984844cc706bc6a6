package nlp

import (
	"context"
	"fmt"
	"math"
)

// LogRegConfig configures FitLogReg. The zero value is scikit-learn's
// default multinomial setting: C = 1, solved by L-BFGS to a tight
// tolerance.
type LogRegConfig struct {
	// C is the inverse L2 strength, as in scikit-learn: the solver
	// minimises Σ_i −ln p(y_i | x_i) + ‖W‖²/(2C) over the weights W and
	// the (unpenalised) intercepts. 0 means 1; negative is an error.
	C float64 `json:"c,omitempty"`
	// MaxIter caps the L-BFGS iterations; 0 means 1000. Reaching it is
	// not an error: FitInfo.Status says so.
	MaxIter int `json:"max_iter,omitempty"`
	// Tol stops the solver once the largest gradient component, divided
	// by the number of rows, falls below it; 0 means 1e-6.
	Tol float64 `json:"tol,omitempty"`
}

// LogReg is a multinomial logistic regression over float64 features:
// p(k | x) = softmax_k(Σ_j x_j W[j,k] + B[k]). It is immutable after
// fitting, safe for concurrent use, and encodes to JSON.
type LogReg struct {
	// Classes and Features are the dimensions.
	Classes  int `json:"classes"`
	Features int `json:"features"`
	// W holds the weights feature-major: W[j*Classes+k] for feature j
	// and class k.
	W []float64 `json:"w"`
	// B holds the intercept of each class.
	B []float64 `json:"b"`
}

// FitInfo reports how FitLogReg's solver ended.
type FitInfo struct {
	// Status says why the solver stopped: "GradientThreshold" (the
	// tolerance was met), "FunctionConvergence" (the objective stopped
	// decreasing), "IterationLimit" or "LinesearchStalled" (no step
	// decreased the objective further; the weights are the best found).
	Status string
	// Iterations and Evaluations count major iterations and objective
	// evaluations.
	Iterations, Evaluations int
	// Loss is the final objective (penalised negative log-likelihood, a
	// sum over rows); GradNorm its largest gradient component.
	Loss, GradNorm float64
}

// FitLogReg fits a multinomial logistic regression to the rows of x with
// class indices y in [0, classes) by full-batch L-BFGS from zero weights.
// The result is deterministic. It returns an error wrapping
// ErrInvalidArgument for bad arguments (y not matching x's rows, a class
// outside the range, classes < 2, C < 0), ctx's error when cancelled
// (checked every iteration), and one wrapping ErrNotConverged when the
// weights are not finite.
func FitLogReg(ctx context.Context, x *Sparse, y []int, classes int, cfg LogRegConfig) (*LogReg, *FitInfo, error) {
	const op = "FitLogReg"
	switch {
	case classes < 2:
		return nil, nil, argError(op, "classes", "%d < 2", classes)
	case len(y) != x.Rows:
		return nil, nil, argError(op, "y", "%d labels for %d rows", len(y), x.Rows)
	case x.Rows == 0:
		return nil, nil, argError(op, "x", "no rows")
	case cfg.C < 0 || math.IsNaN(cfg.C):
		return nil, nil, argError(op, "cfg.C", "%g is negative", cfg.C)
	}
	for i, c := range y {
		if c < 0 || c >= classes {
			return nil, nil, argError(op, "y", "row %d: class %d outside [0, %d)", i, c, classes)
		}
	}
	c := cfg.C
	if c == 0 {
		c = 1
	}
	maxIter := cfg.MaxIter
	if maxIter <= 0 {
		maxIter = 1000
	}
	tol := cfg.Tol
	if tol <= 0 {
		tol = 1e-6
	}

	obj := &logRegObjective{x: x, y: y, k: classes, invC: 1 / c}
	theta := make([]float64, x.Cols*classes+classes)
	res, err := lbfgs(ctx, obj.eval, theta, lbfgsSettings{
		memory:   10,
		maxIter:  maxIter,
		gradTol:  tol * float64(x.Rows),
		funcTol:  1e-12,
		funcIter: 10,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("nlp: %s: %w", op, err)
	}
	if !finite(theta) {
		return nil, nil, fmt.Errorf("nlp: %s: %w: non-finite weights after %d iterations", op, ErrNotConverged, res.iterations)
	}

	nw := x.Cols * classes
	m := &LogReg{Classes: classes, Features: x.Cols, W: theta[:nw:nw], B: theta[nw:]}
	g := make([]float64, len(theta))
	obj.eval(theta, g)
	info := &FitInfo{
		Status:      res.status,
		Iterations:  res.iterations,
		Evaluations: res.evaluations,
		Loss:        res.f,
		GradNorm:    maxAbs(g),
	}
	return m, info, nil
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// logRegObjective evaluates the penalised multinomial negative
// log-likelihood of a LogReg and its gradient.
type logRegObjective struct {
	x    *Sparse
	y    []int
	k    int
	invC float64
}

// eval returns the objective at theta = [W (features×classes) | B] and
// writes its gradient into g.
func (o *logRegObjective) eval(theta, g []float64) float64 {
	k, x := o.k, o.x
	nw := x.Cols * k
	w, b := theta[:nw], theta[nw:]
	gw, gb := g[:nw], g[nw:]

	var f float64
	for i, v := range w {
		f += 0.5 * o.invC * v * v
		gw[i] = o.invC * v
	}
	clear(gb)

	z := make([]float64, k)
	for i := range x.Rows {
		cols, vals := x.Row(i)
		copy(z, b)
		for t, j := range cols {
			wj := w[j*k : j*k+k]
			v := vals[t]
			for c := range z {
				z[c] += v * wj[c]
			}
		}
		lse := logSumExp(z)
		f += lse - z[o.y[i]]
		// z becomes the residual p - onehot(y).
		for c := range z {
			z[c] = math.Exp(z[c] - lse)
		}
		z[o.y[i]]--
		for c := range z {
			gb[c] += z[c]
		}
		for t, j := range cols {
			gj := gw[j*k : j*k+k]
			v := vals[t]
			for c := range z {
				gj[c] += v * z[c]
			}
		}
	}
	return f
}

// logSumExp returns ln Σ exp(z) without overflow.
func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// PredictProba returns the class probabilities of each row of x,
// row-major: out[i*Classes+k]. It panics if x has a different number of
// columns than the model has features.
func (m *LogReg) PredictProba(x *Sparse) []float64 {
	if x.Cols != m.Features {
		panic(fmt.Sprintf("nlp: LogReg.PredictProba: %d columns, model has %d features", x.Cols, m.Features))
	}
	k := m.Classes
	out := make([]float64, x.Rows*k)
	for i := range x.Rows {
		z := out[i*k : i*k+k]
		copy(z, m.B)
		cols, vals := x.Row(i)
		for t, j := range cols {
			wj := m.W[j*k : j*k+k]
			for c := range z {
				z[c] += vals[t] * wj[c]
			}
		}
		lse := logSumExp(z)
		for c := range z {
			z[c] = math.Exp(z[c] - lse)
		}
	}
	return out
}

// Predict returns the most probable class of each row of x (the lowest
// index on ties). It panics like PredictProba.
func (m *LogReg) Predict(x *Sparse) []int {
	p := m.PredictProba(x)
	return argmaxRows(p, m.Classes)
}

// argmaxRows returns the index of the largest value of each k-wide row.
func argmaxRows(p []float64, k int) []int {
	out := make([]int, len(p)/k)
	for i := range out {
		row := p[i*k : i*k+k]
		for c, v := range row {
			if v > row[out[i]] {
				out[i] = c
			}
		}
	}
	return out
}
