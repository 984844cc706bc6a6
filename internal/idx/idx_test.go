package idx

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func encode(magic uint32, dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func TestDecodeImages(t *testing.T) {
	im, err := DecodeImages(bytes.NewReader(encode(MagicImages, []uint32{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})))
	require.NoError(t, err)
	assert.Equal(t, 2, im.N)
	assert.Equal(t, 2, im.Rows)
	assert.Equal(t, 3, im.Cols)
	assert.Equal(t, []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, im.Pixels)
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"labels_as_images", encode(MagicLabels, []uint32{2}, []byte{1, 2}), "magic number 0x00000801, want 0x00000803"},
		{"short_payload", encode(MagicImages, []uint32{2, 2, 2}, []byte{1, 2, 3}), "payload of 8 values"},
		{"zero_dimension", encode(MagicImages, []uint32{0, 2, 2}, nil), "out of range"},
		{"empty", nil, "reading magic number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeImages(bytes.NewReader(c.data))
			require.ErrorIs(t, err, ErrFormat)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestReadLabelsGzip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(encode(MagicLabels, []uint32{3}, []byte{7, 0, 9}))
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
	l, err := ReadLabels(path)
	require.NoError(t, err)
	assert.Equal(t, []uint8{7, 0, 9}, l)

	_, err = ReadImages(path)
	require.ErrorIs(t, err, ErrFormat)
	assert.Contains(t, err.Error(), path)
}

func ExampleDecodeLabels() {
	data := encode(MagicLabels, []uint32{4}, []byte{3, 1, 4, 1})
	l, err := DecodeLabels(bytes.NewReader(data))
	fmt.Println(l, err)
	// Output: [3 1 4 1] <nil>
}
