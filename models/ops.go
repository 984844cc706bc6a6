package models

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// kernelOp is a gorgonia op backed by one of our plain-Go kernels. All
// its inputs and its output are matrices whose first dimension is the
// batch (or a weight matrix); the kernel knows the per-sample layout.
// f32 and f64 compute the output from the inputs' backing arrays; diff,
// when set, builds the gradient nodes of the inputs marked in wrt.
//
// Each op carries a per-graph unique id, so that gorgonia never merges two
// of them, and many keep state (im2col buffers, argmax indices, batch
// statistics) that their gradient ops read later in the same run.
type kernelOp struct {
	name  string
	id    int
	arity int
	shape tensor.Shape
	wrt   []bool
	f32   func(out []float32, in [][]float32)
	f64   func(out []float64, in [][]float64)
	diff  func(in G.Nodes, out, grad *G.Node) (G.Nodes, error)
	// out is the output tensor, allocated on the first run and rewritten
	// by every later one: a graph runs one op at a time, and values are
	// read (Predict, the loss) or added into the weights' gradients
	// before the next run. This keeps a training step free of large
	// allocations.
	out *tensor.Dense
}

// Arity implements G.Op.
func (op *kernelOp) Arity() int { return op.arity }

// Type implements G.Op: every input and the output are matrices of one
// element type.
func (op *kernelOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	ts := make([]hm.Type, op.arity+1)
	for i := range ts {
		ts[i] = G.TensorType{Dims: 2, Of: a}
	}
	return hm.NewFnType(ts...)
}

// InferShape implements G.Op.
func (op *kernelOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }

// Do implements G.Op.
func (op *kernelOp) Do(vals ...G.Value) (G.Value, error) {
	if len(vals) != op.arity {
		return nil, fmt.Errorf("models: %s: %d inputs, want %d", op.name, len(vals), op.arity)
	}
	if op.out == nil || op.out.Dtype() != vals[0].Dtype() || !op.out.Shape().Eq(op.shape) {
		op.out = tensor.New(tensor.Of(vals[0].Dtype()), tensor.WithShape(op.shape...))
	}
	return op.out, op.exec(op.out, vals)
}

// UsePreallocDo implements G.UsePreallocDoer: the kernel overwrites
// prealloc when it has the right shape and type.
func (op *kernelOp) UsePreallocDo(prealloc G.Value, vals ...G.Value) (G.Value, error) {
	if len(vals) != op.arity {
		return nil, fmt.Errorf("models: %s: %d inputs, want %d", op.name, len(vals), op.arity)
	}
	if p, ok := prealloc.(*tensor.Dense); ok && p.Shape().Eq(op.shape) && p.Dtype() == vals[0].Dtype() && !p.IsView() {
		return p, op.exec(p, vals)
	}
	return op.Do(vals...)
}

func (op *kernelOp) exec(out *tensor.Dense, vals []G.Value) error {
	switch o := out.Data().(type) {
	case []float32:
		in := make([][]float32, len(vals))
		for i, v := range vals {
			d, ok := v.Data().([]float32)
			if !ok || len(d) != v.Shape().TotalSize() {
				return fmt.Errorf("models: %s: input %d is not a dense float32 tensor", op.name, i)
			}
			in[i] = d
		}
		op.f32(o, in)
	case []float64:
		in := make([][]float64, len(vals))
		for i, v := range vals {
			d, ok := v.Data().([]float64)
			if !ok || len(d) != v.Shape().TotalSize() {
				return fmt.Errorf("models: %s: input %d is not a dense float64 tensor", op.name, i)
			}
			in[i] = d
		}
		op.f64(o, in)
	default:
		return fmt.Errorf("models: %s: unsupported dtype %v", op.name, out.Dtype())
	}
	return nil
}

// ReturnsPtr implements G.Op.
func (op *kernelOp) ReturnsPtr() bool { return false }

// CallsExtern implements G.Op.
func (op *kernelOp) CallsExtern() bool { return false }

// OverwritesInput implements G.Op.
func (op *kernelOp) OverwritesInput() int { return -1 }

// WriteHash implements G.Op.
func (op *kernelOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "deepfin.%s#%d", op.name, op.id) }

