package finance

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/deepfin/deepfin/internal/csvsep"
)

// Defaults applied when the corresponding LoadOptions field is zero.
const (
	DefaultMinBars    = 30
	DefaultMaxGapDays = 10
)

// LoadOptions controls validation. The zero value is the strict default:
// duplicated dates and missing prices are errors, at least DefaultMinBars
// bars per ticker, a warning for gaps over DefaultMaxGapDays calendar days,
// and OHLC inconsistencies recorded as warnings.
type LoadOptions struct {
	// KeepLast keeps the last row of a duplicated date (in file order)
	// instead of failing with ErrDuplicateDate; each discarded row is
	// recorded as a WarnDuplicate warning.
	KeepLast bool
	// Ticker names the series of a file without a ticker column. Empty
	// means: derive it from the file name by dropping the directory, a
	// .csv or .txt extension and a "_data" suffix, then upper-casing
	// (AAPL_data.csv -> AAPL, x.csv -> X). For a file with a ticker column
	// every row must match Ticker (case-insensitively) or loading fails
	// with ErrMixedTickers. Setting it for a directory is ErrInvalidOption.
	Ticker string
	// MinBars is the fewest bars a ticker may have after dropping rows;
	// fewer is ErrTooFewRows. 0 means DefaultMinBars; use 1 to accept any
	// non-empty series. Negative is ErrInvalidOption.
	MinBars int
	// MaxGapDays is the calendar-day gap between consecutive bars above
	// which a WarnGap warning is recorded. 0 means DefaultMaxGapDays.
	// Negative is ErrInvalidOption.
	MaxGapDays int
	// DropIncomplete drops rows whose open, high, low, close or adjusted
	// close is missing (empty, NA, null, ...) and records a WarnDropped
	// warning for each, instead of failing with ErrMissingValue. Cells that
	// are present but malformed are still errors.
	DropIncomplete bool
	// StrictOHLC turns the OHLC consistency checks into errors: high < low
	// is ErrHighLow and open or close outside [low, high] is ErrOHLCRange.
	// By default they are WarnOHLC warnings, because real vendor data has
	// such rows (four in the sp500_5yr set, e.g. AOS 2014-05-19 with high
	// below low) and they do not stop returns from being computed.
	StrictOHLC bool
}

func (o LoadOptions) withDefaults() (LoadOptions, error) {
	if o.MinBars < 0 {
		return o, &DataError{Err: fmt.Errorf("%w: MinBars is %d, want >= 0", ErrInvalidOption, o.MinBars)}
	}
	if o.MaxGapDays < 0 {
		return o, &DataError{Err: fmt.Errorf("%w: MaxGapDays is %d, want >= 0", ErrInvalidOption, o.MaxGapDays)}
	}
	if o.MinBars == 0 {
		o.MinBars = DefaultMinBars
	}
	if o.MaxGapDays == 0 {
		o.MaxGapDays = DefaultMaxGapDays
	}
	o.Ticker = strings.TrimSpace(o.Ticker)
	return o, nil
}

// LoadOHLCV loads daily bars from path, which is either one CSV file or a
// directory. For a directory every regular file whose name ends in .csv
// (any case) and does not start with a dot is read, in name order, and no
// ticker may appear in two files (ErrDuplicateTicker). See ReadOHLCV for
// the file format. The returned error is always a *DataError.
func LoadOHLCV(path string, opt LoadOptions) (*MarketData, error) {
	return load(osFiles{}, path, opt)
}

// LoadFS is LoadOHLCV over a file system such as an embed.FS; name is a
// slash-separated path valid for fs.ValidPath, "." for the root. Errors
// name files by their path within fsys.
func LoadFS(fsys fs.FS, name string, opt LoadOptions) (*MarketData, error) {
	return load(fsFiles{fsys}, name, opt)
}

