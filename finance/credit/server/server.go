package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/deepfin/deepfin/finance/credit"
)

// Config holds the limits of a Handler and the timeouts of Serve. The
// zero value gives the defaults noted on each field.
type Config struct {
	// MaxBodyBytes caps a request body; 0 means 1 MiB.
	MaxBodyBytes int64
	// MaxBatch caps the applicants in one batch; 0 means 1000.
	MaxBatch int
	// Reasons is the number of reason codes per applicant; 0 means 3,
	// negative means none.
	Reasons int

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are
	// the http.Server's; 0 means 5 s, 10 s, 10 s and 60 s.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once its context is done; 0 means 30 s.
	ShutdownTimeout time.Duration
	// ErrorLog receives the http.Server's own error messages (bad TLS
	// handshakes, panics in handlers); nil discards them.
	ErrorLog *log.Logger
}

func (c Config) withDefaults() (Config, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = 1000
	}
	if c.Reasons == 0 {
		c.Reasons = 3
	}
	c.Reasons = max(c.Reasons, 0)
	def(&c.ReadHeaderTimeout, 5*time.Second)
	def(&c.ReadTimeout, 10*time.Second)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.IdleTimeout, 60*time.Second)
	def(&c.ShutdownTimeout, 30*time.Second)
	if c.MaxBodyBytes < 0 || c.MaxBatch < 0 || c.ReadHeaderTimeout < 0 || c.ReadTimeout < 0 ||
		c.WriteTimeout < 0 || c.IdleTimeout < 0 || c.ShutdownTimeout < 0 {
		return c, fmt.Errorf("server: negative limit in config: %w", credit.ErrInvalidOption)
	}
	return c, nil
}

// Result is the answer for one applicant.
type Result struct {
	Score   float64         `json:"score"`   // points, higher is safer
	PD      float64         `json:"pd"`      // probability of bad, a fraction
	Reasons []credit.Reason `json:"reasons"` // most points lost first; empty, never null
}

// BatchResponse is the answer for a batch, Results in input order.
type BatchResponse struct {
	Results []Result `json:"results"`
}

// Problem is one invalid field of an ErrorResponse.
type Problem struct {
	Field string `json:"field"`
	Index *int   `json:"index,omitempty"`
	Error string `json:"error"`
}

// ErrorResponse is the body of every error answer. Field and Index repeat
// the first entry of Errors when the problem lies in a field.
type ErrorResponse struct {
	Error  string    `json:"error"`
	Field  string    `json:"field,omitempty"`
	Index  *int      `json:"index,omitempty"`
	Errors []Problem `json:"errors,omitempty"`
}

// Handler serves a credit.Bundle; see the package documentation for the
// endpoints. Build it with New.
type Handler struct {
	b      *credit.Bundle
	schema *credit.Schema
	cfg    Config
	info   []byte // GET /v1/schema body
	health []byte // GET /healthz body
}

// New returns a Handler scoring with b. It returns an error wrapping
// credit.ErrInvalidOption for a negative limit or a bundle with no model.
func New(b *credit.Bundle, cfg Config) (*Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if b == nil || (b.Scorecard == nil) == (b.MLP == nil) {
		return nil, fmt.Errorf("server: bundle must hold exactly one model: %w", credit.ErrInvalidOption)
	}
	h := &Handler{b: b, schema: b.Schema(), cfg: cfg}
	h.info, err = marshal(struct {
		Kind     string         `json:"kind"`
		Target   string         `json:"target,omitempty"`
		Fields   []credit.Field `json:"fields"`
		Scaling  credit.Scaling `json:"scaling"`
		MaxBatch int            `json:"max_batch"`
		MaxBody  int64          `json:"max_body_bytes"`
		Reasons  int            `json:"reasons"`
	}{b.Kind(), b.Target, h.schema.Fields, scalingOf(b), cfg.MaxBatch, cfg.MaxBodyBytes, cfg.Reasons})
	if err != nil {
		return nil, fmt.Errorf("server: schema: %w", err)
	}
	h.health, err = marshal(map[string]any{"status": "ok", "kind": b.Kind(), "fields": h.schema.Len()})
	if err != nil {
		return nil, fmt.Errorf("server: health: %w", err)
	}
	return h, nil
}

