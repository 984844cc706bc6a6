package signals

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/go-gota/gota/dataframe"
	"github.com/go-gota/gota/series"

	"github.com/deepfin/deepfin/features"
	"github.com/deepfin/deepfin/nlp"
)

// Timing says when a market closes, which decides the bar a headline
// feeds (see the package documentation). The zero value is a 16:00 UTC
// close.
type Timing struct {
	// Close is the close's time of day after midnight in Location; 0
	// means 16 hours.
	Close time.Duration
	// Location is the exchange's zone, in which timestamped headlines
	// are read; nil means UTC.
	Location *time.Location
}

// Available returns the availability day of h: the first date whose
// close may use it, as a UTC midnight. See the package documentation.
func (tm Timing) Available(h Headline) time.Time {
	if !h.HasTime {
		y, m, d := h.Time.Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	}
	loc := tm.Location
	if loc == nil {
		loc = time.UTC
	}
	closeAt := tm.Close
	if closeAt == 0 {
		closeAt = 16 * time.Hour
	}
	local := h.Time.In(loc)
	y, m, d := local.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if local.Sub(midnight) < closeAt {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Daily aggregates the headlines of one ticker that become available on
// one day.
type Daily struct {
	Ticker string
	// Date is the availability day, a UTC midnight: the headlines may be
	// used from the close of this date on.
	Date time.Time
	// Mean is the mean Score, in [-1, 1].
	Mean float64
	// Count is the number of headlines.
	Count int
	// NetPositive is (positives − negatives) / Count by predicted class,
	// in [-1, 1].
	NetPositive float64
}

// Aggregate groups scored headlines by ticker and availability day under
// tm, sorted by ticker then date. It returns nil for no headlines.
func Aggregate(scored []Scored, tm Timing) []Daily {
	type key struct {
		ticker string
		day    time.Time
	}
	type acc struct {
		sum float64
		n   int
		net int
	}
	groups := map[key]*acc{}
	for _, s := range scored {
		k := key{s.Ticker, tm.Available(s.Headline)}
		a := groups[k]
		if a == nil {
			a = &acc{}
			groups[k] = a
		}
		a.sum += s.Score
		a.n++
		a.net += s.Polarity
	}
	out := make([]Daily, 0, len(groups))
	for k, a := range groups {
		out = append(out, Daily{Ticker: k.ticker, Date: k.day, Mean: a.sum / float64(a.n), Count: a.n, NetPositive: float64(a.net) / float64(a.n)})
	}
	slices.SortFunc(out, func(a, b Daily) int {
		return cmp.Or(cmp.Compare(a.Ticker, b.Ticker), a.Date.Compare(b.Date))
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// JoinOptions names Join's columns. The zero value uses the prefix
// "news_".
type JoinOptions struct {
	// Prefix starts every column name; empty means "news_".
	Prefix string
}

// Join folds the days of ticker in daily onto bars (the ticker's bar
// dates, strictly increasing; only their calendar date counts) and
// returns a features.Table with one row per bar and the columns
// <prefix>mean, <prefix>count and <prefix>net. Row t aggregates every day
// whose Date is after bar t-1's date and on or before bar t's date,
// weighting each day by its count; days before the first bar or after the
// last are left out. A bar without headlines has count 0 and NaN mean and
// net. Days of other tickers are ignored.
//
// It returns an error wrapping ErrUnsortedBars when bar dates are not
// strictly increasing, and one wrapping nlp.ErrInvalidArgument for no bars.
func Join(bars []time.Time, daily []Daily, ticker string, opt JoinOptions) (*features.Table, error) {
	if len(bars) == 0 {
		return nil, fmt.Errorf("signals: Join: argument \"bars\": %w: no bars", nlp.ErrInvalidArgument)
	}
	days := make([]time.Time, len(bars))
	for t, b := range bars {
		y, m, d := b.Date()
		days[t] = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if t > 0 && !days[t].After(days[t-1]) {
			return nil, fmt.Errorf("signals: Join: %w: bar %d (%s) after bar %d (%s)", ErrUnsortedBars, t-1, days[t-1].Format(time.DateOnly), t, days[t].Format(time.DateOnly))
		}
	}

	n := len(bars)
	sum, count, net := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, dd := range daily {
		if dd.Ticker != ticker || dd.Date.Before(days[0]) {
			continue
		}
		// The first bar dated on or after the availability day.
		t, _ := slices.BinarySearchFunc(days, dd.Date, func(a, b time.Time) int { return a.Compare(b) })
		if t == n {
			continue
		}
		c := float64(dd.Count)
		sum[t] += dd.Mean * c
		net[t] += dd.NetPositive * c
		count[t] += c
	}
	for t := range n {
		if count[t] == 0 {
			sum[t], net[t] = math.NaN(), math.NaN()
			continue
		}
		sum[t] /= count[t]
		net[t] /= count[t]
	}

	prefix := opt.Prefix
	if prefix == "" {
		prefix = "news_"
	}
	tab := &features.Table{}
	tab.Add(prefix+"mean", sum)
	tab.Add(prefix+"count", count)
	tab.Add(prefix+"net", net)
	return tab, nil
}

// DailyFrame returns daily as a long-format gota DataFrame with the
// columns date ("2006-01-02"), ticker, mean, count and net, for
// presentation and joins at the edges. An empty daily gives a DataFrame
// whose Err is set, as gota does for an empty frame.
func DailyFrame(daily []Daily) dataframe.DataFrame {
	dates, tickers := make([]string, len(daily)), make([]string, len(daily))
	mean, count, net := make([]float64, len(daily)), make([]int, len(daily)), make([]float64, len(daily))
	for i, d := range daily {
		dates[i], tickers[i] = d.Date.Format(time.DateOnly), d.Ticker
		mean[i], count[i], net[i] = d.Mean, d.Count, d.NetPositive
	}
	if len(daily) == 0 {
		return dataframe.New()
	}
	return dataframe.New(
		series.New(dates, series.String, "date"),
		series.New(tickers, series.String, "ticker"),
		series.New(mean, series.Float, "mean"),
		series.New(count, series.Int, "count"),
		series.New(net, series.Float, "net"),
	)
}
