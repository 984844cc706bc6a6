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
// Requests are decoded strictly: the body must be valid UTF-8, every key
// must be a schema field, appear once, and hold a value of the field's
// type (a number for a numeric field, a string for a categorical one, or
// null for an optional field); numbers must be finite and within the
// field's [min, max] (see credit.Field: fitting sets them ten training
// spreads beyond the training range; bundles saved before that have no
// max), categories must have been seen in training, required fields must
// be present, and nothing may follow the JSON value. A violation answers
// 400 with
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
// # Error messages
//
// Error texts are for the client, so they carry no Go package prefix. Each
// is one lower-case line: where, then what, the places from the outside
// in, each followed by ": ".
//
//	applicant 2: field "age_years": out of range: 1e+29 > max 614 (training values 20 to 74)
//	field "savings": value is not valid UTF-8 (byte 131)
//	field "duration_months": after the value: malformed JSON at byte 21: ...
//	body larger than 1048576 bytes
//
// "applicant N: " appears in a batch only, and in the top-level error
// only (each entry of errors has its own index). Byte positions count
// from 0 in the request body. Answers are written without HTML escaping,
// so "<" stays "<" rather than "\u003c".
//
// A Handler is safe for concurrent use; scoring shares the bundle, which
// is read-only. Nothing here prints or logs: Serve sends the http.Server's
// own messages to Config.ErrorLog, or discards them.
package server