func scalingOf(b *credit.Bundle) credit.Scaling {
	if b.Scorecard != nil {
		return b.Scorecard.Scaling
	}
	if b.Scaling == (credit.Scaling{}) {
		return credit.DefaultScaling()
	}
	return b.Scaling
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/v1/score":
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, ErrorResponse{Error: "method " + r.Method + " not allowed, use POST"})
			return
		}
		h.score(w, r)
	case "/v1/schema", "/healthz":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, ErrorResponse{Error: "method " + r.Method + " not allowed, use GET"})
			return
		}
		body := h.info
		if r.URL.Path == "/healthz" {
			body = h.health
		}
		writeJSON(w, http.StatusOK, body)
	default:
		writeError(w, http.StatusNotFound, ErrorResponse{Error: "no such path " + strconv.Quote(r.URL.Path)})
	}
}

// requestError is a failed request: its status and body.
type requestError struct {
	status int
	body   ErrorResponse
}

func badRequest(msg string) *requestError {
	return &requestError{status: http.StatusBadRequest, body: ErrorResponse{Error: msg}}
}

// reqBody is a request body read whole, with the position of its first byte
// that is not valid UTF-8 (-1 when it is all valid).
type reqBody struct {
	data  []byte
	badAt int64
	dec   *json.Decoder
}

func newReqBody(data []byte) *reqBody {
	b := &reqBody{data: data, badAt: -1, dec: json.NewDecoder(bytes.NewReader(data))}
	b.dec.UseNumber()
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				b.badAt = int64(i)
				break
			}
			i += n
		}
	}
	return b
}

// badIn reports whether the first invalid UTF-8 byte lies in data[from:to];
// a nil body has none.
func (b *reqBody) badIn(from, to int64) bool { return b != nil && from <= b.badAt && b.badAt < to }

// badUTF8 is the answer for a body whose bytes from..to hold its first
// invalid UTF-8 byte: in the name of a field when key is set, in the
// value of field otherwise, or (field empty) somewhere else.
func (b *reqBody) badUTF8(from, to int64, field string, key bool, idx *int) *requestError {
	var e ErrorResponse
	switch {
	case key:
		raw := b.data[from:to]
		raw = raw[bytes.IndexByte(raw, '"')+1 : bytes.LastIndexByte(raw, '"')]
		e.Error = fmt.Sprintf("field name %s is not valid UTF-8 (byte %d)", strconv.Quote(string(raw)), b.badAt)
	case field != "":
		e.Field = field
		e.Error = fmt.Sprintf("field %q: value is not valid UTF-8 (byte %d)", field, b.badAt)
		e.Errors = []Problem{{Field: field, Index: idx, Error: e.Error}}
	default:
		e.Error = fmt.Sprintf("body is not valid UTF-8 (byte %d)", b.badAt)
	}
	e.Index = idx
	if idx != nil {
		e.Error = fmt.Sprintf("applicant %d: %s", *idx, e.Error)
	}
	return &requestError{status: http.StatusBadRequest, body: e}
}

