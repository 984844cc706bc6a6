package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/mnist holds the first 128 training and 64 test images of MNIST.
func benchRNNTest(t *testing.T, args ...string) (rnnResult, error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"bench", "rnn", "--data", filepath.Join("testdata", "mnist"), "--quiet", "--json"}, args...))
	if err := cmd.Execute(); err != nil {
		return rnnResult{}, err
	}
	var res rnnResult
	require.NoError(t, json.Unmarshal(out.Bytes(), &res))
	return res, nil
}

func TestBenchRNN(t *testing.T) {
	cases := []struct {
		name string
		args []string
	}{
		{"lstm", []string{"--units", "8", "--epochs", "2"}},
		{"rnn_relu_clipped", []string{"--model", "rnn", "--activation", "relu", "--units", "8", "--clip", "1"}},
		{"alstm", []string{"--model", "alstm", "--units", "4", "--epochs", "1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := benchRNNTest(t, append(c.args, "--epochs", "1")...)
			require.NoError(t, err)
			assert.Equal(t, 128, res.TrainN)
			assert.Equal(t, 64, res.TestN)
			require.Len(t, res.Epochs, 1)
			assert.Empty(t, res.Diverged)
			assert.GreaterOrEqual(t, res.Epochs[0].TestAcc, 0.0)
			assert.Greater(t, res.SeqPerSec, 0.0)
		})
	}
}

func TestBenchRNNThroughputOnly(t *testing.T) {
	res, err := benchRNNTest(t, "--units", "8", "--batches", "2")
	require.NoError(t, err)
	assert.Equal(t, 2, res.Batches)
	assert.Empty(t, res.Epochs)
	assert.Greater(t, res.SeqPerSec, 0.0)
}

func TestBenchRNNErrors(t *testing.T) {
	_, err := benchRNNTest(t, "--model", "transformer")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--model "transformer"`)
	_, err = benchRNNTest(t, "--data", t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "train-images-idx3-ubyte")
}

// TestBenchResNetExport runs bench resnet on the MNIST fixture (as if it
// were Fashion-MNIST) and checks that its image-folder export is whole
// whatever --limit says, is reused, and is refused when it came from
// other files or lacks its record.
func TestBenchResNetExport(t *testing.T) {
	out := t.TempDir()
	args := []string{"bench", "resnet", "--data", filepath.Join("testdata", "mnist"), "--out", out,
		"--epochs", "1", "--batch", "32", "--quiet"}
	stdout, _, err := run(t, append(args, "--limit", "32")...)
	require.NoError(t, err)
	assert.Contains(t, stdout, "exported 128 train images")
	assert.Contains(t, stdout, "32 train / 64 test images")

	stdout, _, err = run(t, append(args, "--limit", "64")...)
	require.NoError(t, err)
	assert.NotContains(t, stdout, "exported", "the export is reused")
	assert.Contains(t, stdout, "64 train / 64 test images")

	other := t.TempDir()
	for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
		b, err := os.ReadFile(filepath.Join("testdata", "mnist", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(other, f), b, 0o644))
	}
	_, _, err = run(t, "bench", "resnet", "--data", other, "--out", out, "--epochs", "1", "--quiet")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "was exported from")

	require.NoError(t, os.Remove(filepath.Join(out, "fashion-folder", "train.export.json")))
	_, _, err = run(t, append(args, "--limit", "32")...)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "export record")
}

// TestBenchCNNBadFlags checks that bad values stop the CNN benchmarks
// before any data is read or exported.
func TestBenchCNNBadFlags(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"mnist_batch", []string{"mnist", "--batch", "0"}, "--batch 0"},
		{"fashion_epochs", []string{"fashion", "--epochs", "0"}, "--epochs 0"},
		{"resnet_batch", []string{"resnet", "--batch", "0"}, "--batch 0"},
		{"resnet_limit", []string{"resnet", "--limit", "-5"}, "--limit -5"},
		{"resnet_schedule", []string{"resnet", "--schedule", "linear"}, `--schedule "linear"`},
		{"resnet_size", []string{"resnet", "--size", "4"}, "--size 4"},
		{"lr", []string{"mnist", "--lr", "-1"}, "--lr -1"},
		{"momentum", []string{"mnist", "--momentum", "1"}, "--momentum 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"bench"}, c.args...)
			_, _, err := run(t, append(args, "--data", filepath.Join("testdata", "mnist"), "--out", out, "--quiet")...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.NoDirExists(t, out, "nothing is written")
		})
	}
}

func TestBenchMNISTFixture(t *testing.T) {
	out := t.TempDir()
	stdout, _, err := run(t, "bench", "mnist", "--data", filepath.Join("testdata", "mnist"), "--out", out,
		"--epochs", "1", "--schedule", "cosine", "--quiet")
	require.NoError(t, err)
	assert.Contains(t, stdout, "cosine schedule")
	b, err := os.ReadFile(filepath.Join(out, "bench-mnist.json"))
	require.NoError(t, err)
	var rep struct {
		Recipe map[string]any `json:"recipe"`
	}
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Equal(t, "cosine", rep.Recipe["schedule"])
	assert.Equal(t, 0.01, rep.Recipe["learning_rate"])
}
