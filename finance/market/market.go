package market

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/models"
)

// Model kinds accepted in Config.Model.
const (
	// Linear is a linear regression on the day's 158 factors.
	Linear = "linear"
	// MLP is dense(Hidden), ReLU, dropout 0.1, dense(1) on the factors.
	MLP = "mlp"
	// GRU reads Window days of SeqFeatures: GRU(Hidden) then dense(1).
	GRU = "gru"
	// LSTM is the same with an LSTM layer (models layer type "lstm").
	LSTM = "lstm"
	// ALSTM is an attention LSTM (models layer type "alstm").
	ALSTM = "alstm"
)

// Kinds returns every model kind, in the order of the results table.
func Kinds() []string { return []string{Linear, MLP, LSTM, GRU, ALSTM} }

// DefaultSeqFeatures returns the 20 factors the recurrent models read:
// the subset Qlib's Alpha158 benchmarks of LSTM, GRU and ALSTM select.
func DefaultSeqFeatures() []string {
	return []string{"resi5", "wvma5", "rsqr5", "klen", "rsqr10", "corr5", "cord5", "corr10",
		"roc60", "resi10", "vstd5", "rsqr60", "corr60", "wvma60", "std5", "rsqr20",
		"cord60", "cord10", "corr20", "klow"}
}

// Split divides the calendar by date: training days are before
// ValidStart, validation days in [ValidStart, TestStart), test days from
// TestStart on. The last two days of the training and validation periods
// are purged from fitting (their labels reach into the next period).
type Split struct {
	ValidStart, TestStart time.Time
}