// ReadOHLCV reads one CSV of daily bars from r. name is used in errors and
// warnings and, when needed, to derive the ticker (see LoadOptions.Ticker).
//
// The first record is the header. Names are matched case-insensitively
// after trimming, ignoring spaces, '_', '-', '.' and '*' (Yahoo's "Adj
// Close**"); unknown columns are
// ignored. Required: date (aliases datetime, timestamp, time), open, high,
// low, close. Optional: adj close (adj_close, adjclose, adjusted close),
// volume (vol), ticker (symbol, name). When aliases of one column both
// appear, the earlier alias in these lists wins (a "date" column beats a
// "time" column); two headers with the same name are ErrDuplicateColumn.
// The separator is the comma: when required columns are missing and the
// header reads as one column holding semicolons, tabs or pipes, the
// ErrMissingColumn message says the file seems to use that separator.
//
// With a ticker column the file may hold many tickers in long format, in
// any row order. Dates may be 2006-01-02, 2006/01/02, 01/02/2006,
// 1/2/2006, 01-02-2006 (month first), 20060102 or an RFC 3339 timestamp
// (converted to UTC, then truncated to its date). A UTF-8 byte-order mark
// and CRLF line endings are accepted; cells are trimmed.
//
// Empty cells and the markers NA, N/A, #N/A, NaN, null and None (any case)
// are missing values: a missing date or ticker is always an error, a
// missing price is an error unless LoadOptions.DropIncomplete, and a
// missing volume becomes NaN with a WarnVolume warning. A file without a
// volume column loads with an all-NaN Volume and one WarnVolume warning.
//
// Rows out of date order are sorted (WarnUnsorted); see LoadOptions for
// duplicates, gaps, short series and OHLC checks. The returned error is
// always a *DataError; ReadOHLCV never panics on malformed input.
func ReadOHLCV(r io.Reader, name string, opt LoadOptions) (*MarketData, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	fr, err := parseFile(r, name, opt)
	if err != nil {
		return nil, err
	}
	return assemble([]*fileResult{fr})
}

// files abstracts the OS and fs.FS.
type files interface {
	stat(name string) (fs.FileInfo, error)
	readDir(name string) ([]fs.DirEntry, error)
	open(name string) (io.ReadCloser, error)
	join(dir, name string) string
}

type osFiles struct{}

func (osFiles) stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFiles) readDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFiles) open(name string) (io.ReadCloser, error)    { return os.Open(name) }
func (osFiles) join(dir, name string) string               { return filepath.Join(dir, name) }

type fsFiles struct{ fsys fs.FS }

func (f fsFiles) stat(name string) (fs.FileInfo, error)      { return fs.Stat(f.fsys, name) }
func (f fsFiles) readDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(f.fsys, name) }
func (f fsFiles) open(name string) (io.ReadCloser, error)    { return f.fsys.Open(name) }
func (fsFiles) join(dir, name string) string                 { return path.Join(dir, name) }

func load(fsys files, name string, opt LoadOptions) (*MarketData, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	info, err := fsys.stat(name)
	if err != nil {
		return nil, readError(name, err)
	}
	if !info.IsDir() {
		fr, err := loadFile(fsys, name, opt)
		if err != nil {
			return nil, err
		}
		return assemble([]*fileResult{fr})
	}

	if opt.Ticker != "" {
		return nil, &DataError{File: name, Err: fmt.Errorf(
			"%w: Ticker %q applies to a single file, not a directory", ErrInvalidOption, opt.Ticker)}
	}
	entries, err := fsys.readDir(name)
	if err != nil {
		return nil, readError(name, err)
	}
	var results []*fileResult
	for _, e := range entries {
		base := e.Name()
		if e.IsDir() || strings.HasPrefix(base, ".") || !strings.EqualFold(path.Ext(base), ".csv") {
			continue
		}
		fr, err := loadFile(fsys, fsys.join(name, base), opt)
		if err != nil {
			return nil, err
		}
		results = append(results, fr)
	}
	if len(results) == 0 {
		return nil, &DataError{File: name, Err: fmt.Errorf("%w: directory has no .csv files", ErrEmpty)}
	}
	return assemble(results)
}

func loadFile(fsys files, name string, opt LoadOptions) (*fileResult, error) {
	f, err := fsys.open(name)
	if err != nil {
		return nil, readError(name, err)
	}
	defer f.Close()
	return parseFile(f, name, opt)
}

func readError(name string, err error) error {
	return &DataError{File: name, Err: fmt.Errorf("%w: %w", ErrRead, err)}
}

