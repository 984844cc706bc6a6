#!/usr/bin/python3
"""Time deepfin's credit MLP against the same network in PyTorch, in one run.

Steps, all on this machine:
  1. build cmd/deepfin and train an MLP bundle on --data (unless --model
     names an existing bundle);
  2. score --data with "deepfin credit score" (the Go PDs);
  3. run the Go benchmarks BenchmarkBundleScore (one applicant per call:
     encoding + network + PD, p50/p99) and BenchmarkBundleBatch (10,000
     applicants per op) on that bundle;
  4. load the same weights (network/model.safetensors, read with a small
     reader below) into a torch.nn.Sequential, encode the same rows with
     the bundle's encoder, check that the PDs match Go's, and time
     single-row eager calls (torch.no_grad, torch.set_num_threads(2)) and
     a 10,000-row batch;
  5. print both sides and their ratios.

PyTorch is timed on already-encoded float32 rows (the network call alone),
Go on raw records (encoding included), which favours PyTorch.

Run from the repository root with Debian's PyTorch:
  /usr/bin/python3 scripts/credit_mlp_vs_torch.py \
      --data ../shared/data/credit/german_credit_statlog.csv --target class --bad 2
"""
import argparse
import csv
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch


def sh(args, env=None):
    print("+", " ".join(args), file=sys.stderr)
    return subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout


def read_safetensors(path):
    """Returns {name: float32 numpy array} from a safetensors file."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {t['dtype']}, want F32")
        lo, hi = t["data_offsets"]
        out[name] = np.frombuffer(body[lo:hi], dtype="<f4").reshape(t["shape"]).copy()
    return out


def build_torch(bundle):
    spec = json.load(open(os.path.join(bundle, "network", "model.json")))["spec"]
    w = read_safetensors(os.path.join(bundle, "network", "model.safetensors"))
    mods = []
    for i, layer in enumerate(spec["layers"]):
        kind = layer["type"]
        if kind == "dense":
            W, b = w[f"layers.{i}.dense.w"], w[f"layers.{i}.dense.b"]
            lin = torch.nn.Linear(W.shape[0], W.shape[1])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W.T.copy()))  # ours: x·W, [in, out]
                lin.bias.copy_(torch.from_numpy(b))
            mods.append(lin)
        elif kind == "relu":
            mods.append(torch.nn.ReLU())
        elif kind == "dropout":
            mods.append(torch.nn.Dropout(layer.get("rate", 0)))
        elif kind == "tanh":
            mods.append(torch.nn.Tanh())
        else:
            raise SystemExit(f"layer {kind} not supported by this script")
    return torch.nn.Sequential(*mods).eval()


def encode(manifest, path):
    """Encodes every row of the CSV as deepfin's Encoder does (float32)."""
    mlp = manifest["mlp"]
    fields = mlp["schema"]["fields"]
    enc = mlp["encoder"]
    rows = list(csv.DictReader(open(path, newline="")))
    X = np.zeros((len(rows), enc["width"]), dtype=np.float32)
    clip = enc["clip"]
    for r, row in enumerate(rows):
        for ef in enc["fields"]:
            f = fields[ef["field"]]
            cell = row.get(f["name"], "").strip()
            off = ef["offset"]
            if "categories" in ef and ef["categories"] is not None and f["kind"] == "categorical":
                cats = ef["categories"]
                if cell == "":
                    if ef.get("missing"):
                        X[r, off + len(cats)] = 1
                elif cell in cats:
                    X[r, off + cats.index(cell)] = 1
                continue
            if cell == "":
                if ef.get("missing"):
                    X[r, off + 1] = 1
                continue
            x = float(cell)
            if enc.get("signed_log"):
                x = math.copysign(math.log1p(abs(x)), x)
            z = (x - ef.get("mean", 0.0)) / ef.get("std", 1.0)
            X[r, off] = max(-clip, min(clip, z))
    return X