// Hashcode implements G.Op.
func (op *kernelOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// String implements fmt.Stringer.
func (op *kernelOp) String() string { return fmt.Sprintf("%s#%d", op.name, op.id) }

// DiffWRT implements G.SDOp.
func (op *kernelOp) DiffWRT(n int) []bool {
	if op.wrt == nil {
		return make([]bool, n)
	}
	return op.wrt
}

// SymDiff implements G.SDOp.
func (op *kernelOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if op.diff == nil {
		return nil, fmt.Errorf("models: %s is not differentiable", op.name)
	}
	return op.diff(in, out, grad)
}

// kernels pairs the float32 and float64 instances of a kernel closure.
type kernels struct {
	f32 func(out []float32, in [][]float32)
	f64 func(out []float64, in [][]float64)
}

// apply adds a kernel op over inputs with output shape shp. wrt marks the
// differentiable inputs (nil: none) and diff builds their gradients.
func (b *builder) apply(name string, k kernels, shp []int, wrt []bool, diff func(G.Nodes, *G.Node, *G.Node) (G.Nodes, error), inputs ...*G.Node) *G.Node {
	if !b.ok(inputs...) {
		return nil
	}
	b.nOps++
	op := &kernelOp{name: name, id: b.nOps, arity: len(inputs), shape: tensor.Shape(shp), wrt: wrt, f32: k.f32, f64: k.f64, diff: diff}
	return b.keep(G.ApplyOp(op, inputs...))
}

// needGrad reports whether a layer needs the gradient of its input x:
// not when x is the graph's input.
func (b *builder) needGrad(x *G.Node) bool { return x != b.gr.inNode }

// convState is the state a conv2d op shares with its gradient ops. The
// batch is processed in a "wide" layout: the patch matrices of all
// samples side by side, k × (batch·ohw), so that every matrix product
// runs over the whole batch at once (long rows for the micro-kernel);
// outputs and output gradients are gathered into f × (batch·ohw) to
// match. The products read b untransposed (the micro-kernel's layout):
// the kernel gradient is computed as its transpose from a transposed
// gather of the output gradient, and transposed back (one pass over
// f·k values against f·k·batch·ohw multiply-adds).
type convState struct {
	g     convGeom
	batch int
	cols  any // k × (batch·ohw) patch matrices, kept for the kernel gradient
	ycat  any // f × (batch·ohw) outputs or output gradients
	dyT   any // (batch·ohw) × f output gradients, for the kernel gradient
	dwT   any // k × f kernel gradient before its transpose
	dcols any // k × (batch·ohw) patch gradients
}

func convFwdK[T float](st *convState) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		g := st.g
		x, w := in[0], in[1]
		var bias []T
		if len(in) > 2 {
			bias = in[2]
		}
		is, os, ohw, k := g.inSize(), g.outSize(), g.ohw(), g.k()
		ld := st.batch * ohw
		cols := scratch[T](&st.cols, k*ld)
		ycat := scratch[T](&st.ycat, g.f*ld)
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				im2col(cols[n*ohw:], ld, x[n*is:(n+1)*is], g)
			}
		})
		// The product is split over the rows of w (in blocks of 4, the
		// micro-kernel's height) so that every worker runs the full width.
		parFor((g.f+3)/4, func(_, lo, hi int) {
			f0, f1 := 4*lo, min(4*hi, g.f)
			gemm(false, false, f1-f0, ld, k, w[f0*k:], k, cols, ld, 0, ycat[f0*ld:], ld)
		})
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				for f := 0; f < g.f; f++ {
					dst := y[n*os+f*ohw : n*os+(f+1)*ohw]
					copy(dst, ycat[f*ld+n*ohw:f*ld+(n+1)*ohw])
					if bias != nil {
						for i := range dst {
							dst[i] += bias[f]
						}
					}
				}
			}
		})
	}
}

// gatherDY copies dy (batch × f × ohw) into st.ycat (f × batch·ohw).
func gatherDY[T float](st *convState, dy []T) []T {
	g := st.g
	os, ohw := g.outSize(), g.ohw()
	ld := st.batch * ohw
	ycat := scratch[T](&st.ycat, g.f*ld)
	parFor(st.batch, func(_, lo, hi int) {
		for n := lo; n < hi; n++ {
			for f := 0; f < g.f; f++ {
				copy(ycat[f*ld+n*ohw:f*ld+(n+1)*ohw], dy[n*os+f*ohw:n*os+(f+1)*ohw])
			}
		}
	})
	return ycat
}

