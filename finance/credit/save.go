package credit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"

	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/deepfin/deepfin/models"
)

// Files of a saved Bundle, and the manifest's format name and version.
const (
	// BundleFile is the manifest of a saved Bundle.
	BundleFile = "credit-model.json"
	// NetworkDir is the directory, inside a saved MLP bundle, holding the
	// network as written by models.Model.Save.
	NetworkDir = "network"
	// BundleFormat is the "format" value of a manifest.
	BundleFormat = "deepfin-credit-model"
	// BundleVersion is the manifest version this package writes; Load
	// refuses newer ones.
	BundleVersion = 1
)

// Errors of saved bundles, for errors.Is.
var (
	// ErrBundleFormat marks a manifest that is not a credit model bundle,
	// is corrupt, or contradicts itself.
	ErrBundleFormat = errors.New("not a valid credit model bundle")
	// ErrBundleVersion marks a manifest written by a newer version.
	ErrBundleVersion = errors.New("credit model bundle version too new")
)

// Model kinds of a Bundle.
const (
	KindScorecard = "scorecard"
	KindMLP       = "mlp"
)

// TrainingInfo records how a bundled model was trained, for reports and
// drift checks. Every field is optional.
type TrainingInfo struct {
	// Data is the training file as given to the trainer.
	Data string `json:"data,omitempty"`
	// Rows and Bads count the training rows.
	Rows int `json:"rows,omitempty"`
	Bads int `json:"bads,omitempty"`
	// Seed is the seed of every random choice made in training.
	Seed int64 `json:"seed"`
	// Train summarises in-sample predictions.
	Train *Summary `json:"train,omitempty"`
	// CV holds the cross-validation mean and standard deviation, when run.
	CV *CVSummary `json:"cv,omitempty"`
	// ScoreQuantiles holds evenly spaced quantiles of the training
	// scores in points (the 0th to the 100th percentile), lowest first:
	// the reference distribution for a population stability index.
	ScoreQuantiles []float64 `json:"score_quantiles,omitempty"`
}

// CVSummary is the headline of a cross-validation: the number of folds
// and the mean and standard deviation of each figure over the folds.
type CVSummary struct {
	Folds int     `json:"folds"`
	Mean  Summary `json:"mean"`
	Std   Summary `json:"std"`
}

// Bundle is a fitted model with what a scoring service needs: its input
// Schema, the scaling from PD to points, the training target, and the
// TrainingInfo. Exactly one of Scorecard and MLP is non-nil. A Bundle's
// scoring methods are safe for concurrent use.
type Bundle struct {
	Scorecard *Scorecard
	MLP       *MLP
	// Target and Bad are the target column and its bad value in training.
	Target string
	Bad    string
	// Scaling maps an MLP's PD to points; a Scorecard's own Scaling is
	// used for a scorecard. The zero value means DefaultScaling.
	Scaling  Scaling
	Training TrainingInfo
}

// Kind returns KindScorecard or KindMLP. It panics if the Bundle holds
// neither model.
func (b *Bundle) Kind() string {
	switch {
	case b.Scorecard != nil:
		return KindScorecard
	case b.MLP != nil:
		return KindMLP
	}
	panic("credit: Bundle holds no model")
}

// Schema returns the input schema of the bundled model. It panics if the
// Bundle holds no model.
func (b *Bundle) Schema() *Schema {
	if b.Scorecard != nil {
		return b.Scorecard.Schema
	}
	if b.MLP != nil {
		return b.MLP.Schema
	}
	panic("credit: Bundle holds no model")
}

// scaling returns the scaling points are expressed in.
func (b *Bundle) scaling() Scaling {
	if b.Scorecard != nil {
		return b.Scorecard.Scaling
	}
	s, err := b.Scaling.withDefaults()
	if err != nil {
		return DefaultScaling()
	}
	return s
}

