package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/finance/credit"
)

// fixture fits a scorecard on the package's German credit fixture and
// returns the bundle, the data and each row as a JSON-ready applicant.
func fixture(t testing.TB) (*credit.Bundle, *credit.Dataset, []map[string]any) {
	t.Helper()
	d, err := credit.LoadCSV("../testdata/german_200.csv", credit.LoadOptions{Target: "class", Bad: "2"})
	require.NoError(t, err)
	sc, err := credit.FitScorecard(context.Background(), d, nil, credit.ScorecardConfig{Fitter: credit.NewtonLogistic{}})
	require.NoError(t, err)
	apps := make([]map[string]any, d.Len())
	for i := range apps {
		apps[i] = map[string]any{}
		for _, c := range d.Columns {
			if c.Kind == credit.Numeric {
				apps[i][c.Name] = c.Num[i]
			} else {
				apps[i][c.Name] = c.Cat[i]
			}
		}
	}
	return &credit.Bundle{Scorecard: sc, Target: "class", Bad: "2"}, d, apps
}

func newHandler(t testing.TB, cfg Config) (*Handler, *credit.Bundle, []map[string]any) {
	t.Helper()
	b, _, apps := fixture(t)
	h, err := New(b, cfg)
	require.NoError(t, err)
	return h, b, apps
}

func post(h http.Handler, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/v1/score", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// want computes the expected answer for an applicant directly.
func want(t testing.TB, b *credit.Bundle, app map[string]any) Result {
	t.Helper()
	x, err := b.Schema().ValidateApplicant(app)
	require.NoError(t, err)
	s, pd := b.Score(x)
	return Result{Score: s, PD: pd, Reasons: b.Reasons(x, nil, 3)}
}

func TestScoreOne(t *testing.T) {
	h, b, apps := newHandler(t, Config{})
	w := post(h, mustJSON(t, apps[1]))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var got Result
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	exp := want(t, b, apps[1])
	assert.InDelta(t, exp.Score, got.Score, 1e-9)
	assert.InDelta(t, exp.PD, got.PD, 1e-12)
	require.Len(t, got.Reasons, len(exp.Reasons))
	for i := range exp.Reasons {
		assert.Equal(t, exp.Reasons[i].Attribute, got.Reasons[i].Attribute)
		assert.InDelta(t, exp.Reasons[i].Loss, got.Reasons[i].Loss, 1e-9)
	}
}

func TestScoreBatch(t *testing.T) {
	h, b, apps := newHandler(t, Config{})
	w := post(h, mustJSON(t, apps[:25]))
	require.Equal(t, http.StatusOK, w.Code, w.Body.String())
	var got BatchResponse
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &got))
	require.Len(t, got.Results, 25)
	for i, r := range got.Results {
		exp := want(t, b, apps[i])
		assert.InDelta(t, exp.Score, r.Score, 1e-9, "applicant %d", i)
		assert.InDelta(t, exp.PD, r.PD, 1e-12, "applicant %d", i)
	}
}

