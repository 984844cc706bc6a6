package credit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"
)

func TestPlots(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	scores, pds, err := sc.ScoreDataset(d, nil)
	require.NoError(t, err)
	c := Curve{Name: "scorecard", Y: d.Y, PD: pds}
	dir := t.TempDir()

	plots := map[string]func() (*plot.Plot, error){
		"roc":  func() (*plot.Plot, error) { return ROCPlot(c) },
		"ks":   func() (*plot.Plot, error) { return KSPlot(c) },
		"dist": func() (*plot.Plot, error) { return ScoreDistributionPlot("scores", d.Y, scores, 20) },
		"cal":  func() (*plot.Plot, error) { return CalibrationPlot(10, c) },
	}
	for name, mk := range plots {
		t.Run(name, func(t *testing.T) {
			p, err := mk()
			require.NoError(t, err)
			base := filepath.Join(dir, name)
			require.NoError(t, SavePlot(p, base))
			for _, ext := range []string{".png", ".svg"} {
				st, err := os.Stat(base + ext)
				require.NoError(t, err)
				assert.Greater(t, st.Size(), int64(1000))
			}
		})
	}

	_, err = ROCPlot(Curve{Name: "one class", Y: []int{0, 0}, PD: []float64{0.1, 0.2}})
	assert.ErrorIs(t, err, ErrInvalidOption)
	_, err = ScoreDistributionPlot("x", []int{0, 1}, []float64{1, 2}, 0)
	assert.ErrorIs(t, err, ErrInvalidOption)
}
