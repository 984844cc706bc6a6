package models

import (
	"fmt"
	"math"
	"sync"
)

// maxEvalBatch is the largest evaluation graph Predict builds; evaluation
// graphs come in power-of-two sizes from minGraphBatch up to it.
const maxEvalBatch = 256

// maxEvalValues bounds the input values of one evaluation batch.
const maxEvalValues = 1 << 21

// fillX writes n sample rows into the graph's input tensors and zeroes
// the padding rows; row(i) returns sample i (len in).
func fillX(gr *graph, in, n int, row func(i int) []float32) {
	gr.rows = n
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
	if err := checkTokenIDs("predict", m.layers, x); err != nil {
		return nil, err
	}
	out := make([]float32, n*o)
	if n == 0 {
		return out, nil
	}
	// Large samples (big images) get smaller evaluation graphs.
	limit := max(minGraphBatch, min(maxEvalBatch, maxEvalValues/in))
	batch := minGraphBatch
	for batch < n && batch < limit {
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
	maxRec  int // largest fused recurrent layer scratch
	pool    sync.Pool
}

type predLayer struct {
	plan     layerPlan
	w        [][]float32 // the layer's weights, in layerPlan.params order
	alpha    float32     // leaky_relu slope
	eps      float64     // batch_norm epsilon
	branch   []predLayer // residual paths
	shortcut []predLayer
}

// predScratch is one goroutine's scratch: an arena for activations, the
// recurrent layers' state and gates, and the max-pooling indices.
type predScratch struct {
	ar  arena
	r   []float32 // fused recurrent layers' scratch
	arg []int32
}

// arena hands out float32 slices from one buffer, reset per sample. An
// allocation that does not fit is made on the heap and the buffer grows
// at the next reset, so that after the first sample nothing allocates.
type arena struct {
	buf  []float32
	off  int
	need int
}

func (a *arena) alloc(n int) []float32 {
	if a.off+n <= len(a.buf) {
		s := a.buf[a.off : a.off+n]
		a.off += n
		return s
	}
	a.need += n
	return make([]float32, n)
}

func (a *arena) reset() {
	if a.need > 0 {
		a.buf = make([]float32, len(a.buf)+a.need)
		a.need = 0
	}
	a.off = 0
}

// Predictor returns a Predictor over a copy of the current weights; later
// training does not affect it.
func (m *Model) Predictor() *Predictor { return m.predictor(true) }

// predictor builds a Predictor, sharing m's weights when copyWeights is
// false (for use inside Fit, on one goroutine).
func (m *Model) predictor(copyWeights bool) *Predictor {
	p := &Predictor{in: m.Inputs(), out: m.Outputs()}
	p.layers = m.predLayers(m.layers, copyWeights, p)
	p.pool.New = func() any {
		return &predScratch{r: make([]float32, p.maxRec)}
	}
	return p
}

func (m *Model) predLayers(layers []layerPlan, copyWeights bool, p *Predictor) []predLayer {
	var out []predLayer
	for _, l := range layers {
		pl := predLayer{plan: l, alpha: float32(leakyAlpha(l.spec)), eps: l.spec.Epsilon}
		if pl.eps == 0 {
			pl.eps = DefaultBNEpsilon
		}
		for _, pi := range l.params {
			w := m.params[pi]
			if copyWeights {
				w = append([]float32(nil), w...)
			}
			pl.w = append(pl.w, w)
		}
		pl.branch = m.predLayers(l.branch, copyWeights, p)
		pl.shortcut = m.predLayers(l.shortcut, copyWeights, p)
		out = append(out, pl)
		p.maxRec = max(p.maxRec, recScratch(l))
	}
	return out
}

// Inputs returns the number of input values per sample.
func (p *Predictor) Inputs() int { return p.in }

// Outputs returns the number of output values per sample.
func (p *Predictor) Outputs() int { return p.out }

// predictParallelRows is the number of rows from which Predict spreads
// the work over GOMAXPROCS goroutines.
const predictParallelRows = 64

// Predict computes the outputs of the samples in x (a whole number of
// rows of Inputs() values, as in Dataset.X) and returns them in dst,
// reusing dst's storage when its capacity suffices. Empty x gives dst[:0].
// A partial row gives an error wrapping ErrDataShape. From 64 rows on,
// the rows are split over GOMAXPROCS goroutines.
func (p *Predictor) Predict(dst, x []float32) ([]float32, error) {
	if len(x)%p.in != 0 {
		return dst, fmt.Errorf("models: predictor: x has %d values, not a multiple of %d inputs: %w", len(x), p.in, ErrDataShape)
	}
	return p.predict(dst, x, nil)
}

// predict runs the samples of x (a whole number of rows) with optional
// per-sample lengths (already checked).
func (p *Predictor) predict(dst, x []float32, lengths []int) ([]float32, error) {
	if len(p.layers) > 0 && p.layers[0].plan.spec.Type == LayerEmbedding {
		if err := checkTokenIDs("predictor", []layerPlan{p.layers[0].plan}, x); err != nil {
			return dst, err
		}
	}
	n := len(x) / p.in
	if cap(dst) >= n*p.out {
		dst = dst[:n*p.out]
	} else {
		dst = make([]float32, n*p.out)
	}
	if n < predictParallelRows {
		p.rows(dst, x, lengths, 0, n) // no closure: single rows must not allocate
	} else {
		parFor(n, func(_, lo, hi int) { p.rows(dst, x, lengths, lo, hi) })
	}
	return dst, nil
}

// rows runs samples [lo, hi) of x into dst on one goroutine.
func (p *Predictor) rows(dst, x []float32, lengths []int, lo, hi int) {
	s := p.pool.Get().(*predScratch)
	for i := lo; i < hi; i++ {
		steps := 0
		if lengths != nil {
			steps = lengths[i]
		}
		p.forward(dst[i*p.out:(i+1)*p.out], x[i*p.in:(i+1)*p.in], steps, s)
	}
	p.pool.Put(s)
}

// forward runs one sample x into dst; steps > 0 is its valid length for
// the fused recurrent layers (0: all steps).
func (p *Predictor) forward(dst, x []float32, steps int, s *predScratch) {
	s.ar.reset()
	cur := s.ar.alloc(len(x))
	copy(cur, x)
	copy(dst, p.run(p.layers, cur, steps, s))
}

// run applies layers to cur (which it may overwrite) and returns the
// output, allocated from s's arena.
func (p *Predictor) run(layers []predLayer, cur []float32, steps int, s *predScratch) []float32 {
	for _, l := range layers {
		switch l.plan.spec.Type {
		case LayerDense:
			o := s.ar.alloc(l.plan.spec.Units)
			copy(o, l.w[1])
			vecMat(o, cur, l.w[0])
			cur = o
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
		case LayerDropout, LayerFlatten:
			// identity in evaluation mode; flatten keeps the layout
		case LayerGRU, LayerRNN, LayerLSTM, LayerALSTM:
			o := s.ar.alloc(l.plan.out.size())
			n := l.plan.in[0]
			if steps > 0 {
				n = steps
			}
			if l.plan.spec.Type == LayerGRU {
				gruForward(o, cur, l, n, s.r)
			} else {
				recForward(o, cur, l, n, s.r)
			}
			cur = o
		case LayerEmbedding, LayerConv1D, LayerGlobalMaxPool1D, LayerGlobalAvgPool1D:
			cur = p.textForward(l, cur, steps, s)
		case LayerConv2D:
			g := l.plan.conv
			o := s.ar.alloc(g.outSize())
			var cols, bias []float32
			if !g.direct() {
				cols = s.ar.alloc(g.k() * g.ohw())
			}
			if len(l.w) > 1 {
				bias = l.w[1]
			}
			convForward(o, cur, l.w[0], bias, cols, g)
			cur = o
		case LayerMaxPool2D:
			g := l.plan.conv
			o := s.ar.alloc(g.outSize())
			if len(s.arg) < g.outSize() {
				s.arg = make([]int32, g.outSize())
			}
			maxPoolForward(o, cur, s.arg[:g.outSize()], g)
			cur = o
		case LayerAvgPool2D, LayerGlobalAvgPool:
			g := l.plan.conv
			o := s.ar.alloc(g.outSize())
			avgPoolForward(o, cur, g)
			cur = o
		case LayerBatchNorm:
			c := l.plan.in[0]
			bnEval(cur, cur, l.w[0], l.w[1], l.w[2], l.w[3], c, len(cur)/c, l.eps)
		case LayerResidual:
			in := s.ar.alloc(len(cur))
			copy(in, cur)
			br := p.run(l.branch, in, steps, s)
			sc := cur
			if len(l.shortcut) > 0 {
				sc = p.run(l.shortcut, cur, steps, s)
			}
			for i, v := range sc {
				br[i] += v
			}
			cur = br
		}
	}
	return cur
}

// vecMat adds x·W to dst, where W is len(x)×len(dst), row-major. With
// AVX2 the columns run in blocks of 32 and 8 through the assembly
// kernels, the rest in Go.
func vecMat(dst, x, w []float32) {
	n, k := len(dst), len(x)
	if k == 0 || n == 0 {
		return
	}
	_ = w[k*n-1]
	j := 0
	if hasFMAKernel() {
		for ; j+32 <= n; j += 32 {
			sgemv32(k, &x[0], &w[j], n, &dst[j])
		}
		for ; j+8 <= n; j += 8 {
			sgemv8(k, &x[0], &w[j], n, &dst[j])
		}
		if j == n {
			return
		}
	}
	for i, xv := range x {
		if xv == 0 {
			continue
		}
		row := w[i*n+j : (i+1)*n]
		for c, wv := range row {
			dst[j+c] += xv * wv
		}
	}
}

func sigmoid32(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// gruForward runs a GRU layer over one sample x ([steps, features]) into
// dst ([units] or [steps, units]), using the first n steps only (0 < n <=
// steps; padded steps keep the state and output zeros); g is scratch of
// at least 5×units.
func gruForward(dst, x []float32, l predLayer, n int, g []float32) {
	f, hw := l.plan.in[1], l.plan.spec.Units
	w := l.w
	seq := l.plan.spec.ReturnSequences
	h, z, r, c, hn := g[0:hw], g[hw:2*hw], g[2*hw:3*hw], g[3*hw:4*hw], g[4*hw:5*hw]
	clear(h)
	if seq {
		clear(dst)
	}
	for t := 0; t < n; t++ {
		xt := x[t*f : (t+1)*f]
		copy(z, w[gruBz])
		copy(r, w[gruBr])
		copy(c, w[gruBn])
		copy(hn, w[gruBhn])
		vecMat(z, xt, w[gruWz])
		vecMat(r, xt, w[gruWr])
		vecMat(c, xt, w[gruWn])
		if t > 0 {
			vecMat(z, h, w[gruUz])
			vecMat(r, h, w[gruUr])
			vecMat(hn, h, w[gruUn])
		}
		sigmoidVec(z, z)
		sigmoidVec(r, r)
		for j := range c {
			c[j] += r[j] * hn[j]
		}
		tanhVec(c, c)
		for j, nj := range c {
			h[j] = nj + z[j]*(h[j]-nj)
		}
		if seq {
			copy(dst[t*hw:(t+1)*hw], h)
		}
	}
	if !seq {
		copy(dst, h)
	}
}
