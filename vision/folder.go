package vision

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // JPEG decoder
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// ImageFolder is a classification data set stored one sub-folder per
// class (root/<class>/<image>.png|.jpg|.jpeg), the layout torchvision's
// ImageFolder reads. Class indices are 0-based in the sorted order of the
// sub-folder names; images are sorted by path within a class.
type ImageFolder struct {
	Root    string
	Classes []string
	Paths   []string
	Labels  []int
}

// OpenImageFolder scans root. Files with other extensions and nested
// folders are ignored. A root without class folders, or with no image at
// all, gives an error naming root.
func OpenImageFolder(root string) (*ImageFolder, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, &FileError{Path: root, Msg: err.Error(), Err: err}
	}
	f := &ImageFolder{Root: root}
	for _, e := range ents {
		if e.IsDir() {
			f.Classes = append(f.Classes, e.Name())
		}
	}
	slices.Sort(f.Classes)
	for ci, c := range f.Classes {
		files, err := os.ReadDir(filepath.Join(root, c))
		if err != nil {
			return nil, &FileError{Path: filepath.Join(root, c), Msg: err.Error(), Err: err}
		}
		for _, fe := range files {
			switch strings.ToLower(filepath.Ext(fe.Name())) {
			case ".png", ".jpg", ".jpeg":
				if !fe.IsDir() {
					f.Paths = append(f.Paths, filepath.Join(root, c, fe.Name()))
					f.Labels = append(f.Labels, ci)
				}
			}
		}
	}
	if len(f.Paths) == 0 {
		return nil, &FileError{Path: root, Msg: "no class folders with .png/.jpg/.jpeg images", Err: ErrFormat}
	}
	return f, nil
}

// DecodeImage reads a PNG or JPEG file. A corrupt or truncated image
// gives a *FileError wrapping ErrFormat that names path.
func DecodeImage(path string) (image.Image, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, Msg: err.Error(), Err: err}
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, &FileError{Path: path, Msg: "corrupt or truncated image: " + err.Error(), Err: ErrFormat}
	}
	return img, nil
}

// Transform turns a decoded image into a float32 C×H×W tensor:
// crop/resize (bilinear), optional horizontal flip, scaling to [0, 1]
// (to-tensor) and per-channel normalisation, in that order.
type Transform struct {
	// Channels is 1 (luma) or 3 (RGB); 0 means 3.
	Channels int
	// Height and Width are the output size (> 0).
	Height, Width int
	// RandomCrop takes a random-resized crop: an area fraction in
	// CropScale (zero value: [0.08, 1]) and an aspect ratio in [3/4, 4/3],
	// log-uniform, then resizes it; otherwise the whole image is resized.
	RandomCrop bool
	CropScale  [2]float64
	// FlipProb is the probability of a horizontal flip.
	FlipProb float64
	// Mean and Std, when not nil, normalise each channel: (v − mean)/std;
	// one value per channel.
	Mean, Std []float64
}

func (t Transform) channels() int {
	if t.Channels == 0 {
		return 3
	}
	return t.Channels
}

// Size returns the number of values Apply writes.
func (t Transform) Size() int { return t.channels() * t.Height * t.Width }

// Check validates t.
func (t Transform) Check() error {
	c := t.channels()
	switch {
	case c != 1 && c != 3:
		return fmt.Errorf("vision: transform: channels %d, want 1 or 3", t.Channels)
	case t.Height <= 0 || t.Width <= 0:
		return fmt.Errorf("vision: transform: size %d×%d, want positive", t.Height, t.Width)
	case t.Mean != nil && len(t.Mean) != c, t.Std != nil && len(t.Std) != c:
		return fmt.Errorf("vision: transform: %d means and %d stds for %d channels", len(t.Mean), len(t.Std), c)
	case !(t.FlipProb >= 0 && t.FlipProb <= 1):
		return fmt.Errorf("vision: transform: flip probability %g not in [0, 1]", t.FlipProb)
	}
	for _, s := range t.Std {
		if !(s > 0) {
			return fmt.Errorf("vision: transform: std %g is not positive", s)
		}
	}
	return nil
}

