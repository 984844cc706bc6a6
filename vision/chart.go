package vision

import (
	"fmt"
	"math"
	"time"

	"github.com/deepfin/deepfin/models"
)

// OHLCV is one ticker's daily bars in time order (all slices of equal
// length); prices > 0, Volume >= 0 or NaN.
type OHLCV struct {
	Ticker                 string
	Time                   []time.Time
	Open, High, Low, Close []float64
	Volume                 []float64
}

// ChartConfig describes an OHLC chart image after Jiang, Kelly and Xiu
// (2023), "(Re-)Imag(in)ing Price Trends", Journal of Finance: black
// background, white pixels; each day is 3 pixels wide (open tick on the
// left, high-low bar in the middle, close tick on the right); a moving
// average of the close drawn as a line through the middle columns; volume
// bars in the bottom fifth, below a one-pixel gap.
type ChartConfig struct {
	// Days is the number of days per image (> 0); the image is 3·Days
	// pixels wide.
	Days int
	// Height is the image height in pixels (>= 10); the paper uses 32, 64
	// and 96 for 5, 20 and 60 days.
	Height int
	// MA is the moving-average window in days; 0 draws no line.
	MA int
	// NoVolume leaves out the volume bars (the price area then takes the
	// whole height).
	NoVolume bool
}

// Chart20 returns the paper's 20-day chart: 64 pixels high, 60 wide, 20-day moving
// average, volume bars.
func Chart20() ChartConfig { return ChartConfig{Days: 20, Height: 64, MA: 20} }

// Width returns the image width, 3·Days.
func (c ChartConfig) Width() int { return 3 * c.Days }

func (c ChartConfig) check() error {
	if c.Days <= 0 || c.Height < 10 || c.MA < 0 {
		return fmt.Errorf("vision: chart: days %d, height %d, ma %d: want days > 0, height >= 10, ma >= 0", c.Days, c.Height, c.MA)
	}
	return nil
}

// RenderChart draws the chart of the Days bars ending at bar end
// (0-based, inclusive) of s into dst (Height×Width bytes, row 0 at the
// top, 0 black, 255 white). The moving average uses the MA closes up to
// each day, so it needs end >= Days−1+MA−1. Prices are scaled so that the
// window's lowest low (or moving average) touches the bottom of the
// price area and its highest high the top; volume is scaled by the
// window's largest volume. It returns an error for a window that does not
// fit in s or a non-positive price; it panics if dst has the wrong
// length.
func RenderChart(dst []uint8, s *OHLCV, end int, c ChartConfig) error {
	if err := c.check(); err != nil {
		return err
	}
	w, h := c.Width(), c.Height
	if len(dst) != w*h {
		panic(fmt.Sprintf("vision: RenderChart: dst has %d bytes, want %d", len(dst), w*h))
	}
	start := end - c.Days + 1
	first := start
	if c.MA > 0 {
		first = start - c.MA + 1
	}
	if first < 0 || end >= len(s.Close) {
		return fmt.Errorf("vision: chart %s: window ending at bar %d needs bars %d..%d of %d", s.Ticker, end, first, end, len(s.Close))
	}
	clear(dst)

	priceH, volH := h, 0
	if !c.NoVolume {
		volH = h / 5
		priceH = h - volH - 1
	}
	ma := make([]float64, c.Days)
	lo, hi := math.Inf(1), math.Inf(-1)
	maxVol := 0.0
	for d := 0; d < c.Days; d++ {
		t := start + d
		if !(s.Low[t] > 0) || !(s.High[t] > 0) || !(s.Open[t] > 0) || !(s.Close[t] > 0) {
			return fmt.Errorf("vision: chart %s: bar %d has a non-positive price", s.Ticker, t)
		}
		lo, hi = math.Min(lo, s.Low[t]), math.Max(hi, s.High[t])
		if c.MA > 0 {
			var sum float64
			for k := t - c.MA + 1; k <= t; k++ {
				sum += s.Close[k]
			}
			ma[d] = sum / float64(c.MA)
			lo, hi = math.Min(lo, ma[d]), math.Max(hi, ma[d])
		}
		if v := s.Volume[t]; v > maxVol {
			maxVol = v
		}
	}
	row := func(p float64) int {
		if hi == lo {
			return priceH / 2
		}
		r := int(math.Round((hi - p) / (hi - lo) * float64(priceH-1)))
		return min(max(r, 0), priceH-1)
	}
	set := func(y, x int) { dst[y*w+x] = 255 }
	for d := 0; d < c.Days; d++ {
		t := start + d
		x := 3 * d
		set(row(s.Open[t]), x)
		set(row(s.Close[t]), x+2)
		for y := row(s.High[t]); y <= row(s.Low[t]); y++ {
			set(y, x+1)
		}
		if c.MA > 0 {
			y := row(ma[d])
			set(y, x+1)
			if d > 0 { // connect to the previous day's average
				py := row(ma[d-1])
				for k := 1; k <= 2; k++ {
					set(py+(y-py)*k/3, x-3+1+k)
				}
			}
		}
		if volH > 0 && maxVol > 0 && s.Volume[t] > 0 {
			bar := int(math.Round(s.Volume[t] / maxVol * float64(volH)))
			for y := h - bar; y < h; y++ {
				set(y, x+1)
			}
		}
	}
	return nil
}

