// Package market trains cross-sectional stock-ranking models on a universe
// of daily bars and evaluates them the way Qlib's benchmarks do: daily IC
// and Rank IC of the predictions, and a top-k-with-dropout portfolio
// against an equal-weight buy-and-hold of the universe.
//
// # Pipeline
//
//	finance.Series per ticker
//	  → features.Alpha158 per ticker (158 causal factors, 60-day warm-up)
//	  → union calendar; per day and factor, a cross-sectional robust
//	    z-score clipped to ±3 (features.CSRobustZScore); a factor still
//	    missing after that (a flat window) is set to 0, the day's centre,
//	    and counted in Dataset.Filled
//	  → label of day d: the return from the close of d+1 to the close of
//	    d+2, ranked per day (features.CSRank, centred, unit variance)
//	  → model (linear, mlp, gru, lstm, alstm) trained with MSE on the
//	    training days, early-stopped on the validation days
//	  → scores on the test days → backtest.DailyIC and
//	    backtest.TopKDropout.
//
// A day's sample for a ticker exists when the ticker has a bar that day
// and at least features.Alpha158Warmup bars before it. Flat models (linear,
// mlp) read the day's 158 factors; recurrent models read a window of
// Config.Window days of Config.SeqFeatures (20 factors by default), which
// must all be samples.
//
// # Time split and purging
//
// Days are split by date into train, validation and test (Split). The
// label of day d is known at the close of d+2, so the last two days of
// the training and of the validation period are purged: no label used for
// fitting or early stopping reaches into the following period. Features
// are causal and normalised within each day, so nothing else crosses the
// boundaries. Scores exist for every test day; the IC needs the label and
// therefore skips the last two days of the data.
//
// # Numbers
//
// Features, labels, metrics and money are float64; model inputs are
// converted to float32 once, when the dataset is built. The same Config
// (seed included) and data give bit-identical results.
package market
