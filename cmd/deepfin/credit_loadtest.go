package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/finance/credit"
	"github.com/deepfin/deepfin/finance/credit/server"
)

type loadtestFlags struct {
	url, data         string
	clients, batch    int
	duration          time.Duration
	maxRequests       int
	malformed, asJSON bool
}

// newCreditLoadtestCmd is a hidden load generator for "deepfin serve",
// limited to loopback addresses.
func newCreditLoadtestCmd() *cobra.Command {
	f := &loadtestFlags{}
	cmd := &cobra.Command{
		Use:    "loadtest",
		Short:  "Load-test a local deepfin serve: requests/s, latency percentiles, errors, malformed requests",
		Hidden: true,
		Long: `Loadtest sends the applicants of a CSV to a running "deepfin serve" on this
machine (loopback addresses only) from --clients concurrent clients with
keep-alive connections for --duration, then prints requests/s, latency
percentiles and the error count. With --malformed it then sends twenty kinds
of invalid applicant, checks that each answers 400 naming the field, and
that a valid applicant still scores. It fails (exit 1) on any error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runLoadtest(cmd.Context(), f, cmd.OutOrStdout())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "http://127.0.0.1:8080", "base URL of the server (loopback only)")
	fl.StringVar(&f.data, "data", "", "CSV of applicants to send (required)")
	fl.IntVar(&f.clients, "clients", 64, "concurrent clients")
	fl.IntVar(&f.batch, "batch", 1, "applicants per request")
	fl.DurationVar(&f.duration, "duration", 30*time.Second, "how long to send")
	fl.IntVar(&f.maxRequests, "max-requests", 0, "stop after this many requests (0: no limit)")
	fl.BoolVar(&f.malformed, "malformed", true, "also send the malformed-request suite")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as JSON")
	return cmd
}

// loadResult is the outcome of a load test.
type loadResult struct {
	URL          string         `json:"url"`
	Clients      int            `json:"clients"`
	Batch        int            `json:"batch"`
	Seconds      float64        `json:"seconds"`
	Requests     int            `json:"requests"`
	Errors       int            `json:"errors"`
	FirstError   string         `json:"first_error,omitempty"`
	RequestsPerS float64        `json:"requests_per_s"`
	RowsPerS     float64        `json:"rows_per_s"`
	P50Ms        float64        `json:"p50_ms"`
	P90Ms        float64        `json:"p90_ms"`
	P99Ms        float64        `json:"p99_ms"`
	MaxMs        float64        `json:"max_ms"`
	Malformed    []malformedRun `json:"malformed,omitempty"`
	GoodAfter    bool           `json:"good_request_after_malformed"`
}

type malformedRun struct {
	Name   string `json:"name"`
	Field  string `json:"want_field"`
	Status int    `json:"status"`
	Got    string `json:"got_field"`
	Error  string `json:"error"`
	OK     bool   `json:"ok"`
}

// schemaInfo is the part of GET /v1/schema the load test needs.
type schemaInfo struct {
	Kind   string         `json:"kind"`
	Fields []credit.Field `json:"fields"`
}

func checkLoopbackURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("--url %q: want http://", raw)
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	if !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--url %q: the load test only targets loopback addresses (127.0.0.1, ::1, localhost)", raw)
	}
	return u, nil
}

func runLoadtest(ctx context.Context, f *loadtestFlags, stdout io.Writer) error {
	u, err := checkLoopbackURL(f.url)
	if err != nil {
		return err
	}
	if f.data == "" || f.clients < 1 || f.batch < 1 || f.duration <= 0 || f.maxRequests < 0 {
		return errors.New("loadtest needs --data, and positive --clients, --batch and --duration")
	}
	base := strings.TrimSuffix(u.String(), "/")
	tr := &http.Transport{MaxIdleConns: f.clients, MaxIdleConnsPerHost: f.clients, MaxConnsPerHost: f.clients, IdleConnTimeout: 30 * time.Second}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()

	var info schemaInfo
	if err := getJSON(ctx, client, base+"/v1/schema", &info); err != nil {
		return err
	}
	schema, err := credit.NewSchema(info.Fields)
	if err != nil {
		return err
	}
	apps, err := applicantsJSON(f.data, schema)
	if err != nil {
		return err
	}
	bodies := make([][]byte, 0, len(apps)/f.batch+1)
	if f.batch == 1 {
		bodies = apps
	} else {
		for i := 0; i+f.batch <= len(apps); i += f.batch {
			bodies = append(bodies, append(append([]byte("["), bytes.Join(apps[i:i+f.batch], []byte(","))...), ']'))
		}
		if len(bodies) == 0 {
			return fmt.Errorf("%s: %d applicants, fewer than --batch %d", f.data, len(apps), f.batch)
		}
	}

	res := loadResult{URL: base, Clients: f.clients, Batch: f.batch}
	lat, nerr, firstErr, elapsed := hammer(ctx, client, base+"/v1/score", bodies, f)
	res.Seconds = elapsed.Seconds()
	res.Requests, res.Errors = len(lat), nerr
	if firstErr != nil {
		res.FirstError = firstErr.Error()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		ms := func(q float64) float64 {
			return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / 1e6
		}
		res.RequestsPerS = float64(len(lat)) / res.Seconds
		res.RowsPerS = res.RequestsPerS * float64(f.batch)
		res.P50Ms, res.P90Ms, res.P99Ms = ms(0.50), ms(0.90), ms(0.99)
		res.MaxMs = float64(lat[len(lat)-1]) / 1e6
	}
	if f.malformed {
		good := apps[0]
		for _, c := range malformedCases(schema, good) {
			res.Malformed = append(res.Malformed, sendMalformed(ctx, client, base+"/v1/score", c))
		}
		st, _, err := post(ctx, client, base+"/v1/score", good)
		res.GoodAfter = err == nil && st == http.StatusOK
	}

	if f.asJSON {
		if err := printJSON(stdout, res); err != nil {
			return err
		}
	} else {
		printLoad(stdout, res)
	}
	bad := 0
	for _, m := range res.Malformed {
		if !m.OK {
			bad++
		}
	}
	switch {
	case res.Errors > 0:
		return fmt.Errorf("loadtest: %d of %d requests failed, first: %s", res.Errors, res.Requests, res.FirstError)
	case bad > 0:
		return fmt.Errorf("loadtest: %d of %d malformed requests were not answered 400 with the field named", bad, len(res.Malformed))
	case f.malformed && !res.GoodAfter:
		return errors.New("loadtest: a valid request after the malformed ones failed")
	}
	return nil
}

// hammer sends bodies round-robin from f.clients goroutines until the
// duration, the request cap or ctx ends, and returns every successful
// request's latency in nanoseconds, the number of failures and the first.
func hammer(ctx context.Context, client *http.Client, target string, bodies [][]byte, f *loadtestFlags) ([]int64, int, error, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, f.duration)
	defer cancel()
	var (
		mu       sync.Mutex
		all      []int64
		nerr     int
		firstErr error
		sent     int
		wg       sync.WaitGroup
	)
	take := func() bool {
		mu.Lock()
		defer mu.Unlock()
		if f.maxRequests > 0 && sent >= f.maxRequests {
			return false
		}
		sent++
		return true
	}
	start := time.Now()
	for c := range f.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []int64
			var errs int
			var first error
			for i := c; ctx.Err() == nil && take(); i += f.clients {
				t0 := time.Now()
				st, body, err := post(ctx, client, target, bodies[i%len(bodies)])
				d := time.Since(t0)
				if ctx.Err() != nil && err != nil {
					break // cut off by the end of the run, not a failure
				}
				if err == nil && st != http.StatusOK {
					err = fmt.Errorf("status %d: %s", st, bytes.TrimSpace(body))
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, d.Nanoseconds())
			}
			mu.Lock()
			all = append(all, lat...)
			nerr += errs
			if firstErr == nil {
				firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, nerr, firstErr, time.Since(start)
}

func post(ctx context.Context, client *http.Client, target string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

func getJSON(ctx context.Context, client *http.Client, target string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// applicantsJSON reads a CSV and returns each row as a JSON object of the
// schema's fields (numbers as numbers, empty cells left out).
func applicantsJSON(path string, s *credit.Schema) ([][]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	cr := csv.NewReader(fh)
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(path, err)
	}
	header = trimHeader(header)
	if err := checkHeader(path, header, s, func(fd credit.Field) bool { return fd.Required }); err != nil {
		return nil, err
	}
	cols := make([]int, s.Len())
	for i := range cols {
		cols[i] = slices.Index(header, s.Fields[i].Name)
	}
	var out [][]byte
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(path, err)
		}
		m := make(map[string]any, s.Len())
		for i, fd := range s.Fields {
			if cols[i] < 0 || strings.TrimSpace(rec[cols[i]]) == "" {
				continue
			}
			cell := strings.TrimSpace(rec[cols[i]])
			if fd.Kind == credit.Numeric {
				x, err := strconv.ParseFloat(cell, 64)
				if err != nil {
					line, _ := cr.FieldPos(cols[i])
					return nil, &credit.DataError{File: path, Line: line, Column: fd.Name,
						Err: fmt.Errorf("%w: %q is not a number", credit.ErrWrongType, cell)}
				}
				m[fd.Name] = x
			} else {
				m[fd.Name] = cell
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no applicants", path)
	}
	return out, nil
}

type malformedCase struct {
	name, field, body string
	index             int // batch position, -1 for a single applicant
}

// malformedCases builds twenty kinds of invalid request from a valid
// applicant: each names the field the server must report.
func malformedCases(s *credit.Schema, good []byte) []malformedCase {
	var app map[string]json.RawMessage
	if err := json.Unmarshal(good, &app); err != nil {
		return nil
	}
	num, cat := "", ""
	for _, fd := range s.Fields {
		if fd.Required && fd.Kind == credit.Numeric && num == "" {
			num = fd.Name
		}
		if fd.Required && fd.Kind == credit.Categorical && cat == "" {
			cat = fd.Name
		}
	}
	if num == "" {
		num = s.Fields[0].Name
	}
	if cat == "" {
		cat = num // an all-numeric model: category cases test a number field
	}
	with := func(field, value string) string {
		var b strings.Builder
		b.WriteByte('{')
		first := true
		add := func(k, v string) {
			if !first {
				b.WriteByte(',')
			}
			first = false
			fmt.Fprintf(&b, "%q:%s", k, v)
		}
		for _, fd := range s.Fields {
			v, ok := app[fd.Name]
			if fd.Name == field {
				if value != "" {
					add(field, value)
				}
				continue
			}
			if ok {
				add(fd.Name, string(v))
			}
		}
		if s.Index(field) < 0 && value != "" {
			add(field, value)
		}
		b.WriteByte('}')
		return b.String()
	}
	batch := func(i int, bad string) string {
		items := []string{string(good), string(good), string(good)}
		items[i] = bad
		return "[" + strings.Join(items, ",") + "]"
	}
	outOfRange := "-1e12"
	if fd := s.Fields[s.Index(num)]; fd.Max != nil {
		outOfRange = strconv.FormatFloat(*fd.Max+1, 'g', -1, 64)
	} else if fd.Min != nil {
		outOfRange = strconv.FormatFloat(*fd.Min-1, 'g', -1, 64)
	}
	g := string(good)
	renamed := strings.ToUpper(num)
	if renamed == num {
		renamed = strings.ToLower(num)
	}
	cases := []malformedCase{
		{"unknown field", "colour", with("colour", `"red"`), -1},
		{"unknown field, object value", "extra", with("extra", `{"a":1}`), -1},
		{"field name in other case", renamed, with(renamed, "1"), -1},
		{"missing required field", cat, with(cat, ""), -1},
		{"null required field", cat, with(cat, "null"), -1},
		{"number as string", num, with(num, `"12"`), -1},
		{"number as boolean", num, with(num, "true"), -1},
		{"number as object", num, with(num, `{"v":1}`), -1},
		{"number as array", num, with(num, "[1]"), -1},
		{"category as number", cat, with(cat, "7"), -1},
		{"unknown category", cat, with(cat, `"no-such-category"`), -1},
		{"out of range", num, with(num, outOfRange), -1},
		{"overflow to +inf", num, with(num, "1e999"), -1},
		{"overflow to -inf", num, with(num, "-1e999"), -1},
		{"NaN literal", num, with(num, "NaN"), -1},
		{"Infinity literal", num, with(num, "Infinity"), -1},
		{"hex number", num, with(num, "0x1F"), -1},
		{"duplicate field", num, strings.TrimSuffix(g, "}") + fmt.Sprintf(",%q:1}", num), -1},
		{"truncated body", num, fmt.Sprintf("{%q:1", num), -1},
		{"batch item with wrong type", num, batch(1, with(num, `"x"`)), 1},
		{"batch item missing field", cat, batch(2, with(cat, "")), 2},
	}
	if cat == num {
		// no categorical field: replace the category cases by numeric ones
		cases[9] = malformedCase{"number as null string", num, with(num, `""`), -1}
		cases[10] = malformedCase{"leading plus", num, with(num, "+1"), -1}
	}
	return cases
}

func sendMalformed(ctx context.Context, client *http.Client, target string, c malformedCase) malformedRun {
	r := malformedRun{Name: c.name, Field: c.field}
	st, body, err := post(ctx, client, target, []byte(c.body))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Status = st
	var e server.ErrorResponse
	if err := json.Unmarshal(body, &e); err != nil {
		r.Error = "answer is not JSON: " + string(bytes.TrimSpace(body))
		return r
	}
	r.Got, r.Error = e.Field, e.Error
	r.OK = st == http.StatusBadRequest && e.Field == c.field
	if c.index >= 0 {
		r.OK = r.OK && e.Index != nil && *e.Index == c.index
	}
	return r
}

func printLoad(w io.Writer, r loadResult) {
	fmt.Fprintf(w, "%s: %d clients, %d applicant(s) per request, %.1f s\n", r.URL, r.Clients, r.Batch, r.Seconds)
	fmt.Fprintf(w, "requests %d, errors %d, %.0f requests/s, %.0f applicants/s\n", r.Requests, r.Errors, r.RequestsPerS, r.RowsPerS)
	fmt.Fprintf(w, "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", r.P50Ms, r.P90Ms, r.P99Ms, r.MaxMs)
	if len(r.Malformed) == 0 {
		return
	}
	ok := 0
	fmt.Fprintln(w, "\nmalformed requests")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tstatus\tfield\tok\terror")
	for _, m := range r.Malformed {
		if m.OK {
			ok++
		}
		msg := m.Error
		if len(msg) > 70 {
			msg = msg[:70] + "…"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%v\t%s\n", m.Name, m.Status, m.Got, m.OK, msg)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d of %d answered 400 naming the field; valid request afterwards: %v\n", ok, len(r.Malformed), r.GoodAfter)
}
