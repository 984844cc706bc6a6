package nlp

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Dataset is a labelled text collection. Row i has text Texts[i] and
// class Labels[i], an index into Classes (0-based). Groups and Origins are
// either nil or one entry per row.
type Dataset struct {
	// Texts holds the raw texts, never empty.
	Texts []string
	// Labels holds class indices into Classes.
	Labels []int
	// Classes names the classes in index order.
	Classes []string
	// Groups holds an optional per-row group, e.g. the "source" of the UCI
	// sentences; nil when the input has none.
	Groups []string
	// Origins says where each row came from; nil for datasets built in
	// memory.
	Origins []Origin
	// Skipped lists the bad rows left out under SkipBad, in input order.
	Skipped []*DataError
}

// Origin locates a row: the file and the 1-based line on which its record
// starts (1 for a one-text-per-file layout).
type Origin struct {
	File string
	Line int
}

// Len returns the number of rows.
func (d *Dataset) Len() int { return len(d.Texts) }

// ClassCounts returns the number of rows of each class, indexed like
// Classes.
func (d *Dataset) ClassCounts() []int {
	c := make([]int, len(d.Classes))
	for _, l := range d.Labels {
		c[l]++
	}
	return c
}

// Subset returns a dataset holding rows idx, in that order, sharing the
// classes (copied) but not Skipped. It panics if an index is out of range.
func (d *Dataset) Subset(idx []int) *Dataset {
	s := &Dataset{
		Texts:   make([]string, len(idx)),
		Labels:  make([]int, len(idx)),
		Classes: slices.Clone(d.Classes),
	}
	if d.Groups != nil {
		s.Groups = make([]string, len(idx))
	}
	if d.Origins != nil {
		s.Origins = make([]Origin, len(idx))
	}
	for k, i := range idx {
		s.Texts[k] = d.Texts[i]
		s.Labels[k] = d.Labels[i]
		if d.Groups != nil {
			s.Groups[k] = d.Groups[i]
		}
		if d.Origins != nil {
			s.Origins[k] = d.Origins[i]
		}
	}
	return s
}

// CSVOptions configures ReadCSV and LoadCSV. The zero value reads the
// columns "text" and "label", takes the classes from the data and fails
// on the first bad row.
type CSVOptions struct {
	// TextColumn names the text column; empty means "text".
	TextColumn string
	// LabelColumn names the label column; empty means "label".
	LabelColumn string
	// GroupColumn optionally names a column copied into Dataset.Groups.
	GroupColumn string
	// Classes fixes the class names and their order; a label outside
	// them is a bad row (ErrUnknownLabel). When nil, the classes are the
	// distinct labels in byte order.
	Classes []string
	// SkipBad skips bad rows (missing label, unknown label, empty text,
	// invalid UTF-8) and lists them in Dataset.Skipped instead of failing
	// on the first one.
	SkipBad bool
}

// LoadCSV reads a labelled text CSV file; see ReadCSV.
func LoadCSV(path string, opt CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nlp: %w", err)
	}
	defer f.Close()
	return ReadCSV(f, path, opt)
}

// ReadCSV reads a CSV stream with a header row and one labelled text per
// record (a quoted text may span lines); name is used in errors and
// Origins. A leading UTF-8 byte-order mark is skipped. Headers are
// matched case-insensitively after trimming spaces. Labels are trimmed;
// texts are kept verbatim but a blank one is bad.
//
// A bad row is reported as a *DataError naming the file, the line on
// which the record starts and the column, wrapping ErrMissingLabel,
// ErrUnknownLabel, ErrEmptyText or ErrInvalidUTF8; with opt.SkipBad it is
// recorded in Skipped instead. A record the CSV reader cannot parse
// (ErrMalformed; for a quote left open, the line on which its record
// starts), a missing column (ErrMissingColumn, listing the required columns
// and the header's) and an input with no good rows (ErrEmpty) are always
// errors.
func ReadCSV(r io.Reader, name string, opt CSVOptions) (*Dataset, error) {
	textCol := cmpOr(opt.TextColumn, "text")
	labelCol := cmpOr(opt.LabelColumn, "label")

	br := bufio.NewReader(r)
	if bom, err := br.Peek(len(byteOrderMark)); err == nil && string(bom) == byteOrderMark {
		br.Discard(len(byteOrderMark))
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &DataError{File: name, Err: ErrEmpty, Detail: "no header"}
	}
	if err != nil {
		return nil, csvError(name, err, cr)
	}
	ti, li, gi := -1, -1, -1
	for j, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		switch h {
		case strings.ToLower(textCol):
			ti = j
		case strings.ToLower(labelCol):
			li = j
		case strings.ToLower(opt.GroupColumn):
			if opt.GroupColumn != "" {
				gi = j
			}
		}
	}
	for _, c := range []struct {
		name string
		at   int
	}{{textCol, ti}, {labelCol, li}, {opt.GroupColumn, gi}} {
		if c.at < 0 && c.name != "" {
			return nil, &DataError{File: name, Line: 1, Column: c.name, Err: ErrMissingColumn,
				Detail: fmt.Sprintf("want columns %s; the header has %s",
					quoteList([]string{textCol, labelCol, opt.GroupColumn}), quoteList(header))}
		}
	}

	b := newBuilder(name, opt.Classes, opt.SkipBad)
	if gi >= 0 {
		b.d.Groups = []string{}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(name, err, cr)
		}
		line, _ := cr.FieldPos(0)
		group := ""
		if gi >= 0 {
			group = rec[gi]
		}
		if err := b.add(rec[ti], rec[li], group, Origin{File: name, Line: line}, textCol, labelCol); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// byteOrderMark is the UTF-8 encoding of U+FEFF, which some editors write
