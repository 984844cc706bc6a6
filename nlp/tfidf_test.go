package nlp

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTFIDF(t *testing.T) {
	const tol = 1e-12
	docs := [][]string{{"a", "b", "a"}, {"b", "c"}}
	tf, err := FitTFIDF(docs, TFIDFConfig{})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "a b", "b", "b a", "b c", "c"}, tf.Terms)
	rare := math.Log(3.0/2.0) + 1 // df 1 of n 2
	assert.InDeltaSlice(t, []float64{rare, rare, 1, rare, rare, rare}, tf.IDF, tol)

	x := tf.Transform(append(docs, []string{"z", "z"}))
	assert.Equal(t, 3, x.Rows)
	assert.Equal(t, 6, x.Cols)
	cols, vals := x.Row(0)
	assert.Equal(t, []int{0, 1, 2, 3}, cols)
	// Sublinear tf: "a" occurs twice, tf = 1 + ln 2.
	raw := []float64{(1 + math.Log(2)) * rare, rare, 1, rare}
	var norm float64
	for _, v := range raw {
		norm += v * v
	}
	for i := range raw {
		raw[i] /= math.Sqrt(norm)
	}
	assert.InDeltaSlice(t, raw, vals, tol)
	cols, vals = x.Row(2)
	assert.Empty(t, cols, "unknown n-grams give an empty row")
	assert.Empty(t, vals)

	t.Run("options", func(t *testing.T) {
		tf, err := FitTFIDF(docs, TFIDFConfig{MaxN: 1, MinDF: 2})
		require.NoError(t, err)
		assert.Equal(t, []string{"b"}, tf.Terms)

		tf, err = FitTFIDF(docs, TFIDFConfig{MinN: 2, MaxN: 2, RawTF: true, NoNorm: true, MaxFeatures: 2})
		require.NoError(t, err)
		assert.Equal(t, []string{"a b", "b a"}, tf.Terms, "ties by byte order")
		_, vals := tf.Transform([][]string{{"a", "b", "a", "b"}}).Row(0)
		assert.InDeltaSlice(t, []float64{2 * rare, rare}, vals, tol, "raw tf, no norm")

		_, err = FitTFIDF(docs, TFIDFConfig{MinN: 3, MaxN: 2})
		assert.ErrorIs(t, err, ErrInvalidArgument)
		_, err = FitTFIDF(docs, TFIDFConfig{MinDF: 3})
		assert.ErrorIs(t, err, ErrInvalidArgument)
	})

	t.Run("json", func(t *testing.T) {
		b, err := json.Marshal(tf)
		require.NoError(t, err)
		var back TFIDF
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tf.Transform(docs), back.Transform(docs))
		assert.ErrorIs(t, json.Unmarshal([]byte(`{"terms":["a"],"idf":[]}`), &back), ErrFormat)
		assert.ErrorIs(t, json.Unmarshal([]byte(`{"terms":["a","a"],"idf":[1,1]}`), &back), ErrFormat)
	})
}