func TestOptionalFieldMayBeNullOrAbsent(t *testing.T) {
	h, b, apps := newHandler(t, Config{})
	var optional string
	for _, f := range b.Schema().Fields {
		if !f.Required {
			optional = f.Name
			break
		}
	}
	if optional == "" {
		t.Skip("every field of the fixture's scorecard is required")
	}
	app := clone(apps[0])
	app[optional] = nil
	assert.Equal(t, http.StatusOK, post(h, mustJSON(t, app)).Code)
	delete(app, optional)
	assert.Equal(t, http.StatusOK, post(h, mustJSON(t, app)).Code)
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// raw builds an applicant body from apps[0] with the JSON text of one
// field replaced (or added), or removed when value is "".
func raw(t testing.TB, app map[string]any, field, value string) string {
	t.Helper()
	var parts []string
	done := false
	for _, k := range sortedKeys(app) {
		if k == field {
			done = true
			if value == "" {
				continue
			}
			parts = append(parts, fmt.Sprintf("%q:%s", k, value))
			continue
		}
		parts = append(parts, fmt.Sprintf("%q:%s", k, mustJSON(t, app[k])))
	}
	if !done && value != "" {
		parts = append(parts, fmt.Sprintf("%q:%s", field, value))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// TestMalformedApplicants sends twenty-odd kinds of bad applicant and
// checks each answers 400 naming the field, then that the handler still
// scores a good applicant.
func TestMalformedApplicants(t *testing.T) {
	h, b, apps := newHandler(t, Config{})
	a := apps[0]
	require.True(t, b.Schema().Fields[b.Schema().Index("checking_status")].Required, "fixture: checking_status is used")
	require.True(t, b.Schema().Fields[b.Schema().Index("duration_months")].Required, "fixture: duration_months is used")
	good := mustJSON(t, a)
	batchWith := func(i int, bad string) string {
		items := make([]string, 4)
		for j := range items {
			items[j] = good
		}
		items[i] = bad
		return "[" + strings.Join(items, ",") + "]"
	}
	cases := []struct {
		name  string
		body  string
		field string
		index int // -1: not a batch
		want  string
	}{
		{"unknown field", raw(t, a, "colour", `"red"`), "colour", -1, "unknown field"},
		{"unknown field with object value", raw(t, a, "extra", `{"a":1}`), "extra", -1, "unknown field"},
		{"field name in wrong case", raw(t, a, "Duration_Months", `12`), "Duration_Months", -1, "unknown field"},
		{"missing required field", raw(t, a, "checking_status", ""), "checking_status", -1, "missing required field"},
		{"null required field", raw(t, a, "checking_status", "null"), "checking_status", -1, "missing required field"},
		{"number as string", raw(t, a, "duration_months", `"24"`), "duration_months", -1, "wrong type"},
		{"number as boolean", raw(t, a, "duration_months", `true`), "duration_months", -1, "wrong type"},
		{"number as object", raw(t, a, "duration_months", `{"value":24}`), "duration_months", -1, "wrong type"},
		{"number as array", raw(t, a, "duration_months", `[24]`), "duration_months", -1, "wrong type"},
		{"category as number", raw(t, a, "checking_status", `11`), "checking_status", -1, "wrong type"},
		{"unknown category", raw(t, a, "checking_status", `"A19"`), "checking_status", -1, "unknown category"},
		{"empty category", raw(t, a, "checking_status", `""`), "checking_status", -1, "unknown category"},
		{"negative out of range", raw(t, a, "duration_months", `-6`), "duration_months", -1, "out of range: -6 < min 0"},
		{"absurd age", raw(t, a, "age_years", `99999999999999999999999999999`), "age_years", -1, "out of range: 1e+29 > max"},
		{"absurd amount", raw(t, a, "credit_amount", `1e300`), "credit_amount", -1, "out of range: 1e+300 > max"},
		{"invalid UTF-8 in a category", raw(t, a, "savings", "\"A61\xff\""), "savings", -1, "value is not valid UTF-8 (byte "},
		{"invalid UTF-8 in an unknown field's object", raw(t, a, "zz_note", "{\"a\":\"\xc3\"}"), "zz_note", -1, "value is not valid UTF-8"},
		{"batch item with invalid UTF-8", batchWith(1, raw(t, a, "housing", "\"A15\xfe\"")), "housing", 1, "not valid UTF-8"},
		{"overflowing number", raw(t, a, "duration_months", `1e999`), "duration_months", -1, "non-finite"},
		{"overflowing negative number", raw(t, a, "credit_amount", `-1e400`), "credit_amount", -1, "non-finite"},
		{"NaN literal", raw(t, a, "duration_months", `NaN`), "duration_months", -1, "malformed JSON"},
		{"Infinity literal", raw(t, a, "credit_amount", `Infinity`), "credit_amount", -1, "malformed JSON"},
		{"hex number", raw(t, a, "credit_amount", `0x10`), "credit_amount", -1, "malformed JSON"},
		{"plus sign", raw(t, a, "age_years", `+30`), "age_years", -1, "malformed JSON"},
		{"duplicate field", strings.TrimSuffix(good, "}") + `,"duration_months":12}`, "duration_months", -1, "duplicate field"},
		{"truncated value", `{"duration_months":2`, "duration_months", -1, `field "duration_months": after the value: unexpected end of JSON`},
		{"truncated before value", `{"duration_months":`, "duration_months", -1, `field "duration_months": in the value: unexpected end of JSON`},
		{"missing comma", `{"duration_months":2 "age_years":30}`, "duration_months", -1, `field "duration_months": after the value: malformed JSON at byte 21`},
		{"batch item with wrong type", batchWith(2, raw(t, a, "age_years", `"old"`)), "age_years", 2, "wrong type"},
		{"batch item missing field", batchWith(3, raw(t, a, "duration_months", "")), "duration_months", 3, "missing required field"},
		{"batch item unknown field", batchWith(0, raw(t, a, "id", `7`)), "id", 0, "unknown field"},
	}
	require.GreaterOrEqual(t, len(cases), 20)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := post(h, c.body)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			var e ErrorResponse
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e), w.Body.String())
			assert.Equal(t, c.field, e.Field, e.Error)
			assert.Contains(t, e.Error, c.want)
			assert.Contains(t, e.Error, c.field)
			assert.NotContains(t, w.Body.String(), `\u003c`, "no HTML escaping")
			assert.NotRegexp(t, `(^|: )(server|credit): `, e.Error, "no package prefixes")
			if c.index >= 0 {
				require.NotNil(t, e.Index)
				assert.Equal(t, c.index, *e.Index)
			} else {
				assert.Nil(t, e.Index)
			}
			require.NotEmpty(t, e.Errors)
			assert.Equal(t, c.field, e.Errors[0].Field)
		})
	}
	w := post(h, good)
	assert.Equal(t, http.StatusOK, w.Code, "a good request after the bad ones")
}

