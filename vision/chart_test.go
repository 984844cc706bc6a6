package vision

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/models"
)

func TestRenderChartByHand(t *testing.T) {
	s := &OHLCV{Ticker: "T",
		Open: []float64{10, 11}, High: []float64{12, 12}, Low: []float64{8, 10}, Close: []float64{11, 12}, Volume: []float64{1, 1}}
	c := ChartConfig{Days: 2, Height: 10, NoVolume: true}
	dst := make([]uint8, 10*6)
	require.NoError(t, RenderChart(dst, s, 1, c))
	// Rows map prices by round((12 − p)/(12 − 8)·9): 12→0, 11→2, 10→5
	// (4.5 rounds up), 8→9. Day 0: open 10 at (5, 0), bar 12..8 in
	// column 1, close 11 at (2, 2); day 1: open 11 at (2, 3), bar 12..10
	// in column 4, close 12 at (0, 5).
	want := []string{
		".#..##",
		".#..#.",
		".####.",
		".#..#.",
		".#..#.",
		"##..#.",
		".#....",
		".#....",
		".#....",
		".#....",
	}
	got := make([]string, 10)
	for y := range got {
		var b strings.Builder
		for x := 0; x < 6; x++ {
			if dst[y*6+x] == 255 {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		got[y] = b.String()
	}
	assert.Equal(t, want, got)
}

func TestRenderChartVolumeAndMA(t *testing.T) {
	n := 40
	s := &OHLCV{Ticker: "T"}
	for i := 0; i < n; i++ {
		p := 100 + 10*math.Sin(float64(i)/5)
		s.Time = append(s.Time, time.Date(2015, 1, 1+i, 0, 0, 0, 0, time.UTC))
		s.Open = append(s.Open, p)
		s.High = append(s.High, p+1)
		s.Low = append(s.Low, p-1)
		s.Close = append(s.Close, p+0.5)
		s.Volume = append(s.Volume, float64(1000+i))
	}
	c := Chart20()
	dst := make([]uint8, c.Height*c.Width())
	require.Error(t, RenderChart(dst, s, 37, c), "needs 39 bars of history")
	require.NoError(t, RenderChart(dst, s, 38, c))
	// The largest volume (last day) fills the bottom fifth: 12 rows.
	for y := 64 - 12; y < 64; y++ {
		assert.Equal(t, uint8(255), dst[y*60+58], "row %d", y)
	}
	assert.Equal(t, uint8(0), dst[(64-13)*60+58], "gap row")

	set, err := BuildChartSet([]*OHLCV{s}, ChartSetConfig{Chart: c, Horizon: 5, Stride: 1, To: s.Time[36]})
	require.NoError(t, err)
	// Windows end at bars 38.. but the future return must end before bar
	// 36: none fit.
	assert.Equal(t, 0, set.Images.N)
	set, err = BuildChartSet([]*OHLCV{s}, ChartSetConfig{Chart: ChartConfig{Days: 5, Height: 16, MA: 3}, Horizon: 2, Stride: 3})
	require.NoError(t, err)
	assert.Equal(t, 11, set.Images.N) // ends 6, 9, ..., 36 (end+2 <= 39)
	assert.InDelta(t, s.Close[8]/s.Close[6]-1, set.Samples[0].Return, 1e-12)
}

func TestChartCNNShapes(t *testing.T) {
	m, err := models.New(ChartCNN(64, 60, 16, 32, 64), 1)
	require.NoError(t, err)
	assert.Equal(t, 2, m.Outputs())
	// 64 rows: conv stride 3 dilation 2 pad 3 → 21, pool → 10, → 5, → 2;
	// flatten 64·2·60 = 7680 → dense 2.
	spec := m.Spec()
	last := spec.Layers[len(spec.Layers)-1]
	assert.Equal(t, 2, last.Units)
	assert.Equal(t, 16*15+2*16+32*16*15+2*32+64*32*15+2*64+7680*2+2, m.NumParams())
}
