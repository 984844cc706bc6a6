package main

import (
	"bytes"
	"encoding/json"
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
