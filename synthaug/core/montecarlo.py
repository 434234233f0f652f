r"""Vectorised Monte Carlo engine and simulation summaries.

:func:`run_replications` evaluates a replication function ``fn(key) -> pytree``
for ``reps`` independent keys (``jax.random.split(key, reps)``). Replications are
``vmap``-ped and processed in chunks of ``batch_size`` under one ``jit``, which
bounds memory at ``batch_size`` replications and drives a progress bar over
chunks. The last chunk is padded with repeated keys (and the padding dropped) so
that every chunk has the same shape and compiles once. Replication ``r`` always
gets the ``r``-th split key, so results do not depend on ``batch_size``.

Several devices: with ``devices=`` (or inside :func:`use_devices`, which is how
:func:`synthaug.run_design` passes ``devices=`` to every design), each chunk's
replication axis is laid out over a one-dimensional :class:`jax.sharding.Mesh` (axis
``"reps"``) and every device runs the vmapped function on its own slice
(:func:`jax.shard_map`: no communication between devices). Chunks are rounded up
to a multiple of the device count, padded with repeated keys and the padding
dropped, so the records are the same whatever the device count (up to the
floating-point reassociation of a different vector width; see
``tests/core/test_sharding.py`` for the measured difference). Several CPU devices
need :func:`synthaug.config.cpu_devices` before the first JAX computation; several
hosts need :func:`jax.distributed.initialize` in every process first, after which
``devices="all"`` means every device of every process.

Summaries follow simulation-study practice (Morris, White & Crowther 2019):
every mean comes with its Monte Carlo standard error
:math:`\mathrm{MCSE} = s/\sqrt{R}`, and rates are log–log slopes fitted by least
squares (statsmodels) with confidence intervals.
"""

from __future__ import annotations

import contextlib
import contextvars
import weakref
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.validation import check_int

__all__ = ["run_replications", "run_replication_slice", "chunk_size", "resolve_devices", "use_devices",
           "mean_mcse", "SlopeFit", "loglog_slope", "progress_bar", "sequential_under_vmap"]


def progress_bar(total: int, desc: str, enabled: bool = True):
    """A transient tqdm bar of ``total`` steps (disabled when ``enabled`` is false): the one used by
    the staged entry points (:func:`~synthaug.diagnosis.diagnose`, the bias-correction cross-validation)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, leave=False)


_COMPILED = weakref.WeakKeyDictionary()

#: The devices of an enclosing :func:`use_devices` block (``None``: one device).
_DEVICES: contextvars.ContextVar = contextvars.ContextVar("synthaug_devices", default=None)


def resolve_devices(devices) -> tuple:
    """The tuple of devices meant by ``devices`` (the ``devices=`` argument of :func:`run_replications`).

    Parameters
    ----------
    devices : None, int, "all", sequence of jax.Device or jax.sharding.Mesh
        ``None`` or ``1``: the first device of the default backend (no sharding);
        an int ``N``: the first ``N`` devices of :func:`jax.devices`; ``"all"``: all of
        them (on several hosts after :func:`jax.distributed.initialize`, every device of
        every process); a sequence of devices; a one-dimensional mesh (its devices in order).

    Returns
    -------
    tuple of jax.Device

    Raises
    ------
    ValueError
        For an unknown value, ``N < 1``, or more devices than there are (the message says
        how to get several CPU devices).

    Examples
    --------
    >>> from synthaug.core.montecarlo import resolve_devices
    >>> len(resolve_devices(1))
    1
    """
    from jax.sharding import Mesh

    if devices is None:
        return (jax.devices()[0],)
    if isinstance(devices, Mesh):
        if devices.devices.ndim != 1:
            raise ValueError(f"devices: a mesh must be one-dimensional, got axes {devices.axis_names}")
        return tuple(devices.devices.tolist())
    if isinstance(devices, str):
        if devices != "all":
            raise ValueError(f"devices must be an int, 'all', a sequence of devices or a mesh; got {devices!r}")
        return tuple(jax.devices())
    if isinstance(devices, (int, np.integer)) and not isinstance(devices, bool):
        n = int(devices)
        available = jax.devices()
        if n < 1:
            raise ValueError(f"devices must be at least 1, got {n}")
        if n > len(available):
            hint = (" (for several CPU devices call synthaug.config.cpu_devices(N) before the first JAX "
                    "computation)" if available[0].platform == "cpu" else "")
            raise ValueError(f"devices={n} but only {len(available)} {available[0].platform} device(s) exist{hint}")
        return tuple(available[:n])
    try:
        out = tuple(devices)
    except TypeError:
        raise ValueError(f"devices must be an int, 'all', a sequence of devices or a mesh; got {devices!r}") from None
    if not out or not all(isinstance(d, jax.Device) for d in out):
        raise ValueError("devices: a sequence must hold at least one jax.Device and nothing else")
    return out


@contextlib.contextmanager
def use_devices(devices):
    """Run every :func:`run_replications` call inside the block on ``devices`` (see :func:`resolve_devices`).

    Parameters
    ----------
    devices : None, int, "all", sequence of jax.Device or jax.sharding.Mesh
        As for :func:`run_replications`; checked on entry.

    Examples
    --------
    >>> import jax
    >>> from synthaug.core.montecarlo import run_replications, use_devices
    >>> with use_devices(1):
    ...     out = run_replications(lambda k: jax.random.normal(k), jax.random.key(0), 8, progress=False)
    >>> out.shape
    (8,)
    """
    token = _DEVICES.set(resolve_devices(devices))
    try:
        yield
    finally:
        _DEVICES.reset(token)


def _mesh(devices: tuple):
    from jax.sharding import Mesh

    return Mesh(np.array(devices), ("reps",))


def _sharded(fn, mesh):
    """``jit`` of the ``shard_map`` of ``vmap(fn)`` over the replication axis of ``mesh``."""
    from jax.sharding import PartitionSpec

    # check_vma=False: a replication function is written for one device (its loop carries
    # start as constants); the slices are independent, so there is nothing to check.
    return jax.jit(jax.shard_map(jax.vmap(fn), mesh=mesh, in_specs=PartitionSpec("reps"),
                                 out_specs=PartitionSpec("reps"), check_vma=False))


def _stack(outs, n: int):
    """The chunks' pytrees concatenated along the replication axis, cut to ``n`` rows (the padding dropped)."""
    return jax.tree_util.tree_map(lambda *xs: np.concatenate(xs, axis=0)[:n], *outs)


