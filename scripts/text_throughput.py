#!/usr/bin/python3
"""Side-by-side inference throughput of a text classifier: deepfin vs PyTorch.

The model is embedding(vocab 10000, 64, id 0 = padding) -> GRU(64) (or
LSTM(64) with --model lstm) -> linear(3) over sentences of 40 random token
ids, batch 64, in evaluation mode. deepfin runs Model.Predict, the
batched path nlp.TextClassifier takes from 16 texts on (or, with
--predictor, the per-sentence plain-Go Predictor), in
scripts/textthroughput, built here with `go build`; PyTorch 1.13 runs
under torch.inference_mode() with torch.set_num_threads(2). Rounds
alternate between the two so that both see the same machine load; the
script prints sentences per second of every round, the medians and their
ratio (deepfin/PyTorch).

Usage (from the repository root; needs Debian's python3-torch):

    /usr/bin/python3 scripts/text_throughput.py [--model gru|lstm] [--batches 50] [--rounds 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

# OpenMP's busy-waiting collapses PyTorch's throughput on shared cores
# (see scripts/rnn_throughput.py); passive waiting is its best case here.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402


class TextNet(torch.nn.Module):
    def __init__(self, kind, vocab, embed, units, classes):
        super().__init__()
        self.emb = torch.nn.Embedding(vocab, embed, padding_idx=0)
        rnn = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
        self.rnn = rnn(embed, units, batch_first=True)
        self.fc = torch.nn.Linear(units, classes)

    def forward(self, ids):
        out, _ = self.rnn(self.emb(ids))
        return self.fc(out[:, -1, :])


def torch_round(net, ids, batch, batches):
    with torch.inference_mode():
        net(ids[:batch])  # warm-up
        t0 = time.perf_counter()
        for b in range(batches):
            net(ids[b * batch:(b + 1) * batch])
        return batches * batch / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="gru", choices=["gru", "lstm"])
    ap.add_argument("--vocab", type=int, default=10000)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--units", type=int, default=64)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--batches", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--predictor", action="store_true", help="time deepfin's per-sentence Predictor instead of Model.Predict")
    a = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(1)
    net = TextNet(a.model, a.vocab, a.embed, a.units, 3).eval()
    ids = torch.randint(1, a.vocab, (a.batches * a.batch, a.steps))

    binary = os.path.join(tempfile.mkdtemp(), "textthroughput")
    subprocess.run(["go", "build", "-o", binary, "./scripts/textthroughput"], check=True)
    go_args = [binary, "-kind", a.model, "-vocab", str(a.vocab), "-steps", str(a.steps), "-embed", str(a.embed),
               "-units", str(a.units), "-batch", str(a.batch), "-batches", str(a.batches)]
    if not a.predictor:
        go_args.append("-graph")
    ours, theirs = [], []
    for r in range(a.rounds):
        res = json.loads(subprocess.run(go_args, check=True, capture_output=True, text=True).stdout)
        ours.append(res["seq_per_s"])
        theirs.append(torch_round(net, ids, a.batch, a.batches))
        print(f"round {r + 1}: deepfin {ours[-1]:.1f} sentences/s, pytorch {theirs[-1]:.1f} sentences/s", flush=True)
    print(f"{a.model}: embedding({a.vocab}, {a.embed}) -> {a.model}({a.units}) -> linear(3), {a.steps} tokens, "
          f"batch {a.batch}, {a.batches} batches per round; torch {torch.__version__} with "
          f"{torch.get_num_threads()} threads (OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}), "
          f"deepfin {'Predictor' if a.predictor else 'Model.Predict'}, GOMAXPROCS {os.environ.get('GOMAXPROCS', 'default')} ({os.cpu_count()} CPUs)")
    mo, mt = statistics.median(ours), statistics.median(theirs)
    print(f"median deepfin {mo:.1f} sentences/s, pytorch {mt:.1f} sentences/s, ratio deepfin/pytorch {mo / mt:.2f}x")


if __name__ == "__main__":
    main()
