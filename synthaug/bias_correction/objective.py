r"""The augmented and the bias-corrected objectives, each one weighted ERM.

Lyu, Ma, Zhang & Zhang (2025), *Bias-Corrected Data Synthesis for Imbalanced Learning*
(arXiv 2510.26046). With majority rows :math:`X^0_{1..n_0}`, minority rows
:math:`X^1_{1..n_1}` and :math:`\tilde n` synthetic minority rows :math:`\tilde X = G(X^1)`,
the augmented loss with **pooled** weighting is

.. math:: L^{aug}(\theta) = \frac1N\Big[\sum_j \ell(\theta;X^0_j,0) + \sum_i \ell(\theta;X^1_i,1)
          + \sum_k \ell(\theta;\tilde X_k,1)\Big],\quad N = n_0+n_1+\tilde n,

whose expectation is :math:`R_{bal} + a\,\varphi + b\,\psi` with :math:`b = \tilde n/N` and
:math:`\psi = R_Q - R_1` (Ma & Zhang, 2026, *Synthetic Augmentation in Imbalanced Learning*,
arXiv 2601.16120). With **balanced** weighting (each class half the weight; real and synthetic
minority rows share the minority half equally) the expectation is :math:`R_{bal} + b\,\psi` with
:math:`b = \tilde n / (2(n_1+\tilde n))` (:func:`correction_coefficient`).

The corrected loss :math:`L^{bc} = L^{aug} - \beta\hat\psi` (:math:`\beta = b` by default) is
*one* weighted ERM (:func:`corrected_design`): the augmented rows with their non-negative
weights (sum 1) followed by the bias rows of :class:`~synthaug.bias_correction.estimate.BiasEstimate`
with weights :math:`-\beta a_r` (sum 0). The weights are signed with sum 1, and
:func:`synthaug.core.fit.weighted_fit` (which requires only a positive sum) minimises exactly
:math:`L^{bc} + \lambda\lVert\theta\rVert^2`; :func:`corrected_objective` is the direct form,
for checks.
"""

from __future__ import annotations

import jax.numpy as jnp

from synthaug.bias_correction.estimate import BiasEstimate, psi_hat
from synthaug.core.glm import penalised_objective
from synthaug.core.losses import Loss

__all__ = ["augmented_design", "correction_coefficient", "corrected_design", "corrected_objective"]


def _weighting_check(weighting):
    if weighting not in ("pooled", "balanced"):
        raise ValueError(f"unknown weighting {weighting!r}; use 'pooled' or 'balanced'")


def augmented_design(X0, X1, X_syn=None, weighting: str = "pooled"):
    r"""Rows, class indices and weights (sum 1) of the augmented ERM.

    ``pooled``: every row weight :math:`1/N`; ``balanced``: majority rows
    :math:`1/(2n_0)`, minority rows (real and synthetic alike) :math:`1/(2(n_1+\tilde n))`.
    With no synthetic rows these are raw ERM and class-reweighted ERM.
    """
    _weighting_check(weighting)
    X0, X1 = jnp.asarray(X0), jnp.asarray(X1)
    dtype = X0.dtype
    d = X0.shape[1]
    X_syn = jnp.zeros((0, d), dtype) if X_syn is None else jnp.asarray(X_syn, dtype)
    n0, n1, ns = X0.shape[0], X1.shape[0], X_syn.shape[0]
    X = jnp.concatenate([X0, X1, X_syn])
    y = jnp.concatenate([jnp.zeros(n0, dtype), jnp.ones(n1 + ns, dtype)])
    if weighting == "pooled":
        w = jnp.full(n0 + n1 + ns, 1.0 / (n0 + n1 + ns), dtype)
    else:
        w = jnp.concatenate([jnp.full(n0, 0.5 / n0, dtype), jnp.full(n1 + ns, 0.5 / (n1 + ns), dtype)])
    return X, y, w


def correction_coefficient(n0: int, n1: int, n_synthetic: int, weighting: str = "pooled") -> float:
    r"""The coefficient :math:`b` of :math:`\psi` in :math:`E L^{aug}` (the default :math:`\beta`)."""
    _weighting_check(weighting)
    if weighting == "pooled":
        return n_synthetic / (n0 + n1 + n_synthetic)
    return n_synthetic / (2.0 * (n1 + n_synthetic))


def corrected_design(X0, X1, X_syn, bias: BiasEstimate, beta, weighting: str = "pooled"):
    r"""One weighted ERM for :math:`L^{bc} = L^{aug} - \beta\hat\psi`: signed weights with sum 1."""
    X, y, w = augmented_design(X0, X1, X_syn, weighting)
    dtype = X.dtype
    Xc = jnp.concatenate([X, jnp.asarray(bias.X, dtype)])
    yc = jnp.concatenate([y, jnp.asarray(bias.label, dtype)])
    wc = jnp.concatenate([w, -jnp.asarray(beta, dtype) * jnp.asarray(bias.coef, dtype)])
    return Xc, yc, wc


def corrected_objective(loss: Loss, theta, X0, X1, X_syn, bias: BiasEstimate, beta, ridge,
                        weighting: str = "pooled"):
    r"""Direct form :math:`L^{aug}(\theta) - \beta\hat\psi(\theta) + \lambda\lVert\theta\rVert^2` (for checks)."""
    X, y, w = augmented_design(X0, X1, X_syn, weighting)
    return penalised_objective(loss, theta, X, y, w, ridge) - beta * psi_hat(loss, bias, theta)
