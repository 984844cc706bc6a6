package models

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// gruOp runs a GRU layer over a whole sequence. Inputs: x [B, T·F], then
// the layer's weights in gru parameter order (wz, wr, wn [F, H]; uz, ur,
// un [H, H]; bz, br, bn, bhn [1, H]); output [B, T·H] (seq) or [B, H].
type gruOp struct {
	name                    string // the layer's parameter prefix, unique in the graph
	batch, steps, in, units int
	seq                     bool
	needDX                  bool // false when x is a graph input
	lens                    *seqLens

	c32 *gruCell[float32]
	c64 *gruCell[float64]
}

// gruArity is the number of inputs of a gruOp: x and the ten weights.
const gruArity = 1 + gruNumParams

func (op *gruOp) Arity() int { return gruArity }
func (op *gruOp) Type() hm.Type {
	ts := make([]hm.Type, gruArity+1)
	for i := range ts {
		ts[i] = matType()
	}
	return hm.NewFnType(ts...)
}
func (op *gruOp) outShape() tensor.Shape {
	if op.seq {
		return tensor.Shape{op.batch, op.steps * op.units}
	}
	return tensor.Shape{op.batch, op.units}
}
func (op *gruOp) InferShape(...G.DimSizer) (tensor.Shape, error) { return op.outShape(), nil }
func (op *gruOp) ReturnsPtr() bool                               { return false }
func (op *gruOp) CallsExtern() bool                              { return false }
func (op *gruOp) OverwritesInput() int                           { return -1 }
func (op *gruOp) WriteHash(h hash.Hash)                          { fmt.Fprint(h, op.String()) }
func (op *gruOp) Hashcode() uint32                               { return opHash(op) }
func (op *gruOp) String() string                                 { return fmt.Sprintf("fusedGRU(%s,%v)", op.name, op.seq) }

// inputShapes returns the graph shapes of the op's inputs, in order.
func (op *gruOp) inputShapes() [][]int {
	f, h := op.in, op.units
	out := [][]int{{op.batch, op.steps * f}}
	for k := range gruNumParams {
		switch {
		case k <= gruWn:
			out = append(out, []int{f, h})
		case k <= gruUn:
			out = append(out, []int{h, h})
		default:
			out = append(out, []int{1, h})
		}
	}
	return out
}

func (op *gruOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != gruArity {
		return nil, fmt.Errorf("models: %s: %d inputs, want %d", op, len(vs), gruArity)
	}
	switch vs[0].Data().(type) {
	case []float32:
		if op.c32 == nil {
			op.c32 = newGRUCell[float32](op.batch, op.steps, op.in, op.units, op.lens)
		}
		return gruDo(op, op.c32, vs)
	case []float64:
		if op.c64 == nil {
			op.c64 = newGRUCell[float64](op.batch, op.steps, op.in, op.units, op.lens)
		}
		return gruDo(op, op.c64, vs)
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

// gruInputs returns the data of x and the ten weights.
func gruInputs[T float](vs []G.Value) ([]T, [10][]T, error) {
	var ws [10][]T
	x, err := dataOf[T](vs[0])
	if err != nil {
		return nil, ws, err
	}
	for k := range ws {
		if ws[k], err = dataOf[T](vs[1+k]); err != nil {
			return nil, ws, err
		}
	}
	return x, ws, nil
}

func gruDo[T float](op *gruOp, c *gruCell[T], vs []G.Value) (G.Value, error) {
	x, ws, err := gruInputs[T](vs)
	if err != nil {
		return nil, err
	}
	shp := op.outShape()
	out := make([]T, shp.TotalSize())
	c.forward(out, x, ws, op.seq)
	return newValue(out, shp...), nil
}

func (op *gruOp) DiffWRT(int) []bool {
	d := make([]bool, gruArity)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op *gruOp) SymDiff(inputs G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	sizes := op.inputShapes()
	args := append(append(G.Nodes(nil), inputs...), grad)
	packed, err := G.ApplyOp(&gruGradOp{packedGrad: packedGrad{inputs: gruArity + 1, total: totalSize(sizes)}, fwd: op}, args...)
	if err != nil {
		return nil, err
	}
	return unpack(packed, sizes)
}

// gruGradOp is gruOp's derivative: inputs those of gruOp and the output's
// gradient; output the packed gradients of every input (x's is zero when
// the forward op does not need it).
type gruGradOp struct {
	packedGrad
	fwd *gruOp
}

func (op *gruGradOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op *gruGradOp) Hashcode() uint32      { return opHash(op) }
func (op *gruGradOp) String() string        { return "grad·" + op.fwd.String() }

func (op *gruGradOp) Do(vs ...G.Value) (G.Value, error) {
	if len(vs) != gruArity+1 {
		return nil, fmt.Errorf("models: %s: %d inputs, want %d", op, len(vs), gruArity+1)
	}
	switch vs[0].Data().(type) {
	case []float32:
		return gruGradDo(op, op.fwd.c32, vs)
	case []float64:
		return gruGradDo(op, op.fwd.c64, vs)
	}
	return nil, fmt.Errorf("models: %s: unsupported dtype %T", op, vs[0].Data())
}

func gruGradDo[T float](op *gruGradOp, c *gruCell[T], vs []G.Value) (G.Value, error) {
	if c == nil {
		return nil, fmt.Errorf("models: %s: backward before forward", op)
	}
	x, ws, err := gruInputs[T](vs)
	if err != nil {
		return nil, err
	}
	g, err := dataOf[T](vs[gruArity])
	if err != nil {
		return nil, err
	}
	out := make([]T, op.total)
	dx := out[:len(x)]
	off := len(x)
	var gs [10][]T
	for k := range gs {
		gs[k] = out[off : off+len(ws[k])]
		off += len(ws[k])
	}
	if !op.fwd.needDX {
		dx = nil
	}
	c.backward(g, x, dx, gs, op.fwd.seq)
	return newValue(out, op.total), nil
}

// fusedGRU builds a gru layer on the sequence a.
func (b *builder) fusedGRU(a act, l layerPlan) act {
	x := b.asFlat(a)
	if !b.ok(x) {
		return act{}
	}
	args := G.Nodes{x}
	for k := range gruNumParams {
		args = append(args, b.param(l.params[k]))
	}
	op := &gruOp{
		name: b.gr.params[l.params[0]].Name(), batch: b.gr.batch, steps: l.in[0], in: l.in[1], units: l.spec.Units,
		seq: l.spec.ReturnSequences, needDX: x != b.gr.xNode, lens: b.gr.lens,
	}
	out := b.keep(G.ApplyOp(op, args...))
	if l.spec.ReturnSequences {
		return act{seq: out, seqSteps: op.steps}
	}
	return act{flat: out}
}
