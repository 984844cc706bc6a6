package models

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Activations of an rnn layer (LayerSpec.Activation).
const (
	ActTanh = "tanh"
	ActReLU = "relu"
)

// Parameter order of rnn, lstm and alstm layers within layerPlan.params.
// The input kernel W is [features, gates×units], the recurrent kernel U
// is [units, gates×units] and the bias B is [gates×units], with the
// LSTM's gates in the order input, forget, cell, output. An alstm layer
// adds its attention weights: Wa [units, units], Ba [units], Va [units].
const (
	recW = iota
	recU
	recB
	recWa
	recBa
	recVa
)

// recName returns the file name suffix of recurrent parameter k.
func recName(k int) string { return [...]string{"w", "u", "b", "w_a", "b_a", "v_a"}[k] }

// isRecurrent reports whether a layer type consumes [steps, features]
// and keeps a state across steps.
func isRecurrent(typ string) bool {
	switch typ {
	case LayerGRU, LayerRNN, LayerLSTM, LayerALSTM:
		return true
	}
	return false
}

// isFused reports whether a layer type runs as one fused sequence op.
func isFused(typ string) bool { return isRecurrent(typ) }

// gateCount is the number of gate blocks of a fused layer's kernels.
func gateCount(typ string) int {
	if typ == LayerRNN {
		return 1
	}
	return 4
}

// planRecurrent validates an rnn, lstm or alstm layer over input cur,
// registers its parameters and returns its output shape.
func planRecurrent(ls LayerSpec, cur shape, addParam func(kind, name string, buffer bool, shp ...int)) (shape, error) {
	if !cur.isSeq() {
		return nil, fmt.Errorf("input shape %v is not [steps, features]", []int(cur))
	}
	if ls.Units <= 0 || ls.Units > maxUnits {
		return nil, fmt.Errorf("units %d not in [1, %d]", ls.Units, maxUnits)
	}
	switch {
	case ls.Type == LayerRNN && ls.Activation != "" && ls.Activation != ActTanh && ls.Activation != ActReLU:
		return nil, fmt.Errorf("activation %q is neither %q nor %q", ls.Activation, ActTanh, ActReLU)
	case ls.Type == LayerALSTM && ls.ReturnSequences:
		return nil, fmt.Errorf("return_sequences given to alstm, which pools the steps")
	}
	f, h, g := cur[1], ls.Units, gateCount(ls.Type)
	addParam(ls.Type, recName(recW), false, f, g*h)
	addParam(ls.Type, recName(recU), false, h, g*h)
	addParam(ls.Type, recName(recB), false, g*h)
	switch {
	case ls.Type == LayerALSTM:
		addParam(ls.Type, recName(recWa), false, h, h)
		addParam(ls.Type, recName(recBa), false, h)
		addParam(ls.Type, recName(recVa), false, h)
		return shape{2 * h}, nil
	case ls.ReturnSequences:
		return shape{cur[0], h}, nil
	default:
		return shape{h}, nil
	}
}

// initRecurrent fills the weights of an rnn, lstm or alstm layer:
// Glorot-uniform input kernels (per gate block), orthogonal recurrent
// blocks, zero biases except the LSTM forget gate's, which starts at 1,
// and Glorot-uniform attention weights.
func (m *Model) initRecurrent(l layerPlan, rng *rand.Rand) {
	f, h, g := l.in[1], l.spec.Units, gateCount(l.spec.Type)
	uniform := func(dst []float32, limit float64) {
		for i := range dst {
			dst[i] = float32((2*rng.Float64() - 1) * limit)
		}
	}
	uniform(m.params[l.params[recW]], math.Sqrt(6/float64(f+h)))
	u := m.params[l.params[recU]]
	block := make([]float32, h*h)
	for k := 0; k < g; k++ {
		orthogonal(block, h, rng)
		for i := 0; i < h; i++ {
			copy(u[i*g*h+k*h:i*g*h+(k+1)*h], block[i*h:(i+1)*h])
		}
	}
	if g == 4 {
		b := m.params[l.params[recB]]
		for j := h; j < 2*h; j++ {
			b[j] = 1
		}
	}
	if l.spec.Type == LayerALSTM {
		uniform(m.params[l.params[recWa]], math.Sqrt(6/float64(2*h)))
		uniform(m.params[l.params[recVa]], math.Sqrt(6/float64(h+1)))
	}
}

