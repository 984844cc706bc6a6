#!/usr/bin/python3
# Independent reference values for fixture_test.go, computed with plain
# Python (no numpy/pandas) straight from the textbook definitions, not
# from the Go code. Run from features/: /usr/bin/python3 testdata/reference.py
import csv, math

rows = list(csv.DictReader(open("testdata/aapl_300.csv")))
o = [float(r["open"]) for r in rows]
h = [float(r["high"]) for r in rows]
l = [float(r["low"]) for r in rows]
c = [float(r["close"]) for r in rows]
v = [float(r["volume"]) for r in rows]
n = len(c)

def window(x, t, w):
    return x[t - w + 1 : t + 1]

def mean(a):
    return sum(a) / len(a)

def sstd(a):  # sample std, divisor n-1
    m = mean(a)
    return math.sqrt(sum((u - m) ** 2 for u in a) / (len(a) - 1))

def ema(x, span):  # seeded with the SMA of the first span finite values
    out = [float("nan")] * len(x)
    a = 2.0 / (span + 1)
    first = next(i for i, u in enumerate(x) if not math.isnan(u))
    seed_end = first + span - 1
    out[seed_end] = mean(x[first : seed_end + 1])
    for t in range(seed_end + 1, len(x)):
        out[t] = out[t - 1] + a * (x[t] - out[t - 1])
    return out

def rsi(x, w, t):  # Wilder: 100 - 100/(1+RS)
    ag = mean([max(x[i] - x[i - 1], 0) for i in range(1, w + 1)])
    al = mean([max(x[i - 1] - x[i], 0) for i in range(1, w + 1)])
    for i in range(w + 1, t + 1):
        d = x[i] - x[i - 1]
        ag = (ag * (w - 1) + max(d, 0)) / w
        al = (al * (w - 1) + max(-d, 0)) / w
    return 100 - 100 / (1 + ag / al)

def atr(t, w):
    tr = [h[0] - l[0]] + [max(h[i] - l[i], abs(h[i] - c[i - 1]), abs(l[i] - c[i - 1])) for i in range(1, n)]
    a = mean(tr[:w])
    for i in range(w, t + 1):
        a = (a * (w - 1) + tr[i]) / w
    return a

e12, e26 = ema(c, 12), ema(c, 26)
macd = [a - b for a, b in zip(e12, e26)]
sig = ema(macd, 9)

for t in (19, 60, 150, 299):
    win = window(c, t, 20)
    m, s = mean(win), sstd(win)
    vw = window(v, t, 20)
    print(f"t={t}")
    print(f"  logret     {math.log(c[t] / c[t - 1]):.12g}")
    print(f"  sma20      {m:.12g}")
    print(f"  std20      {s:.12g}")
    print(f"  min20      {min(win):.12g}  max20 {max(win):.12g}")
    print(f"  z20        {(c[t] - m) / s:.12g}")
    print(f"  pctb20     {(c[t] - (m - 2 * s)) / (4 * s):.12g}")
    print(f"  volz20     {(v[t] - mean(vw)) / sstd(vw):.12g}")
    print(f"  ema12      {e12[t]:.12g}")
    if t >= 14:
        print(f"  rsi14      {rsi(c, 14, t):.12g}")
        print(f"  atr14      {atr(t, 14):.12g}")
    if t >= 33:
        print(f"  macd       {macd[t]:.12g}  sig {sig[t]:.12g}  hist {macd[t] - sig[t]:.12g}")
    if t + 5 < n:
        print(f"  fwd5       {c[t + 5] / c[t] - 1:.12g}")
