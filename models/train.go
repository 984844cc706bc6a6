package models

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
)

// Dataset holds N samples. X has N×Inputs() values, row-major, each
// sequence sample time-major; Y has N×Outputs() values (for softmax_ce it
// may instead hold N class indices, see the package documentation).
type Dataset struct {
	X, Y []float32
	N    int
	// Lengths, when not nil, holds each sequence sample's valid number of
	// steps, in [1, steps]; the later steps are padding that the fused
	// recurrent layers skip (see "Unequal lengths" in the package
	// documentation).
	// nil means every sample has all its steps.
	Lengths []int
}

// TrainConfig configures Fit.
type TrainConfig struct {
	// Epochs is the number of passes over the data (> 0).
	Epochs int
	// BatchSize is the number of samples per gradient step (> 0). A batch
	// size above N is reduced to N.
	BatchSize int
	// Loss is LossMSE, LossBCELogits or LossSoftmaxCE.
	Loss string
	// Optimizer configures the update; its zero value is Adam with
	// default settings.
	Optimizer OptimizerConfig
	// Seed drives the per-epoch shuffling and the dropout masks.
	Seed int64
	// Validation, when not nil, is evaluated (in eval mode) after every
	// epoch.
	Validation *Dataset
	// Patience, when positive, stops training after Patience epochs
	// without a lower validation loss; Fit then ends (stopped or not) with
	// the weights of the best epoch. It requires Validation. 0 disables
	// early stopping and keeps the last weights.
	Patience int
	// Schedule, when its Name is set, changes the learning rate from epoch
	// to epoch.
	Schedule Schedule
	// Progress, when not nil, is called after every batch and at the end
	// of every epoch (with Done set), on the goroutine that called Fit.
	Progress func(Progress)
}

// Progress reports training progress. Epoch and Batch are 1-based.
type Progress struct {
	Epoch, Epochs, Batch, Batches int
	// TrainLoss is the loss of the current batch, or at epoch end (Done)
	// the epoch's mean training loss (with dropout active).
	TrainLoss float64
	// ValLoss is the validation loss at epoch end; NaN otherwise or
	// without validation.
	ValLoss float64
	// Done marks the report at the end of an epoch.
	Done bool
}

// History records a Fit call, one entry per completed epoch.
type History struct {
	// TrainLoss is each epoch's mean training loss over its samples, with
	// dropout active, as the weights changed during the epoch.
	TrainLoss []float64
	// ValLoss is each epoch's validation loss after the epoch; nil without
	// validation.
	ValLoss []float64
	// BestEpoch is the 0-based epoch with the lowest validation loss (the
	// first one on ties), or the last epoch without validation; -1 if no
	// epoch completed.
	BestEpoch int
	// Stopped reports that early stopping ended training before Epochs.
	Stopped bool
}

// checkData validates d against the model; what names it in errors.
func (m *Model) checkData(what string, d Dataset, loss string) (targets, error) {
	if d.N <= 0 {
		return targets{}, fmt.Errorf("models: %s: N = %d, want > 0: %w", what, d.N, ErrDataShape)
	}
	if in := m.Inputs(); len(d.X) != d.N*in {
		return targets{}, fmt.Errorf("models: %s: X has %d values, want N×inputs = %d×%d: %w", what, len(d.X), d.N, in, ErrDataShape)
	}
	for i, v := range d.X {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return targets{}, fmt.Errorf("models: %s: X[%d] (sample %d) is %g: %w", what, i, i/m.Inputs(), f, ErrDataShape)
		}
	}
	if err := checkTokenIDs(what, m.layers, d.X); err != nil {
		return targets{}, err
	}
	if err := m.checkLengths(what, d.Lengths, d.N); err != nil {
		return targets{}, err
	}
	return checkTargets(what, d.Y, d.N, m.Outputs(), loss)
}

