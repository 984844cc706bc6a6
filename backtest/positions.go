package backtest

import (
	"fmt"
	"math"
)

// Position rule modes for PositionRule.Mode.
const (
	// LongFlat: 1 when score > Threshold, else 0.
	LongFlat = "long_flat"
	// LongShort: 1 when score > Threshold, -1 when score < Threshold,
	// 0 when equal.
	LongShort = "long_short"
	// ThresholdBand: 1 when score > Threshold, -1 when score < -Threshold,
	// 0 inside the band [-Threshold, Threshold]. Threshold must be >= 0.
	ThresholdBand = "threshold"
)

// PositionRule turns model scores into target positions. The zero value
// is LongFlat with Threshold 0 (long when the score is positive). Use
// Threshold 0.5 for probabilities in [0, 1].
type PositionRule struct {
	Mode      string  `json:"mode"` // LongFlat, LongShort or ThresholdBand; "" means LongFlat
	Threshold float64 `json:"threshold"`
}

// Validate returns an error wrapping ErrBadConfig for an unknown Mode, a
// non-finite Threshold, or a negative Threshold with ThresholdBand.
func (r PositionRule) Validate() error {
	if math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) {
		return configError("PositionRule.Threshold", r.Threshold, "must be finite")
	}
	switch r.Mode {
	case "", LongFlat, LongShort:
	case ThresholdBand:
		if r.Threshold < 0 {
			return configError("PositionRule.Threshold", r.Threshold, `must be >= 0 with mode "threshold"`)
		}
	default:
		return configError("PositionRule.Mode", fmt.Sprintf("%q", r.Mode),
			`want "long_flat", "long_short" or "threshold"`)
	}
	return nil
}

// Positions maps each score to a target position in {-1, 0, 1} according
// to rule (see the mode constants). A NaN score gives 0 (flat): no
// decision means no position. The result is a new slice of len(scores);
// nil or empty scores give an empty slice. Positions panics if
// rule.Validate fails; validate rules from user input first.
func Positions(scores []float64, rule PositionRule) []float64 {
	if err := rule.Validate(); err != nil {
		panic(err.Error())
	}
	th := rule.Threshold
	out := make([]float64, len(scores))
	for i, s := range scores {
		switch {
		case math.IsNaN(s):
			out[i] = 0
		case s > th:
			out[i] = 1
		case rule.Mode == LongShort && s < th:
			out[i] = -1
		case rule.Mode == ThresholdBand && s < -th:
			out[i] = -1
		}
	}
	return out
}
