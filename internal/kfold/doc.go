// Package kfold builds deterministic, stratified train/test partitions of
// sample indices for cross-validation.
//
// Indices are 0-based positions into the caller's label slice. Labels are
// arbitrary ints (class codes); each class is shuffled with a random source
// seeded from the caller's seed and dealt out so that every class is spread
// as evenly as possible over the folds (fold sizes, per class and in total,
// differ by at most one). The same labels and seed always give the same
// folds. Index slices in results are sorted ascending.
//
// Functions return errors (prefixed "kfold:", wrapping ErrInvalidArgument or
// ErrTooFewSamples) for unusable arguments; nothing in this package panics.
package kfold
