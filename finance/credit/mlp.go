package credit

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/deepfin/deepfin/internal/kfold"
	"github.com/deepfin/deepfin/models"
)

// Encoder turns a record into the network's float32 inputs: each numeric
// field is standardised with the training mean and standard deviation and
// clipped to ±Clip (a missing value becomes 0, the mean, and sets an extra
// indicator input when training had missing values); each categorical
// field is one-hot over its training categories (a missing or unseen
// category is all zeros, with a "missing" input when training had missing
// values). Fields the model does not use produce nothing.
type Encoder struct {
	Fields []EncodedField `json:"fields"`
	Clip   float64        `json:"clip"`
	// SignedLog maps each numeric value x to sign(x)·ln(1+|x|) before
	// standardising (Mean and Std are then of the mapped values).
	SignedLog bool `json:"signed_log,omitempty"`
	Width     int  `json:"width"` // number of network inputs
}

// EncodedField is one schema field's part of an Encoder.
type EncodedField struct {
	Field      int      `json:"field"`  // index in the Schema
	Offset     int      `json:"offset"` // first input position
	Mean       float64  `json:"mean,omitempty"`
	Std        float64  `json:"std,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Missing    bool     `json:"missing,omitempty"` // an extra missing-indicator input follows
	cat        map[string]int
}

func (e *Encoder) init() {
	for i := range e.Fields {
		f := &e.Fields[i]
		if f.Categories != nil {
			f.cat = make(map[string]int, len(f.Categories))
			for j, c := range f.Categories {
				f.cat[c] = j
			}
		}
	}
}

func (e *Encoder) num(x float64) float64 {
	if e.SignedLog {
		return math.Copysign(math.Log1p(math.Abs(x)), x)
	}
	return x
}

// Encode writes the inputs for record x into dst (length Width). It does
// not allocate. It panics if len(dst) != Width.
func (e *Encoder) Encode(dst []float32, x []Value) {
	if len(dst) != e.Width {
		panic(fmt.Sprintf("credit: Encode: dst has %d values, want %d", len(dst), e.Width))
	}
	clear(dst)
	for i := range e.Fields {
		f := &e.Fields[i]
		v := x[f.Field]
		if f.cat == nil {
			if math.IsNaN(v.Num) {
				if f.Missing {
					dst[f.Offset+1] = 1
				}
				continue
			}
			z := (e.num(v.Num) - f.Mean) / f.Std
			dst[f.Offset] = float32(math.Max(-e.Clip, math.Min(e.Clip, z)))
			continue
		}
		if v.Cat == "" {
			if f.Missing {
				dst[f.Offset+len(f.Categories)] = 1
			}
			continue
		}
		if j, ok := f.cat[v.Cat]; ok {
			dst[f.Offset+j] = 1
		}
	}
}

// MLPConfig configures FitMLP. The zero value gives the defaults noted on
// each field.
type MLPConfig struct {
	// Hidden lists the widths of the hidden relu layers; nil means [16].
	Hidden []int
	// Dropout is the dropout rate after each hidden layer; 0 means none.
	Dropout float64
	// Epochs is the maximum number of passes; 0 means 40.
	Epochs int
	// BatchSize is the rows per step; 0 means 64.
	BatchSize int
	// LearningRate is Adam's step; 0 means 1e-3.
	LearningRate float64
	// WeightDecay is Adam's decoupled weight decay; 0 means 1e-4, negative
	// means none.
	WeightDecay float64
	// Clip bounds standardised numeric inputs to ±Clip; 0 means 5.
	Clip float64
	// SignedLog maps numeric inputs through sign(x)·ln(1+|x|) before
	// standardising, which tames heavy-tailed amounts.
	SignedLog bool
	// ValidationFraction, when positive, holds out that fraction of the
	// training rows (stratified, seeded) for early stopping with Patience.
	ValidationFraction float64
	// Patience is the early-stopping patience in epochs; 0 means 5 when
	// ValidationFraction is positive.
	Patience int
	// BadWeight repeats each bad training row this many times (a whole
	// number; 0 means 1), a class weight. See ScorecardConfig.BadWeight.
	BadWeight int
	// Seed drives initialisation, shuffling, dropout and the validation
	// split.
	Seed int64
}

// MLP is a fitted feed-forward network on encoded raw features. Its
// methods are safe for concurrent use.
type MLP struct {
	Schema  *Schema
	Encoder *Encoder
	Config  MLPConfig
	model   *models.Model
	pred    *models.Predictor
	bufs    sync.Pool
}

type mlpBuf struct {
	in  []float32
	out []float32
}

// FitMLP fits an MLP on the training rows of d (0-based; nil means all):
// inputs from an Encoder fitted on those rows, hidden relu layers, one
// output trained as a logit with binary cross-entropy and Adam.
func FitMLP(ctx context.Context, d *Dataset, rows []int, cfg MLPConfig) (*MLP, error) {
	if cfg.Hidden == nil {
		cfg.Hidden = []int{16}
	}
	if cfg.Epochs == 0 {
		cfg.Epochs = 40
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 64
	}
	if cfg.LearningRate == 0 {
		cfg.LearningRate = 1e-3
	}
	if cfg.WeightDecay == 0 {
		cfg.WeightDecay = 1e-4
	}
	wd := max(cfg.WeightDecay, 0)
	if cfg.Clip == 0 {
		cfg.Clip = 5
	}
	if cfg.BadWeight == 0 {
		cfg.BadWeight = 1
	}
	if cfg.ValidationFraction > 0 && cfg.Patience == 0 {
		cfg.Patience = 5
	}
	if cfg.BadWeight < 1 || !(cfg.Clip > 0) || cfg.ValidationFraction < 0 || cfg.ValidationFraction >= 1 {
		return nil, optionError("mlp: BadWeight %d, Clip %v, ValidationFraction %v", cfg.BadWeight, cfg.Clip, cfg.ValidationFraction)
	}
	if rows == nil {
		rows = make([]int, d.Len())
		for i := range rows {
			rows[i] = i
		}
	}

	schema := schemaFromData(d, rows, func(string) bool { return true })
	enc := fitEncoder(d, rows, schema, cfg.Clip, cfg.SignedLog)

	fit, val := rows, []int(nil)
	if cfg.ValidationFraction > 0 {
		ys := make([]int, len(rows))
		for i, r := range rows {
			ys[i] = d.Y[r]
		}
		tr, va, err := kfold.StratifiedSplit(ys, cfg.ValidationFraction, uint64(cfg.Seed))
		if err != nil {
			return nil, fmt.Errorf("credit: mlp: %w", err)
		}
		fit, val = make([]int, len(tr)), make([]int, len(va))
		for i, j := range tr {
			fit[i] = rows[j]
		}
		for i, j := range va {
			val[i] = rows[j]
		}
	}
	build := func(rs []int, badRep int) models.Dataset {
		var ds models.Dataset
		rec := make([]Value, schema.Len())
		in := make([]float32, enc.Width)
		for _, r := range rs {
			rec = schema.Record(d, r, rec)
			enc.Encode(in, rec)
			k := 1
			if d.Y[r] == 1 {
				k = badRep
			}
			for range k {
				ds.X = append(ds.X, in...)
				ds.Y = append(ds.Y, float32(d.Y[r]))
				ds.N++
			}
		}
		return ds
	}
	train := build(fit, cfg.BadWeight)

	spec := models.Spec{Input: []int{enc.Width}}
	for _, h := range cfg.Hidden {
		spec.Layers = append(spec.Layers, models.LayerSpec{Type: models.LayerDense, Units: h}, models.LayerSpec{Type: models.LayerReLU})
		if cfg.Dropout > 0 {
			spec.Layers = append(spec.Layers, models.LayerSpec{Type: models.LayerDropout, Rate: cfg.Dropout})
		}
	}
	spec.Layers = append(spec.Layers, models.LayerSpec{Type: models.LayerDense, Units: 1})
	m, err := models.New(spec, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("credit: mlp: %w", err)
	}
	tc := models.TrainConfig{
		Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, Loss: models.LossBCELogits, Seed: cfg.Seed,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerAdam, LearningRate: cfg.LearningRate, WeightDecay: wd},
	}
	if val != nil {
		v := build(val, cfg.BadWeight)
		tc.Validation, tc.Patience = &v, cfg.Patience
	}
	if _, err := m.Fit(ctx, train, tc); err != nil {
		return nil, fmt.Errorf("credit: mlp: %w", err)
	}
	out := &MLP{Schema: schema, Encoder: enc, Config: cfg, model: m, pred: m.Predictor()}
	out.initPool()
	return out, nil
}

func (m *MLP) initPool() {
	w := m.Encoder.Width
	m.bufs.New = func() any { return &mlpBuf{in: make([]float32, w), out: make([]float32, 1)} }
}

func fitEncoder(d *Dataset, rows []int, s *Schema, clip float64, signedLog bool) *Encoder {
	enc := &Encoder{Clip: clip, SignedLog: signedLog}
	for fi, f := range s.Fields {
		if !f.Used {
			continue
		}
		c, _ := d.Column(f.Name)
		ef := EncodedField{Field: fi, Offset: enc.Width, Missing: !f.Required}
		if f.Kind == Numeric {
			var sum, sq float64
			n := 0
			for _, r := range rows {
				if x := c.Num[r]; !math.IsNaN(x) {
					x = enc.num(x)
					sum += x
					sq += x * x
					n++
				}
			}
			if n > 0 {
				ef.Mean = sum / float64(n)
				ef.Std = math.Sqrt(math.Max(sq/float64(n)-ef.Mean*ef.Mean, 0))
			}
			if !(ef.Std > 1e-12) {
				ef.Std = 1
			}
			enc.Width++
		} else {
			ef.Categories = slices.Clone(f.Categories)
			enc.Width += len(ef.Categories)
		}
		if ef.Missing {
			enc.Width++
		}
		enc.Fields = append(enc.Fields, ef)
	}
	enc.init()
	return enc
}

// PD returns the probability of bad for record x (in Schema order). It
// does not allocate in steady state. It panics if len(x) !=
// Schema.Len().
func (m *MLP) PD(x []Value) float64 {
	if len(x) != m.Schema.Len() {
		panic(fmt.Sprintf("credit: MLP.PD: %d values for %d fields", len(x), m.Schema.Len()))
	}
	b := m.bufs.Get().(*mlpBuf)
	m.Encoder.Encode(b.in, x)
	out, err := m.pred.Predict(b.out, b.in)
	if err != nil {
		// the encoder's width is the network's input width
		panic("credit: " + err.Error())
	}
	pd := sigmoid(float64(out[0]))
	m.bufs.Put(b)
	return pd
}

// PredictPD implements Classifier. It returns an error wrapping
// ErrMissingColumn when d lacks a used field.
func (m *MLP) PredictPD(d *Dataset, rows []int) ([]float64, error) {
	cm, err := m.Schema.columnMap(d)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = make([]int, d.Len())
		for i := range rows {
			rows[i] = i
		}
	}
	// encode and predict in chunks that stay in cache
	const chunk = 256
	w := m.Encoder.Width
	x := make([]float32, min(chunk, len(rows))*w)
	var logits []float32
	rec := make([]Value, m.Schema.Len())
	out := make([]float64, len(rows))
	for lo := 0; lo < len(rows); lo += chunk {
		hi := min(lo+chunk, len(rows))
		for i, r := range rows[lo:hi] {
			for fi, ci := range cm {
				if ci < 0 {
					rec[fi] = Missing()
				} else {
					rec[fi] = d.Columns[ci].Value(r)
				}
			}
			m.Encoder.Encode(x[i*w:(i+1)*w], rec)
		}
		logits, err = m.pred.Predict(logits, x[:(hi-lo)*w])
		if err != nil {
			return nil, fmt.Errorf("credit: mlp: %w", err)
		}
		for i, z := range logits {
			out[lo+i] = sigmoid(float64(z))
		}
	}
	return out, nil
}

// Model returns the underlying network (for saving with models.Save).
func (m *MLP) Model() *models.Model { return m.model }
