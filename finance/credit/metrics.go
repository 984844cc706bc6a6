package credit

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// The evaluation functions take labels y (1 = bad, 0 = good) and risk
// scores pd, one per applicant, where a higher score means riskier (a PD;
// pass −points for scorecard points). They panic if len(y) != len(pd).

func checkLen(name string, y []int, pd []float64) {
	if len(y) != len(pd) {
		panic(fmt.Sprintf("credit: %s: %d labels, %d scores", name, len(y), len(pd)))
	}
}

// order returns the indices of pd sorted by pd ascending (stable).
func order(pd []float64) []int {
	idx := make([]int, len(pd))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(pd[a], pd[b]) })
	return idx
}

func counts(y []int) (goods, bads int) {
	for _, v := range y {
		if v == 1 {
			bads++
		} else {
			goods++
		}
	}
	return goods, bads
}

// AUC returns the area under the ROC curve: the probability that a random
// bad scores higher than a random good, ties counting one half
// (Mann–Whitney U with mid-ranks). It is NaN when either class is absent.
func AUC(y []int, pd []float64) float64 {
	checkLen("AUC", y, pd)
	goods, bads := counts(y)
	if goods == 0 || bads == 0 {
		return math.NaN()
	}
	idx := order(pd)
	var rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && pd[idx[j]] == pd[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of 1-based ranks i+1..j
		for k := i; k < j; k++ {
			if y[idx[k]] == 1 {
				rankSum += mid
			}
		}
		i = j
	}
	nb, ng := float64(bads), float64(goods)
	return (rankSum - nb*(nb+1)/2) / (nb * ng)
}

// Gini returns 2·AUC − 1 (the accuracy ratio).
func Gini(y []int, pd []float64) float64 { return 2*AUC(y, pd) - 1 }

// KSPoint is one point of the Kolmogorov–Smirnov curve: the fractions of
// goods and of bads with a score ≤ Threshold.
type KSPoint struct {
	Threshold float64 `json:"threshold"`
	Goods     float64 `json:"goods"` // cumulative fraction of goods
	Bads      float64 `json:"bads"`  // cumulative fraction of bads
}

// KSCurve returns the empirical distribution functions of the goods' and
// the bads' scores at every distinct score, ascending. It returns nil when
// either class is absent.
func KSCurve(y []int, pd []float64) []KSPoint {
	checkLen("KSCurve", y, pd)
	goods, bads := counts(y)
	if goods == 0 || bads == 0 {
		return nil
	}
	idx := order(pd)
	var out []KSPoint
	var g, b int
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && pd[idx[j]] == pd[idx[i]] {
			if y[idx[j]] == 1 {
				b++
			} else {
				g++
			}
			j++
		}
		out = append(out, KSPoint{Threshold: pd[idx[i]], Goods: float64(g) / float64(goods), Bads: float64(b) / float64(bads)})
		i = j
	}
	return out
}

// KS returns the Kolmogorov–Smirnov statistic, the largest distance between
// the goods' and the bads' score distributions (a fraction in [0, 1]), and
// the score where it is reached (the first, for ties). Both are NaN when
// either class is absent.
func KS(y []int, pd []float64) (ks, threshold float64) {
	ks, threshold = math.NaN(), math.NaN()
	for _, p := range KSCurve(y, pd) {
		if d := math.Abs(p.Goods - p.Bads); !(d <= ks) {
			ks, threshold = d, p.Threshold
		}
	}
	return ks, threshold
}

// Brier returns the mean squared difference between pd and y; NaN for no
// data.
func Brier(y []int, pd []float64) float64 {
	checkLen("Brier", y, pd)
	if len(y) == 0 {
		return math.NaN()
	}
	var s float64
	for i := range y {
		d := pd[i] - float64(y[i])
		s += d * d
	}
	return s / float64(len(y))
}

// ROCPoint is one point of the ROC curve for the rule "bad when score ≥
// Threshold".
type ROCPoint struct {
	Threshold float64 `json:"threshold"`
	FPR       float64 `json:"fpr"` // fraction of goods flagged
	TPR       float64 `json:"tpr"` // fraction of bads flagged
}