func (h *Handler) score(w http.ResponseWriter, r *http.Request) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, ErrorResponse{Error: "content type " + strconv.Quote(r.Header.Get("Content-Type")) + " not supported, use application/json"})
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		h.fail(w, h.syntax(nil, err, "", false, nil))
		return
	}
	in := newReqBody(data)
	dec := in.dec

	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		h.fail(w, badRequest("empty body"))
		return
	}
	if err != nil {
		h.fail(w, h.syntax(in, err, "", false, nil))
		return
	}
	var out any
	switch tok {
	case json.Delim('{'):
		res, rerr := h.one(in, nil)
		if rerr != nil {
			h.fail(w, rerr)
			return
		}
		out = res
	case json.Delim('['):
		var batch BatchResponse
		for i := 0; dec.More(); i++ {
			if i == h.cfg.MaxBatch {
				h.fail(w, &requestError{status: http.StatusRequestEntityTooLarge,
					body: ErrorResponse{Error: fmt.Sprintf("batch holds more than %d applicants", h.cfg.MaxBatch)}})
				return
			}
			idx := i
			t, err := dec.Token()
			if err != nil {
				h.fail(w, h.syntax(in, err, "", false, &idx))
				return
			}
			if t != json.Delim('{') {
				h.fail(w, &requestError{status: http.StatusBadRequest,
					body: ErrorResponse{Error: fmt.Sprintf("applicant %d: got %s, want an object", i, tokenKind(t)), Index: &idx}})
				return
			}
			res, rerr := h.one(in, &idx)
			if rerr != nil {
				h.fail(w, rerr)
				return
			}
			batch.Results = append(batch.Results, res)
		}
		if _, err := dec.Token(); err != nil { // closing ]
			h.fail(w, h.syntax(in, err, "", false, nil))
			return
		}
		if len(batch.Results) == 0 {
			h.fail(w, badRequest("empty batch"))
			return
		}
		out = batch
	default:
		h.fail(w, badRequest(fmt.Sprintf("body is %s, want an applicant object or an array of them", tokenKind(tok))))
		return
	}
	if _, err := dec.Token(); err != io.EOF {
		h.fail(w, badRequest("trailing data after the JSON value"))
		return
	}
	if in.badAt >= 0 {
		// every string was checked; this is a safety net
		h.fail(w, in.badUTF8(0, 0, "", false, nil))
		return
	}
	answer, err := marshal(out)
	if err != nil {
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: "encoding the answer: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// one reads the rest of an applicant object (its '{' consumed), validates
// it and scores it.
func (h *Handler) one(b *reqBody, idx *int) (Result, *requestError) {
	dec := b.dec
	in := make(map[string]any, h.schema.Len())
	last := "" // a syntax error right after a value belongs to its field
	for dec.More() {
		from := dec.InputOffset()
		t, err := dec.Token()
		if err != nil {
			return Result{}, h.syntax(b, err, last, true, idx)
		}
		key, ok := t.(string)
		if !ok {
			return Result{}, h.syntax(b, fmt.Errorf("object key is %s", tokenKind(t)), "", false, idx)
		}
		if to := dec.InputOffset(); b.badIn(from, to) {
			return Result{}, b.badUTF8(from, to, key, true, idx)
		}
		from = dec.InputOffset()
		var v any
		if err := dec.Decode(&v); err != nil {
			return Result{}, h.syntax(b, err, key, false, idx)
		}
		if to := dec.InputOffset(); b.badIn(from, to) {
			return Result{}, b.badUTF8(from, to, key, false, idx)
		}
		if _, dup := in[key]; dup {
			return Result{}, fieldFailure(idx, []*credit.FieldError{{Field: key, Err: errDuplicate}})
		}
		in[key] = v
		last = key
	}
	if _, err := dec.Token(); err != nil { // closing }
		return Result{}, h.syntax(b, err, last, true, idx)
	}
	x, err := h.schema.ValidateApplicant(in)
	if err != nil {
		return Result{}, fieldFailure(idx, fieldErrors(err))
	}
	score, pd := h.b.Score(x)
	res := Result{Score: score, PD: pd, Reasons: []credit.Reason{}}
	if h.cfg.Reasons > 0 {
		res.Reasons = h.b.Reasons(x, make([]credit.Reason, 0, h.cfg.Reasons), h.cfg.Reasons)
	}
	return res, nil
}

// errDuplicate marks a key given twice in one applicant.
var errDuplicate = errors.New("duplicate field")

// fieldErrors flattens an error joined by ValidateApplicant.
func fieldErrors(err error) []*credit.FieldError {
	var out []*credit.FieldError
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var fe *credit.FieldError
		if errors.As(e, &fe) {
			out = append(out, fe)
			return
		}
		out = append(out, &credit.FieldError{Err: e})
	}
	walk(err)
	return out
}

// fieldText is the answer's text for one bad field: `field "x": problem`,
// without the credit package's prefix, which means nothing to a client.
func fieldText(fe *credit.FieldError) string {
	if fe.Field == "" {
		return fe.Err.Error()
	}
	return fmt.Sprintf("field %q: %v", fe.Field, fe.Err)
}

