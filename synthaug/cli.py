"""Command-line interface: ``synthaug simulate ...``, ``synthaug diagnose ...``, ``synthaug bias-correct ...``
and ``synthaug example-csv`` (the path of the example CSV shipped with the package).

Errors in the arguments or the input are reported as one line on stderr with a
non-zero exit status (2), never as a traceback.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time

from synthaug.config import ensure_compilation_cache  # loads no JAX


class _LazyText(str):
    """A help string computed only when the help is printed (so building the parser, and every
    error message, imports no JAX); ``str`` itself is a placeholder for argparse's checks."""

    def __new__(cls, compute):
        obj = super().__new__(cls, "(computed)")
        obj.compute = compute
        return obj


class _LazyHelp(argparse.HelpFormatter):
    def _get_help_string(self, action):
        return action.help.compute() if isinstance(action.help, _LazyText) else action.help


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _LazyHelp)
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line, exit 2 (argparse's default prints usage too)
        self.exit(2, f"synthaug: error: {message}\n")


def _model_help():
    from synthaug.models import MODEL_NAMES  # the --model help is built from the model table

    return f"model: {', '.join(MODEL_NAMES)} (default logistic)"


def _add_input_args(parser):
    """The data options shared by ``diagnose`` and ``bias-correct``: a CSV or a bundled dataset."""
    parser.add_argument("data", nargs="?", help="CSV file with a header row")
    parser.add_argument("--target", help="name of the target column (CSV input)")
    parser.add_argument("--positive", default=None, metavar="LABEL",
                        help="the class of interest (minority); required when the target has more than two values")
    parser.add_argument("--dataset", default=None, help="a bundled dataset instead of a CSV (see --list-datasets)")
    parser.add_argument("--list-datasets", action="store_true", help="list the bundled datasets and exit")
    parser.add_argument("--drop", default=None, metavar="COL[,COL...]",
                        help="comma-separated columns to leave out of the CSV (ID columns, free text)")
    parser.add_argument("--max-levels", type=int, default=50, metavar="N",
                        help="refuse to one-hot encode a text column with more than N distinct values (default 50)")


def _add_cv_args(parser):
    """The cross-validation and preprocessing options shared by ``diagnose`` and ``bias-correct``."""
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5)")
    parser.add_argument("--repeats", type=int, default=1, help="repeats of the cross-validation (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="PRNG seed (default 0)")
    parser.add_argument("--impute", choices=["mean"], default=None,
                        help="fill missing numeric values with the column mean (categorical: the most frequent value)")
    parser.add_argument("--no-standardize", action="store_true", help="do not z-score the features")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


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
    s.add_argument("--devices", default=None, metavar="N|all",
                   help="lay the replications out over N devices (or all); on CPU this creates N host devices "
                        "sharing the cores (default 1)")
    s.add_argument("--coordinator", default=None, metavar="HOST:PORT",
                   help="join a multi-process run (jax.distributed) coordinated by process 0 at HOST:PORT; "
                        "start the same command in every process with its --process-id; the replications "
                        "run over the devices of all processes (--devices N: N CPU devices per process) and "
                        "process 0 prints and writes the results")
    s.add_argument("--num-processes", type=int, default=None, metavar="N",
                   help="processes in the --coordinator run")
    s.add_argument("--process-id", type=int, default=None, metavar="I",
                   help="this process's rank in the --coordinator run, 0 .. N-1 (0 hosts the coordinator)")
    s.add_argument("--workers", type=int, default=None, metavar="N",
                   help="compute the design's cells on N worker processes (a local Dask cluster when Dask is "
                        "installed, else a process pool); records identical to a one-process run")
    s.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="compute the cells on an existing Dask cluster (e.g. tcp://10.0.0.5:8786)")
    s.add_argument("--cache", default=None, metavar="DIR",
                   help="cell cache directory: a run that was interrupted resumes where it stopped")
    s.add_argument("--cell-timeout", type=float, default=None, metavar="SECONDS",
                   help="resubmit a cell that runs longer than this (with --workers/--scheduler)")
    s.add_argument("--retries", type=int, default=2, help="resubmissions of a failing cell (default 2)")
    s.add_argument("--split-reps", type=int, default=None, metavar="N",
                   help="with --workers/--scheduler: cut each cell into tasks of at most N replications at its "
                        "chunk boundaries (use with --batch-size), so one large cell spreads over the workers")
    s.add_argument("--no-progress", action="store_true", help="hide the progress bars")

    d = sub.add_parser("diagnose", help="diagnose augmentation of a CSV file or bundled dataset",
                       description="Symmetry test, generator quality, alignment and the TG-VTSS synthetic size "
                                   "for a binary classification dataset.")
    _add_input_args(d)
    d.add_argument("--generator", default="smote",
                   help="generator name (default smote), or several separated by commas (smote,jitter,gaussian): "
                        "each is diagnosed on the same pilot and folds and the generators are ranked")
    d.add_argument("--model", default="logistic", metavar="MODEL",
                   help=_LazyText(_model_help))
    d.add_argument("--ridge", type=float, default=None,
                   help="ridge penalty of the linear models on the normalised loss (default 1e-4)")
    d.add_argument("--method", default="tg-vtss", choices=["tg-vtss", "vtss"], help="size selection (default tg-vtss)")
    d.add_argument("--crossfit-folds", type=int, default=3, help="folds for the cross-fitted mismatch (default 3)")
    _add_cv_args(d)
    d.add_argument("--json", default=None, metavar="FILE.json", help="write the diagnosis as JSON")
    d.add_argument("--plot", default=None, metavar="FILE.png",
                   help="write the diagnosis figure (any format matplotlib writes: .png, .pdf, .svg, ...)")
    d.add_argument("--report", default=None, metavar="FILE.html",
                   help="write a self-contained HTML report (summary, figure, CV curve, settings, versions; "
                        "loads nothing from the network)")

    b = sub.add_parser("bias-correct", help="cross-validate raw, reweighted, naive and bias-corrected fits",
                       description="Lyu et al.'s majority-based bias correction (reconstructed) on a CSV file or "
                                   "bundled dataset: raw, reweighted, naive-augmented and corrected logistic "
                                   "regression compared by repeated stratified cross-validation.")
    _add_input_args(b)
    b.add_argument("--generator", default="smote", help="generator name (default smote)")
    b.add_argument("--gamma", type=float, default=1.0,
                   help="synthetic rows as a multiple of the class gap of each training fold (default 1: balance)")
    b.add_argument("--ridge", type=float, default=1e-4, help="ridge on the mean logistic loss (default 1e-4)")
    _add_cv_args(b)
    b.add_argument("--json", default=None, metavar="FILE.json", help="write the comparison as JSON")
    b.add_argument("--plot", default=None, metavar="FILE.png",
                   help="write the comparison figure (any format matplotlib writes: .png, .pdf, .svg, ...)")
    sub.add_parser("example-csv", help="print the path of the example CSV shipped with synthaug",
                   description="Print the path of clinic.csv, a simulated CSV (800 admissions, target 'outcome', "
                               "minority 'sepsis', ID column 'patient_id') to try diagnose and bias-correct on: "
                               "synthaug diagnose \"$(synthaug example-csv)\" --target outcome --positive sepsis "
                               "--drop patient_id")
    return p


