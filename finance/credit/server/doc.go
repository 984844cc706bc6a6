// Package server serves a fitted credit model (a credit.Bundle) over HTTP
// with JSON bodies, for mounting inside a lending service or running on
// its own with Serve.
//
// # Endpoints
//
//	POST /v1/score   score one applicant (a JSON object) or a batch (a
//	                 JSON array of objects); Content-Type application/json
//	GET  /v1/schema  the model's input fields, kind and limits
//	GET  /healthz    {"status":"ok", ...} while the handler is up
//
// One applicant answers {"score":612.4,"pd":0.071,"reasons":[...]}; a
// batch answers {"results":[...]} in input order. Score is in points
// (higher is safer), PD is a fraction in (0, 1), and reasons are the
// scorecard's reason codes, most points lost first (always empty for an
// MLP).
//
// # Validation
//
// Requests are decoded strictly: every key must be a schema field, appear
// once, and hold a value of the field's type (a number for a numeric
// field, a string for a categorical one, or null for an optional field);
// numbers must be finite and within the field's range, categories must
// have been seen in training, required fields must be present, and
// nothing may follow the JSON value. A violation answers 400 with
//
//	{"error":"...","field":"age_years","index":2,"errors":[...]}
//
// naming the first bad field (index is the 0-based position in a batch,
// absent for a single applicant) and listing every problem found. Other
// answers: 404 for an unknown path, 405 for a wrong method (with Allow),
// 413 for a body above Config.MaxBodyBytes or a batch above
// Config.MaxBatch, 415 for a Content-Type other than application/json.
// Every error body is JSON.
//
// A Handler is safe for concurrent use; scoring shares the bundle, which
// is read-only. Nothing here prints or logs: Serve sends the http.Server's
// own messages to Config.ErrorLog, or discards them.
package server
