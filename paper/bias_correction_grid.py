"""Run the full ``bias-correction`` grid on worker processes with the cell cache, then write its figure and tables.

    .venv/bin/python paper/bias_correction_grid.py [--reps 100] [--seed 0] [--workers 2]
                                                   [--timeout 900] [--retries 2] [--cells DIR]

The grid's 60 cells (d, generator, n1) are computed by :func:`synthaug.run_design` with
``executor="processes"`` (or a Dask cluster with ``--scheduler``) and ``cache_dir``: every
finished cell is written to the content-addressed cache at once, so an interrupted run
resumes; a cell that hangs past ``--timeout`` seconds (single-process runs of the grid once
hung at d = 10, in a jaxlib 0.10 thread-pool deadlock of batched LAPACK calls) has its
worker pool replaced and is resubmitted. The records are those of
``synthaug simulate bias-correction`` (checked by ``tests/test_parallel.py`` for the
mechanism). Writes ``paper/figures/bias-correction.{json,png,md}`` (the ``.md`` holds the tables).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def _fmt(mean, se):
    if mean is None:
        return "—"
    digits = 3 if abs(mean) < 10 else 1
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def report(res) -> str:
    """Markdown tables of a merged result: param_error by n1 with slopes, paired differences, fallbacks."""
    from synthaug.designs import bias_correction as bc

    s = res.settings
    n1s = s["n1_grid"]
    lines = [f"# `{bc.NAME}`: {res.reps} replications, seed {res.seed}, {s.get('dtype', 'float64')}", "",
             "E‖θ̂ − θ*‖² (mean ± MCSE) and the log–log slope in n1 with its 95 % CI. "
             "`raw` and `reweight` do not use the generator (the same numbers under every generator).", ""]
    slopes = {(r["d"], r["generator"], r["method"]): r for r in res.summaries if r["kind"] == "loglog_slope"}
    for d in s["d_grid"]:
        lines += [f"## d = {d}", "", "| generator | method | " + " | ".join(f"n1 = {n}" for n in n1s)
                  + " | slope [95 % CI] |", "|---|---|" + "---|" * (len(n1s) + 1)]
        for gi, g in enumerate(s["generators"]):
            for m in bc.METHODS:
                if m in ("raw", "reweight") and gi > 0:
                    continue
                cells = []
                for n1 in n1s:
                    r = res.select(d=d, generator=g, method=m, metric="param_error", n1=n1)
                    cells.append(_fmt(r[0]["mean"], r[0]["mcse"]) if r else "—")
                sl = slopes.get((d, g, m))
                slope = (f"{sl['estimate']:.2f} [{sl['ci_low']:.2f}, {sl['ci_high']:.2f}]"
                         if sl and sl["estimate"] is not None else "—")
                lines.append(f"| {'—' if m in ('raw', 'reweight') else g} | {m} | " + " | ".join(cells)
                             + f" | {slope} |")
        lines.append("")
    lines += ["## Paired difference bc-onestep − naive in param_error (mean [95 % CI], share of replications "
              "where one-step is better)", "", "| d | generator | " + " | ".join(f"n1 = {n}" for n in n1s) + " |",
              "|---|---|" + "---|" * len(n1s)]
    pdiff = {(r["d"], r["generator"], r["method"], r["n1"]): r for r in res.summaries
             if r["kind"] == "paired_difference"}
    for d in s["d_grid"]:
        for g in s["generators"]:
            cells = []
            for n1 in n1s:
                r = pdiff.get((d, g, "bc-onestep", n1))
                cells.append(f"{r['estimate']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}], {r['win_share']:.0%}"
                             if r else "—")
            lines.append(f"| {d} | {g} | " + " | ".join(cells) + " |")
    lines += ["", "## Safeguard fallback share of the full corrections (bc-heldout / bc-paired)", "",
              "| d | generator | " + " | ".join(f"n1 = {n}" for n in n1s) + " |", "|---|---|" + "---|" * len(n1s)]
    for d in s["d_grid"]:
        for g in s["generators"]:
            cells = []
            for n1 in n1s:
                h = res.select(d=d, generator=g, method="bc-heldout", metric="fallback_share", n1=n1)
                p = res.select(d=d, generator=g, method="bc-paired", metric="fallback_share", n1=n1)
                cells.append(f"{h[0]['mean']:.2f} / {p[0]['mean']:.2f}" if h and p else "—")
            lines.append(f"| {d} | {g} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--scheduler", default=None, help="address of a Dask scheduler instead of local processes")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per cell before it is resubmitted")
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--cells", default=str(HERE / "cells" / "bias-correction"), help="cell cache directory")
    ap.add_argument("--out", default=str(HERE / "figures"))
    ap.add_argument("--report", default=None, metavar="JSON",
                    help="only print the markdown tables of an existing merged result and exit")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from synthaug.simulate import SimulationResult

    if args.report:
        print(report(SimulationResult.from_json(args.report)), end="")
        return 0
    import matplotlib

    matplotlib.use("Agg")
    import synthaug.config
    from synthaug import run_design

    synthaug.config.cpu_workarounds()
    synthaug.config.enable_x64()
    executor = "processes"
    if args.scheduler:
        from dask.distributed import Client

        executor = Client(args.scheduler)
    t0 = time.perf_counter()
    res = run_design("bias-correction", reps=args.reps, seed=args.seed, dtype=args.dtype, executor=executor,
                     workers=args.workers, cache_dir=args.cells, timeout=args.timeout, retries=args.retries)
    res.settings["run"] = f"paper/bias_correction_grid.py ({args.workers} worker processes, cell cache)"
    res.settings["wall_seconds"] = round(time.perf_counter() - t0, 1)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    res.to_json(out / "bias-correction.json")
    res.plot(out / "bias-correction.png")
    (out / "bias-correction.md").write_text(report(res))
    print(f"wrote {out / 'bias-correction.json'} and .png, .md ({res.settings['wall_seconds']:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
