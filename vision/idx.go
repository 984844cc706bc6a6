package vision

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/deepfin/deepfin/internal/atomicfile"
	"github.com/deepfin/deepfin/models"
)

// Sentinel errors, for errors.Is.
var (
	// ErrFormat marks a file that is not a valid IDX file or image.
	ErrFormat = errors.New("bad file format")
	// ErrMismatch marks image and label files that do not belong together.
	ErrMismatch = errors.New("images and labels do not match")
)

// FileError reports a problem with one file.
type FileError struct {
	Path string
	Msg  string
	Err  error // ErrFormat, ErrMismatch or an I/O error
}

// Error implements error.
func (e *FileError) Error() string { return fmt.Sprintf("vision: %s: %s", e.Path, e.Msg) }

// Unwrap returns the wrapped error.
func (e *FileError) Unwrap() error { return e.Err }

// IDX is the content of an unsigned-byte IDX file (the MNIST format): a
// big-endian header 0x00 0x00 0x08 ndims, ndims uint32 sizes, then the
// values row-major.
type IDX struct {
	// Dims are the sizes, outermost first (e.g. [60000, 28, 28]).
	Dims []int
	// Data holds the product of Dims values.
	Data []uint8
}

// maxIDXValues bounds the payload of an IDX file (1 GiB).
const maxIDXValues = 1 << 30

// ReadIDX reads an unsigned-byte IDX file, gzip-compressed or raw (told
// apart by the gzip magic bytes). A wrong magic number, a type other than
// unsigned byte, zero or implausible sizes, a truncated payload or
// trailing bytes give a *FileError wrapping ErrFormat that names path.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Msg: err.Error(), Err: err}
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &FileError{Path: path, Msg: "invalid gzip stream: " + err.Error(), Err: ErrFormat}
		}
		defer zr.Close()
		r = zr
	}
	return readIDX(path, r)
}

func readIDX(path string, r io.Reader) (*IDX, error) {
	bad := func(format string, a ...any) error {
		return &FileError{Path: path, Msg: fmt.Sprintf(format, a...), Err: ErrFormat}
	}
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, bad("file too short for an IDX header: %v", err)
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, bad("magic number 0x%08x is not an IDX header (want 0x000008NN)", binary.BigEndian.Uint32(magic[:]))
	}
	if magic[2] != 0x08 {
		return nil, bad("IDX element type 0x%02x is not unsigned byte (0x08)", magic[2])
	}
	nd := int(magic[3])
	if nd == 0 || nd > 4 {
		return nil, bad("IDX header has %d dimensions, want 1 to 4", nd)
	}
	dims := make([]int, nd)
	total := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, bad("truncated header: %v", err)
		}
		if d == 0 || int64(total)*int64(d) > maxIDXValues {
			return nil, bad("dimension %d has size %d (empty or too large)", i, d)
		}
		dims[i] = int(d)
		total *= int(d)
	}
	data := make([]uint8, total)
	if n, err := io.ReadFull(r, data); err != nil {
		return nil, bad("truncated payload: %d of %d bytes: %v", n, total, err)
	}
	var extra [1]byte
	if n, _ := r.Read(extra[:]); n > 0 {
		return nil, bad("trailing bytes after %d values", total)
	}
	return &IDX{Dims: dims, Data: data}, nil
}

// Images is a labelled image set in float32, each image channel-major
// (C×H×W), ready for models.
type Images struct {
	// X holds N×C×H×W values.
	X []float32
	// Y holds one 0-based class index per image, as a float32 (the form
	// models' softmax_ce accepts).
	Y []float32
	// N, C, H, W are the count and per-image shape.
	N, C, H, W int
}

// Dataset returns the images as a models.Dataset (sharing storage).
func (im *Images) Dataset() models.Dataset { return models.Dataset{X: im.X, Y: im.Y, N: im.N} }

// Shape returns [C, H, W], the models.Spec input shape of the images.
func (im *Images) Shape() []int { return []int{im.C, im.H, im.W} }

