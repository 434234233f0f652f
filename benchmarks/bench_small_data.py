#!/usr/bin/env python
r"""Small data in a cross-validation loop: synthaug's samplers against imbalanced-learn's, side by side.

What a user runs first: an imbalanced-learn ``Pipeline`` of an over-sampler and
``LogisticRegression`` in scikit-learn's ``cross_validate`` (5 folds, 3 repeats:
15 fits of the sampler on training folds of slightly different sizes), once with
synthaug's sampler and once with imbalanced-learn's, on the same folds.

Data: ``make_classification(n_samples=N, n_features=d, n_informative=d // 2,
weights=[0.9], random_state=0)`` at 500 x 10, 5,000 x 20 and 50,000 x 20 (float64).

Pairs (synthaug -> imbalanced-learn, default parameters on both sides):
SMOTE, Borderline-SMOTE (kind 1 / "borderline-1"), ADASYN, random oversampling,
the smoothed bootstrap (``RandomOversamplingSampler(shrinkage=1.0)`` against
``RandomOverSampler(shrinkage=1.0)``). synthaug's samplers without an
imbalanced-learn counterpart (``--others``: the Gaussian mixture, GK-SMOTE) are timed
against imbalanced-learn's SMOTE, the default a user would otherwise run. The other samplers
that use the majority (``--names``, see ``MAJORITY``: Borderline-SMOTE kind 2, SVM-SMOTE,
KMeans-SMOTE, SMOTE + Tomek links, SMOTE + ENN) run against their imbalanced-learn
counterparts; ``--sizes 500x10,5000x20`` picks the data sizes. A pipeline that raises (e.g.
KMeans-SMOTE finding no cluster to oversample) gets NaN times and its error in the JSON.
imbalanced-learn's and scikit-learn's first calls are made before the timed rows.

Each data size runs in **fresh processes** (the JAX backend start and the imports are
timed on their own and not in any row):

* **cold**: an empty persistent compilation cache (``SYNTHAUG_CACHE_DIR`` set to a new
  directory): the first ``cross_validate`` of each synthaug pipeline compiles its
  programs; imbalanced-learn's pipeline is timed in the same process, interleaved;
* **warm cache**: a second fresh process on the same cache directory (what the next
  script or notebook of the user sees): programs are loaded, not compiled;
* **warm in-process**: the same ``cross_validate`` again in that second process.

Ratio = synthaug time / imbalanced-learn time (< 1: synthaug faster). Targets of the
project: within 1.5x at 500 x 10 with a warm cache and within 3x cold, faster from
5,000 rows. The 1-minute load average is recorded with every process (the machine is
shared). Results: ``benchmarks/results/small_data.json`` and ``.md``.

Memory (``--memory``): the peak resident memory of ``fit_resample`` at 100,000 x 20 and
1,000,000 x 20 (``VmHWM`` of a fresh process minus its resident size just before the call,
as a multiple of the input's size), for the first call at that shape (XLA's compiler memory
included) and for a second call (the high-water mark reset through ``/proc/self/clear_refs``).
The output itself is about 1.8 x the input (the minority raised to the majority's size).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAIRS = {
    "smote": ("SMOTESampler", {}, "SMOTE", {}),
    "borderline-1": ("BorderlineSMOTESampler", {}, "BorderlineSMOTE", {}),
    "adasyn": ("ADASYNSampler", {}, "ADASYN", {}),
    "random": ("RandomOversamplingSampler", {}, "RandomOverSampler", {}),
    "smoothed-bootstrap": ("RandomOversamplingSampler", {"shrinkage": 1.0}, "RandomOverSampler", {"shrinkage": 1.0}),
}
#: Samplers that use the majority, beyond the two above (``--names``): imbalanced-learn's counterpart
#: with default parameters on both sides.
MAJORITY = {
    "borderline-2": ("BorderlineSMOTESampler", {"kind": 2}, "BorderlineSMOTE", {"kind": "borderline-2"}),
    "svm-smote": ("SVMSMOTESampler", {}, "SVMSMOTE", {}),
    "kmeans-smote": ("KMeansSMOTESampler", {}, "KMeansSMOTE", {}),
    "smote-tomek": ("SMOTETomekSampler", {}, "SMOTETomek", {}),
    "smote-enn": ("SMOTEENNSampler", {}, "SMOTEENN", {}),
}
OTHERS = {
    "gaussian-mixture": ("GaussianMixtureSampler", {}, "SMOTE", {}),
    "gk-smote": ("GKSMOTESampler", {}, "SMOTE", {}),
}
SIZES = [(500, 10), (5000, 20), (50000, 20)]
#: Samplers whose neighbour search over all rows (1M x 100k minority rows) takes minutes here:
#: measured at 1M only with --all-at-1m.
SLOW_AT_1M = ("borderline-1", "adasyn")


def _load() -> float:
    return float(open("/proc/loadavg").read().split()[0])


def _data(n, d):
    from sklearn.datasets import make_classification

    return make_classification(n_samples=n, n_features=d, n_informative=d // 2, weights=[0.9], random_state=0)


def child(n: int, d: int, names: list[str], passes: int) -> dict:
    """One fresh process: time each pair's cross_validate (synthaug ``passes`` times, imbalanced-learn once)."""
    t0 = time.perf_counter()
    import imblearn.combine as ic
    import imblearn.over_sampling as io
    import jax
    import jax.numpy as jnp
    import numpy as np
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import RepeatedStratifiedKFold, cross_validate

    import synthaug

    jnp.zeros(1).block_until_ready()  # start the backend outside the timed rows
    X_w, y_w = _data(200, 4)  # scikit-learn's and imbalanced-learn's first calls, outside the timed rows too
    LogisticRegression(max_iter=1000).fit(*io.SMOTE(random_state=0).fit_resample(X_w, y_w))
    startup = time.perf_counter() - t0
    compiles, hits = [], []
    jax.monitoring.register_event_duration_secs_listener(
        lambda ev, dur, **kw: compiles.append(dur) if ev == "/jax/core/compile/backend_compile_duration" else None)
    jax.monitoring.register_event_listener(
        lambda ev, **kw: hits.append(1) if ev == "/jax/compilation_cache/cache_hits" else None)
    X, y = _data(n, d)
    cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=3, random_state=0)
    table = {**PAIRS, **MAJORITY, **OTHERS}
    rows = {}
    for name in names:
        sa_cls, sa_kw, im_cls, im_kw = table[name]
        im_mod = io if hasattr(io, im_cls) else ic
        ours = make_pipeline(getattr(synthaug, sa_cls)(random_state=0, **sa_kw), LogisticRegression(max_iter=1000))
        theirs = make_pipeline(getattr(im_mod, im_cls)(random_state=0, **im_kw), LogisticRegression(max_iter=1000))
        times, n_compiles, n_hits, sa_error = [], [], [], None
        for _ in range(passes):
            c0, h0 = len(compiles), len(hits)
            t = time.perf_counter()
            try:
                res_sa = cross_validate(ours, X, y, cv=cv, scoring="balanced_accuracy", error_score="raise")
            except Exception as err:  # e.g. KMeans-SMOTE finding no cluster to oversample on this data
                res_sa, sa_error = {"test_score": np.array([np.nan])}, f"{type(err).__name__}: {err}"
            times.append(time.perf_counter() - t if sa_error is None else float("nan"))
            n_hits.append(len(hits) - h0)
            n_compiles.append(len(compiles) - c0 - n_hits[-1])
        t = time.perf_counter()
        try:
            res_im = cross_validate(theirs, X, y, cv=cv, scoring="balanced_accuracy", error_score="raise")
        except Exception as err:  # e.g. imbalanced-learn's KMeansSMOTE finding no cluster to oversample
            res_im, error = {"test_score": np.array([np.nan])}, f"{type(err).__name__}: {err}"
        else:
            error = None
        t_im = time.perf_counter() - t if error is None else float("nan")
        rows[name] = {"synthaug_s": times, "compiles": n_compiles, "cache_hits": n_hits, "imblearn_s": t_im,
                      "synthaug_balanced_accuracy": float(res_sa["test_score"].mean()),
                      "imblearn_balanced_accuracy": float(res_im["test_score"].mean()), "imblearn_error": error,
                      "synthaug_error": sa_error}
    return {"startup_s": startup, "load": _load(), "rows": rows}


