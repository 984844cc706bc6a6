package credit

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testSchema(t *testing.T) *Schema {
	zero, hundred := 0.0, 100.0
	s, err := NewSchema([]Field{
		{Name: "age", Kind: Numeric, Required: true, Used: true, Min: &zero, Max: &hundred},
		{Name: "income", Kind: Numeric, Used: true},
		{Name: "grade", Kind: Categorical, Required: true, Used: true, Categories: []string{"A", "B"}},
		{Name: "note", Kind: Categorical, Categories: []string{"x"}},
	})
	require.NoError(t, err)
	return s
}

func TestValidateApplicant(t *testing.T) {
	s := testSchema(t)
	good := func() map[string]any { return map[string]any{"age": 30, "income": 1.5e4, "grade": "A"} }
	with := func(k string, v any) map[string]any {
		m := good()
		m[k] = v
		return m
	}
	without := func(k string) map[string]any {
		m := good()
		delete(m, k)
		return m
	}
	cases := []struct {
		name  string
		in    map[string]any
		field string
		want  error
	}{
		{"unknown field", with("agee", 3), "agee", ErrUnknownField},
		{"missing required", without("age"), "age", ErrMissingField},
		{"null required", with("grade", nil), "grade", ErrMissingField},
		{"number as string", with("age", "30"), "age", ErrWrongType},
		{"bool", with("income", true), "income", ErrWrongType},
		{"category as number", with("grade", 1), "grade", ErrWrongType},
		{"NaN", with("income", math.NaN()), "income", ErrNonFinite},
		{"Inf", with("age", math.Inf(1)), "age", ErrNonFinite},
		{"below min", with("age", -1), "age", ErrOutOfRange},
		{"above max", with("age", 100.5), "age", ErrOutOfRange},
		{"unknown category", with("grade", "C"), "grade", ErrUnknownCategory},
		{"huge json number", with("income", json.Number("1e999")), "income", ErrNonFinite},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.ValidateApplicant(tc.in)
			require.ErrorIs(t, err, tc.want)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.field, fe.Field)
			assert.Contains(t, err.Error(), `credit: field "`+tc.field+`"`)
		})
	}

	x, err := s.ValidateApplicant(good())
	require.NoError(t, err)
	require.Len(t, x, 4)
	assert.Equal(t, 30.0, x[0].Num)
	assert.Equal(t, 15000.0, x[1].Num)
	assert.Equal(t, "A", x[2].Cat)
	assert.Equal(t, "", x[3].Cat, "optional absent field is missing")

	x, err = s.ValidateApplicant(map[string]any{"age": json.Number("41"), "grade": "B", "income": nil, "note": "x"})
	require.NoError(t, err)
	assert.True(t, math.IsNaN(x[1].Num))
	assert.Equal(t, "x", x[3].Cat)

	// several problems are all reported
	_, err = s.ValidateApplicant(map[string]any{"zzz": 1, "age": "old"})
	require.Error(t, err)
	for _, want := range []error{ErrUnknownField, ErrWrongType, ErrMissingField} {
		assert.ErrorIs(t, err, want)
	}
}

func TestDecodeApplicant(t *testing.T) {
	s := testSchema(t)
	x, err := s.DecodeApplicant(strings.NewReader(`{"age": 30, "grade": "B", "income": 12000.5}`))
	require.NoError(t, err)
	assert.Equal(t, 12000.5, x[1].Num)
	for _, bad := range []string{`[1,2]`, `{"age": 30`, `null`, `{"age":30,"grade":"A"} {}`} {
		_, err := s.DecodeApplicant(strings.NewReader(bad))
		assert.ErrorIs(t, err, ErrWrongType, "input %s", bad)
	}
}

func TestSchemaJSON(t *testing.T) {
	s := testSchema(t)
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var back Schema
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, s.Fields, back.Fields)
	assert.Equal(t, 2, back.Index("grade"))
	assert.Equal(t, -1, back.Index("nope"))
	_, err = back.ValidateApplicant(map[string]any{"age": 1, "grade": "Z"})
	assert.ErrorIs(t, err, ErrUnknownCategory)

	_, err = NewSchema([]Field{{Name: "a"}, {Name: "a"}})
	assert.ErrorIs(t, err, ErrInvalidOption)
	assert.Error(t, json.Unmarshal([]byte(`{"fields":[{"name":""}]}`), &back))
}

