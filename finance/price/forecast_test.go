package price

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/finance"
)

func smallForecast(kind ModelKind) ForecastConfig {
	c := DefaultForecastConfig()
	c.Model, c.Window, c.Hidden, c.Epochs, c.BatchSize, c.LearningRate = kind, 5, 4, 3, 32, 0.01
	return c
}

func loadAAPL(t *testing.T) *finance.Series {
	t.Helper()
	md, err := finance.LoadOHLCV(filepath.Join("testdata", "AAPL_300.csv"), finance.LoadOptions{})
	require.NoError(t, err)
	return md.Series[0]
}

func TestForecastAgainstRandomWalk(t *testing.T) {
	s := loadAAPL(t)
	for _, kind := range []ModelKind{GRU, MLP, Linear} {
		t.Run(string(kind), func(t *testing.T) {
			res, err := Forecast(context.Background(), s, smallForecast(kind))
			require.NoError(t, err)
			// Test bars: from 80% of 300 to the second-to-last bar.
			require.Equal(t, 300-1-240, res.TestBars)
			require.Len(t, res.Actual, res.TestBars)
			assert.Equal(t, s.Time[240], res.Time[0])

			// The random walk by hand: RMSE of the returns themselves.
			se, up := 0.0, 0
			for i, r := range res.Actual {
				assert.InDelta(t, math.Log(s.Close[241+i]/s.Close[240+i]), r, 1e-15)
				se += r * r
				if r >= 0 {
					up++
				}
			}
			assert.InDelta(t, math.Sqrt(se/float64(len(res.Actual))), res.RandomWalk.ReturnRMSE, 1e-15)
			assert.InDelta(t, float64(up)/float64(len(res.Actual)), res.RandomWalk.DirectionalAccuracy, 1e-15)
			assert.Greater(t, res.Model.ReturnRMSE, 0.0)
			assert.Greater(t, res.Model.PriceRMSE, 0.0)
		})
	}
}

// TestForecastNoLookAhead: changing prices after test bar t changes no
// forecast made up to t (the model sees only the training bars).
func TestForecastNoLookAhead(t *testing.T) {
	s := loadAAPL(t)
	cfg := smallForecast(GRU)
	base, err := Forecast(context.Background(), s, cfg)
	require.NoError(t, err)
	for _, cut := range []int{240, 270} {
		p := *s
		p.Close = append([]float64(nil), s.Close...)
		p.High = append([]float64(nil), s.High...)
		for i := cut + 1; i < len(p.Close); i++ {
			p.Close[i] *= 1.3
			p.High[i] *= 1.3
		}
		got, err := Forecast(context.Background(), &p, cfg)
		require.NoError(t, err)
		for i, tm := range base.Time {
			if tm.After(s.Time[cut]) {
				break
			}
			require.Equal(t, base.Predicted[i], got.Predicted[i], "forecast at %s", tm)
		}
	}
}

func TestForecastErrors(t *testing.T) {
	s := loadAAPL(t)
	bad := smallForecast(GRU)
	bad.TrainFraction = 0.9
	_, err := Forecast(context.Background(), s, bad)
	assert.True(t, errors.Is(err, ErrConfig), "%v", err)
	short := *s
	short.Time, short.Open, short.High, short.Low, short.Close, short.Volume =
		s.Time[:40], s.Open[:40], s.High[:40], s.Low[:40], s.Close[:40], s.Volume[:40]
	_, err = Forecast(context.Background(), &short, smallForecast(GRU))
	assert.True(t, errors.Is(err, ErrTooShort), "%v", err)
}

func ExampleForecast() {
	md, _ := finance.LoadOHLCV("testdata/AAPL_300.csv", finance.LoadOptions{})
	cfg := DefaultForecastConfig()
	cfg.Window, cfg.Hidden, cfg.Epochs = 5, 4, 2
	res, err := Forecast(context.Background(), md.Series[0], cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d test bars; random walk return RMSE %.4f\n", res.TestBars, res.RandomWalk.ReturnRMSE)
	// Output: 59 test bars; random walk return RMSE 0.0142
}

// TestForecastRealData logs the model against the random walk on a full
// sp500_5yr series. It needs ../shared/data and DEEPFIN_FORECAST_FULL=1.
func TestForecastRealData(t *testing.T) {
	root := os.Getenv("DEEPFIN_DATA")
	if root == "" {
		root = filepath.Join("..", "..", "..", "shared", "data")
	}
	if os.Getenv("DEEPFIN_FORECAST_FULL") == "" {
		t.Skip("set DEEPFIN_FORECAST_FULL=1 (and have ../shared/data) to forecast full series")
	}
	for _, name := range []string{"AAPL", "BAC", "CAT"} {
		md, err := finance.LoadOHLCV(filepath.Join(root, "markets", "sp500_5yr", name+"_data.csv"), finance.LoadOptions{})
		if err != nil {
			t.Skip("needs ../shared/data/markets/sp500_5yr: " + err.Error())
		}
		for _, kind := range []ModelKind{GRU, "lstm"} {
			res, err := Forecast(context.Background(), md.Series[0], DefaultForecastConfig().withModel(kind))
			if err != nil {
				t.Logf("%s %s: %v", name, kind, err)
				continue
			}
			t.Logf("%s %s: %d test bars; return RMSE model %.5f rw %.5f; MAE %.5f / %.5f; price RMSE %.3f / %.3f; direction %.3f / %.3f (up share); epochs %d",
				name, kind, res.TestBars, res.Model.ReturnRMSE, res.RandomWalk.ReturnRMSE, res.Model.ReturnMAE, res.RandomWalk.ReturnMAE,
				res.Model.PriceRMSE, res.RandomWalk.PriceRMSE, res.Model.DirectionalAccuracy, res.RandomWalk.DirectionalAccuracy, len(res.History.TrainLoss))
		}
	}
}

func (c ForecastConfig) withModel(k ModelKind) ForecastConfig { c.Model = k; return c }
