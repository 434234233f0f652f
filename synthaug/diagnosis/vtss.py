r"""Validated synthetic-size selection: VTSS and TG-VTSS (Ma & Zhang, arXiv 2601.16120, §4).

**Plain VTSS.** Candidates :math:`\tilde n(\gamma) = \mathrm{round}(\gamma(n_0-n_1))`
on a grid centred at full balancing (default :math:`\gamma\in[0.5, 1.5]` in steps
of 0.01, which contains :math:`\gamma = 1` exactly; the note's notebook used 100
points on the same range). Stratified K-fold cross-validation (optionally
repeated; every real row is validated in exactly one fold of each repeat, as in the
paper's K-fold CV, also when K does not divide a class size): in each fold the generator sees only the fold's training part, the
candidate sizes are rescaled to the fold,
:math:`\tilde n_{\rm fold} = \mathrm{round}(\tilde n\cdot\mathrm{gap}_{\rm fold}/\mathrm{gap})`,
one nested synthetic pool serves every candidate (prefixes), all candidates are
fitted in one vectorised call, and the score is the **balanced validation loss**
on the held-out real rows, :math:`\tfrac12\bar\ell_0 + \tfrac12\bar\ell_1`
(balanced log-loss or balanced squared error). The CV curve is the mean over
folds (and repeats) with the standard error :math:`\mathrm{sd}/\sqrt{F}` over the
:math:`F` fold values (the usual CV error bar; folds share data, so it is a
rough guide, not an exact standard error). The size with the smallest mean is
selected; the final model is refitted on all data at that size with fresh
synthetic rows.

**TG-VTSS** (the reference implementation's Algorithm 1; candidates from the test
and GQS, see :func:`tg_candidates`):

* local symmetry not rejected: :math:`\gamma\in\{0, 0.05, \dots, 0.20\}` of the gap;
* rejected and GQS ≤ τ (realistic generator): :math:`\gamma\in\{0.80, 0.85, \dots, 1.20\}`
  of the gap, together with the same multiples of :math:`\tilde n_{\rm theory}` (when it exists);
* rejected and GQS > τ (potentially biased): :math:`\gamma\in\{0, 0.05, \dots, 2.0\}` of the gap.

Candidate arrays have a fixed length (:data:`N_CANDIDATES`; shorter sets are
padded with repeats of their first entry, which never changes the arg-min), so
the whole procedure runs under ``jit``/``vmap`` with data-dependent candidates.
Theory candidates above ``max_multiple·gap`` are clipped to it (documented cap so
that the synthetic pool has a static size; the clipping is reported).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.buckets import pad_with_first
from synthaug.core.folds import Folds, fold_masks, map_fold_groups, padded_training_draw, single_program_generator

__all__ = [
    "VTSS_GRID",
    "SYMMETRIC_GRID",
    "LOCAL_GRID",
    "WIDE_GRID",
    "N_CANDIDATES",
    "REGIMES",
    "sizes_from_gammas",
    "tg_candidates",
    "tg_candidates_host",
    "cv_losses",
    "cv_curve",
    "balanced_validation_loss",
]

VTSS_GRID = np.round(np.linspace(0.5, 1.5, 101), 10)
SYMMETRIC_GRID = np.round(np.arange(0, 5) * 0.05, 10)
LOCAL_GRID = np.round(0.8 + np.arange(9) * 0.05, 10)
WIDE_GRID = np.round(np.arange(41) * 0.05, 10)
N_CANDIDATES = 41
#: Codes of the three TG-VTSS branches.
REGIMES = ("local-symmetry", "asymmetry-realistic", "asymmetry-biased")


def sizes_from_gammas(gammas, gap: int) -> np.ndarray:
    """``round(γ·gap)`` as int (half away from zero is not needed: sizes are non-negative)."""
    return np.rint(np.asarray(gammas, dtype=float) * gap).astype(int)


def tg_candidates(gap: int, reject, gqs, theory, tau: float = 10.0, max_multiple: float = 5.0, wide_gammas=None):
    r"""TG-VTSS candidate sizes ``(candidates, branch code, clipped)`` (traced-friendly).

    ``reject``: the symmetry test rejected; ``theory``: :math:`\tilde n_{\rm theory}` (NaN if none).
    ``wide_gammas`` replaces the biased branch's grid (default :data:`WIDE_GRID`).
    The vector has length ``max(5, 18, len(wide grid))`` (41 with the defaults).
    """
    wide_g = WIDE_GRID if wide_gammas is None else np.asarray(wide_gammas, dtype=float)
    length = max(SYMMETRIC_GRID.size, 2 * LOCAL_GRID.size, wide_g.size)
    cap = int(np.floor(max_multiple * gap))
    sym = pad_with_first(jnp.asarray(sizes_from_gammas(SYMMETRIC_GRID, gap)), length)
    bal = jnp.asarray(sizes_from_gammas(LOCAL_GRID, gap))
    has_theory = jnp.isfinite(theory)
    th = jnp.where(has_theory, theory, gap)
    th_c = jnp.rint(jnp.asarray(LOCAL_GRID) * th)
    clipped = has_theory & jnp.any(th_c > cap)
    th_c = jnp.where(has_theory, jnp.clip(th_c, 0, cap), bal).astype(bal.dtype)
    local = pad_with_first(jnp.concatenate([bal, th_c]), length)
    wide = pad_with_first(jnp.asarray(sizes_from_gammas(wide_g, gap)), length)
    realistic = gqs <= tau
    branch = jnp.where(reject, jnp.where(realistic, 1, 2), 0)
    cands = jnp.where(branch == 0, sym, jnp.where(branch == 1, local, wide))
    return cands, branch, clipped & (branch == 1)


def tg_candidates_host(gap: int, reject: bool, gqs: float, theory: float, tau: float = 10.0,
                       max_multiple: float = 5.0, wide_gammas=None):
    """:func:`tg_candidates` on concrete inputs in NumPy: the same ``(candidates, branch, clipped)``.

    :func:`~synthaug.diagnosis.diagnose` decides on the host, where the eager JAX version
    would run (and, in a fresh process, trace and load) a dozen one-operation programs.
    """
    wide_g = WIDE_GRID if wide_gammas is None else np.asarray(wide_gammas, dtype=float)
    length = max(SYMMETRIC_GRID.size, 2 * LOCAL_GRID.size, wide_g.size)

    def pad(c):
        c = np.asarray(c)
        return np.concatenate([c, np.full(length - c.size, c[0], c.dtype)])

    cap = int(np.floor(max_multiple * gap))
    bal = sizes_from_gammas(LOCAL_GRID, gap)
    has_theory = bool(np.isfinite(theory))
    branch = (1 if gqs <= tau else 2) if bool(reject) else 0
    if branch == 0:
        return pad(sizes_from_gammas(SYMMETRIC_GRID, gap)), 0, False
    if branch == 2:
        return pad(sizes_from_gammas(wide_g, gap)), 2, False
    th_c = np.rint(LOCAL_GRID * (theory if has_theory else gap))
    clipped = has_theory and bool(np.any(th_c > cap))
    th_c = np.clip(th_c, 0, cap).astype(bal.dtype) if has_theory else bal
    return pad(np.concatenate([bal, th_c])), 1, clipped


def balanced_validation_loss(model, aux, params, V0, V1, w0=None, w1=None):
    r""":math:`\tfrac12\bar\ell_0 + \tfrac12\bar\ell_1` on held-out real rows.

    Optional 0/1 masks ``w0``/``w1`` select the real rows of padded validation blocks
    (weighted means); without them, plain means.
    """
    l0 = model.loss_values(aux, params, V0, jnp.zeros(V0.shape[0]))
    l1 = model.loss_values(aux, params, V1, jnp.ones(V1.shape[0]))
    if w0 is None and w1 is None:
        return 0.5 * jnp.mean(l0) + 0.5 * jnp.mean(l1)
    w0 = jnp.ones_like(l0) if w0 is None else jnp.asarray(w0, l0.dtype)
    w1 = jnp.ones_like(l1) if w1 is None else jnp.asarray(w1, l1.dtype)
    return 0.5 * jnp.sum(w0 * l0) / jnp.sum(w0) + 0.5 * jnp.sum(w1 * l1) / jnp.sum(w1)


def cv_losses(model, aux, generator, key, X0, X1, candidates, folds: Folds, pool_size: int,
              with_flag: bool = False):
    """Balanced validation loss per fold and candidate, shape (F, C).

    ``candidates`` are sizes on the full-data scale (may be traced); ``pool_size``
    (static) must be at least their maximum. Each fold rescales them to its own gap,
    ``round(size · gap_fold / gap)``; with ``folds`` from
    :func:`~synthaug.core.folds.stratified_folds` (default ``holdout_remainder=True``)
    every real row is validated exactly once per repeat. Folds of different sizes run as
    one ``vmap`` when the generator has a padded form (masked fits and losses,
    :func:`~synthaug.core.folds.padded_training_draw`), otherwise in groups of exact
    shapes (:func:`~synthaug.core.folds.map_fold_groups`); either way the generator and
    the fit see exactly the fold's training rows. With ``with_flag=True``
    the result is ``(losses, finite)``, ``finite`` being True when every synthetic row
    drawn in every fold was finite (a traced generator cannot raise: the caller checks
    the flag on the host).
    """
    gap = X0.shape[0] - X1.shape[0]
    if gap < 1:
        raise ValueError("VTSS needs the majority to outnumber the minority in every fold")
    cands = jnp.asarray(candidates)
    keys = jax.random.split(key, folds.num_folds)
    if single_program_generator(generator, folds):
        out = _cv_padded(model, aux, generator, keys, X0, X1, cands, folds, pool_size, gap)
        return out if with_flag else out[0]

    def make(n0t, n0v, n1t, n1v):
        gap_f = n0t - n1t
        if gap_f < 1:
            raise ValueError("VTSS needs the majority to outnumber the minority in every fold")
        ratio = gap_f / gap
        pool_f = int(np.ceil(pool_size * ratio)) + 1
        cand_f = jnp.rint(cands * ratio).astype(jnp.int32)
        order = jnp.argsort(cand_f)
        inverse = jnp.argsort(order)
        yt = jnp.concatenate([jnp.zeros(n0t, X0.dtype), jnp.ones(n1t, X0.dtype)])

        def one(k, tr0, va0, tr1, va1):
            kf, kg = jax.random.split(k)
            A0, A1 = X0[tr0], X1[tr1]
            pool = generator(kg, A1, pool_f, X_majority=A0)
            params = model.fit_sizes(aux, kf, jnp.concatenate([A0, A1]), yt, pool, cand_f[order])
            losses = jax.vmap(lambda p: balanced_validation_loss(model, aux, p, X0[va0], X1[va1]))(params)
            return losses[inverse], jnp.all(jnp.isfinite(pool))

        return one

    losses, finite = map_fold_groups(make, folds, keys)
    return (losses, jnp.all(finite)) if with_flag else losses


def _cv_padded(model, aux, generator, keys, X0, X1, cands, folds: Folds, pool_size: int, gap: int):
    """:func:`cv_losses` in one ``vmap`` over padded folds (masks as weights); returns ``(losses, finite)``."""
    gaps = folds.train_sizes(0) - folds.train_sizes(1)
    if gaps.min() < 1:
        raise ValueError("VTSS needs the majority to outnumber the minority in every fold")
    ratios = gaps / gap
    pool_f = int(np.ceil(pool_size * ratios.max())) + 1
    n0t, n1t = folds.train0.shape[1], folds.train1.shape[1]
    yt = jnp.concatenate([jnp.zeros(n0t, X0.dtype), jnp.ones(n1t, X0.dtype)])
    masks = fold_masks(folds, X0.dtype)

    def one(k, tr0, va0, tr1, va1, mt0, mv0, mt1, mv1, ratio):
        kf, kg = jax.random.split(k)
        cand_f = jnp.rint(cands * ratio).astype(jnp.int32)
        order = jnp.argsort(cand_f)
        inverse = jnp.argsort(order)
        A0, A1 = X0[tr0], X1[tr1]
        pool = padded_training_draw(generator, kg, A1, mt1, pool_f)
        params = model.fit_sizes(aux, kf, jnp.concatenate([A0, A1]), yt, pool, cand_f[order],
                                 base_weights=jnp.concatenate([mt0, mt1]))
        losses = jax.vmap(lambda p: balanced_validation_loss(model, aux, p, X0[va0], X1[va1], mv0, mv1))(params)
        return losses[inverse], jnp.all(jnp.isfinite(pool))

    losses, finite = jax.vmap(one)(keys, *folds, *masks, jnp.asarray(ratios, jnp.result_type(float)))
    return losses, jnp.all(finite)


def cv_curve(losses):
    """Mean over folds and its standard error ``sd/sqrt(F)`` (NumPy, host side)."""
    L = np.asarray(losses, dtype=float)
    F = L.shape[0]
    mean = L.mean(axis=0)
    se = L.std(axis=0, ddof=1) / np.sqrt(F) if F > 1 else np.full_like(mean, np.nan)
    return mean, se
