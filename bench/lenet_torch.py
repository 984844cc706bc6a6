"""PyTorch half of bench/lenet_side_by_side.sh.

Trains the same LeNet-5 as deepfin's vision.LeNet5 (conv 6@5x5 pad 2,
ReLU, 2x2 max pool, conv 16@5x5, ReLU, 2x2 max pool, 400-120-84-10) or,
with --model resnet18, the same ResNet-18 as vision.ResNet (ImageNet stem
on 1x28x28 input, basic blocks, 10 classes) with SGD lr 0.01 momentum 0.9
on MNIST batches and prints one JSON line with images/s. Run it with
Debian's /usr/bin/python3 (python3-torch 1.13; torchvision is not needed).
"""
import argparse
import gzip
import json
import os
import resource
import time

import numpy as np
import torch
from torch import nn


def load_mnist(path, n):
    with gzip.open(os.path.join(path, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with gzip.open(os.path.join(path, "train-labels-idx1-ubyte.gz")) as f:
        y = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    x = x.reshape(-1, 1, 28, 28)[:n].astype(np.float32)
    x = (x / 255.0 - 0.1307) / 0.3081
    return torch.from_numpy(x), torch.from_numpy(y[:n].astype(np.int64))


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


class Block(nn.Module):
    """A basic residual block: two 3x3 convs with batch norm, and a 1x1
    conv shortcut when the shape changes; ReLU after the sum."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = nn.Identity()
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.branch(x) + self.short(x))


def resnet18():
    layers = [nn.Conv2d(1, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for stage in range(4):
        width = 64 << stage
        for i in range(2):
            layers.append(Block(cin, width, 2 if stage > 0 and i == 0 else 1))
            cin = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/mnist")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default="lenet", choices=["lenet", "resnet18"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    n = a.batch * a.steps
    try:
        x, y = load_mnist(a.data, n)
        data = "mnist"
    except OSError:
        x, y = torch.randn(n, 1, 28, 28), torch.randint(0, 10, (n,))
        data = "random"
    model = lenet() if a.model == "lenet" else resnet18()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def epoch(k):
        perm = torch.randperm(k)
        for s in range(0, k, a.batch):
            idx = perm[s:s + a.batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()

    epoch(a.batch * min(10, a.steps))  # warm-up
    def cpu():
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    t0, c0 = time.perf_counter(), cpu()
    epoch(n)
    sec, cpus = time.perf_counter() - t0, cpu() - c0
    print(json.dumps({"impl": "pytorch " + torch.__version__, "model": a.model, "data": data, "batch": a.batch,
                      "images": n, "seconds": sec, "images_per_s": n / sec,
                      "threads": torch.get_num_threads(), "cpu_seconds": cpus,
                      "images_per_cpu_s": n / cpus}))


if __name__ == "__main__":
    main()
