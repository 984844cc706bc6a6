package price

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/finance"
)

// smallConfig keeps a walk-forward over the 300-bar fixtures to well under
// a second.
func smallConfig(kind ModelKind) Config {
	c := DefaultConfig()
	c.Model = kind
	c.Window = 5
	c.TrainBars = 120
	c.Refit = 40
	c.Hidden = 4
	c.Epochs = 3
	c.BatchSize = 32
	c.LearningRate = 0.01
	return c
}

func loadFixtures(t *testing.T) []*finance.Series {
	t.Helper()
	var out []*finance.Series
	for _, name := range []string{"AAPL_300.csv", "BAC_300.csv"} {
		md, err := finance.LoadOHLCV(filepath.Join("testdata", name), finance.LoadOptions{})
		require.NoError(t, err)
		out = append(out, md.Series...)
	}
	return out
}

func TestWalkForwardScoresOnlyOutOfSample(t *testing.T) {
	series := loadFixtures(t)
	for _, kind := range []ModelKind{GRU, LSTM, MLP, Linear} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := smallConfig(kind)
			res, err := WalkForward(context.Background(), series, cfg)
			require.NoError(t, err)
			require.Len(t, res.Series, 2)
			require.NotEmpty(t, res.Folds)
			assert.NotEmpty(t, res.Features)

			firstTest := res.Folds[0].TestStart
			for _, s := range res.Series {
				scored := 0
				for i, p := range s.Prob {
					if s.Time[i].Before(firstTest) {
						assert.True(t, math.IsNaN(p), "%s %s scored inside the first training window", s.Ticker, s.Time[i])
						continue
					}
					if !math.IsNaN(p) {
						scored++
						assert.True(t, p >= 0 && p <= 1, "probability %v out of [0,1]", p)
					}
				}
				assert.Equal(t, 300-cfg.TrainBars, scored, "%s: every bar after the first training window is scored", s.Ticker)
			}
			for k, f := range res.Folds {
				assert.True(t, f.TrainEnd.Before(f.TestStart), "fold %d trains up to %s but scores from %s", k, f.TrainEnd, f.TestStart)
				assert.Positive(t, f.TrainSamples)
			}
			assert.Equal(t, res.Folds[0].TestStart, res.Start)
			assert.False(t, math.IsNaN(res.Accuracy))
		})
	}
}

func TestWalkForwardDeterministic(t *testing.T) {
	series := loadFixtures(t)
	cfg := smallConfig(GRU)
	a, err := WalkForward(context.Background(), series, cfg)
	require.NoError(t, err)
	b, err := WalkForward(context.Background(), series, cfg)
	require.NoError(t, err)
	for i := range a.Series {
		assertSameFloats(t, a.Series[i].Prob, b.Series[i].Prob, len(a.Series[i].Prob))
	}
}

// TestWalkForwardNoLookAhead changes every price after a cut-off bar and
// checks that no score at or before the cut-off moved.
func TestWalkForwardNoLookAhead(t *testing.T) {
	for _, kind := range []ModelKind{GRU, LSTM, MLP} {
		t.Run(string(kind), func(t *testing.T) {
			cfg := smallConfig(kind)
			base := loadFixtures(t)
			want, err := WalkForward(context.Background(), base, cfg)
			require.NoError(t, err)

			const cut = 190 // inside the second out-of-sample fold
			rng := rand.New(rand.NewPCG(7, 7))
			perturbed := loadFixtures(t)
			for _, s := range perturbed {
				for i := cut + 1; i < s.Len(); i++ {
					f := 0.8 + 0.4*rng.Float64()
					s.Open[i] *= f
					s.High[i] *= f * 1.01
					s.Low[i] *= f * 0.99
					s.Close[i] *= f
					s.Volume[i] *= 2 * rng.Float64()
				}
			}
			got, err := WalkForward(context.Background(), perturbed, cfg)
			require.NoError(t, err)
			for i := range want.Series {
				assertSameFloats(t, want.Series[i].Prob, got.Series[i].Prob, cut+1)
			}
		})
	}
}

func TestWalkForwardErrors(t *testing.T) {
	series := loadFixtures(t)
	tests := []struct {
		name   string
		mutate func(*Config)
		want   error
	}{
		{"unknown model", func(c *Config) { c.Model = "transformer" }, ErrConfig},
		{"zero window", func(c *Config) { c.Window = 0 }, ErrConfig},
		{"negative patience", func(c *Config) { c.Patience = -1 }, ErrConfig},
		{"nan learning rate", func(c *Config) { c.LearningRate = math.NaN() }, ErrConfig},
		{"training window longer than the data", func(c *Config) { c.TrainBars = 400 }, ErrTooShort},
		{"training window shorter than the warm-up", func(c *Config) { c.TrainBars = 40 }, ErrConfig},
		{"horizon longer than the training window", func(c *Config) { c.Horizon = 500 }, ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := smallConfig(Linear)
			tt.mutate(&cfg)
			_, err := WalkForward(context.Background(), series, cfg)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.want), "got %v, want %v", err, tt.want)
		})
	}
}

func TestWalkForwardCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := WalkForward(ctx, loadFixtures(t), smallConfig(GRU))
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
}

func assertSameFloats(t *testing.T, want, got []float64, n int) {
	t.Helper()
	require.GreaterOrEqual(t, len(want), n)
	require.GreaterOrEqual(t, len(got), n)
	for i := range n {
		if math.IsNaN(want[i]) && math.IsNaN(got[i]) {
			continue
		}
		if want[i] != got[i] {
			t.Fatalf("bar %d: got %v, want %v", i, got[i], want[i])
		}
	}
}
