package models

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fused recurrent layers are gorgonia ops of our own: one node runs a
// whole sequence (forward kernels in recurrent_kernel.go), and its
// symbolic derivative is one node that runs backpropagation through time
// and returns every input's gradient packed in one vector, which small
// unpack nodes cut into the per-input gradients. The forward op keeps its
// activations for the backward op; both belong to one graph, which runs
// on one goroutine.

func matType() G.TensorType { return G.TensorType{Dims: 2, Of: hm.TypeVariable('a')} }
func vecType() G.TensorType { return G.TensorType{Dims: 1, Of: hm.TypeVariable('a')} }

// opHash hashes an op's String form.
func opHash(s fmt.Stringer) uint32 {
	h := fnv.New32a()
	fmt.Fprint(h, s.String())
	return h.Sum32()
}

// dataOf returns the backing slice of a gorgonia tensor value.
func dataOf[T float](v G.Value) ([]T, error) {
	d, ok := v.Data().([]T)
	if !ok {
		return nil, fmt.Errorf("models: fused op: value of type %T, want %T", v.Data(), []T(nil))
	}
	return d, nil
}

// newValue wraps data as a tensor of the given shape.
func newValue[T float](data []T, shp ...int) G.Value {
	return tensor.New(tensor.WithShape(shp...), tensor.WithBacking(data))
}

// seqOp runs an rnn or lstm over a whole sequence. Inputs: x [B, T·F],
// w [F, G·H], u [H, G·H], b [1, G·H]; output [B, T·H] (seq) or [B, H].
type seqOp struct {
	name   string // the layer's parameter prefix, unique in the graph
	dims   cellDims
	seq    bool
	needDX bool // false when x is a graph input
	lens   *seqLens

	c32 *seqCell[float32]
	c64 *seqCell[float64]
}

func (op *seqOp) Arity() int { return 4 }
func (op *seqOp) Type() hm.Type {
	t := matType()
	return hm.NewFnType(t, t, t, t, t)
}
func (op *seqOp) outShape() tensor.Shape {
	if op.seq {
		return tensor.Shape{op.dims.batch, op.dims.steps * op.dims.units}
	}
	return tensor.Shape{op.dims.batch, op.dims.units}
}
func (op *seqOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *seqOp) ReturnsPtr() bool                               { return false }
func (op *seqOp) CallsExtern() bool                              { return false }
func (op *seqOp) OverwritesInput() int                           { return -1 }
func (op *seqOp) WriteHash(h hash.Hash)                          { fmt.Fprint(h, op.String()) }
func (op *seqOp) Hashcode() uint32                               { return opHash(op) }
func (op *seqOp) String() string {
	return fmt.Sprintf("fusedSeq(%s,%d,%v)", op.name, op.dims.kind, op.seq)
}

