"""What a cluster of W workers would give for a large run of every design, from measured per-cell times.

    .venv/bin/python benchmarks/project_cluster.py [--reps 10000] [--probe-reps 8] [--workers 64]
                                                   [--designs biased-aligned,symmetry-test,...]

A design run is a sequence of *cells* (:mod:`synthaug.core.cells`: one
``run_replications`` call each, one static shape, one compilation), and
:func:`synthaug.run_design` with ``executor=`` spreads whole cells over workers. For
each design this script

1. plans the run at ``--reps`` replications (shapes only, :func:`jax.eval_shape`: nothing
   is compiled or run) to get its cells and their replication counts;
2. computes every cell in this process at ``--probe-reps`` replications, twice: the first
   call pays tracing + XLA compilation, the second is the steady cost of ``probe`` reps
   (compilation = first − second; per-replication cost = second / probe);
3. projects each cell's time at full size as ``compile + reps × per-rep`` (the cells'
   own chunk sizes are kept, so their memory bound is the one the real run has);
4. schedules the projected cells on ``W`` workers, longest first (the LPT rule, within
   4/3 of the optimal makespan), with a measured per-task scheduler overhead (Dask's,
   from a local cluster when Dask is installed; else the process pool's) and the
   replay/assemble step measured at probe size.

It also projects the same run with every cell cut into ``W`` replication slices
(``run_design(..., split_reps=ceil(reps / W), batch_size=...)``: each slice pays its cell's
compilation on its worker). It prints, per design, the cell count, the serial projection, the W-worker makespan,
the speed-up and what bounds it (the largest cell, the number of cells, the compile
time that every cell pays on its worker), and writes
``benchmarks/results/cluster_projection_<reps>.{json,md}``. These are projections from
measurements on this machine, not a cluster run; the per-replication cost is assumed
linear in reps (a chunked ``vmap``: true up to the chunk's cache behaviour).
"""

from __future__ import annotations

import argparse
import heapq
import json
import pathlib
import platform
import subprocess
import time

import numpy as np

RESULTS = pathlib.Path(__file__).resolve().parent / "results"


def _lpt(times, workers: int, overhead: float, start: float = 0.0) -> float:
    """Makespan of the tasks ``times`` on ``workers`` machines, longest first, ``overhead`` per task.

    ``start``: what each worker does before its first task (it plans the run once to find its cells)."""
    loads = [start] * max(1, workers)
    heapq.heapify(loads)
    for t in sorted(times, reverse=True):
        heapq.heappush(loads, heapq.heappop(loads) + t + overhead)
    return max(loads)


def _task_overhead(n: int = 200) -> tuple[float, str]:
    """Seconds of scheduler overhead per task: Dask's on a local 2-worker cluster, else a process pool's."""
    try:
        from synthaug.parallel import local_dask_client

        client = local_dask_client(2)
        try:
            client.gather(client.map(abs, range(20)))  # warm up
            t = time.perf_counter()
            client.gather(client.map(abs, range(-n, 0)))
            return (time.perf_counter() - t) / n * 2, "dask"  # two workers run tasks concurrently
        finally:
            client.close()
    except ImportError:
        import concurrent.futures as cf
        import multiprocessing as mp

        with cf.ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
            list(ex.map(abs, range(20)))
            t = time.perf_counter()
            list(ex.map(abs, range(-n, 0)))
            return (time.perf_counter() - t) / n * 2, "processes"