// Apply writes the transformed img into dst (Size() values); rng drives
// the random crop and flip (it may be nil when neither is used). It
// panics if dst has the wrong length.
func (t Transform) Apply(dst []float32, img image.Image, rng *rand.Rand) {
	c := t.channels()
	if len(dst) != t.Size() {
		panic(fmt.Sprintf("vision: transform: dst has %d values, want %d", len(dst), t.Size()))
	}
	src, w, h := toCHW(img, c)
	x0, y0, cw, ch := 0.0, 0.0, float64(w), float64(h)
	if t.RandomCrop {
		x0, y0, cw, ch = randomCrop(w, h, t.CropScale, rng)
	}
	flip := t.FlipProb > 0 && rng.Float64() < t.FlipProb
	sx, sy := cw/float64(t.Width), ch/float64(t.Height)
	for k := 0; k < c; k++ {
		plane := src[k*w*h : (k+1)*w*h]
		out := dst[k*t.Height*t.Width : (k+1)*t.Height*t.Width]
		mean, std := 0.0, 1.0
		if t.Mean != nil {
			mean = t.Mean[k]
		}
		if t.Std != nil {
			std = t.Std[k]
		}
		for oy := 0; oy < t.Height; oy++ {
			fy := y0 + (float64(oy)+0.5)*sy - 0.5
			for ox := 0; ox < t.Width; ox++ {
				col := ox
				if flip {
					col = t.Width - 1 - ox
				}
				fx := x0 + (float64(ox)+0.5)*sx - 0.5
				v := bilinear(plane, w, h, fx, fy)
				out[oy*t.Width+col] = float32((v - mean) / std)
			}
		}
	}
}

// toCHW converts img to c planes of values in [0, 1].
func toCHW(img image.Image, c int) ([]float32, int, int) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]float32, c*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			px := img.At(b.Min.X+x, b.Min.Y+y)
			if c == 1 {
				g := color.Gray16Model.Convert(px).(color.Gray16)
				out[y*w+x] = float32(g.Y) / 0xffff
				continue
			}
			r, g, bl, _ := px.RGBA()
			out[y*w+x] = float32(r) / 0xffff
			out[w*h+y*w+x] = float32(g) / 0xffff
			out[2*w*h+y*w+x] = float32(bl) / 0xffff
		}
	}
	return out, w, h
}

// bilinear samples plane (w×h) at (fx, fy), clamping to the edges.
func bilinear(plane []float32, w, h int, fx, fy float64) float64 {
	fx = math.Max(0, math.Min(fx, float64(w-1)))
	fy = math.Max(0, math.Min(fy, float64(h-1)))
	x0, y0 := int(fx), int(fy)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	ax, ay := fx-float64(x0), fy-float64(y0)
	top := float64(plane[y0*w+x0])*(1-ax) + float64(plane[y0*w+x1])*ax
	bot := float64(plane[y1*w+x0])*(1-ax) + float64(plane[y1*w+x1])*ax
	return top*(1-ay) + bot*ay
}

// randomCrop draws a crop box as torchvision's RandomResizedCrop does:
// ten tries at a random area and log-uniform aspect ratio, then the
// centred whole image.
func randomCrop(w, h int, scale [2]float64, rng *rand.Rand) (x0, y0, cw, ch float64) {
	if scale == [2]float64{} {
		scale = [2]float64{0.08, 1}
	}
	area := float64(w * h)
	for range 10 {
		a := area * (scale[0] + (scale[1]-scale[0])*rng.Float64())
		r := math.Exp(math.Log(3.0/4) + (math.Log(4.0/3)-math.Log(3.0/4))*rng.Float64())
		cw, ch = math.Round(math.Sqrt(a*r)), math.Round(math.Sqrt(a/r))
		if cw >= 1 && ch >= 1 && cw <= float64(w) && ch <= float64(h) {
			x0 = math.Floor(rng.Float64() * (float64(w) - cw + 1))
			y0 = math.Floor(rng.Float64() * (float64(h) - ch + 1))
			return x0, y0, cw, ch
		}
	}
	return 0, 0, float64(w), float64(h)
}

// LoaderConfig configures ImageFolder.Batches.
type LoaderConfig struct {
	Transform Transform
	// BatchSize is the number of images per batch (> 0).
	BatchSize int
	// Shuffle visits the images in a random order drawn from Seed.
	Shuffle bool
	// Seed drives the order and the per-image random transforms (image i
	// always gets the same draws for a given Seed).
	Seed uint64
	// Workers decode in parallel; 0 means GOMAXPROCS.
	Workers int
	// Buffer is the most batches decoded ahead of the consumer; 0 means 2.
	Buffer int
	// SkipBad skips corrupt images, counting them in LoaderStats,
	// instead of failing.
	SkipBad bool
}

// Batch is a batch of transformed images.
type Batch struct {
	X     []float32 // N × Transform.Size() values
	Y     []float32 // N class indices
	N     int
	Paths []string
}

// LoaderStats counts what Batches did.
type LoaderStats struct {
	Images  int      // images delivered
	Skipped int      // corrupt images skipped (SkipBad)
	Bad     []string // their paths
}