// fileResult is the validated content of one file.
type fileResult struct {
	name     string
	series   []*Series
	warnings []Warning
}

// assemble merges file results into MarketData, rejecting a ticker that
// appears in two files.
func assemble(results []*fileResult) (*MarketData, error) {
	md := &MarketData{}
	seen := make(map[string]string)
	for _, fr := range results {
		for _, s := range fr.series {
			if prev, ok := seen[s.Ticker]; ok {
				return nil, &DataError{File: fr.name, Err: fmt.Errorf(
					"%w %q (also in %s)", ErrDuplicateTicker, s.Ticker, prev)}
			}
			seen[s.Ticker] = fr.name
			md.Series = append(md.Series, s)
		}
		md.Warnings = append(md.Warnings, fr.warnings...)
	}
	sort.Slice(md.Series, func(i, j int) bool { return md.Series[i].Ticker < md.Series[j].Ticker })
	md.Frame = buildFrame(md.Series)
	return md, nil
}

// Canonical column indices.
const (
	colDate = iota
	colTicker
	colOpen
	colHigh
	colLow
	colClose
	colAdj
	colVolume
	numCols
)

func colName(k int) string {
	switch k {
	case colDate:
		return "date"
	case colTicker:
		return "ticker"
	case colOpen:
		return "open"
	case colHigh:
		return "high"
	case colLow:
		return "low"
	case colClose:
		return "close"
	case colAdj:
		return "adj_close"
	case colVolume:
		return "volume"
	}
	return ""
}

// canonical maps a header cell to a column index and the alias rank (lower
// wins), or -1 for an unknown column.
func canonical(h string) (col, rank int) {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch r {
		case ' ', '_', '-', '.', '*', '\t':
			continue
		}
		b.WriteRune(r)
	}
	switch b.String() {
	case "date":
		return colDate, 0
	case "datetime":
		return colDate, 1
	case "timestamp":
		return colDate, 2
	case "time":
		return colDate, 3
	case "ticker":
		return colTicker, 0
	case "symbol":
		return colTicker, 1
	case "name":
		return colTicker, 2
	case "open":
		return colOpen, 0
	case "high":
		return colHigh, 0
	case "low":
		return colLow, 0
	case "close":
		return colClose, 0
	case "adjclose":
		return colAdj, 0
	case "adjustedclose":
		return colAdj, 1
	case "volume":
		return colVolume, 0
	case "vol":
		return colVolume, 1
	}
	return -1, 0
}

// builder accumulates one ticker's rows in file order.
type builder struct {
	ticker                         string
	day                            []int64
	line                           []int
	open, high, low, close, adj, v []float64
	firstUnsorted                  int // line of the first row dated before its predecessor
	missingVol, firstMissingVol    int
}

func (b *builder) swap(i, j int) {
	b.day[i], b.day[j] = b.day[j], b.day[i]
	b.line[i], b.line[j] = b.line[j], b.line[i]
	b.open[i], b.open[j] = b.open[j], b.open[i]
	b.high[i], b.high[j] = b.high[j], b.high[i]
	b.low[i], b.low[j] = b.low[j], b.low[i]
	b.close[i], b.close[j] = b.close[j], b.close[i]
	b.v[i], b.v[j] = b.v[j], b.v[i]
	if b.adj != nil {
		b.adj[i], b.adj[j] = b.adj[j], b.adj[i]
	}
}

// byDay sorts a builder by date, then file line, keeping every column in
// step.
type byDay struct{ *builder }

func (s byDay) Len() int { return len(s.day) }
func (s byDay) Less(i, j int) bool {
	if s.day[i] != s.day[j] {
		return s.day[i] < s.day[j]
	}
	return s.line[i] < s.line[j]
}
func (s byDay) Swap(i, j int) { s.swap(i, j) }

// parser holds the state of reading one file.
type parser struct {
	name   string
	opt    LoadOptions
	idx    [numCols]int
	ncols  int
	fixed  string // ticker for files without a ticker column
	byName map[string]*builder
	order  []*builder
	last   *builder
	warns  []Warning
	rows   int
}

func (p *parser) errAt(row, col int, err error) error {
	e := &DataError{File: p.name, Row: row, Err: err}
	if col >= 0 {
		e.Column = colName(col)
	}
	return e
}

