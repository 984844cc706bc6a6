package credit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
)

// Value is one attribute of an applicant. A Numeric attribute reads Num
// (NaN means missing) and a Categorical one reads Cat ("" means missing).
// The zero Value is the number 0 or the missing category; use Missing for a
// value missing in either kind.
type Value struct {
	Num float64
	Cat string
}

// Num returns a numeric Value.
func Num(x float64) Value { return Value{Num: x} }

// Cat returns a categorical Value.
func Cat(s string) Value { return Value{Num: math.NaN(), Cat: s} }

// Missing returns a Value that is missing for either kind.
func Missing() Value { return Value{Num: math.NaN()} }

// Field describes one input field of a fitted model.
type Field struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Required fields must be present and non-null. A field is required
	// when the model uses it and training had no missing values for it.
	Required bool `json:"required"`
	// Used is false for a field the model ignores (e.g. an attribute the
	// scorecard dropped for low IV); it is still accepted.
	Used bool `json:"used"`
	// Categories lists the allowed values of a categorical field, sorted.
	Categories []string `json:"categories,omitempty"`
	// Min and Max bound a numeric field, inclusive; nil means unbounded
	// (bundles saved before fitting set Max have none). Fitting sets them
	// RangeTolerance spreads beyond the training range (see TrainMin):
	// Min = TrainMin − RangeTolerance·spread, raised to 0 when no training
	// value was negative, and Max = TrainMax + RangeTolerance·spread.
	// A saved bundle's limits may be edited to tighten them.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// TrainMin and TrainMax are the smallest and largest non-missing
	// values of a numeric field in the training rows, for reference; nil
	// when training had none or the bundle predates them. The spread is
	// TrainMax − TrainMin, or |TrainMax| (1 if that is 0) when training
	// held a single value.
	TrainMin *float64 `json:"train_min,omitempty"`
	TrainMax *float64 `json:"train_max,omitempty"`
}

// RangeTolerance is how many training spreads beyond the training range
// fitting sets a numeric field's Min and Max (see Field). The bound is
// loose on purpose: it does not refuse an applicant merely because the
// model saw no one like them, but it catches values that are wrong by
// orders of magnitude (a unit or a typo), which the model would silently
// score as if they were the most extreme value in training.
const RangeTolerance = 10

// Schema lists the input fields of a fitted model in the order of the
// []Value records its scoring methods take. Build it with NewSchema (JSON
// decoding does the same checks).
type Schema struct {
	Fields []Field
	index  map[string]int
	cats   []map[string]struct{}
}

// NewSchema builds a Schema from fields; names must be non-empty and
// unique. It returns an error wrapping ErrInvalidOption otherwise.
func NewSchema(fields []Field) (*Schema, error) {
	s := &Schema{Fields: fields, index: make(map[string]int, len(fields)), cats: make([]map[string]struct{}, len(fields))}
	for i, f := range fields {
		if f.Name == "" {
			return nil, optionError("schema: field %d has no name", i)
		}
		if _, dup := s.index[f.Name]; dup {
			return nil, optionError("schema: field %q twice", f.Name)
		}
		if f.Kind != Numeric && f.Kind != Categorical {
			return nil, optionError("schema: field %q has kind %d", f.Name, f.Kind)
		}
		if f.Min != nil && f.Max != nil && !(*f.Min <= *f.Max) {
			return nil, optionError("schema: field %q has min %v above max %v", f.Name, *f.Min, *f.Max)
		}
		s.index[f.Name] = i
		if f.Kind == Categorical {
			s.cats[i] = make(map[string]struct{}, len(f.Categories))
			for _, c := range f.Categories {
				s.cats[i][c] = struct{}{}
			}
		}
	}
	return s, nil
}

// MarshalJSON encodes the schema as {"fields":[...]}.
func (s *Schema) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Fields []Field `json:"fields"`
	}{s.Fields})
}

