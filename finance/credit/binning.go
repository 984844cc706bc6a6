package credit

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Trend is the required shape of an attribute's bad rate across its
// numeric bins, in increasing order of the attribute's value.
type Trend int

const (
	// TrendAuto picks TrendAscending or TrendDescending from the sign of
	// the count-weighted covariance between fine-class position and bad
	// rate (ascending on a tie).
	TrendAuto Trend = iota
	// TrendAscending: the bad rate rises with the value (WoE falls).
	TrendAscending
	// TrendDescending: the bad rate falls as the value rises (WoE rises).
	TrendDescending
	// TrendNone: no monotonic merging; only the share and bin-count
	// limits merge fine classes.
	TrendNone
)

// String returns "auto", "ascending", "descending" or "none".
func (t Trend) String() string {
	switch t {
	case TrendAuto:
		return "auto"
	case TrendAscending:
		return "ascending"
	case TrendDescending:
		return "descending"
	case TrendNone:
		return "none"
	}
	return fmt.Sprintf("Trend(%d)", int(t))
}

// MarshalText implements encoding.TextMarshaler.
func (t Trend) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *Trend) UnmarshalText(b []byte) error {
	for _, c := range []Trend{TrendAuto, TrendAscending, TrendDescending, TrendNone} {
		if strings.EqualFold(string(b), c.String()) {
			*t = c
			return nil
		}
	}
	return optionError("unknown trend %q", b)
}

// BinningConfig configures FitBinning. The zero value gives the defaults
// noted on each field.
type BinningConfig struct {
	// FineClasses is the number of quantile classes a numeric attribute is
	// first cut into (fewer when it has fewer distinct values). 0 means 20.
	FineClasses int
	// MinBinShare is the smallest fraction of the training rows a bin of
	// non-missing values may hold; smaller bins are merged into the
	// neighbour with the closer bad rate. 0 means 0.05; it must be < 0.5.
	MinBinShare float64
	// MaxBins caps the number of non-missing bins per attribute by merging
	// the adjacent pair with the closest bad rates. 0 means no cap.
	MaxBins int
	// Trend is the bad-rate shape required of numeric attributes. The zero
	// value is TrendAuto.
	Trend Trend
	// Trends overrides Trend per attribute name.
	Trends map[string]Trend
	// Smoothing is the pseudo-count added to each bin's good and bad counts
	// when computing WoE and IV, so that a pure bin has a finite WoE.
	// 0 means 0.5; it must be positive.
	Smoothing float64
}

func (c BinningConfig) withDefaults() (BinningConfig, error) {
	if c.FineClasses == 0 {
		c.FineClasses = 20
	}
	if c.MinBinShare == 0 {
		c.MinBinShare = 0.05
	}
	if c.Smoothing == 0 {
		c.Smoothing = 0.5
	}
	switch {
	case c.FineClasses < 2:
		return c, optionError("binning: FineClasses = %d, want at least 2", c.FineClasses)
	case !(c.MinBinShare > 0 && c.MinBinShare < 0.5):
		return c, optionError("binning: MinBinShare = %v, want a fraction in (0, 0.5)", c.MinBinShare)
	case c.MaxBins < 0:
		return c, optionError("binning: MaxBins = %d, want 0 or more", c.MaxBins)
	case !(c.Smoothing > 0) || math.IsInf(c.Smoothing, 0):
		return c, optionError("binning: Smoothing = %v, want a positive number", c.Smoothing)
	}
	return c, nil
}