// Score returns the applicant's points (higher is safer) and PD. For an
// MLP the points are the scaling's image of the PD: Offset +
// Factor·ln((1−PD)/PD). x is a record in Schema order. It does not
// allocate in steady state, and panics if len(x) != Schema().Len().
func (b *Bundle) Score(x []Value) (points, pd float64) {
	if b.Scorecard != nil {
		points = b.Scorecard.Score(x)
		return points, b.Scorecard.Scaling.PD(points)
	}
	pd = b.MLP.PD(x)
	return pdPoints(b.scaling(), pd), pd
}

// pdPoints converts a PD to points, clamping the PD into [1e-15, 1−1e-15]
// so the result stays finite.
func pdPoints(s Scaling, pd float64) float64 {
	p := math.Min(math.Max(pd, 1e-15), 1-1e-15)
	return s.Offset() + s.Factor()*math.Log((1-p)/p)
}

// Reasons appends to dst[:0] up to n reason codes (see
// Scorecard.Reasons). An MLP gives none: it returns dst[:0]. It panics as
// Score does.
func (b *Bundle) Reasons(x []Value, dst []Reason, n int) []Reason {
	if b.Scorecard != nil {
		return b.Scorecard.Reasons(x, dst, n)
	}
	if len(x) != b.MLP.Schema.Len() {
		panic(fmt.Sprintf("credit: Reasons: %d values for %d fields", len(x), b.MLP.Schema.Len()))
	}
	return dst[:0]
}

// PredictPD implements Classifier.
func (b *Bundle) PredictPD(d *Dataset, rows []int) ([]float64, error) {
	if b.Scorecard != nil {
		return b.Scorecard.PredictPD(d, rows)
	}
	return b.MLP.PredictPD(d, rows)
}

// ScoreDataset returns the points and PDs of the given rows of d
// (0-based; nil means all), matching columns by name. It returns an error
// wrapping ErrMissingColumn when d lacks a used field.
func (b *Bundle) ScoreDataset(d *Dataset, rows []int) (points, pds []float64, err error) {
	if b.Scorecard != nil {
		return b.Scorecard.ScoreDataset(d, rows)
	}
	pds, err = b.MLP.PredictPD(d, rows)
	if err != nil {
		return nil, nil, err
	}
	s := b.scaling()
	points = make([]float64, len(pds))
	for i, p := range pds {
		points[i] = pdPoints(s, p)
	}
	return points, pds, nil
}

// ScoreQuantiles returns n+1 evenly spaced quantiles (the 0th, 1/n-th, …,
// 1st) of scores, lowest first, by linear interpolation between order
// statistics, for TrainingInfo.ScoreQuantiles. It returns nil for empty
// scores or n < 1; NaN scores are ignored.
func ScoreQuantiles(scores []float64, n int) []float64 {
	s := make([]float64, 0, len(scores))
	for _, v := range scores {
		if !math.IsNaN(v) {
			s = append(s, v)
		}
	}
	if len(s) == 0 || n < 1 {
		return nil
	}
	sort.Float64s(s)
	out := make([]float64, n+1)
	for i := range out {
		pos := float64(i) / float64(n) * float64(len(s)-1)
		lo := int(math.Floor(pos))
		hi := min(lo+1, len(s)-1)
		out[i] = s[lo] + (pos-float64(lo))*(s[hi]-s[lo])
	}
	return out
}

// manifest is the JSON layout of BundleFile.
type manifest struct {
	Format    string        `json:"format"`
	Version   int           `json:"version"`
	Kind      string        `json:"kind"`
	Target    string        `json:"target"`
	Bad       string        `json:"bad"`
	Scaling   Scaling       `json:"scaling"`
	Scorecard *Scorecard    `json:"scorecard,omitempty"`
	MLP       *mlpManifest  `json:"mlp,omitempty"`
	Training  *TrainingInfo `json:"training,omitempty"`
}

type mlpManifest struct {
	Schema  *Schema   `json:"schema"`
	Encoder *Encoder  `json:"encoder"`
	Config  MLPConfig `json:"config"`
	Network string    `json:"network"` // directory, relative to the bundle
}

