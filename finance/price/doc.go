// Package price predicts the direction of a security's next moves from its
// own price history, walking forward through time so that every prediction
// is out of sample.
//
// The pipeline is the one the deepfin command runs by default:
//
//	bars (finance.Series) → features.Standard → scaler fitted on the training
//	slice → windows of Window bars → models (GRU, MLP or linear) → P(up)
//
// A model is trained on the bars of a training window, pooled over every
// series given, and scores the following Refit bars; then the window moves
// on and the model is refitted. The label of a sample ending at bar t is
// whether the log return from the close of t to the close of t+Horizon is
// positive. Because that label is only known at t+Horizon, the last Horizon
// bars of a training window are purged: a model that starts predicting at
// bar T has only seen labels whose closes lie strictly before T.
//
// Scores are probabilities in [0, 1] at the bar whose close they were made
// after, NaN where no out-of-sample prediction exists. Turning them into
// positions and trading them at the next bar is the job of package backtest.
//
// Features and scores are float64; the models compute in float32 and the
// conversion happens once, when samples are handed to the model.
package price
