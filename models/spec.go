package models

import (
	"fmt"
	"math"
	"slices"
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
	// Image layers; see the package documentation.
	LayerConv2D        = "conv2d"
	LayerMaxPool2D     = "max_pool2d"
	LayerAvgPool2D     = "avg_pool2d"
	LayerGlobalAvgPool = "global_avg_pool2d"
	LayerBatchNorm     = "batch_norm"
	LayerFlatten       = "flatten"
	LayerResidual      = "residual"
)

// Defaults of batch_norm when LayerSpec.Momentum or Epsilon is zero.
const (
	DefaultBNMomentum = 0.1
	DefaultBNEpsilon  = 1e-5
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

	// Filters is the number of output channels of a conv2d layer (> 0).
	Filters int `json:"filters,omitempty"`
	// Kernel is the window of conv2d and the pooling layers: [k] for k×k
	// or [height, width].
	Kernel []int `json:"kernel,omitempty"`
	// Stride is [s] or [height, width]; empty means 1 for conv2d and the
	// kernel size for pooling.
	Stride []int `json:"stride,omitempty"`
	// Padding is [p] or [height, width] zero rows/columns added on each
	// side; empty means 0. Max pooling pads with −∞, average pooling
	// counts the padding zeros (as PyTorch's default).
	Padding []int `json:"padding,omitempty"`
	// Dilation is [d] or [height, width] of a conv2d layer; empty means 1.
	Dilation []int `json:"dilation,omitempty"`
	// NoBias drops the bias of a conv2d layer (as before batch_norm).
	NoBias bool `json:"no_bias,omitempty"`
	// Momentum is the running-statistics update rate of batch_norm,
	// running = (1−Momentum)·running + Momentum·batch; 0 means
	// DefaultBNMomentum.
	Momentum float64 `json:"momentum,omitempty"`
	// Epsilon is batch_norm's variance term; 0 means DefaultBNEpsilon.
	Epsilon float64 `json:"epsilon,omitempty"`
	// Branch and Shortcut are the two paths of a residual layer, whose
	// output is Branch(x) + Shortcut(x); an empty Shortcut is the
	// identity. Both must end in the same shape.
	Branch   []LayerSpec `json:"branch,omitempty"`
	Shortcut []LayerSpec `json:"shortcut,omitempty"`
	// Vocab is the number of rows (token ids 0..Vocab−1) of an embedding
	// layer, ≥ 2; Units is then the embedding dimension.
	Vocab int `json:"vocab,omitempty"`
}

// Spec describes a network: the per-sample input shape and the layers in
// order.
type Spec struct {
	// Input is the per-sample shape: [features], [steps, features] or
	// [channels, height, width] for an image, each > 0.
	Input []int `json:"input"`
	// Layers are applied in order; at least one.
	Layers []LayerSpec `json:"layers"`
}

// shape is a per-sample shape: [d] (flat), [steps, features] or
// [channels, height, width].
type shape []int

func (s shape) size() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func (s shape) isSeq() bool { return len(s) == 2 }

func (s shape) isImage() bool { return len(s) == 3 }

// paramInfo describes one weight tensor: its file name and shape (the
// shape also used in the graph: biases are [1, units] there and [units]
// on disk).
type paramInfo struct {
	name  string
	shape []int // on-disk shape
	// buffer marks state that is saved but not trained (batch_norm's
	// running statistics): no gradient, no optimizer update, not counted
	// by NumParams.
	buffer bool
}

func (p paramInfo) size() int { return shape(p.shape).size() }

// layerPlan is a validated layer with its resolved shapes and parameters.
type layerPlan struct {
	spec   LayerSpec
	in     shape
	out    shape
	params []int // indices into Model.params, in layer-specific order

	conv     convGeom    // conv2d and pooling geometry
	branch   []layerPlan // residual paths
	shortcut []layerPlan
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
	if len(spec.Input) < 1 || len(spec.Input) > 3 {
		return nil, nil, &SpecError{Layer: -1, Msg: fmt.Sprintf("input shape %v must have 1, 2 or 3 dimensions", spec.Input)}
	}
	for _, d := range spec.Input {
		if d <= 0 || d > maxUnits {
			return nil, nil, &SpecError{Layer: -1, Msg: fmt.Sprintf("input shape %v: every dimension must be in [1, %d]", spec.Input, maxUnits)}
		}
	}
	if shape(spec.Input).size() > maxInputs {
		return nil, nil, &SpecError{Layer: -1, Msg: fmt.Sprintf("input shape %v has more than %d values", spec.Input, maxInputs)}
	}
	if len(spec.Layers) == 0 {
		return nil, nil, &SpecError{Layer: -1, Msg: "no layers"}
	}
	var params []paramInfo
	layers, _, err := planLayers(spec.Layers, shape(append([]int(nil), spec.Input...)), "layers.", -1, &params)
	if err != nil {
		return nil, nil, err
	}
	return layers, params, nil
}

