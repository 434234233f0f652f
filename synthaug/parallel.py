r"""Run a design's cells in parallel: worker processes, any ``concurrent.futures`` executor, or Dask.

:func:`run_design_cells` (what :func:`synthaug.run_design` calls with ``executor=`` or
``cache_dir=``) splits a design into its cells with :func:`synthaug.core.cells.plan`
(one cell per :func:`~synthaug.core.montecarlo.run_replications` call: one static
shape, one compilation), computes the cells on an executor, and rebuilds the records
with :func:`synthaug.core.cells.replay`, so the result is **identical** to the
in-process run (the same programs on the same keys; checked in
``tests/test_parallel.py``).

Executors
---------
``"processes"``
    a pool of ``workers`` fresh Python processes of the standard library (``spawn``).
a :class:`concurrent.futures.Executor`
    anything with ``submit`` returning futures with ``done``/``result``/``exception``.
a :class:`dask.distributed.Client`
    a Dask cluster (``pip install "synthaug[distributed]"``): local
    (:func:`local_dask_client`) or remote (``Client("tcp://host:8786")``); its workers
    need synthaug installed.

Fault tolerance
---------------
* a cell that raises, or runs longer than ``timeout`` seconds, is resubmitted up to
  ``retries`` times; a cell that still fails is reported with its index, label and
  error after the others finish (:class:`CellError`);
* a lost Dask worker's cells are rescheduled by Dask itself (and count as failures
  only after Dask gives up);
* with ``cache_dir``, every finished cell is written at once to a content-addressed
  file (key: design, settings, version, a hash of synthaug's sources and the cell's
  signature) with a SHA-256 checksum of its arrays; a run that is resumed recomputes
  nothing already there, and a corrupted file is detected, reported as a warning and
  recomputed.

A cell runs on its worker's default device; ``devices=`` applies to in-process runs.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import functools
import hashlib
import io
import os
import pathlib
import time
import warnings

import numpy as np

__all__ = ["CellSpec", "CellError", "run_design_cells", "local_dask_client", "source_hash"]


@dataclasses.dataclass(frozen=True)
class CellSpec:
    """Everything a worker needs to plan a design run (hashable, picklable).

    Attributes
    ----------
    name : str
        Design name.
    reps, seed : int
        Replications per cell and seed.
    generators : tuple of str
        Generators of the run.
    quick : bool
        Reduced grids.
    dtype : str
        ``"float64"`` or ``"float32"``.
    batch_size : int or None
        Replications per chunk.
    module : str
        Import path of the design module (default: the registry's, from ``name``); a
        design outside :data:`synthaug.designs.DESIGNS` runs by its path, if the workers
        can import it.
    """

    name: str
    reps: int
    seed: int
    generators: tuple
    quick: bool
    dtype: str
    batch_size: int | None
    module: str = ""


class CellError(RuntimeError):
    """Some cells failed after their retries; ``failures`` maps cell index to (label, error text)."""

    def __init__(self, failures: dict, n_cells: int):
        self.failures = failures
        lines = [f"cell {i} ({label}): {err}" for i, (label, err) in sorted(failures.items())]
        super().__init__(f"{len(failures)} of {n_cells} cells failed after their retries:\n  " + "\n  ".join(lines))


@functools.lru_cache(maxsize=1)
def source_hash() -> str:
    """SHA-256 (16 hex digits) of synthaug's Python sources: part of every cache key."""
    root = pathlib.Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _bound_run(spec: CellSpec):
    import jax
    import jax.numpy as jnp

    import importlib

    from synthaug.designs import design_module
    from synthaug.simulate import Design

    design = Design.from_module(importlib.import_module(spec.module or design_module(spec.name)))
    return functools.partial(design.run, jax.random.PRNGKey(spec.seed), spec.reps, tuple(spec.generators),
                             quick=spec.quick, progress=False, dtype=jnp.dtype(spec.dtype),
                             batch_size=spec.batch_size)


_PLANS: dict = {}


def _plan(spec: CellSpec):
    """The cells of ``spec`` (cached per process: a worker plans a run once)."""
    from synthaug.config import x64
    from synthaug.core.cells import plan

    if spec not in _PLANS:
        with x64(spec.dtype == "float64"):
            _PLANS.clear()  # one run at a time per worker: keep memory bounded
            _PLANS[spec] = plan(_bound_run(spec))
    return _PLANS[spec]


def _worker(spec: CellSpec, index: int, signature: str, start: int | None = None, stop: int | None = None):
    """Compute cell ``index`` of ``spec`` (replications ``start .. stop - 1`` when given) in this (worker)
    process; returns its leaves as NumPy arrays."""
    import jax

    import synthaug.config as config
    from synthaug.core.cells import compute

    calls = _plan(spec)
    call = calls[index]
    if call.signature != signature:
        raise RuntimeError(f"cell {index} of {spec.name!r} differs on this worker (another synthaug version?)")
    with config.x64(spec.dtype == "float64"):
        out = compute(call, start=start, stop=stop)
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(out)]