// at the start of a file; the loaders drop it there.
const byteOrderMark = "\ufeff"

// cmpOr returns s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// quoteList returns the non-empty names quoted and joined by ", ", with
// "and" before the last; "no columns" when there are none.
func quoteList(names []string) string {
	var q []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			q = append(q, strconv.Quote(n))
		}
	}
	switch len(q) {
	case 0:
		return "no columns"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// csvError converts an error of cr into a *DataError.
func csvError(name string, err error, cr *csv.Reader) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("nlp: %s: %w", name, err)
	}
	if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine < pe.Line {
		// A quote left open swallows the lines after it until the input
		// ends or another quote closes the field at the wrong place;
		// encoding/csv reports either at the end of the swallowed text.
		// The line where the record opened is the one to fix.
		detail := fmt.Sprintf(`extraneous or missing " in a quoted field of the record starting on this line (the reader stopped on line %d, column %d)`,
			pe.Line, pe.Column)
		if _, next := cr.Read(); next == io.EOF {
			detail = fmt.Sprintf("a quoted field of the record starting on this line is never closed (the input ends on line %d)", pe.Line)
		}
		return &DataError{File: name, Line: pe.StartLine, Err: ErrMalformed, Detail: detail}
	}
	return &DataError{File: name, Line: pe.Line, Err: ErrMalformed, Detail: pe.Err.Error()}
}

// builder accumulates validated rows.
type builder struct {
	d       *Dataset
	name    string
	skipBad bool
	fixed   bool
	class   map[string]int
	raw     []string // labels as read, when the classes are not fixed
}

func newBuilder(name string, classes []string, skipBad bool) *builder {
	b := &builder{d: &Dataset{}, name: name, skipBad: skipBad, class: map[string]int{}}
	if classes != nil {
		b.fixed = true
		b.d.Classes = slices.Clone(classes)
		for i, c := range classes {
			b.class[c] = i
		}
	}
	return b
}

// add validates one row; it returns an error only when the row is bad and
// bad rows are not skipped.
func (b *builder) add(text, label, group string, at Origin, textCol, labelCol string) error {
	label = strings.TrimSpace(label)
	var bad *DataError
	switch {
	case !utf8.ValidString(text):
		bad = &DataError{File: at.File, Line: at.Line + invalidLine(text), Column: textCol, Err: ErrInvalidUTF8}
	case !utf8.ValidString(label):
		bad = &DataError{File: at.File, Line: at.Line, Column: labelCol, Err: ErrInvalidUTF8}
	case strings.TrimSpace(text) == "":
		bad = &DataError{File: at.File, Line: at.Line, Column: textCol, Err: ErrEmptyText}
	case label == "":
		bad = &DataError{File: at.File, Line: at.Line, Column: labelCol, Err: ErrMissingLabel}
	case b.fixed && !b.known(label):
		bad = &DataError{File: at.File, Line: at.Line, Column: labelCol, Err: ErrUnknownLabel,
			Detail: fmt.Sprintf("%q not in %q", label, b.d.Classes)}
	}
	if bad != nil {
		if !b.skipBad {
			return bad
		}
		b.d.Skipped = append(b.d.Skipped, bad)
		return nil
	}

	b.d.Texts = append(b.d.Texts, text)
	if b.fixed {
		b.d.Labels = append(b.d.Labels, b.class[label])
	} else {
		b.raw = append(b.raw, label)
	}
	if b.d.Groups != nil {
		b.d.Groups = append(b.d.Groups, group)
	}
	b.d.Origins = append(b.d.Origins, at)
	return nil
}

func (b *builder) known(label string) bool {
	_, ok := b.class[label]
	return ok
}