def _print_list():
    from synthaug.simulate import get_design, list_designs

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
    from synthaug.simulate import run_design

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
                        progress=not args.no_progress, dtype=args.dtype, batch_size=args.batch_size,
                        devices=args.devices, executor=_executor(args), workers=args.workers,
                        cache_dir=args.cache, timeout=args.cell_timeout, retries=args.retries,
                        split_reps=args.split_reps)
    seconds = time.perf_counter() - t0
    if args.coordinator is not None and args.process_id != 0:
        return 0  # every process holds the whole records; process 0 reports them
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


def _read_table(args):
    """(X DataFrame, y Series, positive label or None) from --dataset or a CSV; prints notices."""
    import pandas as pd

    if args.dataset:
        if args.data:
            raise ValueError("give either a CSV file or --dataset, not both")
        from synthaug.data.datasets import load_dataset

        X, y = load_dataset(args.dataset)
        return X, y, None
    if not args.data:
        raise ValueError("give a CSV file (with --target) or --dataset NAME")
    if not args.target:
        raise ValueError("--target COLUMN is required with a CSV file")
    try:
        df = pd.read_csv(args.data, encoding="utf-8-sig")  # a byte-order mark is not part of the first name
    except pd.errors.EmptyDataError:
        raise ValueError(f"cannot read {args.data!r} as CSV: the file is empty (no header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {args.data!r} as CSV: {str(exc).splitlines()[0]}") from None
    if args.target not in df.columns and df.shape[1] == 1:
        header = str(df.columns[0])
        for sep, what in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if sep in header:
                raise ValueError(f"{args.data!r} has a single column {header[:60]!r}: its fields seem to be separated "
                                 f"by {what}, not commas; save it as comma-separated CSV")
    from synthaug.data.prepare import prepare_table

    table = prepare_table(df, args.target, positive=args.positive, impute=args.impute, source=args.data,
                          drop=[c for c in (args.drop or "").split(",") if c], max_levels=args.max_levels)
    for notice in table.notices:
        print(f"notice: {notice}")
    return table.X, table.y, table.positive


