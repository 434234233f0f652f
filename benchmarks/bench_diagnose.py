r"""Benchmark of :func:`synthaug.diagnose` (``synthaug diagnose``): cold, warm, against scikit-learn, scaling.

Three parts, all in one run so that the ratios are measured side by side on the same
(possibly shared) machine; the load average is recorded next to every timing.

(a) **Cold and warm.** ``synthaug diagnose --dataset breast-cancer`` (569 rows, 30
    features) as a fresh process with an empty persistent compilation cache (cold),
    again as a second fresh process (warm cache), and a second ``diagnose`` call inside
    one process (warm in-process), with and without the fidelity block.
(b) **Baseline.** The same procedure written with scikit-learn and imbalanced-learn
    (``benchmarks/baseline_diagnose.py``: balanced pilot, scores and Hessians, the Wald
    statistic, the 3-fold cross-fitted mismatch and GQS, 5-fold CV over the TG-VTSS
    candidates with imbalanced-learn's SMOTE, about a hundred ``LogisticRegression``
    fits), checked to give the same :math:`T_{\rm sym}` (deterministic given the pilot)
    and the same GQS within Monte Carlo error (over seeds), and the ratio
    baseline / synthaug warm (Ma & Zhang, arXiv 2601.16120, §2–4 for the procedure).
(c) **Scaling.** ``diagnose`` on synthetic data (d = 20, 10 % minority, a mean shift of
    0.3 sd) at 1k, 10k, 100k and 1M rows, each in a fresh subprocess, with the peak
    resident memory (``VmHWM`` of ``/proc/self/status``; tracemalloc does not see XLA's
    buffers).

Usage::

    python benchmarks/bench_diagnose.py            # everything, results/diagnose.json
    python benchmarks/bench_diagnose.py --quick    # short: 2 seeds, scaling to 100k

Timings are never asserted in tests; this script only records them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def loadavg() -> list[float]:
    with open("/proc/loadavg") as fh:
        return [float(v) for v in fh.read().split()[:3]]


def memory_mb() -> dict:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmHWM", "VmRSS")):
                out[line.split(":")[0]] = int(line.split()[1]) / 1024.0
    return out


def _env(cache_dir):
    env = dict(os.environ)
    env["SYNTHAUG_CACHE_DIR"] = cache_dir
    env.pop("SYNTHAUG_NO_CACHE", None)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(cmd, env, timeout=3600):
    before = loadavg()
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{proc.stderr[-3000:]}")
    return wall, proc.stdout, {"load_before": before, "load_after": loadavg()}


# ----------------------------------------------------------------------------- (a) cold / warm


def part_cli(cache_dir) -> dict:
    """Wall time of ``synthaug diagnose --dataset breast-cancer`` as fresh processes: cold, then warm."""
    cmd = [sys.executable, "-m", "synthaug", "diagnose", "--dataset", "breast-cancer", "--no-progress", "--json",
           os.path.join(cache_dir, "..", "diagnose_out.json")]
    out = {}
    for label in ("cold", "warm_process"):
        wall, _, load = _run(cmd, _env(cache_dir))
        out[label] = {"wall_s": round(wall, 3), **load}
        print(f"  CLI {label:13s} {wall:7.2f} s   load {load['load_before'][0]:.2f} -> {load['load_after'][0]:.2f}",
              flush=True)
    with open(os.path.join(cache_dir, "..", "diagnose_out.json")) as fh:
        d = json.load(fh)
    out["result"] = {k: d.get(k) for k in ("t_sym", "gqs", "cosine", "selected_size", "elapsed_s")}
    return out


_INPROC = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {here!r})
from synthaug.config import cpu_workarounds, x64
cpu_workarounds()
from synthaug.data.datasets import load_dataset
from synthaug.diagnosis import diagnose
from baseline_diagnose import diagnose_baseline
X, y = load_dataset("breast-cancer")
t_import = time.perf_counter() - t0
seeds = {seeds!r}
res = {{"import_s": t_import, "synthaug": [], "baseline": []}}
def load():
    return [float(v) for v in open("/proc/loadavg").read().split()[:3]]
with x64():
    for fid in (True, False):
        times = []
        for rep in range(3):
            t = time.perf_counter(); d = diagnose(X, y, minority=1, progress=False, fidelity=fid)
            times.append(time.perf_counter() - t)
        res["inprocess_fidelity" if fid else "inprocess_nofidelity"] = {{"calls_s": times, "load": load()}}
    for s in seeds:
        # first call at this seed: its candidate sizes may fall in a pool bucket not compiled yet
        t = time.perf_counter(); diagnose(X, y, minority=1, progress=False, fidelity=False, seed=s)
        ts_first = time.perf_counter() - t
        t = time.perf_counter(); d = diagnose(X, y, minority=1, progress=False, fidelity=False, seed=s)
        ts = time.perf_counter() - t
        t = time.perf_counter(); b = diagnose_baseline(X.values, y.values, seed=s)
        tb = time.perf_counter() - t
        res["synthaug"].append({{"seed": s, "time_s": ts, "first_call_s": ts_first, "t_sym": d.t_sym, "gqs": d.gqs, "cosine": d.cosine,
                                 "selected_size": d.selected_size, "n_candidates": len(d.candidates)}})
        res["baseline"].append({{"seed": s, "time_s": tb, "t_sym": b["t_sym"], "gqs": b["gqs"], "cosine": b["cosine"],
                                 "selected_size": b["selected_size"], "n_fits": b["n_fits"], "load": load()}})
print("RESULT" + json.dumps(res))
"""


