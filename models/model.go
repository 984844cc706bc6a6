package models

import (
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// Model is a network with its weights and cached training and evaluation
// graphs. The zero value is not usable; build one with New or Load. A
// Model is not safe for concurrent use: use a Predictor to serve
// predictions from several goroutines.
type Model struct {
	spec   Spec
	layers []layerPlan
	info   []paramInfo
	params [][]float32 // weights, one slice per paramInfo, row-major

	weights []tensor.Tensor // graph-shaped views of params, built lazily
	graphs  map[graphKey]*graph
}

// New builds a model for spec with weights initialised from seed (see the
// package documentation for the schemes). An invalid spec gives a
// *SpecError wrapping ErrInvalidSpec.
func New(spec Spec, seed int64) (*Model, error) {
	layers, info, err := plan(spec)
	if err != nil {
		return nil, err
	}
	m := &Model{
		spec:   cloneSpec(spec),
		layers: layers,
		info:   info,
		params: make([][]float32, len(info)),
		graphs: make(map[graphKey]*graph),
	}
	for i, p := range info {
		m.params[i] = make([]float32, p.size())
	}
	m.initWeights(seed)
	return m, nil
}

// initWeights fills the weights from seed: Glorot-uniform kernels (He-uniform
// before relu/leaky_relu), orthogonal recurrent kernels, zero biases.
func (m *Model) initWeights(seed int64) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6465657066696e31)) // "deepfin1"
	uniform := func(dst []float32, limit float64) {
		for i := range dst {
			dst[i] = float32((2*rng.Float64() - 1) * limit)
		}
	}
	m.initLayers(m.layers, rng, uniform)
}

// initLayers initialises the weights of layers (recursively).
func (m *Model) initLayers(layers []layerPlan, rng *rand.Rand, uniform func([]float32, float64)) {
	for li, l := range layers {
		switch l.spec.Type {
		case LayerConv2D:
			// He-uniform over the fan-in c·kh·kw.
			uniform(m.params[l.params[0]], math.Sqrt(6/float64(l.conv.k())))
		case LayerBatchNorm:
			fill(m.params[l.params[0]], 1) // gamma
			fill(m.params[l.params[3]], 1) // running variance
		case LayerResidual:
			m.initLayers(l.branch, rng, uniform)
			m.initLayers(l.shortcut, rng, uniform)
		case LayerDense:
			w := m.info[l.params[0]].shape
			fanIn, fanOut := float64(w[0]), float64(w[1])
			limit := math.Sqrt(6 / (fanIn + fanOut))
			if li+1 < len(layers) {
				if next := layers[li+1].spec.Type; next == LayerReLU || next == LayerLeakyReLU {
					limit = math.Sqrt(6 / fanIn)
				}
			}
			uniform(m.params[l.params[0]], limit)
		case LayerGRU:
			f, h := l.in[1], l.spec.Units
			for k := gruWz; k <= gruWn; k++ {
				uniform(m.params[l.params[k]], math.Sqrt(6/float64(f+h)))
			}
			for k := gruUz; k <= gruUn; k++ {
				orthogonal(m.params[l.params[k]], h, rng)
			}
		case LayerRNN, LayerLSTM, LayerALSTM:
			m.initRecurrent(l, rng)
		case LayerEmbedding, LayerConv1D:
			m.initText(l, rng, uniform)
		}
	}
}

func fill(dst []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}

// orthogonal fills dst (n×n, row-major) with a random orthogonal matrix:
// Gram-Schmidt on the rows of a standard normal matrix.
func orthogonal(dst []float32, n int, rng *rand.Rand) {
	a := make([]float64, n*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	for i := 0; i < n; i++ {
		row := a[i*n : (i+1)*n]
		for j := 0; j < i; j++ {
			prev := a[j*n : (j+1)*n]
			var dot float64
			for k := range row {
				dot += row[k] * prev[k]
			}
			for k := range row {
				row[k] -= dot * prev[k]
			}
		}
		var norm float64
		for _, v := range row {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		if norm < 1e-12 { // practically impossible; fall back to a unit vector
			clear(row)
			row[i] = 1
			norm = 1
		}
		for k := range row {
			row[k] /= norm
		}
	}
	for i, v := range a {
		dst[i] = float32(v)
	}
}

// Spec returns a copy of the model's spec.
func (m *Model) Spec() Spec { return cloneSpec(m.spec) }

// NumParams returns the number of trainable scalar weights; saved
// state that is not trained (batch_norm's running statistics) is not
// counted.
func (m *Model) NumParams() int {
	n := 0
	for i, p := range m.params {
		if !m.info[i].buffer {
			n += len(p)
		}
	}
	return n
}

// Outputs returns the number of output values per sample.
func (m *Model) Outputs() int { return m.layers[len(m.layers)-1].out.size() }

// Inputs returns the number of input values per sample, the product of
// Spec.Input.
func (m *Model) Inputs() int { return shape(m.spec.Input).size() }

// snapshot returns a deep copy of the weights.
func (m *Model) snapshot() [][]float32 {
	out := make([][]float32, len(m.params))
	for i, p := range m.params {
		out[i] = append([]float32(nil), p...)
	}
	return out
}

// restore copies weights saved by snapshot back into place.
func (m *Model) restore(w [][]float32) {
	for i, p := range w {
		copy(m.params[i], p)
	}
}
