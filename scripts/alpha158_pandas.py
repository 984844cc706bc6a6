#!/usr/bin/python3
"""The Alpha158-style factor set of features.Alpha158, written in pandas.

Used two ways:
  * by scripts/alpha158_vs_pandas.sh, which times it against the Go
    implementation on the same CSV files (run with Debian's pandas:
    /usr/bin/python3);
  * with --golden FIXTURE ROWS..., to print reference values for
    features/alpha_test.go (features/testdata/alpha158_pandas.csv).

The definitions follow the doc comment of features.Alpha; every operator is
vectorised with pandas' rolling windows where pandas has one, and uses
rolling().apply(raw=True) only for the arg-max/arg-min positions, which
pandas cannot express otherwise.
"""
import glob
import os
import sys
import time

import numpy as np
import pandas as pd

WINDOWS = [5, 10, 20, 30, 60]
OPS = ["roc", "ma", "std", "beta", "rsqr", "resi", "max", "min", "qtlu", "qtld",
       "rank", "rsv", "imax", "imin", "imxd", "corr", "cord", "cntp", "cntn",
       "cntd", "sump", "sumn", "sumd", "vma", "vstd", "wvma", "vsump", "vsumn",
       "vsumd"]
EPS = 1e-12


def alpha158(df):
    """Return the 158 factor columns for one ticker's bars (columns open,
    high, low, close, volume), indexed like df."""
    o, h, l, c, v = (df[k].astype(float) for k in ("open", "high", "low", "close", "volume"))
    out = {}
    hi = np.maximum(o, c)
    lo = np.minimum(o, c)
    rng = h - l + EPS
    out["kmid"] = (c - o) / o
    out["klen"] = (h - l) / o
    out["kmid2"] = (c - o) / rng
    out["kup"] = (h - hi) / o
    out["kup2"] = (h - hi) / rng
    out["klow"] = (lo - l) / o
    out["klow2"] = (lo - l) / rng
    out["ksft"] = (2 * c - h - l) / o
    out["ksft2"] = (2 * c - h - l) / rng
    out["open0"] = o / c
    out["high0"] = h / c
    out["low0"] = l / c
    out["tp0"] = (h + l + c) / 3 / c

    dc = c.diff()
    ratio = c / c.shift(1)
    logv = np.log(v + 1)
    vratio = np.log(v / v.shift(1) + 1).replace([np.inf, -np.inf], np.nan)
    dv = v.diff()
    wv = ((c / c.shift(1) - 1).abs() * v).replace([np.inf, -np.inf], np.nan)
    tidx = pd.Series(np.arange(len(c), dtype=float), index=c.index)

    cols = {}
    for d in WINDOWS:
        r = lambda s: s.rolling(d, min_periods=d)
        cols["roc", d] = c.shift(d) / c
        cols["ma", d] = r(c).mean() / c
        cols["std", d] = r(c).std() / c
        # Least squares of close on time: slope = cov(t, c)/var(t).
        cov = r(tidx).cov(c)
        var_t = r(tidx).var()
        slope = cov / var_t
        cols["beta", d] = slope / c
        corr_tc = r(tidx).corr(c)
        cols["rsqr", d] = corr_tc ** 2
        fit_last = r(c).mean() + slope * (d - 1) / 2
        cols["resi", d] = (c - fit_last) / c
        hmax = r(h).max()
        lmin = r(l).min()
        cols["max", d] = hmax / c
        cols["min", d] = lmin / c
        cols["qtlu", d] = r(c).quantile(0.8) / c
        cols["qtld", d] = r(c).quantile(0.2) / c
        cols["rank", d] = r(c).rank(pct=True)
        cols["rsv", d] = (c - lmin) / (hmax - lmin + EPS)
        imax = r(h).apply(lambda a: np.argmax(a) + 1, raw=True)
        imin = r(l).apply(lambda a: np.argmin(a) + 1, raw=True)
        cols["imax", d] = imax / d
        cols["imin", d] = imin / d
        cols["imxd", d] = (imax - imin) / d
        cols["corr", d] = r(c).corr(logv)
        cols["cord", d] = r(ratio).corr(vratio)
        up = (dc > 0).astype(float).where(dc.notna())
        down = (dc < 0).astype(float).where(dc.notna())
        cols["cntp", d] = r(up).mean()
        cols["cntn", d] = r(down).mean()
        cols["cntd", d] = cols["cntp", d] - cols["cntn", d]
        absum = r(dc.abs()).sum() + EPS
        cols["sump", d] = r(dc.clip(lower=0)).sum() / absum
        cols["sumn", d] = r((-dc).clip(lower=0)).sum() / absum
        cols["sumd", d] = cols["sump", d] - cols["sumn", d]
        cols["vma", d] = r(v).mean() / (v + EPS)
        cols["vstd", d] = r(v).std() / (v + EPS)
        cols["wvma", d] = r(wv).std() / (r(wv).mean() + EPS)
        vabs = r(dv.abs()).sum() + EPS
        cols["vsump", d] = r(dv.clip(lower=0)).sum() / vabs
        cols["vsumn", d] = r((-dv).clip(lower=0)).sum() / vabs
        cols["vsumd", d] = cols["vsump", d] - cols["vsumn", d]
    for op in OPS:
        for d in WINDOWS:
            out[f"{op}{d}"] = cols[op, d]
    return pd.DataFrame(out, index=df.index)


def load(path):
    files = sorted(glob.glob(os.path.join(path, "*.csv"))) if os.path.isdir(path) else [path]
    frames = []
    for f in files:
        df = pd.read_csv(f)
        df.columns = [x.strip().lower() for x in df.columns]
        # Rows with a missing price are dropped, as the Go loader's
        # DropIncomplete does (one BHF row in sp500_5yr).
        df = df.dropna(subset=["open", "high", "low", "close"])
        frames.append(df)
    return frames


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--golden":
        df = load(sys.argv[2])[0]
        feats = alpha158(df)
        rows = [int(x) for x in sys.argv[3:]]
        print("row," + ",".join(feats.columns))
        for i in rows:
            vals = ["nan" if np.isnan(x) else repr(float(x)) for x in feats.iloc[i]]
            print(f"{i}," + ",".join(vals))
        return
    if len(sys.argv) != 2:
        sys.exit("usage: alpha158_pandas.py DIR | --golden FILE ROW...")
    frames = load(sys.argv[1])
    t0 = time.perf_counter()
    n = 0
    for df in frames:
        n += alpha158(df).size
    dt = time.perf_counter() - t0
    print(f"pandas {pd.__version__}: {len(frames)} tickers, {n} values in {dt:.3f} s")
    print(f"PANDAS_SECONDS={dt:.6f}")


if __name__ == "__main__":
    main()