// convGradWK: inputs x, dy; output dw (f×k), computed as its transpose
// cols · dyᵀ (k × f) with dyᵀ gathered as (batch·ohw) × f, split over
// the rows of cols.
func convGradWK[T float](st *convState) func([]T, [][]T) {
	return func(dw []T, in [][]T) {
		g := st.g
		dy := in[1]
		k, ohw, os := g.k(), g.ohw(), g.outSize()
		ld := st.batch * ohw
		dyT := scratch[T](&st.dyT, ld*g.f)
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				for f := 0; f < g.f; f++ {
					for p, v := range dy[n*os+f*ohw : n*os+(f+1)*ohw] {
						dyT[(n*ohw+p)*g.f+f] = v
					}
				}
			}
		})
		cols := scratch[T](&st.cols, k*ld)
		dwT := scratch[T](&st.dwT, k*g.f)
		parFor((k+3)/4, func(_, lo, hi int) {
			r0, r1 := 4*lo, min(4*hi, k)
			gemm(false, false, r1-r0, g.f, ld, cols[r0*ld:], ld, dyT, g.f, 0, dwT[r0*g.f:], g.f)
		})
		transposeBlocked(dw, dwT, k, g.f)
	}
}

// convGradXK: inputs w, dy; output dx (batch × c·h·w): col2im of
// wᵀ·dy_wide, the product split over the rows of wᵀ.
func convGradXK[T float](st *convState) func([]T, [][]T) {
	return func(dx []T, in [][]T) {
		g := st.g
		w := in[0]
		is, ohw, k := g.inSize(), g.ohw(), g.k()
		ld := st.batch * ohw
		dycat := gatherDY(st, in[1])
		dcols := scratch[T](&st.dcols, k*ld)
		parFor((k+3)/4, func(_, lo, hi int) {
			r0, r1 := 4*lo, min(4*hi, k)
			gemm(true, false, r1-r0, ld, g.f, w[r0:], k, dycat, ld, 0, dcols[r0*ld:], ld)
		})
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				d := dx[n*is : (n+1)*is]
				clear(d)
				col2im(d, dcols[n*ohw:], ld, g)
			}
		})
	}
}

// biasGradK: input dy (batch × f·hw); output db (1×f), split over the
// channels.
func biasGradK[T float](f, hw int) func([]T, [][]T) {
	return func(db []T, in [][]T) {
		dy := in[0]
		batch := len(dy) / (f * hw)
		parFor(f, func(_, lo, hi int) {
			for c := lo; c < hi; c++ {
				var s T
				for n := 0; n < batch; n++ {
					for _, v := range dy[(n*f+c)*hw : (n*f+c+1)*hw] {
						s += v
					}
				}
				db[c] = s
			}
		})
	}
}

// conv2d adds a conv2d layer on x.
func (b *builder) conv2d(x *G.Node, l layerPlan) *G.Node {
	g, batch := l.conv, b.gr.batch
	st := &convState{g: g, batch: batch}
	w := b.param(l.params[0])
	inputs := []*G.Node{x, w}
	if !l.spec.NoBias {
		inputs = append(inputs, b.param(l.params[1]))
	}
	needDX := b.needGrad(x)
	wrt := []bool{needDX, true, true}[:len(inputs)]
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, len(in))
		if needDX {
			res[0] = b.apply("conv2d_dx", kernels{convGradXK[float32](st), convGradXK[float64](st)}, []int{batch, g.inSize()}, nil, nil, in[1], grad)
		}
		res[1] = b.apply("conv2d_dw", kernels{convGradWK[float32](st), convGradWK[float64](st)}, []int{g.f, g.k()}, nil, nil, in[0], grad)
		if len(in) > 2 {
			res[2] = b.apply("conv2d_db", kernels{biasGradK[float32](g.f, g.ohw()), biasGradK[float64](g.f, g.ohw())}, []int{1, g.f}, nil, nil, grad)
		}
		return res, b.err
	}
	return b.apply("conv2d", kernels{convFwdK[float32](st), convFwdK[float64](st)}, []int{batch, g.outSize()}, wrt, diff, inputs...)
}

// poolState is the state a pooling op shares with its gradient op.
type poolState struct {
	g     convGeom
	batch int
	arg   []int32 // argmax per output value (max pooling)
}

