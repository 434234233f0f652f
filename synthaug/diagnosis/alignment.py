r"""Generator mismatch: cross-fitted :math:`\hat g_\psi`, alignment, theory size and GQS.

Ma & Zhang (arXiv 2601.16120), §2.2–2.3, §3.3–3.4.

**Cross-fitted mismatch gradient.** With stratified folds: in fold :math:`k` refit
the balanced pilot :math:`\hat\theta_k` on the training part, ask the generator
for the fold's own gap :math:`n_{0,k} - n_{1,k}` synthetic rows *from the
training part only*, and take

.. math:: \hat g_{\psi,k} = \bar s_{\rm syn}(\hat\theta_k) - \bar s_{1,\rm held\text{-}out}(\hat\theta_k),

the mean synthetic score minus the mean score of the held-out real minority
rows; :math:`\hat g_\psi` is the average over folds. The generator never sees
the rows its output is compared with. Every real row is held out in exactly one
fold (:func:`synthaug.core.folds.stratified_folds` with its default
``holdout_remainder=True``), also when ``K`` does not divide a class size.

**Alignment.** :math:`\cos = \langle\hat g_\phi,\hat g_\psi\rangle/(\lVert\hat g_\phi\rVert
\lVert\hat g_\psi\rVert)` (plain Euclidean, clipped to [−1, 1]) and
:math:`\rho = \lVert\hat g_\psi\rVert/\lVert\hat g_\phi\rVert`.

**Theory size.** Cancelling the projection of the first-order bias on
:math:`g_\phi`:

.. math:: \tilde n_{\rm theory} = \frac{n_0-n_1}{1 - 2\langle g_\psi, g_\phi\rangle/\lVert g_\phi\rVert^2}
          = \frac{n_0-n_1}{1-2\rho\cos},

none (NaN here, ``None`` in reports) when the denominator is :math:`\le 0`.
Aligned mismatch (cos > 0) puts it above full balancing, anti-aligned below.

**Generator quality score.** The squared bias over the variance of the
balanced excess risk at full balancing :math:`\tilde n = n_0 - n_1` (total
:math:`N = 2n_0`):

.. math::

   \mathrm{GQS} = \frac{(n_0-n_1)^2}{2n_0}\,
   \frac{\hat g_\psi^\top\hat H^{-1}\hat g_\psi}{\mathrm{tr}(\hat H^{-1}\hat\Sigma_{\rm aug})},\qquad
   \hat\Sigma_{\rm aug} = \tfrac12\hat\Sigma_0 + \tfrac{n_1}{2n_0}\hat\Sigma_1
   + \tfrac{n_0-n_1}{2n_0}\hat\Sigma_{\rm syn},

with :math:`\hat H = \tfrac12(\hat H_0+\hat H_1)` and :math:`\hat\Sigma_0,\hat\Sigma_1`
from the held-out real rows and :math:`\hat\Sigma_{\rm syn}` from the synthetic
rows of each fold at :math:`\hat\theta_k`, averaged over folds. GQS ≤ τ
(default 10) reads "realistic generator" (mismatch no larger than sampling
noise at balance), GQS > τ "potentially biased". For a fixed biased generator
GQS grows linearly in :math:`n_0`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from synthaug.core.folds import Folds, fold_masks, map_fold_groups, padded_training_draw, single_program_generator
from synthaug.core.glm import glm_moments
from synthaug.diagnosis.symmetry import pilot_fit, stable_solve

__all__ = ["Mismatch", "crossfit_mismatch", "alignment", "theory_size_from", "generator_quality_score"]


class Mismatch(NamedTuple):
    """Cross-fitted mismatch quantities, averaged over folds (a pytree)."""

    g_psi: jax.Array
    hessian: jax.Array
    sigma0: jax.Array
    sigma1: jax.Array
    sigma_syn: jax.Array
    g_psi_folds: jax.Array
    #: True when every synthetic row drawn for the cross-fit was finite (the stage-level
    #: flag: a traced generator cannot raise, so the host checks it and raises).
    finite_synthetic: jax.Array = True


def crossfit_mismatch(model, aux, generator, key, X0, X1, folds: Folds) -> Mismatch:
    r""":math:`\hat g_\psi` and the GQS ingredients by cross-fitting over ``folds`` (vmapped).

    Parameters
    ----------
    model, aux
        The model and its auxiliary state.
    generator : Generator
        Fed each fold's training rows only.
    key : jax.Array
        PRNG key (split into one key per fold).
    X0, X1 : jax.Array
        Majority and minority rows.
    folds : Folds
        Stratified splits (:func:`synthaug.core.folds.stratified_folds`). With the
        default ``holdout_remainder=True`` every real row is held out exactly once, as in
        the cross-fitting of Ma & Zhang (arXiv 2601.16120, §2.3).

    Returns
    -------
    Mismatch
        Fold averages (each fold weighs equally). Fold :math:`k` draws its own gap
        :math:`n_{0,k} - n_{1,k}` of synthetic rows. Folds of different sizes run as one
        ``vmap`` when the generator has a padded form (masked pilot fits and moments,
        :func:`synthaug.core.folds.padded_training_draw`), otherwise in groups of exact
        shapes (:func:`synthaug.core.folds.map_fold_groups`); either way the generator
        sees exactly the fold's training rows, never a padding row.
    """
    keys = jax.random.split(key, folds.num_folds)
    if single_program_generator(generator, folds):
        return _crossfit_padded(model, aux, generator, keys, X0, X1, folds)

    def make(n0t, n0v, n1t, n1v):
        gap_fold = n0t - n1t
        if gap_fold < 1:
            raise ValueError("the training part of a fold has no class gap (n0 <= n1); nothing to generate")

        def one(k, tr0, va0, tr1, va1):
            kf, kg = jax.random.split(k)
            A0, A1 = X0[tr0], X1[tr1]
            params = pilot_fit(model, aux, kf, A0, A1)
            syn = generator(kg, A1, gap_fold, X_majority=A0)
            loss, featurize, theta = model.local_glm(aux, params)
            ms, Ss, _ = glm_moments(loss, featurize(syn), theta, jnp.ones(gap_fold))
            m1, S1, H1 = glm_moments(loss, featurize(X1[va1]), theta, jnp.ones(va1.shape[0]))
            _, S0, H0 = glm_moments(loss, featurize(X0[va0]), theta, jnp.zeros(va0.shape[0]))
            return ms - m1, 0.5 * (H0 + H1), S0, S1, Ss, jnp.all(jnp.isfinite(syn))

        return one

    g, H, S0, S1, Ss, finite = map_fold_groups(make, folds, keys)
    return Mismatch(g.mean(0), H.mean(0), S0.mean(0), S1.mean(0), Ss.mean(0), g, jnp.all(finite))


def _crossfit_padded(model, aux, generator, keys, X0, X1, folds: Folds) -> Mismatch:
    """:func:`crossfit_mismatch` in one ``vmap`` over padded folds (masks as weights)."""
    gaps = folds.train_sizes(0) - folds.train_sizes(1)
    if gaps.min() < 1:
        raise ValueError("the training part of a fold has no class gap (n0 <= n1); nothing to generate")
    n_out = int(gaps.max())
    masks = fold_masks(folds, X0.dtype)
    rows = jnp.arange(n_out)

    def one(k, tr0, va0, tr1, va1, mt0, mv0, mt1, mv1, gap_k):
        kf, kg = jax.random.split(k)
        A0, A1 = X0[tr0], X1[tr1]
        params = pilot_fit(model, aux, kf, A0, A1, mt0, mt1)
        syn = padded_training_draw(generator, kg, A1, mt1, n_out)
        ws = (rows < gap_k).astype(X0.dtype)  # the fold's own gap: a prefix of the draw
        loss, featurize, theta = model.local_glm(aux, params)
        ms, Ss, _ = glm_moments(loss, featurize(syn), theta, jnp.ones(n_out), ws)
        m1, S1, H1 = glm_moments(loss, featurize(X1[va1]), theta, jnp.ones(va1.shape[0]), mv1)
        _, S0, H0 = glm_moments(loss, featurize(X0[va0]), theta, jnp.zeros(va0.shape[0]), mv0)
        return ms - m1, 0.5 * (H0 + H1), S0, S1, Ss, jnp.all(jnp.isfinite(syn))

    g, H, S0, S1, Ss, finite = jax.vmap(one)(keys, *folds, *masks, jnp.asarray(gaps))
    return Mismatch(g.mean(0), H.mean(0), S0.mean(0), S1.mean(0), Ss.mean(0), g, jnp.all(finite))


def alignment(g_phi, g_psi):
    """``(cosine, rho, denominator)`` with ``denominator = 1 − 2⟨g_ψ, g_φ⟩/‖g_φ‖²``."""
    nphi = jnp.linalg.norm(g_phi)
    npsi = jnp.linalg.norm(g_psi)
    tiny = jnp.finfo(g_phi.dtype).tiny
    cos = jnp.clip(jnp.dot(g_phi, g_psi) / jnp.maximum(nphi * npsi, tiny), -1.0, 1.0)
    rho = npsi / jnp.maximum(nphi, tiny)
    denom = 1.0 - 2.0 * jnp.dot(g_psi, g_phi) / jnp.maximum(nphi**2, tiny)
    return cos, rho, denom


def theory_size_from(gap, denom):
    """:math:`(n_0-n_1)/\\text{denom}`, NaN when the denominator is not positive."""
    return jnp.where(denom > 0, gap / jnp.where(denom > 0, denom, 1.0), jnp.nan)


def generator_quality_score(n0: int, n1: int, mm: Mismatch):
    """GQS (see the module docstring) from full-data class sizes and cross-fitted moments."""
    gap = n0 - n1
    S_aug = 0.5 * mm.sigma0 + n1 / (2.0 * n0) * mm.sigma1 + gap / (2.0 * n0) * mm.sigma_syn
    bias = mm.g_psi @ stable_solve(mm.hessian, mm.g_psi)
    var = jnp.trace(stable_solve(mm.hessian, S_aug))
    return gap**2 / (2.0 * n0) * bias / jnp.maximum(var, jnp.finfo(var.dtype).tiny)