// Fit trains the model on train, continuing from its current weights with
// fresh optimizer state. It returns the history of the completed epochs.
//
// Errors: an invalid cfg gives a *ConfigError (ErrInvalidConfig); data of
// the wrong length or with NaN/Inf gives ErrDataShape; a NaN or infinite
// loss gives ErrDiverged; a cancelled ctx (checked before every batch)
// gives an error wrapping ctx.Err(). On error the history so far is
// returned too, and the weights are those of the last completed batch.
func (m *Model) Fit(ctx context.Context, train Dataset, cfg TrainConfig) (*History, error) {
	opt, err := m.checkConfig(&cfg)
	if err != nil {
		return nil, err
	}
	tt, err := m.checkData("fit: train", train, cfg.Loss)
	if err != nil {
		return nil, err
	}
	var vt targets
	if cfg.Validation != nil {
		if vt, err = m.checkData("fit: validation", *cfg.Validation, cfg.Loss); err != nil {
			return nil, err
		}
	}

	batch := min(cfg.BatchSize, train.N)
	gr, err := m.graphFor(graphKey{batch: max(batch, minGraphBatch), loss: cfg.Loss})
	if err != nil {
		return nil, err
	}
	r := &trainRun{m: m, gr: gr, tt: tt, data: train, opt: newOptimizer(opt, m.params), clipNorm: opt.ClipNorm}
	r.opt.skip = make([]bool, len(m.info))
	for i, p := range m.info {
		r.opt.skip[i] = p.buffer
	}
	r.grads = make([][]float32, len(m.params))

	// Independent streams for shuffling and dropout, both from cfg.Seed.
	shuffle := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x73687566))
	r.dropout = rand.New(rand.NewPCG(uint64(cfg.Seed), 0x64726f70))
	perm := make([]int, train.N)
	for i := range perm {
		perm[i] = i
	}

	h := &History{BestEpoch: -1}
	if cfg.Validation != nil {
		h.ValLoss = []float64{}
	}
	var (
		best      = math.Inf(1)
		bestW     [][]float32
		sinceBest int
		fwd       *Predictor
	)
	batches := (train.N + batch - 1) / batch
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		r.opt.cfg.LearningRate = cfg.Schedule.rate(opt.LearningRate, epoch, cfg.Epochs)
		shuffle.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var sum float64
		for bi := 0; bi < batches; bi++ {
			if err := ctx.Err(); err != nil {
				return h, fmt.Errorf("models: fit cancelled at epoch %d batch %d: %w", epoch+1, bi+1, err)
			}
			idx := perm[bi*batch : min((bi+1)*batch, train.N)]
			loss, err := r.step(idx)
			if err != nil {
				return h, fmt.Errorf("models: fit: epoch %d batch %d: %w", epoch+1, bi+1, err)
			}
			sum += loss * float64(len(idx))
			if cfg.Progress != nil {
				cfg.Progress(Progress{Epoch: epoch + 1, Epochs: cfg.Epochs, Batch: bi + 1, Batches: batches, TrainLoss: loss, ValLoss: math.NaN()})
			}
		}
		trainLoss := sum / float64(train.N)
		h.TrainLoss = append(h.TrainLoss, trainLoss)

		valLoss := math.NaN()
		if cfg.Validation != nil {
			if fwd == nil {
				fwd = m.predictor(false)
			}
			v := cfg.Validation
			pred, err := fwd.PredictLengths(nil, v.X, v.Lengths)
			if err != nil {
				return h, err
			}
			valLoss = vt.meanLoss(pred, v.Y, v.N)
			h.ValLoss = append(h.ValLoss, valLoss)
			if valLoss < best {
				best, sinceBest, h.BestEpoch = valLoss, 0, epoch
				if cfg.Patience > 0 {
					if bestW == nil {
						bestW = m.snapshot()
					} else {
						for i, p := range m.params {
							copy(bestW[i], p)
						}
					}
				}
			} else {
				sinceBest++
			}
		} else {
			h.BestEpoch = epoch
		}
		if cfg.Progress != nil {
			cfg.Progress(Progress{Epoch: epoch + 1, Epochs: cfg.Epochs, Batch: batches, Batches: batches, TrainLoss: trainLoss, ValLoss: valLoss, Done: true})
		}
		if cfg.Patience > 0 && sinceBest >= cfg.Patience {
			h.Stopped = true
			break
		}
	}
	if cfg.Patience > 0 && bestW != nil && h.BestEpoch != len(h.TrainLoss)-1 {
		m.restore(bestW)
	}
	return h, nil
}

