package models

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
)

// Text layers: token embedding, 1-D convolution over steps and the two
// global poolings over steps. See the package documentation.
const (
	LayerEmbedding       = "embedding"
	LayerConv1D          = "conv1d"
	LayerGlobalMaxPool1D = "global_max_pool1d"
	LayerGlobalAvgPool1D = "global_avg_pool1d"
)

// maxVocab bounds LayerSpec.Vocab.
const maxVocab = 1 << 22

// embedInit is the half-width of the uniform initialisation of embedding
// rows.
const embedInit = 0.1

// isTextLayer reports whether typ is one of the layers of this file.
func isTextLayer(typ string) bool {
	switch typ {
	case LayerEmbedding, LayerConv1D, LayerGlobalMaxPool1D, LayerGlobalAvgPool1D:
		return true
	}
	return false
}

// planText validates a text layer over input cur (first is whether it is
// the first top-level layer), registers its parameters and returns its
// output shape.
func planText(ls LayerSpec, cur shape, first bool, addParam func(kind, name string, buffer bool, shp ...int)) (shape, error) {
	switch ls.Type {
	case LayerEmbedding:
		if !first || len(cur) != 1 {
			return nil, fmt.Errorf("embedding must be the first layer, over an input [steps] of token ids, not %v", []int(cur))
		}
		if ls.Vocab < 2 || ls.Vocab > maxVocab {
			return nil, fmt.Errorf("vocab %d not in [2, %d]", ls.Vocab, maxVocab)
		}
		if ls.Units <= 0 || ls.Units > maxUnits {
			return nil, fmt.Errorf("units %d not in [1, %d]", ls.Units, maxUnits)
		}
		addParam("embedding", "w", false, ls.Vocab, ls.Units)
		return shape{cur[0], ls.Units}, nil
	case LayerConv1D:
		if !cur.isSeq() {
			return nil, fmt.Errorf("input shape %v is not [steps, features]", []int(cur))
		}
		if ls.Filters <= 0 || ls.Filters > maxUnits {
			return nil, fmt.Errorf("filters %d not in [1, %d]", ls.Filters, maxUnits)
		}
		if len(ls.Kernel) != 1 || ls.Kernel[0] < 1 || ls.Kernel[0]%2 == 0 {
			return nil, fmt.Errorf("kernel %v must be one odd width", ls.Kernel)
		}
		addParam("conv1d", "w", false, ls.Kernel[0], cur[1], ls.Filters)
		addParam("conv1d", "b", false, ls.Filters)
		return shape{cur[0], ls.Filters}, nil
	default: // the poolings
		if !cur.isSeq() {
			return nil, fmt.Errorf("input shape %v is not [steps, features]", []int(cur))
		}
		return shape{cur[1]}, nil
	}
}

// initText initialises the weights of a text layer.
func (m *Model) initText(l layerPlan, rng *rand.Rand, uniform func([]float32, float64)) {
	switch l.spec.Type {
	case LayerEmbedding:
		w := m.params[l.params[0]]
		uniform(w, embedInit)
		clear(w[:l.spec.Units]) // the padding row
	case LayerConv1D:
		uniform(m.params[l.params[0]], math.Sqrt(6/float64(l.spec.Kernel[0]*l.in[1])))
	}
}

// lengthSteps returns the number of steps that Dataset.Lengths refer to:
// the input's steps for a sequence input or a model that starts with an
// embedding, 0 when the model takes no lengths.
func lengthSteps(in shape, layers []layerPlan) int {
	if in.isSeq() || (len(layers) > 0 && layers[0].spec.Type == LayerEmbedding) {
		return in[0]
	}
	return 0
}

// tokenID converts a stored id to a row index; ids outside [0, vocab)
// or not integral give -1.
func tokenID[T float](v T, vocab int) int {
	id := int(v)
	if T(id) != v || id < 0 || id >= vocab {
		return -1
	}
	return id
}

// checkTokenIDs reports the first value of x (rows of in values) that is
// not a valid token id of an embedding-first model.
func checkTokenIDs(what string, layers []layerPlan, x []float32) error {
	if len(layers) == 0 || layers[0].spec.Type != LayerEmbedding {
		return nil
	}
	v := layers[0].spec.Vocab
	for i, x := range x {
		if tokenID(x, v) < 0 {
			return fmt.Errorf("models: %s: X[%d] = %g is not a token id in [0, %d): %w", what, i, x, v, ErrDataShape)
		}
	}
	return nil
}

