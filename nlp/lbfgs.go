package nlp

import (
	"context"
	"math"
)

// lbfgsSettings controls lbfgs.
type lbfgsSettings struct {
	memory   int     // number of correction pairs kept
	maxIter  int     // major iterations
	gradTol  float64 // stop when the largest |gradient| component is below
	funcTol  float64 // stop when the relative decrease stays below this...
	funcIter int     // ...for this many consecutive iterations
}

// lbfgsResult reports how lbfgs ended.
type lbfgsResult struct {
	status      string // "GradientThreshold", "FunctionConvergence", "IterationLimit", "LinesearchStalled"
	iterations  int
	evaluations int
	f           float64
}

// lbfgs minimises a smooth function with the limited-memory BFGS method
// (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 7.4 and
// 7.5) and a weak-Wolfe bisection line search (Lewis & Overton, 2013), in
// place on x. fg returns f(x) and writes ∇f(x) into g. It is
// deterministic. It returns ctx's error when cancelled between
// iterations.
func lbfgs(ctx context.Context, fg func(x, g []float64) float64, x []float64, s lbfgsSettings) (lbfgsResult, error) {
	const (
		c1 = 1e-4 // sufficient decrease
		c2 = 0.9  // curvature
	)
	n := len(x)
	g := make([]float64, n)
	f := fg(x, g)
	res := lbfgsResult{evaluations: 1, f: f}

	sHist := make([][]float64, 0, s.memory)
	yHist := make([][]float64, 0, s.memory)
	rho := make([]float64, 0, s.memory)
	alpha := make([]float64, s.memory)
	d := make([]float64, n)
	xNew := make([]float64, n)
	gNew := make([]float64, n)
	small := 0

	for iter := 0; ; iter++ {
		if maxAbs(g) <= s.gradTol {
			res.status = "GradientThreshold"
			break
		}
		if iter >= s.maxIter {
			res.status = "IterationLimit"
			break
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.iterations = iter + 1

		// Two-loop recursion: d = -H g.
		for i := range d {
			d[i] = -g[i]
		}
		for i := len(sHist) - 1; i >= 0; i-- {
			alpha[i] = rho[i] * dot(sHist[i], d)
			axpy(-alpha[i], yHist[i], d)
		}
		if m := len(sHist); m > 0 {
			gamma := dot(sHist[m-1], yHist[m-1]) / dot(yHist[m-1], yHist[m-1])
			for i := range d {
				d[i] *= gamma
			}
		}
		for i := range sHist {
			beta := rho[i] * dot(yHist[i], d)
			axpy(alpha[i]-beta, sHist[i], d)
		}
		slope := dot(g, d)
		if !(slope < 0) { // not a descent direction: restart from steepest descent
			sHist, yHist, rho = sHist[:0], yHist[:0], rho[:0]
			for i := range d {
				d[i] = -g[i]
			}
			slope = dot(g, d)
		}

		// Weak-Wolfe bisection line search.
		step := 1.0
		if len(sHist) == 0 {
			step = math.Min(1, 1/math.Sqrt(-slope))
		}
		lo, hi := 0.0, math.Inf(1)
		var fNew float64
		ok := false
		for range 60 {
			for i := range xNew {
				xNew[i] = x[i] + step*d[i]
			}
			fNew = fg(xNew, gNew)
			res.evaluations++
			switch {
			case !(fNew <= f+c1*step*slope): // includes NaN
				hi = step
			case dot(gNew, d) < c2*slope:
				lo = step
			default:
				ok = true
			}
			if ok {
				break
			}
			if math.IsInf(hi, 1) {
				step *= 2
			} else {
				step = (lo + hi) / 2
			}
		}
		if !ok {
			res.status = "LinesearchStalled"
			break
		}

		// Store the correction pair and move.
		var sv, yv []float64
		if len(sHist) == s.memory {
			sv, yv = sHist[0], yHist[0]
			sHist, yHist, rho = append(sHist[:0], sHist[1:]...), append(yHist[:0], yHist[1:]...), append(rho[:0], rho[1:]...)
		} else {
			sv, yv = make([]float64, n), make([]float64, n)
		}
		for i := range sv {
			sv[i] = xNew[i] - x[i]
			yv[i] = gNew[i] - g[i]
		}
		if sy := dot(sv, yv); sy > 0 {
			sHist, yHist, rho = append(sHist, sv), append(yHist, yv), append(rho, 1/sy)
		}
		rel := (f - fNew) / math.Max(math.Max(math.Abs(f), math.Abs(fNew)), 1)
		copy(x, xNew)
		copy(g, gNew)
		f = fNew
		res.f = f
		if rel < s.funcTol {
			small++
			if small >= s.funcIter {
				res.status = "FunctionConvergence"
				break
			}
		} else {
			small = 0
		}
	}
	return res, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// axpy computes y += a*x.
func axpy(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}
