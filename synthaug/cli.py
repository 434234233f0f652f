"""Command-line interface: ``synthaug simulate ...``.

Errors in the arguments or the input are reported as one line on stderr with a
non-zero exit status (2), never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's default prints usage too)
        self.exit(2, f"synthaug: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="synthaug", description="Theory and simulations of synthetic minority augmentation.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    s = sub.add_parser("simulate", help="run a simulation design and write JSON / PNG",
                       description="Run a simulation design (see --list).")
    s.add_argument("design", nargs="?", help="design name (see --list)")
    s.add_argument("--list", action="store_true", help="list the designs and exit")
    s.add_argument("--reps", type=int, default=None, help="Monte Carlo replications (default 100; 20 with --quick)")
    s.add_argument("--seed", type=int, default=0, help="PRNG seed (default 0)")
    s.add_argument("--generators", default=None, help="comma-separated generator names (default: the design's)")
    s.add_argument("--quick", action="store_true", help="reduced grids: runs in seconds")
    s.add_argument("--out", default=None, metavar="FILE.json", help="write the results as JSON")
    s.add_argument("--plot", default=None, metavar="FILE.png", help="write the figure")
    s.add_argument("--dtype", default="float64", choices=["float64", "float32"], help="floating-point precision")
    s.add_argument("--batch-size", type=int, default=None, help="replications per vectorised chunk (memory bound)")
    s.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    return p


def _print_list():
    from .simulate import get_design, list_designs

    for name in list_designs():
        d = get_design(name)
        print(f"{name:22s} {d.description}")
        print(f"{'':22s} generators: {', '.join(d.generators)} (default {', '.join(d.default_generators)})")


def _print_summary(result, seconds: float):
    print(f"{result.design}: {result.reps} replications, seed {result.seed}, {len(result.records)} records "
          f"in {seconds:.1f} s")
    for s in result.summaries:
        if s["estimate"] is None:
            est = "none"
        else:
            est = f"{s['estimate']:.4g}"
            if s["ci_low"] is not None:
                est += f"  [{s['ci_low']:.4g}, {s['ci_high']:.4g}]"
        extra = {k: v for k, v in s.items() if k not in ("kind", "method", "generator", "x", "y", "estimate",
                                                        "ci_low", "ci_high")}
        tail = " ".join(f"{k}={v}" for k, v in extra.items() if v is not None)
        print(f"  {s['kind']:17s} {s['method']:8s} {s['generator'] or '':12s} {s['y']}~{s['x']}: {est}  {tail}")


def _simulate(args) -> int:
    from .simulate import run_design

    if args.list:
        _print_list()
        return 0
    if not args.design:
        raise ValueError("give a design name (see 'synthaug simulate --list')")
    for path, suffix in ((args.out, ".json"), (args.plot, ".png")):
        if path is not None and not path.lower().endswith(suffix):
            raise ValueError(f"{path!r} should end in {suffix}")
    t0 = time.perf_counter()
    result = run_design(args.design, reps=args.reps, seed=args.seed, generators=args.generators, quick=args.quick,
                        progress=not args.no_progress, dtype=args.dtype, batch_size=args.batch_size)
    seconds = time.perf_counter() - t0
    _print_summary(result, seconds)
    if args.out:
        result.to_json(args.out)
        print(f"wrote {args.out}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        result.plot(args.plot)
        print(f"wrote {args.plot}")
    return 0


def main(argv=None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _simulate(args)
    except (ValueError, OSError) as exc:
        print(f"synthaug: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("synthaug: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
