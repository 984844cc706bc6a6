package credit

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fixtureBundles(t testing.TB) (*Dataset, map[string]*Bundle) {
	t.Helper()
	d, sc := fitFixture(t, ScorecardConfig{})
	m, err := FitMLP(context.Background(), d, nil, MLPConfig{Epochs: 3, Seed: 7})
	require.NoError(t, err)
	info := TrainingInfo{Data: "german_200.csv", Rows: d.Len(), Bads: d.Bads(), Seed: 7, ScoreQuantiles: []float64{400, 500, 600}}
	return d, map[string]*Bundle{
		KindScorecard: {Scorecard: sc, Target: "class", Bad: "2", Training: info},
		KindMLP:       {MLP: m, Target: "class", Bad: "2", Training: info},
	}
}

func TestBundleRoundTrip(t *testing.T) {
	d, bundles := fixtureBundles(t)
	for kind, b := range bundles {
		t.Run(kind, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "model")
			require.NoError(t, b.Save(dir))
			back, err := LoadBundle(dir)
			require.NoError(t, err)
			assert.Equal(t, kind, back.Kind())
			assert.Equal(t, "class", back.Target)
			assert.Equal(t, b.Training, back.Training)
			assert.Equal(t, b.Schema().Fields, back.Schema().Fields)

			var r1, r2 []Reason
			for i := range d.Len() {
				x := b.Schema().Record(d, i, nil)
				p1, pd1 := b.Score(x)
				p2, pd2 := back.Score(back.Schema().Record(d, i, nil))
				require.Equal(t, p1, p2, "row %d points", i) // bit-identical
				require.Equal(t, pd1, pd2, "row %d pd", i)
				r1, r2 = b.Reasons(x, r1, 3), back.Reasons(x, r2, 3)
				require.Equal(t, r1, r2, "row %d reasons", i)
			}
			pts, pds, err := back.ScoreDataset(d, nil)
			require.NoError(t, err)
			assert.Len(t, pts, d.Len())
			assert.Len(t, pds, d.Len())
		})
	}
}

func TestBundleEdgesAreValidJSON(t *testing.T) {
	_, bundles := fixtureBundles(t)
	dir := t.TempDir()
	require.NoError(t, bundles[KindScorecard].WriteFiles(dir))
	data, err := os.ReadFile(filepath.Join(dir, BundleFile))
	require.NoError(t, err)
	assert.True(t, json.Valid(data))
	assert.Contains(t, string(data), `"lo": "-inf"`)
	assert.Contains(t, string(data), `"hi": "+inf"`)
}

func TestBinJSON(t *testing.T) {
	cases := []struct {
		name string
		bin  Bin
		want string
	}{
		{"first", Bin{Lo: math.Inf(-1), Hi: 12, Goods: 3, Bads: 1, WoE: 0.5}, `"lo":"-inf","hi":12`},
		{"last", Bin{Lo: 12, Hi: math.Inf(1)}, `"lo":12,"hi":"+inf"`},
		{"categorical", Bin{Categories: []string{"A", "B"}}, `"categories":["A","B"]`},
		{"missing", Bin{Missing: true}, `"missing":true`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.bin)
			require.NoError(t, err)
			assert.Contains(t, string(b), c.want)
			var back Bin
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, c.bin, back)
		})
	}
	var b Bin
	assert.Error(t, json.Unmarshal([]byte(`{"lo":"inf"}`), &b))
}

func TestScorecardJSONRebuildsLookups(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	data, err := json.Marshal(sc)
	require.NoError(t, err)
	var back Scorecard
	require.NoError(t, json.Unmarshal(data, &back))
	for i := range back.Attributes {
		assert.Same(t, back.Binning.Attributes[back.Attributes[i].Field], back.Attributes[i].Bins)
	}
	for i := range d.Len() {
		x := sc.Schema.Record(d, i, nil)
		require.Equal(t, sc.Score(x), back.Score(x))
	}
}

