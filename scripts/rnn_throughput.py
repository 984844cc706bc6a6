#!/usr/bin/python3
"""Side-by-side training throughput: deepfin vs PyTorch on row-by-row MNIST.

Runs the same model (LSTM(128) -> linear(10) by default, the ReLU
RNN(256), or GRU(128)), batch 64, SGD lr 0.01 momentum 0.9, softmax cross-entropy, on
the first batches*64 MNIST training images, alternating deepfin and
PyTorch rounds so that both see the same machine load. Prints sequences
per second of each round, the medians and their ratio (deepfin/PyTorch).

Usage (from the repository root; needs Debian's python3-torch):

    /usr/bin/python3 scripts/rnn_throughput.py [--model lstm|rnn|gru] [--batches 20] [--rounds 3]
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

# OpenMP's default busy-waiting collapses PyTorch's throughput (to tens of
# sequences/s) when the cores are shared with other processes; passive
# waiting gives it its best numbers here. Override by setting the variable.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402 (after the OpenMP setting)


def load_mnist(folder, n):
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x803:
            sys.exit("bad magic number in images file")
        raw = f.read(n * rows * cols)
    with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")) as f:
        magic, count = struct.unpack(">II", f.read(8))
        if magic != 0x801:
            sys.exit("bad magic number in labels file")
        labels = f.read(n)
    x = torch.frombuffer(bytearray(raw), dtype=torch.uint8).float().div(255).view(n, 28, 28)
    y = torch.tensor(list(labels), dtype=torch.long)
    return x, y


class Net(torch.nn.Module):
    def __init__(self, kind):
        super().__init__()
        if kind == "lstm":
            self.rnn = torch.nn.LSTM(28, 128, batch_first=True)
            width = 128
        elif kind == "gru":
            self.rnn = torch.nn.GRU(28, 128, batch_first=True)
            width = 128
        else:
            self.rnn = torch.nn.RNN(28, 256, nonlinearity="relu", batch_first=True)
            width = 256
        self.fc = torch.nn.Linear(width, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


def torch_round(kind, x, y, batches, seed):
    torch.manual_seed(seed)
    net = Net(kind)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(i):
        xb, yb = x[i * 64:(i + 1) * 64], y[i * 64:(i + 1) * 64]
        opt.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()

    step(0)  # warm-up
    perm = torch.randperm(batches * 64)
    xs, ys = x[perm], y[perm]
    t0 = time.perf_counter()
    for i in range(batches):
        xb, yb = xs[i * 64:(i + 1) * 64], ys[i * 64:(i + 1) * 64]
        opt.zero_grad()
        loss = loss_fn(net(xb), yb)
        loss.backward()
        opt.step()
    return batches * 64 / (time.perf_counter() - t0)


def deepfin_round(binary, kind, data, batches, seed):
    args = [binary, "bench", "rnn", "--data", data, "--batches", str(batches), "--json", "--seed", str(seed)]
    if kind == "lstm":
        args += ["--model", "lstm", "--units", "128"]
    elif kind == "gru":
        args += ["--model", "gru", "--units", "128"]
    else:
        args += ["--model", "rnn", "--units", "256", "--activation", "relu"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["train_seq_per_s"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="lstm", choices=["lstm", "rnn", "gru"])
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.path.join("..", "shared", "data", "mnist"))
    args = ap.parse_args()

    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "deepfin")
        subprocess.run(["go", "build", "-o", binary, "./cmd/deepfin"], check=True)
        x, y = load_mnist(args.data, args.batches * 64)
        ours, theirs = [], []
        for r in range(args.rounds):
            ours.append(deepfin_round(binary, args.model, args.data, args.batches, r + 1))
            theirs.append(torch_round(args.model, x, y, args.batches, r + 1))
            print(f"round {r + 1}: deepfin {ours[-1]:.1f} seq/s, pytorch {theirs[-1]:.1f} seq/s", flush=True)
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"{args.model}: batch 64, {args.batches} batches per round, torch {torch.__version__} "
          f"with {torch.get_num_threads()} threads (OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"mkldnn {torch.backends.mkldnn.is_available()}), deepfin GOMAXPROCS default ({os.cpu_count()} CPUs)")
    print(f"median deepfin {a:.1f} seq/s, pytorch {b:.1f} seq/s, ratio deepfin/pytorch {a / b:.2f}x")


if __name__ == "__main__":
    main()