func (op *seqOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 4 {
		return nil, fmt.Errorf("models: %s: %d inputs, want 4", op, len(vs))
	}
	switch vs[0].Data().(type) {
	case []float32:
		if op.c32 == nil {
			op.c32 = newSeqCell[float32](op.dims, op.lens)
		}
		return seqDo(op, op.c32, vs)
	case []float64:
		if op.c64 == nil {
			op.c64 = newSeqCell[float64](op.dims, op.lens)
		}
		return seqDo(op, op.c64, vs)
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

func seqDo[T float](op *seqOp, c *seqCell[T], vs []G.Value) (G.Value, error) {
	var in [4][]T
	for i, v := range vs {
		d, err := dataOf[T](v)
		if err != nil {
			return nil, err
		}
		in[i] = d
	}
	shp := op.outShape()
	out := make([]T, shp.TotalSize())
	c.forward(out, in[0], in[1], in[2], in[3], op.seq)
	return newValue(out, shp...), nil
}

func (op *seqOp) DiffWRT(int) []bool { return []bool{true, true, true, true} }

func (op *seqOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	d := op.dims
	sizes := [][]int{
		{d.batch, d.steps * d.in},
		{d.in, d.gates * d.units},
		{d.units, d.gates * d.units},
		{1, d.gates * d.units},
	}
	packed, err := G.ApplyOp(&seqGradOp{packedGrad: packedGrad{inputs: 5, total: totalSize(sizes)}, fwd: op}, inputs[0], inputs[1], inputs[2], inputs[3], grad)
	if err != nil {
		return nil, err
	}
	return unpack(packed, sizes)
}

// seqGradOp is seqOp's derivative: inputs x, w, u, b and the output's
// gradient; output the packed gradients of x, w, u, b (x's is zero when
// the forward op does not need it).
type seqGradOp struct {
	packedGrad
	fwd *seqOp
}

func (op *seqGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *seqGradOp) Hashcode() uint32      { return opHash(op) }
func (op *seqGradOp) String() string        { return "grad·" + op.fwd.String() }

func (op *seqGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 5 {
		return nil, fmt.Errorf("models: %s: %d inputs, want 5", op, len(vs))
	}
	switch vs[0].Data().(type) {
	case []float32:
		return seqGradDo(op, op.fwd.c32, vs)
	case []float64:
		return seqGradDo(op, op.fwd.c64, vs)
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

func seqGradDo[T float](op *seqGradOp, c *seqCell[T], vs []G.Value) (G.Value, error) {
	if c == nil {
		return nil, fmt.Errorf("models: %s: backward before forward", op)
	}
	var in [5][]T
	for i, v := range vs {
		d, err := dataOf[T](v)
		if err != nil {
			return nil, err
		}
		in[i] = d
	}
	x, w, u, b, g := in[0], in[1], in[2], in[3], in[4]
	out := make([]T, op.total)
	dx := out[:len(x)]
	dw := out[len(x) : len(x)+len(w)]
	du := out[len(x)+len(w) : len(x)+len(w)+len(u)]
	db := out[len(x)+len(w)+len(u):]
	if !op.fwd.needDX {
		dx = nil
	}
	c.backward(g, x, w, u, dx, dw, du, db[:len(b)], op.fwd.seq)
	return newValue(out, op.total), nil
}

// attnOp is the attention pooling of an alstm layer. Inputs: hs [B, T·H],
// wa [H, H], ba [1, H], va [1, H]; output [B, 2H].
type attnOp struct {
	name                string
	batch, steps, units int
	lens                *seqLens

	c32 *attnCell[float32]
	c64 *attnCell[float64]
}

func (op *attnOp) Arity() int { return 4 }
func (op *attnOp) Type() hm.Type {
	t := matType()
	return hm.NewFnType(t, t, t, t, t)
}
func (op *attnOp) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.batch, 2 * op.units}, nil
}
func (op *attnOp) ReturnsPtr() bool      { return false }
func (op *attnOp) CallsExtern() bool     { return false }
func (op *attnOp) OverwritesInput() int  { return -1 }
func (op *attnOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *attnOp) Hashcode() uint32      { return opHash(op) }
func (op *attnOp) String() string        { return fmt.Sprintf("attnPool(%s)", op.name) }

func (op *attnOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 4 {
		return nil, fmt.Errorf("models: %s: %d inputs, want 4", op, len(vs))
	}
	switch vs[0].Data().(type) {
	case []float32:
		if op.c32 == nil {
			op.c32 = newAttnCell[float32](op.batch, op.steps, op.units, op.lens)
		}
		return attnDo(op, op.c32, vs)
	case []float64:
		if op.c64 == nil {
			op.c64 = newAttnCell[float64](op.batch, op.steps, op.units, op.lens)
		}
		return attnDo(op, op.c64, vs)
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

func attnDo[T float](op *attnOp, c *attnCell[T], vs []G.Value) (G.Value, error) {
	var in [4][]T
	for i, v := range vs {
		d, err := dataOf[T](v)
		if err != nil {
			return nil, err
		}
		in[i] = d
	}
	out := make([]T, op.batch*2*op.units)
	c.forward(out, in[0], in[1], in[2], in[3])
	return newValue(out, op.batch, 2*op.units), nil
}

func (op *attnOp) DiffWRT(int) []bool { return []bool{true, true, true, true} }

func (op *attnOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	h := op.units
	sizes := [][]int{{op.batch, op.steps * h}, {h, h}, {1, h}, {1, h}}
	packed, err := G.ApplyOp(&attnGradOp{packedGrad: packedGrad{inputs: 5, total: totalSize(sizes)}, fwd: op}, inputs[0], inputs[1], inputs[2], inputs[3], grad)
	if err != nil {
		return nil, err
	}
	return unpack(packed, sizes)
}

// attnGradOp is attnOp's derivative: inputs hs, wa, ba, va and the
// output's gradient; output the packed gradients of hs, wa, ba, va.
type attnGradOp struct {
	packedGrad
	fwd *attnOp
}

func (op *attnGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *attnGradOp) Hashcode() uint32      { return opHash(op) }
func (op *attnGradOp) String() string        { return "grad·" + op.fwd.String() }

func (op *attnGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 5 {
		return nil, fmt.Errorf("models: %s: %d inputs, want 5", op, len(vs))
	}
	switch vs[0].Data().(type) {
	case []float32:
		return attnGradDo(op, op.fwd.c32, vs)
	case []float64:
		return attnGradDo(op, op.fwd.c64, vs)
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

func attnGradDo[T float](op *attnGradOp, c *attnCell[T], vs []G.Value) (G.Value, error) {
	if c == nil {
		return nil, fmt.Errorf("models: %s: backward before forward", op)
	}
	var in [5][]T
	for i, v := range vs {
		d, err := dataOf[T](v)
		if err != nil {
			return nil, err
		}
		in[i] = d
	}
	hs, wa, va, g := in[0], in[1], in[3], in[4]
	out := make([]T, op.total)
	n0, n1, n2 := len(hs), len(hs)+len(wa), len(hs)+len(wa)+op.fwd.units
	c.backward(g, hs, wa, va, out[:n0], out[n0:n1], out[n1:n2], out[n2:])
	return newValue(out, op.total), nil
}

// totalSize sums the sizes of shapes.
func totalSize(shapes [][]int) int {
	n := 0
	for _, s := range shapes {
		n += shape(s).size()
	}
	return n
}

// unpack cuts a packed gradient vector into one matrix node per shape.
func unpack(packed *G.Node, shapes [][]int) (G.Nodes, error) {
	out := make(G.Nodes, len(shapes))
	off := 0
	for i, s := range shapes {
		n, err := G.ApplyOp(&unpackOp{off: off, shape: tensor.Shape(s)}, packed)
		if err != nil {
			return nil, err
		}
		out[i] = n
		off += shape(s).size()
	}
	return out, nil
}

// unpackOp copies the values [off, off+size) of a vector into a matrix.
type unpackOp struct {
	off   int
	shape tensor.Shape
}

func (op *unpackOp) Arity() int                                     { return 1 }
func (op *unpackOp) Type() hm.Type                                  { return hm.NewFnType(vecType(), matType()) }
func (op *unpackOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.shape.Clone(), nil }
func (op *unpackOp) ReturnsPtr() bool                               { return false }
func (op *unpackOp) CallsExtern() bool                              { return false }
func (op *unpackOp) OverwritesInput() int                           { return -1 }
func (op *unpackOp) WriteHash(h hash.Hash)                          { fmt.Fprint(h, op.String()) }
func (op *unpackOp) Hashcode() uint32                               { return opHash(op) }
func (op *unpackOp) String() string                                 { return fmt.Sprintf("unpack(%d,%v)", op.off, op.shape) }

func (op *unpackOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != 1 {
		return nil, fmt.Errorf("models: %s: %d inputs, want 1", op, len(vs))
	}
	n := op.shape.TotalSize()
	switch d := vs[0].Data().(type) {
	case []float32:
		return newValue(append([]float32(nil), d[op.off:op.off+n]...), op.shape...), nil
	case []float64:
		return newValue(append([]float64(nil), d[op.off:op.off+n]...), op.shape...), nil
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

// fused builds an rnn, lstm or alstm layer on the sequence a.
func (b *builder) fused(a act, l layerPlan) act {
	x := b.asFlat(a)
	if !b.ok(x) {
		return act{}
	}
	p := func(k int) *G.Node { return b.param(l.params[k]) }
	d := cellDims{kind: cellLSTM, batch: b.gr.batch, steps: l.in[0], in: l.in[1], units: l.spec.Units, gates: gateCount(l.spec.Type)}
	if l.spec.Type == LayerRNN {
		d.kind = cellTanh
		if l.spec.Activation == ActReLU {
			d.kind = cellReLU
		}
	}
	name := b.gr.params[l.params[0]].Name()
	seq := l.spec.ReturnSequences || l.spec.Type == LayerALSTM
	op := &seqOp{name: name, dims: d, seq: seq, needDX: x != b.gr.xNode, lens: b.gr.lens}
	out := b.keep(G.ApplyOp(op, x, p(recW), p(recU), p(recB)))
	if l.spec.Type == LayerALSTM && b.ok(out) {
		att := &attnOp{name: name, batch: d.batch, steps: d.steps, units: d.units, lens: b.gr.lens}
		return act{flat: b.keep(G.ApplyOp(att, out, p(recWa), p(recBa), p(recVa)))}
	}
	if l.spec.ReturnSequences {
		return act{seq: out, seqSteps: d.steps}
	}
	return act{flat: out}
}

// packedGrad holds what the derivative ops of the fused layers share: they
// take their forward op's matrix inputs and the output's gradient, and
// return every input's gradient packed into one vector of total values
// (cut apart again by unpack).
type packedGrad struct {
	inputs int // matrix inputs, the output's gradient included
	total  int
}

func (g packedGrad) Arity() int { return g.inputs }
func (g packedGrad) Type() hm.Type {
	ts := make([]hm.Type, g.inputs+1)
	for i := range g.inputs {
		ts[i] = matType()
	}
	ts[g.inputs] = vecType()
	return hm.NewFnType(ts...)
}
func (g packedGrad) InferShape(...G.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{g.total}, nil
}
func (g packedGrad) ReturnsPtr() bool     { return false }
func (g packedGrad) CallsExtern() bool    { return false }
func (g packedGrad) OverwritesInput() int { return -1 }
