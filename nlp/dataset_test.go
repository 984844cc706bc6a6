package nlp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadCSV(t *testing.T) {
	d, err := LoadCSV(filepath.Join("testdata", "reviews.csv"), CSVOptions{})
	require.NoError(t, err)
	assert.Equal(t, 12, d.Len())
	assert.Equal(t, []string{"neg", "pos"}, d.Classes, "classes in byte order")
	assert.Equal(t, []int{6, 6}, d.ClassCounts())
	assert.Equal(t, 1, d.Labels[0])
	assert.Equal(t, Origin{File: filepath.Join("testdata", "reviews.csv"), Line: 3}, d.Origins[1])
	assert.Nil(t, d.Groups)

	d, err = ReadCSV(strings.NewReader("Label, Body ,src\npos,fine,a\n"), "in", CSVOptions{TextColumn: "body", GroupColumn: "src", Classes: []string{"pos", "neg"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"fine"}, d.Texts)
	assert.Equal(t, []int{0}, d.Labels)
	assert.Equal(t, []string{"a"}, d.Groups)

	d, err = ReadCSV(strings.NewReader(",text,label\n0,fine,pos\n"), "in", CSVOptions{})
	require.NoError(t, err)
	assert.Nil(t, d.Groups, "an unnamed index column is not a group column")
}

func TestReadCSVBadRows(t *testing.T) {
	path := filepath.Join("testdata", "bad_rows.csv")
	// Lines: 2 good, 3 missing label, 4 blank text, 5 invalid utf-8,
	// 6-7 a good two-line record, 8 label "maybe".
	cases := []struct {
		name     string
		opt      CSVOptions
		wantErr  error
		wantLine int
		wantCol  string
	}{
		{"missing label", CSVOptions{}, ErrMissingLabel, 3, "label"},
		{"first bad row wins with fixed classes", CSVOptions{Classes: []string{"neg", "pos"}}, ErrMissingLabel, 3, "label"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadCSV(path, tc.opt)
			require.ErrorIs(t, err, tc.wantErr)
			var de *DataError
			require.True(t, errors.As(err, &de))
			assert.Equal(t, tc.wantLine, de.Line)
			assert.Equal(t, tc.wantCol, de.Column)
			assert.Equal(t, path, de.File)
			assert.Equal(t, `nlp: `+path+`:3: column "label": missing label`, err.Error())
		})
	}

	t.Run("skip bad", func(t *testing.T) {
		d, err := LoadCSV(path, CSVOptions{Classes: []string{"neg", "pos"}, SkipBad: true})
		require.NoError(t, err)
		assert.Equal(t, []string{"First line is fine.", "Spans\ntwo lines"}, d.Texts)
		assert.Equal(t, []int{1, 0}, d.Labels)
		assert.Equal(t, []int{2, 6}, []int{d.Origins[0].Line, d.Origins[1].Line})
		var got []string
		for _, s := range d.Skipped {
			got = append(got, s.Error())
		}
		assert.Equal(t, []string{
			`nlp: ` + path + `:3: column "label": missing label`,
			`nlp: ` + path + `:4: column "text": empty text`,
			`nlp: ` + path + `:5: column "text": invalid utf-8`,
			`nlp: ` + path + `:8: column "label": unknown label: "maybe" not in ["neg" "pos"]`,
		}, got)
	})

	t.Run("skip bad, classes from data", func(t *testing.T) {
		d, err := LoadCSV(path, CSVOptions{SkipBad: true})
		require.NoError(t, err)
		assert.Equal(t, []string{"maybe", "neg", "pos"}, d.Classes)
		assert.Len(t, d.Skipped, 3)
	})
}

func TestReadCSVErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
		line int
	}{
		{"empty input", "", ErrEmpty, 0},
		{"no rows", "text,label\n", ErrEmpty, 0},
		{"missing column", "text,score\nhi,1\n", ErrMissingColumn, 1},
		{"wrong field count", "text,label\nhi,pos\nthere\n", ErrMalformed, 3},
		{"bare quote", "text,label\nhi \"x\" there,pos\n", ErrMalformed, 2},
		{"quote never closed", "text,label\na,pos\nb,pos\nc,pos\nd,pos\n\"e,pos\nf,pos\n", ErrMalformed, 6},
		{"quote never closed, no final newline", "text,label\na,pos\n\"b,pos\nc,pos", ErrMalformed, 3},
		{"quote never closed on the last line", "text,label\na,pos\n\"b,pos", ErrMalformed, 3},
		{"quote never closed before the next quoted text", "text,label\n\"a,pos\n\"b\",pos\n\"c\",pos\n", ErrMalformed, 2},
		{"stray quote after a two-line field", "text,label\n\"a\nb\"x,pos\nc,pos\n", ErrMalformed, 2},
		{"stray quote on one line", "text,label\na,pos\n\"b\"x,pos\nc,pos\n", ErrMalformed, 3},
		{"all rows bad", "text,label\n,pos\n", ErrEmptyText, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in), "x.csv", CSVOptions{})
			require.ErrorIs(t, err, tc.want)
			var de *DataError
			require.True(t, errors.As(err, &de))
			assert.Equal(t, tc.line, de.Line)
		})
	}
	_, err := ReadCSV(strings.NewReader("text,label\n,pos\n"), "x.csv", CSVOptions{SkipBad: true})
	assert.ErrorIs(t, err, ErrEmpty, "every row skipped")
}

