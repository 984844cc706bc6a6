package csvsep

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestGuess(t *testing.T) {
	cases := []struct {
		name   string
		header []string
		want   rune
	}{
		{"semicolons", []string{"date;open;high;low;close"}, ';'},
		{"tabs", []string{"date\topen\thigh"}, '\t'},
		{"pipes", []string{"a|b|c"}, '|'},
		{"most frequent wins", []string{"a;b|c|d"}, '|'},
		{"tie goes to the semicolon", []string{"a;b\tc"}, ';'},
		{"one plain column", []string{"close"}, 0},
		{"commas worked", []string{"date", "open;high"}, 0},
		{"no header", nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, Guess(c.header), "got %q, want %q", Guess(c.header), c.want)
		})
	}
}

func TestHint(t *testing.T) {
	assert.Equal(t, `the file seems to use ';', not commas, between columns: its header reads as one column`,
		Hint([]string{"a;b"}))
	assert.Equal(t, `the file seems to use '\t', not commas, between columns: its header reads as one column`,
		Hint([]string{"a\tb"}))
	assert.Empty(t, Hint([]string{"a", "b"}))
}