def part_inprocess_and_baseline(cache_dir, seeds) -> dict:
    """Warm in-process calls, then synthaug (warm) and the baseline alternately at each seed."""
    code = _INPROC.format(here=HERE, seeds=list(seeds))
    wall, stdout, load = _run([sys.executable, "-c", code], _env(cache_dir))
    res = json.loads(stdout.split("RESULT", 1)[1])
    res["load"] = load
    import numpy as np

    s = res["synthaug"]
    b = res["baseline"]
    ts = np.array([r["time_s"] for r in s])
    tb = np.array([r["time_s"] for r in b])
    g_s = np.array([r["gqs"] for r in s])
    g_b = np.array([r["gqs"] for r in b])
    t_s = np.array([r["t_sym"] for r in s])
    t_b = np.array([r["t_sym"] for r in b])
    n = len(seeds)
    se = np.sqrt(g_s.var(ddof=1) / n + g_b.var(ddof=1) / n) if n > 1 else float("nan")
    res["summary"] = {
        "synthaug_warm_s_median": float(np.median(ts)),
        "synthaug_first_call_per_seed_s_median": float(np.median([r["first_call_s"] for r in s])),
        "baseline_s_median": float(np.median(tb)),
        "ratio_baseline_over_synthaug": float(np.median(tb) / np.median(ts)),
        "ratios_per_seed": (tb / ts).tolist(),
        "t_sym_max_rel_diff": float(np.max(np.abs(t_s - t_b) / np.abs(t_b))),
        "gqs_mean_synthaug": float(g_s.mean()), "gqs_mean_baseline": float(g_b.mean()),
        "gqs_diff_over_se": float(abs(g_s.mean() - g_b.mean()) / se) if n > 1 else None,
    }
    return res


# ----------------------------------------------------------------------------- (c) scaling


def one_size(n: int, d: int = 20, fidelity: bool = True, calls: int = 1) -> dict:
    """One scaling point, run inside its own subprocess (``--one N``)."""
    import numpy as np

    from synthaug.config import cpu_workarounds, x64

    cpu_workarounds()
    from synthaug.diagnosis import diagnose

    rng = np.random.default_rng(0)
    n1 = n // 10
    n0 = n - n1
    X = np.r_[rng.normal(size=(n0, d)), rng.normal(size=(n1, d)) + 0.3]
    y = np.r_[np.zeros(n0, int), np.ones(n1, int)]
    data_mb = X.nbytes / 2**20
    m0 = memory_mb()
    times = []
    with x64():
        for _ in range(calls):
            t = time.perf_counter()
            r = diagnose(X, y, progress=False, fidelity=fidelity)
            times.append(time.perf_counter() - t)
    m = memory_mb()
    return {"n": n, "d": d, "fidelity": fidelity, "calls_s": times, "data_mb": data_mb, "rss_before_mb": m0["VmRSS"],
            "peak_rss_mb": m["VmHWM"], "peak_over_data": m["VmHWM"] / data_mb, "t_sym": r.t_sym, "gqs": r.gqs,
            "regime": r.regime, "tg_branch": r.tg_branch, "selected_size": r.selected_size,
            "n_candidates": len(r.candidates), "load": loadavg()}


