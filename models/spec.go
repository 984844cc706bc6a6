package models

import (
	"fmt"
	"math"
)

// Layer types accepted in LayerSpec.Type.
const (
	LayerDense     = "dense"
	LayerReLU      = "relu"
	LayerTanh      = "tanh"
	LayerSigmoid   = "sigmoid"
	LayerLeakyReLU = "leaky_relu"
	LayerDropout   = "dropout"
	LayerGRU       = "gru"
	LayerRNN       = "rnn"
	LayerLSTM      = "lstm"
	LayerALSTM     = "alstm"
)

// DefaultLeakyAlpha is the negative-side slope of leaky_relu when
// LayerSpec.Alpha is zero.
const DefaultLeakyAlpha = 0.01

// maxUnits bounds Units and input sizes so that a typo cannot allocate
// gigabytes.
const maxUnits = 1 << 16

// LayerSpec describes one layer. Fields that do not apply to Type must be
// zero; New rejects them.
type LayerSpec struct {
	// Type is one of the Layer* constants.
	Type string `json:"type"`
	// Units is the output width of dense layers and the state width of
	// recurrent layers (gru, rnn, lstm, alstm), > 0.
	Units int `json:"units,omitempty"`
	// Rate is the dropout probability of a dropout layer, in [0, 1).
	Rate float64 `json:"rate,omitempty"`
	// ReturnSequences makes a gru, rnn or lstm layer output every step's
	// state [steps, units] instead of the last one [units]. Rejected for
	// alstm, which pools the steps itself.
	ReturnSequences bool `json:"return_sequences,omitempty"`
	// Alpha is the negative-side slope of leaky_relu; 0 means
	// DefaultLeakyAlpha. (An addition to the shared contract.)
	Alpha float64 `json:"alpha,omitempty"`
	// Activation is the state activation of an rnn layer: ActTanh (the
	// default when empty) or ActReLU. Rejected for other layers.
	Activation string `json:"activation,omitempty"`
}

// Spec describes a network: the per-sample input shape and the layers in
// order.
type Spec struct {
	// Input is the per-sample shape: [features] or [steps, features], each
	// > 0.
	Input []int `json:"input"`
	// Layers are applied in order; at least one.
	Layers []LayerSpec `json:"layers"`
}

// shape is a per-sample shape: [d] (flat) or [steps, features].
type shape []int

func (s shape) size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func (s shape) isSeq() bool { return len(s) == 2 }

// paramInfo describes one weight tensor: its file name and shape (the
// shape also used in the graph: biases are [1, units] there and [units]
// on disk).
type paramInfo struct {
	name  string
	shape []int // on-disk shape
}

func (p paramInfo) size() int { return shape(p.shape).size() }

// layerPlan is a validated layer with its resolved shapes and parameters.
type layerPlan struct {
	spec   LayerSpec
	in     shape
	out    shape
	params []int // indices into Model.params, in layer-specific order
}

// GRU parameter order within layerPlan.params.
const (
	gruWz = iota
	gruWr
	gruWn
	gruUz
	gruUr
	gruUn
	gruBz
	gruBr
	gruBn
	gruBhn
	gruNumParams
)

// gruParamName returns the file name suffix of GRU parameter k.
func gruParamName(k int) string {
	return [gruNumParams]string{"w_z", "w_r", "w_n", "u_z", "u_r", "u_n", "b_z", "b_r", "b_n", "b_hn"}[k]
}