// maxInputs bounds the values of one sample (a 3×512×512 image fits).
const maxInputs = 1 << 20

// pair expands a [v] or [h, w] field; empty gives def.
func pair(v []int, def [2]int) ([2]int, bool) {
	switch len(v) {
	case 0:
		return def, true
	case 1:
		return [2]int{v[0], v[0]}, true
	case 2:
		return [2]int{v[0], v[1]}, true
	}
	return def, false
}

// planLayers plans specs applied to input cur; prefix names the
// parameters ("layers." at the top level) and top is the index of the
// enclosing top-level layer, or -1 at the top level.
func planLayers(specs []LayerSpec, cur shape, prefix string, top int, params *[]paramInfo) ([]layerPlan, shape, error) {
	var layers []layerPlan
	for i, ls := range specs {
		idx, where := i, ""
		if top >= 0 {
			idx, where = top, fmt.Sprintf("%s%d: ", prefix, i)
		}
		bad := func(format string, a ...any) error {
			return &SpecError{Layer: idx, Type: ls.Type, Msg: where + fmt.Sprintf(format, a...)}
		}
		lp := layerPlan{spec: ls, in: cur}
		addParam := func(kind, name string, buffer bool, shp ...int) {
			lp.params = append(lp.params, len(*params))
			*params = append(*params, paramInfo{name: fmt.Sprintf("%s%d.%s.%s", prefix, i, kind, name), shape: shp, buffer: buffer})
		}
		if ls.Type != LayerDense && !isRecurrent(ls.Type) && ls.Type != LayerEmbedding && ls.Units != 0 {
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
		if ls.Type != LayerEmbedding && ls.Vocab != 0 {
			return nil, nil, bad("vocab %d given to a layer that is not embedding", ls.Vocab)
		}
		if ls.Type == LayerConv1D && (len(ls.Stride) != 0 || len(ls.Padding) != 0 || len(ls.Dilation) != 0 || ls.NoBias) {
			return nil, nil, bad("conv1d takes filters and an odd kernel only (stride 1, same padding)")
		}
		if ls.Type != LayerConv2D && ls.Type != LayerConv1D && (ls.Filters != 0 || len(ls.Dilation) != 0 || ls.NoBias) {
			return nil, nil, bad("filters, dilation or no_bias given to a layer that is not conv2d")
		}
		isPool := ls.Type == LayerMaxPool2D || ls.Type == LayerAvgPool2D
		if ls.Type != LayerConv2D && ls.Type != LayerConv1D && !isPool && (len(ls.Kernel) != 0 || len(ls.Stride) != 0 || len(ls.Padding) != 0) {
			return nil, nil, bad("kernel, stride or padding given to a layer that is not conv2d or pooling")
		}
		if ls.Type != LayerBatchNorm && (ls.Momentum != 0 || ls.Epsilon != 0) {
			return nil, nil, bad("momentum or epsilon given to a layer that is not batch_norm")
		}
		if ls.Type != LayerResidual && (len(ls.Branch) != 0 || len(ls.Shortcut) != 0) {
			return nil, nil, bad("branch or shortcut given to a layer that is not residual")
		}
		switch ls.Type {
		case LayerDense:
			if ls.Units <= 0 || ls.Units > maxUnits {
				return nil, nil, bad("units %d not in [1, %d]", ls.Units, maxUnits)
			}
			addParam("dense", "w", false, cur.size(), ls.Units)
			addParam("dense", "b", false, ls.Units)
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
					addParam("gru", name, false, f, h)
				case k <= gruUn:
					addParam("gru", name, false, h, h)
				default:
					addParam("gru", name, false, h)
				}
			}
			if ls.ReturnSequences {
				cur = shape{cur[0], h}
			} else {
				cur = shape{h}
			}
		case LayerEmbedding, LayerConv1D, LayerGlobalMaxPool1D, LayerGlobalAvgPool1D:
			out, err := planText(ls, cur, top < 0 && i == 0, addParam)
			if err != nil {
				return nil, nil, bad("%s", err)
			}
			cur = out
		case LayerRNN, LayerLSTM, LayerALSTM:
			out, err := planRecurrent(ls, cur, addParam)
			if err != nil {
				return nil, nil, bad("%s", err)
			}
			cur = out
		case LayerConv2D, LayerMaxPool2D, LayerAvgPool2D:
			if !cur.isImage() {
				return nil, nil, bad("input shape %v is not [channels, height, width]", []int(cur))
			}
			k, ok1 := pair(ls.Kernel, [2]int{0, 0})
			defStride := [2]int{1, 1}
			if isPool {
				defStride = k
			}
			s, ok2 := pair(ls.Stride, defStride)
			p, ok3 := pair(ls.Padding, [2]int{0, 0})
			d, ok4 := pair(ls.Dilation, [2]int{1, 1})
			if !ok1 || !ok2 || !ok3 || !ok4 {
				return nil, nil, bad("kernel, stride, padding and dilation take 1 or 2 values")
			}
			if k[0] <= 0 || k[1] <= 0 || s[0] <= 0 || s[1] <= 0 || d[0] <= 0 || d[1] <= 0 || p[0] < 0 || p[1] < 0 {
				return nil, nil, bad("kernel %v, stride %v, dilation %v must be positive and padding %v non-negative", k, s, d, p)
			}
			if isPool && (p[0] > k[0]/2 || p[1] > k[1]/2) {
				return nil, nil, bad("padding %v exceeds half the kernel %v", p, k)
			}
			g := convGeom{c: cur[0], h: cur[1], w: cur[2], f: cur[0], kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1]}
			if ls.Type == LayerConv2D {
				if ls.Filters <= 0 || ls.Filters > maxUnits {
					return nil, nil, bad("filters %d not in [1, %d]", ls.Filters, maxUnits)
				}
				g.f = ls.Filters
			}
			g.oh = (g.h+2*g.ph-g.dh*(g.kh-1)-1)/g.sh + 1
			g.ow = (g.w+2*g.pw-g.dw*(g.kw-1)-1)/g.sw + 1
			if g.h+2*g.ph < g.dh*(g.kh-1)+1 || g.w+2*g.pw < g.dw*(g.kw-1)+1 {
				return nil, nil, bad("kernel %v (dilation %v) larger than the padded input %v", k, d, []int(cur))
			}
			lp.conv = g
			if ls.Type == LayerConv2D {
				addParam("conv2d", "w", false, g.f, g.c, g.kh, g.kw)
				if !ls.NoBias {
					addParam("conv2d", "b", false, g.f)
				}
			}
			cur = shape{g.f, g.oh, g.ow}
		case LayerGlobalAvgPool:
			if !cur.isImage() {
				return nil, nil, bad("input shape %v is not [channels, height, width]", []int(cur))
			}
			lp.conv = convGeom{c: cur[0], h: cur[1], w: cur[2], f: cur[0], kh: cur[1], kw: cur[2], sh: 1, sw: 1, dh: 1, dw: 1, oh: 1, ow: 1}
			cur = shape{cur[0]}
		case LayerBatchNorm:
			if !(ls.Momentum >= 0 && ls.Momentum <= 1) || !(ls.Epsilon >= 0) || math.IsInf(ls.Epsilon, 0) {
				return nil, nil, bad("momentum %g not in [0, 1] or epsilon %g negative", ls.Momentum, ls.Epsilon)
			}
			if cur.isSeq() {
				return nil, nil, bad("input shape %v: batch_norm takes flat or image input", []int(cur))
			}
			c := cur[0]
			addParam("batch_norm", "gamma", false, c)
			addParam("batch_norm", "beta", false, c)
			addParam("batch_norm", "running_mean", true, c)
			addParam("batch_norm", "running_var", true, c)
		case LayerFlatten:
			cur = shape{cur.size()}
		case LayerResidual:
			if len(ls.Branch) == 0 {
				return nil, nil, bad("residual needs a branch")
			}
			var err error
			var bo, so shape
			lp.branch, bo, err = planLayers(ls.Branch, cur, fmt.Sprintf("%s%d.branch.", prefix, i), idx, params)
			if err != nil {
				return nil, nil, err
			}
			so = cur
			if len(ls.Shortcut) > 0 {
				lp.shortcut, so, err = planLayers(ls.Shortcut, cur, fmt.Sprintf("%s%d.shortcut.", prefix, i), idx, params)
				if err != nil {
					return nil, nil, err
				}
			}
			if !slices.Equal(bo, so) {
				return nil, nil, bad("branch output %v differs from shortcut output %v", []int(bo), []int(so))
			}
			cur = bo
		default:
			return nil, nil, bad("unknown layer type %q", ls.Type)
		}
		lp.out = cur
		layers = append(layers, lp)
	}
	return layers, cur, nil
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
		Layers: cloneLayers(s.Layers),
	}
}

func cloneLayers(ls []LayerSpec) []LayerSpec {
	if ls == nil {
		return nil
	}
	out := make([]LayerSpec, len(ls))
	for i, l := range ls {
		l.Kernel = cloneInts(l.Kernel)
		l.Stride = cloneInts(l.Stride)
		l.Padding = cloneInts(l.Padding)
		l.Dilation = cloneInts(l.Dilation)
		l.Branch = cloneLayers(l.Branch)
		l.Shortcut = cloneLayers(l.Shortcut)
		out[i] = l
	}
	return out
}

func cloneInts(v []int) []int {
	if v == nil {
		return nil
	}
	return append([]int{}, v...)
}
