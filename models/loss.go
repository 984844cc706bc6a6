package models

import (
	"fmt"
	"math"
)

// Loss names accepted in TrainConfig.Loss.
const (
	// LossMSE is the mean squared error.
	LossMSE = "mse"
	// LossBCELogits is binary cross-entropy on logits (targets in [0, 1]).
	LossBCELogits = "bce_logits"
	// LossSoftmaxCE is softmax cross-entropy on logits.
	LossSoftmaxCE = "softmax_ce"
)

// targets describes how a Dataset's Y maps onto the model's outputs.
type targets struct {
	loss    string
	outputs int
	indices bool // softmax_ce with one class index per sample
}

// checkTargets validates y for n samples and the loss; what names the
// dataset in errors.
func checkTargets(what string, y []float32, n, outputs int, loss string) (targets, error) {
	t := targets{loss: loss, outputs: outputs}
	switch {
	case len(y) == n*outputs:
	case loss == LossSoftmaxCE && len(y) == n:
		t.indices = true
	default:
		return t, fmt.Errorf("models: %s: Y has %d values, want N×outputs = %d×%d: %w", what, len(y), n, outputs, ErrDataShape)
	}
	for i, v := range y {
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return t, fmt.Errorf("models: %s: Y[%d] is %g: %w", what, i, f, ErrDataShape)
		}
		if t.indices && (f != math.Trunc(f) || f < 0 || int(f) >= outputs) {
			return t, fmt.Errorf("models: %s: Y[%d] = %g is not a class index in [0, %d): %w", what, i, f, outputs, ErrDataShape)
		}
		// Cross-entropy targets are probabilities; anything else trains
		// towards a meaningless optimum without any visible failure.
		if (loss == LossBCELogits || loss == LossSoftmaxCE && !t.indices) && (f < 0 || f > 1) {
			return t, fmt.Errorf("models: %s: Y[%d] = %g is not a probability in [0, 1] for %s: %w", what, i, f, loss, ErrDataShape)
		}
	}
	return t, nil
}

// row writes sample i's target row into dst (len outputs).
func (t targets) row(dst, y []float32, i int) {
	if t.indices {
		clear(dst)
		dst[int(y[i])] = 1
		return
	}
	copy(dst, y[i*t.outputs:(i+1)*t.outputs])
}

// rowWeight is the loss weight of one real row in a batch of n real rows:
// the losses are means over samples (and, except softmax_ce, outputs).
func (t targets) rowWeight(n int) float32 {
	if t.loss == LossSoftmaxCE {
		return float32(1 / float64(n))
	}
	return float32(1 / float64(n*t.outputs))
}

// meanLoss computes the loss of predictions pred (n×outputs) against y in
// float64, the same quantity the training graph minimises.
func (t targets) meanLoss(pred, y []float32, n int) float64 {
	o := t.outputs
	row := make([]float32, o)
	var total float64
	for i := 0; i < n; i++ {
		t.row(row, y, i)
		p := pred[i*o : (i+1)*o]
		switch t.loss {
		case LossMSE:
			for k := range p {
				d := float64(p[k]) - float64(row[k])
				total += d * d
			}
		case LossBCELogits:
			for k := range p {
				z := float64(p[k])
				total += softplus(z) - z*float64(row[k])
			}
		case LossSoftmaxCE:
			maxZ := math.Inf(-1)
			for _, v := range p {
				maxZ = math.Max(maxZ, float64(v))
			}
			var s float64
			for _, v := range p {
				s += math.Exp(float64(v) - maxZ)
			}
			lse := maxZ + math.Log(s)
			for k := range p {
				total -= float64(row[k]) * (float64(p[k]) - lse)
			}
		}
	}
	if t.loss == LossSoftmaxCE {
		return total / float64(n)
	}
	return total / float64(n*o)
}

// softplus is log(1+e^z), stable for any z.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}
