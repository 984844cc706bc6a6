package credit

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// Scaling maps log-odds to points: score = Offset + Factor·ln(odds of
// good), with Factor = PDO/ln 2 and Offset = BaseScore − Factor·ln
// BaseOdds. Odds are goods per bad. A zero field takes its default.
type Scaling struct {
	BaseScore float64 `json:"base_score"` // points at BaseOdds; default 600
	BaseOdds  float64 `json:"base_odds"`  // good:bad odds at BaseScore; default 50 (50:1)
	PDO       float64 `json:"pdo"`        // points to double the odds; default 20
}

// DefaultScaling returns 600 points at 50:1 odds, 20 points to double.
func DefaultScaling() Scaling { return Scaling{BaseScore: 600, BaseOdds: 50, PDO: 20} }

func (s Scaling) withDefaults() (Scaling, error) {
	d := DefaultScaling()
	if s.BaseScore == 0 {
		s.BaseScore = d.BaseScore
	}
	if s.BaseOdds == 0 {
		s.BaseOdds = d.BaseOdds
	}
	if s.PDO == 0 {
		s.PDO = d.PDO
	}
	if !(s.BaseOdds > 0) || math.IsInf(s.BaseOdds, 0) || !(s.PDO > 0) || math.IsInf(s.PDO, 0) || math.IsNaN(s.BaseScore) || math.IsInf(s.BaseScore, 0) {
		return s, optionError("scaling: base score %v, base odds %v, PDO %v: want finite, odds and PDO positive", s.BaseScore, s.BaseOdds, s.PDO)
	}
	return s, nil
}

// Factor returns PDO/ln 2, points per unit of log-odds.
func (s Scaling) Factor() float64 { return s.PDO / math.Ln2 }

// Offset returns BaseScore − Factor·ln(BaseOdds).
func (s Scaling) Offset() float64 { return s.BaseScore - s.Factor()*math.Log(s.BaseOdds) }

// PD returns the probability of bad for a score:
// 1/(1 + exp((score − Offset)/Factor)).
func (s Scaling) PD(score float64) float64 {
	return sigmoid(-(score - s.Offset()) / s.Factor())
}

// ScorecardConfig configures FitScorecard. The zero value gives the
// defaults noted on each field.
type ScorecardConfig struct {
	Binning BinningConfig
	Scaling Scaling
	// MinIV drops attributes whose information value is below it. 0 means
	// 0.02; a negative value keeps every attribute.
	MinIV float64
	// L2 is the ridge penalty on the WoE coefficients (see
	// LogisticFitter). 0 means 1e-3; negative means none.
	L2 float64
	// Fitter fits the regression; nil means ModelsLogistic{} (through
	// package models). NewtonLogistic{} gives nearly the same
	// coefficients about a hundred times faster.
	Fitter LogisticFitter
	// BadWeight is the weight of a bad row relative to a good row's 1 in
	// the regression (a class weight, e.g. 5 for a 5:1 cost matrix). 0
	// means 1. With a weight other than 1 the PDs describe the reweighted
	// population, not the real one; prefer unit weights and a
	// cost-minimising threshold (see BestThreshold).
	BadWeight float64
	// KeepWrongSign keeps attributes whose fitted effect runs against
	// their WoE (a positive coefficient on ln(good/bad) share). By default
	// such attributes are dropped one at a time, the worst first, and the
	// regression refitted.
	KeepWrongSign bool
}

// ScoreAttribute is one attribute of a Scorecard with its points per bin.
type ScoreAttribute struct {
	// Field is the attribute's index in the Scorecard's Schema.
	Field int `json:"field"`
	// Coef is the regression coefficient on the attribute's WoE, on the
	// log-odds of bad (negative for a well-behaved attribute).
	Coef float64 `json:"coef"`
	// Bins is the attribute's binning.
	Bins *AttributeBins `json:"bins"`
	// Points holds the points of each bin, parallel to Bins.Bins.
	Points []float64 `json:"points"`
	// MaxPoints is the largest value in Points.
	MaxPoints float64 `json:"max_points"`
}

// Scorecard is a fitted points scorecard: a WoE binning, a logistic
// regression on the WoE values, and points scaled by Scaling. Scoring is
// safe for concurrent use and does not allocate.
type Scorecard struct {
	Schema     *Schema          `json:"schema"`
	Scaling    Scaling          `json:"scaling"`
	Intercept  float64          `json:"intercept"` // of the log-odds of bad
	Attributes []ScoreAttribute `json:"attributes"`
	// Binning is the binning of every attribute, used or not (for the IV
	// table).
	Binning *Binning `json:"binning"`
}

