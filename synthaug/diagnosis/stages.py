"""The jitted stages of :func:`~synthaug.diagnosis.diagnose` and :func:`~synthaug.diagnosis.select_size`.

Each stage is one ``jax.jit`` program with the model and the generator as static
arguments (Ma & Zhang, arXiv 2601.16120, §2–4):

* :func:`stage_diagnostics` — balanced pilot, local-symmetry Wald test, cross-fitted
  mismatch, alignment, theory size and GQS, in one program;
* :func:`stage_cv` — one repeat of the stratified K-fold cross-validation of every
  candidate synthetic size;
* :func:`stage_refit_pool` — the refit on all rows plus a synthetic pool.

The first two use :func:`~synthaug.core.folds.stratified_folds` with
``holdout_remainder=True``: every real row is held out in exactly one fold, also when K
does not divide a class size (the paper's cross-fitting); folds of different sizes run
as up to three vmapped groups of exact shapes inside the stage's one program.

The sizes that change from one call to the next are bucketed
(:mod:`synthaug.core.buckets`): the synthetic pool has :func:`~synthaug.core.buckets.bucket`
rows (the unused ones get weight 0) and the candidate vector is padded to a multiple of
8 with its first entry, so nearby sizes share one compilation for data of one shape.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.buckets import bucket, round_up
from synthaug.core.folds import stratified_folds
from synthaug.diagnosis.alignment import alignment, crossfit_mismatch, generator_quality_score, theory_size_from
from synthaug.diagnosis.symmetry import pilot_fit, symmetry_test
from synthaug.diagnosis.vtss import cv_losses

__all__ = ["stage_keys", "stage_prepare", "stage_diagnostics", "stage_cv", "stage_refit_pool", "stage_refit",
           "pad_candidates", "run_cv", "check_stage_finite"]


@partial(jax.jit, static_argnames=("repeats",))
def stage_keys(seed, repeats: int):
    """Every key of a diagnosis from the seed, in one program (instead of one small program per split).

    Returns ``(k_diag, k_cv_repeats, k_refit, k_fidelity)``: ``split(key(seed), 3)``, the
    cross-validation keys of the repeats (a tuple: ``fold_in(k_cv, r)`` for ``r < repeats``)
    and ``fold_in(key(seed), 7)``; the same keys as those calls made one by one.
    """
    key = jax.random.key(seed)
    k_diag, k_cv, k_refit = jax.random.split(key, 3)
    cv = tuple(jax.random.fold_in(k_cv, r) for r in range(repeats))
    return k_diag, cv, k_refit, jax.random.fold_in(key, 7)


@partial(jax.jit, static_argnames=("model",))
def stage_prepare(model, key, X0, X1):
    """The model's auxiliary state on all rows (``model.prepare``) as one program."""
    return model.prepare(key, jnp.concatenate([X0, X1]))


@partial(jax.jit, static_argnames=("model", "generator", "crossfit_folds"))
def stage_diagnostics(model, generator, key, X0, X1, crossfit_folds):
    """Pilot, symmetry test, cross-fitted mismatch, alignment, theory size and GQS.

    Parameters
    ----------
    model : Model
        A model of :mod:`synthaug.models` (static).
    generator : Generator
        A generator of :mod:`synthaug.generators` (static).
    key : jax.Array
        PRNG key.
    X0, X1 : jax.Array of shape (n0, d) and (n1, d)
        Majority and minority rows.
    crossfit_folds : int
        Folds of the cross-fitted mismatch (static).

    Returns
    -------
    tuple
        ``(aux, test, mismatch, cos, rho, denominator, theory, gqs, separable)``: the
        model's auxiliary state, the :class:`~synthaug.diagnosis.symmetry.SymmetryTest`,
        the :class:`~synthaug.diagnosis.alignment.Mismatch`, the alignment, the theory
        size, the GQS and whether the pilot separates the classes.
    """
    k_aux, k_pilot, k_folds, k_cf = jax.random.split(key, 4)
    aux = model.prepare(k_aux, jnp.concatenate([X0, X1]))
    params = pilot_fit(model, aux, k_pilot, X0, X1)
    test = symmetry_test(model, aux, params, X0, X1)
    folds = stratified_folds(k_folds, X0.shape[0], X1.shape[0], crossfit_folds, holdout_remainder=True)
    mm = crossfit_mismatch(model, aux, generator, k_cf, X0, X1, folds)
    cos, rho, denom = alignment(test.g_phi, mm.g_psi)
    gap = X0.shape[0] - X1.shape[0]
    theory = theory_size_from(gap, denom)
    gqs = generator_quality_score(X0.shape[0], X1.shape[0], mm)
    separable = jnp.all(model.decision(aux, params, X0) < 0) & jnp.all(model.decision(aux, params, X1) > 0)
    return aux, test, mm, cos, rho, denom, theory, gqs, separable