func TestScorecardSchemaFromTraining(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	require.Equal(t, len(d.Columns), sc.Schema.Len())
	f := sc.Schema.Fields[sc.Schema.Index("checking_status")]
	assert.Equal(t, []string{"A11", "A12", "A13", "A14"}, f.Categories)
	age := sc.Schema.Fields[sc.Schema.Index("age_years")]
	require.NotNil(t, age.Min)
	assert.Equal(t, 0.0, *age.Min)

	// a full applicant from the file validates and scores like the row
	in := rowApplicant(d, 3)
	x, err := sc.Schema.ValidateApplicant(in)
	require.NoError(t, err)
	assert.InDelta(t, sc.Score(sc.Schema.Record(d, 3, nil)), sc.Score(x), 1e-12)
}

func TestSetLimits(t *testing.T) {
	cases := []struct {
		name             string
		lo, hi           float64
		wantMin, wantMax float64
	}{
		{"non-negative", 20, 74, 0, 614},
		{"lower bound above zero", 1000, 1010, 900, 1110},
		{"negative values", -5, 5, -105, 105},
		{"one positive value", 3, 3, 0, 33},
		{"one negative value", -2, -2, -22, 18},
		{"only zeros", 0, 0, 0, 10},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f Field
			setLimits(&f, c.lo, c.hi)
			require.NotNil(t, f.Min)
			require.NotNil(t, f.Max)
			assert.InDelta(t, c.wantMin, *f.Min, 1e-12, "min")
			assert.InDelta(t, c.wantMax, *f.Max, 1e-12, "max")
			assert.Equal(t, c.lo, *f.TrainMin)
			assert.Equal(t, c.hi, *f.TrainMax)
		})
	}
	t.Run("no training values", func(t *testing.T) {
		var f Field
		setLimits(&f, math.Inf(1), math.Inf(-1))
		require.NotNil(t, f.Min)
		assert.Equal(t, 0.0, *f.Min)
		assert.Nil(t, f.Max, "unbounded above")
		assert.Nil(t, f.TrainMin)
	})
}

func TestFittedLimitsRefuseAbsurdValues(t *testing.T) {
	d, sc := fitFixture(t, ScorecardConfig{})
	app := rowApplicant(d, 0)
	age := sc.Schema.Fields[sc.Schema.Index("age_years")]
	require.NotNil(t, age.Max)
	require.NotNil(t, age.TrainMax)
	assert.Equal(t, 74.0, *age.TrainMax)
	assert.Equal(t, 614.0, *age.Max)

	cases := []struct {
		field string
		value any
		want  string // "" means accepted
	}{
		{"age_years", json.Number("99999999999999999999999999999"), `out of range: 1e+29 > max 614 (training values 20 to 74)`},
		{"credit_amount", 1e300, `out of range: 1e+300 > max`},
		{"credit_amount", 2 * 15945.0, ""},
		{"age_years", 614, ""},
		{"age_years", 614.5, "out of range"},
		{"duration_months", -1, `out of range: -1 < min 0 (training values 6 to 60)`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s=%v", c.field, c.value), func(t *testing.T) {
			in := maps.Clone(app)
			in[c.field] = c.value
			_, err := sc.Schema.ValidateApplicant(in)
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrOutOfRange)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, c.field, fe.Field)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestSchemaRefusesMinAboveMax(t *testing.T) {
	one, two := 1.0, 2.0
	_, err := NewSchema([]Field{{Name: "a", Min: &two, Max: &one}})
	require.ErrorIs(t, err, ErrInvalidOption)
	assert.Contains(t, err.Error(), `field "a" has min 2 above max 1`)
}

// rowApplicant returns row i of d as a decoded JSON applicant.
func rowApplicant(d *Dataset, i int) map[string]any {
	in := make(map[string]any, len(d.Columns))
	for _, c := range d.Columns {
		if c.Kind == Numeric {
			in[c.Name] = c.Num[i]
		} else {
			in[c.Name] = c.Cat[i]
		}
	}
	return in
}