// embedK looks up rows: in[0] is [batch, steps] ids, in[1] the table
// [vocab, dim]; out [batch, steps·dim]. Id 0 (padding) gives zeros.
func embedK[T float](vocab, dim int) func([]T, [][]T) {
	return func(out []T, in [][]T) {
		ids, table := in[0], in[1]
		for i, v := range ids {
			dst := out[i*dim : (i+1)*dim]
			if id := tokenID(v, vocab); id > 0 {
				copy(dst, table[id*dim:(id+1)*dim])
			} else {
				clear(dst)
			}
		}
	}
}

// embedGradK accumulates the output gradient into the rows of the table
// gradient: in[0] ids, in[1] the gradient [batch, steps·dim]; out the
// table's gradient [vocab, dim]. Row 0 stays zero.
func embedGradK[T float](vocab, dim int) func([]T, [][]T) {
	return func(out []T, in [][]T) {
		clear(out)
		ids, g := in[0], in[1]
		for i, v := range ids {
			if id := tokenID(v, vocab); id > 0 {
				row := out[id*dim : (id+1)*dim]
				for j, gv := range g[i*dim : (i+1)*dim] {
					row[j] += gv
				}
			}
		}
	}
}

// embedding adds an embedding layer over the [batch, steps] id node x.
func (b *builder) embedding(x *G.Node, l layerPlan) act {
	v, d, steps, batch := l.spec.Vocab, l.spec.Units, l.in[0], b.gr.batch
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, 2)
		res[1] = b.apply("embedding_dw", kernels{embedGradK[float32](v, d), embedGradK[float64](v, d)}, []int{v, d}, nil, nil, in[0], grad)
		return res, b.err
	}
	out := b.apply("embedding", kernels{embedK[float32](v, d), embedK[float64](v, d)}, []int{batch, steps * d}, []bool{false, true}, diff, x, b.param(l.params[0]))
	return act{seq: out, seqSteps: steps}
}

// validSteps returns the number of valid steps of row r.
func validSteps(lens *seqLens, r, steps int) int {
	if lens == nil || lens.n == nil {
		return steps
	}
	return lens.n[r]
}

// conv1dState is shared by a conv1d op and its gradient ops: the patch
// matrix [batch·steps, k·features] of the last forward pass.
type conv1dState struct {
	batch, steps, feat, k, filters int
	lens                           *seqLens
	cols                           any
	dcols                          any
}

// fillCols writes row r's patches: cols[t, j·F+c] = x[t+j−k/2, c] when
// that step is inside [0, valid), else 0.
func fillCols[T float](cols, x []T, steps, feat, k, valid int) {
	kf, p := k*feat, k/2
	for t := 0; t < steps; t++ {
		row := cols[t*kf : (t+1)*kf]
		for j := 0; j < k; j++ {
			s := t + j - p
			dst := row[j*feat : (j+1)*feat]
			if s >= 0 && s < valid {
				copy(dst, x[s*feat:(s+1)*feat])
			} else {
				clear(dst)
			}
		}
	}
}

// conv1dK: in[0] x [batch, steps·F], in[1] w [k·F, filters], in[2] bias;
// out [batch, steps·filters], zero on padded steps.
func conv1dK[T float](st *conv1dState) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		x, w, bias := in[0], in[1], in[2]
		T_, F, K, NF := st.steps, st.feat, st.k, st.filters
		kf := K * F
		cols := scratch[T](&st.cols, st.batch*T_*kf)
		parFor(st.batch, func(_, lo, hi int) {
			for r := lo; r < hi; r++ {
				valid := validSteps(st.lens, r, T_)
				c := cols[r*T_*kf : (r+1)*T_*kf]
				fillCols(c, x[r*T_*F:(r+1)*T_*F], T_, F, K, valid)
				yr := y[r*T_*NF : (r+1)*T_*NF]
				gemm(false, false, valid, NF, kf, c, kf, w, NF, 0, yr, NF)
				for t := 0; t < valid; t++ {
					row := yr[t*NF : (t+1)*NF]
					for f := range row {
						row[f] += bias[f]
					}
				}
				clear(yr[valid*NF:])
			}
		})
	}
}