// Batches decodes and transforms the images in batches, in parallel, at
// most cfg.Buffer batches ahead of fn, and calls fn on each batch in
// order, on the calling goroutine. A corrupt image stops the run with a
// *FileError naming it (unless cfg.SkipBad); an error from fn or a
// cancelled ctx stops it too. The Batch's slices are fresh for every call.
func (f *ImageFolder) Batches(ctx context.Context, cfg LoaderConfig, fn func(Batch) error) (LoaderStats, error) {
	var st LoaderStats
	if err := cfg.Transform.Check(); err != nil {
		return st, err
	}
	if cfg.BatchSize <= 0 {
		return st, fmt.Errorf("vision: loader: batch size %d, want > 0", cfg.BatchSize)
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	buffer := cfg.Buffer
	if buffer <= 0 {
		buffer = 2
	}
	order := make([]int, len(f.Paths))
	for i := range order {
		order[i] = i
	}
	if cfg.Shuffle {
		rand.New(rand.NewPCG(cfg.Seed, 0x73687566)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}

	type result struct {
		x   []float32
		err []error
		wg  sync.WaitGroup
		idx []int
	}
	type job struct {
		r *result
		k int
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job)
	pending := make(chan *result, buffer)
	size := cfg.Transform.Size()

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				i := j.r.idx[j.k]
				img, err := DecodeImage(f.Paths[i])
				if err == nil {
					rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
					cfg.Transform.Apply(j.r.x[j.k*size:(j.k+1)*size], img, rng)
				}
				j.r.err[j.k] = err
				j.r.wg.Done()
			}
		}()
	}
	go func() {
		defer close(pending)
		defer close(jobs)
		for s := 0; s < len(order); s += cfg.BatchSize {
			idx := order[s:min(s+cfg.BatchSize, len(order))]
			r := &result{x: make([]float32, len(idx)*size), err: make([]error, len(idx)), idx: idx}
			r.wg.Add(len(idx))
			select {
			case pending <- r:
			case <-ctx.Done():
				return
			}
			for k := range idx {
				select {
				case jobs <- job{r, k}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()

	for r := range pending {
		r.wg.Wait()
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("vision: loader: %w", err)
		}
		b := Batch{X: r.x[:0]}
		for k, i := range r.idx {
			if r.err[k] != nil {
				if !cfg.SkipBad {
					return st, r.err[k]
				}
				st.Skipped++
				st.Bad = append(st.Bad, f.Paths[i])
				continue
			}
			b.X = append(b.X, r.x[k*size:(k+1)*size]...)
			b.Y = append(b.Y, float32(f.Labels[i]))
			b.Paths = append(b.Paths, f.Paths[i])
			b.N++
		}
		st.Images += b.N
		if b.N == 0 {
			continue
		}
		if err := fn(b); err != nil {
			return st, err
		}
	}
	if err := ctx.Err(); err != nil {
		return st, fmt.Errorf("vision: loader: %w", err)
	}
	return st, nil
}

// LoadAll runs Batches and gathers every image into one Images value
// (for models.Fit, which trains on data in memory; random transforms are
// therefore drawn once).
func (f *ImageFolder) LoadAll(ctx context.Context, cfg LoaderConfig) (*Images, LoaderStats, error) {
	t := cfg.Transform
	out := &Images{C: t.channels(), H: t.Height, W: t.Width}
	st, err := f.Batches(ctx, cfg, func(b Batch) error {
		out.X = append(out.X, b.X...)
		out.Y = append(out.Y, b.Y...)
		out.N += b.N
		return nil
	})
	return out, st, err
}

// ExportIDXFolder writes the first limit images (all when limit <= 0) of
// an IDX image file and its labels as gray PNGs in the ImageFolder layout
// root/<label>/<index>.png, with class folders named by classNames (or
// the label digits when nil).
func ExportIDXFolder(imagesPath, labelsPath, root string, classNames []string, limit int) (int, error) {
	im, err := ReadIDX(imagesPath)
	if err != nil {
		return 0, err
	}
	lb, err := ReadIDX(labelsPath)
	if err != nil {
		return 0, err
	}
	if len(im.Dims) != 3 || len(lb.Dims) != 1 || im.Dims[0] != lb.Dims[0] {
		return 0, &FileError{Path: labelsPath, Msg: fmt.Sprintf("dimensions %v do not pair with %v of %s", lb.Dims, im.Dims, imagesPath), Err: ErrMismatch}
	}
	n := im.Dims[0]
	if limit > 0 {
		n = min(n, limit)
	}
	h, w := im.Dims[1], im.Dims[2]
	for i := 0; i < n; i++ {
		name := fmt.Sprint(lb.Data[i])
		if classNames != nil {
			if int(lb.Data[i]) >= len(classNames) {
				return i, fmt.Errorf("vision: export: label %d has no class name", lb.Data[i])
			}
			name = classNames[lb.Data[i]]
		}
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return i, fmt.Errorf("vision: export: %w", err)
		}
		g := &image.Gray{Pix: im.Data[i*h*w : (i+1)*h*w], Stride: w, Rect: image.Rect(0, 0, w, h)}
		var buf bytes.Buffer
		if err := png.Encode(&buf, g); err != nil {
			return i, fmt.Errorf("vision: export: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d.png", i)), buf.Bytes(), 0o644); err != nil {
			return i, fmt.Errorf("vision: export: %w", err)
		}
	}
	return n, nil
}