def _spawn(args: list[str], cache: str) -> dict:
    env = dict(os.environ, SYNTHAUG_CACHE_DIR=cache)
    env.pop("SYNTHAUG_NO_CACHE", None)
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def memory_child(name: str, n: int, d: int) -> dict:
    import numpy as np

    import synthaug

    table = {**PAIRS, **MAJORITY, **OTHERS}
    sa_cls, sa_kw, _, _ = table[name]
    X, y = _data(n, d)
    X = np.ascontiguousarray(X)
    s = getattr(synthaug, sa_cls)(random_state=0, **sa_kw)
    Xs, ys = X[:2000], y[:2000]
    s.fit_resample(Xs, ys)  # imports and the backend, outside the measured call

    def status(field):
        for line in open("/proc/self/status"):
            if line.startswith(field):
                return int(line.split()[1]) * 1024
        return 0

    base = status("VmRSS")
    t = time.perf_counter()
    X_res, _ = s.fit_resample(X, y)  # first call at this shape: compilation included
    dt = time.perf_counter() - t
    peak = status("VmHWM")
    del X_res
    # second call, programs compiled: reset the high-water mark (Linux: clear_refs 5) and measure again
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    base2 = status("VmRSS")
    t = time.perf_counter()
    X_res, _ = s.fit_resample(X, y)
    dt2 = time.perf_counter() - t
    peak2 = status("VmHWM")
    return {"input_bytes": X.nbytes, "output_bytes": X_res.nbytes, "rss_before": base, "peak": peak,
            "extra_peak_over_input": (peak - base) / X.nbytes, "seconds": dt,
            "steady_rss_before": base2, "steady_peak": peak2, "steady_extra_over_input": (peak2 - base2) / X.nbytes,
            "steady_seconds": dt2}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="500 x 10 only, SMOTE and random only")
    ap.add_argument("--others", action="store_true", help="also synthaug's samplers without a counterpart")
    ap.add_argument("--memory", action="store_true", help="peak memory at 100k x 20 and 1M x 20 instead")
    ap.add_argument("--all-at-1m", action="store_true", help="--memory: also Borderline-SMOTE and ADASYN at 1M rows")
    ap.add_argument("--names", help="comma-separated sampler names (keys of PAIRS, MAJORITY, OTHERS) instead")
    ap.add_argument("--sizes", help="comma-separated N x d sizes, e.g. 500x10,5000x20, instead of all three")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "small_data.json"))
    ap.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--_memory_child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        n, d = int(args._child[0]), int(args._child[1])
        print(json.dumps(child(n, d, args._child[2].split(","), passes=2)))
        return 0
    if args._memory_child:
        print(json.dumps(memory_child(args._memory_child[0], int(args._memory_child[1]), int(args._memory_child[2]))))
        return 0
    names = ["smote", "random"] if args.quick else list(PAIRS) + (list(OTHERS) if args.others else [])
    if args.names:
        names = args.names.split(",")
    if args.memory:
        res = {}
        for n in (100_000, 1_000_000):
            for name in names:
                if n > 100_000 and name in SLOW_AT_1M and not args.all_at_1m:
                    continue
                with tempfile.TemporaryDirectory() as cache:
                    r = _spawn(["--_memory_child", name, str(n), "20"], cache)
                res[f"{name}@{n}"] = r
                print(f"{name:20s} {n:>9,d} x 20 (input {r['input_bytes'] / 2**20:.0f} MiB, output "
                      f"{r['output_bytes'] / 2**20:.0f} MiB): first call {r['seconds']:6.2f} s, peak - before = "
                      f"{r['extra_peak_over_input']:.2f} x input; compiled {r['steady_seconds']:6.2f} s, "
                      f"peak - before = {r['steady_extra_over_input']:.2f} x input", flush=True)
        out = Path(args.out).with_name("small_data_memory.json")
        out.write_text(json.dumps(res, indent=1))
        return 0
    sizes = SIZES[:1] if args.quick else SIZES
    if args.sizes:
        sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    result = {"machine": {"nproc": os.cpu_count(), "platform": platform.platform()}, "sizes": {}}
    lines = ["| data | sampler | imblearn (s) | synthaug cold (s) | ratio cold | synthaug warm cache (s) | "
             "ratio warm | warm in-process (s) | ratio | programs compiled cold / loaded warm |", "|" + "---|" * 10]
    for n, d in sizes:
        with tempfile.TemporaryDirectory() as cache:
            cold = _spawn(["--_child", str(n), str(d), ",".join(names)], cache)
            warm = _spawn(["--_child", str(n), str(d), ",".join(names)], cache)
        result["sizes"][f"{n}x{d}"] = {"cold": cold, "warm": warm}
        print(f"{n} x {d}: startup {cold['startup_s']:.1f} s / {warm['startup_s']:.1f} s, "
              f"load {cold['load']:.2f} / {warm['load']:.2f}", flush=True)
        for name in names:
            c, w = cold["rows"][name], warm["rows"][name]
            im = (c["imblearn_s"] + w["imblearn_s"]) / 2
            row = (f"| {n} x {d} | {name} | {im:.3f} | {c['synthaug_s'][0]:.3f} | {c['synthaug_s'][0] / im:.2f} | "
                   f"{w['synthaug_s'][0]:.3f} | {w['synthaug_s'][0] / im:.2f} | {w['synthaug_s'][1]:.3f} | "
                   f"{w['synthaug_s'][1] / im:.2f} | {c['compiles'][0]} / {w['cache_hits'][0]} |")
            lines.append(row)
            print(row, flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    Path(args.out).with_suffix(".md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
