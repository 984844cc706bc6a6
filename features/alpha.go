package features

import (
	"fmt"
	"math"
	"sort"
)

// Alpha158Windows returns the rolling windows, in bars, of the Alpha158
// factor set: 5, 10, 20, 30 and 60 (a new slice on each call).
func Alpha158Windows() []int { return []int{5, 10, 20, 30, 60} }

// Alpha158Warmup is the index of the first row of Alpha158 that can be
// complete on gap-free data: the 60-bar rate of change needs close[t-60],
// and the 60-bar correlation of one-bar changes needs 61 closes. A column
// can still be NaN later, where its window is flat (see Alpha).
const Alpha158Warmup = 60

// eps keeps the factor ratios finite when a denominator is zero (a bar
// with high == low, a zero volume); it is the same guard Qlib uses.
const eps = 1e-12

// alphaOps lists the rolling operators of Alpha, in column order; each
// yields one column per window, named op+window (e.g. "roc5").
func alphaOps() []string {
	return []string{"roc", "ma", "std", "beta", "rsqr", "resi", "max", "min",
		"qtlu", "qtld", "rank", "rsv", "imax", "imin", "imxd", "corr", "cord",
		"cntp", "cntn", "cntd", "sump", "sumn", "sumd", "vma", "vstd", "wvma",
		"vsump", "vsumn", "vsumd"}
}

// alphaBarNames lists the one-bar columns of Alpha, in order.
func alphaBarNames() []string {
	return []string{"kmid", "klen", "kmid2", "kup", "kup2", "klow", "klow2",
		"ksft", "ksft2", "open0", "high0", "low0", "tp0"}
}

// AlphaNames returns the column names of Alpha(bars, windows), in order
// (a new slice on each call): the 13 one-bar columns, then each of the 29
// rolling operators for every window in the order given.
func AlphaNames(windows []int) []string {
	names := alphaBarNames()
	for _, op := range alphaOps() {
		for _, w := range windows {
			names = append(names, fmt.Sprintf("%s%d", op, w))
		}
	}
	return names
}

// Alpha158 is Alpha(bars, Alpha158Windows()): 13 + 29×5 = 158 columns.
func Alpha158(bars OHLCV) *Table { return Alpha(bars, Alpha158Windows()) }

