package nlp

import (
	"math/rand/v2"
	"sort"
)

// PadOptions says how Pad shortens and fills a sequence. The zero value
// keeps the first tokens of a long sequence and pads short ones at the end.
type PadOptions struct {
	// KeepEnd keeps the last tokens of a long sequence instead of the
	// first (for reviews whose verdict comes last).
	KeepEnd bool `json:"keep_end,omitempty"`
	// PadFront puts the padding before the tokens instead of after them
	// (for recurrent models that read the last step).
	PadFront bool `json:"pad_front,omitempty"`
}

// Pad returns a new slice of exactly length ids: seq truncated or filled
// with PadID as opt says, and the number of real tokens it holds
// (min(len(seq), length)). It panics if length is negative.
func Pad(seq []int, length int, opt PadOptions) (out []int, n int) {
	if length < 0 {
		panic("nlp: Pad: negative length")
	}
	n = min(len(seq), length)
	src := seq[:n]
	if opt.KeepEnd {
		src = seq[len(seq)-n:]
	}
	out = make([]int, length) // zero is PadID
	if opt.PadFront {
		copy(out[length-n:], src)
	} else {
		copy(out, src)
	}
	return out, n
}

// PadBatch pads every sequence to length and returns them row-major in
// one slice of len(seqs)×length ids, with the number of real tokens of
// each row. It panics if length is negative.
func PadBatch(seqs [][]int, length int, opt PadOptions) (ids []int, lengths []int) {
	if length < 0 {
		panic("nlp: PadBatch: negative length")
	}
	ids = make([]int, 0, len(seqs)*length)
	lengths = make([]int, len(seqs))
	for i, s := range seqs {
		row, n := Pad(s, length, opt)
		ids = append(ids, row...)
		lengths[i] = n
	}
	return ids, lengths
}

// LengthBuckets groups the row indices 0..len(lengths)-1 into batches of
// at most batchSize rows of similar length, so that padding each batch to
// its own longest row wastes little. Rows are sorted by length (ties in a
// seeded random order), cut into consecutive batches, and the order of
// the batches is shuffled with the same seed. Every index appears exactly
// once; only the last batch in sorted order may be short. The result is a
// deterministic function of (lengths, batchSize, seed). It panics if
// batchSize < 1; it returns nil for no rows.
func LengthBuckets(lengths []int, batchSize int, seed uint64) [][]int {
	if batchSize < 1 {
		panic("nlp: LengthBuckets: batchSize < 1")
	}
	if len(lengths) == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x6275636b)) // "buck"
	idx := rng.Perm(len(lengths))
	sort.SliceStable(idx, func(a, b int) bool { return lengths[idx[a]] < lengths[idx[b]] })

	var batches [][]int
	for start := 0; start < len(idx); start += batchSize {
		end := min(start+batchSize, len(idx))
		batches = append(batches, append([]int(nil), idx[start:end]...))
	}
	rng.Shuffle(len(batches), func(i, j int) { batches[i], batches[j] = batches[j], batches[i] })
	return batches
}

// Encoder turns raw text into padded id sequences: the whole text
// preprocessing of a model. Save it (it encodes to JSON) beside the model
// so that inference tokenizes exactly as training did.
type Encoder struct {
	// Tokenizer splits text into tokens.
	Tokenizer Tokenizer `json:"tokenizer"`
	// Vocab maps tokens to ids; it must not be nil.
	Vocab *Vocab `json:"vocab"`
	// MaxLen is the fixed sequence length of EncodeBatch; 0 means the
	// length of the longest text in the batch.
	MaxLen int `json:"max_len,omitempty"`
	// Pad says how sequences are truncated and padded.
	Pad PadOptions `json:"pad"`
}

// Encode returns the ids of text's tokens, unpadded and untruncated.
func (e *Encoder) Encode(text string) []int {
	return e.Vocab.Encode(e.Tokenizer.Tokenize(text))
}

// EncodeBatch encodes texts and pads them to a common length (MaxLen, or
// the longest sequence when MaxLen is 0). It returns len(texts)×length ids
// row-major, the number of real tokens per row and the length used.
func (e *Encoder) EncodeBatch(texts []string) (ids []int, lengths []int, length int) {
	seqs := make([][]int, len(texts))
	for i, t := range texts {
		seqs[i] = e.Encode(t)
		if e.MaxLen == 0 {
			length = max(length, len(seqs[i]))
		}
	}
	if e.MaxLen > 0 {
		length = e.MaxLen
	}
	ids, lengths = PadBatch(seqs, length, e.Pad)
	return ids, lengths, length
}
