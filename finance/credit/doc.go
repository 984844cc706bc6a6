// Package credit builds and evaluates credit-risk models: weight-of-evidence
// (WoE) binning with information values, points scorecards from a logistic
// regression on WoE values, a small neural network on scaled raw features,
// and the usual evaluation figures and plots.
//
// # Data
//
// A Dataset holds attribute columns, each Numeric (float64, NaN = missing)
// or Categorical (string, "" = missing), and a binary target Y with 1 for a
// bad applicant and 0 for a good one. ReadCSV and LoadCSV read a CSV with a
// header, a target column and its "bad" value, detecting each column's kind
// (all cells numbers → Numeric) unless overridden; errors name the file, the
// 1-based line and the column. Rows are indexed from 0; functions that fit
// take the training rows explicitly so nothing is learnt from test rows.
//
// # Conventions
//
// WoE is ln(share of goods / share of bads) of a bin, so positive WoE means
// lower risk. Scores follow the scaling score = Offset + Factor·ln(odds of
// good) (600 points at 50:1, 20 points to double the odds by default), so
// higher scores are safer. Evaluation functions take risk scores where
// higher is riskier (PDs); pass PDs, or negated points. All statistics are
// float64; the neural network computes in float32 inside package models.
//
// # Applicants
//
// A fitted model's Schema lists its input fields (name, kind, allowed
// categories, numeric limits, required). Schema.ValidateApplicant turns a
// decoded JSON object into a []Value record in schema order, reporting
// each bad field as a *FieldError. Scorecard.Score and Reasons work on such
// records without allocating.
//
// Fitting records each numeric field's training range and sets its limits
// RangeTolerance (10) spreads beyond it: with ages 20 to 74 in training,
// applicants aged 0 to 614 are accepted and 1e29 is refused as out of
// range. The limits catch values wrong by orders of magnitude, not
// merely unusual applicants. Bundles saved before the limits existed load
// with numeric fields unbounded above.
//
// # Saving
//
// A Bundle holds a fitted Scorecard or MLP with its training target, the
// points scaling and a TrainingInfo (summary figures, seed, quantiles of
// the training scores for drift checks). Bundle.Save writes it as a
// directory, replaced atomically: the manifest credit-model.json
// ({"format":"deepfin-credit-model","version":1,"kind":...}, with bin
// edges ±Inf written as "-inf"/"+inf") plus, for an MLP, the network in
// network/ as written by package models. LoadBundle rebuilds every lookup,
// so a loaded model scores and explains exactly as the saved one; it
// refuses a newer version (ErrBundleVersion) and anything corrupt or
// inconsistent (ErrBundleFormat). Package credit/server serves a Bundle
// over HTTP.
//
// Functions panic only on broken contracts, such as label and score slices
// of different lengths; each such panic is documented. Nothing here prints
// or logs.
package credit
