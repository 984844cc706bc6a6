package price

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/features"
	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/models"
)

// ModelKind names the network that scores each window of bars.
type ModelKind string

// The networks WalkForward can train. Each ends in one logit, read as the
// log-odds that the next Horizon bars close higher.
const (
	// GRU reads the window step by step: GRU(Hidden) then dense(1).
	GRU ModelKind = "gru"
	// LSTM reads the window step by step: LSTM(Hidden) then dense(1). It
	// runs on models' fused sequence op and trains faster than GRU.
	LSTM ModelKind = "lstm"
	// MLP reads the flattened window: dense(Hidden), ReLU, dropout 0.1,
	// dense(1).
	MLP ModelKind = "mlp"
	// Linear is logistic regression on the flattened window.
	Linear ModelKind = "linear"
)

// ErrConfig is wrapped by every error about an invalid Config.
var ErrConfig = errors.New("invalid configuration")

// ErrTooShort is wrapped when the data cannot hold one training window and
// one out-of-sample bar.
var ErrTooShort = errors.New("not enough bars")

// Config controls WalkForward. DefaultConfig gives the values the deepfin
// command uses; the zero value of a field does not mean "default".
type Config struct {
	Model ModelKind

	// Window is the number of bars of features in one sample, the last
	// being the bar whose close the prediction is made after.
	Window int
	// Horizon is how many bars ahead the label looks: the sign of the log
	// return from the close of t to the close of t+Horizon.
	Horizon int

	// TrainBars is the length of the training window, in bars of the
	// union calendar of all series. With Expanding it is only the length
	// of the first window.
	TrainBars int
	// Refit is the number of bars scored by one model before the window
	// moves on and a new model is trained.
	Refit int
	// Expanding grows the training window from the first bar instead of
	// rolling a window of TrainBars bars.
	Expanding bool
	// WarmStart starts each fold's training from the previous fold's
	// weights instead of a fresh initialisation. It never lets a model
	// see data past its own training window.
	WarmStart bool

	// Hidden is the width of the GRU state or of the MLP's hidden layer.
	Hidden       int
	Epochs       int
	BatchSize    int
	LearningRate float64
	// Patience stops training after this many epochs without a lower
	// validation loss and restores the best weights; 0 disables it.
	Patience int
	// ValFraction is the fraction of each training window, taken from its
	// end, whose samples are held out for early stopping. The Horizon bars
	// before it are purged so that no training label overlaps it.
	ValFraction float64

	// Seed fixes weight initialisation, shuffling and dropout. The same
	// seed and data give the same scores.
	Seed int64

	// Progress, if not nil, is called after every training epoch and at
	// the end of every fold, from the goroutine that called WalkForward.
	Progress func(Progress)
}

// DefaultConfig returns the configuration the deepfin command runs with:
// a GRU of 16 units over 20-bar windows predicting the next bar's
// direction, trained on two years (504 bars) and refitted yearly (252 bars).
func DefaultConfig() Config {
	return Config{
		Model:        GRU,
		Window:       20,
		Horizon:      1,
		TrainBars:    504,
		Refit:        252,
		WarmStart:    true,
		Hidden:       16,
		Epochs:       15,
		BatchSize:    64,
		LearningRate: 1e-3,
		Patience:     3,
		ValFraction:  0.2,
		Seed:         1,
	}
}

func (c Config) validate() error {
	switch c.Model {
	case GRU, LSTM, MLP, Linear:
	default:
		return fmt.Errorf("price: model %q: %w (want gru, lstm, mlp or linear)", c.Model, ErrConfig)
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"window must be at least 1", c.Window >= 1},
		{"horizon must be at least 1", c.Horizon >= 1},
		{"training window must be at least 2 bars", c.TrainBars >= 2},
		{"refit must be at least 1 bar", c.Refit >= 1},
		{"epochs must be at least 1", c.Epochs >= 1},
		{"batch size must be at least 1", c.BatchSize >= 1},
		{"learning rate must be positive and finite", c.LearningRate > 0 && !math.IsInf(c.LearningRate, 0)},
		{"patience must not be negative", c.Patience >= 0},
		{"validation fraction must be in [0, 0.9]", c.ValFraction >= 0 && c.ValFraction <= 0.9},
		{"hidden units must be at least 1", c.Model == Linear || c.Hidden >= 1},
	}
	for _, ch := range checks {
		if !ch.ok {
			return fmt.Errorf("price: %s: %w", ch.name, ErrConfig)
		}
	}
	// A training window must hold the features' warm-up, one window of
	// bars and the purged label horizon, with some samples to spare.
	if need := features.StandardWarmup + c.Window + c.Horizon + minSamples; c.TrainBars < need {
		return fmt.Errorf("price: a training window of %d bars is too short for %d-bar windows and a %d-bar horizon "+
			"(features need %d bars of warm-up; want at least %d bars): %w",
			c.TrainBars, c.Window, c.Horizon, features.StandardWarmup, need, ErrConfig)
	}
	return nil
}