// FitScorecard fits a scorecard on the training rows of d (0-based; nil
// means all rows): binning, attribute selection by IV, a logistic
// regression of the bad flag on the WoE values, then points.
//
// Points of bin i of attribute j are −Factor·Coef_j·WoE_ij +
// (Offset − Factor·Intercept)/m, m being the number of attributes used,
// so an applicant's points add up to Offset + Factor·ln(odds of good).
func FitScorecard(ctx context.Context, d *Dataset, rows []int, cfg ScorecardConfig) (*Scorecard, error) {
	scaling, err := cfg.Scaling.withDefaults()
	if err != nil {
		return nil, err
	}
	minIV, l2, badW := cfg.MinIV, cfg.L2, cfg.BadWeight
	if minIV == 0 {
		minIV = 0.02
	}
	if l2 == 0 {
		l2 = 1e-3
	}
	if l2 < 0 {
		l2 = 0
	}
	if badW == 0 {
		badW = 1
	}
	if !(badW > 0) || math.IsInf(badW, 0) {
		return nil, optionError("scorecard: BadWeight = %v, want positive", cfg.BadWeight)
	}
	fitter := cfg.Fitter
	if fitter == nil {
		fitter = ModelsLogistic{}
	}
	if rows == nil {
		rows = make([]int, d.Len())
		for i := range rows {
			rows[i] = i
		}
	}
	bins, err := FitBinning(d, rows, cfg.Binning)
	if err != nil {
		return nil, err
	}

	var use []int // column indices
	for ci, a := range bins.Attributes {
		if a.IV >= minIV && len(a.Bins) > 1 {
			use = append(use, ci)
		}
	}
	y := make([]int, len(rows))
	var weights []float64
	if badW != 1 {
		weights = make([]float64, len(rows))
	}
	for i, r := range rows {
		y[i] = d.Y[r]
		if weights != nil {
			weights[i] = 1
			if y[i] == 1 {
				weights[i] = badW
			}
		}
	}

	var coef []float64
	var b0 float64
	for {
		if len(use) == 0 {
			return nil, fmt.Errorf("credit: scorecard: no attribute has IV ≥ %v: %w", minIV, ErrInvalidOption)
		}
		p := len(use)
		x := make([]float64, len(rows)*p)
		for j, ci := range use {
			a := bins.Attributes[ci]
			c := &d.Columns[ci]
			for i, r := range rows {
				x[i*p+j] = a.Bins[a.BinOf(c.Value(r))].WoE
			}
		}
		coef, b0, err = fitter.FitLogistic(ctx, x, y, weights, p, l2)
		if err != nil {
			return nil, fmt.Errorf("credit: scorecard: %w", err)
		}
		if cfg.KeepWrongSign {
			break
		}
		worst := -1
		for j, c := range coef {
			if c > 0 && (worst < 0 || c > coef[worst]) {
				worst = j
			}
		}
		if worst < 0 {
			break
		}
		use = slices.Delete(use, worst, worst+1)
	}

	usedName := make(map[string]bool, len(use))
	for _, ci := range use {
		usedName[d.Columns[ci].Name] = true
	}
	sc := &Scorecard{
		Schema:    schemaFromData(d, rows, func(n string) bool { return usedName[n] }),
		Scaling:   scaling,
		Intercept: b0,
		Binning:   bins,
	}
	factor, offset := scaling.Factor(), scaling.Offset()
	share := (offset - factor*b0) / float64(len(use))
	for j, ci := range use {
		a := bins.Attributes[ci]
		sa := ScoreAttribute{Field: ci, Coef: coef[j], Bins: a, Points: make([]float64, len(a.Bins)), MaxPoints: math.Inf(-1)}
		for bi, bn := range a.Bins {
			sa.Points[bi] = -factor*coef[j]*bn.WoE + share
			sa.MaxPoints = math.Max(sa.MaxPoints, sa.Points[bi])
		}
		sc.Attributes = append(sc.Attributes, sa)
	}
	return sc, nil
}

// Score returns the applicant's total points. x is a record in Schema
// order. It does not allocate. It panics if len(x) != Schema.Len().
func (s *Scorecard) Score(x []Value) float64 {
	if len(x) != len(s.Schema.Fields) {
		panic(fmt.Sprintf("credit: Score: %d values for %d fields", len(x), len(s.Schema.Fields)))
	}
	total := 0.0
	for i := range s.Attributes {
		a := &s.Attributes[i]
		total += a.Points[a.Bins.BinOf(x[a.Field])]
	}
	return total
}

