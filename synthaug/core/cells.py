r"""Cells of a Monte Carlo run: plan the :func:`~synthaug.core.montecarlo.run_replications` calls, replay their results.

A design's ``run`` function calls :func:`~synthaug.core.montecarlo.run_replications`
once per *cell* (one static shape, one compilation: a generator at one class size, one
dimension, ...) and turns the stacked replications into records. That makes every
design splittable without changing it:

1. **plan** (:func:`plan`): run the design with ``run_replications`` answering each
   call with zeros of the right shapes (:func:`jax.eval_shape`: traced, never compiled
   or run) while recording the call: its function, key, replication count and chunk
   size. The records computed from the zeros are discarded.
2. **compute** each recorded cell anywhere (:func:`compute`): another process, a Dask
   worker, later from a cache. A worker finds its cell by planning the same run and
   picking the cell by index.
3. **replay** (:func:`replay`): run the design again with ``run_replications``
   answering each call with the computed result of that cell, after checking that the
   call is the one planned (same index, replication count, key and description);
   the design's own code builds the records exactly as in a single-process run.

The plan is valid when the sequence of cells does not depend on the values of earlier
cells (true of every design in :data:`synthaug.designs.DESIGNS`; :func:`replay` raises
if a call differs from the plan).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import hashlib
import warnings
from typing import Any, Callable

import numpy as np

__all__ = ["CellCall", "plan", "replay", "compute", "slices", "intercept"]

_MODE: contextvars.ContextVar = contextvars.ContextVar("synthaug_cell_mode", default=None)


@dataclasses.dataclass
class CellCall:
    """One recorded :func:`~synthaug.core.montecarlo.run_replications` call.

    Attributes
    ----------
    index : int
        Position of the call in the run (0, 1, ...).
    fn : callable
        The replication function (not picklable in general: a worker re-plans to get it).
    key : jax.Array
        The call's PRNG key.
    reps : int
        Replications.
    batch_size : int or None
        Chunk size asked for by the design.
    desc : str or None
        The progress-bar label (names the cell for messages).
    signature : str
        Hash of (index, reps, key data, desc): what :func:`replay` checks.
    structure : jax.tree_util.PyTreeDef
        The tree structure of the call's result (leaves: arrays with a leading ``reps`` axis).
    """

    index: int
    fn: Callable
    key: Any
    reps: int
    batch_size: int | None
    desc: str | None
    signature: str
    structure: Any = None


def _key_bytes(key) -> bytes:
    import jax

    if jax.dtypes.issubdtype(getattr(key, "dtype", None), jax.dtypes.prng_key):
        key = jax.random.key_data(key)
    return np.asarray(key).tobytes()


def _signature(index: int, reps: int, key, desc) -> str:
    h = hashlib.sha256(f"{index}|{reps}|{desc}|".encode())
    h.update(_key_bytes(key))
    return h.hexdigest()[:20]


class _Planner:
    def __init__(self):
        self.calls: list[CellCall] = []

    def __call__(self, fn, key, reps, batch_size, desc):
        import jax

        i = len(self.calls)
        shapes = jax.eval_shape(jax.vmap(fn), jax.random.split(key, reps))
        self.calls.append(CellCall(i, fn, key, reps, batch_size, desc, _signature(i, reps, key, desc),
                                   jax.tree_util.tree_structure(shapes)))
        return jax.tree_util.tree_map(lambda s: np.zeros(s.shape, s.dtype), shapes)


class _Replayer:
    def __init__(self, calls_or_signatures, results):
        self.signatures = [c.signature if isinstance(c, CellCall) else c for c in calls_or_signatures]
        self.results = list(results)
        self.i = 0

    def __call__(self, fn, key, reps, batch_size, desc):
        i = self.i
        if i >= len(self.signatures):
            raise RuntimeError(f"replay: the run made more run_replications calls than the {len(self.signatures)} "
                               "planned (its cells depend on earlier results; run it in-process)")
        if _signature(i, reps, key, desc) != self.signatures[i]:
            raise RuntimeError(f"replay: call {i} ({desc!r}, {reps} replications) is not the planned one (the "
                               "run's cells depend on earlier results; run it in-process)")
        self.i += 1
        return self.results[i]


def intercept(fn, key, reps, batch_size, desc):
    """The active plan/replay handler's answer to a ``run_replications`` call, or ``NotImplemented``.

    Called by :func:`~synthaug.core.montecarlo.run_replications` first thing; outside
    :func:`plan` and :func:`replay` it returns ``NotImplemented`` and the call runs normally.
    """
    handler = _MODE.get()
    if handler is None:
        return NotImplemented
    return handler(fn, key, reps, batch_size, desc)


@contextlib.contextmanager
def _mode(handler):
    token = _MODE.set(handler)
    try:
        yield handler
    finally:
        _MODE.reset(token)


def plan(run: Callable[[], Any]) -> list[CellCall]:
    """The cells of ``run()``: its ``run_replications`` calls, recorded without computing them.

    Parameters
    ----------
    run : callable
        A function of no argument that runs the whole computation (e.g. a design's ``run``
        with its arguments bound).

    Returns
    -------
    list of CellCall
        In call order.

    Examples
    --------
    >>> import jax
    >>> from synthaug.core.cells import compute, plan, replay
    >>> from synthaug.core.montecarlo import run_replications
    >>> def run():
    ...     a = run_replications(lambda k: jax.random.normal(k), jax.random.key(0), 4, progress=False)
    ...     b = run_replications(lambda k: jax.random.uniform(k), jax.random.key(1), 3, progress=False)
    ...     return float(a.sum() + b.sum())
    >>> cells = plan(run)
    >>> [c.reps for c in cells]
    [4, 3]
    >>> replay(run, cells, [compute(c) for c in cells]) == run()
    True
    """
    planner = _Planner()
    with _mode(planner), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # the records built from zeros are discarded
        run()
    return planner.calls


def replay(run: Callable[[], Any], calls, results):
    """``run()`` with each ``run_replications`` call answered by the matching entry of ``results``.

    Parameters
    ----------
    run : callable
        The same function that was planned.
    calls : sequence of CellCall or str
        The planned cells (or their signatures).
    results : sequence
        ``compute(calls[i])`` (or the same values from another process or a cache).

    Returns
    -------
    object
        What ``run()`` returns.

    Raises
    ------
    RuntimeError
        If a call differs from the plan or the run makes more calls than planned.
    """
    if len(calls) != len(results):
        raise ValueError(f"replay: {len(calls)} cells but {len(results)} results")
    with _mode(_Replayer(calls, results)) as rep:
        out = run()
    if rep.i != len(rep.signatures):
        raise RuntimeError(f"replay: the run made {rep.i} run_replications calls, {len(rep.signatures)} were planned")
    return out


def compute(call: CellCall, *, progress: bool = False, start: int | None = None, stop: int | None = None):
    """Run one planned cell (in this process, on its default devices); returns the stacked NumPy pytree.

    With ``start``/``stop``, only those replications of the cell
    (:func:`~synthaug.core.montecarlo.run_replication_slice`: chunk boundaries, rows
    bit-identical to the whole cell's)."""
    from synthaug.core.montecarlo import run_replication_slice, run_replications

    if start is not None:
        return run_replication_slice(call.fn, call.key, call.reps, start, stop, batch_size=call.batch_size)
    return run_replications(call.fn, call.key, call.reps, batch_size=call.batch_size, progress=progress,
                            desc=call.desc)


def slices(call: CellCall, max_reps: int | None) -> list[tuple[int, int]]:
    """``[(start, stop), ...]``: the cell cut at its chunk boundaries into pieces of at most ``max_reps``
    replications (at least one chunk each); ``[(0, reps)]`` when ``max_reps`` is None."""
    from synthaug.core.montecarlo import chunk_size

    if max_reps is None:
        return [(0, call.reps)]
    bs = chunk_size(call.reps, call.batch_size)
    step = max(1, int(max_reps) // bs) * bs
    return [(a, min(a + step, call.reps)) for a in range(0, call.reps, step)]