// TestInvalidUTF8 checks that bytes which are not UTF-8 are refused as
// such, rather than read as U+FFFD and reported as an unknown category
// or field.
func TestInvalidUTF8(t *testing.T) {
	h, _, apps := newHandler(t, Config{})
	a := apps[0]
	good := mustJSON(t, a)
	cases := []struct {
		name  string
		body  string
		field string
		want  string
	}{
		{"in a field name", strings.Replace(good, `"savings"`, "\"sav\xffings\"", 1), "",
			`field name "sav\xffings" is not valid UTF-8 (byte `},
		{"in a value", raw(t, a, "savings", "\"A61\xff\""), "savings", `field "savings": value is not valid UTF-8 (byte `},
		{"outside strings", "{\xff}", "", "body is not valid UTF-8 (byte 1)"},
		{"truncated sequence at the end", strings.TrimSuffix(good, "}") + ",\"x\":\"\xe2\x82\"}", "x", "value is not valid UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := post(h, c.body)
			require.Equal(t, http.StatusBadRequest, w.Code, w.Body.String())
			require.True(t, json.Valid(w.Body.Bytes()), w.Body.String())
			var e ErrorResponse
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
			assert.Contains(t, e.Error, c.want)
			assert.Equal(t, c.field, e.Field)
			assert.NotContains(t, e.Error, "\uFFFD")
		})
	}

	// U+FFFD written as valid UTF-8 is just an unknown category
	w := post(h, raw(t, a, "savings", "\"A61\uFFFD\""))
	require.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "unknown category")
	assert.NotContains(t, w.Body.String(), "UTF-8")
}

// TestNoHTMLEscaping checks that answers keep <, > and & as they are.
func TestNoHTMLEscaping(t *testing.T) {
	h, _, apps := newHandler(t, Config{})
	w := post(h, raw(t, apps[0], "duration_months", "-5"))
	require.Equal(t, http.StatusBadRequest, w.Code)
	assert.Contains(t, w.Body.String(), "out of range: -5 < min 0 (training values 6 to 60)")
	assert.NotContains(t, w.Body.String(), `\u003c`)
}