func (p *parser) warn(kind WarningKind, row int, ticker, msg string) {
	p.warns = append(p.warns, Warning{Kind: kind, File: p.name, Row: row, Ticker: ticker, Message: msg})
}

const utf8BOM = "\xef\xbb\xbf"

func parseFile(r io.Reader, name string, opt LoadOptions) (*fileResult, error) {
	p := &parser{name: name, opt: opt, byName: make(map[string]*builder)}

	br := bufio.NewReaderSize(r, 64<<10)
	if head, _ := br.Peek(len(utf8BOM)); string(head) == utf8BOM {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, readError(name, err)
		}
	}
	cr := csv.NewReader(&lineLimiter{r: br, name: name, line: 1})
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err == io.EOF {
		return nil, &DataError{File: name, Err: fmt.Errorf("%w: empty file, no header", ErrEmpty)}
	}
	if err != nil {
		return nil, p.csvError(err)
	}
	headerLine, _ := cr.FieldPos(0)
	if err := p.readHeader(header, headerLine); err != nil {
		return nil, err
	}

	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, p.csvError(err)
		}
		line, _ := cr.FieldPos(0)
		p.rows++
		if err := p.readRow(rec, line); err != nil {
			return nil, err
		}
	}
	if p.rows == 0 {
		return nil, &DataError{File: name, Err: fmt.Errorf("%w: header but no data rows", ErrEmpty)}
	}
	return p.finish()
}

func (p *parser) csvError(err error) error {
	var de *DataError
	if errors.As(err, &de) {
		return de
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine > 0 && pe.StartLine != pe.Line {
			// An unterminated quote runs to the end of the file; the
			// record where it opened is the line worth naming.
			return &DataError{File: p.name, Row: pe.StartLine, Err: fmt.Errorf(
				"%w: quoted field opened on this line is never closed (input ends on line %d)", ErrSyntax, pe.Line)}
		}
		return &DataError{File: p.name, Row: pe.Line, Err: fmt.Errorf("%w: %v", ErrSyntax, pe.Err)}
	}
	return readError(p.name, err)
}

func (p *parser) readHeader(header []string, line int) error {
	p.ncols = len(header)
	var rank [numCols]int
	for k := range p.idx {
		p.idx[k] = -1
	}
	for i, h := range header {
		k, r := canonical(h)
		switch {
		case k < 0:
			continue
		case p.idx[k] < 0 || r < rank[k]:
			p.idx[k], rank[k] = i, r
		case r == rank[k]:
			return p.errAt(line, k, fmt.Errorf("%w: header fields %d and %d",
				ErrDuplicateColumn, p.idx[k]+1, i+1))
		}
	}

	var missing []string
	for _, k := range []int{colDate, colOpen, colHigh, colLow, colClose} {
		if p.idx[k] < 0 {
			missing = append(missing, strconv.Quote(colName(k)))
		}
	}
	if len(missing) > 0 {
		plural := ""
		if len(missing) > 1 {
			plural = "s"
		}
		hint := csvsep.Hint(header)
		if hint != "" {
			hint = "; " + hint
		}
		return &DataError{File: p.name, Column: strings.Trim(missing[0], `"`), Err: fmt.Errorf(
			"%w%s %s (have: %s)%s", ErrMissingColumn, plural, strings.Join(missing, ", "), haveList(header), hint)}
	}

	if p.idx[colTicker] < 0 {
		p.fixed = p.opt.Ticker
		if p.fixed == "" {
			p.fixed = tickerFromName(p.name)
		}
		if p.fixed == "" {
			return &DataError{File: p.name, Err: fmt.Errorf(
				"%w: no ticker column and none derivable from the name; set LoadOptions.Ticker", ErrNoTicker)}
		}
	}
	if p.idx[colVolume] < 0 {
		p.warn(WarnVolume, 0, "", "no volume column; volume is NaN")
	}
	return nil
}

