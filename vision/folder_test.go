package vision

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writePNG writes a w×h gray PNG whose pixel (x, y) is v(x, y).
func writePNG(t *testing.T, path string, w, h int, v func(x, y int) uint8) []byte {
	t.Helper()
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.SetGray(x, y, color.Gray{Y: v(x, y)})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, g))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	return buf.Bytes()
}

func TestImageFolder(t *testing.T) {
	root := t.TempDir()
	for i := 0; i < 5; i++ {
		writePNG(t, filepath.Join(root, "cat", string(rune('a'+i))+".png"), 4, 4, func(x, y int) uint8 { return uint8(10 * x) })
		writePNG(t, filepath.Join(root, "dog", string(rune('a'+i))+".png"), 4, 4, func(x, y int) uint8 { return 255 })
	}
	full := writePNG(t, filepath.Join(root, "dog", "z.png"), 4, 4, func(x, y int) uint8 { return 1 })
	bad := filepath.Join(root, "dog", "z.png")
	require.NoError(t, os.WriteFile(bad, full[:len(full)/2], 0o644)) // truncated
	require.NoError(t, os.WriteFile(filepath.Join(root, "dog", "notes.txt"), []byte("x"), 0o644))

	f, err := OpenImageFolder(root)
	require.NoError(t, err)
	assert.Equal(t, []string{"cat", "dog"}, f.Classes)
	assert.Len(t, f.Paths, 11)

	cfg := LoaderConfig{Transform: Transform{Channels: 1, Height: 2, Width: 2}, BatchSize: 3, Workers: 2, Buffer: 1}
	t.Run("truncated_png_names_file", func(t *testing.T) {
		_, err := f.Batches(context.Background(), cfg, func(Batch) error { return nil })
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrFormat)
		assert.Contains(t, err.Error(), bad)
	})
	t.Run("skip_bad", func(t *testing.T) {
		cfg := cfg
		cfg.SkipBad = true
		im, st, err := f.LoadAll(context.Background(), cfg)
		require.NoError(t, err)
		assert.Equal(t, 10, im.N)
		assert.Equal(t, 1, st.Skipped)
		assert.Equal(t, []string{bad}, st.Bad)
		assert.Equal(t, []float32{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, im.Y)
		// A 4×4 → 2×2 bilinear resize of columns 0,10,20,30 samples at
		// 0.5 and 2.5: (5 and 25)/255.
		assert.InDeltaSlice(t, []float32{5. / 255, 25. / 255, 5. / 255, 25. / 255}, im.X[:4], 1e-6)
	})
	t.Run("shuffle_is_seeded", func(t *testing.T) {
		cfg := cfg
		cfg.SkipBad, cfg.Shuffle, cfg.Seed = true, true, 7
		a, _, err := f.LoadAll(context.Background(), cfg)
		require.NoError(t, err)
		b, _, err := f.LoadAll(context.Background(), cfg)
		require.NoError(t, err)
		assert.Equal(t, a.Y, b.Y)
	})
}

func TestTransform(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 3, 1))
	img.Pix = []uint8{0, 51, 102}
	cases := []struct {
		name string
		tr   Transform
		want []float32
	}{
		{"to_tensor", Transform{Channels: 1, Height: 1, Width: 3}, []float32{0, 0.2, 0.4}},
		{"flip", Transform{Channels: 1, Height: 1, Width: 3, FlipProb: 1}, []float32{0.4, 0.2, 0}},
		{"normalize", Transform{Channels: 1, Height: 1, Width: 3, Mean: []float64{0.2}, Std: []float64{0.1}}, []float32{-2, 0, 2}},
		{"rgb", Transform{Height: 1, Width: 1}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.NoError(t, c.tr.Check())
			dst := make([]float32, c.tr.Size())
			c.tr.Apply(dst, img, rand.New(rand.NewPCG(1, 2)))
			if c.want != nil {
				assert.InDeltaSlice(t, c.want, dst, 1e-6)
			} else {
				assert.Len(t, dst, 3)
			}
		})
	}
	assert.Error(t, Transform{Channels: 2, Height: 1, Width: 1}.Check())
	// A random-resized crop stays inside the image.
	for i := range 50 {
		x0, y0, cw, ch := randomCrop(10, 8, [2]float64{}, rand.New(rand.NewPCG(uint64(i), 0)))
		assert.True(t, x0 >= 0 && y0 >= 0 && x0+cw <= 10 && y0+ch <= 8)
	}
}