// ChartSample identifies one chart image of a ChartSet.
type ChartSample struct {
	Ticker string
	// End is the 0-based index of the window's last bar in its series;
	// Date is that bar's date.
	End  int
	Date time.Time
	// Return is the close-to-close return over the next Horizon days, a
	// fraction.
	Return float64
}

// ChartSet is a set of labelled chart images.
type ChartSet struct {
	Images  *Images // 1×Height×Width, pixels scaled to [0, 1]; Y = 1 when Return > 0
	Samples []ChartSample
}

// ChartSetConfig configures BuildChartSet.
type ChartSetConfig struct {
	Chart ChartConfig
	// Horizon is the number of days of the future return (> 0).
	Horizon int
	// Stride is the number of days between consecutive windows of a
	// ticker (> 0).
	Stride int
	// From and To bound the window end dates: From <= Date < To (zero
	// values: unbounded). Only windows whose Horizon-day future return
	// ends before To are kept, so that a training set ending at To never
	// sees a price from the test period.
	From, To time.Time
	// Dates, when not nil, keeps only windows ending on these dates (and
	// Stride is ignored): common rebalancing dates across tickers.
	Dates []time.Time
}

// BuildChartSet renders every window of every series that fits cfg:
// windows end at bars MA−1+Days−1, +Stride, ... whose future return is
// known. Labels are 1 for a positive return, 0 otherwise.
func BuildChartSet(series []*OHLCV, cfg ChartSetConfig) (*ChartSet, error) {
	c := cfg.Chart
	if err := c.check(); err != nil {
		return nil, err
	}
	if cfg.Horizon <= 0 || cfg.Stride <= 0 {
		return nil, fmt.Errorf("vision: chart set: horizon %d and stride %d must be positive", cfg.Horizon, cfg.Stride)
	}
	w, h := c.Width(), c.Height
	set := &ChartSet{Images: &Images{C: 1, H: h, W: w}}
	buf := make([]uint8, w*h)
	warm := c.Days - 1 + max(c.MA-1, 0)
	var want map[time.Time]bool
	step := cfg.Stride
	if cfg.Dates != nil {
		want = make(map[time.Time]bool, len(cfg.Dates))
		for _, d := range cfg.Dates {
			want[d] = true
		}
		step = 1
	}
	for _, s := range series {
		for end := warm; end+cfg.Horizon < len(s.Close); end += step {
			date := s.Time[end]
			if want != nil && !want[date] {
				continue
			}
			if !cfg.From.IsZero() && date.Before(cfg.From) {
				continue
			}
			if !cfg.To.IsZero() && !s.Time[end+cfg.Horizon].Before(cfg.To) {
				break
			}
			if err := RenderChart(buf, s, end, c); err != nil {
				return nil, err
			}
			for _, v := range buf {
				set.Images.X = append(set.Images.X, float32(v)/255)
			}
			ret := s.Close[end+cfg.Horizon]/s.Close[end] - 1
			y := float32(0)
			if ret > 0 {
				y = 1
			}
			set.Images.Y = append(set.Images.Y, y)
			set.Images.N++
			set.Samples = append(set.Samples, ChartSample{Ticker: s.Ticker, End: end, Date: date, Return: ret})
		}
	}
	return set, nil
}

// ChartCNN returns a scaled-down version of the paper's 20-day CNN for
// chart images of shape 1×height×width: blocks of a 5×3 convolution
// (padding 2×1), batch norm, leaky ReLU (slope 0.01) and 2×1 max pooling
// with filters[0], filters[1], ... channels; the first convolution uses
// the paper's stride 3×1 and dilation 2×1 (padding 3×1). Then dropout 0.5
// and a dense layer to 2 logits (down, up), trained with softmax_ce.
func ChartCNN(height, width int, filters ...int) models.Spec {
	var layers []models.LayerSpec
	for i, f := range filters {
		conv := models.LayerSpec{Type: models.LayerConv2D, Filters: f, Kernel: []int{5, 3}, Padding: []int{2, 1}, NoBias: true}
		if i == 0 {
			conv.Stride, conv.Dilation, conv.Padding = []int{3, 1}, []int{2, 1}, []int{3, 1}
		}
		layers = append(layers, conv,
			models.LayerSpec{Type: models.LayerBatchNorm},
			models.LayerSpec{Type: models.LayerLeakyReLU, Alpha: 0.01},
			models.LayerSpec{Type: models.LayerMaxPool2D, Kernel: []int{2, 1}})
	}
	layers = append(layers, models.LayerSpec{Type: models.LayerFlatten},
		models.LayerSpec{Type: models.LayerDropout, Rate: 0.5},
		models.LayerSpec{Type: models.LayerDense, Units: 2})
	return models.Spec{Input: []int{1, height, width}, Layers: layers}
}