// haveList renders header cells for a message, quoting odd ones and
// shortening long headers.
func haveList(header []string) string {
	const maxNames = 16
	parts := make([]string, 0, min(len(header), maxNames)+1)
	for i, h := range header {
		if i == maxNames {
			parts = append(parts, fmt.Sprintf("... %d more", len(header)-maxNames))
			break
		}
		h = strings.TrimSpace(h)
		if q := strconv.Quote(h); h == "" || len(h) > 40 || q[1:len(q)-1] != h || strings.ContainsRune(h, ',') {
			h = clip(h)
		}
		parts = append(parts, h)
	}
	return strings.Join(parts, ", ")
}

// clip quotes a cell for a message, shortening it to at most 40 bytes.
func clip(s string) string {
	const maxLen = 40
	if len(s) > maxLen {
		return strconv.Quote(s[:maxLen]) + "..."
	}
	return strconv.Quote(s)
}

// tickerFromName derives a ticker from a file name, or "" if none.
func tickerFromName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	ext := path.Ext(name)
	if strings.EqualFold(ext, ".csv") || strings.EqualFold(ext, ".txt") {
		name = name[:len(name)-len(ext)]
	}
	if n := len(name) - len("_data"); n > 0 && strings.EqualFold(name[n:], "_data") {
		name = name[:n]
	}
	name = strings.TrimSpace(name)
	if !strings.ContainsFunc(name, func(r rune) bool {
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}) {
		return ""
	}
	return strings.ToUpper(name)
}

func isMissing(s string) bool {
	if s == "" {
		return true
	}
	if c := s[0]; len(s) > 4 || c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' {
		return false
	}
	for _, m := range [...]string{"na", "n/a", "#n/a", "nan", "null", "none"} {
		if strings.EqualFold(s, m) {
			return true
		}
	}
	return false
}

type numStatus int

const (
	numOK numStatus = iota
	numMissing
	numBad
)

func parseNumber(cell string) (float64, numStatus) {
	s := strings.TrimSpace(cell)
	if isMissing(s) {
		return math.NaN(), numMissing
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, numBad
	}
	return f, numOK
}

func (p *parser) readRow(rec []string, line int) error {
	if len(rec) != p.ncols {
		return p.errAt(line, -1, fmt.Errorf("%w: row has %d, header has %d", ErrFieldCount, len(rec), p.ncols))
	}

	b, err := p.builderFor(rec, line)
	if err != nil {
		return err
	}

	cell := strings.TrimSpace(rec[p.idx[colDate]])
	if isMissing(cell) {
		return p.errAt(line, colDate, ErrMissingValue)
	}
	day, ok := parseDay(cell)
	if !ok {
		return p.errAt(line, colDate, fmt.Errorf("%w %s%s", ErrBadDate, clip(cell), dayFirstHint(cell)))
	}

	// Prices: collect all, so that a malformed cell is reported even on a
	// row that DropIncomplete would drop.
	var px [numCols]float64
	firstMissing := -1
	for _, k := range [...]int{colOpen, colHigh, colLow, colClose, colAdj} {
		if p.idx[k] < 0 {
			continue
		}
		raw := rec[p.idx[k]]
		v, st := parseNumber(raw)
		switch st {
		case numMissing:
			if !p.opt.DropIncomplete {
				return p.errAt(line, k, fmt.Errorf(
					"%w (LoadOptions.DropIncomplete drops such rows)", ErrMissingValue))
			}
			if firstMissing < 0 {
				firstMissing = k
			}
		case numBad:
			return p.errAt(line, k, fmt.Errorf("%w %s", ErrBadNumber, clip(strings.TrimSpace(raw))))
		default:
			if v <= 0 {
				return p.errAt(line, k, fmt.Errorf("%w %s", ErrNonPositivePrice, fmtNum(v)))
			}
		}
		px[k] = v
	}

	vol := math.NaN()
	volMissing := false
	if i := p.idx[colVolume]; i >= 0 {
		v, st := parseNumber(rec[i])
		switch st {
		case numMissing:
			volMissing = true
		case numBad:
			return p.errAt(line, colVolume, fmt.Errorf("%w %s", ErrBadNumber, clip(strings.TrimSpace(rec[i]))))
		default:
			if v < 0 {
				return p.errAt(line, colVolume, fmt.Errorf("%w %s", ErrNegativeVolume, fmtNum(v)))
			}
			vol = v
		}
	}

	if firstMissing >= 0 {
		p.warn(WarnDropped, line, b.ticker, fmt.Sprintf("dropped row dated %s: missing %s", dayString(day), colName(firstMissing)))
		return nil
	}
	if err := p.checkOHLC(px, line, b.ticker); err != nil {
		return err
	}
	if volMissing {
		if b.missingVol == 0 {
			b.firstMissingVol = line
		}
		b.missingVol++
	}

	if n := len(b.day); n > 0 && day < b.day[n-1] && b.firstUnsorted == 0 {
		b.firstUnsorted = line
	}
	b.day = append(b.day, day)
	b.line = append(b.line, line)
	b.open = append(b.open, px[colOpen])
	b.high = append(b.high, px[colHigh])
	b.low = append(b.low, px[colLow])
	b.close = append(b.close, px[colClose])
	b.v = append(b.v, vol)
	if p.idx[colAdj] >= 0 {
		b.adj = append(b.adj, px[colAdj])
	}
	return nil
}

