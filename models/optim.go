package models

import (
	"fmt"
	"math"
)

// Optimizer names accepted in OptimizerConfig.Name.
const (
	OptimizerSGD  = "sgd"
	OptimizerAdam = "adam"
)

// OptimizerConfig configures the weight update. Zero values mean the
// defaults stated per field.
type OptimizerConfig struct {
	// Name is OptimizerSGD or OptimizerAdam; empty means OptimizerAdam.
	Name string
	// LearningRate is the step size (> 0); 0 means 0.001 for adam and 0.01
	// for sgd.
	LearningRate float64
	// Momentum is the SGD momentum in [0, 1); 0 means plain SGD. Rejected
	// for adam.
	Momentum float64
	// Beta1 and Beta2 are Adam's moment decay rates in (0, 1); 0 means 0.9
	// and 0.999. Rejected for sgd.
	Beta1, Beta2 float64
	// Epsilon is Adam's denominator term (> 0); 0 means 1e-8.
	Epsilon float64
	// WeightDecay (>= 0) shrinks every weight, biases included. For sgd it
	// is an L2 penalty added to the gradient, g += WeightDecay·w; for adam
	// it is decoupled (AdamW): w -= LearningRate·WeightDecay·w.
	WeightDecay float64
	// ClipNorm (>= 0), when positive, rescales the gradient so that its
	// global L2 norm over all weights is at most ClipNorm.
	ClipNorm float64
}

// resolved returns c with defaults filled in, or a *ConfigError.
func (c OptimizerConfig) resolved() (OptimizerConfig, error) {
	bad := func(field, format string, a ...any) error {
		return &ConfigError{Field: "Optimizer." + field, Msg: fmt.Sprintf(format, a...)}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	if c.Name == "" {
		c.Name = OptimizerAdam
	}
	switch c.Name {
	case OptimizerAdam:
		if c.LearningRate == 0 {
			c.LearningRate = 0.001
		}
		if c.Momentum != 0 {
			return c, bad("Momentum", "%g given to adam (use Beta1)", c.Momentum)
		}
		if c.Beta1 == 0 {
			c.Beta1 = 0.9
		}
		if c.Beta2 == 0 {
			c.Beta2 = 0.999
		}
		if c.Epsilon == 0 {
			c.Epsilon = 1e-8
		}
		if !(c.Beta1 > 0 && c.Beta1 < 1) {
			return c, bad("Beta1", "%g not in (0, 1)", c.Beta1)
		}
		if !(c.Beta2 > 0 && c.Beta2 < 1) {
			return c, bad("Beta2", "%g not in (0, 1)", c.Beta2)
		}
		if !(c.Epsilon > 0) || !finite(c.Epsilon) {
			return c, bad("Epsilon", "%g is not positive", c.Epsilon)
		}
	case OptimizerSGD:
		if c.LearningRate == 0 {
			c.LearningRate = 0.01
		}
		if c.Beta1 != 0 || c.Beta2 != 0 || c.Epsilon != 0 {
			return c, bad("Beta1", "Beta1/Beta2/Epsilon given to sgd")
		}
		if !(c.Momentum >= 0 && c.Momentum < 1) {
			return c, bad("Momentum", "%g not in [0, 1)", c.Momentum)
		}
	default:
		return c, bad("Name", "unknown optimizer %q (want %q or %q)", c.Name, OptimizerSGD, OptimizerAdam)
	}
	if !(c.LearningRate > 0) || !finite(c.LearningRate) {
		return c, bad("LearningRate", "%g is not positive", c.LearningRate)
	}
	if !(c.WeightDecay >= 0) || !finite(c.WeightDecay) {
		return c, bad("WeightDecay", "%g is negative", c.WeightDecay)
	}
	if !(c.ClipNorm >= 0) || !finite(c.ClipNorm) {
		return c, bad("ClipNorm", "%g is negative", c.ClipNorm)
	}
	return c, nil
}

// optimizer holds the per-weight state of one Fit call.
type optimizer struct {
	cfg  OptimizerConfig
	skip []bool      // parameters left alone (buffers)
	t    int         // steps taken
	m, v [][]float32 // momentum / first and second moments
}

func newOptimizer(cfg OptimizerConfig, params [][]float32) *optimizer {
	o := &optimizer{cfg: cfg, m: make([][]float32, len(params))}
	if cfg.Name == OptimizerAdam {
		o.v = make([][]float32, len(params))
	}
	for i, p := range params {
		o.m[i] = make([]float32, len(p))
		if o.v != nil {
			o.v[i] = make([]float32, len(p))
		}
	}
	return o
}

// clip rescales grads in place so that their global L2 norm is at most
// maxNorm (no-op when maxNorm is 0). It returns the norm before clipping.
func clip(grads [][]float32, maxNorm float64) float64 {
	var ss float64
	for _, g := range grads {
		for _, v := range g {
			ss += float64(v) * float64(v)
		}
	}
	norm := math.Sqrt(ss)
	if maxNorm > 0 && norm > maxNorm {
		s := float32(maxNorm / norm)
		for _, g := range grads {
			for i := range g {
				g[i] *= s
			}
		}
	}
	return norm
}

// step applies one update of params from grads (same layout).
func (o *optimizer) step(params, grads [][]float32) {
	c := o.cfg
	o.t++
	lr := float32(c.LearningRate)
	wd := float32(c.WeightDecay)
	switch c.Name {
	case OptimizerSGD:
		mu := float32(c.Momentum)
		for i, w := range params {
			if o.skip != nil && o.skip[i] {
				continue
			}
			g, m := grads[i], o.m[i]
			for k := range w {
				gk := g[k] + wd*w[k]
				m[k] = mu*m[k] + gk
				w[k] -= lr * m[k]
			}
		}
	case OptimizerAdam:
		// Kingma & Ba (2015), Algorithm 1, with bias-corrected step size;
		// decoupled weight decay per Loshchilov & Hutter (2019).
		b1, b2 := float32(c.Beta1), float32(c.Beta2)
		c1 := 1 - math.Pow(c.Beta1, float64(o.t))
		c2 := 1 - math.Pow(c.Beta2, float64(o.t))
		alpha := float32(c.LearningRate * math.Sqrt(c2) / c1)
		eps := float32(c.Epsilon * math.Sqrt(c2))
		for i, w := range params {
			if o.skip != nil && o.skip[i] {
				continue
			}
			g, m, v := grads[i], o.m[i], o.v[i]
			for k := range w {
				gk := g[k]
				m[k] = b1*m[k] + (1-b1)*gk
				v[k] = b2*v[k] + (1-b2)*gk*gk
				w[k] -= alpha*m[k]/(sqrt32(v[k])+eps) + lr*wd*w[k]
			}
		}
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
