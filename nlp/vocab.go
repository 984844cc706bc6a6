package nlp

import (
	"encoding/json"
	"sort"
)

// Reserved tokens and their ids in every Vocab.
const (
	// PadToken fills sequences up to a fixed length; its id is PadID.
	PadToken = "<pad>"
	// UnkToken stands for tokens outside the vocabulary; its id is UnkID.
	UnkToken = "<unk>"
	// PadID is the id of PadToken, 0, so that zeroed buffers are padding.
	PadID = 0
	// UnkID is the id of UnkToken, 1.
	UnkID = 1
)

// VocabConfig sets how BuildVocab selects tokens. The zero value keeps
// every token seen.
type VocabConfig struct {
	// MinFreq is the minimum number of occurrences (over all documents)
	// a token needs to enter the vocabulary; values below 1 mean 1.
	MinFreq int
	// MaxSize caps the vocabulary size, the two reserved tokens included;
	// 0 means no cap. When the cap bites, the most frequent tokens are
	// kept. A value of 1 or 2 is an error (no room for any token).
	MaxSize int
}

// Vocab maps tokens to dense integer ids, 0-based: id 0 is PadToken, id 1
// is UnkToken, then tokens by decreasing frequency in the documents the
// vocabulary was built from, ties broken by byte order of the token. A
// Vocab is immutable after construction and safe for concurrent use. It
// encodes to JSON as {"tokens":[...]} and decodes back to the same ids.
type Vocab struct {
	tokens []string
	index  map[string]int
}

// BuildVocab counts the tokens of docs (each a tokenized document) and
// returns a vocabulary of those passing cfg. Documents must come from the
// training slice only, so that no test text leaks into the model. The
// reserved strings PadToken and UnkToken are never counted. It returns an
// error wrapping ErrInvalidArgument for a MaxSize of 1 or 2, or a
// negative one. Empty docs give a vocabulary with the reserved tokens only.
func BuildVocab(docs [][]string, cfg VocabConfig) (*Vocab, error) {
	if cfg.MaxSize < 0 || cfg.MaxSize == 1 || cfg.MaxSize == 2 {
		return nil, argError("BuildVocab", "cfg.MaxSize", "%d leaves no room beside the 2 reserved tokens", cfg.MaxSize)
	}
	minFreq := max(cfg.MinFreq, 1)

	counts := make(map[string]int)
	for _, doc := range docs {
		for _, tok := range doc {
			if tok != PadToken && tok != UnkToken {
				counts[tok]++
			}
		}
	}
	kept := make([]string, 0, len(counts))
	for tok, c := range counts {
		if c >= minFreq {
			kept = append(kept, tok)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		ci, cj := counts[kept[i]], counts[kept[j]]
		if ci != cj {
			return ci > cj
		}
		return kept[i] < kept[j]
	})
	if cfg.MaxSize > 0 && len(kept) > cfg.MaxSize-2 {
		kept = kept[:cfg.MaxSize-2]
	}
	return newVocab(append([]string{PadToken, UnkToken}, kept...)), nil
}

// newVocab indexes tokens, which must start with the reserved tokens and
// hold no duplicates.
func newVocab(tokens []string) *Vocab {
	v := &Vocab{tokens: tokens, index: make(map[string]int, len(tokens))}
	for i, t := range tokens {
		v.index[t] = i
	}
	return v
}

// Len returns the number of ids, the reserved tokens included (at least
// 2).
func (v *Vocab) Len() int { return len(v.tokens) }

// ID returns the id of tok, or UnkID when tok is not in the vocabulary.
func (v *Vocab) ID(tok string) int {
	if id, ok := v.index[tok]; ok {
		return id
	}
	return UnkID
}

// Token returns the token with the given id. It panics if id is outside
// [0, Len()).
func (v *Vocab) Token(id int) string { return v.tokens[id] }

// Tokens returns a copy of the tokens in id order.
func (v *Vocab) Tokens() []string { return append([]string(nil), v.tokens...) }

// Encode returns the ids of tokens, UnkID for unknown ones; nil for no
// tokens.
func (v *Vocab) Encode(tokens []string) []int {
	if len(tokens) == 0 {
		return nil
	}
	ids := make([]int, len(tokens))
	for i, t := range tokens {
		ids[i] = v.ID(t)
	}
	return ids
}

type vocabJSON struct {
	Tokens []string `json:"tokens"`
}

// MarshalJSON encodes the vocabulary as {"tokens":[...]} in id order.
func (v *Vocab) MarshalJSON() ([]byte, error) {
	return json.Marshal(vocabJSON{Tokens: v.tokens})
}

// UnmarshalJSON decodes what MarshalJSON wrote. It returns an error
// wrapping ErrFormat when the reserved tokens are not at ids 0 and 1 or a
// token appears twice.
func (v *Vocab) UnmarshalJSON(b []byte) error {
	var j vocabJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return formatError("vocabulary", "%v", err)
	}
	if len(j.Tokens) < 2 || j.Tokens[PadID] != PadToken || j.Tokens[UnkID] != UnkToken {
		return formatError("vocabulary", "ids 0 and 1 must be %q and %q", PadToken, UnkToken)
	}
	nv := newVocab(j.Tokens)
	if len(nv.index) != len(j.Tokens) {
		return formatError("vocabulary", "%d tokens but %d distinct", len(j.Tokens), len(nv.index))
	}
	*v = *nv
	return nil
}
