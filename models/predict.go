package models

import (
	"fmt"
	"math"
	"sync"
)

// maxEvalBatch is the largest evaluation graph Predict builds; evaluation
// graphs come in power-of-two sizes from minGraphBatch up to it.
const maxEvalBatch = 256

// fillX writes n sample rows into the graph's input tensors and zeroes
// the padding rows; row(i) returns sample i (len in).
func fillX(gr *graph, in, n int, row func(i int) []float32) {
	if gr.steps == 0 {
		x := gr.x[0].Data().([]float32)
		for i := 0; i < gr.batch; i++ {
			dst := x[i*in : (i+1)*in]
			if i < n {
				copy(dst, row(i))
			} else {
				clear(dst)
			}
		}
		return
	}
	f := in / gr.steps
	for i := 0; i < gr.batch; i++ {
		var src []float32
		if i < n {
			src = row(i)
		}
		for t, xt := range gr.x {
			dst := xt.Data().([]float32)[i*f : (i+1)*f]
			if src != nil {
				copy(dst, src[t*f:(t+1)*f])
			} else {
				clear(dst)
			}
		}
	}
}

// Predict runs the network in evaluation mode (dropout off) on n samples
// x (n×Inputs() values, as in Dataset.X) through the gorgonia graph and
// returns n×Outputs() values. n = 0 gives an empty slice. A length
// mismatch gives an error wrapping ErrDataShape.
func (m *Model) Predict(x []float32, n int) ([]float32, error) {
	return m.predict(x, nil, n)
}

// predict is Predict with optional per-sample lengths (already checked).
func (m *Model) predict(x []float32, lengths []int, n int) ([]float32, error) {
	in, o := m.Inputs(), m.Outputs()
	if n < 0 || len(x) != n*in {
		return nil, fmt.Errorf("models: predict: x has %d values, want n×inputs = %d×%d: %w", len(x), n, in, ErrDataShape)
	}
	out := make([]float32, n*o)
	if n == 0 {
		return out, nil
	}
	batch := minGraphBatch
	for batch < n && batch < maxEvalBatch {
		batch *= 2
	}
	gr, err := m.graphFor(graphKey{batch: batch})
	if err != nil {
		return nil, err
	}
	for start := 0; start < n; start += batch {
		rows := min(batch, n-start)
		fillX(gr, in, rows, func(i int) []float32 { return x[(start+i)*in : (start+i+1)*in] })
		if lengths != nil {
			idx := make([]int, rows)
			for i := range idx {
				idx[i] = start + i
			}
			setLens(gr, lengths, idx, m.layers[0].in[0])
		} else {
			setLens(gr, nil, nil, 0)
		}
		if err := gr.run(); err != nil {
			return nil, err
		}
		copy(out[start*o:(start+rows)*o], gr.outVal.Data().([]float32))
	}
	return out, nil
}

// Predictor is a plain-Go forward pass (evaluation mode) over a snapshot
// of a model's weights. It needs no graph or VM, keeps its scratch buffers
// in a pool, and is safe for concurrent use.
type Predictor struct {
	layers  []predLayer
	in, out int
	maxAct  int // largest per-sample activation
	maxGRU  int // largest GRU width
	maxRec  int // largest fused recurrent layer scratch
	pool    sync.Pool
}

type predLayer struct {
	plan  layerPlan
	w     [][]float32 // the layer's weights, in layerPlan.params order
	alpha float32     // leaky_relu slope
}

type predScratch struct {
	a, b []float32 // ping-pong activations
	g    []float32 // GRU gates: 5 × width
	r    []float32 // fused recurrent layers' scratch
}

// Predictor returns a Predictor over a copy of the current weights; later
// training does not affect it.
func (m *Model) Predictor() *Predictor { return m.predictor(true) }

// predictor builds a Predictor, sharing m's weights when copyWeights is
// false (for use inside Fit, on one goroutine).
func (m *Model) predictor(copyWeights bool) *Predictor {
	p := &Predictor{in: m.Inputs(), out: m.Outputs(), maxAct: m.Inputs()}
	for _, l := range m.layers {
		pl := predLayer{plan: l, alpha: float32(leakyAlpha(l.spec))}
		for _, pi := range l.params {
			w := m.params[pi]
			if copyWeights {
				w = append([]float32(nil), w...)
			}
			pl.w = append(pl.w, w)
		}
		p.layers = append(p.layers, pl)
		p.maxAct = max(p.maxAct, l.out.size())
		if l.spec.Type == LayerGRU {
			p.maxGRU = max(p.maxGRU, l.spec.Units)
		}
		p.maxRec = max(p.maxRec, recScratch(l))
	}
	p.pool.New = func() any {
		return &predScratch{
			a: make([]float32, p.maxAct),
			b: make([]float32, p.maxAct),
			g: make([]float32, 5*p.maxGRU),
			r: make([]float32, p.maxRec),
		}
	}
	return p
}