// TestOldBundlesUnbounded serves bundles saved before fields had an upper
// limit: huge values are scored, and the answers stay finite.
func TestOldBundlesUnbounded(t *testing.T) {
	for _, kind := range []string{credit.KindScorecard, credit.KindMLP} {
		t.Run(kind, func(t *testing.T) {
			b, err := credit.LoadBundle("../testdata/bundle_v1_" + kind)
			require.NoError(t, err)
			h, err := New(b, Config{})
			require.NoError(t, err)
			app := map[string]any{}
			for _, f := range b.Schema().Fields {
				if f.Kind == credit.Numeric {
					app[f.Name] = json.Number("1e300")
				} else {
					app[f.Name] = f.Categories[len(f.Categories)-1]
				}
			}
			w := post(h, mustJSON(t, app))
			require.Equal(t, http.StatusOK, w.Code, w.Body.String())
			var r Result
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &r))
			assert.True(t, r.PD >= 0 && r.PD <= 1, "pd %v", r.PD)
			assert.False(t, math.IsNaN(r.Score) || math.IsInf(r.Score, 0), "score %v", r.Score)
		})
	}
}

func TestEveryProblemListed(t *testing.T) {
	h, _, apps := newHandler(t, Config{})
	app := clone(apps[0])
	app["duration_months"] = "x"
	app["checking_status"] = 5
	app["zzz"] = 1
	w := post(h, mustJSON(t, app))
	require.Equal(t, http.StatusBadRequest, w.Code)
	var e ErrorResponse
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	var fields []string
	for _, p := range e.Errors {
		fields = append(fields, p.Field)
	}
	assert.ElementsMatch(t, []string{"zzz", "checking_status", "duration_months"}, fields)
	assert.Equal(t, "zzz", e.Field, "unknown fields come first")
}

func TestRequestErrors(t *testing.T) {
	h, _, apps := newHandler(t, Config{MaxBodyBytes: 4096, MaxBatch: 3})
	good := mustJSON(t, apps[0])
	cases := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		status      int
		want        string
	}{
		{"get on score", http.MethodGet, "/v1/score", "", "", http.StatusMethodNotAllowed, "use POST"},
		{"post on schema", http.MethodPost, "/v1/schema", "application/json", "{}", http.StatusMethodNotAllowed, "use GET"},
		{"unknown path", http.MethodGet, "/v2/score", "", "", http.StatusNotFound, "no such path"},
		{"text body", http.MethodPost, "/v1/score", "text/plain", good, http.StatusUnsupportedMediaType, "application/json"},
		{"no content type", http.MethodPost, "/v1/score", "", good, http.StatusUnsupportedMediaType, "application/json"},
		{"empty body", http.MethodPost, "/v1/score", "application/json", "", http.StatusBadRequest, "empty body"},
		{"not json", http.MethodPost, "/v1/score", "application/json", "hello", http.StatusBadRequest, "malformed JSON"},
		{"a number", http.MethodPost, "/v1/score", "application/json", "42", http.StatusBadRequest, "a number"},
		{"trailing data", http.MethodPost, "/v1/score", "application/json", good + "{}", http.StatusBadRequest, "trailing data"},
		{"empty batch", http.MethodPost, "/v1/score", "application/json", "[]", http.StatusBadRequest, "empty batch"},
		{"batch of numbers", http.MethodPost, "/v1/score", "application/json", "[1]", http.StatusBadRequest, "want an object"},
		{"batch too long", http.MethodPost, "/v1/score", "application/json", "[" + strings.Repeat(good+",", 3) + good + "]", http.StatusRequestEntityTooLarge, "more than 3"},
		{"body too large", http.MethodPost, "/v1/score", "application/json", `{"note":"` + strings.Repeat("x", 5000) + `"}`, http.StatusRequestEntityTooLarge, "larger than 4096"},
		{"charset allowed", http.MethodPost, "/v1/score", "application/json; charset=utf-8", good, http.StatusOK, `"pd"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, c.status, w.Code, w.Body.String())
			assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			assert.True(t, json.Valid(w.Body.Bytes()), w.Body.String())
			assert.Contains(t, w.Body.String(), c.want)
			if c.status == http.StatusMethodNotAllowed {
				assert.NotEmpty(t, w.Header().Get("Allow"))
			}
		})
	}
}

func TestSchemaAndHealth(t *testing.T) {
	h, b, _ := newHandler(t, Config{MaxBatch: 50})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v1/schema", nil))
	require.Equal(t, http.StatusOK, w.Code)
	var s struct {
		Kind     string         `json:"kind"`
		Fields   []credit.Field `json:"fields"`
		MaxBatch int            `json:"max_batch"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &s))
	assert.Equal(t, credit.KindScorecard, s.Kind)
	assert.Equal(t, b.Schema().Fields, s.Fields)
	assert.Equal(t, 50, s.MaxBatch)

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Contains(t, w.Body.String(), `"status":"ok"`)
}

