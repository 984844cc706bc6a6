// Command textthroughput times deepfin's inference on a text classifier
// (embedding → GRU or LSTM → linear) over random token ids, batch by
// batch, with the plain-Go Predictor, and prints one JSON line with the
// sentences per second. scripts/text_throughput.py runs it beside the
// same model in PyTorch.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/deepfin/deepfin/models"
)

func main() {
	kind := flag.String("kind", "gru", "recurrent layer: gru or lstm")
	vocab := flag.Int("vocab", 10000, "vocabulary size")
	steps := flag.Int("steps", 40, "tokens per sentence")
	embed := flag.Int("embed", 64, "embedding dimension")
	units := flag.Int("units", 64, "recurrent units")
	classes := flag.Int("classes", 3, "output classes")
	batch := flag.Int("batch", 64, "sentences per Predict call")
	batches := flag.Int("batches", 50, "timed batches")
	seed := flag.Uint64("seed", 1, "seed of the ids and weights")
	graph := flag.Bool("graph", false, "time Model.Predict (the gorgonia graph, batched fused kernels) instead of the Predictor")
	flag.Parse()
	if err := run(*kind, *vocab, *steps, *embed, *units, *classes, *batch, *batches, *seed, *graph); err != nil {
		fmt.Fprintln(os.Stderr, "textthroughput:", err)
		os.Exit(1)
	}
}

func run(kind string, vocab, steps, embed, units, classes, batch, batches int, seed uint64, graph bool) error {
	spec := models.Spec{Input: []int{steps}, Layers: []models.LayerSpec{
		{Type: models.LayerEmbedding, Vocab: vocab, Units: embed},
		{Type: kind, Units: units},
		{Type: models.LayerDense, Units: classes},
	}}
	m, err := models.New(spec, int64(seed))
	if err != nil {
		return err
	}
	p := m.Predictor()
	rng := rand.New(rand.NewPCG(seed, 2))
	x := make([]float32, batches*batch*steps)
	for i := range x {
		x[i] = float32(1 + rng.IntN(vocab-1))
	}
	var out []float32
	predict := func(xb []float32) error {
		var err error
		if graph {
			_, err = m.Predict(xb, batch)
		} else {
			out, err = p.Predict(out, xb)
		}
		return err
	}
	// Warm-up: one batch fills the scratch pools (or builds the graph).
	if err := predict(x[:batch*steps]); err != nil {
		return err
	}
	t0 := time.Now()
	for b := 0; b < batches; b++ {
		if err := predict(x[b*batch*steps : (b+1)*batch*steps]); err != nil {
			return err
		}
	}
	secs := time.Since(t0).Seconds()
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"kind": kind, "graph": graph, "batch": batch, "batches": batches, "steps": steps,
		"params": m.NumParams(), "seq_per_s": float64(batches*batch) / secs,
	})
}
