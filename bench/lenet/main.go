// Command lenet measures deepfin's LeNet-5 (or, with -model resnet18,
// ResNet-18) training throughput (images/s) on MNIST with SGD (lr 0.01,
// momentum 0.9) and prints one JSON line. It is one half of
// bench/lenet_side_by_side.sh; bench/lenet_torch.py is the other.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/deepfin/deepfin/models"
	"github.com/deepfin/deepfin/vision"
)

func main() {
	var (
		dir     = flag.String("data", "../shared/data/mnist", "MNIST directory (random images when absent)")
		batch   = flag.Int("batch", 64, "batch size")
		steps   = flag.Int("steps", 200, "timed training steps")
		threads = flag.Int("threads", 2, "GOMAXPROCS")
		prof    = flag.String("cpuprofile", "", "write a CPU profile of the timed steps here")
		epochs  = flag.Int("epochs", 1, "timed epochs over the steps×batch images; from 2 on, the resident set size (VmRSS) after each epoch is reported")
		model   = flag.String("model", "lenet", `"lenet" or "resnet18" (ImageNet stem, 1×28×28 input, 10 classes)`)
	)
	flag.Parse()
	runtime.GOMAXPROCS(*threads)
	if err := run(*model, *dir, *batch, *steps, *epochs, *prof); err != nil {
		fmt.Fprintln(os.Stderr, "lenet:", err)
		os.Exit(1)
	}
}

func run(model, dir string, batch, steps, epochs int, prof string) error {
	var spec models.Spec
	switch model {
	case "lenet":
		spec = vision.LeNet5(10)
	case "resnet18":
		var err error
		if spec, err = vision.ResNet(vision.ResNetConfig{Depth: 18, Classes: 10, Input: []int{1, 28, 28}}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown -model %q (want lenet or resnet18)", model)
	}
	n := batch * steps
	var d models.Dataset
	data := "mnist"
	if im, err := vision.LoadMNISTSplit(dir, "train", vision.MNISTMean, vision.MNISTStd); err == nil {
		d = im.Subset(seq(min(n, im.N))).Dataset()
	} else {
		data = "random"
		rng := rand.New(rand.NewPCG(1, 2))
		d = models.Dataset{X: make([]float32, n*784), Y: make([]float32, n), N: n}
		for i := range d.X {
			d.X[i] = float32(rng.NormFloat64())
		}
		for i := range d.Y {
			d.Y[i] = float32(rng.IntN(10))
		}
	}
	m, err := models.New(spec, 1)
	if err != nil {
		return err
	}
	cfg := models.TrainConfig{Epochs: 1, BatchSize: batch, Loss: models.LossSoftmaxCE,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerSGD, LearningRate: 0.01, Momentum: 0.9}}
	debug.FreeOSMemory() // drop the rest of the loaded training set
	// Warm-up: builds and caches the training graph.
	nw := min(10, steps) * batch
	warm := models.Dataset{X: d.X[:nw*784], Y: d.Y[:nw], N: nw}
	if _, err := m.Fit(context.Background(), warm, cfg); err != nil {
		return err
	}
	if prof != "" {
		f, err := os.Create(prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var rss []int
	cfg.Epochs = epochs
	cfg.Progress = func(p models.Progress) {
		if p.Done && epochs > 1 {
			// Collect garbage first, so that the figure shows live memory
			// (a leak) rather than the garbage collector's pacing.
			runtime.GC()
			debug.FreeOSMemory()
			rss = append(rss, rssKiB())
		}
	}
	start, cpu0 := time.Now(), cpuSeconds()
	if _, err := m.Fit(context.Background(), d, cfg); err != nil {
		return err
	}
	sec, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
	out := map[string]any{
		"impl": "deepfin", "model": model, "data": data, "batch": batch, "images": d.N * epochs, "seconds": sec,
		"images_per_s": float64(d.N*epochs) / sec, "threads": runtime.GOMAXPROCS(0),
		"cpu_seconds": cpu, "images_per_cpu_s": float64(d.N*epochs) / cpu,
	}
	if rss != nil {
		out["rss_kib_per_epoch"] = rss
		out["rss_last_over_first"] = float64(rss[len(rss)-1]) / float64(rss[0])
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// cpuSeconds returns the user+system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// rssKiB returns the resident set size from /proc/self/status (0 when
// unavailable).
func rssKiB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kib int
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kib)
			return kib
		}
	}
	return 0
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