func TestLoadBundleErrors(t *testing.T) {
	_, bundles := fixtureBundles(t)
	good := t.TempDir()
	require.NoError(t, bundles[KindScorecard].WriteFiles(good))
	raw, err := os.ReadFile(filepath.Join(good, BundleFile))
	require.NoError(t, err)
	mlpDir := t.TempDir()
	require.NoError(t, bundles[KindMLP].WriteFiles(mlpDir))

	edit := func(old, new string) string { return strings.Replace(string(raw), old, new, 1) }
	cases := []struct {
		name    string
		content string
		want    error
	}{
		{"newer version", edit(`"version": 1`, `"version": 2`), ErrBundleVersion},
		{"other format", edit(`"deepfin-credit-model"`, `"deepfin-model"`), ErrBundleFormat},
		{"truncated", string(raw[:len(raw)/2]), ErrBundleFormat},
		{"unknown kind", edit(`"kind": "scorecard"`, `"kind": "tree"`), ErrBundleFormat},
		{"unknown key", edit(`"kind"`, `"colour": 1, "kind"`), ErrBundleFormat},
		{"bad edge", edit(`"+inf"`, `"inf"`), ErrBundleFormat},
		{"not json", "hello", ErrBundleFormat},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, BundleFile), []byte(c.content), 0o644))
			_, err := LoadBundle(dir)
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			assert.Contains(t, err.Error(), BundleFile)
		})
	}
	t.Run("absent", func(t *testing.T) {
		_, err := LoadBundle(t.TempDir())
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("mlp network missing", func(t *testing.T) {
		require.NoError(t, os.RemoveAll(filepath.Join(mlpDir, NetworkDir)))
		_, err := LoadBundle(mlpDir)
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
}

func TestBundleSaveRefusesForeignFolder(t *testing.T) {
	_, bundles := fixtureBundles(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("keep me"), 0o644))
	err := bundles[KindScorecard].Save(dir)
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrExist))
	assert.FileExists(t, filepath.Join(dir, "notes.txt"))

	// an earlier bundle may be replaced
	out := filepath.Join(t.TempDir(), "m")
	require.NoError(t, bundles[KindMLP].Save(out))
	require.NoError(t, bundles[KindScorecard].Save(out))
	assert.NoDirExists(t, filepath.Join(out, NetworkDir))
	b, err := LoadBundle(out)
	require.NoError(t, err)
	assert.Equal(t, KindScorecard, b.Kind())
}

func TestScoreQuantiles(t *testing.T) {
	q := ScoreQuantiles([]float64{4, 1, 3, 2, 5, math.NaN()}, 4)
	assert.InDeltaSlice(t, []float64{1, 2, 3, 4, 5}, q, 1e-12)
	q = ScoreQuantiles([]float64{0, 10}, 4)
	assert.InDeltaSlice(t, []float64{0, 2.5, 5, 7.5, 10}, q, 1e-12)
	assert.Nil(t, ScoreQuantiles(nil, 4))
}

func TestBundleMLPPointsMatchScaling(t *testing.T) {
	d, bundles := fixtureBundles(t)
	b := bundles[KindMLP]
	x := b.Schema().Record(d, 0, nil)
	pts, pd := b.Score(x)
	s := DefaultScaling()
	assert.InDelta(t, pd, s.PD(pts), 1e-12, "points map back to the PD")
	assert.Empty(t, b.Reasons(x, nil, 3))
}

// TestLoadBundleBeforeLimits loads bundles saved before fitting recorded
// training ranges and upper limits (testdata/bundle_v1_*, see the README
// there): they must load, score as a fresh fit does, and leave numeric
// fields unbounded above, with finite answers for extreme values.
func TestLoadBundleBeforeLimits(t *testing.T) {
	d, fresh := fitFixture(t, ScorecardConfig{})
	for _, kind := range []string{KindScorecard, KindMLP} {
		t.Run(kind, func(t *testing.T) {
			b, err := LoadBundle(filepath.Join("testdata", "bundle_v1_"+kind))
			require.NoError(t, err)
			assert.Equal(t, kind, b.Kind())
			s := b.Schema()
			huge := map[string]any{}
			for _, f := range s.Fields {
				if f.Kind == Numeric {
					assert.Nil(t, f.Max, "%s: no upper limit", f.Name)
					assert.Nil(t, f.TrainMax, "%s: no training range", f.Name)
					huge[f.Name] = math.MaxFloat64
				} else {
					huge[f.Name] = f.Categories[0]
				}
			}
			x, err := s.ValidateApplicant(huge)
			require.NoError(t, err, "unbounded above")
			points, pd := b.Score(x)
			assert.False(t, math.IsNaN(points) || math.IsInf(points, 0), "points %v", points)
			assert.True(t, pd >= 0 && pd <= 1, "pd %v", pd)

			got, _, err := b.ScoreDataset(d, nil)
			require.NoError(t, err)
			if kind == KindScorecard {
				want, _, err := fresh.ScoreDataset(d, nil)
				require.NoError(t, err)
				assert.InDeltaSlice(t, want, got, 1e-9, "scores as a fresh fit")
			}
		})
	}
}

// TestMLPExtremeValuesFinite checks that values at the limits of a fresh
// MLP's schema give a finite PD, with and without the signed log.
func TestMLPExtremeValuesFinite(t *testing.T) {
	d := loadFixture(t)
	for _, signedLog := range []bool{false, true} {
		m, err := FitMLP(context.Background(), d, nil, MLPConfig{Epochs: 2, Seed: 5, SignedLog: signedLog})
		require.NoError(t, err)
		for _, atMax := range []bool{false, true} {
			x := m.Schema.Record(d, 0, nil)
			for i, f := range m.Schema.Fields {
				if f.Kind == Numeric {
					x[i] = Num(*f.Min)
					if atMax {
						x[i] = Num(*f.Max)
					}
				}
			}
			pd := m.PD(x)
			assert.True(t, pd >= 0 && pd <= 1, "signed log %v, at max %v: pd %v", signedLog, atMax, pd)
		}
	}
}