def _batched(fn, devices: tuple = ()):
    """``jit(vmap(fn))`` (over several devices: of its shard_map), cached per function object and devices."""
    try:
        return _COMPILED[fn][devices]
    except (KeyError, TypeError):
        pass
    out = _sharded(fn, _mesh(devices)) if len(devices) > 1 else jax.jit(jax.vmap(fn))
    try:
        _COMPILED.setdefault(fn, {})[devices] = out
    except TypeError:
        pass
    return out


def _spans_processes(devices: tuple) -> bool:
    """Whether ``devices`` include devices of other processes (a :func:`jax.distributed.initialize` run)."""
    me = jax.process_index()
    return any(getattr(d, "process_index", me) != me for d in devices)


def _global_batched(fn, devices: tuple, impl):
    """``(call, sharding)`` for a mesh that spans processes: ``call`` takes the keys' raw data as a global array.

    In a multi-process run every process calls the same program on a global array (its
    shards live on the devices of every process); the keys travel as their ``uint32`` data
    (``jax.random.key_data``) and are wrapped again inside, with the same PRNG implementation.
    """
    from jax.sharding import NamedSharding, PartitionSpec

    tag = ("global", devices, str(impl))
    try:
        return _COMPILED[fn][tag]
    except (KeyError, TypeError):
        pass
    mesh = _mesh(devices)

    def one(data):
        return fn(data if impl is None else jax.random.wrap_key_data(data, impl=impl))

    out = (_sharded(one, mesh), NamedSharding(mesh, PartitionSpec("reps")))
    try:
        _COMPILED.setdefault(fn, {})[tag] = out
    except TypeError:
        pass
    return out


def _run_global_chunks(fn, keys, devices: tuple, bs: int, chunks):
    """The chunks of :func:`run_replications` over devices of several processes, gathered in every process."""
    from jax.experimental import multihost_utils

    typed = jax.dtypes.issubdtype(keys.dtype, jax.dtypes.prng_key)
    impl = jax.random.key_impl(keys) if typed else None
    data = np.asarray(jax.random.key_data(keys) if typed else keys)
    call, sharding = _global_batched(fn, devices, impl)
    outs = []
    for c in chunks:
        block = data[c * bs : (c + 1) * bs]
        arg = jax.make_array_from_callback(block.shape, sharding, lambda index, block=block: block[index])
        outs.append(multihost_utils.process_allgather(call(arg), tiled=True))
    return outs


