package vision

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deepfin/deepfin/models"
)

func TestReadIDX(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return p
	}
	good := []byte{0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6}
	cases := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"raw", good, ""},
		{"wrong_magic", append([]byte{0x1a, 0x2b, 8, 2}, good[4:]...), "magic number 0x1a2b0802 is not an IDX header"},
		{"not_bytes", append([]byte{0, 0, 0x0d, 2}, good[4:]...), "element type 0x0d"},
		{"truncated_payload", good[:15], "truncated payload: 3 of 6 bytes"},
		{"truncated_header", good[:6], "truncated header"},
		{"trailing", append(append([]byte{}, good...), 7), "trailing bytes"},
		{"zero_dim", []byte{0, 0, 8, 1, 0, 0, 0, 0}, "size 0"},
		{"empty", nil, "too short"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(c.name+".idx", c.data)
			got, err := ReadIDX(p)
			if c.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrFormat)
				assert.Contains(t, err.Error(), c.wantErr)
				assert.Contains(t, err.Error(), p, "the error names the file")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, []int{2, 3}, got.Dims)
			assert.Equal(t, []uint8{1, 2, 3, 4, 5, 6}, got.Data)
		})
	}
	t.Run("gzip_round_trip", func(t *testing.T) {
		p := filepath.Join(dir, "x.idx.gz")
		require.NoError(t, WriteIDX(p, []int{3}, []uint8{9, 8, 7}))
		got, err := ReadIDX(p)
		require.NoError(t, err)
		assert.Equal(t, []uint8{9, 8, 7}, got.Data)
	})
	t.Run("missing", func(t *testing.T) {
		_, err := ReadIDX(filepath.Join(dir, "nope"))
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
}

func TestLoadMNISTFixture(t *testing.T) {
	train, err := LoadMNISTSplit("testdata/mnist", "train", MNISTMean, MNISTStd)
	require.NoError(t, err)
	assert.Equal(t, 300, train.N)
	assert.Equal(t, []int{1, 28, 28}, train.Shape())
	// The first MNIST training label is 5; pixel (0, 0) is background.
	assert.Equal(t, float32(5), train.Y[0])
	assert.InDelta(t, -MNISTMean/MNISTStd, train.X[0], 1e-6)

	_, err = LoadIDXImages("testdata/mnist/train-images-idx3-ubyte.gz", "testdata/mnist/t10k-labels-idx1-ubyte.gz", 0, 1)
	assert.ErrorIs(t, err, ErrMismatch)
	_, err = LoadMNISTSplit("testdata/mnist", "validation", 0, 1)
	assert.Error(t, err)
}

func TestLeNet5Shapes(t *testing.T) {
	m, err := models.New(LeNet5(10), 1)
	require.NoError(t, err)
	// conv 6·25+6, conv 16·150+16, dense 400·120+120, 120·84+84, 84·10+10:
	// the flatten is 16·5·5 = 400 because the first convolution pads by 2.
	assert.Equal(t, 156+2416+48120+10164+850, m.NumParams())
	assert.Equal(t, 784, m.Inputs())
	assert.Equal(t, 10, m.Outputs())
}

func TestResNetParams(t *testing.T) {
	cases := []struct {
		depth, classes int
		want           int
	}{
		{18, 1000, 11689512},
		{34, 1000, 21797672},
		{50, 1000, 25557032},
		{18, 10, 11181642},
	}
	for _, c := range cases {
		t.Run(filepath.Join("resnet", string(rune('0'+c.depth/10)), string(rune('0'+c.depth%10))), func(t *testing.T) {
			spec, err := ResNet(ResNetConfig{Depth: c.depth, Classes: c.classes})
			require.NoError(t, err)
			m, err := models.New(spec, 1)
			require.NoError(t, err)
			assert.Equal(t, c.want, m.NumParams())
			assert.Equal(t, c.classes, m.Outputs())
		})
	}
	_, err := ResNet(ResNetConfig{Depth: 101, Classes: 10})
	assert.Error(t, err)
}

// TestResNet50Steps runs five SGD steps of ResNet-50 on one fixed batch of
// two 224×224 images and checks that the loss falls. It takes about 12 s
// and 1.6 GB on two cores; -short skips it.
func TestResNet50Steps(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the ResNet-50 training steps (about 12 s, 1.6 GB)")
	}
	spec, err := ResNet(ResNetConfig{Depth: 50, Classes: 1000})
	require.NoError(t, err)
	m, err := models.New(spec, 1)
	require.NoError(t, err)
	d := models.Dataset{X: make([]float32, 2*3*224*224), Y: []float32{3, 7}, N: 2}
	for i := range d.X {
		d.X[i] = float32((i*7919)%255)/255 - 0.5
	}
	var losses []float64
	_, err = m.Fit(context.Background(), d, models.TrainConfig{Epochs: 5, BatchSize: 2, Loss: models.LossSoftmaxCE,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerSGD, LearningRate: 0.01, Momentum: 0.9},
		Progress: func(p models.Progress) {
			if p.Done {
				losses = append(losses, p.TrainLoss)
			}
		}})
	require.NoError(t, err)
	t.Logf("ResNet-50 losses over 5 steps: %v", losses)
	require.Len(t, losses, 5)
	assert.Less(t, losses[4], losses[0])
}

func TestTrainClassifierFixture(t *testing.T) {
	train, err := LoadMNISTSplit("testdata/mnist", "train", MNISTMean, MNISTStd)
	require.NoError(t, err)
	test, err := LoadMNISTSplit("testdata/mnist", "t10k", MNISTMean, MNISTStd)
	require.NoError(t, err)
	m, err := models.New(LeNet5(10), 1)
	require.NoError(t, err)
	res, err := TrainClassifier(context.Background(), m, train, test, models.TrainConfig{Epochs: 3, BatchSize: 32,
		Optimizer: models.OptimizerConfig{Name: models.OptimizerSGD, LearningRate: 0.01, Momentum: 0.9}})
	require.NoError(t, err)
	require.Len(t, res.Epochs, 3)
	// 300 images, 3 epochs: far from converged, but far above chance.
	assert.Greater(t, res.FinalTestAccuracy, 0.5)
	assert.Less(t, res.Epochs[2].TrainLoss, res.Epochs[0].TrainLoss)
}

func TestFileErrorIs(t *testing.T) {
	err := &FileError{Path: "a.png", Msg: "truncated", Err: ErrFormat}
	assert.True(t, errors.Is(err, ErrFormat))
	assert.Equal(t, "vision: a.png: truncated", err.Error())
}