// builderFor returns the builder of the row's ticker, creating it if new.
func (p *parser) builderFor(rec []string, line int) (*builder, error) {
	ticker := p.fixed
	if i := p.idx[colTicker]; i >= 0 {
		ticker = strings.ToUpper(strings.TrimSpace(rec[i]))
		if isMissing(ticker) {
			return nil, p.errAt(line, colTicker, ErrMissingValue)
		}
		if p.opt.Ticker != "" {
			if !strings.EqualFold(ticker, p.opt.Ticker) {
				return nil, p.errAt(line, colTicker, fmt.Errorf(
					"%w: %s differs from LoadOptions.Ticker %q", ErrMixedTickers, clip(ticker), p.opt.Ticker))
			}
			ticker = p.opt.Ticker
		}
	}
	if p.last != nil && p.last.ticker == ticker {
		return p.last, nil
	}
	b := p.byName[ticker]
	if b == nil {
		b = &builder{ticker: strings.Clone(ticker)}
		if p.idx[colAdj] >= 0 {
			b.adj = []float64{}
		}
		p.byName[b.ticker] = b
		p.order = append(p.order, b)
	}
	p.last = b
	return b, nil
}

// checkOHLC applies the bar consistency checks, as errors with StrictOHLC
// and as warnings otherwise.
func (p *parser) checkOHLC(px [numCols]float64, line int, ticker string) error {
	o, h, l, c := px[colOpen], px[colHigh], px[colLow], px[colClose]
	var sentinel error
	var msg string
	switch {
	case h < l:
		sentinel, msg = ErrHighLow, fmt.Sprintf("high %s < low %s", fmtNum(h), fmtNum(l))
	case o < l || o > h:
		sentinel, msg = ErrOHLCRange, fmt.Sprintf("open %s outside [low %s, high %s]", fmtNum(o), fmtNum(l), fmtNum(h))
	case c < l || c > h:
		sentinel, msg = ErrOHLCRange, fmt.Sprintf("close %s outside [low %s, high %s]", fmtNum(c), fmtNum(l), fmtNum(h))
	default:
		return nil
	}
	if p.opt.StrictOHLC {
		return p.errAt(line, -1, fmt.Errorf("%w: %s", sentinel, msg))
	}
	p.warn(WarnOHLC, line, ticker, msg+"; row kept")
	return nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// finish sorts, de-duplicates and checks each ticker, then converts the
// builders into Series.
func (p *parser) finish() (*fileResult, error) {
	sort.Slice(p.order, func(i, j int) bool { return p.order[i].ticker < p.order[j].ticker })
	fr := &fileResult{name: p.name}
	for _, b := range p.order {
		if b.firstUnsorted > 0 {
			sort.Stable(byDay{b})
			p.warn(WarnUnsorted, b.firstUnsorted, b.ticker, "rows not in date order; sorted by date")
		}
		if err := p.dedupe(b); err != nil {
			return nil, err
		}
		if n := len(b.day); n < p.opt.MinBars {
			return nil, &DataError{File: p.name, Err: fmt.Errorf(
				"%w: ticker %s has %d bars, need at least %d (LoadOptions.MinBars)",
				ErrTooFewRows, clip(b.ticker), n, p.opt.MinBars)}
		}
		for i := 1; i < len(b.day); i++ {
			if gap := b.day[i] - b.day[i-1]; gap > int64(p.opt.MaxGapDays) {
				p.warn(WarnGap, b.line[i], b.ticker, fmt.Sprintf(
					"gap of %d calendar days after %s", gap, dayString(b.day[i-1])))
			}
		}
		if b.missingVol > 0 {
			p.warn(WarnVolume, b.firstMissingVol, b.ticker, fmt.Sprintf(
				"%d missing volume cells set to NaN", b.missingVol))
		}
		fr.series = append(fr.series, b.series())
	}
	sort.SliceStable(p.warns, func(i, j int) bool { return p.warns[i].Row < p.warns[j].Row })
	fr.warnings = p.warns
	return fr, nil
}

// dedupe handles rows sharing a date in a date-sorted builder: an error
// naming the lowest such line, or with KeepLast, dropping all but the last
// row (in file order) of each date.
func (p *parser) dedupe(b *builder) error {
	n := len(b.day)
	bad, first := 0, 0
	for i := 1; i < n; i++ {
		if b.day[i] == b.day[i-1] && (bad == 0 || b.line[i] < bad) {
			bad, first = b.line[i], b.line[i-1]
			for j := i - 1; j > 0 && b.day[j-1] == b.day[i]; j-- {
				first = b.line[j-1]
			}
		}
	}
	if bad == 0 {
		return nil
	}
	if !p.opt.KeepLast {
		return &DataError{File: p.name, Row: bad, Err: fmt.Errorf(
			"%w %s (first seen on line %d)", ErrDuplicateDate, dayString(b.day0(bad)), first)}
	}

	w := 0
	for i := 0; i < n; i++ {
		if i+1 < n && b.day[i+1] == b.day[i] {
			p.warn(WarnDuplicate, b.line[i], b.ticker, fmt.Sprintf(
				"duplicate date %s: row dropped, kept line %d", dayString(b.day[i]), lastOfRun(b, i)))
			continue
		}
		b.day[w], b.line[w] = b.day[i], b.line[i]
		b.open[w], b.high[w], b.low[w], b.close[w], b.v[w] = b.open[i], b.high[i], b.low[i], b.close[i], b.v[i]
		if b.adj != nil {
			b.adj[w] = b.adj[i]
		}
		w++
	}
	b.day, b.line = b.day[:w], b.line[:w]
	b.open, b.high, b.low, b.close, b.v = b.open[:w], b.high[:w], b.low[:w], b.close[:w], b.v[:w]
	if b.adj != nil {
		b.adj = b.adj[:w]
	}
	return nil
}

func lastOfRun(b *builder, i int) int {
	for i+1 < len(b.day) && b.day[i+1] == b.day[i] {
		i++
	}
	return b.line[i]
}

// day0 returns the date of the row read from line.
func (b *builder) day0(line int) int64 {
	for i, l := range b.line {
		if l == line {
			return b.day[i]
		}
	}
	return 0
}

func (b *builder) series() *Series {
	t := make([]time.Time, len(b.day))
	for i, d := range b.day {
		t[i] = dayTime(d)
	}
	return &Series{
		Ticker:   b.ticker,
		Time:     t,
		Open:     b.open,
		High:     b.high,
		Low:      b.low,
		Close:    b.close,
		Volume:   b.v,
		AdjClose: b.adj,
	}
}

// MaxLineBytes is the longest line the loader reads. A daily bar takes well
// under a hundred bytes; the limit stops a file with no line breaks (or a
// device such as /dev/zero) from being read into memory whole.
const MaxLineBytes = 1 << 20

// lineLimiter passes bytes through and fails once a line grows past
// MaxLineBytes, naming that line.
type lineLimiter struct {
	r    io.Reader
	name string
	line int // 1-based line being read
	run  int // bytes since the last line break
}

func (l *lineLimiter) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for _, c := range b[:n] {
		if c == '\n' {
			l.line++
			l.run = 0
			continue
		}
		l.run++
		if l.run > MaxLineBytes {
			return 0, &DataError{File: l.name, Row: l.line, Err: fmt.Errorf(
				"%w: line longer than %d bytes", ErrSyntax, MaxLineBytes)}
		}
	}
	return n, err
}
