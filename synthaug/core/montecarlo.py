r"""Vectorised Monte Carlo engine and simulation summaries.

:func:`run_replications` evaluates a replication function ``fn(key) -> pytree``
for ``reps`` independent keys (``jax.random.split(key, reps)``). Replications are
``vmap``-ped and processed in chunks of ``batch_size`` under one ``jit``, which
bounds memory at ``batch_size`` replications and drives a progress bar over
chunks. The last chunk is padded with repeated keys (and the padding dropped) so
that every chunk has the same shape and compiles once. Replication ``r`` always
gets the ``r``-th split key, so results do not depend on ``batch_size``.

Summaries follow simulation-study practice (Morris, White & Crowther 2019):
every mean comes with its Monte Carlo standard error
:math:`\mathrm{MCSE} = s/\sqrt{R}`, and rates are log–log slopes fitted by least
squares (statsmodels) with confidence intervals.
"""

from __future__ import annotations

import weakref
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.validation import check_int

__all__ = ["run_replications", "mean_mcse", "SlopeFit", "loglog_slope", "progress_bar"]


def progress_bar(total: int, desc: str, enabled: bool = True):
    """A transient tqdm bar of ``total`` steps (disabled when ``enabled`` is false): the one used by
    the staged entry points (:func:`~synthaug.diagnosis.diagnose`, the bias-correction cross-validation)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, leave=False)


_COMPILED = weakref.WeakKeyDictionary()


def _batched(fn):
    """``jit(vmap(fn))``, cached per function object so repeated runs reuse the compiled program."""
    try:
        return _COMPILED[fn]
    except (KeyError, TypeError):
        pass
    out = jax.jit(jax.vmap(fn))
    try:
        _COMPILED[fn] = out
    except TypeError:
        pass
    return out


def run_replications(
    fn: Callable,
    key,
    reps: int,
    *,
    batch_size: int | None = None,
    progress: bool = True,
    desc: str | None = None,
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
    """
    reps = check_int(reps, "reps", 1)
    bs = reps if batch_size is None else max(1, min(int(batch_size), reps))
    keys = jax.random.split(key, reps)
    n_chunks = -(-reps // bs)
    pad = n_chunks * bs - reps
    if pad:
        keys = jnp.concatenate([keys, jnp.repeat(keys[-1:], pad, axis=0)])
    batched = _batched(fn)
    chunks = range(n_chunks)
    if progress:
        from tqdm.auto import tqdm

        chunks = tqdm(chunks, desc=desc or "replications", unit="chunk", leave=False, total=n_chunks)
    outs = [jax.device_get(batched(keys[c * bs : (c + 1) * bs])) for c in chunks]
    return jax.tree_util.tree_map(lambda *xs: np.concatenate(xs, axis=0)[:reps], *outs)


def mean_mcse(x, axis: int = 0):
    """Mean and Monte Carlo standard error ``sd/sqrt(R)`` along ``axis`` (NaNs dropped per cell)."""
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