def measure(name: str, reps: int, probe: int) -> dict:
    """Plan ``name`` at ``reps``, time each cell at ``probe`` reps (cold, then warm) and the replay."""
    import jax
    import jax.numpy as jnp

    from synthaug.config import x64
    from synthaug.core.cells import plan, replay
    from synthaug.core.montecarlo import run_replications
    from synthaug.parallel import CellSpec, _bound_run
    from synthaug.simulate import get_design

    design = get_design(name)
    spec = CellSpec(name, reps, 0, tuple(design.default_generators), False, "float64", None)
    with x64(True):
        t = time.perf_counter()
        calls = plan(_bound_run(spec))
        plan_s = time.perf_counter() - t
        cells = []
        for c in calls:
            r = min(probe, c.reps)
            bs = None if c.batch_size is None else min(c.batch_size, r)
            t0 = time.perf_counter()
            run_replications(c.fn, c.key, r, batch_size=bs, progress=False)
            t1 = time.perf_counter()
            run_replications(c.fn, c.key, r, batch_size=bs, progress=False)
            t2 = time.perf_counter()
            steady = t2 - t1
            cells.append({"desc": c.desc, "reps": c.reps, "batch_size": c.batch_size, "probe": r,
                          "compile_s": max(0.0, (t1 - t0) - steady), "per_rep_s": steady / r})
        # the assemble step: the design's own code on results of the probe size
        small = CellSpec(name, max(2, probe), 0, spec.generators, False, "float64", None)
        small_calls = plan(_bound_run(small))
        results = [jax.tree_util.tree_map(np.asarray, run_replications(c.fn, c.key, c.reps, batch_size=c.batch_size,
                                                                        progress=False)) for c in small_calls]
        t = time.perf_counter()
        replay(_bound_run(small), small_calls, results)
        replay_s = time.perf_counter() - t
    del jnp
    return {"design": name, "reps": reps, "plan_s": plan_s, "replay_s_at_probe": replay_s, "cells": cells}