// DefaultSplit is the split used on the sp500_5yr universe (2013-02-08 ..
// 2018-02-07): train to 2015-12-31 (the first 60 days are feature
// warm-up), validate on 2016, test from 2017-01-03 to the end.
func DefaultSplit() Split {
	return Split{
		ValidStart: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
		TestStart:  time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Config controls Run. DefaultConfig gives the settings of the deepfin
// command; a zero field does not mean "default".
type Config struct {
	// Model is one of the kinds (Linear, MLP, GRU, LSTM, ALSTM).
	Model string `json:"model"`
	// Window is the number of days a recurrent model reads (> 0).
	Window int `json:"window"`
	// SeqFeatures names the factors a recurrent model reads.
	SeqFeatures []string `json:"seq_features"`
	// Hidden is the width of the MLP's hidden layer or of the recurrent
	// state.
	Hidden int `json:"hidden"`
	// Epochs is the most training epochs; Patience stops earlier after
	// that many epochs without a lower validation loss (0: never) and
	// restores the best weights.
	Epochs   int `json:"epochs"`
	Patience int `json:"patience"`
	// BatchSize is the number of samples per step; LearningRate Adam's
	// step size.
	BatchSize    int     `json:"batch_size"`
	LearningRate float64 `json:"learning_rate"`
	// MaxTrainSamples, when positive, keeps an evenly spaced subset of at
	// most this many training samples (by date, then ticker), to bound the
	// training time of the recurrent models.
	MaxTrainSamples int `json:"max_train_samples"`
	// Split is the train/validation/test split by date.
	Split Split `json:"split"`
	// TopK configures the portfolio simulated on the test scores.
	TopK backtest.TopKConfig `json:"topk"`
	// Seed fixes initialisation, shuffling and dropout.
	Seed int64 `json:"seed"`
	// Progress, if not nil, is called at the end of every epoch on the
	// goroutine that called Run.
	Progress func(Progress) `json:"-"`
}

// DefaultConfig returns the settings for kind: 20-day windows, 32 hidden
// units (64 for the MLP), up to 20 epochs with patience 3, batches of 512,
// learning rate 1e-3, DefaultSplit, the default top-k portfolio (20
// names, 4 swaps a day, 5/15 bp) and seed 1. The recurrent models, whose
// epochs cost about 0.5 ms per sample on two cores, use a learning rate
// of 2e-3, up to 10 epochs with patience 2 and an evenly spaced subset of
// 20,000 of the ~63,000 training samples, so that the five-model table
// takes a few minutes.
func DefaultConfig(kind string) Config {
	c := Config{Model: kind, Window: 20, SeqFeatures: DefaultSeqFeatures(), Hidden: 32,
		Epochs: 20, Patience: 3, BatchSize: 512, LearningRate: 1e-3,
		Split: DefaultSplit(), TopK: backtest.DefaultTopKConfig(), Seed: 1}
	switch kind {
	case MLP:
		c.Hidden = 64
	case GRU, LSTM, ALSTM:
		c.LearningRate = 2e-3
		c.Epochs, c.Patience = 10, 2
		c.MaxTrainSamples = 20000
	}
	return c
}

// Progress reports the end of a training epoch.
type Progress struct {
	Model              string
	Epoch, Epochs      int
	TrainLoss, ValLoss float64
}

// Period describes one part of the split.
type Period struct {
	Start, End time.Time // first and last day
	Days       int
	Samples    int // samples used (after purging and subsampling)
}

// Result is the outcome of Run for one model.
type Result struct {
	Model  string
	Config Config
	Spec   models.Spec
	Params int
	// Train, Valid and Test describe the split as used.
	Train, Valid, Test Period
	History            *models.History
	// Scores are the test-day predictions, [day][ticker]; NaN where the
	// ticker has no sample.
	Scores backtest.Panel
	// IC compares Scores with the realised label returns.
	IC *backtest.ICResult
	// TopK is the portfolio traded on Scores over the test days.
	TopK *backtest.TopKResult
	// TrainTime is the wall-clock training time (not reproducible).
	TrainTime time.Duration
}

// periods returns the calendar indices [0, v), [v, t), [t, n) of the split.
func (ds *Dataset) periods(s Split) (v, t int, err error) {
	v = sort.Search(len(ds.Time), func(i int) bool { return !ds.Time[i].Before(s.ValidStart) })
	t = sort.Search(len(ds.Time), func(i int) bool { return !ds.Time[i].Before(s.TestStart) })
	if !s.ValidStart.Before(s.TestStart) || v < 3 || t-v < 3 || len(ds.Time)-t < 2 {
		return 0, 0, fmt.Errorf("market: split valid %s test %s leaves no room in %s..%s: %w",
			s.ValidStart.Format(time.DateOnly), s.TestStart.Format(time.DateOnly),
			ds.Time[0].Format(time.DateOnly), ds.Time[len(ds.Time)-1].Format(time.DateOnly), ErrConfig)
	}
	return v, t, nil
}

// validate checks cfg against the dataset and returns the column indices
// of SeqFeatures.
func (c Config) validate(ds *Dataset) ([]int, error) {
	bad := func(field string, v any) error {
		return fmt.Errorf("market: %s %v: %w", field, v, ErrConfig)
	}
	switch {
	case !slices.Contains(Kinds(), c.Model):
		return nil, bad("Model", fmt.Sprintf("%q (want one of %v)", c.Model, Kinds()))
	case c.Window < 1:
		return nil, bad("Window", c.Window)
	case c.Hidden < 1:
		return nil, bad("Hidden", c.Hidden)
	case c.Epochs < 1:
		return nil, bad("Epochs", c.Epochs)
	case c.BatchSize < 1:
		return nil, bad("BatchSize", c.BatchSize)
	case !(c.LearningRate > 0):
		return nil, bad("LearningRate", c.LearningRate)
	case c.Patience < 0:
		return nil, bad("Patience", c.Patience)
	}
	if err := c.TopK.Validate(); err != nil {
		return nil, fmt.Errorf("market: TopK: %w: %w", ErrConfig, err)
	}
	var idx []int
	if c.recurrent() {
		if len(c.SeqFeatures) == 0 {
			return nil, bad("SeqFeatures", "[]")
		}
		for _, name := range c.SeqFeatures {
			j := slices.Index(ds.Features, name)
			if j < 0 {
				return nil, bad("SeqFeatures", fmt.Sprintf("%q (not a feature)", name))
			}
			idx = append(idx, j)
		}
	}
	return idx, nil
}

func (c Config) recurrent() bool { return c.Model == GRU || c.Model == LSTM || c.Model == ALSTM }

// spec returns the network for nf inputs per step.
func (c Config) spec(nf int) models.Spec {
	switch c.Model {
	case Linear:
		return models.Spec{Input: []int{nf}, Layers: []models.LayerSpec{{Type: models.LayerDense, Units: 1}}}
	case MLP:
		return models.Spec{Input: []int{nf}, Layers: []models.LayerSpec{
			{Type: models.LayerDense, Units: c.Hidden}, {Type: models.LayerReLU},
			{Type: models.LayerDropout, Rate: 0.1}, {Type: models.LayerDense, Units: 1}}}
	default: // GRU, LSTM, ALSTM: the layer type is the kind's name
		return models.Spec{Input: []int{c.Window, nf}, Layers: []models.LayerSpec{
			{Type: c.Model, Units: c.Hidden}, {Type: models.LayerDense, Units: 1}}}
	}
}

// sampleSet holds model inputs and, for fitting, targets.
type sampleSet struct {
	x, y []float32
	cell []int
	n    int
}

func (s *sampleSet) dataset() models.Dataset { return models.Dataset{X: s.x, Y: s.y, N: s.n} }

// collect gathers the samples of days [from, to). With labelled, only
// cells with a finite Target are kept and y is filled. cols are the
// factor columns of a recurrent window (nil: all factors, flat).
func (ds *Dataset) collect(from, to int, labelled bool, window int, cols []int) sampleSet {
	nt, nf := len(ds.Names), len(ds.Features)
	var s sampleSet
	for d := max(from, 0); d < to; d++ {
	cells:
		for i := range nt {
			c := d*nt + i
			if !ds.Valid[c] || (labelled && math.IsNaN(ds.Target[c])) {
				continue
			}
			if cols == nil {
				s.x = append(s.x, ds.X[c*nf:(c+1)*nf]...)
			} else {
				if d-window+1 < 0 {
					continue
				}
				for k := d - window + 1; k <= d; k++ {
					if !ds.Valid[k*nt+i] {
						continue cells
					}
				}
				for k := d - window + 1; k <= d; k++ {
					base := (k*nt + i) * nf
					for _, j := range cols {
						s.x = append(s.x, ds.X[base+j])
					}
				}
			}
			if labelled {
				s.y = append(s.y, float32(ds.Target[c]))
			}
			s.cell = append(s.cell, c)
			s.n++
		}
	}
	return s
}

// thin keeps at most max samples, evenly spaced, in order.
func (s sampleSet) thin(maxN int) sampleSet {
	if maxN <= 0 || s.n <= maxN {
		return s
	}
	in, out := len(s.x)/s.n, len(s.y)/s.n
	var t sampleSet
	for k := range maxN {
		i := int(int64(k) * int64(s.n) / int64(maxN))
		t.x = append(t.x, s.x[i*in:(i+1)*in]...)
		t.y = append(t.y, s.y[i*out:(i+1)*out]...)
		t.cell = append(t.cell, s.cell[i])
	}
	t.n = maxN
	return t
}

// Run trains cfg.Model on ds's training days, early-stops on its
// validation days, scores the test days and evaluates the scores: daily
// IC against the realised label returns and a top-k-with-dropout
// portfolio. Errors: ErrConfig for a bad cfg or split, ErrModelKind when
// the models package cannot build the kind, ErrNoData when a period has
// no sample, and the training's errors (wrapping ctx.Err() on
// cancellation).
func Run(ctx context.Context, ds *Dataset, cfg Config) (*Result, error) {
	cols, err := cfg.validate(ds)
	if err != nil {
		return nil, err
	}
	v, t, err := ds.periods(cfg.Split)
	if err != nil {
		return nil, err
	}
	nf := len(ds.Features)
	if cols != nil {
		nf = len(cols)
	}
	spec := cfg.spec(nf)
	model, err := models.New(spec, cfg.Seed)
	if err != nil {
		if errors.Is(err, models.ErrInvalidSpec) && cfg.recurrent() && cfg.Model != GRU {
			return nil, fmt.Errorf("market: model %q: %w (%v)", cfg.Model, ErrModelKind, err)
		}
		return nil, fmt.Errorf("market: model %q: %w", cfg.Model, err)
	}

	// Purge: the label of day d is known at d+2.
	const purge = 2
	train := ds.collect(0, v-purge, true, cfg.Window, cols).thin(cfg.MaxTrainSamples)
	valid := ds.collect(v, t-purge, true, cfg.Window, cols)
	test := ds.collect(t, ds.Days(), false, cfg.Window, cols)
	for _, p := range []struct {
		name string
		n    int
	}{{"training", train.n}, {"validation", valid.n}, {"test", test.n}} {
		if p.n == 0 {
			return nil, fmt.Errorf("market: the %s period has no sample: %w", p.name, ErrNoData)
		}
	}

	res := &Result{Model: cfg.Model, Config: cfg, Spec: spec, Params: model.NumParams(),
		Train: ds.period(0, v, train), Valid: ds.period(v, t, valid), Test: ds.period(t, ds.Days(), test)}
	vd := valid.dataset()
	tc := models.TrainConfig{Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, Loss: models.LossMSE,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerAdam, LearningRate: cfg.LearningRate, ClipNorm: 3},
		Seed:      cfg.Seed, Validation: &vd, Patience: cfg.Patience}
	if cfg.Progress != nil {
		tc.Progress = func(p models.Progress) {
			if p.Done {
				cfg.Progress(Progress{Model: cfg.Model, Epoch: p.Epoch, Epochs: p.Epochs, TrainLoss: p.TrainLoss, ValLoss: p.ValLoss})
			}
		}
	}
	start := time.Now()
	hist, err := model.Fit(ctx, train.dataset(), tc)
	res.TrainTime = time.Since(start)
	res.History = hist
	if err != nil {
		return nil, fmt.Errorf("market: training %s: %w", cfg.Model, err)
	}

	pred, err := model.Predictor().Predict(nil, test.x)
	if err != nil {
		return nil, fmt.Errorf("market: scoring %s: %w", cfg.Model, err)
	}
	score := make([]float64, len(ds.Valid))
	for c := range score {
		score[c] = math.NaN()
	}
	for k, c := range test.cell {
		score[c] = float64(pred[k])
	}
	res.Scores = ds.panel(score, t, ds.Days(), nil)
	labels := ds.panel(ds.Return, t, ds.Days(), nil)
	if res.IC, err = backtest.DailyIC(res.Scores, labels); err != nil {
		return nil, fmt.Errorf("market: %w", err)
	}
	prices := backtest.Prices{Time: ds.Time[t:], Names: ds.Names, Open: ds.Open[t:], Close: ds.Close[t:]}
	if res.TopK, err = backtest.TopKDropout(res.Scores, prices, cfg.TopK); err != nil {
		return nil, fmt.Errorf("market: %w", err)
	}
	return res, nil
}

// period describes days [from, to) and the samples drawn from them.
func (ds *Dataset) period(from, to int, s sampleSet) Period {
	return Period{Start: ds.Time[from], End: ds.Time[to-1], Days: to - from, Samples: s.n}
}

// Row is one line of the results table: the test-period figures of one
// model. Err is set (and the figures NaN) when the model could not run.
type Row struct {
	Model                        string
	IC, ICIR, RankIC, RankICIR   float64
	ExcessReturn, IR, MaxDD      float64 // annualised excess return, information ratio, portfolio max drawdown
	ExcessMaxDD, Turnover        float64
	PortfolioCAGR, BenchmarkCAGR float64
	Epochs                       int
	TrainTime                    time.Duration
	Err                          error
}

// RowOf summarises a result.
func RowOf(r *Result) Row {
	s := r.IC.Summary
	return Row{Model: r.Model, IC: s.IC, ICIR: s.ICIR, RankIC: s.RankIC, RankICIR: s.RankICIR,
		ExcessReturn: r.TopK.Excess.AnnReturn, IR: r.TopK.Excess.InformationRatio,
		MaxDD: r.TopK.Metrics.MaxDrawdown, ExcessMaxDD: r.TopK.Excess.MaxDrawdown,
		Turnover: r.TopK.Metrics.Turnover, PortfolioCAGR: r.TopK.Metrics.CAGR,
		BenchmarkCAGR: r.TopK.BenchmarkMetrics.CAGR, Epochs: len(r.History.TrainLoss), TrainTime: r.TrainTime}
}

// RunAll runs every kind with configure(kind)'s settings on ds, in order.
// A kind that the models package cannot build yet (ErrModelKind) gives a
// Row with Err set and does not stop the others; any other error does.
func RunAll(ctx context.Context, ds *Dataset, kinds []string, configure func(kind string) Config) ([]*Result, []Row, error) {
	var results []*Result
	var rows []Row
	for _, k := range kinds {
		r, err := Run(ctx, ds, configure(k))
		if errors.Is(err, ErrModelKind) {
			nan := math.NaN()
			rows = append(rows, Row{Model: k, IC: nan, ICIR: nan, RankIC: nan, RankICIR: nan,
				ExcessReturn: nan, IR: nan, MaxDD: nan, ExcessMaxDD: nan, Turnover: nan,
				PortfolioCAGR: nan, BenchmarkCAGR: nan, Err: err})
			continue
		}
		if err != nil {
			return results, rows, err
		}
		results = append(results, r)
		rows = append(rows, RowOf(r))
	}
	return results, rows, nil
}
