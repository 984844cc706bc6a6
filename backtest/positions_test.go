package backtest

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPositions(t *testing.T) {
	nan := math.NaN()
	scores := []float64{-0.8, -0.2, 0, 0.2, 0.8, nan}
	tests := []struct {
		name string
		rule PositionRule
		want []float64
	}{
		{name: "zero value is long/flat at 0", rule: PositionRule{}, want: []float64{0, 0, 0, 1, 1, 0}},
		{name: "long flat", rule: PositionRule{Mode: LongFlat, Threshold: 0.5}, want: []float64{0, 0, 0, 0, 1, 0}},
		{name: "long short", rule: PositionRule{Mode: LongShort}, want: []float64{-1, -1, 0, 1, 1, 0}},
		{name: "long short around 0.5", rule: PositionRule{Mode: LongShort, Threshold: 0.5}, want: []float64{-1, -1, -1, -1, 1, 0}},
		{name: "threshold band", rule: PositionRule{Mode: ThresholdBand, Threshold: 0.5}, want: []float64{-1, 0, 0, 0, 1, 0}},
		{name: "threshold band 0", rule: PositionRule{Mode: ThresholdBand}, want: []float64{-1, -1, 0, 1, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Positions(scores, tc.rule))
		})
	}
}

func TestPositionRuleValidate(t *testing.T) {
	tests := []struct {
		name string
		rule PositionRule
	}{
		{name: "unknown mode", rule: PositionRule{Mode: "short_only"}},
		{name: "negative band", rule: PositionRule{Mode: ThresholdBand, Threshold: -0.1}},
		{name: "NaN threshold", rule: PositionRule{Threshold: math.NaN()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, tc.rule.Validate(), ErrBadConfig)
			assert.Panics(t, func() { Positions([]float64{1}, tc.rule) })
		})
	}
	assert.Empty(t, Positions(nil, PositionRule{}))
}
