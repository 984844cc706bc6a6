package credit

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEncoder(t *testing.T) {
	d := &Dataset{
		Columns: []Column{
			{Name: "n", Kind: Numeric, Num: []float64{1, 3, nan, 5}},
			{Name: "c", Kind: Categorical, Cat: []string{"b", "a", "b", "a"}},
		},
		Y: []int{0, 1, 0, 1},
	}
	s := schemaFromData(d, []int{0, 1, 2, 3}, func(string) bool { return true })
	enc := fitEncoder(d, []int{0, 1, 2, 3}, s, 5, false)
	// n: mean 3, population std sqrt(8/3), plus a missing flag; c: a, b
	require.Equal(t, 4, enc.Width)
	dst := make([]float32, 4)
	enc.Encode(dst, []Value{Num(5), Cat("a")})
	assert.InDelta(t, 2/math.Sqrt(8.0/3), dst[0], 1e-6)
	assert.Equal(t, []float32{0, 1, 0}, dst[1:])
	enc.Encode(dst, []Value{Missing(), Cat("zzz")})
	assert.Equal(t, []float32{0, 1, 0, 0}, dst)
	enc.Encode(dst, []Value{Num(1e9), Cat("b")})
	assert.InDelta(t, 5, dst[0], 1e-6, "clipped")

	enc = fitEncoder(d, []int{0, 1, 2, 3}, s, 5, true)
	enc.Encode(dst, []Value{Num(-math.E + 1), Cat("b")})
	assert.InDelta(t, math.Max(-5, (-1-enc.Fields[0].Mean)/enc.Fields[0].Std), dst[0], 1e-6, "signed log")
	enc.Encode(dst, []Value{Num(3), Cat("b")})
	assert.InDelta(t, (math.Log(4)-enc.Fields[0].Mean)/enc.Fields[0].Std, dst[0], 1e-6)
}

func TestFitMLPFixture(t *testing.T) {
	d := loadFixture(t)
	cfg := MLPConfig{Hidden: []int{8}, Epochs: 30, BatchSize: 32, LearningRate: 3e-3, Seed: 3}
	a, err := FitMLP(context.Background(), d, nil, cfg)
	require.NoError(t, err)
	pa, err := a.PredictPD(d, nil)
	require.NoError(t, err)
	assert.Greater(t, AUC(d.Y, pa), 0.8, "in-sample AUC")

	b, err := FitMLP(context.Background(), d, nil, cfg)
	require.NoError(t, err)
	pb, err := b.PredictPD(d, nil)
	require.NoError(t, err)
	assert.Equal(t, pa, pb, "same seed, same model")

	x := a.Schema.Record(d, 5, nil)
	assert.InDelta(t, pa[5], a.PD(x), 1e-7)
	allocs := testing.AllocsPerRun(100, func() { _ = a.PD(x) })
	assert.Zero(t, allocs)

	_, err = FitMLP(context.Background(), d, nil, MLPConfig{Epochs: 5, ValidationFraction: 0.2, Patience: 2, BadWeight: 2, Dropout: 0.2, Seed: 1})
	require.NoError(t, err)
	_, err = FitMLP(context.Background(), d, nil, MLPConfig{BadWeight: -1})
	assert.ErrorIs(t, err, ErrInvalidOption)
}