// finish assigns class indices and checks the dataset is not empty.
func (b *builder) finish() (*Dataset, error) {
	if len(b.d.Texts) == 0 {
		return nil, &DataError{File: b.name, Err: ErrEmpty, Detail: fmt.Sprintf("%d bad rows skipped", len(b.d.Skipped))}
	}
	if !b.fixed {
		seen := map[string]bool{}
		for _, l := range b.raw {
			if !seen[l] {
				seen[l] = true
				b.d.Classes = append(b.d.Classes, l)
			}
		}
		sort.Strings(b.d.Classes)
		for i, c := range b.d.Classes {
			b.class[c] = i
		}
		b.d.Labels = make([]int, len(b.raw))
		for i, l := range b.raw {
			b.d.Labels[i] = b.class[l]
		}
	}
	return b.d, nil
}

// invalidLine returns the number of newlines before the first invalid
// UTF-8 byte of s, so that errors point at the line holding it.
func invalidLine(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return strings.Count(s[:i], "\n")
		}
		i += size
	}
	return 0
}

// PhraseBankClasses returns the Financial PhraseBank labels in the class
// order LoadPhraseBank uses: negative, neutral, positive.
func PhraseBankClasses() []string { return []string{"negative", "neutral", "positive"} }

// LoadPhraseBank reads the Financial PhraseBank (Malo et al., 2014) as a
// three-class dataset with Classes = negative, neutral, positive. A
// ".csv" file must have "text,label" columns; any other file is read in
// the original "sentence@label" line format (split at the last '@'),
// decoded as ISO-8859-1 when latin1 is true (the original 50Agree file)
// and as UTF-8 otherwise; a leading UTF-8 byte-order mark is skipped in
// both. Bad rows behave as in ReadCSV.
func LoadPhraseBank(path string, latin1, skipBad bool) (*Dataset, error) {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		return LoadCSV(path, CSVOptions{Classes: PhraseBankClasses(), SkipBad: skipBad})
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("nlp: %w", err)
	}
	return readPhraseBankRaw(data, path, latin1, skipBad)
}

// readPhraseBankRaw parses the original "sentence@label" format.
func readPhraseBankRaw(data []byte, name string, latin1, skipBad bool) (*Dataset, error) {
	b := newBuilder(name, PhraseBankClasses(), skipBad)
	data = bytes.TrimPrefix(data, []byte(byteOrderMark))
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		s := string(line)
		if latin1 {
			s = decodeLatin1(line)
		}
		text, label := s, ""
		if at := strings.LastIndexByte(s, '@'); at >= 0 {
			text, label = s[:at], s[at+1:]
		}
		if err := b.add(text, label, "", Origin{File: name, Line: n + 1}, "text", "label"); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// decodeLatin1 maps each ISO-8859-1 byte to the rune of the same value.
func decodeLatin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// LoadUCISentences reads the UCI "Sentiment Labelled Sentences" CSV
// (Kotzias et al., 2015): columns text, label (0 negative, 1 positive) and
// source, which goes to Dataset.Groups. Classes are "0" and "1".
func LoadUCISentences(path string, skipBad bool) (*Dataset, error) {
	return LoadCSV(path, CSVOptions{GroupColumn: "source", Classes: BinaryClasses(), SkipBad: skipBad})
}

// BinaryClasses returns the classes of a 0/1-labelled CSV such as the
// IMDB review sample: "0" negative, "1" positive.
func BinaryClasses() []string { return []string{"0", "1"} }

// AclImdbClasses returns the classes LoadAclImdb assigns: "neg" (0) and
// "pos" (1).
func AclImdbClasses() []string { return []string{"neg", "pos"} }

// LoadAclImdb reads one split ("train" or "test") of a folder in the
// aclImdb layout of the Large Movie Review Dataset (Maas et al., 2011):
// root/split/neg/*.txt and root/split/pos/*.txt, one review per file. Rows
// come neg first, then pos, each in file-name order; Origins name each
// file (line 1) and Groups hold the file name without ".txt" (e.g.
// "12_3", id and rating); a file's leading UTF-8 byte-order mark is
// skipped. Other folders (unsup) and files are ignored. An
// empty review or invalid UTF-8 is a bad row, skipped only when skipBad.
// A missing neg or pos folder is an error wrapping ErrLayout.
func LoadAclImdb(root, split string, skipBad bool) (*Dataset, error) {
	b := newBuilder(filepath.Join(root, split), AclImdbClasses(), skipBad)
	b.d.Groups = []string{}
	for _, class := range AclImdbClasses() {
		dir := filepath.Join(root, split, class)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("nlp: aclImdb %s: %w: %w", dir, ErrLayout, err)
		}
		for _, e := range entries { // os.ReadDir sorts by name
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("nlp: %w", err)
			}
			data = bytes.TrimPrefix(data, []byte(byteOrderMark))
			err = b.add(string(data), class, strings.TrimSuffix(e.Name(), ".txt"), Origin{File: path, Line: 1}, "text", "label")
			if err != nil {
				return nil, err
			}
		}
	}
	return b.finish()
}