def pct(sorted_ns, q):
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True)
    ap.add_argument("--target", default="class")
    ap.add_argument("--bad", default="2")
    ap.add_argument("--model", help="existing MLP bundle (default: train one)")
    ap.add_argument("--train-args", default="", help="extra flags for deepfin credit train")
    ap.add_argument("--calls", type=int, default=20000, help="single-row calls timed on each side")
    args = ap.parse_args()

    torch.set_num_threads(2)
    work = tempfile.mkdtemp(prefix="credit-torch-")
    exe = os.path.join(work, "deepfin")
    sh(["go", "build", "-o", exe, "./cmd/deepfin"])
    bundle = args.model
    if not bundle:
        bundle = os.path.join(work, "model")
        sh([exe, "credit", "train", "--model", "mlp", "--data", args.data, "--target", args.target,
            "--bad", args.bad, "--folds", "0", "--quiet", "--out", bundle] + args.train_args.split())
    manifest = json.load(open(os.path.join(bundle, "credit-model.json")))
    if manifest["kind"] != "mlp":
        raise SystemExit(f"{bundle} holds a {manifest['kind']}, want an mlp")

    # Go: PDs and benchmarks
    scores = os.path.join(work, "scores.csv")
    sh([exe, "credit", "score", "--model", bundle, "--data", args.data, "--output", scores, "--reasons", "0"])
    go_pd = np.array([float(r["pd"]) for r in csv.DictReader(open(scores))])
    env = dict(os.environ, DEEPFIN_BENCH_BUNDLE=os.path.abspath(bundle), DEEPFIN_BENCH_DATA=os.path.abspath(args.data))
    out = sh(["go", "test", "./finance/credit", "-run", "^$", "-bench", "^BenchmarkBundleScore$",
              "-benchtime", f"{args.calls}x", "-count", "1"], env=env)
    out += sh(["go", "test", "./finance/credit", "-run", "^$", "-bench", "^BenchmarkBundleBatch$",
               "-benchtime", "2s", "-count", "1"], env=env)
    print(out.strip())
    m = re.search(r"BenchmarkBundleScore\S*\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) p50-ns\s+([\d.]+) p99-ns", out)
    go_p50, go_p99 = float(m.group(2)), float(m.group(3))
    go_rows = float(re.search(r"BenchmarkBundleBatch\S*\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) rows/s", out).group(1))

    # PyTorch: same weights, same rows
    net = build_torch(bundle)
    X = torch.from_numpy(encode(manifest, args.data))
    with torch.no_grad():
        pt_pd = torch.sigmoid(net(X)).squeeze(1).numpy().astype(np.float64)
    diff = float(np.max(np.abs(pt_pd - go_pd)))
    n = X.shape[0]
    times = []
    with torch.no_grad():
        for i in range(200):
            net(X[i % n:i % n + 1])
        for i in range(args.calls):
            row = X[i % n:i % n + 1]
            t0 = time.perf_counter_ns()
            net(row)
            times.append(time.perf_counter_ns() - t0)
    times.sort()
    pt_p50, pt_p99 = pct(times, 0.50), pct(times, 0.99)
    idx = torch.arange(10000) % n
    Xb = X[idx]
    with torch.no_grad():
        net(Xb)
        reps, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < 2:
            net(Xb)
            reps += 1
        pt_rows = reps * 10000 / (time.perf_counter() - t0)

    print()
    print(f"data {args.data}: {n} rows, network {manifest['mlp']['config']['Hidden']} hidden, "
          f"{manifest['mlp']['encoder']['width']} inputs; torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"max |PD(Go) - PD(PyTorch)| over {n} rows: {diff:.2e}")
    print(f"{'':28}{'Go deepfin':>14}{'PyTorch eager':>16}{'Go advantage':>15}")
    print(f"{'single row p50 (us)':28}{go_p50/1e3:14.2f}{pt_p50/1e3:16.2f}{pt_p50/go_p50:14.1f}x")
    print(f"{'single row p99 (us)':28}{go_p99/1e3:14.2f}{pt_p99/1e3:16.2f}{pt_p99/go_p99:14.1f}x")
    print(f"{'batch 10,000 (rows/s)':28}{go_rows:14.0f}{pt_rows:16.0f}{go_rows/pt_rows:14.2f}x")
    print("(Go includes encoding the raw record; PyTorch times the network call on encoded rows)")
    if diff > 1e-5:
        raise SystemExit(f"PDs differ by {diff:.2e}: the two networks are not the same")


if __name__ == "__main__":
    main()