def _split_times(m: dict, workers: int) -> list:
    """Task times with every cell cut into ``workers`` replication slices (``split_reps``); each slice
    pays the cell's compilation on its worker."""
    out = []
    for c in m["cells"]:
        pieces = min(workers, c["reps"])
        per = -(-c["reps"] // pieces)
        out += [c["compile_s"] + per * c["per_rep_s"]] * pieces
    return out


def project(m: dict, workers: int, overhead: float) -> dict:
    times = [c["compile_s"] + c["reps"] * c["per_rep_s"] for c in m["cells"]]
    split_span = (m["plan_s"] + _lpt(_split_times(m, workers), workers, overhead, start=m["plan_s"])
                  + m["replay_s_at_probe"])
    serial = sum(times)
    # the driver plans, every worker plans once (to find its cells), then the driver replays
    span = m["plan_s"] + _lpt(times, workers, overhead, start=m["plan_s"]) + m["replay_s_at_probe"]
    largest = max(times)
    compile_total = sum(c["compile_s"] for c in m["cells"])
    if 2 * m["plan_s"] > largest:
        bound = f"planning {m['plan_s']:.0f} s (driver and each worker)"
    elif len(times) < workers:
        bound = f"{len(times)} cells < {workers} workers; largest cell {largest:.0f} s"
    elif largest > serial / workers:
        bound = f"largest cell {largest:.0f} s"
    else:
        bound = "balanced"
    return {"design": m["design"], "cells": len(times), "serial_s": serial, "makespan_s": span,
            "speedup": serial / span, "efficiency": serial / span / workers, "largest_cell_s": largest,
            "compile_s": compile_total, "plan_s": m["plan_s"], "bound": bound, "split_makespan_s": split_span,
            "split_speedup": serial / split_span}


def _hours(s: float) -> str:
    return f"{s / 3600:.2f} h" if s >= 3600 else (f"{s / 60:.1f} min" if s >= 60 else f"{s:.1f} s")


def main(argv=None) -> int:
    import synthaug.config as config

    config.cpu_workarounds()
    from synthaug.designs import DESIGNS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10_000)
    ap.add_argument("--probe-reps", type=int, default=8)
    ap.add_argument("--workers", type=int, default=64)
    ap.add_argument("--designs", default=",".join(DESIGNS))
    ap.add_argument("--out", default=None)
    ap.add_argument("--from-json", default=None, metavar="FILE.json",
                    help="re-project the measurements of an earlier run (e.g. for another --workers)")
    args = ap.parse_args(argv)
    old = json.loads(pathlib.Path(args.from_json).read_text()) if args.from_json else None
    if old:
        overhead, engine = old["overhead_s"], old["engine"]
        args.reps, args.probe_reps = old["settings"]["reps"], old["settings"]["probe_reps"]
    else:
        overhead, engine = _task_overhead()
    print(f"scheduler overhead per task ({engine}): {overhead * 1e3:.2f} ms", flush=True)
    rows, measured = [], []
    names = [m["design"] for m in old["measured"]] if old else [d.strip() for d in args.designs.split(",") if d.strip()]
    for name in names:
        t = time.perf_counter()
        m = next(x for x in old["measured"] if x["design"] == name) if old else measure(name, args.reps, args.probe_reps)
        measured.append(m)
        row = project(m, args.workers, overhead)
        rows.append(row)
        if not old:  # keep what is measured so far (a long design can be stopped and re-projected later)
            partial = pathlib.Path(args.out) if args.out else RESULTS / f"cluster_projection_{args.reps}"
            partial.parent.mkdir(parents=True, exist_ok=True)
            partial.with_suffix(".json").write_text(json.dumps(
                {"settings": vars(args), "overhead_s": overhead, "engine": engine, "measured": measured}, indent=1))
        print(f"{name}: {row['cells']} cells, serial {_hours(row['serial_s'])}, {args.workers} workers "
              f"{_hours(row['makespan_s'])} ({row['speedup']:.1f}x; {row['bound']}) "
              f"[measured in {time.perf_counter() - t:.0f} s]", flush=True)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    import jax

    head = (f"Projection for {args.reps:,} replications per design on {args.workers} workers, from per-cell times "
            f"measured at {args.probe_reps} replications on this machine ({platform.machine()}, jax {jax.__version__}, "
            f"commit {commit}); scheduler overhead {overhead * 1e3:.2f} ms per task ({engine}).")
    lines = [head, "", "| design | cells | serial (projected) | compile, all cells | largest cell | planning | "
             f"{args.workers} workers | speed-up | efficiency | bound | {args.workers} workers, cells cut "
             "(split_reps) | speed-up, cut |", "|---" * 12 + "|"]
    for r in rows:
        lines.append(f"| {r['design']} | {r['cells']} | {_hours(r['serial_s'])} | {_hours(r['compile_s'])} | "
                     f"{_hours(r['largest_cell_s'])} | {_hours(r['plan_s'])} | {_hours(r['makespan_s'])} | "
                     f"{r['speedup']:.1f}× | {r['efficiency']:.0%} | {r['bound']} | {_hours(r['split_makespan_s'])} | "
                     f"{r['split_speedup']:.1f}× |")
    total_serial = sum(r["serial_s"] for r in rows)
    all_times = [c["compile_s"] + c["reps"] * c["per_rep_s"] for m in measured for c in m["cells"]]
    plans = sum(m["plan_s"] for m in measured)
    span_all = 2 * plans + _lpt(all_times, args.workers, overhead)
    split_all = 2 * plans + _lpt([t for m in measured for t in _split_times(m, args.workers)], args.workers, overhead)
    lines += ["", f"All designs as one queue of {len(all_times)} cells (the workers plan every design once): serial "
                  f"{_hours(total_serial)}, {args.workers} workers {_hours(span_all)} ({total_serial / span_all:.1f}×); "
                  f"with every cell cut into {args.workers} slices {_hours(split_all)} ({total_serial / split_all:.1f}×)."]
    text = "\n".join(lines) + "\n"
    print(text)
    out = pathlib.Path(args.out) if args.out else RESULTS / f"cluster_projection_{args.reps}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".md").write_text(text)
    out.with_suffix(".json").write_text(json.dumps({"settings": vars(args), "overhead_s": overhead, "engine": engine,
                                                    "measured": measured, "projection": rows}, indent=1))
    print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