// PD returns the applicant's probability of bad, Scaling.PD(Score(x)).
// It panics as Score does.
func (s *Scorecard) PD(x []Value) float64 { return s.Scaling.PD(s.Score(x)) }

// Reason is one reason code: an attribute that cost the applicant points.
type Reason struct {
	Attribute string  `json:"attribute"`
	Bin       string  `json:"bin"`        // label of the applicant's bin
	Points    float64 `json:"points"`     // points the applicant got
	MaxPoints float64 `json:"max_points"` // points of the attribute's best bin
	Loss      float64 `json:"loss"`       // MaxPoints − Points, > 0
}

// Reasons appends to dst[:0] up to n reason codes for the applicant: the
// attributes where the applicant's bin scores below the attribute's best
// bin, by points lost, largest first (ties in attribute order). n ≤ 0
// means all. It allocates only when dst lacks room. It panics as Score
// does.
func (s *Scorecard) Reasons(x []Value, dst []Reason, n int) []Reason {
	if len(x) != len(s.Schema.Fields) {
		panic(fmt.Sprintf("credit: Reasons: %d values for %d fields", len(x), len(s.Schema.Fields)))
	}
	dst = dst[:0]
	for i := range s.Attributes {
		a := &s.Attributes[i]
		bi := a.Bins.BinOf(x[a.Field])
		loss := a.MaxPoints - a.Points[bi]
		if !(loss > 1e-9) {
			continue
		}
		r := Reason{Attribute: a.Bins.Name, Bin: a.Bins.labels[bi], Points: a.Points[bi], MaxPoints: a.MaxPoints, Loss: loss}
		// insertion keeps dst sorted by loss descending, stable
		pos := len(dst)
		for pos > 0 && dst[pos-1].Loss < loss {
			pos--
		}
		if n > 0 && pos >= n {
			continue
		}
		if n <= 0 || len(dst) < n {
			dst = append(dst, Reason{})
		}
		copy(dst[pos+1:], dst[pos:len(dst)-1])
		dst[pos] = r
	}
	return dst
}

// ScoreDataset returns the scores and PDs of the given rows of d (0-based;
// nil means all), matching columns to schema fields by name. It returns
// an error wrapping ErrMissingColumn when d lacks a used attribute.
func (s *Scorecard) ScoreDataset(d *Dataset, rows []int) (scores, pds []float64, err error) {
	cm, err := s.Schema.columnMap(d)
	if err != nil {
		return nil, nil, err
	}
	if rows == nil {
		rows = make([]int, d.Len())
		for i := range rows {
			rows[i] = i
		}
	}
	scores = make([]float64, len(rows))
	pds = make([]float64, len(rows))
	x := make([]Value, len(s.Schema.Fields))
	for i, r := range rows {
		for fi, ci := range cm {
			if ci < 0 {
				x[fi] = Missing()
			} else {
				x[fi] = d.Columns[ci].Value(r)
			}
		}
		scores[i] = s.Score(x)
		pds[i] = s.Scaling.PD(scores[i])
	}
	return scores, pds, nil
}

// PredictPD implements Classifier.
func (s *Scorecard) PredictPD(d *Dataset, rows []int) ([]float64, error) {
	_, pds, err := s.ScoreDataset(d, rows)
	return pds, err
}

// PointsRow is one line of a scorecard's points table.
type PointsRow struct {
	Attribute string  `json:"attribute"`
	Bin       string  `json:"bin"`
	Goods     int     `json:"goods"`
	Bads      int     `json:"bads"`
	BadRate   float64 `json:"bad_rate"`
	WoE       float64 `json:"woe"`
	Points    float64 `json:"points"`
}

// PointsTable lists every bin of every used attribute with its points, in
// attribute order (by IV, highest first) and bin order.
func (s *Scorecard) PointsTable() []PointsRow {
	order := make([]int, len(s.Attributes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		return cmp.Compare(s.Attributes[j].Bins.IV, s.Attributes[i].Bins.IV)
	})
	var out []PointsRow
	for _, i := range order {
		a := &s.Attributes[i]
		for bi, b := range a.Bins.Bins {
			out = append(out, PointsRow{Attribute: a.Bins.Name, Bin: b.Label(), Goods: b.Goods, Bads: b.Bads,
				BadRate: b.BadRate(), WoE: b.WoE, Points: a.Points[bi]})
		}
	}
	return out
}