// UnmarshalJSON decodes {"fields":[...]} and checks it as NewSchema does.
func (s *Schema) UnmarshalJSON(b []byte) error {
	var v struct {
		Fields []Field `json:"fields"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	ns, err := NewSchema(v.Fields)
	if err != nil {
		return err
	}
	*s = *ns
	return nil
}

// Index returns the position of the named field, or -1.
func (s *Schema) Index(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	return -1
}

// Len returns the number of fields.
func (s *Schema) Len() int { return len(s.Fields) }

// schemaFromData builds a schema of every column of d from the training
// rows; used reports which columns the model uses.
func schemaFromData(d *Dataset, rows []int, used func(name string) bool) *Schema {
	fields := make([]Field, len(d.Columns))
	for ci, c := range d.Columns {
		f := Field{Name: c.Name, Kind: c.Kind, Used: used(c.Name)}
		missing := false
		if c.Kind == Numeric {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, r := range rows {
				x := c.Num[r]
				if math.IsNaN(x) {
					missing = true
					continue
				}
				lo, hi = min(lo, x), max(hi, x)
			}
			setLimits(&f, lo, hi)
		} else {
			seen := map[string]struct{}{}
			for _, r := range rows {
				v := c.Cat[r]
				if v == "" {
					missing = true
					continue
				}
				if _, ok := seen[v]; !ok {
					seen[v] = struct{}{}
					f.Categories = append(f.Categories, v)
				}
			}
			slices.Sort(f.Categories)
		}
		f.Required = f.Used && !missing
		fields[ci] = f
	}
	s, err := NewSchema(fields)
	if err != nil {
		// column names of a Dataset are unique and kinds valid
		panic("credit: " + err.Error())
	}
	return s
}

// setLimits records the training range [lo, hi] of a numeric field and
// sets its Min and Max RangeTolerance spreads beyond it. An empty range
// (lo > hi: no training values) leaves the field unbounded but for Min 0.
func setLimits(f *Field, lo, hi float64) {
	if lo > hi {
		zero := 0.0
		f.Min = &zero
		return
	}
	spread := hi - lo
	if spread == 0 {
		spread = math.Abs(hi)
	}
	if spread == 0 {
		spread = 1
	}
	lower, upper := lo-RangeTolerance*spread, hi+RangeTolerance*spread
	if lo >= 0 {
		lower = max(lower, 0)
	}
	f.TrainMin, f.TrainMax = &lo, &hi
	f.Min, f.Max = &lower, &upper
}

// ValidateApplicant checks an applicant given as a decoded JSON object
// against the schema and returns it as a record in schema order.
//
// Numbers may be any Go integer or float type or a json.Number; strings
// must be strings; JSON null (nil) means missing. Checks, each reported as
// a *FieldError naming the field: a key the schema lacks (ErrUnknownField),
// an absent or null required field (ErrMissingField), a value of the wrong
// type (ErrWrongType), a NaN or infinite number (ErrNonFinite), a number
// outside [Min, Max] (ErrOutOfRange), and a category not seen in training
// (ErrUnknownCategory). Every problem is reported: the error joins one
// *FieldError per bad field, unknown fields first (sorted by name) and then
// in schema order, so errors.As finds the first. Absent optional fields
// are missing values.
func (s *Schema) ValidateApplicant(in map[string]any) ([]Value, error) {
	out := make([]Value, len(s.Fields))
	return out, s.validateInto(out, in)
}

func (s *Schema) validateInto(out []Value, in map[string]any) error {
	var errs []error
	var unknown []string
	for k := range in {
		if _, ok := s.index[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, &FieldError{Field: k, Err: ErrUnknownField})
	}
	for i, f := range s.Fields {
		raw, present := in[f.Name]
		if !present || raw == nil {
			out[i] = Missing()
			if f.Required {
				errs = append(errs, &FieldError{Field: f.Name, Err: ErrMissingField})
			}
			continue
		}
		v, err := s.parse(i, raw)
		if err != nil {
			errs = append(errs, &FieldError{Field: f.Name, Err: err})
			continue
		}
		out[i] = v
	}
	return errors.Join(errs...)
}

// DecodeApplicant reads one JSON object from r and validates it as
// ValidateApplicant does. Numbers are decoded exactly (json.Number);
// malformed JSON, or anything other than one object, is an error wrapping
// ErrWrongType.
func (s *Schema) DecodeApplicant(r io.Reader) ([]Value, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var in map[string]any
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("credit: applicant: %w: %v", ErrWrongType, err)
	}
	if in == nil {
		return nil, fmt.Errorf("credit: applicant: %w: want a JSON object", ErrWrongType)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("credit: applicant: %w: trailing data after the object", ErrWrongType)
	}
	return s.ValidateApplicant(in)
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func (s *Schema) parse(i int, raw any) (Value, error) {
	f := &s.Fields[i]
	if f.Kind == Categorical {
		str, ok := raw.(string)
		if !ok {
			return Value{}, fmt.Errorf("%w: got %s, want string", ErrWrongType, typeName(raw))
		}
		if _, ok := s.cats[i][str]; !ok {
			return Value{}, fmt.Errorf("%w %q (allowed: %s)", ErrUnknownCategory, str, strings.Join(f.Categories, ", "))
		}
		return Cat(str), nil
	}
	var x float64
	switch v := raw.(type) {
	case float64:
		x = v
	case float32:
		x = float64(v)
	case int:
		x = float64(v)
	case int8:
		x = float64(v)
	case int16:
		x = float64(v)
	case int32:
		x = float64(v)
	case int64:
		x = float64(v)
	case uint:
		x = float64(v)
	case uint8:
		x = float64(v)
	case uint16:
		x = float64(v)
	case uint32:
		x = float64(v)
	case uint64:
		x = float64(v)
	case json.Number:
		var err error
		x, err = v.Float64()
		if err != nil {
			return Value{}, fmt.Errorf("%w %q", ErrNonFinite, v.String())
		}
	default:
		return Value{}, fmt.Errorf("%w: got %s, want number", ErrWrongType, typeName(raw))
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Value{}, fmt.Errorf("%w %v", ErrNonFinite, x)
	}
	if f.Min != nil && x < *f.Min {
		return Value{}, fmt.Errorf("%w: %v < min %v%s", ErrOutOfRange, x, *f.Min, f.trainingRange())
	}
	if f.Max != nil && x > *f.Max {
		return Value{}, fmt.Errorf("%w: %v > max %v%s", ErrOutOfRange, x, *f.Max, f.trainingRange())
	}
	return Num(x), nil
}

// trainingRange returns " (training values lo to hi)" for a message, or ""
// when the range is not recorded.
func (f *Field) trainingRange() string {
	if f.TrainMin == nil || f.TrainMax == nil {
		return ""
	}
	return fmt.Sprintf(" (training values %v to %v)", *f.TrainMin, *f.TrainMax)
}

// Record returns row i of d as a record in schema order, matching columns
// by name; dst is reused when it has room. A field d lacks is missing. It
// panics if i is out of range.
func (s *Schema) Record(d *Dataset, i int, dst []Value) []Value {
	dst = slices.Grow(dst[:0], len(s.Fields))[:len(s.Fields)]
	for fi, f := range s.Fields {
		c, ok := d.Column(f.Name)
		if !ok || c.Kind != f.Kind {
			dst[fi] = Missing()
			continue
		}
		dst[fi] = c.Value(i)
	}
	return dst
}

// columnMap returns, for each schema field, the index of the column of d
// with the same name, or an error wrapping ErrMissingColumn when a used
// field is absent or has the wrong kind. Unused fields map to -1.
func (s *Schema) columnMap(d *Dataset) ([]int, error) {
	m := make([]int, len(s.Fields))
	for fi, f := range s.Fields {
		m[fi] = -1
		for ci := range d.Columns {
			if d.Columns[ci].Name == f.Name {
				if d.Columns[ci].Kind != f.Kind {
					return nil, fmt.Errorf("credit: column %q is %v, the model wants %v: %w", f.Name, d.Columns[ci].Kind, f.Kind, ErrMissingColumn)
				}
				m[fi] = ci
			}
		}
		if m[fi] < 0 && f.Used {
			return nil, fmt.Errorf("credit: column %q used by the model is absent: %w", f.Name, ErrMissingColumn)
		}
	}
	return m, nil
}
