package models

import "fmt"

// Unequal sequence lengths.
//
// A Dataset may give each sample's valid length in Lengths: sample i's
// steps [0, Lengths[i]) are real and the rest are padding, whose values
// are ignored (any finite values will do; zeros are usual). The fused
// layers (gru, rnn, lstm, alstm) do not update their state on padded steps, so
// their last output is the state after the last valid step, a
// return_sequences output is zero on padded steps, and alstm attends over
// the valid steps only. A padded sample therefore gives exactly the
// output of the same sample cut to its length. Only models whose every
// sequence-consuming layer is a fused recurrent layer, a text layer
// (embedding, conv1d, the 1-D global poolings) or elementwise
// (activations, dropout) accept lengths: a dense layer applied to a
// whole sequence would see the padding.

// checkLengths validates per-sample lengths for n samples; what names the
// dataset in errors. nil is valid (every sample has all steps).
func (m *Model) checkLengths(what string, lengths []int, n int) error {
	if lengths == nil {
		return nil
	}
	in := shape(m.spec.Input)
	steps := lengthSteps(in, m.layers)
	if steps == 0 {
		return fmt.Errorf("models: %s: lengths given to a model with flat input %v: %w", what, []int(in), ErrDataShape)
	}
	if len(lengths) != n {
		return fmt.Errorf("models: %s: %d lengths for %d samples: %w", what, len(lengths), n, ErrDataShape)
	}
	for i, l := range lengths {
		if l < 1 || l > steps {
			return fmt.Errorf("models: %s: lengths[%d] = %d not in [1, %d]: %w", what, i, l, steps, ErrDataShape)
		}
	}
	for i, l := range m.layers {
		if !l.in.isSeq() && l.spec.Type != LayerEmbedding {
			break
		}
		switch l.spec.Type {
		case LayerEmbedding, LayerConv1D, LayerGlobalMaxPool1D, LayerGlobalAvgPool1D:
		case LayerGRU, LayerRNN, LayerLSTM, LayerALSTM, LayerReLU, LayerTanh, LayerSigmoid, LayerLeakyReLU, LayerDropout:
		default:
			return fmt.Errorf("models: %s: lengths need fused recurrent layers, but layer %d (%s) reads the whole padded sequence: %w",
				what, i, l.spec.Type, ErrDataShape)
		}
	}
	return nil
}

// setLens sets the graph's row lengths for one run: row i < len(rows)
// gets lengths[rows[i]], padding rows get the full length. nil lengths
// clear them.
func setLens(gr *graph, lengths []int, rows []int, steps int) {
	if lengths == nil {
		gr.lens.n = nil
		return
	}
	if gr.lens.n == nil {
		gr.lens.n = make([]int, gr.batch)
	}
	for i := range gr.lens.n {
		if i < len(rows) {
			gr.lens.n[i] = lengths[rows[i]]
		} else {
			gr.lens.n[i] = steps
		}
	}
}

// PredictLengths is Predict for padded sequences: lengths holds each
// sample's valid number of steps (see Dataset.Lengths); nil means every
// sample is complete. Bad lengths give an error wrapping ErrDataShape.
func (m *Model) PredictLengths(x []float32, lengths []int, n int) ([]float32, error) {
	if err := m.checkLengths("predict", lengths, n); err != nil {
		return nil, err
	}
	return m.predict(x, lengths, n)
}

// PredictLengths is Predict for padded sequences: lengths holds the valid
// number of steps of each sample in x (see Dataset.Lengths); nil means
// every sample is complete. Lengths out of [1, steps], a count that does
// not match x, or a model that cannot mask give an error wrapping
// ErrDataShape.
func (p *Predictor) PredictLengths(dst, x []float32, lengths []int) ([]float32, error) {
	if lengths == nil {
		return p.Predict(dst, x)
	}
	if len(x)%p.in != 0 {
		return dst, fmt.Errorf("models: predictor: x has %d values, not a multiple of %d inputs: %w", len(x), p.in, ErrDataShape)
	}
	if err := p.checkLengths(lengths, len(x)/p.in); err != nil {
		return dst, err
	}
	return p.predict(dst, x, lengths)
}

// checkLengths validates lengths against the Predictor's layers.
func (p *Predictor) checkLengths(lengths []int, n int) error {
	if len(p.layers) == 0 || lengthSteps(p.layers[0].plan.in, []layerPlan{p.layers[0].plan}) == 0 {
		return fmt.Errorf("models: predictor: lengths given to a model with flat input: %w", ErrDataShape)
	}
	m := &Model{spec: Spec{Input: p.layers[0].plan.in}}
	for _, l := range p.layers {
		m.layers = append(m.layers, l.plan)
	}
	return m.checkLengths("predictor", lengths, n)
}