// Subset returns the images idx (copied), in that order.
func (im *Images) Subset(idx []int) *Images {
	sz := im.C * im.H * im.W
	out := &Images{N: len(idx), C: im.C, H: im.H, W: im.W, X: make([]float32, len(idx)*sz), Y: make([]float32, len(idx))}
	for k, i := range idx {
		copy(out.X[k*sz:(k+1)*sz], im.X[i*sz:(i+1)*sz])
		out.Y[k] = im.Y[i]
	}
	return out
}

// MNIST normalisation constants: the mean and standard deviation of the
// MNIST training pixels scaled to [0, 1].
const (
	MNISTMean = 0.1307
	MNISTStd  = 0.3081
	// FashionMean and FashionStd are the same for Fashion-MNIST.
	FashionMean = 0.2860
	FashionStd  = 0.3530
)

// LoadIDXImages reads an image IDX file ([N, H, W]) and its label IDX
// file ([N]) and returns the images as 1×H×W float32 values normalised as
// (v/255 − mean)/std. Files that do not pair up give a *FileError
// wrapping ErrMismatch; std must be positive.
func LoadIDXImages(imagesPath, labelsPath string, mean, std float64) (*Images, error) {
	if !(std > 0) {
		return nil, fmt.Errorf("vision: std %g is not positive", std)
	}
	im, err := ReadIDX(imagesPath)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDX(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(im.Dims) != 3 {
		return nil, &FileError{Path: imagesPath, Msg: fmt.Sprintf("dimensions %v are not [N, height, width]", im.Dims), Err: ErrFormat}
	}
	if len(lb.Dims) != 1 {
		return nil, &FileError{Path: labelsPath, Msg: fmt.Sprintf("dimensions %v are not [N]", lb.Dims), Err: ErrFormat}
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, &FileError{Path: labelsPath, Msg: fmt.Sprintf("%d labels for %d images in %s", lb.Dims[0], im.Dims[0], imagesPath), Err: ErrMismatch}
	}
	out := &Images{N: im.Dims[0], C: 1, H: im.Dims[1], W: im.Dims[2], X: make([]float32, len(im.Data)), Y: make([]float32, lb.Dims[0])}
	var lut [256]float32
	for v := range lut {
		lut[v] = float32((float64(v)/255 - mean) / std)
	}
	for i, v := range im.Data {
		out.X[i] = lut[v]
	}
	for i, v := range lb.Data {
		out.Y[i] = float32(v)
	}
	return out, nil
}

// LoadMNISTSplit loads split "train" or "t10k" of an MNIST-layout
// directory (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
// and the same for t10k), normalised with mean and std.
func LoadMNISTSplit(dir, split string, mean, std float64) (*Images, error) {
	if split != "train" && split != "t10k" {
		return nil, fmt.Errorf("vision: split %q, want \"train\" or \"t10k\"", split)
	}
	find := func(kind string) string {
		base := filepath.Join(dir, fmt.Sprintf("%s-%s-idx%d-ubyte", split, kind, map[string]int{"images": 3, "labels": 1}[kind]))
		if _, err := os.Stat(base + ".gz"); err == nil {
			return base + ".gz"
		}
		return base
	}
	return LoadIDXImages(find("images"), find("labels"), mean, std)
}

// WriteIDX writes an unsigned-byte IDX file (raw, or gzip when path ends
// in ".gz"). It panics if data does not hold the product of dims values.
func WriteIDX(path string, dims []int, data []uint8) error {
	total := 1
	for _, d := range dims {
		total *= d
	}
	if total != len(data) || len(dims) == 0 || len(dims) > 4 {
		panic(fmt.Sprintf("vision: WriteIDX: %d values for dims %v", len(data), dims))
	}
	var buf bytes.Buffer
	buf.Write([]byte{0, 0, 0x08, byte(len(dims))})
	for _, d := range dims {
		_ = binary.Write(&buf, binary.BigEndian, uint32(d))
	}
	buf.Write(data)
	out := buf.Bytes()
	if filepath.Ext(path) == ".gz" {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(out)
		if err := zw.Close(); err != nil {
			return fmt.Errorf("vision: write %s: %w", path, err)
		}
		out = z.Bytes()
	}
	if err := atomicfile.WriteFile(path, out, 0o644); err != nil {
		return fmt.Errorf("vision: write %s: %w", path, err)
	}
	return nil
}