// Bin is one coarse class of an attribute.
//
// A numeric bin holds the values x with Lo < x ≤ Hi (Lo = −Inf for the
// first bin, Hi = +Inf for the last). A categorical bin holds the listed
// Categories. A Missing bin holds the missing values and nothing else.
// Lo and Hi are zero in categorical and missing bins.
//
// WoE is ln(g/b) where g and b are the bin's smoothed shares of all goods
// and of all bads, so a positive WoE means lower risk than average; IV is
// (g − b)·WoE, the bin's part of the attribute's information value.
type Bin struct {
	Lo         float64  `json:"lo"`
	Hi         float64  `json:"hi"`
	Categories []string `json:"categories,omitempty"`
	Missing    bool     `json:"missing,omitempty"`
	Goods      int      `json:"goods"`
	Bads       int      `json:"bads"`
	WoE        float64  `json:"woe"`
	IV         float64  `json:"iv"`
}

// BadRate returns Bads/(Goods+Bads), NaN for an empty bin.
func (b Bin) BadRate() float64 {
	n := b.Goods + b.Bads
	if n == 0 {
		return math.NaN()
	}
	return float64(b.Bads) / float64(n)
}

// Label is a short human-readable description: "missing", "(-inf, 12]",
// "(12, 24]", "(24, +inf)" or "A11, A12".
func (b Bin) Label() string {
	switch {
	case b.Missing:
		return "missing"
	case b.Categories != nil:
		return strings.Join(b.Categories, ", ")
	}
	f := func(x float64) string {
		switch {
		case math.IsInf(x, -1):
			return "-inf"
		case math.IsInf(x, 1):
			return "+inf"
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	if math.IsInf(b.Hi, 1) {
		return "(" + f(b.Lo) + ", +inf)"
	}
	return "(" + f(b.Lo) + ", " + f(b.Hi) + "]"
}

// AttributeBins is the fitted binning of one attribute. Build it with
// FitBinning; a hand-built value must be passed through its init method
// (done by FitBinning and by JSON decoding of a Scorecard).
type AttributeBins struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Trend is the trend actually enforced (never TrendAuto for a numeric
	// attribute; TrendNone for a categorical one, whose bins are ordered
	// by bad rate instead).
	Trend Trend `json:"trend"`
	// Bins lists the non-missing bins (numeric: by value; categorical: by
	// bad rate, lowest first) and then the missing bin, if training had
	// missing values.
	Bins []Bin   `json:"bins"`
	IV   float64 `json:"iv"`

	edges   []float64      // Hi of every non-missing numeric bin but the last
	catBin  map[string]int // category → bin index
	labels  []string       // Bins[i].Label(), precomputed
	missing int            // index of the missing bin, -1 if none
	worst   int            // index of the bin with the lowest WoE
}

// init builds the lookup structures from Bins.
func (a *AttributeBins) init() error {
	a.edges = a.edges[:0]
	a.catBin = nil
	a.missing, a.worst = -1, -1
	if len(a.Bins) == 0 {
		return optionError("binning: attribute %q has no bins", a.Name)
	}
	if a.Kind == Categorical {
		a.catBin = make(map[string]int)
	}
	nonMissing := 0
	a.labels = make([]string, len(a.Bins))
	for i, b := range a.Bins {
		a.labels[i] = b.Label()
		if a.worst < 0 || b.WoE < a.Bins[a.worst].WoE {
			a.worst = i
		}
		if b.Missing {
			if a.missing >= 0 {
				return optionError("binning: attribute %q has two missing bins", a.Name)
			}
			a.missing = i
			continue
		}
		if a.missing >= 0 {
			return optionError("binning: attribute %q: missing bin must come last", a.Name)
		}
		nonMissing++
		if a.Kind == Categorical {
			for _, c := range b.Categories {
				if _, dup := a.catBin[c]; dup || c == "" {
					return optionError("binning: attribute %q: category %q twice or empty", a.Name, c)
				}
				a.catBin[c] = i
			}
		}
	}
	if a.Kind == Numeric && nonMissing > 0 {
		for i := 0; i < nonMissing-1; i++ {
			if i > 0 && !(a.Bins[i].Hi > a.Bins[i-1].Hi) {
				return optionError("binning: attribute %q: bin edges not increasing", a.Name)
			}
			a.edges = append(a.edges, a.Bins[i].Hi)
		}
	}
	return nil
}

// BinOf returns the index into Bins of the bin holding v. A missing value
// (NaN, or "" for a categorical attribute) goes to the missing bin; when
// training had no missing values, a missing value, and an unseen category,
// goes to the bin with the lowest WoE (the most conservative choice). It
// never allocates.
func (a *AttributeBins) BinOf(v Value) int {
	if a.Kind == Numeric {
		if math.IsNaN(v.Num) {
			if a.missing >= 0 {
				return a.missing
			}
			return a.worst
		}
		// first edge ≥ v: bins are (lo, hi]
		return sort.SearchFloat64s(a.edges, v.Num)
	}
	if v.Cat == "" {
		if a.missing >= 0 {
			return a.missing
		}
		return a.worst
	}
	if i, ok := a.catBin[v.Cat]; ok {
		return i
	}
	return a.worst
}

// HasMissingBin reports whether training had missing values, so that the
// attribute has a missing bin.
func (a *AttributeBins) HasMissingBin() bool { return a.missing >= 0 }

// Binning is a fitted weight-of-evidence binning of a dataset's attributes,
// in the dataset's column order. Goods and Bads count the training rows.
type Binning struct {
	Attributes []*AttributeBins `json:"attributes"`
	Goods      int              `json:"goods"`
	Bads       int              `json:"bads"`
}

// Attribute returns the binning of the named attribute, or nil.
func (b *Binning) Attribute(name string) *AttributeBins {
	for _, a := range b.Attributes {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// FitBinning fits a WoE binning of every attribute of d on the training
// rows (0-based indices into d; nil means all rows), so that nothing about
// other rows leaks into the bins.
//
// Numeric attributes are cut into FineClasses quantile classes (a class
// never splits equal values), merged by pooling adjacent violators until
// the bad rate follows the trend, then merged until every bin holds at
// least MinBinShare of the rows and there are at most MaxBins bins.
// Categorical attributes start with one class per category, ordered by bad
// rate, and are merged by the same share and count limits. Missing values
// always form a bin of their own.
//
// It returns an error wrapping ErrInvalidOption for a bad config, and one
// wrapping ErrTarget when the training rows lack goods or bads.
func FitBinning(d *Dataset, rows []int, cfg BinningConfig) (*Binning, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = make([]int, d.Len())
		for i := range rows {
			rows[i] = i
		}
	}
	out := &Binning{}
	for _, r := range rows {
		if d.Y[r] == 1 {
			out.Bads++
		} else {
			out.Goods++
		}
	}
	if out.Goods == 0 || out.Bads == 0 {
		return nil, fmt.Errorf("credit: binning: %d goods and %d bads in %d training rows, want both: %w",
			out.Goods, out.Bads, len(rows), ErrTarget)
	}
	for ci := range d.Columns {
		c := &d.Columns[ci]
		trend := cfg.Trend
		if t, ok := cfg.Trends[c.Name]; ok {
			trend = t
		}
		a := fitAttribute(c, d.Y, rows, cfg, trend)
		a.finish(out.Goods, out.Bads, cfg.Smoothing)
		if err := a.init(); err != nil {
			return nil, err
		}
		out.Attributes = append(out.Attributes, a)
	}
	return out, nil
}

// class is a working bin during fitting.
type class struct {
	hi    float64  // numeric upper edge
	cats  []string // categorical members
	goods int
	bads  int
}

func (c class) n() int { return c.goods + c.bads }

func (c class) rate() float64 { return float64(c.bads) / float64(c.n()) }

func merge(a, b class) class {
	return class{hi: math.Max(a.hi, b.hi), cats: slices.Concat(a.cats, b.cats), goods: a.goods + b.goods, bads: a.bads + b.bads}
}

func fitAttribute(c *Column, y []int, rows []int, cfg BinningConfig, trend Trend) *AttributeBins {
	a := &AttributeBins{Name: c.Name, Kind: c.Kind, missing: -1}
	var miss class
	var fine []class
	total := len(rows)
	if c.Kind == Numeric {
		type obs struct {
			x   float64
			bad int
		}
		vals := make([]obs, 0, len(rows))
		for _, r := range rows {
			if math.IsNaN(c.Num[r]) {
				miss.goods += 1 - y[r]
				miss.bads += y[r]
				continue
			}
			vals = append(vals, obs{c.Num[r], y[r]})
		}
		slices.SortFunc(vals, func(p, q obs) int { return cmp.Compare(p.x, q.x) })
		// fine classes: close a class at the end of a run of equal values
		// once it reaches the next quantile target
		n := len(vals)
		var cur class
		next := 1
		for i, v := range vals {
			cur.goods += 1 - v.bad
			cur.bads += v.bad
			cur.hi = v.x
			endRun := i == n-1 || vals[i+1].x != v.x
			if endRun && (i+1)*cfg.FineClasses >= next*n {
				fine = append(fine, cur)
				cur = class{}
				for next*n <= (i+1)*cfg.FineClasses {
					next++
				}
			}
		}
		if cur.n() > 0 {
			fine = append(fine, cur)
		}
		if trend == TrendAuto {
			trend = autoTrend(fine)
		}
		switch trend {
		case TrendAscending:
			fine = pool(fine, func(prev, next float64) bool { return next > prev })
		case TrendDescending:
			fine = pool(fine, func(prev, next float64) bool { return next < prev })
		}
		a.Trend = trend
	} else {
		byCat := make(map[string]*class)
		for _, r := range rows {
			v := c.Cat[r]
			if v == "" {
				miss.goods += 1 - y[r]
				miss.bads += y[r]
				continue
			}
			k, ok := byCat[v]
			if !ok {
				k = &class{cats: []string{v}}
				byCat[v] = k
			}
			k.goods += 1 - y[r]
			k.bads += y[r]
		}
		for _, k := range byCat {
			fine = append(fine, *k)
		}
		slices.SortFunc(fine, func(p, q class) int {
			if c := cmp.Compare(p.rate(), q.rate()); c != 0 {
				return c
			}
			return cmp.Compare(p.cats[0], q.cats[0])
		})
		a.Trend = TrendNone
	}

	minN := int(math.Ceil(cfg.MinBinShare * float64(total)))
	fine = mergeSmall(fine, minN)
	if cfg.MaxBins > 0 {
		for len(fine) > cfg.MaxBins {
			best := 0
			for i := 1; i+1 < len(fine); i++ {
				if math.Abs(fine[i+1].rate()-fine[i].rate()) < math.Abs(fine[best+1].rate()-fine[best].rate()) {
					best = i
				}
			}
			fine = mergeAt(fine, best)
		}
	}

	lo := math.Inf(-1)
	for i, k := range fine {
		b := Bin{Goods: k.goods, Bads: k.bads}
		if c.Kind == Numeric {
			b.Lo, b.Hi = lo, k.hi
			if i == len(fine)-1 {
				b.Hi = math.Inf(1)
			}
			lo = k.hi
		} else {
			b.Categories = slices.Clone(k.cats)
			slices.Sort(b.Categories)
		}
		a.Bins = append(a.Bins, b)
	}
	if miss.n() > 0 {
		a.Bins = append(a.Bins, Bin{Missing: true, Goods: miss.goods, Bads: miss.bads})
	}
	return a
}

// autoTrend returns the trend whose sign matches the count-weighted
// covariance between class position and bad rate.
func autoTrend(fine []class) Trend {
	var n, sx, sr float64
	for i, k := range fine {
		w := float64(k.n())
		n += w
		sx += w * float64(i)
		sr += float64(k.bads)
	}
	if n == 0 {
		return TrendAscending
	}
	mx, mr := sx/n, sr/n
	var cov float64
	for i, k := range fine {
		cov += float64(k.n()) * (float64(i) - mx) * (k.rate() - mr)
	}
	if cov < 0 {
		return TrendDescending
	}
	return TrendAscending
}

// pool merges adjacent classes (pool-adjacent-violators) until ok(prev,
// next) holds between every pair of neighbouring bad rates.
func pool(fine []class, ok func(prev, next float64) bool) []class {
	out := make([]class, 0, len(fine))
	for _, k := range fine {
		out = append(out, k)
		for len(out) > 1 && !ok(out[len(out)-2].rate(), out[len(out)-1].rate()) {
			out[len(out)-2] = merge(out[len(out)-2], out[len(out)-1])
			out = out[:len(out)-1]
		}
	}
	return out
}

// mergeSmall merges the smallest class into its neighbour with the closer
// bad rate until every class has at least minN rows or one class is left.
// Merging neighbours keeps a monotonic sequence of bad rates monotonic.
func mergeSmall(fine []class, minN int) []class {
	for len(fine) > 1 {
		small := -1
		for i, k := range fine {
			if k.n() < minN && (small < 0 || k.n() < fine[small].n()) {
				small = i
			}
		}
		if small < 0 {
			break
		}
		switch {
		case small == 0:
			fine = mergeAt(fine, 0)
		case small == len(fine)-1:
			fine = mergeAt(fine, small-1)
		case math.Abs(fine[small].rate()-fine[small-1].rate()) <= math.Abs(fine[small].rate()-fine[small+1].rate()):
			fine = mergeAt(fine, small-1)
		default:
			fine = mergeAt(fine, small)
		}
	}
	return fine
}

// mergeAt merges classes i and i+1.
func mergeAt(fine []class, i int) []class {
	fine[i] = merge(fine[i], fine[i+1])
	return slices.Delete(fine, i+1, i+2)
}

// finish computes each bin's WoE and IV and the attribute's IV.
func (a *AttributeBins) finish(goods, bads int, smooth float64) {
	k := float64(len(a.Bins))
	g, b := float64(goods)+smooth*k, float64(bads)+smooth*k
	a.IV = 0
	for i := range a.Bins {
		pg := (float64(a.Bins[i].Goods) + smooth) / g
		pb := (float64(a.Bins[i].Bads) + smooth) / b
		a.Bins[i].WoE = math.Log(pg / pb)
		a.Bins[i].IV = (pg - pb) * a.Bins[i].WoE
		a.IV += a.Bins[i].IV
	}
}

// IVRow is one line of an information-value table.
type IVRow struct {
	Attribute string  `json:"attribute"`
	Kind      Kind    `json:"kind"`
	IV        float64 `json:"iv"`
	Bins      int     `json:"bins"`
	Strength  string  `json:"strength"`
}

// Strength names the usual reading of an information value: "useless"
// (< 0.02), "weak" (< 0.1), "medium" (< 0.3), "strong" (≤ 0.5) and
// "suspicious" (> 0.5, often a leak of the target).
func Strength(iv float64) string {
	switch {
	case iv < 0.02:
		return "useless"
	case iv < 0.1:
		return "weak"
	case iv < 0.3:
		return "medium"
	case iv <= 0.5:
		return "strong"
	}
	return "suspicious"
}

// IVTable returns one row per attribute, by IV descending (ties by name).
func (b *Binning) IVTable() []IVRow {
	out := make([]IVRow, len(b.Attributes))
	for i, a := range b.Attributes {
		out[i] = IVRow{Attribute: a.Name, Kind: a.Kind, IV: a.IV, Bins: len(a.Bins), Strength: Strength(a.IV)}
	}
	slices.SortStableFunc(out, func(p, q IVRow) int {
		if c := cmp.Compare(q.IV, p.IV); c != 0 {
			return c
		}
		return cmp.Compare(p.Attribute, q.Attribute)
	})
	return out
}
