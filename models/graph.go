package models

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// minGraphBatch is the smallest batch a graph is built for: with one row,
// gorgonia's row slices collapse to vectors, so smaller batches are padded.
const minGraphBatch = 2

// graphKey identifies a cached graph.
type graphKey struct {
	batch int
	loss  string // empty for evaluation graphs
}

// graph is a compiled gorgonia graph with a fixed batch size whose weight
// nodes share the model's weight tensors. Inputs are tensors owned by the
// graph; callers fill their backing arrays before each run.
type graph struct {
	g     *G.ExprGraph
	vm    G.VM
	batch int
	steps int // sequence length of the input; 0 for a flat input
	// rows is the number of real (non-padding) rows of the current
	// batch, set by fillX; batch_norm computes its statistics over them.
	rows int
	// inNode is the input node of a flat or image input (nil for a
	// sequence); layers need no gradient with respect to it.
	inNode *G.Node

	// x is the input: one [batch, inputs] tensor for a flat input, or one
	// [batch, features] tensor per step for a sequence input. (Sequences
	// are kept as separate step nodes because gorgonia's row Slice gives
	// wrong values on large tensors.)
	x []*tensor.Dense
	// y ([batch, outputs]) and w ([batch], per-row loss weights) exist in
	// training graphs only.
	y, w *tensor.Dense
	// masks are the dropout masks of a training graph, in layer order,
	// with their rates.
	masks     []*tensor.Dense
	maskRates []float64

	// xNode is the single [batch, steps×features] input node of a
	// sequence graph whose first layer is a fused recurrent layer; lens
	// holds the valid length of each row for those layers.
	xNode *G.Node
	lens  *seqLens

	params []*G.Node // weight nodes in Model.info order
	used   []bool    // whether params[i] takes part in the graph

	out     *G.Node
	outVal  G.Value
	lossVal G.Value
}

// run executes the graph once.
func (gr *graph) run() error {
	gr.vm.Reset()
	if err := gr.vm.RunAll(); err != nil {
		return fmt.Errorf("models: gorgonia run: %w", err)
	}
	return nil
}

// graphShape is the shape of a weight in the graph, always a matrix:
// biases are [1, n], a conv2d kernel [f, c·kh·kw] is [f, c·kh·kw].
func graphShape(p paramInfo) []int {
	switch len(p.shape) {
	case 1:
		return []int{1, p.shape[0]}
	case 2:
		return p.shape
	}
	return []int{p.shape[0], shape(p.shape[1:]).size()}
}

// builder assembles a graph with a sticky error, so that construction
// reads as straight-line code. Every method returns nil once an error is
// recorded.
type builder struct {
	gr    *graph
	dt    tensor.Dtype
	err   error
	train bool
	vals  []tensor.Tensor // the weight tensors, in Model.info order
	nOps  int             // kernel ops created, for unique op ids
	nMask int             // dropout masks created, for unique names
}

func (b *builder) keep(n *G.Node, err error) *G.Node {
	if err != nil && b.err == nil {
		b.err = err
	}
	if b.err != nil {
		return nil
	}
	return n
}

func (b *builder) ok(ns ...*G.Node) bool {
	if b.err != nil {
		return false
	}
	for _, n := range ns {
		if n == nil {
			b.err = fmt.Errorf("models: internal error: nil node")
			return false
		}
	}
	return true
}

func (b *builder) mul(x, y *G.Node) *G.Node {
	if !b.ok(x, y) {
		return nil
	}
	return b.keep(G.Mul(x, y))
}

func (b *builder) add(x, y *G.Node) *G.Node {
	if !b.ok(x, y) {
		return nil
	}
	return b.keep(G.Add(x, y))
}

func (b *builder) sub(x, y *G.Node) *G.Node {
	if !b.ok(x, y) {
		return nil
	}
	return b.keep(G.Sub(x, y))
}

func (b *builder) prod(x, y *G.Node) *G.Node {
	if !b.ok(x, y) {
		return nil
	}
	return b.keep(G.HadamardProd(x, y))
}

// addBias adds a [1, n] bias to every row of x.
func (b *builder) addBias(x, bias *G.Node) *G.Node {
	if !b.ok(x, bias) {
		return nil
	}
	return b.keep(G.BroadcastAdd(x, bias, nil, []byte{0}))
}

func (b *builder) unary(f func(*G.Node) (*G.Node, error), x *G.Node) *G.Node {
	if !b.ok(x) {
		return nil
	}
	return b.keep(f(x))
}

func (b *builder) sum(x *G.Node, along ...int) *G.Node {
	if !b.ok(x) {
		return nil
	}
	return b.keep(G.Sum(x, along...))
}

func (b *builder) concat(axis int, xs ...*G.Node) *G.Node {
	if !b.ok(xs...) {
		return nil
	}
	if len(xs) == 1 {
		return xs[0]
	}
	return b.keep(G.Concat(axis, xs...))
}

