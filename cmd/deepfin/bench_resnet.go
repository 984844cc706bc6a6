package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/deepfin/deepfin/models"
	"github.com/deepfin/deepfin/vision"
)

// exportRecord is written beside an exported split: where its images
// came from and how many there are.
type exportRecord struct {
	Source string `json:"source"`
	Images int    `json:"images"`
}

// runBenchResNet exports Fashion-MNIST as an image folder (PNG, one
// sub-folder per class), reads it back through vision.ImageFolder with
// the parallel loader, and trains ResNet-18 on it.
func runBenchResNet(cmd *cobra.Command, f benchFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	dir := "../shared/data/fashion-mnist"
	if f.data != "" {
		dir = f.data
	}
	classes := []string{"t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"}
	folder := filepath.Join(f.out, "fashion-folder")
	stdout := cmd.OutOrStdout()
	// Each split is exported once, whole (--limit applies after loading),
	// into a temporary folder renamed into place, with a record of its
	// source beside it; a folder without a matching record is not reused.
	for _, split := range []string{"train", "t10k"} {
		root := filepath.Join(folder, split)
		src, err := filepath.Abs(filepath.Join(dir, split+"-images-idx3-ubyte.gz"))
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		record := root + ".export.json"
		if _, err := os.Stat(root); err == nil {
			var rec exportRecord
			b, err := os.ReadFile(record)
			if err == nil {
				err = json.Unmarshal(b, &rec)
			}
			switch {
			case err != nil:
				return fmt.Errorf("bench: %s exists but its export record %s is missing or unreadable (%v); remove the folder or use another --out", root, record, err)
			case rec.Source != src:
				return fmt.Errorf("bench: %s was exported from %s, not %s; remove it or use another --out", root, rec.Source, src)
			}
			continue
		}
		tmp := root + ".tmp"
		_ = os.RemoveAll(tmp)
		n, err := vision.ExportIDXFolder(src, filepath.Join(dir, split+"-labels-idx1-ubyte.gz"), tmp, classes, 0)
		if err != nil {
			return err
		}
		if err := os.Rename(tmp, root); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		b, _ := json.Marshal(exportRecord{Source: src, Images: n})
		if err := atomicfile.WriteFile(record, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		fmt.Fprintf(stdout, "exported %d %s images to %s\n", n, split, root)
	}
	load := func(split string, flip float64) (*vision.Images, error) {
		fo, err := vision.OpenImageFolder(filepath.Join(folder, split))
		if err != nil {
			return nil, err
		}
		im, st, err := fo.LoadAll(cmd.Context(), vision.LoaderConfig{
			Transform: vision.Transform{Channels: 1, Height: f.size, Width: f.size, FlipProb: flip,
				Mean: []float64{vision.FashionMean}, Std: []float64{vision.FashionStd}},
			BatchSize: 256, Seed: uint64(f.seed), SkipBad: true,
		})
		if err == nil && st.Skipped > 0 {
			fmt.Fprintf(cmd.ErrOrStderr(), "skipped %d corrupt images in %s\n", st.Skipped, split)
		}
		return im, err
	}
	start := time.Now()
	train, err := load("train", 0)
	if err != nil {
		return err
	}
	test, err := load("t10k", 0)
	if err != nil {
		return err
	}
	if f.limit > train.N {
		fmt.Fprintf(cmd.ErrOrStderr(), "bench: --limit %d is more than the %d training images: using all of them\n", f.limit, train.N)
	}
	if f.limit > 0 && f.limit < train.N {
		// The folder is read class by class: take a seeded random subset,
		// not its first images.
		idx := rand.New(rand.NewPCG(uint64(f.seed), 0x11)).Perm(train.N)[:f.limit]
		slices.Sort(idx)
		train = train.Subset(idx)
	}
	loadSec := time.Since(start).Seconds()

	spec, err := vision.ResNet(vision.ResNetConfig{Depth: 18, Classes: 10, Input: []int{1, f.size, f.size}, SmallStem: f.smallStem})
	if err != nil {
		return err
	}
	m, err := models.New(spec, f.seed)
	if err != nil {
		return err
	}
	bar := newEpochBar(cmd.ErrOrStderr(), f.quiet, f.epochs, (train.N+f.batch-1)/f.batch, true)
	cfg := f.trainConfig(bar.update)
	res, err := vision.TrainClassifier(cmd.Context(), m, train, test, cfg)
	bar.finish(err)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resnet: ResNet-18 (%d parameters, small stem %v) on Fashion-MNIST read from PNG folders at %d×%d (%.0f s to load), %d train / %d test images, batch %d, SGD lr %g momentum %g weight decay %g, %s schedule\n",
		res.Params, f.smallStem, f.size, f.size, loadSec, train.N, test.N, f.batch, f.lr, f.momentum, f.decay, recipe(cfg)["schedule"])
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "epoch\ttrain loss\ttest acc\tseconds\timages/s\t")
	for _, e := range res.Epochs {
		fmt.Fprintf(w, "%d\t%.4f\t%.2f%%\t%.1f\t%.0f\t\n", e.Epoch, e.TrainLoss, 100*e.TestAccuracy, e.Seconds, e.ImagesPerSec)
	}
	w.Flush()
	buf, err := json.MarshalIndent(map[string]any{
		"benchmark": "resnet", "model": "resnet18", "spec": spec, "data": dir, "image_folder": folder, "size": f.size, "small_stem": f.smallStem,
		"train_images": train.N, "test_images": test.N, "batch": f.batch, "recipe": recipe(cfg),
		"seed": f.seed, "load_seconds": loadSec, "result": res,
	}, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(f.out, "bench-resnet.json")
	if err := atomicfile.WriteFile(path, append(buf, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	fmt.Fprintln(stdout, "saved", path)
	return nil
}