func maxPoolK[T float](st *poolState) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		g, x := st.g, in[0]
		is, os := g.inSize(), g.outSize()
		if len(st.arg) != st.batch*os {
			st.arg = make([]int32, st.batch*os)
		}
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				maxPoolForward(y[n*os:(n+1)*os], x[n*is:(n+1)*is], st.arg[n*os:(n+1)*os], g)
			}
		})
	}
}

func maxPoolGradK[T float](st *poolState) func([]T, [][]T) {
	return func(dx []T, in [][]T) {
		g, dy := st.g, in[0]
		is, os := g.inSize(), g.outSize()
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				maxPoolBackward(dx[n*is:(n+1)*is], dy[n*os:(n+1)*os], st.arg[n*os:(n+1)*os])
			}
		})
	}
}

func avgPoolK[T float](st *poolState) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		g, x := st.g, in[0]
		is, os := g.inSize(), g.outSize()
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				avgPoolForward(y[n*os:(n+1)*os], x[n*is:(n+1)*is], g)
			}
		})
	}
}

func avgPoolGradK[T float](st *poolState) func([]T, [][]T) {
	return func(dx []T, in [][]T) {
		g, dy := st.g, in[0]
		is, os := g.inSize(), g.outSize()
		parFor(st.batch, func(_, lo, hi int) {
			for n := lo; n < hi; n++ {
				avgPoolBackward(dx[n*is:(n+1)*is], dy[n*os:(n+1)*os], g)
			}
		})
	}
}

// pool adds a max_pool2d, avg_pool2d or global_avg_pool2d layer on x.
func (b *builder) pool(x *G.Node, l layerPlan) *G.Node {
	g, batch := l.conv, b.gr.batch
	st := &poolState{g: g, batch: batch}
	fwd := kernels{avgPoolK[float32](st), avgPoolK[float64](st)}
	bwd := kernels{avgPoolGradK[float32](st), avgPoolGradK[float64](st)}
	if l.spec.Type == LayerMaxPool2D {
		fwd = kernels{maxPoolK[float32](st), maxPoolK[float64](st)}
		bwd = kernels{maxPoolGradK[float32](st), maxPoolGradK[float64](st)}
	}
	needDX := b.needGrad(x)
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, 1)
		if needDX {
			res[0] = b.apply(l.spec.Type+"_dx", bwd, []int{batch, g.inSize()}, nil, nil, grad)
		}
		return res, b.err
	}
	return b.apply(l.spec.Type, fwd, []int{batch, g.outSize()}, []bool{needDX}, diff, x)
}

// bnState is the state a batch_norm op shares with its gradient ops.
type bnState struct {
	c, hw, batch int
	rows         *int // real rows of the current batch (0: all)
	train        bool
	momentum     float64
	eps          float64
	running      [2]any // running mean and variance ([]float32 or []float64)
	xhat         any
	invstd       []float64
	mean, vr     []float64
}

func (st *bnState) real() int {
	if r := *st.rows; r > 0 && r <= st.batch {
		return r
	}
	return st.batch
}

func bnK[T float](st *bnState) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		x, gamma, beta := in[0], in[1], in[2]
		rm, rv := st.running[0].([]T), st.running[1].([]T)
		if !st.train {
			bnEval(y, x, gamma, beta, rm, rv, st.c, st.hw, st.eps)
			return
		}
		xhat := scratch[T](&st.xhat, len(x))
		real := st.real()
		bnTrain(y, xhat, x, gamma, beta, st.invstd, st.mean, st.vr, real, st.c, st.hw, st.eps)
		m := float64(real * st.hw)
		unbias := 1.0
		if m > 1 {
			unbias = m / (m - 1)
		}
		mo := st.momentum
		for c := range rm {
			rm[c] = T((1-mo)*float64(rm[c]) + mo*st.mean[c])
			rv[c] = T((1-mo)*float64(rv[c]) + mo*st.vr[c]*unbias)
		}
	}
}

// bnGradK computes one of dx (what 0; inputs gamma, dy), dgamma (1; dy)
// or dbeta (2; dy).
func bnGradK[T float](st *bnState, what int) func([]T, [][]T) {
	return func(out []T, in [][]T) {
		xhat := st.xhat.([]T)
		switch what {
		case 0:
			bnGrad(out, nil, nil, in[1], xhat, in[0], st.invstd, st.batch, st.real(), st.c, st.hw)
		case 1:
			bnGrad(nil, out, nil, in[0], xhat, nil, st.invstd, st.batch, st.real(), st.c, st.hw)
		case 2:
			bnGrad(nil, nil, out, in[0], xhat, nil, st.invstd, st.batch, st.real(), st.c, st.hw)
		}
	}
}