// conv1dGradWK: in[0] the output gradient; out dW [k·F, filters]. The
// gradient rows of padded steps are ignored (their outputs are constant).
func conv1dGradWK[T float](st *conv1dState) func([]T, [][]T) {
	return func(dw []T, in [][]T) {
		g := in[0]
		cols, _ := st.cols.([]T)
		kf, NF := st.k*st.feat, st.filters
		clear(dw)
		for r := 0; r < st.batch; r++ {
			valid := validSteps(st.lens, r, st.steps)
			o := r * st.steps
			gemm(true, false, kf, NF, valid, cols[o*kf:], kf, g[o*NF:], NF, 1, dw, NF)
		}
	}
}

// conv1dGradBK: in[0] the output gradient; out db [1, filters].
func conv1dGradBK[T float](st *conv1dState) func([]T, [][]T) {
	return func(db []T, in [][]T) {
		g := in[0]
		NF := st.filters
		clear(db)
		for r := 0; r < st.batch; r++ {
			valid := validSteps(st.lens, r, st.steps)
			for t := 0; t < valid; t++ {
				o := (r*st.steps + t) * NF
				for f, v := range g[o : o+NF] {
					db[f] += v
				}
			}
		}
	}
}

// conv1dGradXK: in[0] w, in[1] the output gradient; out dx [batch,
// steps·F].
func conv1dGradXK[T float](st *conv1dState) func([]T, [][]T) {
	return func(dx []T, in [][]T) {
		w, g := in[0], in[1]
		T_, F, K, NF := st.steps, st.feat, st.k, st.filters
		kf, p := K*F, K/2
		dcols := scratch[T](&st.dcols, st.batch*T_*kf)
		parFor(st.batch, func(_, lo, hi int) {
			for r := lo; r < hi; r++ {
				valid := validSteps(st.lens, r, T_)
				dc := dcols[r*T_*kf : (r+1)*T_*kf]
				gemm(false, true, valid, kf, NF, g[r*T_*NF:], NF, w, NF, 0, dc, kf)
				dxr := dx[r*T_*F : (r+1)*T_*F]
				clear(dxr)
				for t := 0; t < valid; t++ {
					for j := 0; j < K; j++ {
						s := t + j - p
						if s < 0 || s >= valid {
							continue
						}
						src := dc[t*kf+j*F : t*kf+(j+1)*F]
						dst := dxr[s*F : (s+1)*F]
						for c, v := range src {
							dst[c] += v
						}
					}
				}
			}
		})
	}
}

// conv1d adds a conv1d layer over the sequence node x.
func (b *builder) conv1d(x *G.Node, l layerPlan) act {
	st := &conv1dState{batch: b.gr.batch, steps: l.in[0], feat: l.in[1], k: l.spec.Kernel[0], filters: l.spec.Filters, lens: b.gr.lens}
	needDX := b.needGrad(x) && x != b.gr.xNode
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, 3)
		if needDX {
			res[0] = b.apply("conv1d_dx", kernels{conv1dGradXK[float32](st), conv1dGradXK[float64](st)}, []int{st.batch, st.steps * st.feat}, nil, nil, in[1], grad)
		}
		res[1] = b.apply("conv1d_dw", kernels{conv1dGradWK[float32](st), conv1dGradWK[float64](st)}, []int{st.k * st.feat, st.filters}, nil, nil, grad)
		res[2] = b.apply("conv1d_db", kernels{conv1dGradBK[float32](st), conv1dGradBK[float64](st)}, []int{1, st.filters}, nil, nil, grad)
		return res, b.err
	}
	w := b.param(l.params[0])
	// The kernel is [k, F, filters] on disk and [k, F·filters] in the
	// graph; the kernels read it as [k·F, filters].
	out := b.apply("conv1d", kernels{conv1dK[float32](st), conv1dK[float64](st)}, []int{st.batch, st.steps * st.filters}, []bool{needDX, true, true}, diff, x, w, b.param(l.params[1]))
	return act{seq: out, seqSteps: st.steps}
}

// poolState1D is shared by a global 1-D pooling op and its gradient.
type poolState1D struct {
	batch, steps, feat int
	max                bool
	lens               *seqLens
	arg                []int32 // max: the step of each output's maximum
}