func fieldFailure(idx *int, fes []*credit.FieldError) *requestError {
	e := ErrorResponse{Index: idx}
	for _, fe := range fes {
		e.Errors = append(e.Errors, Problem{Field: fe.Field, Index: idx, Error: fieldText(fe)})
	}
	if len(fes) > 0 {
		e.Field = fes[0].Field
		e.Error = e.Errors[0].Error
		if len(fes) > 1 {
			e.Error += fmt.Sprintf(" (and %d more)", len(fes)-1)
		}
	}
	if idx != nil {
		e.Error = fmt.Sprintf("applicant %d: %s", *idx, e.Error)
	}
	return &requestError{status: http.StatusBadRequest, body: e}
}

// syntax converts a reading or decoding error of b (nil when reading
// failed) into a request error: 413 when the body limit was hit, otherwise
// 400 saying where the JSON broke: in the value of field, or after it
// when after is set (field may be empty). A syntax error at or after the
// first invalid UTF-8 byte is reported as that byte.
func (h *Handler) syntax(b *reqBody, err error, field string, after bool, idx *int) *requestError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &requestError{status: http.StatusRequestEntityTooLarge,
			body: ErrorResponse{Error: fmt.Sprintf("body larger than %d bytes", mbe.Limit)}}
	}
	msg := err.Error()
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "unexpected end of JSON"
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if b.badIn(0, se.Offset+1) {
			return b.badUTF8(0, 0, "", false, idx)
		}
		msg = fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)
	}
	if b == nil {
		msg = "reading the body: " + msg
	}
	e := ErrorResponse{Field: field, Index: idx}
	switch {
	case field == "":
		e.Error = msg
	case after:
		e.Error = fmt.Sprintf("field %q: after the value: %s", field, msg)
	default:
		e.Error = fmt.Sprintf("field %q: in the value: %s", field, msg)
	}
	if field != "" {
		e.Errors = []Problem{{Field: field, Index: idx, Error: e.Error}}
	}
	if idx != nil {
		e.Error = fmt.Sprintf("applicant %d: %s", *idx, e.Error)
	}
	return &requestError{status: http.StatusBadRequest, body: e}
}

func tokenKind(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{', '}':
			return "an object"
		case '[', ']':
			return "an array"
		}
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", t)
}

func (h *Handler) fail(w http.ResponseWriter, e *requestError) {
	if e.status == http.StatusRequestEntityTooLarge {
		// the rest of the body is not read; do not keep the connection
		w.Header().Set("Connection", "close")
	}
	writeError(w, e.status, e.body)
}

func writeError(w http.ResponseWriter, status int, e ErrorResponse) {
	data, err := marshal(e)
	if err != nil {
		data = []byte(`{"error":"encoding the error failed"}` + "\n")
	}
	writeJSON(w, status, data)
}

// marshal encodes v as JSON followed by a newline, leaving <, > and &
// as they are: answers are never HTML (they go out as application/json
// with nosniff), and escaping them garbles messages such as "-5 < min 0".
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeJSON writes data, a JSON value ending in a newline.
func writeJSON(w http.ResponseWriter, status int, data []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

// NewHTTPServer returns an http.Server for h with cfg's timeouts and error
// log (nil ErrorLog: messages are discarded). It returns an error for a
// negative limit.
func NewHTTPServer(h http.Handler, cfg Config) (*http.Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	el := cfg.ErrorLog
	if el == nil {
		el = log.New(io.Discard, "", 0)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          el,
	}, nil
}

// Serve serves h on ln until ctx is done, then shuts down gracefully: it
// stops accepting connections, closes idle ones, and waits up to
// cfg.ShutdownTimeout for requests in flight to finish. It returns nil
// after a clean shutdown, the shutdown's error (context.DeadlineExceeded)
// when requests were still running at the deadline, or the error that
// stopped serving early. Serve closes ln.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, cfg Config) error {
	srv, err := NewHTTPServer(h, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	cfg, _ = cfg.withDefaults()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("server: shutdown: %w", err)
	}
	return nil
}