// recScratch is the Predictor scratch a fused layer needs: gates, state,
// cell, and for alstm every step's state and score; for gru the state,
// the three gates and h·Un + bhn.
func recScratch(l layerPlan) int {
	if !isFused(l.spec.Type) {
		return 0
	}
	if l.spec.Type == LayerGRU {
		return 5 * l.spec.Units
	}
	steps, h, g := l.in[0], l.spec.Units, gateCount(l.spec.Type)
	return g*h + 3*h + steps*h + steps
}

// recForward runs an rnn, lstm or alstm layer over one sample x
// ([steps, features]) into dst, using the first n steps only (0 < n <=
// steps; padded steps keep the state and output zeros). s is scratch of
// at least recScratch(l).
func recForward(dst, x []float32, l predLayer, n int, s []float32) {
	steps, f, hw := l.plan.in[0], l.plan.in[1], l.plan.spec.Units
	typ := l.plan.spec.Type
	g := gateCount(typ)
	gh := g * hw
	a, h, c, tmp := s[:gh], s[gh:gh+hw], s[gh+hw:gh+2*hw], s[gh+2*hw:gh+3*hw]
	all := s[gh+3*hw : gh+3*hw+steps*hw]
	relu := l.plan.spec.Activation == ActReLU
	seq := l.plan.spec.ReturnSequences
	clear(h)
	clear(c)
	if seq {
		clear(dst)
	}
	for t := 0; t < n; t++ {
		copy(a, l.w[recB])
		vecMat(a, x[t*f:(t+1)*f], l.w[recW])
		vecMat(a, h, l.w[recU])
		switch {
		case g == 1 && relu:
			for j, v := range a {
				h[j] = max(v, 0)
			}
		case g == 1:
			tanhVec(h, a)
		default: // gates i, f, g, o; the same float32 activations as training
			sigmoidVec(a[:2*hw], a[:2*hw])
			tanhVec(a[2*hw:3*hw], a[2*hw:3*hw])
			sigmoidVec(a[3*hw:], a[3*hw:])
			for j := range c {
				c[j] = a[hw+j]*c[j] + a[j]*a[2*hw+j]
			}
			tanhVec(tmp, c)
			for j := range h {
				h[j] = a[3*hw+j] * tmp[j]
			}
		}
		if seq {
			copy(dst[t*hw:(t+1)*hw], h)
		}
		copy(all[t*hw:(t+1)*hw], h)
	}
	if seq {
		return
	}
	copy(dst[:hw], h)
	if typ != LayerALSTM {
		return
	}

	// Attention pooling over the n valid steps.
	score := s[gh+3*hw+steps*hw : gh+3*hw+steps*hw+n]
	maxS := float32(math.Inf(-1))
	for t := 0; t < n; t++ {
		copy(tmp, l.w[recBa])
		vecMat(tmp, all[t*hw:(t+1)*hw], l.w[recWa])
		var sc float32
		for j, v := range tmp {
			sc += float32(math.Tanh(float64(v))) * l.w[recVa][j]
		}
		score[t] = sc
		maxS = max(maxS, sc)
	}
	var sum float32
	for t := range score {
		score[t] = float32(math.Exp(float64(score[t] - maxS)))
		sum += score[t]
	}
	pooled := dst[hw : 2*hw]
	clear(pooled)
	for t := 0; t < n; t++ {
		w := score[t] / sum
		for j, v := range all[t*hw : (t+1)*hw] {
			pooled[j] += w * v
		}
	}
}