def part_scaling(cache_dir, sizes) -> list:
    rows = []
    for n in sizes:
        calls = 2 if n <= 100_000 else 1
        wall, stdout, load = _run([sys.executable, os.path.abspath(__file__), "--one", str(n), "--calls", str(calls)],
                                  _env(cache_dir), timeout=7200)
        row = json.loads(stdout.split("RESULT", 1)[1])
        row["process_wall_s"] = wall
        row.update(load)
        rows.append(row)
        print(f"  n={n:>8d}  first {row['calls_s'][0]:8.2f} s  "
              + (f"second {row['calls_s'][1]:7.2f} s  " if calls > 1 else "")
              + f"peak RSS {row['peak_rss_mb']:8.0f} MB ({row['peak_over_data']:.1f}x data)  "
              f"load {load['load_before'][0]:.2f}->{load['load_after'][0]:.2f}", flush=True)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2 seeds and scaling to 100k rows only")
    ap.add_argument("--parts", default="cli,baseline,scaling", help="comma-separated subset of cli,baseline,scaling")
    ap.add_argument("--sizes", default=None, help="scaling sizes, comma-separated (default 1k,10k,100k,1M)")
    ap.add_argument("--out", default=None, help="results JSON (default results/diagnose[_quick].json)")
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--calls", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one is not None:
        print("RESULT" + json.dumps(one_size(args.one, calls=args.calls)))
        return 0
    parts = set(args.parts.split(","))
    work = tempfile.mkdtemp(prefix="bench_diagnose_")
    cache = os.path.join(work, "cache")
    os.makedirs(cache)
    out = {"machine": {"cpus": os.cpu_count(), "load_start": loadavg()}, "quick": args.quick}
    try:
        if "cli" in parts:
            print("(a) synthaug diagnose --dataset breast-cancer, fresh processes", flush=True)
            out["cli"] = part_cli(cache)
        if "baseline" in parts:
            seeds = [0, 1] if args.quick else [0, 1, 2, 3, 4]
            print(f"(b) warm in-process and the scikit-learn baseline, seeds {seeds}", flush=True)
            res = part_inprocess_and_baseline(cache, seeds)
            out["inprocess_and_baseline"] = res
            for k in ("inprocess_fidelity", "inprocess_nofidelity"):
                print(f"  in-process {k[10:]:12s} calls " + ", ".join(f"{v:.3f}" for v in res[k]["calls_s"]) + " s")
            sm = res["summary"]
            print(f"  synthaug warm {sm['synthaug_warm_s_median']:.3f} s, baseline {sm['baseline_s_median']:.3f} s, "
                  f"ratio {sm['ratio_baseline_over_synthaug']:.1f}x (first call per seed "
                  f"{sm['synthaug_first_call_per_seed_s_median']:.3f} s); T_sym max rel diff {sm['t_sym_max_rel_diff']:.2e}; "
                  f"GQS {sm['gqs_mean_synthaug']:.3f} vs {sm['gqs_mean_baseline']:.3f} "
                  f"(|diff|/se = {sm['gqs_diff_over_se']})", flush=True)
        if "scaling" in parts:
            if args.sizes:
                sizes = [int(float(s)) for s in args.sizes.split(",")]
            else:
                sizes = [1_000, 10_000, 100_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000]
            print(f"(c) scaling (d = 20, 10 % minority), fresh process per size: {sizes}", flush=True)
            out["scaling"] = part_scaling(cache, sizes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out["machine"]["load_end"] = loadavg()
    path = args.out or os.path.join(HERE, "results", "diagnose_quick.json" if args.quick else "diagnose.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