// Alpha computes an Alpha158-style factor set (after Qlib's Alpha158) for
// one instrument: scale-free descriptions of candle shape, momentum,
// trend, volatility, range, position in the range, price-volume
// co-movement and up/down day counts. With c, o, h, l, v the bar's close,
// open, high, low and volume, r = c[t]/c[t-1] - 1 and ε = 1e-12, the
// one-bar columns are
//
//	kmid  (c-o)/o               kmid2 (c-o)/(h-l+ε)
//	klen  (h-l)/o
//	kup   (h-max(o,c))/o        kup2  (h-max(o,c))/(h-l+ε)
//	klow  (min(o,c)-l)/o        klow2 (min(o,c)-l)/(h-l+ε)
//	ksft  (2c-h-l)/o            ksft2 (2c-h-l)/(h-l+ε)
//	open0 o/c   high0 h/c   low0 l/c   tp0 ((h+l+c)/3)/c
//
// (tp0 stands in for Qlib's VWAP0, which needs intraday data), and for
// each window d, over the d bars ending at t:
//
//	roc   c[t-d]/c                 ma    mean(c)/c     std  std(c)/c
//	beta  slope of c on time / c   rsqr  R² of that fit
//	resi  c minus the fit's value at t, / c
//	max   max(h)/c                 min   min(l)/c
//	qtlu  0.8 quantile of c / c    qtld  0.2 quantile of c / c
//	rank  average rank of c[t] among the window, / d (in (0, 1])
//	rsv   (c - min(l)) / (max(h) - min(l) + ε)
//	imax  1-based position of the first max(h) in the window / d
//	imin  the same for min(l); imxd = imax - imin
//	corr  Pearson correlation of c and ln(v+1)
//	cord  correlation of c[t]/c[t-1] and ln(v[t]/v[t-1]+1)
//	cntp  fraction of bars with r > 0; cntn with r < 0; cntd = cntp - cntn
//	sump  sum(max(Δc, 0)) / (sum|Δc| + ε); sumn for max(-Δc, 0);
//	      sumd = sump - sumn (Δc = c[t] - c[t-1])
//	vma   mean(v)/(v+ε)            vstd  std(v)/(v+ε)
//	wvma  std(|r|·v) / (mean(|r|·v) + ε)
//	vsump, vsumn, vsumd as sump, sumn, sumd on volume
//
// Standard deviations are sample ones (divisor d-1), quantiles
// interpolate linearly between order statistics (pandas' default), and
// ties in rank share their average rank.
//
// Every column is causal and NaN during its warm-up (see Alpha158Warmup
// for windows up to 60), while a missing input lies in its window, and
// where it is undefined: a correlation or R² over a window in which one
// side is constant, a ratio by a missing or zero price. Nothing is
// zero-filled. Cost: O(n·Σwindows) per column, fine for daily data.
//
// It panics if the five columns differ in length or a window is < 2.
func Alpha(bars OHLCV, windows []int) *Table {
	mustSameLen("Alpha", bars.Open, bars.High, bars.Low, bars.Close, bars.Volume)
	for _, w := range windows {
		if w < 2 {
			panic(fmt.Sprintf("features: Alpha: window %d < 2", w))
		}
	}
	o, h, l, c, v := bars.Open, bars.High, bars.Low, bars.Close, bars.Volume
	n := len(c)
	tab := &Table{}

	// One-bar candle and price-level columns.
	bar := make([][]float64, 13)
	for j := range bar {
		bar[j] = make([]float64, n)
	}
	for t := range n {
		ot, ht, lt, ct := o[t], h[t], l[t], c[t]
		if !finite(ot) || !finite(ht) || !finite(lt) || !finite(ct) || ot == 0 || ct == 0 {
			for j := range bar {
				bar[j][t] = math.NaN()
			}
			continue
		}
		hi, lo := math.Max(ot, ct), math.Min(ot, ct)
		rng := ht - lt + eps
		bar[0][t] = (ct - ot) / ot
		bar[1][t] = (ht - lt) / ot
		bar[2][t] = (ct - ot) / rng
		bar[3][t] = (ht - hi) / ot
		bar[4][t] = (ht - hi) / rng
		bar[5][t] = (lo - lt) / ot
		bar[6][t] = (lo - lt) / rng
		bar[7][t] = (2*ct - ht - lt) / ot
		bar[8][t] = (2*ct - ht - lt) / rng
		bar[9][t] = ot / ct
		bar[10][t] = ht / ct
		bar[11][t] = lt / ct
		bar[12][t] = (ht + lt + ct) / 3 / ct
	}
	for j, name := range alphaBarNames() {
		tab.Add(name, bar[j])
	}

	// Derived one-bar series shared by several operators.
	dc := make([]float64, n)     // c[t] - c[t-1]
	ratio := make([]float64, n)  // c[t]/c[t-1]
	logv := make([]float64, n)   // ln(v+1)
	vratio := make([]float64, n) // ln(v[t]/v[t-1] + 1)
	dv := make([]float64, n)     // v[t] - v[t-1]
	wv := make([]float64, n)     // |r|·v
	for t := range n {
		logv[t] = math.Log(v[t] + 1)
		if !finite(logv[t]) {
			logv[t] = math.NaN()
		}
		if t == 0 {
			dc[t], ratio[t], vratio[t], dv[t], wv[t] = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
			continue
		}
		dc[t] = c[t] - c[t-1]
		ratio[t] = nanIfInf(c[t] / c[t-1])
		vratio[t] = nanIfInf(math.Log(v[t]/v[t-1] + 1))
		dv[t] = v[t] - v[t-1]
		wv[t] = nanIfInf(math.Abs(c[t]/c[t-1]-1) * v[t])
	}

	perC := func(x []float64) []float64 {
		for t := range x {
			x[t] = nanIfInf(x[t] / c[t])
		}
		return x
	}
	perV := func(x []float64) []float64 {
		for t := range x {
			x[t] = nanIfInf(x[t] / (v[t] + eps))
		}
		return x
	}

	cols := make(map[string][]float64, len(windows)*len(alphaOps()))
	for _, d := range windows {
		key := func(op string) string { return fmt.Sprintf("%s%d", op, d) }
		fd := float64(d)

		roc := Lag(c, d)
		cols[key("roc")] = perC(roc)
		cols[key("ma")] = perC(RollingMean(c, d))
		cols[key("std")] = perC(RollingStd(c, d))

		beta, rsqr, resi := rollingTrend(c, d)
		cols[key("beta")] = perC(beta)
		cols[key("rsqr")] = rsqr
		cols[key("resi")] = perC(resi)

		hmax, lmin := RollingMax(h, d), RollingMin(l, d)
		rsv := make([]float64, n)
		for t := range n {
			rsv[t] = (c[t] - lmin[t]) / (hmax[t] - lmin[t] + eps)
		}
		cols[key("rsv")] = rsv
		cols[key("max")] = perC(hmax)
		cols[key("min")] = perC(lmin)

		qu, qd, rk := rollingOrder(c, d, 0.8, 0.2)
		cols[key("qtlu")] = perC(qu)
		cols[key("qtld")] = perC(qd)
		cols[key("rank")] = rk

		imax := rollingArgExt(h, d, true)
		imin := rollingArgExt(l, d, false)
		imxd := make([]float64, n)
		for t := range n {
			imxd[t] = (imax[t] - imin[t]) / fd
			imax[t] /= fd
			imin[t] /= fd
		}
		cols[key("imax")] = imax
		cols[key("imin")] = imin
		cols[key("imxd")] = imxd

		cols[key("corr")] = rollingCorr(c, logv, d)
		cols[key("cord")] = rollingCorr(ratio, vratio, d)

		cntp, cntn, cntd := rollingSigns(dc, d, true)
		cols[key("cntp")], cols[key("cntn")], cols[key("cntd")] = cntp, cntn, cntd
		sump, sumn, sumd := rollingSigns(dc, d, false)
		cols[key("sump")], cols[key("sumn")], cols[key("sumd")] = sump, sumn, sumd

		cols[key("vma")] = perV(RollingMean(v, d))
		cols[key("vstd")] = perV(RollingStd(v, d))
		wm, ws := RollingMean(wv, d), RollingStd(wv, d)
		for t := range n {
			ws[t] /= wm[t] + eps
		}
		cols[key("wvma")] = ws
		vp, vn, vd := rollingSigns(dv, d, false)
		cols[key("vsump")], cols[key("vsumn")], cols[key("vsumd")] = vp, vn, vd
	}
	for _, op := range alphaOps() {
		for _, d := range windows {
			name := fmt.Sprintf("%s%d", op, d)
			tab.Add(name, cols[name])
		}
	}
	return tab
}

