"""Regenerate every figure and result file of the Ma & Zhang designs at paper scale.

    .venv/bin/python paper/make_figures.py [--reps 100] [--seed 0]

Writes ``paper/figures/<design>.json`` and ``<design>.png`` and prints the wall
time of each design (the whole set is the "paper-scale run" of the README).
"""

from __future__ import annotations

import argparse
import pathlib
import time

import matplotlib

matplotlib.use("Agg")

import synthaug  # noqa: E402  (sets float64 and the XLA flags)
from synthaug.simulate import list_designs, run_design  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(HERE / "figures"))
    args = ap.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for name in list_designs():
        t0 = time.perf_counter()
        res = run_design(name, reps=args.reps, seed=args.seed, progress=True)
        dt = time.perf_counter() - t0
        total += dt
        res.settings["wall_seconds"] = round(dt, 1)
        res.to_json(out / f"{name}.json")
        res.plot(out / f"{name}.png")
        print(f"{name:22s} {args.reps} replications in {dt:6.1f} s", flush=True)
    print(f"{'all designs':22s} {total:6.1f} s (synthaug {synthaug.__version__})")


if __name__ == "__main__":
    main()