// WriteFiles writes the bundle into the existing directory dir: for an
// MLP the network into dir/NetworkDir first, then the manifest BundleFile,
// each file atomically. Other files in dir are left alone. Use Save to
// replace a whole directory atomically; WriteFiles suits a caller that
// assembles a larger folder inside atomicfile.ReplaceDir.
func (b *Bundle) WriteFiles(dir string) error {
	m := manifest{Format: BundleFormat, Version: BundleVersion, Target: b.Target, Bad: b.Bad, Scaling: b.scaling(), Training: &b.Training}
	switch {
	case b.Scorecard != nil && b.MLP == nil:
		m.Kind, m.Scorecard = KindScorecard, b.Scorecard
	case b.MLP != nil && b.Scorecard == nil:
		m.Kind = KindMLP
		m.MLP = &mlpManifest{Schema: b.MLP.Schema, Encoder: b.MLP.Encoder, Config: b.MLP.Config, Network: NetworkDir}
		if err := b.MLP.model.Save(filepath.Join(dir, NetworkDir), nil); err != nil {
			return fmt.Errorf("credit: save bundle: %w", err)
		}
	default:
		return optionError("save bundle: want exactly one of Scorecard and MLP")
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("credit: save bundle: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, BundleFile), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("credit: save bundle: %w", err)
	}
	return nil
}

// Save writes the bundle as the directory dir, replacing it atomically (a
// reader sees the old bundle or the new one). It refuses, as
// CheckReplaceable does, to replace anything but a folder holding an
// earlier bundle and nothing else, so that it never deletes unrelated
// files; that error wraps fs.ErrExist.
func (b *Bundle) Save(dir string) error {
	if err := CheckReplaceable(dir, BundleFile, BundleEntry); err != nil {
		return err
	}
	return atomicfile.ReplaceDir(dir, b.WriteFiles)
}

// CheckReplaceable returns nil when dir is absent or empty, or when it
// holds the named marker file and nothing but entries for which owned
// returns true (so it was written by this toolkit and replacing it loses
// nothing of the user's). Otherwise it returns an error wrapping
// fs.ErrExist that says why: dir is not a directory, it holds entries
// deepfin would not write there (listed by name), or it lacks the marker.
// An error reading dir is returned as it is.
func CheckReplaceable(dir, marker string, owned func(name string) bool) error {
	if err := atomicfile.CheckReplaceable(dir, marker, owned); err != nil {
		return fmt.Errorf("credit: %w", err)
	}
	return nil
}

// BundleEntry reports whether a folder entry is one that a model folder
// written by deepfin may hold: the manifest, the network directory, the
// training report and its plots.
func BundleEntry(name string) bool {
	switch name {
	case BundleFile, "network", "report.json":
		return true
	}
	return PlotEntry(name)
}

// PlotEntry reports whether name is a plot file (PNG or SVG).
func PlotEntry(name string) bool {
	ext := filepath.Ext(name)
	return ext == ".png" || ext == ".svg"
}

// LoadBundle reads a bundle saved by Save or WriteFiles from dir and
// rebuilds its lookup structures, so that it scores exactly as the saved
// model did. Errors name the file: a missing manifest wraps
// fs.ErrNotExist, a newer version ErrBundleVersion, anything corrupt or
// inconsistent ErrBundleFormat (and the network's errors come from
// models.Load).
func LoadBundle(dir string) (*Bundle, error) {
	path := filepath.Join(dir, BundleFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credit: load bundle: %w", err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("credit: load bundle %s: %s: %w", path, fmt.Sprintf(format, args...), ErrBundleFormat)
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, bad("%v", err)
	}
	if head.Format != BundleFormat {
		return nil, bad("format %q, want %q", head.Format, BundleFormat)
	}
	if head.Version > BundleVersion {
		return nil, fmt.Errorf("credit: load bundle %s: version %d, this build reads up to %d: %w", path, head.Version, BundleVersion, ErrBundleVersion)
	}
	if head.Version < 1 {
		return nil, bad("version %d", head.Version)
	}
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, bad("%v", err)
	}
	b := &Bundle{Target: m.Target, Bad: m.Bad, Scaling: m.Scaling}
	if m.Training != nil {
		b.Training = *m.Training
	}
	if _, err := m.Scaling.withDefaults(); err != nil {
		return nil, bad("%v", err)
	}
	switch m.Kind {
	case KindScorecard:
		if m.Scorecard == nil || m.MLP != nil {
			return nil, bad("kind scorecard wants a scorecard and no mlp")
		}
		b.Scorecard = m.Scorecard
	case KindMLP:
		if m.MLP == nil || m.Scorecard != nil {
			return nil, bad("kind mlp wants an mlp and no scorecard")
		}
		mlp, err := loadMLP(dir, m.MLP)
		if err != nil {
			return nil, fmt.Errorf("credit: load bundle %s: %w", path, err)
		}
		b.MLP = mlp
	default:
		return nil, bad("kind %q, want %s or %s", m.Kind, KindScorecard, KindMLP)
	}
	return b, nil
}

