package nlp

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildVocab(t *testing.T) {
	docs := [][]string{
		{"b", "a", "c", "a"},
		{"c", "a", "d", PadToken},
		{"b", "e", UnkToken},
	}
	// counts: a 3, b 2, c 2, d 1, e 1; reserved strings are not counted.
	cases := []struct {
		name string
		cfg  VocabConfig
		want []string
	}{
		{"all", VocabConfig{}, []string{PadToken, UnkToken, "a", "b", "c", "d", "e"}},
		{"min freq 2", VocabConfig{MinFreq: 2}, []string{PadToken, UnkToken, "a", "b", "c"}},
		{"max size 4", VocabConfig{MaxSize: 4}, []string{PadToken, UnkToken, "a", "b"}},
		{"min freq above all", VocabConfig{MinFreq: 9}, []string{PadToken, UnkToken}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := BuildVocab(docs, tc.cfg)
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.Tokens())
			assert.Equal(t, len(tc.want), v.Len())
		})
	}

	for _, size := range []int{-1, 1, 2} {
		_, err := BuildVocab(docs, VocabConfig{MaxSize: size})
		assert.ErrorIs(t, err, ErrInvalidArgument, "MaxSize %d", size)
	}
}

func TestVocabEncodeAndJSON(t *testing.T) {
	v, err := BuildVocab([][]string{{"up", "up", "down"}}, VocabConfig{})
	require.NoError(t, err)
	assert.Equal(t, []int{2, 3, UnkID, 2}, v.Encode([]string{"up", "down", "sideways", "up"}))
	assert.Nil(t, v.Encode(nil))
	assert.Equal(t, "down", v.Token(3))
	assert.Equal(t, PadID, v.ID(PadToken))
	assert.Panics(t, func() { v.Token(4) })

	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"tokens":["<pad>","<unk>","up","down"]}`, string(b))
	var back Vocab
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v.Tokens(), back.Tokens())
	assert.Equal(t, 3, back.ID("down"))

	for name, bad := range map[string]string{
		"no reserved": `{"tokens":["up","down"]}`,
		"duplicate":   `{"tokens":["<pad>","<unk>","up","up"]}`,
		"wrong type":  `{"tokens":3}`,
	} {
		var x Vocab
		assert.ErrorIs(t, json.Unmarshal([]byte(bad), &x), ErrFormat, name)
	}
}