def _diagnose(args, data) -> int:
    from synthaug.diagnosis import diagnose

    X, y, positive = data
    ensure_compilation_cache()  # persist compiled programs across runs
    if "," in args.generator:  # several generators: one pilot and one set of folds, ranked
        from synthaug.diagnosis.compare import compare_generators

        diagnose = functools.partial(compare_generators, generators=_generator_list(args.generator))
        args = argparse.Namespace(**{**vars(args), "generator": None})
    result = diagnose(X, y, **({} if args.generator is None else {"generator": args.generator}), model=args.model, method=args.method, folds=args.folds,
                      repeats=args.repeats, crossfit_folds=args.crossfit_folds, minority=positive,
                      standardize=not args.no_standardize, seed=args.seed, progress=not args.no_progress,
                      model_params=None if args.ridge is None else {"ridge": args.ridge})
    return _report(result, args)


def _list_datasets() -> int:
    from synthaug.data.datasets import DATASETS, example_csv

    for name, text in DATASETS.items():
        print(f"{name:20s} {text}")
    print(f"\nexample CSV (simulated; `synthaug example-csv` prints its path): {example_csv()}\n"
          f"  target 'outcome', minority 'sepsis', ID column 'patient_id' (leave it out with --drop patient_id)")
    return 0


def _plot_formats() -> set:
    """File suffixes matplotlib can write (``png``, ``pdf``, ``svg``, ...)."""
    from matplotlib.figure import Figure

    return set(Figure().canvas.get_supported_filetypes())


def _executor(args):
    """The ``executor=`` of ``--workers`` / ``--scheduler``."""
    if args.scheduler:
        from dask.distributed import Client

        return Client(args.scheduler)
    if args.workers is None:
        return None
    import importlib.util

    return "dask" if importlib.util.find_spec("distributed") is not None else "processes"


def _parse_devices(text: str):
    """``--devices``: a positive integer or ``all`` (ValueError otherwise)."""
    if text == "all":
        return "all"
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"--devices must be a positive integer or 'all', got {text!r}")
    return n