// input creates a matrix input node bound to a fresh zero tensor.
func (b *builder) input(name string, shp ...int) (*G.Node, *tensor.Dense) {
	t := tensor.New(tensor.Of(b.dt), tensor.WithShape(shp...))
	var n *G.Node
	if len(shp) == 1 {
		n = G.NewVector(b.gr.g, b.dt, G.WithShape(shp...), G.WithName(name), G.WithValue(t))
	} else {
		n = G.NewMatrix(b.gr.g, b.dt, G.WithShape(shp...), G.WithName(name), G.WithValue(t))
	}
	return n, t
}

// param returns the node of weight i and marks it used.
func (b *builder) param(i int) *G.Node {
	b.gr.used[i] = true
	return b.gr.params[i]
}

// act is a batch of activations: a flat [batch, size] node, a sequence
// of steps × [batch, features] nodes, or a sequence held in one
// [batch, steps×features] node (seq, with seqSteps steps). Exactly one
// of flat, steps and seq is set.
type act struct {
	flat     *G.Node
	steps    []*G.Node
	seq      *G.Node
	seqSteps int
}

// asFlat flattens a sequence time-major: [batch, steps×features].
func (b *builder) asFlat(a act) *G.Node {
	if a.flat != nil {
		return a.flat
	}
	if a.seq != nil {
		return a.seq
	}
	return b.concat(1, a.steps...)
}

// mapAct applies f to every node of a.
func (b *builder) mapAct(a act, f func(*G.Node) *G.Node) act {
	if a.flat != nil {
		return act{flat: f(a.flat)}
	}
	if a.seq != nil {
		return act{seq: f(a.seq), seqSteps: a.seqSteps}
	}
	out := make([]*G.Node, len(a.steps))
	for i, s := range a.steps {
		out[i] = f(s)
	}
	return act{steps: out}
}

// buildGraph builds and compiles a graph over the weight tensors vals (one
// per info entry, in graph shape, of dtype dt). A training graph (loss not
// empty) has target, loss-weight and dropout-mask inputs and computes the
// gradients of the loss; an evaluation graph computes the outputs only.
func buildGraph(layers []layerPlan, info []paramInfo, vals []tensor.Tensor, dt tensor.Dtype, batch int, loss string) (*graph, error) {
	if batch < minGraphBatch {
		panic(fmt.Sprintf("models: internal error: graph batch %d < %d", batch, minGraphBatch))
	}
	train := loss != ""
	gr := &graph{
		g:      G.NewGraph(),
		batch:  batch,
		params: make([]*G.Node, len(info)),
		used:   make([]bool, len(info)),
		lens:   &seqLens{},
	}
	b := &builder{gr: gr, dt: dt, train: train, vals: vals}
	for i, p := range info {
		shp := graphShape(p)
		gr.params[i] = G.NewMatrix(gr.g, dt, G.WithShape(shp...), G.WithName(p.name), G.WithValue(vals[i]))
	}

	// Input.
	in := layers[0].in
	var a act
	if in.isSeq() && isFused(layers[0].spec.Type) {
		xn, xt := b.input("x", batch, in.size())
		a = act{seq: xn, seqSteps: in[0]}
		gr.x, gr.xNode = []*tensor.Dense{xt}, xn
	} else if in.isSeq() {
		gr.steps = in[0]
		a.steps = make([]*G.Node, in[0])
		for t := range a.steps {
			xn, xt := b.input(fmt.Sprintf("x%d", t), batch, in[1])
			a.steps[t] = xn
			gr.x = append(gr.x, xt)
		}
	} else {
		xn, xt := b.input("x", batch, in.size())
		a = act{flat: xn}
		gr.inNode = xn
		gr.x = []*tensor.Dense{xt}
	}

	// Layers.
	a = b.layers(a, layers)
	gr.out = b.asFlat(a)

	// Loss and gradients, or outputs only.
	if b.err == nil {
		if train {
			b.lossAndGrad(loss)
		} else {
			G.Read(gr.out, &gr.outVal)
		}
	}
	if b.err != nil {
		return nil, fmt.Errorf("models: build graph: %w", b.err)
	}
	if train {
		var wrt []*G.Node
		for i, n := range gr.params {
			if gr.used[i] {
				wrt = append(wrt, n)
			}
		}
		gr.vm = G.NewTapeMachine(gr.g, G.BindDualValues(wrt...))
	} else {
		gr.vm = G.NewTapeMachine(gr.g)
	}
	return gr, nil
}

