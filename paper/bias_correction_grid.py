"""Run the full ``bias-correction`` grid one cell per process, with a timeout and retries, then merge.

    .venv/bin/python paper/bias_correction_grid.py [--reps 100] [--seed 0] [--d 2,5,10]
                                                   [--timeout 900] [--retries 2] [--cells DIR]

Why: single-process runs of the whole grid (60 cells) hung twice at d = 10. The cause was
a jaxlib 0.10 thread-pool deadlock of batched LAPACK calls (see :mod:`synthaug.core.linalg`,
which now replaces the calls involved), but other batched LAPACK calls remain in the
package, and a run that hangs would lose every finished cell. So here every cell
(d, generator, n1) runs in a fresh interpreter under a wall-clock limit, writes its records
to ``DIR/d{d}-{generator}-n{n1}.json`` as soon as it finishes, and is retried if it times
out. Finished cells are reused on the next call (they carry reps, seed, dtype, the package
version and a hash of the package's and the design's sources, and are recomputed if any
differs), so an interrupted run resumes. When every cell of the grid is present the cells are merged by
:func:`synthaug.designs.bias_correction.assemble` into exactly what ``synthaug simulate bias-correction``
would write (a cell depends only on the seed, d, n1, generator, reps and dtype), and
``paper/figures/bias-correction.{json,png,md}`` are written (the ``.md`` holds the tables).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def _cell_path(cells: pathlib.Path, d: int, gen: str, n1: int) -> pathlib.Path:
    return cells / f"d{d}-{gen}-n{n1}.json"


def _code_hash() -> str:
    """SHA-256 (first 16 hex digits) of the sources a cell depends on: the package and the design module."""
    import hashlib

    h = hashlib.sha256()
    for path in sorted((ROOT / "synthaug").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _meta(args) -> dict:
    import synthaug

    return dict(reps=args.reps, seed=args.seed, dtype=args.dtype, version=synthaug.__version__, code=_code_hash())


def _load(path: pathlib.Path, meta: dict):
    """The cell stored at ``path`` if it exists and was made with the same settings, else None."""
    try:
        with open(path) as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return None
    return data if data.get("meta") == meta else None


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


def run_one(args) -> int:
    """Worker: compute one cell and write it atomically."""
    import jax

    import synthaug.config
    from synthaug.designs import bias_correction as bc

    synthaug.config.cpu_workarounds()
    synthaug.config.enable_x64()
    d, gen, n1 = args.cell.split(",")
    d, n1 = int(d), int(n1)
    t0 = time.perf_counter()
    out = bc.run_cell(jax.random.PRNGKey(args.seed), d, n1, gen, args.reps, progress=False, dtype=args.dtype)
    out["meta"] = _meta(args)
    out["wall_seconds"] = round(time.perf_counter() - t0, 1)
    path = _cell_path(pathlib.Path(args.cells), d, gen, n1)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, allow_nan=False))
    os.replace(tmp, path)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    ap.add_argument("--d", default=None, help="comma-separated subset of d (default: the whole grid); "
                                              "the merged JSON is written only when every cell exists")
    ap.add_argument("--generators", default=None, help="comma-separated subset (default: all five)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per cell before it is killed and retried")
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--cells", default=str(HERE / "cells" / "bias-correction"))
    ap.add_argument("--out", default=str(HERE / "figures"))
    ap.add_argument("--report", default=None, metavar="JSON",
                    help="only print the markdown tables of an existing merged result and exit")
    ap.add_argument("--cell", default=None, help=argparse.SUPPRESS)  # worker mode: "d,generator,n1"
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if args.report:
        from synthaug.simulate import SimulationResult

        print(report(SimulationResult.from_json(args.report)), end="")
        return 0
    cells_dir = pathlib.Path(args.cells)
    cells_dir.mkdir(parents=True, exist_ok=True)
    if args.cell:
        return run_one(args)

    import matplotlib

    matplotlib.use("Agg")
    import synthaug.config

    synthaug.config.cpu_workarounds()
    synthaug.config.enable_x64()
    from synthaug.designs import bias_correction as bc
    from synthaug.simulate import SimulationResult

    meta = _meta(args)
    d_all, n1_grid = bc.grid(quick=False)
    gens_all = bc.GENERATORS
    d_run = d_all if args.d is None else tuple(int(x) for x in args.d.split(","))
    gens_run = gens_all if args.generators is None else tuple(g.strip() for g in args.generators.split(","))
    bad = [d for d in d_run if d not in d_all] + [g for g in gens_run if g not in gens_all]
    if bad:
        raise SystemExit(f"error: not in the design's grid: {bad}")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    todo = [(d, g, n1) for d in d_run for g in gens_run for n1 in n1_grid]
    failed = []
    for i, (d, g, n1) in enumerate(todo, 1):
        path = _cell_path(cells_dir, d, g, n1)
        if _load(path, meta) is not None:
            print(f"[{i:2d}/{len(todo)}] d={d:2d} {g:13s} n1={n1:3d} cached", flush=True)
            continue
        for attempt in range(1 + args.retries):
            t0 = time.perf_counter()
            cmd = [sys.executable, __file__, "--cell", f"{d},{g},{n1}", "--reps", str(args.reps), "--seed",
                   str(args.seed), "--dtype", args.dtype, "--cells", str(cells_dir)]
            try:
                rc = subprocess.run(cmd, env=env, timeout=args.timeout).returncode
                status = "done" if rc == 0 and _load(path, meta) is not None else f"failed (exit {rc})"
            except subprocess.TimeoutExpired:
                status = f"TIMED OUT after {args.timeout:.0f} s"
            print(f"[{i:2d}/{len(todo)}] d={d:2d} {g:13s} n1={n1:3d} attempt {attempt + 1}: {status} "
                  f"({time.perf_counter() - t0:.1f} s)", flush=True)
            if status == "done":
                break
        else:
            failed.append((d, g, n1))
    if failed:
        print(f"{len(failed)} cell(s) did not finish: {failed}", file=sys.stderr)
        return 1

    cells = {}
    for d in d_all:
        for g in gens_all:
            for n1 in n1_grid:
                c = _load(_cell_path(cells_dir, d, g, n1), meta)
                if c is not None:
                    cells[(d, g, n1)] = c
    n_total = len(d_all) * len(gens_all) * len(n1_grid)
    if len(cells) < n_total:
        print(f"{len(cells)} of {n_total} cells present; the merged result is written when all are", flush=True)
        return 0
    records, summaries, settings = bc.assemble(cells, d_all, n1_grid, gens_all)
    settings = dict(settings, generators=list(gens_all), quick=False, dtype=args.dtype,
                    cell_seconds=round(sum(c["wall_seconds"] for c in cells.values()), 1),
                    run="paper/bias_correction_grid.py (one process per cell)")
    res = SimulationResult(bc.NAME, args.reps, args.seed, meta["version"], records, summaries, settings)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    res.to_json(out / f"{bc.NAME}.json")
    res.plot(out / f"{bc.NAME}.png")
    (out / f"{bc.NAME}.md").write_text(report(res))
    print(f"wrote {out / (bc.NAME + '.json')} and .png ({n_total} cells, "
          f"{settings['cell_seconds']:.0f} s of cell time)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