// Inputs returns the number of input values per sample.
func (p *Predictor) Inputs() int { return p.in }

// Outputs returns the number of output values per sample.
func (p *Predictor) Outputs() int { return p.out }

// Predict computes the outputs of the samples in x (a whole number of
// rows of Inputs() values, as in Dataset.X) and returns them in dst,
// reusing dst's storage when its capacity suffices. Empty x gives dst[:0].
// A partial row gives an error wrapping ErrDataShape.
func (p *Predictor) Predict(dst, x []float32) ([]float32, error) {
	if len(x)%p.in != 0 {
		return dst, fmt.Errorf("models: predictor: x has %d values, not a multiple of %d inputs: %w", len(x), p.in, ErrDataShape)
	}
	return p.predict(dst, x, nil)
}

// predict runs the samples of x (a whole number of rows) with optional
// per-sample lengths (already checked).
func (p *Predictor) predict(dst, x []float32, lengths []int) ([]float32, error) {
	n := len(x) / p.in
	if cap(dst) >= n*p.out {
		dst = dst[:n*p.out]
	} else {
		dst = make([]float32, n*p.out)
	}
	s := p.pool.Get().(*predScratch)
	for i := 0; i < n; i++ {
		steps := 0
		if lengths != nil {
			steps = lengths[i]
		}
		p.forward(dst[i*p.out:(i+1)*p.out], x[i*p.in:(i+1)*p.in], steps, s)
	}
	p.pool.Put(s)
	return dst, nil
}

// forward runs one sample x into dst; steps > 0 is its valid length for
// the fused recurrent layers (0: all steps).
func (p *Predictor) forward(dst, x []float32, steps int, s *predScratch) {
	cur := s.a[:len(x)]
	copy(cur, x)
	next := s.b
	for _, l := range p.layers {
		switch l.plan.spec.Type {
		case LayerDense:
			o := next[:l.plan.spec.Units]
			copy(o, l.w[1])
			vecMat(o, cur, l.w[0])
			cur, next = o, cur[:cap(cur)]
		case LayerReLU:
			for i, v := range cur {
				cur[i] = max(v, 0)
			}
		case LayerLeakyReLU:
			for i, v := range cur {
				if v < 0 {
					cur[i] = v * l.alpha
				}
			}
		case LayerTanh:
			for i, v := range cur {
				cur[i] = float32(math.Tanh(float64(v)))
			}
		case LayerSigmoid:
			for i, v := range cur {
				cur[i] = sigmoid32(v)
			}
		case LayerDropout:
			// identity in evaluation mode
		case LayerGRU:
			o := next[:l.plan.out.size()]
			gruForward(o, cur, l, s.g)
			cur, next = o, cur[:cap(cur)]
		case LayerRNN, LayerLSTM, LayerALSTM:
			o := next[:l.plan.out.size()]
			n := l.plan.in[0]
			if steps > 0 {
				n = steps
			}
			recForward(o, cur, l, n, s.r)
			cur, next = o, cur[:cap(cur)]
		}
	}
	copy(dst, cur)
}

// vecMat adds x·W to dst, where W is len(x)×len(dst), row-major.
func vecMat(dst, x, w []float32) {
	n := len(dst)
	for i, xv := range x {
		if xv == 0 {
			continue
		}
		row := w[i*n : (i+1)*n]
		for j, wv := range row {
			dst[j] += xv * wv
		}
	}
}

func sigmoid32(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// gruForward runs a GRU layer over one sample x ([steps, features]) into
// dst ([units] or [steps, units]); g is scratch of at least 5×units.
func gruForward(dst, x []float32, l predLayer, g []float32) {
	steps, f, hw := l.plan.in[0], l.plan.in[1], l.plan.spec.Units
	w := l.w
	h, z, r, n, hn := g[0:hw], g[hw:2*hw], g[2*hw:3*hw], g[3*hw:4*hw], g[4*hw:5*hw]
	clear(h)
	for t := 0; t < steps; t++ {
		xt := x[t*f : (t+1)*f]
		copy(z, w[gruBz])
		copy(r, w[gruBr])
		copy(n, w[gruBn])
		copy(hn, w[gruBhn])
		vecMat(z, xt, w[gruWz])
		vecMat(r, xt, w[gruWr])
		vecMat(n, xt, w[gruWn])
		if t > 0 {
			vecMat(z, h, w[gruUz])
			vecMat(r, h, w[gruUr])
			vecMat(hn, h, w[gruUn])
		}
		for j := range h {
			zj := sigmoid32(z[j])
			rj := sigmoid32(r[j])
			nj := float32(math.Tanh(float64(n[j] + rj*hn[j])))
			h[j] = nj + zj*(h[j]-nj)
		}
		if l.plan.spec.ReturnSequences {
			copy(dst[t*hw:(t+1)*hw], h)
		}
	}
	if !l.plan.spec.ReturnSequences {
		copy(dst, h)
	}
}