// layers applies layers to a.
func (b *builder) layers(a act, layers []layerPlan) act {
	for _, l := range layers {
		switch l.spec.Type {
		case LayerDense:
			a = act{flat: b.addBias(b.mul(b.asFlat(a), b.param(l.params[0])), b.param(l.params[1]))}
		case LayerReLU:
			a = b.mapAct(a, func(x *G.Node) *G.Node { return b.leaky(x, 0) })
		case LayerTanh:
			a = b.mapAct(a, func(x *G.Node) *G.Node { return b.unary(G.Tanh, x) })
		case LayerSigmoid:
			a = b.mapAct(a, func(x *G.Node) *G.Node { return b.unary(G.Sigmoid, x) })
		case LayerLeakyReLU:
			alpha := leakyAlpha(l.spec)
			a = b.mapAct(a, func(x *G.Node) *G.Node { return b.leaky(x, alpha) })
		case LayerDropout:
			if !b.train || l.spec.Rate == 0 {
				continue
			}
			a = b.mapAct(a, func(x *G.Node) *G.Node {
				if !b.ok(x) {
					return nil
				}
				shp := x.Shape()
				mn, mt := b.input(fmt.Sprintf("mask%d", b.nMask), shp[0], shp[1])
				b.nMask++
				b.gr.masks = append(b.gr.masks, mt)
				b.gr.maskRates = append(b.gr.maskRates, l.spec.Rate)
				return b.prod(x, mn)
			})
		case LayerGRU:
			a = b.fusedGRU(a, l)
		case LayerRNN, LayerLSTM, LayerALSTM:
			a = b.fused(a, l)
		case LayerEmbedding, LayerConv1D, LayerGlobalMaxPool1D, LayerGlobalAvgPool1D:
			a = b.textLayer(a, l)
		case LayerConv2D:
			a = act{flat: b.conv2d(a.flat, l)}
		case LayerMaxPool2D, LayerAvgPool2D, LayerGlobalAvgPool:
			a = act{flat: b.pool(a.flat, l)}
		case LayerBatchNorm:
			a = act{flat: b.batchNorm(a.flat, l)}
		case LayerFlatten:
			a = act{flat: b.asFlat(a)}
		case LayerResidual:
			br := b.asFlat(b.layers(a, l.branch))
			sc := b.asFlat(a)
			if len(l.shortcut) > 0 {
				sc = b.asFlat(b.layers(a, l.shortcut))
			}
			a = act{flat: b.add(br, sc)}
		default:
			panic("models: internal error: unplanned layer " + l.spec.Type)
		}
	}
	return a
}

// lossAndGrad adds the target and loss-weight inputs, the loss and its
// gradients to a training graph. The loss is Σ_i w_i·ℓ_i over the batch
// rows, where ℓ_i is row i's loss summed over outputs and w_i the row's
// weight (zero for padding rows).
func (b *builder) lossAndGrad(loss string) {
	gr := b.gr
	shp := gr.out.Shape()
	yn, yt := b.input("y", shp[0], shp[1])
	wn, wt := b.input("w", shp[0])
	gr.y, gr.w = yt, wt

	var rowLoss *G.Node
	switch loss {
	case LossMSE:
		rowLoss = b.sum(b.unary(G.Square, b.sub(gr.out, yn)), 1)
	case LossBCELogits:
		rowLoss = b.sum(b.sub(b.unary(G.Softplus, gr.out), b.prod(gr.out, yn)), 1)
	case LossSoftmaxCE:
		ls := b.unary(func(x *G.Node) (*G.Node, error) { return G.LogSoftMax(x, 1) }, gr.out)
		rowLoss = b.unary(G.Neg, b.sum(b.prod(ls, yn), 1))
	default:
		panic("models: internal error: unknown loss " + loss)
	}
	cost := b.sum(b.prod(rowLoss, wn))
	if !b.ok(cost) {
		return
	}
	G.Read(cost, &gr.lossVal)
	var wrt []*G.Node
	for i, n := range gr.params {
		if gr.used[i] {
			wrt = append(wrt, n)
		}
	}
	if _, err := G.Grad(cost, wrt...); err != nil {
		b.err = err
	}
}

// tensors returns the model's float32 weight tensors in graph shape,
// sharing the backing arrays of m.params.
func (m *Model) tensors() []tensor.Tensor {
	out := make([]tensor.Tensor, len(m.info))
	for i, p := range m.info {
		out[i] = tensor.New(tensor.WithShape(graphShape(p)...), tensor.WithBacking(m.params[i]))
	}
	return out
}

// graphFor returns the cached graph for key, building it on first use.
func (m *Model) graphFor(key graphKey) (*graph, error) {
	if gr, ok := m.graphs[key]; ok {
		return gr, nil
	}
	if m.weights == nil {
		m.weights = m.tensors()
	}
	gr, err := buildGraph(m.layers, m.info, m.weights, tensor.Float32, key.batch, key.loss)
	if err != nil {
		return nil, err
	}
	m.graphs[key] = gr
	return gr, nil
}