// loadMLP rebuilds an MLP from its manifest entry and the network in dir.
// Its errors wrap ErrBundleFormat, or come from models.Load.
func loadMLP(dir string, mm *mlpManifest) (*MLP, error) {
	if mm.Schema == nil || mm.Encoder == nil {
		return nil, fmt.Errorf("mlp: schema or encoder missing: %w", ErrBundleFormat)
	}
	if !filepath.IsLocal(mm.Network) {
		return nil, fmt.Errorf("mlp: network path %q is not inside the bundle: %w", mm.Network, ErrBundleFormat)
	}
	if err := mm.Encoder.check(mm.Schema); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrBundleFormat)
	}
	net, _, err := models.Load(filepath.Join(dir, mm.Network))
	if err != nil {
		return nil, err
	}
	if in := net.Spec().Input; len(in) != 1 || in[0] != mm.Encoder.Width || net.Outputs() != 1 {
		return nil, fmt.Errorf("mlp: network input %v and %d outputs, want [%d] and 1: %w", in, net.Outputs(), mm.Encoder.Width, ErrBundleFormat)
	}
	mm.Encoder.init()
	out := &MLP{Schema: mm.Schema, Encoder: mm.Encoder, Config: mm.Config, model: net, pred: net.Predictor()}
	out.initPool()
	return out, nil
}

// check verifies that the encoder's fields fit the schema and its inputs
// tile [0, Width) without overlap.
func (e *Encoder) check(s *Schema) error {
	if !(e.Clip > 0) || math.IsInf(e.Clip, 0) {
		return fmt.Errorf("encoder: clip %v", e.Clip)
	}
	next := 0
	for _, f := range e.Fields {
		if f.Field < 0 || f.Field >= s.Len() || f.Offset != next {
			return fmt.Errorf("encoder: field %d at offset %d does not fit a %d-field schema (next offset %d)", f.Field, f.Offset, s.Len(), next)
		}
		sf := s.Fields[f.Field]
		w := 1
		if sf.Kind == Categorical {
			if f.Categories == nil {
				return fmt.Errorf("encoder: categorical field %q has no categories", sf.Name)
			}
			w = len(f.Categories)
		} else if f.Categories != nil || !(f.Std > 0) || math.IsNaN(f.Mean) || math.IsInf(f.Mean+f.Std, 0) {
			return fmt.Errorf("encoder: numeric field %q: mean %v, std %v", sf.Name, f.Mean, f.Std)
		}
		if f.Missing {
			w++
		}
		next += w
	}
	if next != e.Width {
		return fmt.Errorf("encoder: fields cover %d inputs, width %d", next, e.Width)
	}
	return nil
}

// edge is a bin edge that encodes ±Inf as the JSON strings "-inf" and
// "+inf", which plain JSON numbers cannot hold.
type edge float64

