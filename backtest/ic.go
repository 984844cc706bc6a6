package backtest

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"
)

// ErrPanelShape: two panels that must describe the same days and names do
// not, or a panel's rows differ in length from its names.
var ErrPanelShape = errors.New("panel shape mismatch")

// Panel holds one number per day and instrument, as scores or labels of a
// cross-sectional model: Values[d][i] belongs to day Time[d] and
// instrument Names[i]. NaN (or ±Inf) means "none" (not listed yet, no
// prediction, label unknown). Days are in increasing time order.
type Panel struct {
	Time   []time.Time
	Names  []string
	Values [][]float64
}

// Days returns the number of days, len(p.Time).
func (p Panel) Days() int { return len(p.Time) }

// check reports an ErrPanelShape error naming what is wrong.
func (p Panel) check(what string) error {
	if len(p.Values) != len(p.Time) {
		return fmt.Errorf("backtest: %s: %d rows for %d days: %w", what, len(p.Values), len(p.Time), ErrPanelShape)
	}
	for d, row := range p.Values {
		if len(row) != len(p.Names) {
			return fmt.Errorf("backtest: %s: day %d (%s) has %d values for %d names: %w",
				what, d, p.Time[d].Format(time.DateOnly), len(row), len(p.Names), ErrPanelShape)
		}
		if d > 0 && !p.Time[d].After(p.Time[d-1]) {
			return fmt.Errorf("backtest: %s: day %d (%s): %w", what, d, p.Time[d].Format(time.DateOnly), ErrUnsorted)
		}
	}
	return nil
}

// sameGrid reports an ErrPanelShape error unless a and b have the same
// days and names.
func sameGrid(a, b Panel, what string) error {
	if len(a.Time) != len(b.Time) || len(a.Names) != len(b.Names) {
		return fmt.Errorf("backtest: %s: %d days × %d names against %d × %d: %w",
			what, len(a.Time), len(a.Names), len(b.Time), len(b.Names), ErrPanelShape)
	}
	for d := range a.Time {
		if !a.Time[d].Equal(b.Time[d]) {
			return fmt.Errorf("backtest: %s: day %d is %s in one panel and %s in the other: %w",
				what, d, a.Time[d].Format(time.DateOnly), b.Time[d].Format(time.DateOnly), ErrPanelShape)
		}
	}
	for i := range a.Names {
		if a.Names[i] != b.Names[i] {
			return fmt.Errorf("backtest: %s: name %d is %q in one panel and %q in the other: %w",
				what, i, a.Names[i], b.Names[i], ErrPanelShape)
		}
	}
	return nil
}

// ICResult holds the daily information coefficients of scores against
// labels and their summary.
type ICResult struct {
	// Time[d] is the day of IC[d], RankIC[d] and Pairs[d].
	Time []time.Time
	// IC[d] is the Pearson correlation across instruments of day d's
	// scores and labels; RankIC[d] the Spearman correlation (Pearson of
	// average ranks). NaN when the day has fewer than two finite pairs or
	// one side is constant.
	IC, RankIC []float64
	// Pairs[d] counts the instruments with both a finite score and a
	// finite label on day d.
	Pairs []int
	// Summary aggregates the days whose IC is defined.
	Summary ICSummary
}

// ICSummary aggregates daily ICs. Means and standard deviations (sample,
// n-1) are over the days whose value is defined; the IRs are daily, not
// annualised: ICIR = IC / ICStd, RankICIR = RankIC / RankICStd (Qlib's
// convention). NaN when undefined (fewer than two days, zero spread).
type ICSummary struct {
	IC, ICStd, ICIR             float64
	RankIC, RankICStd, RankICIR float64
	// PositiveIC is the fraction of defined days with IC > 0.
	PositiveIC float64
	// Days counts the days whose IC is defined.
	Days int
}

// DailyIC computes the daily IC and Rank IC of scores against labels,
// which must share days and names. A label should be what the score
// predicts, known only later (for a score made at the close of day d, the
// return from d+1 to d+2, say); DailyIC only pairs values stored on the
// same day. It returns an error wrapping ErrPanelShape when the panels'
// shapes, days or names differ, or ErrUnsorted for days out of order.
func DailyIC(scores, labels Panel) (*ICResult, error) {
	if err := scores.check("scores"); err != nil {
		return nil, err
	}
	if err := labels.check("labels"); err != nil {
		return nil, err
	}
	if err := sameGrid(scores, labels, "DailyIC"); err != nil {
		return nil, err
	}
	nd := scores.Days()
	res := &ICResult{Time: scores.Time, IC: make([]float64, nd), RankIC: make([]float64, nd), Pairs: make([]int, nd)}
	xs := make([]float64, 0, len(scores.Names))
	ys := make([]float64, 0, len(scores.Names))
	for d := range nd {
		xs, ys = xs[:0], ys[:0]
		for i, s := range scores.Values[d] {
			y := labels.Values[d][i]
			if isFinite(s) && isFinite(y) {
				xs = append(xs, s)
				ys = append(ys, y)
			}
		}
		res.Pairs[d] = len(xs)
		res.IC[d] = pearson(xs, ys)
		res.RankIC[d] = pearson(avgRanks(xs), avgRanks(ys))
	}
	res.Summary = summarizeIC(res.IC, res.RankIC)
	return res, nil
}

// summarizeIC aggregates the defined days of ic and rank.
func summarizeIC(ic, rank []float64) ICSummary {
	var s ICSummary
	s.IC, s.ICStd, s.Days = meanStd(ic)
	s.RankIC, s.RankICStd, _ = meanStd(rank)
	s.ICIR = ratio(s.IC, s.ICStd)
	s.RankICIR = ratio(s.RankIC, s.RankICStd)
	pos := 0
	for _, v := range ic {
		if v > 0 {
			pos++
		}
	}
	s.PositiveIC = math.NaN()
	if s.Days > 0 {
		s.PositiveIC = float64(pos) / float64(s.Days)
	}
	return s
}

// meanStd returns the mean and sample standard deviation of the finite
// values of x and their count; NaN where undefined.
func meanStd(x []float64) (mean, sd float64, n int) {
	sum := 0.0
	for _, v := range x {
		if isFinite(v) {
			sum += v
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), 0
	}
	mean = sum / float64(n)
	if n < 2 {
		return mean, math.NaN(), n
	}
	ss := 0.0
	for _, v := range x {
		if isFinite(v) {
			ss += (v - mean) * (v - mean)
		}
	}
	return mean, math.Sqrt(ss / float64(n-1)), n
}

// ratio returns a/b, or NaN when b is not a positive number.
func ratio(a, b float64) float64 {
	if !(b > 0) {
		return math.NaN()
	}
	return a / b
}

// pearson returns the correlation of x and y (same length), NaN for
// fewer than two values or a constant side.
func pearson(x, y []float64) float64 {
	n := len(x)
	if n < 2 {
		return math.NaN()
	}
	mx, my := 0.0, 0.0
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	sxy, sxx, syy := 0.0, 0.0, 0.0
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if !(sxx > 0) || !(syy > 0) {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// avgRanks returns the 1-based ranks of x, ties sharing their average.
func avgRanks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for lo := 0; lo < len(idx); {
		hi := lo + 1
		for hi < len(idx) && x[idx[hi]] == x[idx[lo]] {
			hi++
		}
		avg := float64(lo+1+hi) / 2
		for _, i := range idx[lo:hi] {
			r[i] = avg
		}
		lo = hi
	}
	return r
}

// isFinite reports whether v is neither NaN nor ±Inf.
func isFinite(v float64) bool { return v-v == 0 }