// ROC returns the ROC curve from (0, 0) at Threshold +Inf to (1, 1), one
// point per distinct score, descending. It returns nil when either class
// is absent.
func ROC(y []int, pd []float64) []ROCPoint {
	ks := KSCurve(y, pd)
	if ks == nil {
		return nil
	}
	out := []ROCPoint{{Threshold: math.Inf(1)}}
	for i := len(ks) - 1; i >= 0; i-- {
		prevG, prevB := 0.0, 0.0
		if i > 0 {
			prevG, prevB = ks[i-1].Goods, ks[i-1].Bads
		}
		out = append(out, ROCPoint{Threshold: ks[i].Threshold, FPR: 1 - prevG, TPR: 1 - prevB})
	}
	return out
}

// CalibrationBin is one group of a calibration table.
type CalibrationBin struct {
	N       int     `json:"n"`
	MinPD   float64 `json:"min_pd"`
	MaxPD   float64 `json:"max_pd"`
	MeanPD  float64 `json:"mean_pd"`
	BadRate float64 `json:"bad_rate"` // observed fraction of bads
}

// Calibration sorts the applicants by pd and cuts them into groups of
// near-equal size (10 for deciles; sizes differ by at most one; equal
// scores may straddle a cut), returning the mean predicted PD and the
// observed bad rate of each, lowest PD first. groups is capped at len(y).
// It returns an error wrapping ErrInvalidOption when groups < 1 or there
// is no data.
func Calibration(y []int, pd []float64, groups int) ([]CalibrationBin, error) {
	checkLen("Calibration", y, pd)
	if groups < 1 || len(y) == 0 {
		return nil, optionError("calibration: %d groups for %d applicants", groups, len(y))
	}
	groups = min(groups, len(y))
	idx := order(pd)
	out := make([]CalibrationBin, groups)
	n := len(idx)
	for g := range groups {
		lo, hi := g*n/groups, (g+1)*n/groups
		b := CalibrationBin{N: hi - lo, MinPD: pd[idx[lo]], MaxPD: pd[idx[hi-1]]}
		var s float64
		var bads int
		for _, i := range idx[lo:hi] {
			s += pd[i]
			bads += y[i]
		}
		b.MeanPD = s / float64(b.N)
		b.BadRate = float64(bads) / float64(b.N)
		out[g] = b
	}
	return out, nil
}