// minSamples is the fewest training samples a fold may have by design.
const minSamples = 20

// Progress reports where a walk-forward run is.
type Progress struct {
	Fold, Folds   int // fold being trained, 0-based, and their number
	Epoch, Epochs int // epoch just finished, 1-based, and the most there will be
	TrainLoss     float64
	ValLoss       float64 // NaN when the fold has no validation samples
	// FoldDone is true on the call made once the fold's predictions exist.
	FoldDone bool
}

// Fold describes one training-and-scoring step of a walk-forward run.
type Fold struct {
	TrainStart, TrainEnd time.Time // first and last bar of the training window
	TestStart, TestEnd   time.Time // first and last bar scored
	TrainSamples         int
	ValSamples           int
	TestSamples          int
	Epochs               int     // epochs actually run
	ValLoss              float64 // best validation loss, NaN without validation
	// Hits counts scored samples whose realised direction the model got
	// right, out of Judged samples whose label is known by the data's end.
	Hits, Judged int
}

// Scores holds one series' out-of-sample probabilities, aligned with its
// bars: Prob[i] is P(close rises over the next Horizon bars) made after the
// close of Time[i], NaN where no out-of-sample model scored that bar.
type Scores struct {
	Ticker string
	Time   []time.Time
	Prob   []float64
}

// Result is the outcome of WalkForward.
type Result struct {
	Config   Config
	Features []string // feature names, in column order
	Series   []Scores // in the order of the input series
	Folds    []Fold
	// Start and End are the first and last bars that carry a score.
	Start, End time.Time
	// Accuracy is the directional hit rate over every judged sample.
	Accuracy float64
	// Model is the last fold's trained model, usable for scoring new bars.
	Model *models.Model
}

// prepared is one series' features and labels, ready for windowing.
type prepared struct {
	cal   []int       // calendar index of each bar
	cols  [][]float64 // unscaled features
	label []float64   // 1 up, 0 down, NaN unknown
	zero  []float64   // finite dummy target for scoring windows
}

// WalkForward trains a model on a moving window of history and scores the
// bars after it, fold by fold, over every series at once. Series are
// aligned on the union of their dates; a series contributes only while it
// has bars. It returns ErrTooShort when no fold fits in the data.
func WalkForward(ctx context.Context, series []*finance.Series, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, fmt.Errorf("price: no series given: %w", ErrTooShort)
	}

	calendar := unionCalendar(series)
	preps := make([]prepared, len(series))
	var names []string
	for i, s := range series {
		p, n := prepare(s, calendar, cfg.Horizon)
		preps[i], names = p, n
	}
	wf := backtest.WalkForward{TrainBars: cfg.TrainBars, MinTrain: cfg.TrainBars, Refit: cfg.Refit, Expanding: cfg.Expanding}
	folds, err := wf.Folds(len(calendar))
	if err != nil || len(folds) == 0 {
		return nil, fmt.Errorf("price: %d dated bars cannot hold a %d-bar training window and one scored bar: %w",
			len(calendar), cfg.TrainBars, ErrTooShort)
	}

	res := &Result{Config: cfg, Features: names, Series: make([]Scores, len(series))}
	for i, s := range series {
		prob := make([]float64, s.Len())
		for j := range prob {
			prob[j] = math.NaN()
		}
		res.Series[i] = Scores{Ticker: s.Ticker, Time: s.Time, Prob: prob}
	}

	var model *models.Model
	var hits, judged int
	for k, f := range folds {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("price: fold %d of %d: %w", k+1, len(folds), err)
		}
		if model == nil || !cfg.WarmStart {
			model, err = models.New(cfg.spec(len(names)), cfg.Seed+int64(k))
			if err != nil {
				return nil, fmt.Errorf("price: %w", err)
			}
		}
		fr, err := runFold(ctx, model, preps, res.Series, f, k, len(folds), cfg)
		if err != nil {
			return nil, err
		}
		fr.TrainStart, fr.TrainEnd = calendar[f.TrainStart], calendar[f.TrainEnd-1]
		fr.TestStart, fr.TestEnd = calendar[f.TestStart], calendar[f.TestEnd-1]
		res.Folds = append(res.Folds, fr)
		hits += fr.Hits
		judged += fr.Judged
		if cfg.Progress != nil {
			cfg.Progress(Progress{Fold: k, Folds: len(folds), Epoch: fr.Epochs, Epochs: cfg.Epochs,
				ValLoss: fr.ValLoss, FoldDone: true})
		}
	}

	res.Model = model
	res.Accuracy = math.NaN()
	if judged > 0 {
		res.Accuracy = float64(hits) / float64(judged)
	}
	res.Start, res.End = scoredSpan(res.Series)
	return res, nil
}

