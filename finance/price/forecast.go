package price

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/deepfin/deepfin/features"
	"github.com/deepfin/deepfin/finance"
	"github.com/deepfin/deepfin/models"
)

// ForecastConfig controls Forecast. DefaultForecastConfig gives working
// values; a zero field does not mean "default".
type ForecastConfig struct {
	// Model is GRU, MLP, Linear, or "lstm" (a models layer type; it fails
	// with models.ErrInvalidSpec until the models package has it).
	Model ModelKind
	// Window is the number of bars of features in one sample.
	Window int
	// Hidden, Epochs, BatchSize, LearningRate and Patience configure the
	// network and its training (Adam, MSE, early stopping on the
	// validation bars).
	Hidden, Epochs, BatchSize int
	LearningRate              float64
	Patience                  int
	// TrainFraction and ValFraction split the bars by date: the first
	// TrainFraction train, the next ValFraction validate, the rest are the
	// test. Both in (0, 1) with a sum below 1.
	TrainFraction, ValFraction float64
	Seed                       int64
}

// DefaultForecastConfig returns a GRU of 16 units over 20-bar windows of
// the Standard features, up to 30 epochs with patience 5, trained on the
// first 60% of the bars and validated on the next 20%.
func DefaultForecastConfig() ForecastConfig {
	return ForecastConfig{Model: GRU, Window: 20, Hidden: 16, Epochs: 30, BatchSize: 64,
		LearningRate: 1e-3, Patience: 5, TrainFraction: 0.6, ValFraction: 0.2, Seed: 1}
}

// ForecastMetrics compare forecasts with outcomes over the test bars.
// Returns are one-bar log returns; prices are closes.
type ForecastMetrics struct {
	ReturnRMSE, ReturnMAE float64
	PriceRMSE, PriceMAE   float64 // in price units
	// DirectionalAccuracy is the fraction of bars whose forecast return
	// has the sign of the outcome (a zero forecast counts as "up"); for
	// the random walk, which forecasts 0, it is therefore the share of up
	// bars.
	DirectionalAccuracy float64
	N                   int
}

// ForecastResult is the outcome of Forecast: one entry per test bar t,
// forecasting bar t+1 from data up to the close of t.
type ForecastResult struct {
	Config ForecastConfig
	// Time[i] is the bar after whose close the forecast is made.
	Time []time.Time
	// Actual and Predicted are log returns from the close of Time[i] to
	// the next close.
	Actual, Predicted []float64
	// Model scores the network; RandomWalk the naive forecast of no
	// change (return 0, tomorrow's close = today's).
	Model, RandomWalk ForecastMetrics
	// TrainBars, ValBars and TestBars count the samples of each part.
	TrainBars, ValBars, TestBars int
	History                      *models.History
}

