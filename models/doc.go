// Package models is the deep-model core of deepfin: small feed-forward and
// recurrent networks described by a JSON-able Spec, trained on gorgonia
// graphs and served by a plain-Go Predictor.
//
// # Numbers and shapes
//
// All tensors are float32. A sample's input has the shape Spec.Input:
// [features] for a flat sample, [steps, features] for a sequence or
// [channels, height, width] for an image. A Dataset stores N samples
// row-major; a sequence sample is stored time-major (step 0's features
// first), an image channel-major (C×H×W, rows top to bottom). Outputs are
// always flat: a network whose last layer yields a sequence is flattened
// time-major, an image channel-major.
//
// # Layers
//
//	dense       y = x·W + b; a sequence input is flattened time-major first.
//	            W is Glorot-uniform, or He-uniform when the next layer is
//	            relu or leaky_relu; b starts at zero.
//	relu, tanh, sigmoid, leaky_relu (slope Alpha, default 0.01)
//	dropout     inverted dropout: during Fit each value is kept with
//	            probability 1-Rate and scaled by 1/(1-Rate), using a mask
//	            drawn from TrainConfig.Seed; identity in Predict and in the
//	            Predictor.
//	gru         a gated recurrent unit over [steps, features], h0 = 0,
//	            returning the last hidden state [units] or, with
//	            ReturnSequences, every state [steps, units].
//	conv2d      Filters output channels; Kernel, Stride (default 1),
//	            Padding (zeros, default 0) and Dilation (default 1), each
//	            [v] or [height, width]; output size
//	            (in + 2·pad − dil·(k−1) − 1)/stride + 1 (floor). Weights
//	            [filters, channels, kh, kw] as in PyTorch, He-uniform;
//	            bias [filters] (zero) unless NoBias.
//	max_pool2d  window Kernel, Stride (default: the kernel), Padding
//	            (−∞, at most half the kernel); the first maximum wins ties.
//	avg_pool2d  the same, averaging; padding zeros count in the divisor
//	            kh·kw (PyTorch's default count_include_pad).
//	global_avg_pool2d  mean over height and width: [channels].
//	batch_norm  per channel (image) or per feature (flat): in Fit, batch
//	            statistics over the real rows of the batch (biased
//	            variance) and running = (1−Momentum)·running +
//	            Momentum·batch (unbiased variance); in Predict and the
//	            Predictor, the running statistics. γ starts at 1, β at 0;
//	            the running mean and variance (0 and 1 at first) are saved
//	            with the weights but are not trained (not in NumParams).
//	flatten     images (or sequences) to [size]; dense flattens by itself.
//	residual    Branch(x) + Shortcut(x), Shortcut empty = identity; the
//	            two paths are nested layer lists (as in ResNet blocks).
//
// The image layers run as gorgonia ops around our own plain-Go kernels
// (im2col and gonum's pure-Go GEMM for conv2d, direct loops for pooling
// and batch norm, and ReLU/leaky ReLU as one op), each with a backward
// kernel, checked against finite differences; the batch is split over
// GOMAXPROCS goroutines. relu and leaky_relu use that op for every input
// kind. (gorgonia's own AvgPool2D and GlobalAveragePool2D gradients are
// wrong or panic in v0.9.18, and its BatchNorm wipes its statistics when
// switching modes.)
//
// The GRU is the "reset after" variant used by PyTorch and cuDNN (Cho et
// al. 2014, with the reset gate applied after the recurrent product):
//
//	z  = σ(x·Wz + bz + h·Uz)
//	r  = σ(x·Wr + br + h·Ur)
//	n  = tanh(x·Wn + bn + r ⊙ (h·Un + bhn))
//	h' = (1 − z) ⊙ n + z ⊙ h
//
// Input kernels W are Glorot-uniform, recurrent kernels U are orthogonal,
// biases start at zero. The weights are saved as ten tensors per layer:
// w_z, w_r, w_n [features, units], u_z, u_r, u_n [units, units] and b_z,
// b_r, b_n, b_hn [units]; the fused kernel packs them into one [features,
// 3·units] and one [units, 3·units] kernel on every pass.
//
//	rnn         h' = act(x·W + h·U + b), act tanh (default) or relu
//	            (LayerSpec.Activation), h0 = 0; output as for gru.
//	lstm        a long short-term memory layer, h0 = c0 = 0, output as
//	            for gru:
//	              i, f, o = σ(x·W· + h·U· + b·),  g = tanh(x·Wg + h·Ug + bg)
//	              c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')
//	            W [features, 4·units] and U [units, 4·units] hold the gate
//	            blocks in the order i, f, g, o; one bias [4·units].
//	alstm       an attention-pooled LSTM: the LSTM's states h_1..h_T are
//	            scored by s_t = tanh(h_t·Wa + Ba)·Va, weighted by
//	            α = softmax(s), and the output is [h_T, Σ_t α_t h_t]
//	            (2·units values). No return_sequences.
//
// Text layers (a model over token ids has Input [steps], the ids stored
// as float32 in Dataset.X, each an integer in [0, Vocab); anything else
// is ErrDataShape):
//
//	embedding   must be the first layer: id → row of a [Vocab, Units]
//	            table, output [steps, Units]. Id 0 is padding: it always
//	            embeds to zeros and its row gets no gradient, so it stays
//	            zero (it starts at zero; the other rows start uniform in
//	            ±0.1). The gradient of the table is the output gradient
//	            summed into the rows of the ids that occur (repeats
//	            accumulate); other rows get zero.
//	conv1d      a convolution over steps with an odd Kernel [k], stride
//	            1 and "same" zero padding: [steps, features] →
//	            [steps, Filters]; W [k, features, Filters] He-uniform,
//	            bias zero.
//	global_max_pool1d, global_avg_pool1d
//	            the maximum (first on ties) or the mean over the steps:
//	            [steps, features] → [features].
//
// With Dataset.Lengths these layers see the valid steps only: conv1d
// treats padded input steps as zeros and outputs zeros there, and the
// poolings take the maximum or mean over the valid steps, so that a
// padded sample again gives the output of the sample cut to its length.
//
// Layers are stacked by listing them: a recurrent layer with
// ReturnSequences feeds [steps, units] to the next one. The rnn, lstm and
// alstm kernels are Glorot-uniform per gate block, recurrent blocks are
// orthogonal, biases zero except the LSTM forget gate's, which starts at 1.
//
// The gru, rnn, lstm and alstm layers are fused: one gorgonia node of
// our own runs the whole sequence (the input projection of every step as
// one matrix product, then per step the recurrent product and the gate
// arithmetic), and its derivative is one node that runs backpropagation
// through time by hand and accumulates the weight gradients as single
// products over all steps. Batch rows are split over GOMAXPROCS
// goroutines. In float32 on amd64 with AVX2 and FMA, the products use an
// assembly micro-kernel and the gate activations a vectorised exp
// (relative error ~3e-7); elsewhere gonum's BLAS and math.Exp. The
// float64 path (used by the gradient checks) is exact to float64.
//
// # Unequal lengths
//
// A Dataset may carry per-sample Lengths: steps past a sample's length
// are padding. The fused layers do not update their state on padded
// steps, return zeros there with ReturnSequences, use the state after the
// last valid step as their last output, and alstm attends over the valid
// steps only; a padded sample gives exactly the output of the sample cut
// to its length. Model.PredictLengths and Predictor.PredictLengths take
// lengths at inference. Lengths are rejected (ErrDataShape) when a dense
// layer would read the padded sequence. A model that starts with
// an embedding takes lengths over its [steps] input of ids.
//
// # Losses
//
//	mse         mean over samples and outputs of (pred − y)².
//	bce_logits  binary cross-entropy on logits, softplus(z) − z·y, which
//	            is stable for any z; mean over samples and outputs.
//	softmax_ce  softmax cross-entropy on logits, mean over samples. Y is
//	            either one-hot (N×outputs values) or one class index per
//	            sample stored as a float32 (N values, 0-based).
//
// # Training
//
// Fit computes gradients with gorgonia and applies the optimizer in plain
// Go on the weights' backing arrays (SGD with momentum and L2 weight decay,
// or Adam with decoupled weight decay as in AdamW), after optional clipping
// by global norm (TrainConfig.Optimizer.ClipNorm), with an optional
// per-epoch learning-rate Schedule (step or cosine). A training graph has
// a fixed batch size; the model caches
// one graph per (batch size, loss) and reuses it across Fit calls. The
// partial last batch of an epoch runs through the same graph, padded with
// rows of zero loss weight, so it contributes exactly its own samples. The
// same seed gives bit-identical weights and history.
//
// # Inference
//
// Model.Predict runs the gorgonia graph in evaluation mode. A Predictor is
// a plain-Go forward pass over a snapshot of the weights, with pooled
// buffers, safe for concurrent use; its outputs match the graph's within
// 1e-5.
//
// # Files
//
// Save writes a directory holding model.safetensors (float32 weights named
// like "layers.0.dense.w") and model.json:
//
//	{"format":"deepfin-model","version":1,"spec":{...},"meta":{...},
//	 "weights":"model.safetensors","weights_sha256":"..."}
//
// Each file is written atomically (temporary file in the same directory,
// fsync, rename), weights first. Load checks the format, the version, the
// checksum, and every tensor's name, dtype and shape.
//
// A Model is not safe for concurrent use; a Predictor is. Nothing in this
// package panics on bad data or files; panics mark broken internal
// invariants only.
package models
