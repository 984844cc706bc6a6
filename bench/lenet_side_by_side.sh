#!/usr/bin/env bash
# Side-by-side LeNet-5 training throughput: deepfin (pure Go) and PyTorch
# (Debian python3-torch, /usr/bin/python3), same model, batch, optimizer
# (SGD lr 0.01 momentum 0.9) and thread count, on the same MNIST images.
# The two run alternately ROUNDS times so that both see the same machine
# load; the script prints every run, the medians and their ratio.
#
# PyTorch runs with OMP_WAIT_POLICY=PASSIVE unless OMP_WAIT_POLICY is set:
# on a shared, oversubscribed machine OpenMP's default spin-waiting makes
# its 2-thread runs 10x slower than its 1-thread runs (measured here), which
# would flatter the ratio. Set OMP_WAIT_POLICY=ACTIVE to see that.
#
# Usage (from the repository root): bench/lenet_side_by_side.sh [steps] [rounds]
# MODEL=resnet18 compares ResNet-18 (ImageNet stem, 28×28) instead.
set -euo pipefail
STEPS=${1:-200}
ROUNDS=${2:-3}
THREADS=${THREADS:-2}
MODEL=${MODEL:-lenet}
DATA=${DATA:-../shared/data/mnist}
case "$MODEL" in
lenet | resnet18) ;;
*) echo "lenet_side_by_side.sh: MODEL=$MODEL, want lenet or resnet18" >&2; exit 2 ;;
esac
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BIN=$WORK/lenet
OUT=$WORK/runs.jsonl
go build -o "$BIN" ./bench/lenet
for r in $(seq "$ROUNDS"); do
	OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} /usr/bin/python3 bench/lenet_torch.py --model "$MODEL" --data "$DATA" --steps "$STEPS" --threads "$THREADS" | tee -a "$OUT"
	"$BIN" -model "$MODEL" -data "$DATA" -steps "$STEPS" -threads "$THREADS" | tee -a "$OUT"
done
/usr/bin/python3 - "$OUT" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
go = [r["images_per_s"] for r in runs if r["impl"] == "deepfin"]
pt = [r["images_per_s"] for r in runs if r["impl"].startswith("pytorch")]
g, p = statistics.median(go), statistics.median(pt)
gc = statistics.median(r["images_per_cpu_s"] for r in runs if r["impl"] == "deepfin")
pc = statistics.median(r["images_per_cpu_s"] for r in runs if r["impl"].startswith("pytorch"))
print(f"deepfin  images/s median {g:8.0f}  runs {[round(v) for v in go]}")
print(f"pytorch  images/s median {p:8.0f}  runs {[round(v) for v in pt]}")
print(f"ratio deepfin/pytorch {g / p:.2f}  (medians; per-round ratios {[round(a / b, 2) for a, b in zip(go, pt)]})")
print(f"images per CPU-second: deepfin {gc:.0f}, pytorch {pc:.0f}, ratio {gc / pc:.2f} (less sensitive to machine load)")
PY
