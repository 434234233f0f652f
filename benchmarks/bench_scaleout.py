"""Strong scaling of a design run: in-process against 1 and 2 worker processes (Dask or a pool) and 1 and 2 devices.

    .venv/bin/python benchmarks/bench_scaleout.py [--design symmetry-test] [--reps 100] [--quick]
                                                  [--workers 1,2] [--devices 1,2] [--executor dask|processes]

Every configuration runs in a fresh interpreter (so each pays its own compilation, as a user's
run would), the records of each are checked identical to the in-process run, and the wall
times, speed-ups (in-process time / time) and efficiencies (speed-up / workers) are printed
and written to ``benchmarks/results/scaleout_<design>_<reps>.json``. The device runs use
``synthaug.config.cpu_devices(N)``: on a CPU the N host devices share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent

CHILD = r'''
import json, sys, time
import synthaug.config as config
cfg = json.loads(sys.argv[1])
config.cpu_workarounds(); config.enable_x64()
if cfg["devices"] > 1:
    config.cpu_devices(cfg["devices"])
from synthaug import run_design
if __name__ == "__main__":
    t0 = time.perf_counter()
    res = run_design(cfg["design"], reps=cfg["reps"], quick=cfg["quick"], progress=False,
                     devices=cfg["devices"] if cfg["devices"] > 1 else None,
                     executor=cfg["executor"], workers=cfg["workers"])
    wall = time.perf_counter() - t0
    json.dump({"wall": wall, "records": res.records}, open(cfg["out"], "w"))
'''


def _run(cfg: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = pathlib.Path(tmp) / "child.py"
        script.write_text(CHILD)
        cfg = dict(cfg, out=str(pathlib.Path(tmp) / "out.json"))
        subprocess.run([sys.executable, str(script), json.dumps(cfg)], check=True, env=dict(os.environ))
        return json.loads(pathlib.Path(cfg["out"]).read_text())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--design", default="symmetry-test")
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--devices", default="1,2")
    ap.add_argument("--executor", default="dask", choices=("dask", "processes"))
    args = ap.parse_args(argv)
    base = dict(design=args.design, reps=args.reps, quick=args.quick, devices=1, executor=None, workers=None)
    rows = []
    ref = _run(base)
    rows.append(dict(config="in-process, 1 device", wall=ref["wall"], speedup=1.0, efficiency=1.0, identical=True))
    for w in (int(x) for x in args.workers.split(",") if x):
        out = _run(dict(base, executor=args.executor, workers=w))
        rows.append(dict(config=f"{args.executor}, {w} worker(s)", wall=out["wall"], speedup=ref["wall"] / out["wall"],
                         efficiency=ref["wall"] / out["wall"] / w, identical=out["records"] == ref["records"]))
    for d in (int(x) for x in args.devices.split(",") if x):
        if d == 1:
            continue
        out = _run(dict(base, devices=d))
        rows.append(dict(config=f"in-process, {d} devices", wall=out["wall"], speedup=ref["wall"] / out["wall"],
                         efficiency=ref["wall"] / out["wall"] / d, identical=out["records"] == ref["records"]))
    print(f"{args.design}, {args.reps} replications{' (quick grid)' if args.quick else ''}, {os.cpu_count()} CPU(s)")
    print(f"{'configuration':28s} {'wall s':>8s} {'speed-up':>9s} {'efficiency':>11s}  records identical")
    for r in rows:
        print(f"{r['config']:28s} {r['wall']:8.1f} {r['speedup']:9.2f} {r['efficiency']:11.2f}  {r['identical']}")
    (HERE / "results").mkdir(exist_ok=True)
    path = HERE / "results" / f"scaleout_{args.design}_{args.reps}{'_quick' if args.quick else ''}.json"
    path.write_text(json.dumps(dict(vars(args), cpus=os.cpu_count(), rows=rows), indent=1))
    print(f"wrote {path}")
    return 0 if all(r["identical"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