@partial(jax.jit, static_argnames=("model", "generator", "folds", "pool_size"))
def stage_cv(model, generator, key, X0, X1, aux, candidates, folds, pool_size):
    """Cross-validated balanced losses, shape (folds, len(candidates)), of one repeat, and the finiteness flag.

    ``candidates`` (traced) are synthetic sizes of at most ``pool_size`` (static) rows;
    see :func:`synthaug.diagnosis.vtss.cv_losses`. Returns ``(losses, finite)``:
    ``finite`` is True when every synthetic row the stage drew was finite.
    """
    k_folds, k_cv = jax.random.split(key)
    f = stratified_folds(k_folds, X0.shape[0], X1.shape[0], folds, holdout_remainder=True)
    return cv_losses(model, aux, generator, k_cv, X0, X1, candidates, f, pool_size, with_flag=True)


def check_stage_finite(finite, generator, stage: str) -> None:
    """Host side of a stage's finiteness flag: refuse non-finite synthetic rows with a clear error.

    Raises
    ------
    ValueError
        Naming the generator and the stage, when ``finite`` is False.
    """
    if not bool(finite):
        raise ValueError(
            f"generator {getattr(generator, 'name', generator)!r} returned NaN or infinite rows in the {stage} "
            "stage; the data may be badly scaled (standardise them) or a generator parameter (a learning rate, "
            "a bandwidth) too large")


@partial(jax.jit, static_argnames=("model", "generator", "pool_size"))
def stage_refit_pool(model, generator, key, X0, X1, aux, size, pool_size):
    """Refit on all rows plus the first ``size`` (traced) of ``pool_size`` (static) synthetic rows.

    Returns
    -------
    tuple
        ``(params, pool)``: the fitted parameters and the whole synthetic pool
        (rows from ``size`` on carry weight 0 in the fit).
    """
    kg, kf = jax.random.split(key)
    pool = generator(kg, X1, pool_size, X_majority=X0)
    X = jnp.concatenate([X0, X1, pool])
    y = jnp.concatenate([jnp.zeros(X0.shape[0]), jnp.ones(X1.shape[0] + pool_size)])
    w = jnp.concatenate([jnp.ones(X0.shape[0] + X1.shape[0]), (jnp.arange(pool_size) < size).astype(X.dtype)])
    return model.fit(aux, kf, X, y, w), pool


def pad_candidates(cands) -> np.ndarray:
    """Pad a candidate vector to a multiple of 8 with its first entry (the arg-min is unchanged; NumPy, no program)."""
    c = np.asarray(cands).astype(int)
    return np.concatenate([c, np.full(round_up(c.size, 8) - c.size, c[0] if c.size else 0, int)])


def stage_refit(model, generator, key, X0, X1, aux, size: int):
    """Refit on all rows plus ``size`` fresh synthetic rows; returns ``(params, synthetic rows)``."""
    params, pool = stage_refit_pool(model, generator, key, X0, X1, aux, np.asarray(size), bucket(size))
    return params, np.asarray(pool)[:size]


def run_cv(model, generator, key, X0, X1, aux, cands, folds: int, repeats: int, bar=None,
           repeat_keys=None) -> np.ndarray:
    """Losses of the sizes ``cands``, shape (repeats * folds, len(cands)); repeat ``r`` uses ``fold_in(key, r)``.

    ``bar`` (optional) is a progress bar, advanced by one per repeat; ``repeat_keys``
    (optional, a sequence of ``repeats`` keys) are those keys computed beforehand
    (:func:`stage_keys`), and ``key`` is then unused.
    """
    losses = []
    padded = pad_candidates(cands)  # NumPy: jit transfers it, no eager program
    for r in range(repeats):
        k = jax.random.fold_in(key, r) if repeat_keys is None else repeat_keys[r]
        L, finite = stage_cv(model, generator, k, X0, X1, aux, padded, folds, bucket(int(max(cands))))
        check_stage_finite(finite, generator, "cross-validation")
        losses.append(np.asarray(L)[:, : len(cands)])
        if bar is not None:
            bar.update(1)
    return np.concatenate(losses)