def _remote_worker(spec: CellSpec, index: int, signature: str, start: int | None = None, stop: int | None = None):
    """:func:`_worker` in a worker process: the XLA:CPU workaround first (before its first computation)."""
    import synthaug.config as config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a reused worker whose backend already started
        config.cpu_workarounds()
    return _worker(spec, index, signature, start, stop)


# --- cache ---------------------------------------------------------------------------------


def _cache_path(cache_dir: pathlib.Path, spec: CellSpec, call) -> pathlib.Path:
    from synthaug import __version__

    text = repr((spec, __version__, source_hash(), call.signature))
    return cache_dir / f"{spec.name}-{call.index:04d}-{hashlib.sha256(text.encode()).hexdigest()[:24]}.npz"


def _checksum(leaves) -> str:
    h = hashlib.sha256()
    for a in leaves:
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def _cache_load(path: pathlib.Path):
    """The cached leaves, ``None`` if absent, ``False`` if the file is corrupt."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            n = int(z["n_leaves"])
            leaves = [z[f"leaf{i}"] for i in range(n)]
            stored = str(z["checksum"])
    except Exception:
        return False
    return leaves if _checksum(leaves) == stored else False


def _cache_store(path: pathlib.Path, leaves) -> None:
    buf = io.BytesIO()
    np.savez(buf, n_leaves=len(leaves), checksum=_checksum(leaves), **{f"leaf{i}": a for i, a in enumerate(leaves)})
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)  # atomic: a crash leaves the old file or none, never half a file


# --- executors -----------------------------------------------------------------------------


def local_dask_client(workers: int = 2, *, threads_per_worker: int = 1):
    """A :class:`dask.distributed.Client` on a new local cluster of ``workers`` processes (loopback only).

    Parameters
    ----------
    workers : int, default=2
        Worker processes.
    threads_per_worker : int, default=1
        Threads per worker (JAX uses the cores itself: keep 1).

    Returns
    -------
    dask.distributed.Client
        Close it (``client.close(); client.cluster.close()``, or use it as a context manager).

    Raises
    ------
    ImportError
        If Dask distributed is not installed (``pip install "synthaug[distributed]"``).
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as err:
        raise ImportError('Dask is not installed: pip install "synthaug[distributed]"') from err
    cluster = LocalCluster(n_workers=int(workers), threads_per_worker=int(threads_per_worker), processes=True,
                           host="127.0.0.1", dashboard_address=None)
    return Client(cluster)


def _make_executor(executor, workers):
    """(executor, owned): an object with ``submit``; ``owned`` if this module must shut it down."""
    if executor == "processes":
        import multiprocessing

        n = int(workers) if workers is not None else max(1, os.cpu_count() or 1)
        if n < 1:
            raise ValueError(f"workers must be at least 1, got {workers!r}")
        return cf.ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn")), True
    if executor == "dask":
        return local_dask_client(2 if workers is None else int(workers)), True
    if isinstance(executor, str) or not hasattr(executor, "submit"):
        raise ValueError(f"executor must be None, 'processes', 'dask', a concurrent.futures.Executor or a "
                         f"dask.distributed.Client; got {executor!r}")
    return executor, False


def _submit(ex, spec, task):
    call, start, stop = task
    args = (spec, call.index, call.signature) + (() if start is None else (start, stop))
    if type(ex).__module__.startswith("distributed"):
        return ex.submit(_remote_worker, *args, pure=False)
    return ex.submit(_remote_worker, *args)


