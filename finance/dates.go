package finance

import (
	"strings"
	"time"
)

// parseDay parses a date cell and returns days since 1970-01-01 (UTC).
// Timestamps are converted to UTC and truncated to their date.
func parseDay(s string) (int64, bool) {
	if d, ok := parseISODay(s); ok {
		return d, true
	}
	if len(s) < 6 || len(s) > 40 || !startsWithDigit(s) {
		return 0, false
	}
	// Tried in order after the ISO fast path. Month-first layouts are US
	// style; day-first dates are not accepted because they are ambiguous
	// with them.
	layouts := [...]string{
		"2006-1-2",
		"2006/1/2",
		"1/2/2006",
		"1-2-2006",
		"20060102",
		time.RFC3339Nano,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
	}
	for _, layout := range layouts {
		if layout == "20060102" && len(s) != 8 {
			continue
		}
		if strings.ContainsAny(layout, "T ") != strings.ContainsAny(s, "T ") {
			continue
		}
		t, err := time.Parse(layout, s)
		if err == nil {
			return floorDiv(t.UTC().Unix(), secondsPerDay), true
		}
	}
	return 0, false
}

const secondsPerDay = 86400

// parseISODay handles exactly YYYY-MM-DD without allocating.
func parseISODay(s string) (int64, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > 31 {
		return 0, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // e.g. 2015-02-30 normalises to March
		return 0, false
	}
	return floorDiv(t.Unix(), secondsPerDay), true
}

func digits(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dayTime converts days since 1970-01-01 to a UTC midnight time.
func dayTime(d int64) time.Time { return time.Unix(d*secondsPerDay, 0).UTC() }

// dayString formats days since 1970-01-01 as YYYY-MM-DD.
func dayString(d int64) string { return dayTime(d).Format(time.DateOnly) }

// dayFirstHint returns a note for a date cell that fails to parse but
// reads as day first (13/01/2015): such files are refused because their
// first twelve days of each month would pass as month-first dates.
func dayFirstHint(s string) string {
	for _, sep := range []string{"/", "-"} {
		parts := strings.Split(s, sep)
		if len(parts) != 3 || len(parts[2]) != 4 {
			continue
		}
		d, ok1 := digits(parts[0])
		m, ok2 := digits(parts[1])
		if ok1 && ok2 && d >= 13 && d <= 31 && m >= 1 && m <= 12 {
			return " (it reads as day first; dates with slashes or dashes are read month first, so convert the file to YYYY-MM-DD)"
		}
	}
	return ""
}
