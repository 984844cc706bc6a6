package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/deepfin/deepfin/models"
	"github.com/deepfin/deepfin/vision"
)

// newBenchCmd groups the benchmark sub-commands.
func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Train reference models on public datasets and report accuracy and speed",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(
		newBenchCNNCmd("mnist", "Train LeNet-5 on MNIST"),
		newBenchCNNCmd("fashion", "Train LeNet-5 on Fashion-MNIST"),
		newBenchCNNCmd("resnet", "Train ResNet-18 on Fashion-MNIST read from a PNG image folder"),
		newBenchRNNCmd(),
		newBenchTextCmd("phrasebank"), newBenchTextCmd("imdb"), newBenchTextCmd("uci"),
	)
	return cmd
}

// benchRNNFlags holds the bench rnn command's flags.
type benchRNNFlags struct {
	data       string
	model      string
	units      int
	activation string
	epochs     int
	batch      int
	lr         float64
	momentum   float64
	clip       float64
	trainN     int
	testN      int
	seed       int64
	batches    int
	out        string
	jsonOut    bool
	quiet      bool
}

func newBenchRNNCmd() *cobra.Command {
	f := &benchRNNFlags{}
	cmd := &cobra.Command{
		Use:   "rnn",
		Short: "Row-by-row MNIST: a recurrent network reads each image as 28 steps of 28 pixels",
		Long: `Bench rnn trains a recurrent classifier on MNIST read row by row (each 28×28
image is a sequence of 28 steps of 28 pixel values scaled to [0, 1]) with
SGD and momentum, batch 64, and reports the test accuracy after every epoch
and the training throughput in sequences per second.

The default is LSTM(128) → dense(10). --model rnn --activation relu
--units 256 gives the plain ReLU RNN recipe; --clip sets gradient clipping
by global norm. --batches N only times N training batches (no evaluation),
for side-by-side speed comparisons (see scripts/rnn_throughput.py).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchRNN(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.data, "data", "../shared/data/mnist", "folder with the four MNIST IDX files (.gz)")
	fl.StringVar(&f.model, "model", "lstm", "recurrent layer: lstm, rnn, gru or alstm")
	fl.IntVar(&f.units, "units", 128, "state width of the recurrent layer")
	fl.StringVar(&f.activation, "activation", "", "rnn activation: tanh (default) or relu")
	fl.IntVar(&f.epochs, "epochs", 10, "training epochs")
	fl.IntVar(&f.batch, "batch", 64, "batch size")
	fl.Float64Var(&f.lr, "lr", 0.01, "SGD learning rate")
	fl.Float64Var(&f.momentum, "momentum", 0.9, "SGD momentum")
	fl.Float64Var(&f.clip, "clip", 0, "clip gradients to this global L2 norm (0: off)")
	fl.IntVar(&f.trainN, "train-n", 0, "use the first N training images (0: all 60000)")
	fl.IntVar(&f.testN, "test-n", 0, "use the first N test images (0: all 10000)")
	fl.Int64Var(&f.seed, "seed", 1, "seed of the weights, the shuffling and the dropout")
	fl.IntVar(&f.batches, "batches", 0, "only time this many training batches and report sequences/s")
	fl.StringVar(&f.out, "out", "", "also write the result as JSON to this file")
	fl.BoolVar(&f.jsonOut, "json", false, "print the result as JSON instead of a table")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	return cmd
}

// rnnEpoch is one epoch of a bench rnn run.
type rnnEpoch struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	TestAcc   float64 `json:"test_accuracy"`
	Seconds   float64 `json:"seconds"`
	SeqPerSec float64 `json:"train_seq_per_s"`
}

// rnnResult is the outcome of a bench rnn run.
type rnnResult struct {
	Spec      models.Spec `json:"spec"`
	Params    int         `json:"params"`
	Batch     int         `json:"batch"`
	LR        float64     `json:"lr"`
	Momentum  float64     `json:"momentum"`
	ClipNorm  float64     `json:"clip_norm"`
	Seed      int64       `json:"seed"`
	TrainN    int         `json:"train_n"`
	TestN     int         `json:"test_n"`
	Epochs    []rnnEpoch  `json:"epochs"`
	Diverged  string      `json:"diverged,omitempty"`
	Batches   int         `json:"timed_batches,omitempty"`
	SeqPerSec float64     `json:"train_seq_per_s"`
}

func runBenchRNN(ctx context.Context, f *benchRNNFlags, stdout, stderr io.Writer) error {
	if f.epochs <= 0 || f.batch <= 0 || f.units <= 0 || f.batches < 0 {
		return fmt.Errorf("bench rnn: --epochs, --batch and --units must be positive and --batches >= 0")
	}
	typ := f.model
	switch typ {
	case models.LayerLSTM, models.LayerRNN, models.LayerGRU, models.LayerALSTM:
	default:
		return fmt.Errorf("bench rnn: --model %q: want lstm, rnn, gru or alstm", f.model)
	}
	train, err := loadRowMNIST(f.data, "train", f.trainN)
	if err != nil {
		return err
	}
	spec := models.Spec{Input: []int{28, 28}, Layers: []models.LayerSpec{
		{Type: typ, Units: f.units, Activation: f.activation},
		{Type: models.LayerDense, Units: 10},
	}}
	m, err := models.New(spec, f.seed)
	if err != nil {
		return err
	}
	res := &rnnResult{Spec: spec, Params: m.NumParams(), Batch: f.batch, LR: f.lr, Momentum: f.momentum,
		ClipNorm: f.clip, Seed: f.seed, TrainN: train.N}
	cfg := models.TrainConfig{Epochs: f.epochs, BatchSize: f.batch, Loss: models.LossSoftmaxCE, Seed: f.seed,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerSGD, LearningRate: f.lr, Momentum: f.momentum, ClipNorm: f.clip}}

	if f.batches > 0 {
		if err := timeBatches(ctx, m, train, cfg, f.batches, res); err != nil {
			return err
		}
		return writeRNNResult(f, res, stdout)
	}

	test, err := loadRowMNIST(f.data, "t10k", f.testN)
	if err != nil {
		return err
	}
	res.TestN = test.N
	batches := (train.N + f.batch - 1) / f.batch
	var bar *progressbar.ProgressBar
	if !f.quiet && isTerminal(stderr) {
		bar = newBar(stderr, f.epochs*batches, "")
	}
	epochStart := time.Now()
	var evalErr error
	cfg.Progress = func(p models.Progress) {
		if !p.Done {
			if bar != nil && p.Batch%10 == 0 {
				bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f", p.Epoch, p.Epochs, p.TrainLoss))
				bar.Set((p.Epoch-1)*batches + p.Batch)
			}
			return
		}
		secs := time.Since(epochStart).Seconds()
		acc, err := accuracy(m, test)
		if err != nil && evalErr == nil {
			evalErr = err
		}
		res.Epochs = append(res.Epochs, rnnEpoch{Epoch: p.Epoch, TrainLoss: p.TrainLoss, TestAcc: acc,
			Seconds: secs, SeqPerSec: float64(train.N) / secs})
		if f.out != "" {
			_ = saveJSON(f.out, res) // a partial record survives an interrupted run
		}
		epochStart = time.Now()
	}
	_, err = m.Fit(ctx, train, cfg)
	if bar != nil {
		bar.Exit()
		fmt.Fprintln(stderr)
	}
	switch {
	case errors.Is(err, models.ErrDiverged):
		res.Diverged = err.Error()
	case err != nil:
		return err
	case evalErr != nil:
		return evalErr
	}
	var secs float64
	for _, e := range res.Epochs {
		secs += e.Seconds
	}
	if secs > 0 {
		res.SeqPerSec = float64(len(res.Epochs)*train.N) / secs
	}
	return writeRNNResult(f, res, stdout)
}

// timeBatches trains f.batches batches after one warm-up batch and
// records the throughput.
func timeBatches(ctx context.Context, m *models.Model, train models.Dataset, cfg models.TrainConfig, batches int, res *rnnResult) error {
	in := m.Inputs()
	n := min(batches*cfg.BatchSize, train.N)
	warm := models.Dataset{X: train.X[:cfg.BatchSize*in], Y: train.Y[:cfg.BatchSize], N: cfg.BatchSize}
	cfg.Epochs = 1
	if _, err := m.Fit(ctx, warm, cfg); err != nil {
		return err
	}
	d := models.Dataset{X: train.X[:n*in], Y: train.Y[:n], N: n}
	t0 := time.Now()
	if _, err := m.Fit(ctx, d, cfg); err != nil {
		return err
	}
	res.Batches = (n + cfg.BatchSize - 1) / cfg.BatchSize
	res.SeqPerSec = float64(n) / time.Since(t0).Seconds()
	return nil
}

// accuracy is the fraction of d's samples whose largest logit is the label.
func accuracy(m *models.Model, d models.Dataset) (float64, error) {
	pred, err := m.Predict(d.X, d.N)
	if err != nil {
		return 0, err
	}
	right := 0
	for i := 0; i < d.N; i++ {
		row := pred[i*10 : (i+1)*10]
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		if best == int(d.Y[i]) {
			right++
		}
	}
	return float64(right) / float64(d.N), nil
}

// loadRowMNIST reads one MNIST split ("train" or "t10k") as sequences of
// 28 rows of 28 pixels in [0, 1] with class-index targets; n > 0 keeps the
// first n images.
func loadRowMNIST(dir, split string, n int) (models.Dataset, error) {
	im, err := vision.LoadMNISTSplit(dir, split, 0, 1) // pixels scaled to [0, 1]
	if err != nil {
		return models.Dataset{}, fmt.Errorf("bench rnn: %w", err)
	}
	if im.C != 1 || im.H != 28 || im.W != 28 {
		return models.Dataset{}, fmt.Errorf("bench rnn: %s: images of %d×%d×%d, want 1×28×28", split, im.C, im.H, im.W)
	}
	if n > 0 && n < im.N {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		im = im.Subset(idx)
	}
	// One channel of 28 rows of 28 pixels is already 28 steps of 28
	// inputs, time-major.
	return im.Dataset(), nil
}

func saveJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

func writeRNNResult(f *benchRNNFlags, res *rnnResult, stdout io.Writer) error {
	if f.out != "" {
		if err := saveJSON(f.out, res); err != nil {
			return fmt.Errorf("bench rnn: %w", err)
		}
	}
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	l := res.Spec.Layers[0]
	fmt.Fprintf(stdout, "row-MNIST %s(%d%s) → dense(10), %d params, batch %d, SGD lr %g momentum %g, clip %g, seed %d\n",
		l.Type, l.Units, map[bool]string{true: ", " + l.Activation, false: ""}[l.Activation != ""],
		res.Params, res.Batch, res.LR, res.Momentum, res.ClipNorm, res.Seed)
	if res.Batches > 0 {
		fmt.Fprintf(stdout, "timed %d batches: %.1f sequences/s\n", res.Batches, res.SeqPerSec)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "epoch\ttrain loss\ttest acc %\tseconds\tseq/s\t")
	for _, e := range res.Epochs {
		fmt.Fprintf(tw, "%d\t%.4f\t%.2f\t%.0f\t%.0f\t\n", e.Epoch, e.TrainLoss, 100*e.TestAcc, e.Seconds, e.SeqPerSec)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if res.Diverged != "" {
		fmt.Fprintf(stdout, "diverged: %s\n", res.Diverged)
	}
	if len(res.Epochs) > 0 {
		fmt.Fprintf(stdout, "mean training throughput %.0f sequences/s\n", res.SeqPerSec)
	}
	return nil
}
