package nlp

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPad(t *testing.T) {
	seq := []int{5, 6, 7, 8}
	cases := []struct {
		name   string
		length int
		opt    PadOptions
		want   []int
		n      int
	}{
		{"pad end", 6, PadOptions{}, []int{5, 6, 7, 8, 0, 0}, 4},
		{"pad front", 6, PadOptions{PadFront: true}, []int{0, 0, 5, 6, 7, 8}, 4},
		{"truncate keeps start", 2, PadOptions{}, []int{5, 6}, 2},
		{"truncate keeps end", 2, PadOptions{KeepEnd: true}, []int{7, 8}, 2},
		{"exact", 4, PadOptions{PadFront: true, KeepEnd: true}, []int{5, 6, 7, 8}, 4},
		{"zero length", 0, PadOptions{}, []int{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, n := Pad(seq, tc.length, tc.opt)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.n, n)
		})
	}
	assert.Equal(t, []int{5, 6, 7, 8}, seq, "input untouched")
	assert.Panics(t, func() { Pad(seq, -1, PadOptions{}) })

	ids, lengths := PadBatch([][]int{{1}, {2, 3, 4}, nil}, 2, PadOptions{})
	assert.Equal(t, []int{1, 0, 2, 3, 0, 0}, ids)
	assert.Equal(t, []int{1, 2, 0}, lengths)
}

func TestLengthBuckets(t *testing.T) {
	lengths := []int{9, 1, 5, 2, 8, 3, 7, 4, 6, 10, 5}
	b1 := LengthBuckets(lengths, 3, 7)
	b2 := LengthBuckets(lengths, 3, 7)
	assert.Equal(t, b1, b2, "deterministic for one seed")
	require.Len(t, b1, 4)

	var all []int
	for _, b := range b1 {
		assert.LessOrEqual(t, len(b), 3)
		all = append(all, b...)
		// Batches come from consecutive runs of sorted lengths: with distinct
		// lengths mostly one apart, a batch of 3 spans at most 2.
		lo, hi := 1<<30, -1
		for _, i := range b {
			lo, hi = min(lo, lengths[i]), max(hi, lengths[i])
		}
		assert.LessOrEqual(t, hi-lo, 2, "batch %v", b)
	}
	slices.Sort(all)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, all, "each row exactly once")

	assert.Nil(t, LengthBuckets(nil, 4, 1))
	assert.Panics(t, func() { LengthBuckets(lengths, 0, 1) })
}

func TestEncoder(t *testing.T) {
	tk := Tokenizer{}
	texts := []string{"Profit rose.", "Profit fell sharply."}
	v, err := BuildVocab(tokenizeAll(tk, texts), VocabConfig{})
	require.NoError(t, err)
	// counts: profit 2, "." 2, fell 1, rose 1, sharply 1 → ids 2..6 in
	// order ".", profit, fell, rose, sharply.
	e := &Encoder{Tokenizer: tk, Vocab: v, MaxLen: 3}
	assert.Equal(t, []int{3, 5, 2}, e.Encode("profit ROSE."))

	ids, lengths, length := e.EncodeBatch([]string{"Profit rose.", "Loss widened sharply and profit fell."})
	assert.Equal(t, 3, length)
	assert.Equal(t, []int{3, 5, 2, UnkID, UnkID, 6}, ids)
	assert.Equal(t, []int{3, 3}, lengths)

	e.MaxLen = 0
	_, _, length = e.EncodeBatch([]string{"rose", "profit fell sharply ."})
	assert.Equal(t, 4, length)

	// The encoder is saved beside a model and gives the same ids after
	// loading.
	b, err := json.Marshal(e)
	require.NoError(t, err)
	var back Encoder
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, e.Encode("Profit fell, then rose 5 %."), back.Encode("Profit fell, then rose 5 %."))
}
