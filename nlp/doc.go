// Package nlp is deepfin's text side: tokenizing, vocabularies, padded id
// sequences, labelled text datasets, stratified evaluation, and a TF-IDF +
// logistic-regression baseline that every deep text model is reported
// beside. Sub-package signals turns dated headlines scored by a trained
// model into per-bar sentiment features without look-ahead.
//
// # Text to ids
//
// A Tokenizer (HTML tags removed, Unicode lower-casing, punctuation split
// off, numbers kept or normalised) feeds BuildVocab, which keeps tokens by
// minimum frequency and size cap and reserves id 0 for PadToken and id 1
// for UnkToken. An Encoder bundles the tokenizer, the vocabulary and the
// padding rule; it encodes to JSON so that it is saved with a model and
// inference tokenizes exactly as training did. Pad and PadBatch truncate
// and fill sequences; LengthBuckets groups rows of similar length into
// batches to limit padding.
//
// # Datasets
//
// ReadCSV and LoadCSV read "text,label" files; LoadPhraseBank (Financial
// PhraseBank, 3 classes), LoadUCISentences (UCI sentiment sentences) and
// LoadAclImdb (the aclImdb train|test/pos|neg/*.txt layout) wrap them for
// the known corpora. Bad rows (missing or unknown label, blank text,
// invalid UTF-8) are *DataError values naming file, line and column; they
// fail the load unless the SkipBad option lists them in Dataset.Skipped.
// StratifiedSplit and StratifiedFolds split with a seed; CrossValidate
// runs any fit-and-predict function over stratified folds.
//
// # Baseline
//
// FitTFIDF (unigrams and bigrams, sublinear tf, smoothed idf, L2 rows,
// min-df) and FitLogReg (multinomial, L2 with scikit-learn's C, full-batch
// L-BFGS, deterministic) make up Baseline, fitted on training texts only.
// Evaluate gives accuracy, macro-F1, per-class scores and a confusion
// matrix.
//
// # Deep models
//
// TextClassifier wraps an Encoder and a models.Model over token ids: kinds
// "lstm" (embedding → LSTM → linear, padding masked by lengths), "gru"
// (the same with a GRU, texts padded at the front), "cnn" (embedding →
// 1-D convolution → ReLU → max over time → linear) and "mean" (mean of
// the embeddings → linear). FitTextClassifier builds the vocabulary from
// the training texts, holds out a stratified validation slice for early
// stopping and trains with Adam on softmax cross-entropy; Save and
// LoadTextClassifier keep the encoder JSON and the model directory
// together. TextConfig.FitPredict plugs a kind into CrossValidate, so deep
// models and the baseline run on identical folds. Both satisfy
// signals.Classifier.
//
// # Numbers, errors and panics
//
// The baseline and the metrics compute in float64; deep text models, which
// consume the id sequences, compute in float32 like package models. Ids and
// row indices are 0-based; file lines are 1-based with the CSV header on
// line 1. Errors are prefixed "nlp:" and wrap the package's sentinels; a
// configuration field out of range is a *ConfigError naming the field.
// Functions panic only on broken contracts, each documented: slices of
// different lengths, negative lengths, out-of-range ids or classes.
//
// Every random choice takes a seed; the same inputs and seed give the same
// splits, batches and weights.
package nlp
