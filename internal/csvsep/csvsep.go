package csvsep

import (
	"fmt"
	"strings"
)

// candidates are the separators Guess recognises, by preference on a tie.
const candidates = ";\t|"

// Guess returns the separator a file seems to use when its header, read
// with commas, is a single column holding semicolons, tabs or pipes: the
// most frequent of them, the earlier in that list on a tie. It returns 0
// when the header has any other number of columns or holds none of them.
func Guess(header []string) rune {
	if len(header) != 1 {
		return 0
	}
	var best rune
	most := 0
	for _, c := range candidates {
		if n := strings.Count(header[0], string(c)); n > most {
			best, most = c, n
		}
	}
	return best
}

// Hint returns a clause for an error message naming the separator Guess
// finds, for example "the header is one column holding ';': the file seems
// to be separated by ';', not by commas", or "" when Guess finds none.
func Hint(header []string) string {
	sep := Guess(header)
	if sep == 0 {
		return ""
	}
	return fmt.Sprintf("the file seems to use %q, not commas, between columns: its header reads as one column", sep)
}