// plan validates spec and returns its layers and parameters.
func plan(spec Spec) ([]layerPlan, []paramInfo, error) {
	if len(spec.Input) < 1 || len(spec.Input) > 2 {
		return nil, nil, &SpecError{Layer: -1, Msg: fmt.Sprintf("input shape %v must have 1 or 2 dimensions", spec.Input)}
	}
	for _, d := range spec.Input {
		if d <= 0 || d > maxUnits {
			return nil, nil, &SpecError{Layer: -1, Msg: fmt.Sprintf("input shape %v: every dimension must be in [1, %d]", spec.Input, maxUnits)}
		}
	}
	if len(spec.Layers) == 0 {
		return nil, nil, &SpecError{Layer: -1, Msg: "no layers"}
	}

	var (
		layers []layerPlan
		params []paramInfo
	)
	cur := shape(append([]int(nil), spec.Input...))
	for i, ls := range spec.Layers {
		bad := func(format string, a ...any) error {
			return &SpecError{Layer: i, Type: ls.Type, Msg: fmt.Sprintf(format, a...)}
		}
		lp := layerPlan{spec: ls, in: cur}
		addParam := func(kind, name string, shp ...int) {
			lp.params = append(lp.params, len(params))
			params = append(params, paramInfo{name: fmt.Sprintf("layers.%d.%s.%s", i, kind, name), shape: shp})
		}
		if ls.Type != LayerDense && !isRecurrent(ls.Type) && ls.Units != 0 {
			return nil, nil, bad("units %d given to a layer without units", ls.Units)
		}
		if ls.Type != LayerDropout && ls.Rate != 0 {
			return nil, nil, bad("rate %g given to a layer that is not dropout", ls.Rate)
		}
		if !isRecurrent(ls.Type) && ls.ReturnSequences {
			return nil, nil, bad("return_sequences given to a layer that is not recurrent")
		}
		if ls.Type != LayerRNN && ls.Activation != "" {
			return nil, nil, bad("activation %q given to a layer that is not rnn", ls.Activation)
		}
		if ls.Type != LayerLeakyReLU && ls.Alpha != 0 {
			return nil, nil, bad("alpha %g given to a layer that is not leaky_relu", ls.Alpha)
		}
		switch ls.Type {
		case LayerDense:
			if ls.Units <= 0 || ls.Units > maxUnits {
				return nil, nil, bad("units %d not in [1, %d]", ls.Units, maxUnits)
			}
			addParam("dense", "w", cur.size(), ls.Units)
			addParam("dense", "b", ls.Units)
			cur = shape{ls.Units}
		case LayerReLU, LayerTanh, LayerSigmoid:
		case LayerLeakyReLU:
			if math.IsNaN(ls.Alpha) || math.IsInf(ls.Alpha, 0) {
				return nil, nil, bad("alpha %g is not finite", ls.Alpha)
			}
		case LayerDropout:
			if !(ls.Rate >= 0 && ls.Rate < 1) {
				return nil, nil, bad("rate %g not in [0, 1)", ls.Rate)
			}
		case LayerGRU:
			if !cur.isSeq() {
				return nil, nil, bad("input shape %v is not [steps, features]", []int(cur))
			}
			if ls.Units <= 0 || ls.Units > maxUnits {
				return nil, nil, bad("units %d not in [1, %d]", ls.Units, maxUnits)
			}
			f, h := cur[1], ls.Units
			for k := range gruNumParams {
				name := gruParamName(k)
				switch {
				case k <= gruWn:
					addParam("gru", name, f, h)
				case k <= gruUn:
					addParam("gru", name, h, h)
				default:
					addParam("gru", name, h)
				}
			}
			if ls.ReturnSequences {
				cur = shape{cur[0], h}
			} else {
				cur = shape{h}
			}
		case LayerRNN, LayerLSTM, LayerALSTM:
			out, err := planRecurrent(ls, cur, addParam)
			if err != nil {
				return nil, nil, bad("%s", err)
			}
			cur = out
		default:
			return nil, nil, bad("unknown layer type %q", ls.Type)
		}
		lp.out = cur
		layers = append(layers, lp)
	}
	return layers, params, nil
}

// leakyAlpha returns the slope of a leaky_relu layer.
func leakyAlpha(ls LayerSpec) float64 {
	if ls.Alpha == 0 {
		return DefaultLeakyAlpha
	}
	return ls.Alpha
}

// cloneSpec returns a deep copy of s.
func cloneSpec(s Spec) Spec {
	return Spec{
		Input:  append([]int(nil), s.Input...),
		Layers: append([]LayerSpec(nil), s.Layers...),
	}
}
