package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/nlpodyssey/safetensors"
)

// File names and format identifiers of a saved model directory.
const (
	// SpecFile is the JSON file of a saved model directory.
	SpecFile = "model.json"
	// WeightsFile is the safetensors file of a saved model directory.
	WeightsFile = "model.safetensors"
	// FormatName is the "format" field of SpecFile.
	FormatName = "deepfin-model"
	// FormatVersion is the "version" this package writes and the newest it
	// reads.
	FormatVersion = 1
)

// fileHeader is the content of SpecFile.
type fileHeader struct {
	Format        string                     `json:"format"`
	Version       int                        `json:"version"`
	Spec          Spec                       `json:"spec"`
	Meta          map[string]json.RawMessage `json:"meta,omitempty"`
	Weights       string                     `json:"weights"`
	WeightsSHA256 string                     `json:"weights_sha256"`
}

// f32View is a float32 tensor in the form safetensors serialises.
type f32View struct {
	shape []uint64
	data  []byte
}

func (v f32View) DType() safetensors.DType { return safetensors.F32 }
func (v f32View) Shape() []uint64          { return v.shape }
func (v f32View) Data() []byte             { return v.data }
func (v f32View) DataLen() uint64          { return uint64(len(v.data)) }

// Save writes the model into the directory path (created if missing, with
// permission 0o755): WeightsFile first, then SpecFile carrying meta (any
// JSON the caller wants kept with the model, e.g. a scaler; may be nil)
// and the weights' SHA-256. Each file is replaced atomically; files
// already in the directory under other names are left alone.
func (m *Model) Save(path string, meta map[string]json.RawMessage) error {
	views := make(map[string]f32View, len(m.info))
	for i, p := range m.info {
		data := make([]byte, 4*len(m.params[i]))
		for k, v := range m.params[i] {
			binary.LittleEndian.PutUint32(data[4*k:], math.Float32bits(v))
		}
		shp := make([]uint64, len(p.shape))
		for k, d := range p.shape {
			shp[k] = uint64(d)
		}
		views[p.name] = f32View{shape: shp, data: data}
	}
	weights, err := safetensors.Serialize(views, map[string]string{"format": FormatName})
	if err != nil {
		return fmt.Errorf("models: save %s: serialise weights: %w", path, err)
	}
	sum := sha256.Sum256(weights)
	for k, v := range meta {
		if !json.Valid(v) {
			return fmt.Errorf("models: save %s: meta %q is not valid JSON", path, k)
		}
	}
	header, err := json.MarshalIndent(fileHeader{
		Format:        FormatName,
		Version:       FormatVersion,
		Spec:          m.spec,
		Meta:          meta,
		Weights:       WeightsFile,
		WeightsSHA256: hex.EncodeToString(sum[:]),
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("models: save %s: %w", path, err)
	}
	header = append(header, '\n')

	if err := os.MkdirAll(path, 0o755); err != nil {
		return fmt.Errorf("models: save: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(path, WeightsFile), weights, 0o644); err != nil {
		return fmt.Errorf("models: save: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(path, SpecFile), header, 0o644); err != nil {
		return fmt.Errorf("models: save: %w", err)
	}
	return nil
}

// Load reads a model saved by Save from the directory path and returns it
// with its meta (nil when none was saved).
//
// Errors are *FileError values: a missing file wraps fs.ErrNotExist; a
// wrong format name, a corrupt or truncated file, a checksum mismatch, or
// a missing, extra, non-F32 or wrongly shaped tensor wraps ErrFormat; a
// version newer than FormatVersion wraps ErrVersion; an invalid spec also
// wraps ErrInvalidSpec.
func Load(path string) (*Model, map[string]json.RawMessage, error) {
	specPath := filepath.Join(path, SpecFile)
	bad := func(file, tensor, format string, a ...any) error {
		return &FileError{Path: file, Tensor: tensor, Msg: fmt.Sprintf(format, a...), Err: ErrFormat}
	}

	raw, err := os.ReadFile(specPath)
	if err != nil {
		return nil, nil, &FileError{Path: specPath, Msg: err.Error(), Err: err}
	}
	var probe struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, nil, bad(specPath, "", "invalid JSON: %v", err)
	}
	if probe.Format != FormatName {
		return nil, nil, bad(specPath, "", "format %q, want %q", probe.Format, FormatName)
	}
	if probe.Version > FormatVersion {
		return nil, nil, &FileError{Path: specPath, Msg: fmt.Sprintf("format version %d is newer than this build reads (%d); upgrade deepfin", probe.Version, FormatVersion), Err: ErrVersion}
	}
	if probe.Version < 1 {
		return nil, nil, bad(specPath, "", "format version %d, want 1..%d", probe.Version, FormatVersion)
	}
	var hdr fileHeader
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hdr); err != nil {
		return nil, nil, bad(specPath, "", "invalid header: %v", err)
	}
	m, err := New(hdr.Spec, 0)
	if err != nil {
		return nil, nil, &FileError{Path: specPath, Msg: err.Error(), Err: errors.Join(ErrFormat, err)}
	}
	if hdr.Weights != WeightsFile {
		return nil, nil, bad(specPath, "", "weights file %q, want %q", hdr.Weights, WeightsFile)
	}

	wPath := filepath.Join(path, WeightsFile)
	buf, err := os.ReadFile(wPath)
	if err != nil {
		return nil, nil, &FileError{Path: wPath, Msg: err.Error(), Err: err}
	}
	sum := sha256.Sum256(buf)
	if got := hex.EncodeToString(sum[:]); got != hdr.WeightsSHA256 {
		return nil, nil, bad(wPath, "", "SHA-256 %s does not match %s in %s (corrupt file, or files from different saves)", got, hdr.WeightsSHA256, SpecFile)
	}
	st, err := deserialize(buf)
	if err != nil {
		return nil, nil, bad(wPath, "", "invalid safetensors: %v", err)
	}
	want := make(map[string]bool, len(m.info))
	for i, p := range m.info {
		want[p.name] = true
		tv, ok := st.Tensor(p.name)
		if !ok {
			return nil, nil, bad(wPath, p.name, "missing")
		}
		if tv.DType() != safetensors.F32 {
			return nil, nil, bad(wPath, p.name, "dtype %v, want F32", tv.DType())
		}
		if !sameShape(tv.Shape(), p.shape) {
			return nil, nil, bad(wPath, p.name, "shape %v, want %v", tv.Shape(), p.shape)
		}
		data := tv.Data()
		if len(data) != 4*len(m.params[i]) {
			return nil, nil, bad(wPath, p.name, "%d bytes, want %d", len(data), 4*len(m.params[i]))
		}
		for k := range m.params[i] {
			m.params[i][k] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*k:]))
		}
	}
	for _, name := range st.Names() {
		if !want[name] {
			return nil, nil, bad(wPath, name, "not part of the spec")
		}
	}
	return m, hdr.Meta, nil
}

// deserialize wraps safetensors.Deserialize, turning a panic on hostile
// input into an error.
func deserialize(buf []byte) (st safetensors.SafeTensors, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed header: %v", r)
		}
	}()
	return safetensors.Deserialize(buf)
}

func sameShape(got []uint64, want []int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != uint64(want[i]) {
			return false
		}
	}
	return true
}
