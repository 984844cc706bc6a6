package models

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func trainedGRU(t *testing.T) *Model {
	t.Helper()
	m, err := New(Spec{Input: []int{5, 3}, Layers: []LayerSpec{
		{Type: LayerGRU, Units: 4}, {Type: LayerDropout, Rate: 0.1}, {Type: LayerDense, Units: 2}, {Type: LayerLeakyReLU, Alpha: 0.05}, {Type: LayerDense, Units: 1},
	}}, 3)
	require.NoError(t, err)
	_, err = m.Fit(t.Context(), linearData(40, 15, 2), TrainConfig{Epochs: 2, BatchSize: 16, Loss: LossMSE})
	require.NoError(t, err)
	return m
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := trainedGRU(t)
	dir := filepath.Join(t.TempDir(), "model")
	meta := map[string]json.RawMessage{"scaler": json.RawMessage(`{"mean":[1,2]}`), "seed": json.RawMessage(`3`)}
	require.NoError(t, m.Save(dir, meta))

	got, gotMeta, err := Load(dir)
	require.NoError(t, err)
	assert.Equal(t, m.Spec(), got.Spec())
	assert.Equal(t, m.params, got.params)
	require.Len(t, gotMeta, 2)
	assert.JSONEq(t, `{"mean":[1,2]}`, string(gotMeta["scaler"]))

	x := randomX(9, m.Inputs(), 4)
	want, err := m.Predict(x, 9)
	require.NoError(t, err)
	pred, err := got.Predict(x, 9)
	require.NoError(t, err)
	assert.Equal(t, want, pred, "loaded model predicts identically")

	// Overwriting in place works and leaves no temporary files.
	require.NoError(t, got.Save(dir, nil))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{SpecFile, WeightsFile}, names)
	_, meta2, err := Load(dir)
	require.NoError(t, err)
	assert.Nil(t, meta2)

	var hdr map[string]any
	raw, err := os.ReadFile(filepath.Join(dir, SpecFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &hdr))
	assert.Equal(t, "deepfin-model", hdr["format"])
	assert.EqualValues(t, 1, hdr["version"])
}

func TestLoadErrors(t *testing.T) {
	m := trainedGRU(t)
	src := filepath.Join(t.TempDir(), "src")
	require.NoError(t, m.Save(src, nil))
	specRaw, err := os.ReadFile(filepath.Join(src, SpecFile))
	require.NoError(t, err)
	weights, err := os.ReadFile(filepath.Join(src, WeightsFile))
	require.NoError(t, err)

	editHeader := func(f func(h map[string]any)) []byte {
		var h map[string]any
		require.NoError(t, json.Unmarshal(specRaw, &h))
		f(h)
		out, err := json.Marshal(h)
		require.NoError(t, err)
		return out
	}
	// other returns this model's header with the checksum of another
	// model's weights, and those weights, to reach the per-tensor checks.
	other := func(spec Spec) ([]byte, []byte) {
		o, err := New(spec, 1)
		require.NoError(t, err)
		dir := filepath.Join(t.TempDir(), "other")
		require.NoError(t, o.Save(dir, nil))
		w, err := os.ReadFile(filepath.Join(dir, WeightsFile))
		require.NoError(t, err)
		var h map[string]any
		require.NoError(t, json.Unmarshal(specRaw, &h))
		raw, err := os.ReadFile(filepath.Join(dir, SpecFile))
		require.NoError(t, err)
		var oh map[string]any
		require.NoError(t, json.Unmarshal(raw, &oh))
		h["weights_sha256"] = oh["weights_sha256"]
		out, err := json.Marshal(h)
		require.NoError(t, err)
		return out, w
	}
	wider := m.Spec()
	wider.Layers[0].Units = 5
	fewer := m.Spec()
	fewer.Layers = fewer.Layers[:3]
	more := m.Spec()
	more.Layers = append(more.Layers, LayerSpec{Type: LayerDense, Units: 1})
	wideSpec, wideW := other(wider)
	fewSpec, fewW := other(fewer)
	moreSpec, moreW := other(more)

	cases := []struct {
		name     string
		spec     []byte // nil: no file
		weights  []byte // nil: no file
		want     error
		contains string
	}{
		{"missing_dir", nil, nil, fs.ErrNotExist, "model.json"},
		{"missing_weights", specRaw, nil, fs.ErrNotExist, "model.safetensors"},
		{"bad_json", []byte("{"), weights, ErrFormat, "invalid JSON"},
		{"wrong_format", editHeader(func(h map[string]any) { h["format"] = "keras" }), weights, ErrFormat, `format "keras"`},
		{"newer_version", editHeader(func(h map[string]any) { h["version"] = 2 }), weights, ErrVersion, "newer"},
		{"unknown_field", editHeader(func(h map[string]any) { h["extra"] = 1 }), weights, ErrFormat, "extra"},
		{"bad_spec", editHeader(func(h map[string]any) { h["spec"] = map[string]any{"input": []int{3}, "layers": []any{}} }), weights, ErrInvalidSpec, "no layers"},
		{"truncated", specRaw, weights[:len(weights)-7], ErrFormat, "SHA-256"},
		{"corrupt", specRaw, append([]byte{1}, weights[1:]...), ErrFormat, "SHA-256"},
		{"garbage_matching_checksum", editHeader(func(h map[string]any) {
			h["weights_sha256"] = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" // sha256 of "\x00"
		}), []byte{0}, ErrFormat, "invalid safetensors"},
		{"shape_mismatch", wideSpec, wideW, ErrFormat, "shape"},
		{"missing_tensor", fewSpec, fewW, ErrFormat, "missing"},
		{"extra_tensor", moreSpec, moreW, ErrFormat, "not part of the spec"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "m")
			if c.spec != nil || c.weights != nil {
				require.NoError(t, os.MkdirAll(dir, 0o755))
			}
			if c.spec != nil {
				require.NoError(t, os.WriteFile(filepath.Join(dir, SpecFile), c.spec, 0o644))
			}
			if c.weights != nil {
				require.NoError(t, os.WriteFile(filepath.Join(dir, WeightsFile), c.weights, 0o644))
			}
			_, _, err := Load(dir)
			require.Error(t, err)
			assert.True(t, errors.Is(err, c.want), "want %v, got %v", c.want, err)
			assert.Contains(t, err.Error(), c.contains)
			assert.True(t, strings.HasPrefix(err.Error(), "models: "), err.Error())
			var fe *FileError
			assert.ErrorAs(t, err, &fe)
		})
	}
}

// testdata/gru_v1 holds a stacked GRU model (gru 5 with return_sequences
// → gru 4 → dense 2) saved by the unrolled GRU that preceded the fused
// one, with its predictions for three samples in the meta "x" and "y".
// The fused layer keeps the weight names and shapes, so the model loads
// as is and predicts the same.
func TestLoadUnrolledGRUModel(t *testing.T) {
	m, meta, err := Load(filepath.Join("testdata", "gru_v1"))
	require.NoError(t, err)
	var x, want []float32
	require.NoError(t, json.Unmarshal(meta["x"], &x))
	require.NoError(t, json.Unmarshal(meta["y"], &want))
	n := len(x) / m.Inputs()
	require.Equal(t, 3, n)
	got, err := m.Predict(x, n)
	require.NoError(t, err)
	gotP, err := m.Predictor().Predict(nil, x)
	require.NoError(t, err)
	require.Len(t, got, len(want))
	for i := range want {
		assert.InDelta(t, want[i], got[i], 1e-5, "graph output %d", i)
		assert.InDelta(t, want[i], gotP[i], 1e-5, "predictor output %d", i)
	}
}