// checkConfig validates cfg and resolves the optimizer defaults.
func (m *Model) checkConfig(cfg *TrainConfig) (OptimizerConfig, error) {
	bad := func(field, format string, a ...any) error {
		return &ConfigError{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	if cfg.Epochs <= 0 {
		return OptimizerConfig{}, bad("Epochs", "%d, want > 0", cfg.Epochs)
	}
	if cfg.BatchSize <= 0 {
		return OptimizerConfig{}, bad("BatchSize", "%d, want > 0", cfg.BatchSize)
	}
	switch cfg.Loss {
	case LossMSE, LossBCELogits:
	case LossSoftmaxCE:
		if m.Outputs() < 2 {
			return OptimizerConfig{}, bad("Loss", "softmax_ce needs at least 2 outputs, the model has %d", m.Outputs())
		}
	default:
		return OptimizerConfig{}, bad("Loss", "unknown loss %q (want %q, %q or %q)", cfg.Loss, LossMSE, LossBCELogits, LossSoftmaxCE)
	}
	if err := cfg.Schedule.check(); err != nil {
		return OptimizerConfig{}, err
	}
	if cfg.Patience < 0 {
		return OptimizerConfig{}, bad("Patience", "%d, want >= 0", cfg.Patience)
	}
	if cfg.Patience > 0 && cfg.Validation == nil {
		return OptimizerConfig{}, bad("Patience", "early stopping needs a Validation set")
	}
	return cfg.Optimizer.resolved()
}

// trainRun is the state of one Fit call.
type trainRun struct {
	m        *Model
	gr       *graph
	tt       targets
	data     Dataset
	opt      *optimizer
	clipNorm float64
	dropout  *rand.Rand
	grads    [][]float32
}

// step runs one gradient step on the samples idx and returns their loss.
func (r *trainRun) step(idx []int) (float64, error) {
	gr, d := r.gr, r.data
	in, out := r.m.Inputs(), r.m.Outputs()

	// Inputs; rows past len(idx) are padding with zero weight.
	fillX(gr, in, len(idx), func(i int) []float32 { return d.X[idx[i]*in : (idx[i]+1)*in] })
	setLens(gr, d.Lengths, idx, r.m.layers[0].in[0])
	y := gr.y.Data().([]float32)
	w := gr.w.Data().([]float32)
	rw := r.tt.rowWeight(len(idx))
	for i := 0; i < gr.batch; i++ {
		if i < len(idx) {
			r.tt.row(y[i*out:(i+1)*out], d.Y, idx[i])
			w[i] = rw
		} else {
			clear(y[i*out : (i+1)*out])
			w[i] = 0
		}
	}
	for k, mt := range gr.masks {
		fillMask(mt.Data().([]float32), gr.maskRates[k], r.dropout)
	}

	if err := gr.run(); err != nil {
		return 0, err
	}
	loss := float64(gr.lossVal.Data().(float32))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, fmt.Errorf("loss is %g: %w", loss, ErrDiverged)
	}

	for i, n := range gr.params {
		if !gr.used[i] {
			if r.grads[i] == nil {
				r.grads[i] = make([]float32, len(r.m.params[i]))
			}
			continue
		}
		g, err := n.Grad()
		if err != nil {
			return 0, fmt.Errorf("models: gradient of %s: %w", r.m.info[i].name, err)
		}
		r.grads[i] = g.Data().([]float32)
	}
	clip(r.grads, r.clipNorm)
	r.opt.step(r.m.params, r.grads)
	for i := range r.grads {
		if gr.used[i] {
			clear(r.grads[i]) // gorgonia accumulates into these until cleared
		}
	}
	return loss, nil
}

// fillMask draws an inverted-dropout mask: each value is 0 with
// probability rate and 1/(1-rate) otherwise.
func fillMask(dst []float32, rate float64, rng *rand.Rand) {
	keep := float32(1 / (1 - rate))
	for i := range dst {
		if rng.Float64() < rate {
			dst[i] = 0
		} else {
			dst[i] = keep
		}
	}
}

// Learning-rate schedules accepted in Schedule.Name.
const (
	// ScheduleStep multiplies the rate by Gamma every StepEpochs epochs.
	ScheduleStep = "step"
	// ScheduleCosine anneals the rate from its initial value to MinRate
	// along half a cosine over the epochs of the Fit call:
	// lr(e) = MinRate + (lr − MinRate)·(1 + cos(π·e/Epochs))/2, e 0-based.
	ScheduleCosine = "cosine"
)

// Schedule sets the learning rate per epoch (from the optimizer's
// LearningRate). The zero value keeps it constant.
type Schedule struct {
	// Name is "", ScheduleStep or ScheduleCosine.
	Name string
	// StepEpochs (> 0) and Gamma (in (0, 1]) configure ScheduleStep.
	StepEpochs int
	Gamma      float64
	// MinRate (>= 0) is ScheduleCosine's final rate.
	MinRate float64
}

func (s Schedule) check() error {
	bad := func(field, format string, a ...any) error {
		return &ConfigError{Field: "Schedule." + field, Msg: fmt.Sprintf(format, a...)}
	}
	switch s.Name {
	case "":
	case ScheduleStep:
		if s.StepEpochs <= 0 {
			return bad("StepEpochs", "%d, want > 0", s.StepEpochs)
		}
		if !(s.Gamma > 0 && s.Gamma <= 1) {
			return bad("Gamma", "%g not in (0, 1]", s.Gamma)
		}
	case ScheduleCosine:
		if !(s.MinRate >= 0) || math.IsInf(s.MinRate, 0) {
			return bad("MinRate", "%g is negative", s.MinRate)
		}
	default:
		return bad("Name", "unknown schedule %q (want %q or %q)", s.Name, ScheduleStep, ScheduleCosine)
	}
	return nil
}

// rate is the learning rate of 0-based epoch e of epochs, from lr.
func (s Schedule) rate(lr float64, e, epochs int) float64 {
	switch s.Name {
	case ScheduleStep:
		return lr * math.Pow(s.Gamma, float64(e/s.StepEpochs))
	case ScheduleCosine:
		return s.MinRate + (lr-s.MinRate)*(1+math.Cos(math.Pi*float64(e)/float64(epochs)))/2
	}
	return lr
}