def _close(ex):
    if isinstance(ex, cf.Executor):
        procs = list((getattr(ex, "_processes", None) or {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:  # a timed-out cell may still run: stop it
            p.terminate()
    else:
        cluster = getattr(ex, "cluster", None)
        ex.close()
        if cluster is not None:
            cluster.close()


def run_design_cells(spec: CellSpec, *, executor=None, workers=None, cache_dir=None, timeout=None, retries=2,
                     progress=True, split_reps=None):
    """Records, summaries and settings of ``spec``'s design run, its cells computed on ``executor``.

    Parameters
    ----------
    spec : CellSpec
        The run.
    executor : None, "processes", "dask", concurrent.futures.Executor or dask.distributed.Client
        Where the cells run; ``None`` computes them in this process (useful with ``cache_dir``).
        ``"dask"`` starts a local Dask cluster of ``workers`` processes for the run.
    workers : int, optional
        Processes for ``"processes"`` (default: the CPU count) and ``"dask"`` (default 2).
    cache_dir : str or path, optional
        Directory of the cell cache (created if missing); default no cache.
    timeout : float, optional
        Seconds per cell attempt before it is counted as failed and resubmitted.
    retries : int, default=2
        Resubmissions of a failed cell.
    progress : bool, default=True
        A progress bar over cells.
    split_reps : int, optional
        Cut every cell into tasks of at most this many replications, at the cell's chunk
        boundaries (its ``batch_size``; a cell computed in one chunk is not cut), so that a
        design with fewer cells than workers, or one dominant cell, still spreads over all
        workers. Each task computes its chunks exactly as the whole cell would, so the
        records stay **identical**; a cell is cached once all its tasks are done.

    Returns
    -------
    tuple
        ``(records, summaries, settings)`` as the design's ``run`` returns them.

    Raises
    ------
    CellError
        If some cells failed after their retries (the others were computed, and cached).
    """
    import jax

    from synthaug.config import x64
    from synthaug.core.cells import replay
    from synthaug.core.montecarlo import progress_bar

    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be a non-negative integer, got {retries!r}")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if split_reps is not None and (isinstance(split_reps, bool) or not isinstance(split_reps, int) or split_reps < 1):
        raise ValueError(f"split_reps must be a positive integer, got {split_reps!r}")
    from synthaug.core.cells import slices
    cache = None if cache_dir is None else pathlib.Path(cache_dir)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
    calls = _plan(spec)
    results: dict[int, list] = {}
    for c in calls:
        if cache is not None:
            got = _cache_load(_cache_path(cache, spec, c))
            if got is False:
                warnings.warn(f"cell cache: {_cache_path(cache, spec, c).name} is corrupt (checksum); recomputing",
                              RuntimeWarning, stacklevel=2)
            elif got is not None:
                results[c.index] = got
    todo = [c for c in calls if c.index not in results]
    pieces = {c.index: slices(c, split_reps) for c in todo}
    tasks = [(c, *((None, None) if len(pieces[c.index]) == 1 else ab)) for c in todo for ab in pieces[c.index]]
    parts: dict[int, dict] = {}
    bar = progress_bar(len(calls), f"{spec.name} cells", progress)
    bar.update(len(calls) - len(todo))
    failures: dict[int, tuple] = {}

    def finish(task, leaves):
        call, start, _ = task
        if start is not None:  # one slice of a cut cell: the cell is done when all its slices are
            got = parts.setdefault(call.index, {})
            got[start] = leaves
            if len(got) < len(pieces[call.index]):
                return
            ordered = [got[a] for a in sorted(got)]
            leaves = [np.concatenate([p[i] for p in ordered], axis=0) for i in range(len(ordered[0]))]
        results[call.index] = leaves
        if cache is not None:
            _cache_store(_cache_path(cache, spec, call), leaves)
        bar.update(1)

    def label(task):
        call, start, stop = task
        return call.desc if start is None else f"{call.desc} [replications {start}:{stop}]"

    try:
        if executor is None:
            for task in tasks:
                c = task[0]
                for attempt in range(retries + 1):
                    try:
                        piece = () if task[1] is None else task[1:]
                        finish(task, _worker(spec, c.index, c.signature, *piece))
                        break
                    except Exception as err:  # noqa: BLE001 - reported with the cell's parameters
                        if attempt == retries:
                            failures[c.index] = (label(task), f"{type(err).__name__}: {err}")
        elif todo:
            ex, owned = _make_executor(executor, workers)
            try:
                pending = {}  # future -> (task, attempt, started)
                for task in tasks:
                    pending[_submit(ex, spec, task)] = (task, 0, time.monotonic())
                while pending:
                    time.sleep(0.05)
                    restart = False
                    for fut in [f for f in pending if f.done() or (timeout is not None and
                                                                     time.monotonic() - pending[f][2] > timeout)]:
                        task, attempt, _ = pending.pop(fut)
                        if fut.done():
                            try:
                                finish(task, fut.result())
                                continue
                            except Exception as err:  # noqa: BLE001
                                error = f"{type(err).__name__}: {err}"
                                restart |= isinstance(err, cf.process.BrokenProcessPool)
                        else:
                            fut.cancel()
                            error = f"timed out after {timeout} s"
                            restart = True
                        if attempt < retries:
                            pending[_submit(ex, spec, task) if not restart else object()] = (task, attempt + 1,
                                                                                             time.monotonic())
                        else:
                            failures[task[0].index] = (label(task), error)
                    if restart and owned and isinstance(ex, cf.ProcessPoolExecutor):
                        # A hung or crashed worker cannot be stopped alone: stop the pool, start a
                        # new one and resubmit every unfinished cell (finished ones are kept).
                        again = list(pending.values())
                        _close(ex)
                        ex, _ = _make_executor(executor, workers)
                        pending = {_submit(ex, spec, t): (t, attempt, time.monotonic()) for t, attempt, _ in again}
                    elif restart:
                        # Not our pool: resubmit the placeholders on the same executor.
                        pending = {(_submit(ex, spec, v[0]) if not hasattr(f, "done") else f): v
                                   for f, v in pending.items()}
            finally:
                if owned:
                    _close(ex)
    finally:
        bar.close()
    if failures:
        raise CellError(failures, len(calls))
    ordered = [jax.tree_util.tree_unflatten(c.structure, results[c.index]) for c in calls]
    with x64(spec.dtype == "float64"):
        return replay(_bound_run(spec), calls, ordered)