// spec returns the network for nf features per bar.
func (c Config) spec(nf int) models.Spec {
	switch c.Model {
	case GRU, LSTM:
		return models.Spec{Input: []int{c.Window, nf}, Layers: []models.LayerSpec{
			{Type: string(c.Model), Units: c.Hidden},
			{Type: "dense", Units: 1},
		}}
	case MLP:
		return models.Spec{Input: []int{c.Window * nf}, Layers: []models.LayerSpec{
			{Type: "dense", Units: c.Hidden},
			{Type: "relu"},
			{Type: "dropout", Rate: 0.1},
			{Type: "dense", Units: 1},
		}}
	default:
		return models.Spec{Input: []int{c.Window * nf}, Layers: []models.LayerSpec{
			{Type: "dense", Units: 1},
		}}
	}
}

// runFold fits model on fold f and writes its scores into out.
func runFold(ctx context.Context, model *models.Model, preps []prepared, out []Scores,
	f backtest.Fold, k, nfolds int, cfg Config) (Fold, error) {

	fr := Fold{ValLoss: math.NaN()}

	// Fit the scaler on the training window's rows only, pooled over series.
	nf := len(preps[0].cols)
	pooled := make([][]float64, nf)
	for _, p := range preps {
		a, b := localRange(p.cal, f.TrainStart, f.TrainEnd)
		for j := range nf {
			pooled[j] = append(pooled[j], p.cols[j][a:b]...)
		}
	}
	scaler, err := features.FitStandardScaler(pooled, len(pooled[0]))
	if err != nil {
		return fr, fmt.Errorf("price: fold %d: %w", k+1, err)
	}

	// Split the training window by date: samples ending before valStart
	// train, later ones validate. A label needs Horizon more closes, so
	// samples whose label reaches into the next part are purged.
	valStart := f.TrainEnd - int(math.Round(cfg.ValFraction*float64(f.TrainEnd-f.TrainStart)))
	var train, val, test sampleSet
	scaled := make([][][]float64, len(preps))
	for i, p := range preps {
		scaled[i] = scaler.Transform(p.cols)
		a, _ := localRange(p.cal, f.TrainStart, f.TrainEnd)
		_, v := localRange(p.cal, f.TrainStart, valStart)
		_, b := localRange(p.cal, f.TrainStart, f.TrainEnd)
		if err := train.add(scaled[i], p.label, cfg.Window, a, v-cfg.Horizon, i); err != nil {
			return fr, err
		}
		if err := val.add(scaled[i], p.label, cfg.Window, v, b-cfg.Horizon, i); err != nil {
			return fr, err
		}
	}
	if train.n == 0 {
		return fr, fmt.Errorf("price: fold %d: the training window holds no complete %d-bar sample: %w",
			k+1, cfg.Window, ErrTooShort)
	}
	fr.TrainSamples, fr.ValSamples = train.n, val.n

	tc := models.TrainConfig{
		Epochs:    cfg.Epochs,
		BatchSize: cfg.BatchSize,
		Loss:      "bce_logits",
		Optimizer: models.OptimizerConfig{Name: "adam", LearningRate: cfg.LearningRate, ClipNorm: 1},
		Seed:      cfg.Seed + int64(k),
	}
	if val.n > 0 {
		vd := val.dataset()
		tc.Validation = &vd
		tc.Patience = cfg.Patience
	}
	if cfg.Progress != nil {
		tc.Progress = func(p models.Progress) {
			if p.Done {
				cfg.Progress(Progress{Fold: k, Folds: nfolds, Epoch: p.Epoch, Epochs: p.Epochs,
					TrainLoss: p.TrainLoss, ValLoss: p.ValLoss})
			}
		}
	}
	hist, err := model.Fit(ctx, train.dataset(), tc)
	if err != nil {
		return fr, fmt.Errorf("price: fold %d: %w", k+1, err)
	}
	fr.Epochs = len(hist.TrainLoss)
	if val.n > 0 && hist.BestEpoch >= 0 && hist.BestEpoch < len(hist.ValLoss) {
		fr.ValLoss = hist.ValLoss[hist.BestEpoch]
	}

	// Score the test bars. The dummy target keeps every window whose
	// features are complete; the real label is only used to judge.
	for i, p := range preps {
		c, d := localRange(p.cal, f.TestStart, f.TestEnd)
		if err := test.add(scaled[i], p.zero, cfg.Window, c, d, i); err != nil {
			return fr, err
		}
	}
	fr.TestSamples = test.n
	if test.n == 0 {
		return fr, nil
	}
	logits, err := model.Predict(test.x, test.n)
	if err != nil {
		return fr, fmt.Errorf("price: fold %d: %w", k+1, err)
	}
	for s := range test.n {
		i, t := test.series[s], test.end[s]
		prob := 1 / (1 + math.Exp(-float64(logits[s])))
		out[i].Prob[t] = prob
		if y := preps[i].label[t]; !math.IsNaN(y) {
			fr.Judged++
			if (prob > 0.5) == (y == 1) {
				fr.Hits++
			}
		}
	}
	return fr, nil
}