def chunk_size(reps: int, batch_size=None, n_devices: int = 1) -> int:
    """Replications per chunk of :func:`run_replications`: ``batch_size`` (all when None), at most ``reps``,
    rounded up to a multiple of the device count."""
    bs = reps if batch_size is None else max(1, min(int(batch_size), reps))
    return -(-bs // n_devices) * n_devices


def _padded_keys(key, reps: int, bs: int):
    """The ``reps`` split keys, padded with the last one to a whole number of chunks; and that number."""
    keys = jax.random.split(key, reps)
    n_chunks = -(-reps // bs)
    pad = n_chunks * bs - reps
    if pad:
        keys = jnp.concatenate([keys, jnp.repeat(keys[-1:], pad, axis=0)])
    return keys, n_chunks


def run_replication_slice(fn: Callable, key, reps: int, start: int, stop: int, *, batch_size=None):
    """Replications ``start`` to ``stop - 1`` of ``run_replications(fn, key, reps, batch_size=batch_size)``.

    The slice is computed chunk by chunk as the whole run computes it (the same keys in the
    same chunks of the same shape, on one device), so its rows are **bit-identical** to those
    rows of the whole run; this is how :mod:`synthaug.parallel` splits one large cell over
    several workers. ``start`` must be a chunk boundary (a multiple of the chunk size, see
    :func:`chunk_size`) and ``stop`` a chunk boundary or ``reps``.

    Examples
    --------
    >>> import jax, numpy as np
    >>> from synthaug.core.montecarlo import run_replication_slice, run_replications
    >>> fn = lambda k: jax.random.normal(k, (2,))
    >>> whole = run_replications(fn, jax.random.key(0), 10, batch_size=4, progress=False)
    >>> part = run_replication_slice(fn, jax.random.key(0), 10, 4, 10, batch_size=4)
    >>> bool(np.array_equal(part, whole[4:]))
    True
    """
    reps = check_int(reps, "reps", 1)
    bs = chunk_size(reps, batch_size)
    if isinstance(start, bool) or isinstance(stop, bool) or not 0 <= start < stop <= reps:
        raise ValueError(f"need 0 <= start < stop <= reps={reps}; got start={start!r}, stop={stop!r}")
    if start % bs or (stop % bs and stop != reps):
        raise ValueError(f"start={start} and stop={stop} must be chunk boundaries (multiples of {bs}) or reps")
    keys, _ = _padded_keys(key, reps, bs)
    batched = _batched(fn, ())
    outs = [jax.device_get(batched(keys[c * bs : (c + 1) * bs])) for c in range(start // bs, -(-stop // bs))]
    return _stack(outs, stop - start)


def run_replications(
    fn: Callable,
    key,
    reps: int,
    *,
    batch_size: int | None = None,
    progress: bool = True,
    desc: str | None = None,
    devices=None,
):
    """Run ``fn(key)`` for ``reps`` split keys; returns the stacked pytree (leading axis ``reps``) as NumPy.

    Parameters
    ----------
    fn
        pure function of one PRNG key returning a pytree of arrays.
    key
        a PRNG key.
    reps
        number of replications (≥ 1).
    batch_size
        replications per chunk (memory bound); default all at once.
    progress
        show a tqdm progress bar over chunks.
    desc
        progress-bar label.
    devices
        where to run: ``None`` (default) uses the devices of an enclosing
        :func:`use_devices` block, else one device; an int, ``"all"``, a sequence of
        devices or a 1-D mesh lays each chunk's replications out over those devices
        (:func:`resolve_devices`). The chunk size is rounded up to a multiple of the
        device count; replication ``r`` still gets the ``r``-th split key. Devices of
        several processes (after :func:`synthaug.config.distributed`) are used the same
        way: every process must make the same call, and every process gets the whole
        stacked result.

    Examples
    --------
    >>> import jax
    >>> from synthaug.core.montecarlo import mean_mcse, run_replications
    >>> draws = run_replications(lambda k: jax.random.normal(k, (2,)), jax.random.key(0), 500,
    ...                          batch_size=100, progress=False)
    >>> draws.shape
    (500, 2)
    >>> mean, mcse = mean_mcse(draws)
    >>> bool(abs(mean[0]) < 4 * mcse[0])
    True
    """
    reps = check_int(reps, "reps", 1)
    from synthaug.core.cells import intercept

    planned = intercept(fn, key, reps, batch_size, desc)  # inside cells.plan / cells.replay only
    if planned is not NotImplemented:
        return planned
    devs = _DEVICES.get() if devices is None else resolve_devices(devices)
    devs = devs if devs is not None and len(devs) > 1 else ()
    bs = chunk_size(reps, batch_size, len(devs) or 1)
    keys, n_chunks = _padded_keys(key, reps, bs)
    multi_process = bool(devs) and _spans_processes(devs)
    chunks = range(n_chunks)
    if progress:
        from tqdm.auto import tqdm

        chunks = tqdm(chunks, desc=desc or "replications", unit="chunk", leave=False, total=n_chunks)
    if multi_process:
        return _stack(_run_global_chunks(fn, keys, devs, bs, chunks), reps)
    batched = _batched(fn, devs)
    return _stack([jax.device_get(batched(keys[c * bs : (c + 1) * bs])) for c in chunks], reps)


def mean_mcse(x, axis: int = 0):
    """Mean and Monte Carlo standard error ``sd/sqrt(R)`` along ``axis`` (NaNs dropped per cell).

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import mean_mcse
    >>> mean, se = mean_mcse(np.array([1.0, 2.0, 3.0, np.nan, 6.0]))  # the NaN is dropped
    >>> float(mean), round(float(se), 4)
    (3.0, 1.0801)
    """
    x = np.asarray(x, float)
    count = np.sum(np.isfinite(x), axis=axis)
    import warnings

    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells give NaN, on purpose
        mean = np.nanmean(x, axis=axis) if x.size else np.nan
        sd = np.nanstd(x, axis=axis, ddof=1)
        mcse = sd / np.sqrt(count)
    return mean, mcse


class SlopeFit(NamedTuple):
    """Least-squares fit of ``log y = c + slope · log x`` with a confidence interval."""

    estimate: float
    ci_low: float
    ci_high: float
    intercept: float
    n_points: int


def loglog_slope(x, y, alpha: float = 0.05) -> SlopeFit:
    """Log–log slope of ``y`` against ``x`` by OLS (statsmodels), with a (1 − alpha) CI.

    Non-positive or non-finite points are dropped; fewer than 3 points gives NaNs.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import loglog_slope
    >>> n = np.array([100.0, 200.0, 400.0, 800.0])
    >>> fit = loglog_slope(n, 3.0 / n)  # excess risk decaying as 1/n
    >>> print(round(fit.estimate, 3), fit.n_points)
    -1.0 4
    """
    import statsmodels.api as sm

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    if ok.sum() < 3:
        return SlopeFit(np.nan, np.nan, np.nan, np.nan, int(ok.sum()))
    X = sm.add_constant(np.log(x[ok]))
    res = sm.OLS(np.log(y[ok]), X).fit()
    lo, hi = res.conf_int(alpha)[1]
    return SlopeFit(float(res.params[1]), float(lo), float(hi), float(res.params[0]), int(ok.sum()))


def sequential_under_vmap(fn):
    """``fn`` whose ``vmap`` runs the replications one after another (``lax.map``), not batched.

    Under ``vmap`` a ``lax.while_loop`` runs every batch member until the slowest one has
    converged, and the batched Newton iterations stream all replications' design matrices
    through the cache at each step. Mapping sequentially keeps one replication's rows in
    cache and lets each fit stop at its own convergence; the values are those of the
    unbatched ``fn`` (identical keys, identical results up to rounding). Measured on the
    ``logistic-symmetry`` design: 1.2x faster fits than ``vmap`` at the same keys; ``vmap`` over groups of 2 or 4
    replications inside the map was slower (0.7x, 0.4x).

    Parameters
    ----------
    fn : callable
        a function of one PRNG key returning a pytree of arrays.

    Returns
    -------
    callable
        ``fn`` itself when called directly; under ``jax.vmap`` (as in
        :func:`synthaug.core.montecarlo.run_replications`) ``lax.map(fn, keys)``.
    """
    mapped = jax.custom_batching.custom_vmap(fn)

    @mapped.def_vmap
    def _rule(axis_size, in_batched, key):
        out = jax.lax.map(fn, key) if in_batched[0] else fn(key)
        return out, jax.tree_util.tree_map(lambda _: bool(in_batched[0]), out)

    return mapped