func TestReadCSVErrorMessages(t *testing.T) {
	cases := []struct {
		name string
		in   string
		opt  CSVOptions
		want string
	}{
		{"missing label column", "text,score\nhi,1\n", CSVOptions{},
			`nlp: x.csv:1: column "label": missing column: want columns "text" and "label"; the header has "text" and "score"`},
		{"missing group column", "Text,Label,when\nhi,1,x\n", CSVOptions{GroupColumn: "source"},
			`nlp: x.csv:1: column "source": missing column: want columns "text", "label" and "source"; the header has "Text", "Label" and "when"`},
		{"quote never closed", "text,label\n\"a,pos\nb,pos\n", CSVOptions{},
			`nlp: x.csv:2: malformed row: a quoted field of the record starting on this line is never closed (the input ends on line 3)`},
		{"quote closed by the next text's", "text,label\n\"a,pos\n\"b\",pos\n\"c\",pos\n", CSVOptions{},
			`nlp: x.csv:2: malformed row: extraneous or missing " in a quoted field of the record starting on this line (the reader stopped on line 3, column 1)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in), "x.csv", tc.opt)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// A byte-order mark at the start of a file is dropped, whatever the
// format, so that it neither hides the header nor joins the first text.
func TestByteOrderMark(t *testing.T) {
	const bom = "\ufeff"
	for _, tc := range []struct{ name, in string }{
		{"plain header", bom + "text,label\nGood news.,pos\n"},
		{"quoted header", bom + "\"text\",\"label\"\nGood news.,pos\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ReadCSV(strings.NewReader(tc.in), "in", CSVOptions{})
			require.NoError(t, err)
			assert.Equal(t, []string{"Good news."}, d.Texts)
		})
	}
	t.Run("phrasebank lines", func(t *testing.T) {
		d, err := readPhraseBankRaw([]byte(bom+"Good news .@positive\nBad news .@negative\n"), "raw.txt", false, false)
		require.NoError(t, err)
		assert.Equal(t, []string{"Good news .", "Bad news ."}, d.Texts)
	})
	t.Run("aclImdb file", func(t *testing.T) {
		root := t.TempDir()
		require.NoError(t, mkdirAll(filepath.Join(root, "train", "pos")))
		require.NoError(t, mkdirAll(filepath.Join(root, "train", "neg")))
		require.NoError(t, writeFile(filepath.Join(root, "train", "pos", "0_9.txt"), bom+"Fine film."))
		require.NoError(t, writeFile(filepath.Join(root, "train", "neg", "0_1.txt"), "Dull film."))
		d, err := LoadAclImdb(root, "train", false)
		require.NoError(t, err)
		assert.Equal(t, []string{"Dull film.", "Fine film."}, d.Texts)
	})
}

func TestLoadPhraseBankRaw(t *testing.T) {
	d, err := LoadPhraseBank(filepath.Join("testdata", "phrasebank_latin1.txt"), true, false)
	require.NoError(t, err)
	assert.Equal(t, PhraseBankClasses(), d.Classes)
	assert.Equal(t, []int{2, 1, 0}, d.Labels)
	assert.Equal(t, "The café chain kept its outlook unchanged .", d.Texts[1])

	// Read as UTF-8, the Latin-1 byte is invalid and named by line.
	_, err = LoadPhraseBank(filepath.Join("testdata", "phrasebank_latin1.txt"), false, false)
	require.ErrorIs(t, err, ErrInvalidUTF8)
	var de *DataError
	require.True(t, errors.As(err, &de))
	assert.Equal(t, 2, de.Line)

	_, err = readPhraseBankRaw([]byte("No label here\n"), "raw.txt", false, false)
	assert.ErrorIs(t, err, ErrMissingLabel)
}

func TestLoadAclImdb(t *testing.T) {
	root := filepath.Join("testdata", "aclImdb")
	train, err := LoadAclImdb(root, "train", false)
	require.NoError(t, err)
	assert.Equal(t, AclImdbClasses(), train.Classes)
	assert.Equal(t, []int{0, 0, 0, 1, 1, 1}, train.Labels, "neg first, unsup ignored")
	assert.Equal(t, []string{"0_2", "1_1", "2_3", "0_9", "1_8", "2_10"}, train.Groups)
	assert.Equal(t, filepath.Join(root, "train", "pos", "0_9.txt"), train.Origins[3].File)
	assert.Contains(t, train.Texts[3], "<br />")

	test, err := LoadAclImdb(root, "test", false)
	require.NoError(t, err)
	assert.Equal(t, 2, test.Len())

	_, err = LoadAclImdb(root, "valid", false)
	assert.ErrorIs(t, err, ErrLayout)
}

func TestAclImdbBadFiles(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(root, rel)
		require.NoError(t, mkdirAll(filepath.Dir(p)))
		require.NoError(t, writeFile(p, content))
	}
	write("train/pos/0_9.txt", "Fine film.")
	write("train/neg/0_1.txt", "   \n")
	write("train/neg/1_2.txt", "line one\nbad \xfe byte")
	_, err := LoadAclImdb(root, "train", false)
	require.ErrorIs(t, err, ErrEmptyText)

	d, err := LoadAclImdb(root, "train", true)
	require.NoError(t, err)
	assert.Equal(t, 1, d.Len())
	require.Len(t, d.Skipped, 2)
	assert.ErrorIs(t, d.Skipped[1], ErrInvalidUTF8)
	assert.Equal(t, 2, d.Skipped[1].Line, "line of the bad byte")
}

func TestSubset(t *testing.T) {
	d := &Dataset{Texts: []string{"a", "b", "c"}, Labels: []int{0, 1, 0}, Classes: []string{"x", "y"}, Groups: []string{"g1", "g2", "g3"}}
	s := d.Subset([]int{2, 0})
	assert.Equal(t, []string{"c", "a"}, s.Texts)
	assert.Equal(t, []int{0, 0}, s.Labels)
	assert.Equal(t, []string{"g3", "g1"}, s.Groups)
	assert.Nil(t, s.Origins)
	assert.Panics(t, func() { d.Subset([]int{3}) })
}

func mkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }
