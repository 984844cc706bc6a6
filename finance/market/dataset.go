package market

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/deepfin/deepfin/backtest"
	"github.com/deepfin/deepfin/features"
	"github.com/deepfin/deepfin/finance"
)

// Sentinel errors, for errors.Is.
var (
	// ErrConfig marks an invalid Config or Split.
	ErrConfig = errors.New("invalid configuration")
	// ErrNoData marks a universe or period without usable samples.
	ErrNoData = errors.New("no usable data")
	// ErrModelKind marks a model kind that the models package cannot
	// build (yet): lstm and alstm need its recurrent layers.
	ErrModelKind = errors.New("model kind not available")
)

// ClipZ is the bound of the cross-sectional robust z-scores.
const ClipZ = 3

// Dataset is a universe's features and labels on its union calendar.
// Per-cell slices are indexed by cell = day*len(Names) + ticker.
type Dataset struct {
	// Time is the union of the tickers' dates, ascending.
	Time []time.Time
	// Names are the tickers, in the order of the input series.
	Names []string
	// Features names the factor columns of X.
	Features []string
	// Open and Close hold each day's prices, [day][ticker]; NaN where the
	// ticker has no bar.
	Open, Close [][]float64
	// X holds the normalised factors, cell-major: X[cell*len(Features)+f].
	// It is 0 where Valid is false.
	X []float32
	// Valid[cell] is true when the ticker has a bar that day and at least
	// features.Alpha158Warmup earlier bars.
	Valid []bool
	// Return[cell] is the raw label, close(d+2)/close(d+1) - 1 in the
	// ticker's own bars (a fraction); NaN when unknown.
	Return []float64
	// Target[cell] is the training label: Return ranked across the valid
	// cells of the day with features.CSRank, minus 0.5, times √12.
	Target []float64
	// Filled counts factor values missing after normalisation in valid
	// cells, set to 0 (the day's centre).
	Filled int
}

// Days returns the number of days.
func (ds *Dataset) Days() int { return len(ds.Time) }

// BuildDataset computes the Alpha158 factors of every series (in parallel
// on up to workers goroutines; 0 means GOMAXPROCS), aligns them on the
// union calendar and normalises them per day (see the package
// documentation). The result does not depend on workers. It returns
// ErrNoData when series is empty.
func BuildDataset(series []*finance.Series, workers int) (*Dataset, error) {
	if len(series) == 0 {
		return nil, fmt.Errorf("market: no series: %w", ErrNoData)
	}
	tabs := ComputeAlpha158(series, workers)
	cal := unionCalendar(series)
	nd, nt := len(cal), len(series)
	names := tabs[0].Names
	nf := len(names)

	ds := &Dataset{Time: cal, Features: names, Names: make([]string, nt),
		Open: nanRows(nd, nt), Close: nanRows(nd, nt),
		X: make([]float32, nd*nt*nf), Valid: make([]bool, nd*nt),
		Return: make([]float64, nd*nt), Target: make([]float64, nd*nt)}
	for c := range ds.Return {
		ds.Return[c], ds.Target[c] = math.NaN(), math.NaN()
	}
	pos := make([][]int, nt) // calendar index of each bar
	for i, s := range series {
		ds.Names[i] = s.Ticker
		pos[i] = make([]int, s.Len())
		for b, t := range s.Time {
			d := sort.Search(nd, func(j int) bool { return !cal[j].Before(t) })
			pos[i][b] = d
			ds.Open[d][i], ds.Close[d][i] = s.Open[b], s.Close[b]
			if b >= features.Alpha158Warmup {
				ds.Valid[d*nt+i] = true
			}
			if b+2 < s.Len() {
				ds.Return[d*nt+i] = s.Close[b+2]/s.Close[b+1] - 1
			}
		}
	}

	// Normalise each factor across the valid tickers of each day, one
	// factor per task (reading each ticker's column in order).
	filled := make([]int, nf)
	var wg sync.WaitGroup
	work := make(chan int)
	for range workerCount(workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			panel := make([]float64, nd*nt)
			for f := range work {
				for c := range panel {
					panel[c] = math.NaN()
				}
				for i := range nt {
					col := tabs[i].Cols[f]
					for b, d := range pos[i] {
						if ds.Valid[d*nt+i] {
							panel[d*nt+i] = col[b]
						}
					}
				}
				for d := range nd {
					z := features.CSRobustZScore(panel[d*nt:(d+1)*nt], ClipZ)
					for i, v := range z {
						c := d*nt + i
						if !ds.Valid[c] {
							continue
						}
						if math.IsNaN(v) {
							v = 0
							filled[f]++
						}
						ds.X[c*nf+f] = float32(v)
					}
				}
			}
		}()
	}
	for f := range nf {
		work <- f
	}
	close(work)
	wg.Wait()
	for _, n := range filled {
		ds.Filled += n
	}

	row := make([]float64, nt)
	// Rank the labels per day among the valid cells.
	for d := range nd {
		for i := range nt {
			row[i] = math.NaN()
			if ds.Valid[d*nt+i] {
				row[i] = ds.Return[d*nt+i]
			}
		}
		for i, r := range features.CSRank(row) {
			if !math.IsNaN(r) {
				ds.Target[d*nt+i] = (r - 0.5) * math.Sqrt(12)
			}
		}
	}
	return ds, nil
}

// ComputeAlpha158 returns features.Alpha158 of each series, in order,
// computed on up to workers goroutines (0 means GOMAXPROCS).
func ComputeAlpha158(series []*finance.Series, workers int) []*features.Table {
	tabs := make([]*features.Table, len(series))
	var wg sync.WaitGroup
	work := make(chan int)
	for range workerCount(workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				s := series[i]
				tabs[i] = features.Alpha158(features.OHLCV{Open: s.Open, High: s.High, Low: s.Low, Close: s.Close, Volume: s.Volume})
			}
		}()
	}
	for i := range series {
		work <- i
	}
	close(work)
	wg.Wait()
	return tabs
}

// workerCount resolves a worker count (0 = GOMAXPROCS).
func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// nanRows returns a [rows][cols] matrix of NaN.
func nanRows(rows, cols int) [][]float64 {
	m := make([][]float64, rows)
	for r := range m {
		m[r] = make([]float64, cols)
		for c := range m[r] {
			m[r][c] = math.NaN()
		}
	}
	return m
}

// unionCalendar returns every date present in any series, ascending.
func unionCalendar(series []*finance.Series) []time.Time {
	seen := make(map[time.Time]bool)
	var cal []time.Time
	for _, s := range series {
		for _, t := range s.Time {
			if !seen[t] {
				seen[t] = true
				cal = append(cal, t)
			}
		}
	}
	sort.Slice(cal, func(i, j int) bool { return cal[i].Before(cal[j]) })
	return cal
}

// panel cuts days [from, to) of per-cell values into a backtest.Panel;
// cells where keep is false become NaN.
func (ds *Dataset) panel(v []float64, from, to int, keep func(cell int) bool) backtest.Panel {
	nt := len(ds.Names)
	p := backtest.Panel{Time: ds.Time[from:to], Names: ds.Names, Values: make([][]float64, to-from)}
	for d := from; d < to; d++ {
		row := make([]float64, nt)
		for i := range nt {
			c := d*nt + i
			row[i] = math.NaN()
			if keep == nil || keep(c) {
				row[i] = v[c]
			}
		}
		p.Values[d-from] = row
	}
	return p
}