func TestNewRejects(t *testing.T) {
	b, _, _ := fixture(t)
	_, err := New(b, Config{MaxBatch: -1})
	assert.ErrorIs(t, err, credit.ErrInvalidOption)
	_, err = New(&credit.Bundle{}, Config{})
	assert.ErrorIs(t, err, credit.ErrInvalidOption)
}

// TestConcurrentClients scores from many goroutines through a real
// loopback server; run with -race.
func TestConcurrentClients(t *testing.T) {
	h, b, apps := newHandler(t, Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	exp := make([]Result, len(apps))
	for i := range apps {
		exp[i] = want(t, b, apps[i])
	}
	const clients, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				i := (c*each + k) % len(apps)
				var body string
				if k%5 == 0 {
					body = mustJSON(t, apps[i:min(i+7, len(apps))])
				} else {
					body = mustJSON(t, apps[i])
				}
				resp, err := srv.Client().Post(srv.URL+"/v1/score", "application/json", strings.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("status %d: %s", resp.StatusCode, data)
					continue
				}
				var got Result
				if k%5 == 0 {
					var br BatchResponse
					if err := json.Unmarshal(data, &br); err != nil {
						errs <- err
						continue
					}
					got = br.Results[0]
				} else if err := json.Unmarshal(data, &got); err != nil {
					errs <- err
					continue
				}
				if math.Abs(got.Score-exp[i].Score) > 1e-9 || math.Abs(got.PD-exp[i].PD) > 1e-12 {
					errs <- fmt.Errorf("applicant %d: got %v/%v, want %v/%v", i, got.Score, got.PD, exp[i].Score, exp[i].PD)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestServeGracefulShutdown checks that cancelling Serve's context lets a
// request in flight finish with 200 and refuses new connections.
func TestServeGracefulShutdown(t *testing.T) {
	h, _, apps := newHandler(t, Config{})
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("slow") != "" {
			close(started)
			<-release
		}
		h.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, slow, Config{ShutdownTimeout: 5 * time.Second}) }()

	body := mustJSON(t, apps[0])
	type answer struct {
		status int
		err    error
	}
	inflight := make(chan answer, 1)
	go func() {
		resp, err := http.Post("http://"+addr+"/v1/score?slow=1", "application/json", strings.NewReader(body))
		if err != nil {
			inflight <- answer{err: err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		inflight <- answer{status: resp.StatusCode}
	}()
	<-started
	cancel()
	// Serve must wait for the request in flight
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a request in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	_, err = net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "no new connections during shutdown")
	close(release)
	a := <-inflight
	require.NoError(t, a.err)
	assert.Equal(t, http.StatusOK, a.status)
	select {
	case err := <-served:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the last request")
	}
}

func TestServeShutdownDeadline(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	started := make(chan struct{})
	stuck := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-block
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, ln, stuck, Config{ShutdownTimeout: 100 * time.Millisecond}) }()
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	err = <-served
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestServeReadTimeout(t *testing.T) {
	h, _, _ := newHandler(t, Config{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Serve(ctx, ln, h, Config{ReadHeaderTimeout: 100 * time.Millisecond, ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	// a header that never ends: the server must hang up
	_, err = conn.Write([]byte("POST /v1/score HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(3*time.Second)))
	var buf bytes.Buffer
	_, err = io.Copy(&buf, conn)
	assert.NoError(t, err, "the server closed the connection before our 3 s deadline")
}

func BenchmarkHandlerOne(b *testing.B) {
	h, _, apps := newHandler(b, Config{})
	body := mustJSON(b, apps[0])
	b.ReportAllocs()
	for b.Loop() {
		if w := post(h, body); w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
}