func (x edge) MarshalJSON() ([]byte, error) {
	switch f := float64(x); {
	case math.IsInf(f, -1):
		return []byte(`"-inf"`), nil
	case math.IsInf(f, 1):
		return []byte(`"+inf"`), nil
	case math.IsNaN(f):
		return nil, errors.New("credit: NaN bin edge")
	default:
		return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
	}
}

func (x *edge) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"-inf"`:
		*x = edge(math.Inf(-1))
		return nil
	case `"+inf"`:
		*x = edge(math.Inf(1))
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("credit: bin edge %s: want a number, \"-inf\" or \"+inf\"", b)
	}
	*x = edge(f)
	return nil
}

type plainBin Bin

// MarshalJSON implements json.Marshaler. Infinite edges Lo and Hi are
// written as the strings "-inf" and "+inf".
func (b Bin) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		plainBin
		Lo edge `json:"lo"`
		Hi edge `json:"hi"`
	}{plainBin(b), edge(b.Lo), edge(b.Hi)})
}

// UnmarshalJSON implements json.Unmarshaler, reading what MarshalJSON
// writes.
func (b *Bin) UnmarshalJSON(data []byte) error {
	v := struct {
		*plainBin
		Lo edge `json:"lo"`
		Hi edge `json:"hi"`
	}{plainBin: (*plainBin)(b)}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	b.Lo, b.Hi = float64(v.Lo), float64(v.Hi)
	return nil
}

type plainAttributeBins AttributeBins

// UnmarshalJSON implements json.Unmarshaler: it decodes the exported
// fields and rebuilds the lookup structures, failing on bins that are
// inconsistent (edges not increasing, a category twice, a misplaced
// missing bin).
func (a *AttributeBins) UnmarshalJSON(data []byte) error {
	var v plainAttributeBins
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*a = AttributeBins(v)
	return a.init()
}

type plainScorecard Scorecard

// UnmarshalJSON implements json.Unmarshaler: it decodes a Scorecard
// written by json.Marshal, checks that every attribute fits the schema
// (field index, name, kind, one point per bin, finite points) and links
// each attribute to the binning of the same field, so that the decoded
// scorecard scores as the original did.
func (s *Scorecard) UnmarshalJSON(data []byte) error {
	var v plainScorecard
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	if v.Schema == nil {
		return optionError("scorecard: no schema")
	}
	if _, err := v.Scaling.withDefaults(); err != nil {
		return err
	}
	if len(v.Attributes) == 0 {
		return optionError("scorecard: no attributes")
	}
	for i := range v.Attributes {
		a := &v.Attributes[i]
		if a.Field < 0 || a.Field >= v.Schema.Len() || a.Bins == nil {
			return optionError("scorecard: attribute %d: field %d of %d, or no bins", i, a.Field, v.Schema.Len())
		}
		f := v.Schema.Fields[a.Field]
		if a.Bins.Name != f.Name || a.Bins.Kind != f.Kind || len(a.Points) != len(a.Bins.Bins) {
			return optionError("scorecard: attribute %d (%q) does not match schema field %q or has %d points for %d bins",
				i, a.Bins.Name, f.Name, len(a.Points), len(a.Bins.Bins))
		}
		if v.Binning != nil && a.Field < len(v.Binning.Attributes) && v.Binning.Attributes[a.Field] != nil &&
			v.Binning.Attributes[a.Field].Name == f.Name {
			// share one AttributeBins, as FitScorecard does
			a.Bins = v.Binning.Attributes[a.Field]
			if len(a.Points) != len(a.Bins.Bins) {
				return optionError("scorecard: attribute %q: binning has %d bins, %d points", f.Name, len(a.Bins.Bins), len(a.Points))
			}
		}
		if slices.ContainsFunc(a.Points, func(p float64) bool { return math.IsNaN(p) || math.IsInf(p, 0) }) {
			return optionError("scorecard: attribute %q has a non-finite point", f.Name)
		}
		a.MaxPoints = slices.Max(a.Points)
	}
	*s = Scorecard(v)
	return nil
}
