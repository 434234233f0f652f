#!/usr/bin/env python
r"""Speed: synthaug's SMOTE, Borderline-SMOTE and ADASYN against imbalanced-learn's, side by side.

Data: ``make_classification(n_samples=100_000, n_features=20, n_informative=10,
weights=[0.9], random_state=0)`` (a 10 % minority, about 10 000 rows), cast to
``--dtype`` (float32 by default, for both libraries: imbalanced-learn keeps
float32 input as float32, and synthaug runs in the input's dtype). Every
sampler balances the classes (``sampling_strategy="auto"``: about 80 000
synthetic rows) with the libraries' default neighbour counts, which agree:

=================  ==========================================  =====================================
method             imbalanced-learn                             synthaug
=================  ==========================================  =====================================
SMOTE              ``SMOTE(k_neighbors=5)``                    ``SMOTESampler(k_neighbors=5)``
Borderline-SMOTE   ``BorderlineSMOTE(k_neighbors=5,            ``BorderlineSMOTESampler(k_neighbors=5,
                   m_neighbors=10, kind="borderline-1")``      m_neighbors=10, kind=1)``
ADASYN             ``ADASYN(n_neighbors=5)``                   ``ADASYNSampler(n_neighbors=5)``
SVM-SMOTE          ``SVMSMOTE(k_neighbors=5,                   ``SVMSMOTESampler(k_neighbors=5,
                   m_neighbors=10)``                           m_neighbors=10)``
KMeans-SMOTE       ``KMeansSMOTE(k_neighbors=2,                ``KMeansSMOTESampler(k_neighbors=2,
                   cluster_balance_threshold=0.1)``            cluster_balance_threshold=0.1)``
=================  ==========================================  =====================================

SVM-SMOTE (one of imbalanced-learn's slow samplers: it trains an SVC) is not in the default
``--methods``: at 100 000 rows the SVC alone takes minutes in both libraries (the same libsvm
fit), so time it at a smaller ``--n``.

Timing: ``fit_resample`` wall time (``time.perf_counter``; synthaug's output is
a NumPy array, so the device work is finished). synthaug's **first call**
includes tracing and XLA compilation and is reported on its own; the
**steady** time is the best of ``--repeats`` further calls (new seeds, same
shapes, so no recompilation). imbalanced-learn has no compile step; its time is
also the best of ``--repeats`` (after one untimed warm-up call). The runs of the
two libraries are interleaved so that load from other users of the machine hits
both alike; the 1-minute load average is recorded next to every timing.
Ratio = imbalanced-learn steady / synthaug steady (> 1: synthaug faster).
imbalanced-learn is also timed with its native thread pools limited to one
thread (``threadpoolctl``), the like-for-like comparison with synthaug's
single-threaded XLA programs (the "1 thread" column).

Both run with their default thread settings: scikit-learn's kNN uses its
OpenMP/BLAS threads; the script calls synthaug.config.cpu_workarounds(), which switches XLA's multi-threaded Eigen
off (see ``synthaug.config``). Results go to
``benchmarks/results/oversamplers_speed.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

import synthaug.config  # noqa: E402, I001

synthaug.config.cpu_workarounds()  # before the first JAX computation
synthaug.config.enable_x64()  # this script computes in float64
import imblearn
import jax
import sklearn
from imblearn.over_sampling import ADASYN, SMOTE, SVMSMOTE, BorderlineSMOTE, KMeansSMOTE
from sklearn.datasets import make_classification
from threadpoolctl import threadpool_limits

from synthaug.estimators.oversamplers import ADASYNSampler, BorderlineSMOTESampler, SMOTESampler
from synthaug.estimators.smote_variants import KMeansSMOTESampler, SVMSMOTESampler

RESULTS = Path(__file__).resolve().parent / "results"

METHODS = {
    "SMOTE": (lambda s: SMOTE(k_neighbors=5, random_state=s), lambda s: SMOTESampler(k_neighbors=5, random_state=s)),
    "Borderline-SMOTE-1": (
        lambda s: BorderlineSMOTE(k_neighbors=5, m_neighbors=10, kind="borderline-1", random_state=s),
        lambda s: BorderlineSMOTESampler(k_neighbors=5, m_neighbors=10, kind=1, random_state=s),
    ),
    "ADASYN": (lambda s: ADASYN(n_neighbors=5, random_state=s), lambda s: ADASYNSampler(n_neighbors=5, random_state=s)),
    # the same SVC (libsvm, on the host) in both; its training dominates and grows about as n**2
    "SVM-SMOTE": (lambda s: SVMSMOTE(k_neighbors=5, m_neighbors=10, random_state=s),
                  lambda s: SVMSMOTESampler(k_neighbors=5, m_neighbors=10, random_state=s)),
    # 8 clusters each: imbalanced-learn's MiniBatchKMeans, synthaug's JAX Lloyd k-means; threshold 0.1 so that
    # the 10 % minority has clusters to use
    "KMeans-SMOTE": (lambda s: KMeansSMOTE(k_neighbors=2, cluster_balance_threshold=0.1, random_state=s),
                     lambda s: KMeansSMOTESampler(k_neighbors=2, cluster_balance_threshold=0.1, random_state=s)),
}
#: Run by default: SVM-SMOTE's SVC takes minutes at the default 100 000 rows (ask for it with
#: ``--methods SVM-SMOTE --n 20000``).
DEFAULT_METHODS = ("SMOTE", "Borderline-SMOTE-1", "ADASYN", "KMeans-SMOTE")


def _timed(make, seed, X, y, threads=None):
    load = os.getloadavg()[0]
    with threadpool_limits(limits=threads):
        t0 = time.perf_counter()
        Xr, yr = make(seed).fit_resample(X, y)
        elapsed = time.perf_counter() - t0
    return elapsed, load, Xr.shape, np.bincount(yr).tolist()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=20)
    ap.add_argument("--minority", type=float, default=0.1)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--methods", nargs="*", default=list(DEFAULT_METHODS), choices=list(METHODS))
    ap.add_argument("--out", default=str(RESULTS / "oversamplers_speed"))
    args = ap.parse_args(argv)

    X, y = make_classification(n_samples=args.n, n_features=args.d, n_informative=min(10, args.d),
                               weights=[1 - args.minority], random_state=0)
    X = X.astype(args.dtype)
    counts = np.bincount(y).tolist()
    print(f"data: {args.n} x {args.d} {args.dtype}, class counts {counts}; {args.repeats} timed repeats each")
    rows = []
    for name in args.methods:
        make_ref, make_sa = METHODS[name]
        first_sa = _timed(make_sa, 0, X, y)
        _timed(make_ref, 0, X, y)  # imbalanced-learn warm-up (imports, caches)
        ref, ref1, sa = [], [], []
        for r in range(args.repeats):
            ref.append(_timed(make_ref, r + 1, X, y))
            sa.append(_timed(make_sa, r + 1, X, y))
            ref1.append(_timed(make_ref, r + 1, X, y, threads=1))
        # synthaug's counts are exact; imbalanced-learn's Borderline-SMOTE and ADASYN round per seed, so
        # their totals can differ slightly from the requested balance (both recorded)
        best_ref, best_sa = min(t for t, *_ in ref), min(t for t, *_ in sa)
        best_ref1 = min(t for t, *_ in ref1)
        row = {
            "method": name,
            "output_shape": {"synthaug": list(sa[0][2]), "imblearn": list(ref[0][2])},
            "class_counts_out": {"synthaug": sa[0][3], "imblearn": ref[0][3]},
            "imblearn_steady_s": best_ref,
            "synthaug_first_call_s": first_sa[0],
            "synthaug_compile_and_trace_s": max(first_sa[0] - best_sa, 0.0),
            "synthaug_steady_s": best_sa,
            "ratio_imblearn_over_synthaug": best_ref / best_sa,
            "imblearn_1thread_steady_s": best_ref1,
            "ratio_imblearn_1thread_over_synthaug": best_ref1 / best_sa,
            "imblearn_1thread_all_s": [t for t, *_ in ref1],
            "imblearn_all_s": [t for t, *_ in ref],
            "synthaug_all_s": [t for t, *_ in sa],
            "load_1min": {"imblearn": [lo for _, lo, *_ in ref], "synthaug": [lo for _, lo, *_ in sa]},
        }
        rows.append(row)
        print(f"{name:20s} imblearn {best_ref:7.3f} s | synthaug {best_sa:7.3f} s steady, first call {first_sa[0]:6.2f} s "
              f"(compile+trace ≈ {row['synthaug_compile_and_trace_s']:.2f} s) | ratio {row['ratio_imblearn_over_synthaug']:.2f}x "
              f"| imblearn 1 thread {best_ref1:.3f} s, ratio {row['ratio_imblearn_1thread_over_synthaug']:.2f}x")

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    meta = {
        "setting": {"n": args.n, "d": args.d, "minority": args.minority, "class_counts": counts, "dtype": args.dtype,
                    "repeats": args.repeats, "data": "make_classification(n_informative=10, weights=[0.9], random_state=0)"},
        "versions": {"jax": jax.__version__, "imblearn": imblearn.__version__, "sklearn": sklearn.__version__,
                     "numpy": np.__version__, "python": platform.python_version()},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "jax_backend": jax.default_backend(),
                    "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")},
        "git_commit": commit,
        "results": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    lines = [
        f"Setting: {args.n} × {args.d} {args.dtype}, class counts {counts}, balance to equal counts; "
        f"best of {args.repeats}; {os.cpu_count()} CPUs; jax {jax.__version__} ({jax.default_backend()}), "
        f"imbalanced-learn {imblearn.__version__}, scikit-learn {sklearn.__version__}; commit {commit}.",
        "",
        "| method | imbalanced-learn (s) | imbalanced-learn, 1 thread (s) | synthaug steady (s) | synthaug first call (s) "
        "| compile + trace (s) | ratio imblearn / synthaug | ratio, imblearn 1 thread | load (1-min avg) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        loads = r["load_1min"]["imblearn"] + r["load_1min"]["synthaug"]
        lines.append(f"| {r['method']} | {r['imblearn_steady_s']:.3f} | {r['imblearn_1thread_steady_s']:.3f} | "
                     f"{r['synthaug_steady_s']:.3f} | {r['synthaug_first_call_s']:.2f} | "
                     f"{r['synthaug_compile_and_trace_s']:.2f} | {r['ratio_imblearn_over_synthaug']:.2f}× | "
                     f"{r['ratio_imblearn_1thread_over_synthaug']:.2f}× | {min(loads):.1f}–{max(loads):.1f} |")
    out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