// sampleSet gathers windows from several series into float32 model input.
type sampleSet struct {
	x, y   []float32
	end    []int // bar index of each sample within its series
	series []int
	n      int
}

// add appends the windows of one series that end in bars [from, to).
func (s *sampleSet) add(cols [][]float64, target []float64, window, from, to, series int) error {
	if to <= from {
		return nil
	}
	ws, err := features.Windows(cols, target, window, from, to)
	if err != nil {
		return fmt.Errorf("price: %w", err)
	}
	for _, v := range ws.X {
		s.x = append(s.x, float32(v))
	}
	for _, v := range ws.Y {
		s.y = append(s.y, float32(v))
	}
	for _, e := range ws.End {
		s.end = append(s.end, e)
		s.series = append(s.series, series)
	}
	s.n += len(ws.End)
	return nil
}

func (s *sampleSet) dataset() models.Dataset {
	return models.Dataset{X: s.x, Y: s.y, N: s.n}
}

// prepare computes one series' features and direction labels and maps its
// bars onto the union calendar.
func prepare(s *finance.Series, calendar []time.Time, horizon int) (prepared, []string) {
	tab := features.Standard(features.OHLCV{Open: s.Open, High: s.High, Low: s.Low, Close: s.Close, Volume: s.Volume})
	n := s.Len()
	p := prepared{cal: make([]int, n), cols: tab.Cols, label: make([]float64, n), zero: make([]float64, n)}
	for i, t := range s.Time {
		p.cal[i] = sort.Search(len(calendar), func(j int) bool { return !calendar[j].Before(t) })
	}
	for i := range n {
		p.label[i] = math.NaN()
		if i+horizon < n {
			r := math.Log(s.Close[i+horizon] / s.Close[i])
			switch {
			case r > 0:
				p.label[i] = 1
			case r <= 0:
				p.label[i] = 0
			}
		}
	}
	return p, tab.Names
}

// localRange returns the bars [a, b) of a series whose calendar indices lie
// in [from, to).
func localRange(cal []int, from, to int) (a, b int) {
	a = sort.SearchInts(cal, from)
	b = sort.SearchInts(cal, to)
	return a, b
}

// unionCalendar returns every date present in any series, ascending.
func unionCalendar(series []*finance.Series) []time.Time {
	seen := make(map[time.Time]struct{})
	var cal []time.Time
	for _, s := range series {
		for _, t := range s.Time {
			if _, ok := seen[t]; !ok {
				seen[t] = struct{}{}
				cal = append(cal, t)
			}
		}
	}
	sort.Slice(cal, func(i, j int) bool { return cal[i].Before(cal[j]) })
	return cal
}

// scoredSpan returns the first and last dates that carry a score.
func scoredSpan(ss []Scores) (start, end time.Time) {
	for _, s := range ss {
		for i, p := range s.Prob {
			if math.IsNaN(p) {
				continue
			}
			t := s.Time[i]
			if start.IsZero() || t.Before(start) {
				start = t
			}
			if t.After(end) {
				end = t
			}
		}
	}
	return start, end
}