// nanIfInf maps ±Inf to NaN and leaves other values alone.
func nanIfInf(x float64) float64 {
	if math.IsInf(x, 0) {
		return math.NaN()
	}
	return x
}

// rollWindows calls f(t) for every bar t ending a run of at least d
// consecutive bars at which ok is true, and stores its value in the
// result; other bars are NaN.
func rollWindows(n, d int, ok func(t int) bool, f func(t int) float64) []float64 {
	out := make([]float64, n)
	run := 0
	for t := range n {
		if ok(t) {
			run++
		} else {
			run = 0
		}
		if run < d {
			out[t] = math.NaN()
			continue
		}
		out[t] = f(t)
	}
	return out
}

// rollingTrend fits y = a + b·i by least squares over each window of d
// bars (i = 0..d-1) and returns the slope b, the R² of the fit (NaN for a
// flat window) and the residual of the last bar, y[t] - (a + b·(d-1)).
// Sums are taken around the window's mean so that price levels do not
// cost precision.
func rollingTrend(y []float64, d int) (slope, r2, resi []float64) {
	n := len(y)
	slope, r2, resi = make([]float64, n), make([]float64, n), make([]float64, n)
	fd := float64(d)
	im := (fd - 1) / 2
	sxx := fd * (fd*fd - 1) / 12 // Σ(i-im)² for i = 0..d-1
	ok := func(t int) bool { return finite(y[t]) }
	run := 0
	for t := range n {
		if ok(t) {
			run++
		} else {
			run = 0
		}
		if run < d {
			slope[t], r2[t], resi[t] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		w := y[t-d+1 : t+1]
		ym := 0.0
		for _, u := range w {
			ym += u
		}
		ym /= fd
		sxy, syy := 0.0, 0.0
		for i, u := range w {
			du := u - ym
			sxy += (float64(i) - im) * du
			syy += du * du
		}
		b := sxy / sxx
		slope[t] = b
		resi[t] = w[d-1] - (ym + b*(fd-1-im))
		if syy > 0 {
			r2[t] = sxy * sxy / (sxx * syy)
		} else {
			r2[t] = math.NaN()
		}
	}
	return slope, r2, resi
}

// rollingOrder keeps each window of d bars sorted and returns the qa and
// qb quantiles (linear interpolation between order statistics) and the
// average 1-based rank of the last value divided by d.
func rollingOrder(y []float64, d int, qa, qb float64) (ua, ub, rank []float64) {
	n := len(y)
	ua, ub, rank = make([]float64, n), make([]float64, n), make([]float64, n)
	sorted := make([]float64, 0, d)
	quant := func(q float64) float64 {
		pos := q * float64(d-1)
		i := int(pos)
		f := pos - float64(i)
		if i+1 >= d {
			return sorted[d-1]
		}
		return sorted[i] + f*(sorted[i+1]-sorted[i])
	}
	run := 0
	for t := range n {
		v := y[t]
		if !finite(v) {
			run = 0
			sorted = sorted[:0]
			ua[t], ub[t], rank[t] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		run++
		if len(sorted) == d {
			old := y[t-d]
			k := sort.SearchFloat64s(sorted, old)
			sorted = append(sorted[:k], sorted[k+1:]...)
		}
		k := sort.SearchFloat64s(sorted, v)
		sorted = append(sorted, 0)
		copy(sorted[k+1:], sorted[k:])
		sorted[k] = v
		if run < d {
			ua[t], ub[t], rank[t] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		ua[t], ub[t] = quant(qa), quant(qb)
		// Values equal to v occupy ranks lo+1..hi (1-based).
		lo := sort.SearchFloat64s(sorted, v)
		hi := lo
		for hi < d && sorted[hi] == v {
			hi++
		}
		rank[t] = (float64(lo+1) + float64(hi)) / 2 / float64(d)
	}
	return ua, ub, rank
}

// rollingArgExt returns the 1-based position within each window of d bars
// of its first maximum (max) or minimum (!max), as a float64.
func rollingArgExt(y []float64, d int, max bool) []float64 {
	return rollWindows(len(y), d, func(t int) bool { return finite(y[t]) }, func(t int) float64 {
		best := t - d + 1
		for i := best + 1; i <= t; i++ {
			if (max && y[i] > y[best]) || (!max && y[i] < y[best]) {
				best = i
			}
		}
		return float64(best - (t - d + 1) + 1)
	})
}

// rollingCorr returns the Pearson correlation of x and y over each window
// of d bars in which both are finite; NaN when either side is constant.
func rollingCorr(x, y []float64, d int) []float64 {
	fd := float64(d)
	return rollWindows(len(x), d, func(t int) bool { return finite(x[t]) && finite(y[t]) }, func(t int) float64 {
		xs, ys := x[t-d+1:t+1], y[t-d+1:t+1]
		mx, my := 0.0, 0.0
		for i := range xs {
			mx += xs[i]
			my += ys[i]
		}
		mx /= fd
		my /= fd
		sxy, sxx, syy := 0.0, 0.0, 0.0
		for i := range xs {
			dx, dy := xs[i]-mx, ys[i]-my
			sxy += dx * dy
			sxx += dx * dx
			syy += dy * dy
		}
		if sxx <= 0 || syy <= 0 {
			return math.NaN()
		}
		return sxy / math.Sqrt(sxx*syy)
	})
}

// rollingSigns summarises the signs of x over each window of d bars.
// With count it returns the fractions of positive and negative values and
// their difference; without, the sums of the positive parts and of the
// negative parts (as positive numbers) each divided by Σ|x| + ε, and
// their difference. The sums slide in O(1) per bar and are recomputed
// exactly every d bars, which bounds their rounding drift.
func rollingSigns(x []float64, d int, count bool) (pos, neg, diff []float64) {
	n := len(x)
	pos, neg, diff = make([]float64, n), make([]float64, n), make([]float64, n)
	fd := float64(d)
	parts := func(u float64) (p, m, a float64) {
		switch {
		case u > 0 && count:
			return 1, 0, u
		case u < 0 && count:
			return 0, 1, -u
		case u > 0:
			return u, 0, u
		default:
			return 0, -u, -u
		}
	}
	run := 0
	nz := 0 // non-zero values in the window: exact, so a flat window gives exact zeros
	var p, m, a float64
	for t := range n {
		if !finite(x[t]) {
			run, nz, p, m, a = 0, 0, 0, 0, 0
			pos[t], neg[t], diff[t] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		run++
		if x[t] != 0 {
			nz++
		}
		if run > d && x[t-d] != 0 {
			nz--
		}
		switch {
		case run <= d:
			dp, dm, da := parts(x[t])
			p, m, a = p+dp, m+dm, a+da
		case (run-d)%d == 0:
			p, m, a = 0, 0, 0
			for _, u := range x[t-d+1 : t+1] {
				dp, dm, da := parts(u)
				p, m, a = p+dp, m+dm, a+da
			}
		default:
			dp, dm, da := parts(x[t])
			op, om, oa := parts(x[t-d])
			p, m, a = p+dp-op, m+dm-om, a+da-oa
		}
		if run < d {
			pos[t], neg[t], diff[t] = math.NaN(), math.NaN(), math.NaN()
			continue
		}
		if nz == 0 {
			p, m, a = 0, 0, 0
		}
		if count {
			pos[t], neg[t] = p/fd, m/fd
		} else {
			pos[t], neg[t] = math.Max(p, 0)/(a+eps), math.Max(m, 0)/(a+eps)
		}
		diff[t] = pos[t] - neg[t]
	}
	return pos, neg, diff
}