// Forecast trains cfg.Model to forecast the next bar's log return of s
// from windows of its Standard features (scaled with statistics of the
// training bars only) and compares it with the random walk on the test
// bars, by return and by the price the return implies (close·e^r). The
// label of bar t is known at t+1, so one bar is purged at each boundary.
// Errors wrap ErrConfig for a bad cfg and ErrTooShort when a part has no
// sample.
func Forecast(ctx context.Context, s *finance.Series, cfg ForecastConfig) (*ForecastResult, error) {
	if cfg.Window < 1 || cfg.Hidden < 1 || cfg.Epochs < 1 || cfg.BatchSize < 1 || !(cfg.LearningRate > 0) ||
		cfg.Patience < 0 || !(cfg.TrainFraction > 0) || !(cfg.ValFraction > 0) || !(cfg.TrainFraction+cfg.ValFraction < 1) {
		return nil, fmt.Errorf("price: forecast config %+v: %w", cfg, ErrConfig)
	}
	n := s.Len()
	a := int(cfg.TrainFraction * float64(n))
	b := int((cfg.TrainFraction + cfg.ValFraction) * float64(n))

	if a < features.StandardWarmup+cfg.Window+1 {
		return nil, fmt.Errorf("price: forecast: %d training bars hold no complete %d-bar window after the %d-bar feature warm-up: %w",
			a, cfg.Window, features.StandardWarmup, ErrTooShort)
	}
	tab := features.Standard(features.OHLCV{Open: s.Open, High: s.High, Low: s.Low, Close: s.Close, Volume: s.Volume})
	scaler, err := features.FitStandardScaler(tab.Cols, max(a, 1))
	if err != nil {
		return nil, fmt.Errorf("price: forecast: %w", err)
	}
	cols := scaler.Transform(tab.Cols)
	next := make([]float64, n) // ln(c[t+1]/c[t]), NaN at the end
	for t := range n {
		next[t] = math.NaN()
		if t+1 < n {
			next[t] = math.Log(s.Close[t+1] / s.Close[t])
		}
	}
	// Scale the target by the training returns' standard deviation.
	sd := 0.0
	m := 0
	for t := range max(a-1, 0) {
		sd += next[t] * next[t]
		m++
	}
	if m == 0 || sd == 0 {
		return nil, fmt.Errorf("price: forecast: %d training bars: %w", a, ErrTooShort)
	}
	sd = math.Sqrt(sd / float64(m))
	target := make([]float64, n)
	for t := range n {
		target[t] = next[t] / sd
	}

	var train, val, test sampleSet
	if err := train.add(cols, target, cfg.Window, 0, a-1, 0); err != nil {
		return nil, err
	}
	if err := val.add(cols, target, cfg.Window, a, b-1, 0); err != nil {
		return nil, err
	}
	if err := test.add(cols, target, cfg.Window, b, n-1, 0); err != nil {
		return nil, err
	}
	if train.n == 0 || val.n == 0 || test.n == 0 {
		return nil, fmt.Errorf("price: forecast: %d/%d/%d train/validation/test samples: %w", train.n, val.n, test.n, ErrTooShort)
	}

	model, err := models.New(cfg.spec(len(tab.Cols)), cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("price: forecast: %w", err)
	}
	vd := val.dataset()
	hist, err := model.Fit(ctx, train.dataset(), models.TrainConfig{Epochs: cfg.Epochs, BatchSize: cfg.BatchSize,
		Loss: models.LossMSE, Optimizer: models.OptimizerConfig{LearningRate: cfg.LearningRate, ClipNorm: 1},
		Seed: cfg.Seed, Validation: &vd, Patience: cfg.Patience})
	if err != nil {
		return nil, fmt.Errorf("price: forecast: %w", err)
	}
	pred, err := model.Predictor().Predict(nil, test.x)
	if err != nil {
		return nil, fmt.Errorf("price: forecast: %w", err)
	}

	res := &ForecastResult{Config: cfg, TrainBars: train.n, ValBars: val.n, TestBars: test.n, History: hist}
	zero := make([]float64, test.n)
	var closes []float64
	for k, t := range test.end {
		res.Time = append(res.Time, s.Time[t])
		res.Actual = append(res.Actual, next[t])
		res.Predicted = append(res.Predicted, float64(pred[k])*sd)
		closes = append(closes, s.Close[t])
	}
	res.Model = forecastMetrics(closes, res.Actual, res.Predicted)
	res.RandomWalk = forecastMetrics(closes, res.Actual, zero)
	return res, nil
}

// forecastMetrics scores forecast log returns f against actual ones r,
// made at closes c.
func forecastMetrics(c, r, f []float64) ForecastMetrics {
	var m ForecastMetrics
	var se, ae, pse, pae float64
	hits := 0
	for i := range r {
		d := f[i] - r[i]
		se += d * d
		ae += math.Abs(d)
		pd := c[i]*math.Exp(f[i]) - c[i]*math.Exp(r[i])
		pse += pd * pd
		pae += math.Abs(pd)
		if (f[i] >= 0) == (r[i] >= 0) {
			hits++
		}
	}
	k := float64(len(r))
	m.N = len(r)
	m.ReturnRMSE, m.ReturnMAE = math.Sqrt(se/k), ae/k
	m.PriceRMSE, m.PriceMAE = math.Sqrt(pse/k), pae/k
	m.DirectionalAccuracy = float64(hits) / k
	return m
}

// spec returns the forecasting network for nf features per bar: the
// recurrent kinds read the window step by step, the others flatten it.
func (c ForecastConfig) spec(nf int) models.Spec {
	switch c.Model {
	case MLP, Linear:
		return Config{Model: c.Model, Window: c.Window, Hidden: c.Hidden}.spec(nf)
	default: // gru, lstm, alstm: the kind is the layer type
		return models.Spec{Input: []int{c.Window, nf}, Layers: []models.LayerSpec{
			{Type: string(c.Model), Units: c.Hidden}, {Type: models.LayerDense, Units: 1}}}
	}
}
