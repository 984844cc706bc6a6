package nlp

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
)

// Sparse is a row-major compressed sparse matrix (CSR) of float64: the
// non-zeros of row i are Values[Indptr[i]:Indptr[i+1]] at the 0-based
// columns Indices[Indptr[i]:Indptr[i+1]], sorted ascending.
type Sparse struct {
	Rows, Cols int
	Indptr     []int
	Indices    []int
	Values     []float64
}

// Row returns the column indices and values of row i (views, not copies).
// It panics if i is outside [0, Rows).
func (s *Sparse) Row(i int) (cols []int, vals []float64) {
	a, b := s.Indptr[i], s.Indptr[i+1]
	return s.Indices[a:b], s.Values[a:b]
}

// TFIDFConfig configures FitTFIDF. The zero value gives unigrams and
// bigrams, sublinear term frequency, smoothed idf, L2-normalised rows and
// no document-frequency cut.
type TFIDFConfig struct {
	// MinN and MaxN bound the n-gram lengths, inclusive; zero values mean
	// 1 and 2. N-grams are built over the token sequence as tokenized,
	// punctuation included.
	MinN int `json:"min_n,omitempty"`
	MaxN int `json:"max_n,omitempty"`
	// MinDF is the minimum number of training documents an n-gram must
	// appear in to become a feature; values below 1 mean 1.
	MinDF int `json:"min_df,omitempty"`
	// MaxFeatures keeps only the n-grams with the highest document
	// frequency (ties by byte order); 0 means no cap.
	MaxFeatures int `json:"max_features,omitempty"`
	// RawTF uses the raw count tf instead of the sublinear 1+ln(tf).
	RawTF bool `json:"raw_tf,omitempty"`
	// NoNorm leaves rows unnormalised instead of scaling each to unit
	// Euclidean length.
	NoNorm bool `json:"no_norm,omitempty"`
}

func (c TFIDFConfig) ngrams() (lo, hi int) {
	lo, hi = c.MinN, c.MaxN
	if lo < 1 {
		lo = 1
	}
	if hi < 1 {
		hi = 2
	}
	return lo, hi
}

// TFIDF maps tokenized documents to TF-IDF vectors. Feature j is the
// n-gram Terms[j] (tokens joined by one space), weighted by
// IDF[j] = ln((1+n)/(1+df_j)) + 1, where n is the number of training
// documents and df_j the number containing the n-gram. It is immutable
// after fitting, safe for concurrent use, and encodes to JSON.
type TFIDF struct {
	Config TFIDFConfig `json:"config"`
	Terms  []string    `json:"terms"`
	IDF    []float64   `json:"idf"`
	index  map[string]int
}

// FitTFIDF learns the n-gram vocabulary and idf weights from docs, which
// must be the training documents only. Features are sorted by byte order
// of the n-gram. It returns an error wrapping ErrInvalidArgument when
// MinN > MaxN or no n-gram passes MinDF.
func FitTFIDF(docs [][]string, cfg TFIDFConfig) (*TFIDF, error) {
	lo, hi := cfg.ngrams()
	if lo > hi {
		return nil, argError("FitTFIDF", "cfg", "n-gram range [%d, %d] is empty", lo, hi)
	}
	df := map[string]int{}
	seen := map[string]bool{}
	for _, doc := range docs {
		clear(seen)
		eachNgram(doc, lo, hi, func(g string) {
			if !seen[g] {
				seen[g] = true
				df[g]++
			}
		})
	}
	minDF := max(cfg.MinDF, 1)
	terms := make([]string, 0, len(df))
	for g, c := range df {
		if c >= minDF {
			terms = append(terms, g)
		}
	}
	if len(terms) == 0 {
		return nil, argError("FitTFIDF", "docs", "no n-gram appears in %d documents", minDF)
	}
	if cfg.MaxFeatures > 0 && len(terms) > cfg.MaxFeatures {
		sort.Slice(terms, func(i, j int) bool {
			if df[terms[i]] != df[terms[j]] {
				return df[terms[i]] > df[terms[j]]
			}
			return terms[i] < terms[j]
		})
		terms = terms[:cfg.MaxFeatures]
	}
	sort.Strings(terms)

	t := &TFIDF{Config: cfg, Terms: terms, IDF: make([]float64, len(terms))}
	n := float64(len(docs))
	for j, g := range terms {
		t.IDF[j] = math.Log((1+n)/(1+float64(df[g]))) + 1
	}
	t.buildIndex()
	return t, nil
}

func (t *TFIDF) buildIndex() {
	t.index = make(map[string]int, len(t.Terms))
	for j, g := range t.Terms {
		t.index[g] = j
	}
}

// eachNgram calls f with every n-gram of doc for n in [lo, hi].
func eachNgram(doc []string, lo, hi int, f func(string)) {
	var b strings.Builder
	for n := lo; n <= hi; n++ {
		for i := 0; i+n <= len(doc); i++ {
			if n == 1 {
				f(doc[i])
				continue
			}
			b.Reset()
			for k := i; k < i+n; k++ {
				if k > i {
					b.WriteByte(' ')
				}
				b.WriteString(doc[k])
			}
			f(b.String())
		}
	}
}

// Features returns the number of features (columns of Transform).
func (t *TFIDF) Features() int { return len(t.Terms) }

// Transform returns the TF-IDF matrix of docs, one row per document, with
// len(Terms) columns. N-grams outside the fitted vocabulary are ignored;
// a document with none of them gives an all-zero row.
func (t *TFIDF) Transform(docs [][]string) *Sparse {
	lo, hi := t.Config.ngrams()
	m := &Sparse{Rows: len(docs), Cols: len(t.Terms), Indptr: make([]int, 1, len(docs)+1)}
	counts := map[int]int{}
	for _, doc := range docs {
		clear(counts)
		eachNgram(doc, lo, hi, func(g string) {
			if j, ok := t.index[g]; ok {
				counts[j]++
			}
		})
		start := len(m.Indices)
		for j := range counts {
			m.Indices = append(m.Indices, j)
		}
		cols := m.Indices[start:]
		sort.Ints(cols)
		var norm float64
		for _, j := range cols {
			tf := float64(counts[j])
			if !t.Config.RawTF {
				tf = 1 + math.Log(tf)
			}
			v := tf * t.IDF[j]
			m.Values = append(m.Values, v)
			norm += v * v
		}
		if !t.Config.NoNorm && norm > 0 {
			inv := 1 / math.Sqrt(norm)
			for k := start; k < len(m.Values); k++ {
				m.Values[k] *= inv
			}
		}
		m.Indptr = append(m.Indptr, len(m.Indices))
	}
	return m
}

// UnmarshalJSON decodes what json.Marshal wrote and rebuilds the term
// index. It returns an error wrapping ErrFormat when Terms and IDF differ
// in length or a term repeats.
func (t *TFIDF) UnmarshalJSON(b []byte) error {
	type plain TFIDF
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return formatError("tf-idf", "%v", err)
	}
	*t = TFIDF(p)
	if len(t.Terms) != len(t.IDF) {
		return formatError("tf-idf", "%d terms but %d idf weights", len(t.Terms), len(t.IDF))
	}
	t.buildIndex()
	if len(t.index) != len(t.Terms) {
		return formatError("tf-idf", "repeated terms")
	}
	return nil
}