// PSI returns the population stability index of actual against expected
// (two samples of the same score): Σ (a − e)·ln(a/e) over bins whose edges
// are the expected sample's quantiles (bins groups, fewer when values
// repeat; bins are (lo, hi]), with each share floored at 1e-4 so an empty
// bin stays finite. Below 0.1 is usually read as stable, above 0.25 as a
// shift. It returns an error wrapping ErrInvalidOption for bins < 2, an
// empty sample or a NaN score.
func PSI(expected, actual []float64, bins int) (float64, error) {
	if bins < 2 || len(expected) == 0 || len(actual) == 0 {
		return math.NaN(), optionError("psi: %d bins, %d expected and %d actual values", bins, len(expected), len(actual))
	}
	for _, s := range [][]float64{expected, actual} {
		for _, v := range s {
			if math.IsNaN(v) {
				return math.NaN(), optionError("psi: NaN score")
			}
		}
	}
	sorted := slices.Clone(expected)
	slices.Sort(sorted)
	var edges []float64
	for q := 1; q < bins; q++ {
		k := q * len(sorted) / bins // values at or below the q-th edge
		if k == 0 {
			continue
		}
		e := sorted[k-1]
		if len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	if len(edges) > 0 && edges[len(edges)-1] == sorted[len(sorted)-1] {
		edges = edges[:len(edges)-1] // the last bin would hold nothing expected
	}
	share := func(s []float64) []float64 {
		c := make([]float64, len(edges)+1)
		for _, v := range s {
			c[sort.SearchFloat64s(edges, v)]++
		}
		for i := range c {
			c[i] = math.Max(c[i]/float64(len(s)), 1e-4)
		}
		return c
	}
	e, a := share(expected), share(actual)
	var psi float64
	for i := range e {
		psi += (a[i] - e[i]) * math.Log(a[i]/e[i])
	}
	return psi, nil
}

// Confusion counts the decisions of the rule "refuse when pd ≥ threshold".
// Bads are the positive class.
type Confusion struct {
	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"` // bads refused
	FN        int     `json:"fn"` // bads accepted
	FP        int     `json:"fp"` // goods refused
	TN        int     `json:"tn"` // goods accepted
}

// ConfusionAt returns the confusion matrix of the rule "refuse when pd ≥
// threshold".
func ConfusionAt(y []int, pd []float64, threshold float64) Confusion {
	checkLen("ConfusionAt", y, pd)
	c := Confusion{Threshold: threshold}
	for i := range y {
		refuse := pd[i] >= threshold
		switch {
		case y[i] == 1 && refuse:
			c.TP++
		case y[i] == 1:
			c.FN++
		case refuse:
			c.FP++
		default:
			c.TN++
		}
	}
	return c
}

// CostMatrix gives the cost of each wrong decision, in any one unit.
type CostMatrix struct {
	BadAccepted  float64 `json:"bad_accepted"`  // cost of accepting a bad (a false negative)
	GoodRejected float64 `json:"good_rejected"` // cost of refusing a good (a false positive)
}

// GermanCost returns the cost matrix documented with the German credit
// data: accepting a bad costs 5, refusing a good costs 1.
func GermanCost() CostMatrix { return CostMatrix{BadAccepted: 5, GoodRejected: 1} }

// ExpectedCost returns the mean cost per applicant of the decisions in c;
// NaN when c counts nobody.
func (m CostMatrix) ExpectedCost(c Confusion) float64 {
	n := c.TP + c.FN + c.FP + c.TN
	if n == 0 {
		return math.NaN()
	}
	return (float64(c.FN)*m.BadAccepted + float64(c.FP)*m.GoodRejected) / float64(n)
}

// BestThreshold returns the threshold of the rule "refuse when pd ≥
// threshold" with the lowest mean cost per applicant on (y, pd), trying
// every distinct score and +Inf (accept everyone), and that cost. Ties go
// to the highest threshold (fewest refusals). With calibrated PDs the
// optimum is near GoodRejected/(GoodRejected+BadAccepted). For empty input
// it returns +Inf and NaN.
func (m CostMatrix) BestThreshold(y []int, pd []float64) (threshold, cost float64) {
	checkLen("BestThreshold", y, pd)
	if len(y) == 0 {
		return math.Inf(1), math.NaN()
	}
	_, bads := counts(y)
	// accept all
	bestT := math.Inf(1)
	bestC := float64(bads) * m.BadAccepted
	idx := order(pd)
	// walk thresholds from high to low: refusing everyone with pd ≥ t
	var fn, fp = bads, 0
	for i := len(idx) - 1; i >= 0; {
		j := i
		for j >= 0 && pd[idx[j]] == pd[idx[i]] {
			if y[idx[j]] == 1 {
				fn--
			} else {
				fp++
			}
			j--
		}
		c := float64(fn)*m.BadAccepted + float64(fp)*m.GoodRejected
		if c < bestC {
			bestC, bestT = c, pd[idx[i]]
		}
		i = j
	}
	return bestT, bestC / float64(len(y))
}

// Summary collects the headline figures of a set of predictions.
type Summary struct {
	N     int     `json:"n"`
	Bads  int     `json:"bads"`
	AUC   float64 `json:"auc"`
	Gini  float64 `json:"gini"`
	KS    float64 `json:"ks"`
	Brier float64 `json:"brier"`
}

// Summarize computes a Summary of (y, pd).
func Summarize(y []int, pd []float64) Summary {
	_, bads := counts(y)
	auc := AUC(y, pd)
	ks, _ := KS(y, pd)
	return Summary{N: len(y), Bads: bads, AUC: auc, Gini: 2*auc - 1, KS: ks, Brier: Brier(y, pd)}
}
