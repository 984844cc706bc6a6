package backtest

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDrawdown(t *testing.T) {
	got := Drawdown([]float64{0.5, 2, 1, 2.5})
	assert.InDeltaSlice(t, []float64{-0.5, 0, -0.5, 0}, got, 1e-15)
	assert.Empty(t, Drawdown(nil))
}

func TestRollingSharpe(t *testing.T) {
	r := []float64{0.02, -0.01, 0.02, -0.01, 0, 0, 0}
	got := RollingSharpe(r, 4, 252)
	for i := range 3 {
		assert.True(t, math.IsNaN(got[i]), "warm-up bar %d", i)
	}
	// Same window as TestComputeMetricsAlternating.
	assert.InDelta(t, 4.58257569495584, got[3], 1e-9)
	assert.False(t, math.IsNaN(got[6]))
	assert.True(t, math.IsNaN(RollingSharpe([]float64{0, 0, 0}, 2, 0)[2]), "zero sd gives NaN")
	assert.Panics(t, func() { RollingSharpe(r, 1, 252) })
}
