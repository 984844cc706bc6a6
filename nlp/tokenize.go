package nlp

import (
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NumberMode says what a Tokenizer does with number tokens: runs of
// digits, possibly with '.' or ',' between digits, such as "5", "5.2" or
// "1,000". Tokens that mix letters and digits ("eur131m", "q3") are words,
// not numbers, and are never changed.
type NumberMode int

const (
	// NumbersKeep keeps each number as it is written. It is the zero
	// value.
	NumbersKeep NumberMode = iota
	// NumbersNormalize replaces each number by NumberToken.
	NumbersNormalize
)

// NumberToken replaces numbers under NumbersNormalize.
const NumberToken = "<num>"

// String returns "keep" or "normalize", or "NumberMode(n)" for an
// invalid mode.
func (m NumberMode) String() string {
	switch m {
	case NumbersKeep:
		return "keep"
	case NumbersNormalize:
		return "normalize"
	}
	return fmt.Sprintf("NumberMode(%d)", int(m))
}

// MarshalText encodes the mode as "keep" or "normalize"; an invalid
// mode is an error.
func (m NumberMode) MarshalText() ([]byte, error) {
	if m != NumbersKeep && m != NumbersNormalize {
		return nil, argError("NumberMode.MarshalText", "mode", "%d is not a number mode", int(m))
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes "keep" or "normalize" (the empty text means
// "keep").
func (m *NumberMode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "", "keep":
		*m = NumbersKeep
	case "normalize":
		*m = NumbersNormalize
	default:
		return formatError("number mode", "%q is neither \"keep\" nor \"normalize\"", b)
	}
	return nil
}

// Tokenizer splits text into tokens. Its zero value is ready to use: it
// removes HTML tags such as "<br />", decodes HTML entities ("&amp;"),
// lower-cases every letter (Unicode-aware: "ÉTÉ" becomes "été"), keeps
// numbers, and splits punctuation off words.
//
// The rules, applied in order:
//   - Unless KeepTags, anything that looks like an HTML tag (a '<' followed
//     by a letter, '/' or '!' and closed by '>' on the same line within
//     256 bytes) becomes a space, then entities are decoded.
//   - A word is a maximal run of letters, digits and combining marks. A '.'
//     or ',' between two digits stays inside the word ("5.2", "1,000"), as
//     does an apostrophe (' or ’, written as ') between two letters
//     ("don't").
//   - Every other character that is not a space or a control character is
//     a token of its own ("%", "-", "€", "!"). Invalid UTF-8 bytes and
//     U+FFFD are dropped.
//   - Unless KeepCase, tokens are lower-cased with strings.ToLower.
//   - Numbers are kept or replaced according to Numbers.
//
// A Tokenizer is a plain value, safe for concurrent use, and encodes to
// JSON, so that it can be saved beside a model and give the same tokens
// at inference.
type Tokenizer struct {
	// KeepCase disables lower-casing.
	KeepCase bool `json:"keep_case,omitempty"`
	// KeepTags disables the removal of HTML tags and entity decoding.
	KeepTags bool `json:"keep_tags,omitempty"`
	// Numbers says what to do with numbers; the zero value keeps them.
	Numbers NumberMode `json:"numbers,omitempty"`
}

// Tokenize returns the tokens of text, in order; nil for text without
// tokens. Tokens never contain white space.
func (tk Tokenizer) Tokenize(text string) []string {
	if !tk.KeepTags {
		text = stripTags(text)
	}
	var out []string
	emit := func(tok string, number bool) {
		if number && tk.Numbers == NumbersNormalize {
			out = append(out, NumberToken)
			return
		}
		if !tk.KeepCase {
			tok = strings.ToLower(tok)
		}
		out = append(out, tok)
	}

	var word strings.Builder
	digitsOnly := true // the current word holds only digits and connectors
	var prev rune      // last rune appended to word
	flush := func() {
		if word.Len() > 0 {
			emit(word.String(), digitsOnly)
			word.Reset()
		}
		digitsOnly = true
		prev = 0
	}

	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == utf8.RuneError:
			flush()
		case unicode.IsLetter(r) || unicode.IsMark(r):
			word.WriteRune(r)
			digitsOnly = false
			prev = r
		case unicode.IsDigit(r):
			word.WriteRune(r)
			prev = r
		case (r == '.' || r == ',') && unicode.IsDigit(prev) && nextIs(text[i:], unicode.IsDigit):
			word.WriteRune(r)
			prev = r
		case (r == '\'' || r == '’') && unicode.IsLetter(prev) && nextIs(text[i:], unicode.IsLetter):
			word.WriteByte('\'')
			prev = r
		case unicode.IsSpace(r) || unicode.IsControl(r):
			flush()
		default:
			flush()
			out = append(out, string(r))
		}
	}
	flush()
	return out
}

// nextIs reports whether s starts with a rune satisfying is.
func nextIs(s string, is func(rune) bool) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r != utf8.RuneError && is(r)
}

// stripTags replaces HTML tags by spaces and decodes entities.
func stripTags(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if end := tagEnd(s[i:]); end > 0 {
				b.WriteByte(' ')
				i += end
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return html.UnescapeString(b.String())
}

// tagEnd returns the length of the tag at the start of s (which starts
// with '<'), or 0 if s does not start with a tag.
func tagEnd(s string) int {
	const maxTag = 256
	if len(s) < 3 {
		return 0
	}
	c := s[1]
	if !(c == '/' || c == '!' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')) {
		return 0
	}
	for j := 2; j < len(s) && j < maxTag; j++ {
		switch s[j] {
		case '>':
			return j + 1
		case '<', '\n':
			return 0
		}
	}
	return 0
}