// batchNorm adds a batch_norm layer on x: batch statistics (and a
// running-statistics update) in a training graph, running statistics in
// an evaluation graph.
func (b *builder) batchNorm(x *G.Node, l layerPlan) *G.Node {
	c := l.in[0]
	hw := l.in.size() / c
	batch := b.gr.batch
	st := &bnState{
		c: c, hw: hw, batch: batch, rows: &b.gr.rows, train: b.train,
		momentum: l.spec.Momentum, eps: l.spec.Epsilon,
		running: [2]any{b.vals[l.params[2]].Data(), b.vals[l.params[3]].Data()},
		invstd:  make([]float64, c), mean: make([]float64, c), vr: make([]float64, c),
	}
	if st.momentum == 0 {
		st.momentum = DefaultBNMomentum
	}
	if st.eps == 0 {
		st.eps = DefaultBNEpsilon
	}
	gamma, beta := b.param(l.params[0]), b.param(l.params[1])
	needDX := b.needGrad(x)
	diff := func(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, 3)
		if needDX {
			res[0] = b.apply("batch_norm_dx", kernels{bnGradK[float32](st, 0), bnGradK[float64](st, 0)}, []int{batch, c * hw}, nil, nil, in[1], grad)
		}
		res[1] = b.apply("batch_norm_dgamma", kernels{bnGradK[float32](st, 1), bnGradK[float64](st, 1)}, []int{1, c}, nil, nil, grad)
		res[2] = b.apply("batch_norm_dbeta", kernels{bnGradK[float32](st, 2), bnGradK[float64](st, 2)}, []int{1, c}, nil, nil, grad)
		return res, b.err
	}
	return b.apply(LayerBatchNorm, kernels{bnK[float32](st), bnK[float64](st)}, []int{batch, c * hw}, []bool{needDX, true, true}, diff, x, gamma, beta)
}

// leakyK is the forward kernel of ReLU (alpha 0) and leaky ReLU:
// y = x for x > 0, alpha·x otherwise.
func leakyK[T float](alpha T) func([]T, [][]T) {
	return func(y []T, in [][]T) {
		x := in[0]
		parFor(parChunks(len(x)), func(_, lo, hi int) {
			lo, hi = lo*elemChunk, min(hi*elemChunk, len(x))
			for i, v := range x[lo:hi] {
				if v <= 0 {
					v *= alpha
				}
				y[lo+i] = v
			}
		})
	}
}

// leakyGradK is its gradient: inputs y (the forward output), dy; dx =
// dy where y > 0, alpha·dy elsewhere. (For alpha ≥ 0, y > 0 exactly when
// x > 0.)
func leakyGradK[T float](alpha T) func([]T, [][]T) {
	return func(dx []T, in [][]T) {
		y, dy := in[0], in[1]
		parFor(parChunks(len(y)), func(_, lo, hi int) {
			lo, hi = lo*elemChunk, min(hi*elemChunk, len(y))
			for i, v := range y[lo:hi] {
				g := dy[lo+i]
				if v <= 0 {
					g *= alpha
				}
				dx[lo+i] = g
			}
		})
	}
}

// elemChunk is the number of values an element-wise kernel hands to one
// worker at a time.
const elemChunk = 1 << 14

func parChunks(n int) int { return (n + elemChunk - 1) / elemChunk }

// leaky adds a ReLU (alpha 0) or leaky ReLU layer on the [batch, n] node
// x, replacing gorgonia's Rectify (whose gradient costs a comparison, a
// product and two allocations).
func (b *builder) leaky(x *G.Node, alpha float64) *G.Node {
	if !b.ok(x) {
		return nil
	}
	shp := []int(x.Shape().Clone())
	needDX := b.needGrad(x)
	diff := func(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
		res := make(G.Nodes, 1)
		if needDX {
			res[0] = b.apply("leaky_relu_dx", kernels{leakyGradK(float32(alpha)), leakyGradK(alpha)}, shp, nil, nil, out, grad)
		}
		return res, b.err
	}
	return b.apply("leaky_relu", kernels{leakyK(float32(alpha)), leakyK(alpha)}, shp, []bool{needDX}, diff, x)
}
