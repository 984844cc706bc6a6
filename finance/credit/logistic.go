package credit

import (
	"context"
	"fmt"
	"math"
)

// LogisticFitter fits a binary logistic regression. Scorecards take one so
// that the solver can be swapped (a float64 Newton solver here, a gorgonia
// model through package models in ModelsLogistic).
type LogisticFitter interface {
	// FitLogistic fits P(y = 1 | x) = σ(b + x·w) to the n×p row-major
	// matrix x (n = len(y)) and labels y (0 or 1), minimising the
	// weighted mean log loss plus l2/2·‖w‖² (the intercept b is not
	// penalised). weights, one per row, may be nil for all ones.
	FitLogistic(ctx context.Context, x []float64, y []int, weights []float64, p int, l2 float64) (w []float64, b float64, err error)
}

// NewtonLogistic is a LogisticFitter using Newton's method (iteratively
// reweighted least squares) in float64 with a Cholesky solve, for small p.
// The zero value is ready: MaxIter 0 means 50, Tol 0 means 1e-10 (on the
// largest absolute step).
type NewtonLogistic struct {
	MaxIter int
	Tol     float64
}

// FitLogistic implements LogisticFitter. It panics if len(x) != len(y)·p
// or weights is non-nil with len(weights) != len(y). It returns an error
// when the Hessian is singular (add l2) or Newton does not converge.
func (nl NewtonLogistic) FitLogistic(ctx context.Context, x []float64, y []int, weights []float64, p int, l2 float64) ([]float64, float64, error) {
	n := len(y)
	if len(x) != n*p || (weights != nil && len(weights) != n) {
		panic(fmt.Sprintf("credit: FitLogistic: %d values for %d rows × %d columns, %d weights", len(x), n, p, len(weights)))
	}
	maxIter, tol := nl.MaxIter, nl.Tol
	if maxIter == 0 {
		maxIter = 50
	}
	if tol == 0 {
		tol = 1e-10
	}
	var wsum float64
	for i := range n {
		wsum += weight(weights, i)
	}
	if !(wsum > 0) {
		return nil, 0, optionError("logistic: weights sum to %v", wsum)
	}
	q := p + 1 // parameters: w[0..p-1], b at index p
	beta := make([]float64, q)
	grad := make([]float64, q)
	hess := make([]float64, q*q)
	xi := make([]float64, q)
	for it := 0; it < maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		clear(grad)
		clear(hess)
		for i := range n {
			copy(xi, x[i*p:(i+1)*p])
			xi[p] = 1
			z := 0.0
			for j := range q {
				z += beta[j] * xi[j]
			}
			mu := sigmoid(z)
			wi := weight(weights, i) / wsum
			r := wi * (mu - float64(y[i]))
			h := wi * mu * (1 - mu)
			for j := range q {
				grad[j] += r * xi[j]
				hj := h * xi[j]
				row := hess[j*q:]
				for k := 0; k <= j; k++ {
					row[k] += hj * xi[k]
				}
			}
		}
		for j := range p {
			grad[j] += l2 * beta[j]
			hess[j*q+j] += l2
		}
		for j := range q {
			for k := j + 1; k < q; k++ {
				hess[j*q+k] = hess[k*q+j]
			}
		}
		step, ok := choleskySolve(hess, grad, q)
		if !ok {
			return nil, 0, fmt.Errorf("credit: logistic: singular Hessian at iteration %d (add L2 or drop constant columns): %w", it, ErrInvalidOption)
		}
		maxStep := 0.0
		for j := range q {
			beta[j] -= step[j]
			maxStep = math.Max(maxStep, math.Abs(step[j]))
		}
		if maxStep < tol {
			return beta[:p:p], beta[p], nil
		}
	}
	return nil, 0, fmt.Errorf("credit: logistic: no convergence in %d Newton steps", maxIter)
}

func weight(w []float64, i int) float64 {
	if w == nil {
		return 1
	}
	return w[i]
}

// sigmoid returns 1/(1+e^−z) without overflow.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// choleskySolve solves A·s = g for symmetric positive-definite A (q×q,
// row-major, overwritten by its factor). ok is false when A is not
// positive definite.
func choleskySolve(a, g []float64, q int) (s []float64, ok bool) {
	for j := range q {
		d := a[j*q+j]
		for k := range j {
			d -= a[j*q+k] * a[j*q+k]
		}
		if !(d > 1e-300) {
			return nil, false
		}
		d = math.Sqrt(d)
		a[j*q+j] = d
		for i := j + 1; i < q; i++ {
			v := a[i*q+j]
			for k := range j {
				v -= a[i*q+k] * a[j*q+k]
			}
			a[i*q+j] = v / d
		}
	}
	s = make([]float64, q)
	for i := range q { // L·u = g
		v := g[i]
		for k := range i {
			v -= a[i*q+k] * s[k]
		}
		s[i] = v / a[i*q+i]
	}
	for i := q - 1; i >= 0; i-- { // Lᵀ·s = u
		v := s[i]
		for k := i + 1; k < q; k++ {
			v -= a[k*q+i] * s[k]
		}
		s[i] = v / a[i*q+i]
	}
	return s, true
}
