"""Regenerate every figure and result file of the Ma & Zhang designs at paper scale.

    .venv/bin/python paper/make_figures.py [--reps 100] [--seed 0] [--designs a,b]

Writes ``paper/figures/<design>.json`` and ``<design>.png`` and prints the wall
time of each design (the whole set is the "paper-scale run" of the README).
Paper scale is 100 replications, except where :data:`PAPER` says otherwise: the
symmetry test uses 5000 datasets per configuration (the note's null setting),
the RFF design runs in float32, and the MLP comparison uses 10 replications in
float32 (it trains about 300 networks per replication) with all four generators
the design accepts (SMOTE, jitter, ADASYN, Borderline-SMOTE).

``bias-correction`` is delegated to ``paper/bias_correction_grid.py``, which runs its 60 cells
on worker processes with the cell cache, a timeout and retries (single-process runs of the full
grid hung in XLA:CPU; see :mod:`synthaug.parallel`) and writes the same JSON.
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")

import synthaug.config  # noqa: E402, I001

synthaug.config.cpu_workarounds()  # before the first JAX computation
synthaug.config.enable_x64()  # this script computes in float64
from synthaug.simulate import list_designs, run_design  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent

#: Per-design departures from ``--reps`` / float64 (see the module docstring).
PAPER = {
    "symmetry-test": dict(reps=5000),
    "tgvtss-nonlinear": dict(dtype="float32"),
    "nonsynthetic": dict(reps=10, dtype="float32", generators=("smote", "jitter", "adasyn", "borderline-smote")),
}

#: Designs run by their own script (one process per cell, resumable).
SEPARATE = {"bias-correction": "bias_correction_grid.py"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(HERE / "figures"))
    ap.add_argument("--designs", default=None, help="comma-separated subset (default: all)")
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    names = list_designs() if not args.designs else [d.strip() for d in args.designs.split(",") if d.strip()]
    for name in names:
        t0 = time.perf_counter()
        if name in SEPARATE:
            cmd = [sys.executable, str(HERE / SEPARATE[name]), "--reps", str(args.reps), "--seed", str(args.seed),
                   "--out", str(out)]
            subprocess.run(cmd, check=True)
            dt = time.perf_counter() - t0
            total += dt
            print(f"{name:22s} {args.reps} replications in {dt:6.1f} s (one process per cell)", flush=True)
            continue
        opts = dict(dict(reps=args.reps), **PAPER.get(name, {}))
        res = run_design(name, seed=args.seed, progress=True, **opts)
        dt = time.perf_counter() - t0
        total += dt
        res.settings["wall_seconds"] = round(dt, 1)
        res.to_json(out / f"{name}.json")
        res.plot(out / f"{name}.png")
        print(f"{name:22s} {res.reps} replications in {dt:6.1f} s", flush=True)
    print(f"{'all designs':22s} {total:6.1f} s (synthaug {synthaug.__version__})")


if __name__ == "__main__":
    main()