// pool1dK: in[0] [batch, steps·F]; out [batch, F]: the maximum or the mean
// over the valid steps of each row.
func pool1dK[T float](st *poolState1D) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		x := in[0]
		F, S := st.feat, st.steps
		if st.max && len(st.arg) != st.batch*F {
			st.arg = make([]int32, st.batch*F)
		}
		for r := 0; r < st.batch; r++ {
			valid := validSteps(st.lens, r, S)
			yr := y[r*F : (r+1)*F]
			xr := x[r*S*F : (r+1)*S*F]
			if st.max {
				arg := st.arg[r*F : (r+1)*F]
				copy(yr, xr[:F])
				clear(arg)
				for t := 1; t < valid; t++ {
					for c, v := range xr[t*F : (t+1)*F] {
						if v > yr[c] {
							yr[c], arg[c] = v, int32(t)
						}
					}
				}
				continue
			}
			clear(yr)
			for t := 0; t < valid; t++ {
				for c, v := range xr[t*F : (t+1)*F] {
					yr[c] += v
				}
			}
			inv := 1 / T(valid)
			for c := range yr {
				yr[c] *= inv
			}
		}
	}
}

// pool1dGradK: in[0] the output gradient [batch, F]; out dx [batch,
// steps·F].
func pool1dGradK[T float](st *poolState1D) func([]T, [][]T) {
	return func(dx []T, in [][]T) {
		g := in[0]
		F, S := st.feat, st.steps
		clear(dx)
		for r := 0; r < st.batch; r++ {
			gr := g[r*F : (r+1)*F]
			dr := dx[r*S*F : (r+1)*S*F]
			if st.max {
				for c, t := range st.arg[r*F : (r+1)*F] {
					dr[int(t)*F+c] = gr[c]
				}
				continue
			}
			valid := validSteps(st.lens, r, S)
			inv := 1 / T(valid)
			for t := 0; t < valid; t++ {
				for c, v := range gr {
					dr[t*F+c] = v * inv
				}
			}
		}
	}
}

// pool1d adds a global max or mean pooling over the steps of x.
func (b *builder) pool1d(x *G.Node, l layerPlan) act {
	st := &poolState1D{batch: b.gr.batch, steps: l.in[0], feat: l.in[1], max: l.spec.Type == LayerGlobalMaxPool1D, lens: b.gr.lens}
	needDX := b.needGrad(x) && x != b.gr.xNode
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, 1)
		if needDX {
			res[0] = b.apply(l.spec.Type+"_dx", kernels{pool1dGradK[float32](st), pool1dGradK[float64](st)}, []int{st.batch, st.steps * st.feat}, nil, nil, grad)
		}
		return res, b.err
	}
	return act{flat: b.apply(l.spec.Type, kernels{pool1dK[float32](st), pool1dK[float64](st)}, []int{st.batch, st.feat}, []bool{needDX}, diff, x)}
}

// textLayer applies a text layer in the graph.
func (b *builder) textLayer(a act, l layerPlan) act {
	x := b.asFlat(a)
	if !b.ok(x) {
		return act{}
	}
	switch l.spec.Type {
	case LayerEmbedding:
		return b.embedding(x, l)
	case LayerConv1D:
		return b.conv1d(x, l)
	}
	return b.pool1d(x, l)
}

// textForward runs a text layer on one sample in the Predictor; steps > 0
// is the sample's valid length.
func (p *Predictor) textForward(l predLayer, cur []float32, steps int, s *predScratch) []float32 {
	in, out := l.plan.in, l.plan.out
	valid := in[0]
	if steps > 0 {
		valid = steps
	}
	switch l.plan.spec.Type {
	case LayerEmbedding:
		o := s.ar.alloc(out.size())
		embedK[float32](l.plan.spec.Vocab, l.plan.spec.Units)(o, [][]float32{cur, l.w[0]})
		return o
	case LayerConv1D:
		o := s.ar.alloc(out.size())
		k, f, nf := l.plan.spec.Kernel[0], in[1], l.plan.spec.Filters
		cols := s.ar.alloc(in[0] * k * f)
		fillCols(cols, cur, in[0], f, k, valid)
		clear(o)
		for t := 0; t < valid; t++ {
			row := o[t*nf : (t+1)*nf]
			copy(row, l.w[1])
			vecMat(row, cols[t*k*f:(t+1)*k*f], l.w[0])
		}
		return o
	}
	st := &poolState1D{batch: 1, steps: in[0], feat: in[1], max: l.plan.spec.Type == LayerGlobalMaxPool1D}
	if st.max {
		st.arg = make([]int32, in[1])
	}
	if steps > 0 {
		st.lens = &seqLens{n: []int{steps}}
	}
	o := s.ar.alloc(out.size())
	pool1dK[float32](st)(o, [][]float32{cur})
	return o
}
