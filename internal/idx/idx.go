package idx

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Magic numbers of the two IDX kinds read here.
const (
	MagicImages = 0x00000803 // uint8, 3 dimensions
	MagicLabels = 0x00000801 // uint8, 1 dimension
)

// maxValues bounds the payload so that a corrupt header cannot make the
// reader allocate without limit (MNIST's train images are 47 M values).
const maxValues = 1 << 28

// ErrFormat is wrapped by every error about malformed content.
var ErrFormat = errors.New("idx: malformed file")

// Images is a stack of N images of Rows×Cols uint8 pixels, row-major,
// image after image.
type Images struct {
	N, Rows, Cols int
	Pixels        []uint8
}

// ReadImages reads an image file (gzip-compressed when its name ends in
// ".gz").
func ReadImages(path string) (*Images, error) {
	var im *Images
	err := readFile(path, func(r io.Reader) error {
		var err error
		im, err = DecodeImages(r)
		return err
	})
	return im, err
}

// ReadLabels reads a label file (gzip-compressed when its name ends in
// ".gz").
func ReadLabels(path string) ([]uint8, error) {
	var l []uint8
	err := readFile(path, func(r io.Reader) error {
		var err error
		l, err = DecodeLabels(r)
		return err
	})
	return l, err
}

func readFile(path string, decode func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("idx: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if head, _ := br.Peek(2); bytes.Equal(head, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("idx: %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := decode(r); err != nil {
		return fmt.Errorf("idx: %s: %w", path, err)
	}
	return nil
}

// DecodeImages reads an uncompressed image file from r.
func DecodeImages(r io.Reader) (*Images, error) {
	dims, err := header(r, MagicImages, 3)
	if err != nil {
		return nil, err
	}
	im := &Images{N: dims[0], Rows: dims[1], Cols: dims[2]}
	if im.Pixels, err = payload(r, dims); err != nil {
		return nil, err
	}
	return im, nil
}

// DecodeLabels reads an uncompressed label file from r.
func DecodeLabels(r io.Reader) ([]uint8, error) {
	dims, err := header(r, MagicLabels, 1)
	if err != nil {
		return nil, err
	}
	return payload(r, dims)
}

func header(r io.Reader, magic uint32, ndim int) ([]int, error) {
	var m uint32
	if err := binary.Read(r, binary.BigEndian, &m); err != nil {
		return nil, fmt.Errorf("reading magic number: %w (%w)", err, ErrFormat)
	}
	if m != magic {
		return nil, fmt.Errorf("magic number 0x%08x, want 0x%08x: %w", m, magic, ErrFormat)
	}
	dims := make([]int, ndim)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("reading dimension %d: %w (%w)", i, err, ErrFormat)
		}
		dims[i] = int(d)
	}
	return dims, nil
}

func payload(r io.Reader, dims []int) ([]uint8, error) {
	n := 1
	for _, d := range dims {
		if d <= 0 || n > maxValues/d {
			return nil, fmt.Errorf("dimensions %v out of range: %w", dims, ErrFormat)
		}
		n *= d
	}
	buf := make([]uint8, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("payload of %d values: %w (%w)", n, err, ErrFormat)
	}
	return buf, nil
}