def _check_output_path(path, option: str) -> None:
    """Refuse an output path whose directory is missing or not writable, before any computation."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{option} {path!r}: the directory {folder!r} does not exist; create it first")
    if os.path.isdir(path):
        raise ValueError(f"{option} {path!r} is a directory; give a file name")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{option} {path!r}: the directory {folder!r} is not writable")


def _check_args(args) -> None:
    """Names, paths and output suffixes, checked without importing JAX (ValueError on the first problem)."""
    from synthaug.core.validation import check_seed  # (no JAX)

    check_seed(args.seed, "--seed")
    if args.command == "simulate":
        from synthaug.designs import design_module

        if args.design and not args.list:
            design_module(args.design)
        _check_output_path(args.out, "--out")
        _check_output_path(args.plot, "--plot")
        if args.devices is not None:
            args.devices = _parse_devices(args.devices)
        if args.workers is not None and args.workers < 1:
            raise ValueError(f"--workers must be at least 1, got {args.workers}")
        if args.workers is not None and args.scheduler:
            raise ValueError("give --workers or --scheduler, not both")
        multi = (args.coordinator, args.num_processes, args.process_id)
        if any(v is not None for v in multi):
            if any(v is None for v in multi):
                raise ValueError("a multi-process run needs --coordinator, --num-processes and --process-id together")
            if args.workers is not None or args.scheduler:
                raise ValueError("--coordinator runs the replications over the devices of several processes; "
                                 "it does not combine with --workers or --scheduler")
            from synthaug.config import _parse_address

            _parse_address(args.coordinator)
            if args.num_processes < 1:
                raise ValueError(f"--num-processes must be at least 1, got {args.num_processes}")
            if not 0 <= args.process_id < args.num_processes:
                raise ValueError(f"--process-id must be in 0..{args.num_processes - 1}, got {args.process_id}")
        if args.split_reps is not None and args.split_reps < 1:
            raise ValueError(f"--split-reps must be at least 1, got {args.split_reps}")
        if args.retries < 0:
            raise ValueError(f"--retries must be non-negative, got {args.retries}")
        if args.cell_timeout is not None and not args.cell_timeout > 0:
            raise ValueError(f"--cell-timeout must be positive, got {args.cell_timeout}")
        if args.scheduler:
            import importlib.util

            if importlib.util.find_spec("distributed") is None:
                raise ValueError('--scheduler needs Dask: pip install "synthaug[distributed]"')
        return
    if args.list_datasets:
        return
    if args.dataset:
        from synthaug.data.datasets import check_dataset

        check_dataset(args.dataset)
    elif args.data and not os.path.isfile(args.data):
        raise ValueError(f"no such file: {args.data!r}")
    from synthaug.generators.registry import GENERATOR_FACTORIES, resolve_factory

    if args.command != "diagnose" and "," in args.generator:
        raise ValueError(f"--generator {args.generator!r}: {args.command} takes one generator")
    for name in _generator_list(args.generator):
        if name not in GENERATOR_FACTORIES:
            resolve_factory(name)  # raises the registry's message
    _check_outputs(args)


def _generator_list(text: str) -> list:
    """``--generator`` as a list of names: one name, or several separated by commas (no repeats)."""
    names = [g.strip() for g in text.split(",")]
    if any(not g for g in names):
        raise ValueError(f"--generator {text!r}: empty name in the comma-separated list")
    if len(set(names)) < len(names):
        raise ValueError(f"--generator {text!r}: each generator may appear once")
    return names


def _check_outputs(args) -> None:
    if args.json is not None and not args.json.lower().endswith(".json"):
        raise ValueError(f"{args.json!r} should end in .json")
    if args.plot is not None:
        suffix = args.plot.rsplit(".", 1)[-1].lower() if "." in args.plot else ""
        formats = _plot_formats()
        if suffix not in formats:
            raise ValueError(f"{args.plot!r}: cannot write a figure of type {suffix or '(none)'!r}; use one of "
                             f"{', '.join('.' + f for f in sorted(formats))}")
    _check_output_path(args.json, "--json")
    _check_output_path(args.plot, "--plot")
    report = getattr(args, "report", None)
    if report is not None:
        if not report.lower().endswith((".html", ".htm")):
            raise ValueError(f"--report {report!r} should end in .html")
        _check_output_path(report, "--report")


def _report(result, args) -> int:
    """Print a result's summary and write its JSON / figure where asked."""
    print(result.summary())
    if args.json:
        result.to_json(args.json)
        print(f"wrote {args.json}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        name = args.dataset or os.path.basename(args.data or "") or None
        result.plot(data_name=name).savefig(args.plot, dpi=130)
        print(f"wrote {args.plot}")
    if getattr(args, "report", None):
        from synthaug.diagnosis.html import write_html_report

        name = args.dataset or os.path.basename(args.data or "") or None
        write_html_report(result, args.report, data_name=name)
        print(f"wrote {args.report}")
    return 0


def _bias_correct(args, data) -> int:
    from synthaug.bias_correction.crossval import crossvalidate_bias_correction

    X, y, positive = data
    ensure_compilation_cache()  # persist compiled programs across runs
    result = crossvalidate_bias_correction(X, y, generator=args.generator, gamma=args.gamma, folds=args.folds,
                                           repeats=args.repeats, seed=args.seed, ridge=args.ridge, minority=positive,
                                           standardize=not args.no_standardize, progress=not args.no_progress)
    return _report(result, args)


def main(argv=None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from synthaug import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "example-csv":
        from synthaug.data.datasets import example_csv

        print(example_csv())
        return 0
    if args.command in ("diagnose", "bias-correct") and args.list_datasets:
        return _list_datasets()  # no JAX needed
    try:
        _check_args(args)  # before JAX is imported: a wrong name or path answers at once
        # The table too (pandas only): a wrong column, label or ID column answers at once.
        data = _read_table(args) if args.command in ("diagnose", "bias-correct") else None
        from synthaug.config import cpu_workarounds, x64

        # The command line runs large vmapped programs in float64: switch on what it needs,
        # explicitly (importing synthaug changes nothing).
        cpu_workarounds()
        if args.command == "simulate" and args.coordinator is not None:
            from synthaug.config import distributed

            local = args.devices if isinstance(args.devices, int) and args.devices > 1 else None
            try:
                distributed(args.coordinator, args.num_processes, args.process_id, local_cpu_devices=local)
            except RuntimeError as exc:  # e.g. the other processes never joined (JAX's deadline)
                raise ValueError(f"--coordinator {args.coordinator}: {str(exc).splitlines()[0]}") from None
            args.devices = "all"  # every device of every process
        elif args.command == "simulate" and isinstance(args.devices, int) and args.devices > 1:
            from synthaug.config import cpu_devices

            # Before the first computation: the CPU backend gets N host devices (on a machine
            # with accelerators they are unused; the default backend's devices are checked later).
            cpu_devices(args.devices)
        with x64():
            if args.command == "diagnose":
                return _diagnose(args, data)
            if args.command == "bias-correct":
                return _bias_correct(args, data)
            return _simulate(args)
    except (ValueError, OSError, OverflowError) as exc:
        print(f"synthaug: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("synthaug: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
