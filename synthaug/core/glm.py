r"""The algebra of penalised, weighted generalised linear losses: the one home.

Every loss of :mod:`synthaug.core.losses` is a generalised linear loss
:math:`\ell(\theta; x, y) = f(\theta^\top z, y)` with design vector :math:`z` (the
features, with a trailing 1 when the loss has an intercept). For such a loss the
per-row score and Hessian are

.. math:: s_i = f'(\eta_i, y_i)\,z_i, \qquad \nabla^2\ell_i = f''(\eta_i, y_i)\,z_i z_i^\top,
          \qquad \eta_i = \theta^\top z_i,

and the penalised, weight-normalised objective that every fit in synthaug minimises
(:func:`synthaug.core.fit.weighted_fit`) is

.. math:: F(\theta) = \sum_i \tilde w_i\,\ell(\theta; x_i, y_i) + \lambda\lVert\theta\rVert_2^2,
          \qquad \tilde w_i = w_i / \textstyle\sum_j w_j,

with gradient :math:`\sum_i \tilde w_i s_i + 2\lambda\theta` and Hessian
:math:`\sum_i \tilde w_i f''(\eta_i, y_i) z_i z_i^\top + 2\lambda I`. Weights may be
signed (the bias-corrected objective of :mod:`synthaug.bias_correction` has negative
weights); only their sum must be positive.

Two layers:

* design-level kernels on the design matrix :math:`Z` and normalised weights
  :math:`\tilde w` (:func:`weighted_gram`, :func:`penalised_gradient`,
  :func:`penalised_hessian`, :func:`objective_terms`, :func:`hessian_from_curvatures`), used inside the Newton
  solver, the one-step correction and its safeguard;
* feature-level functions on raw rows ``X`` (:func:`penalised_objective`,
  :func:`glm_scores`, :func:`glm_hessians`, :func:`glm_moments`,
  :func:`sandwich_cov`), used by the diagnosis and the bias-correction extensions.

All functions are pure and work under ``jax.jit`` and ``jax.vmap``. Scores and
Hessians by automatic differentiation are in :mod:`synthaug.core.losses`
(:func:`~synthaug.core.losses.scores`, :func:`~synthaug.core.losses.hessians`); the
closed forms here agree with them to rounding.
"""

from __future__ import annotations

import jax.numpy as jnp

from synthaug.core.linalg import platform_cho_solve, platform_cholesky
from synthaug.core.losses import Loss, values

__all__ = [
    "penalised_objective",
    "objective_terms",
    "weighted_gram",
    "hessian_from_curvatures",
    "penalised_gradient",
    "penalised_hessian",
    "glm_scores",
    "glm_hessians",
    "glm_moments",
    "sandwich_cov",
]


# ----------------------------------------------------------------------------- design level


def weighted_gram(Z, c):
    r"""Weighted Gram matrix :math:`\sum_i c_i z_i z_i^\top = Z^\top \mathrm{diag}(c) Z`.

    Parameters
    ----------
    Z : array of shape (n, p)
        Design matrix.
    c : array of shape (n,)
        Row coefficients (weights, or weights times curvatures; any sign).

    Returns
    -------
    array of shape (p, p)
    """
    return (Z * c[:, None]).T @ Z


def hessian_from_curvatures(Z, wn, d2, ridge):
    r"""Penalised Hessian :math:`Z^\top\mathrm{diag}(\tilde w \odot f'')Z + 2\lambda I` from curvatures.

    Parameters
    ----------
    Z : array of shape (n, p)
        Design matrix.
    wn : array of shape (n,)
        Normalised weights :math:`\tilde w`.
    d2 : array of shape (n,)
        Curvatures :math:`f''(\eta_i, y_i)` (the third output of :func:`objective_terms`).
    ridge : float
        Ridge :math:`\lambda`.

    Returns
    -------
    array of shape (p, p)
    """
    return weighted_gram(Z, wn * d2) + 2.0 * ridge * jnp.eye(Z.shape[1], dtype=Z.dtype)


def _ridge_gradient(Z, wn, d1, theta, ridge):
    """:math:`Z^\\top(\\tilde w f') + 2\\lambda\\theta` from precomputed slopes ``d1``."""
    return Z.T @ (wn * d1) + 2.0 * ridge * theta


def penalised_gradient(loss: Loss, theta, Z, y, wn, ridge):
    r"""Gradient :math:`\sum_i \tilde w_i f'(\eta_i, y_i) z_i + 2\lambda\theta` of :math:`F`.

    Parameters
    ----------
    loss : Loss
        The generalised linear loss.
    theta : array of shape (p,)
        Parameter.
    Z : array of shape (n, p)
        Design matrix (``loss.features(X)``, intercept column included).
    y : array of shape (n,)
        Class indices in {0, 1} (soft labels in [0, 1] for the logistic loss).
    wn : array of shape (n,)
        Normalised weights :math:`\tilde w` (sum 1; signed allowed).
    ridge : float
        Ridge :math:`\lambda`.

    Returns
    -------
    array of shape (p,)
    """
    d1, _ = loss.link_derivatives(Z @ theta, y)
    return _ridge_gradient(Z, wn, d1, theta, ridge)


def penalised_hessian(loss: Loss, theta, Z, y, wn, ridge):
    r"""Hessian :math:`\sum_i \tilde w_i f''(\eta_i, y_i) z_i z_i^\top + 2\lambda I` of :math:`F`.

    Parameters are those of :func:`penalised_gradient`.

    Returns
    -------
    array of shape (p, p)
        Symmetric; positive definite for non-negative weights and :math:`\lambda > 0`,
        possibly indefinite for signed weights.
    """
    _, d2 = loss.link_derivatives(Z @ theta, y)
    return hessian_from_curvatures(Z, wn, d2, ridge)


def objective_terms(loss: Loss, theta, Z, y, wn, ridge):
    r"""Objective, gradient and per-row curvatures of :math:`F` in one pass over the rows.

    Uses :meth:`~synthaug.core.losses.Loss.link_all` (one ``exp`` per row for the
    logistic loss), so a Newton line search pays two matrix-vector products per trial
    point; the Hessian follows from the curvatures by :func:`hessian_from_curvatures`.

    Parameters are those of :func:`penalised_gradient`.

    Returns
    -------
    value : scalar array
        :math:`F(\theta)`.
    grad : array of shape (p,)
        :math:`\nabla F(\theta)`.
    d2 : array of shape (n,)
        Curvatures :math:`f''(\eta_i, y_i)`.
    """
    value, d1, d2 = loss.link_all(Z @ theta, y)
    f = jnp.dot(wn, value) + ridge * jnp.dot(theta, theta)
    return f, _ridge_gradient(Z, wn, d1, theta, ridge), d2


# ----------------------------------------------------------------------------- feature level


def penalised_objective(loss: Loss, theta, X, y, w, ridge):
    r"""The penalised, weight-normalised objective :math:`F(\theta)` of :func:`~synthaug.core.fit.weighted_fit`.

    Parameters
    ----------
    loss, theta, y, ridge
        As in :func:`penalised_gradient`.
    X : array of shape (n, d)
        Raw features (the intercept column is added by ``loss``).
    w : array of shape (n,)
        Weights with positive sum (signed allowed); normalised here.

    Returns
    -------
    scalar array
        :math:`\sum_i w_i\ell(\theta; x_i, y_i)/\sum_i w_i + \lambda\lVert\theta\rVert^2`.
    """
    w = jnp.asarray(w)
    return jnp.dot(w / jnp.sum(w), values(loss, theta, X, y)) + ridge * jnp.dot(theta, theta)


def glm_scores(loss: Loss, Z, theta, y):
    r"""Per-row scores :math:`s_i = f'(\eta_i, y_i)\,z_i`.

    Parameters
    ----------
    loss : Loss
        The generalised linear loss.
    Z : array of shape (n, d)
        Raw features (without the intercept column; ``loss`` adds it).
    theta : array of shape (p,)
        Parameter.
    y : array of shape (n,)
        Class indices (or soft labels).

    Returns
    -------
    array of shape (n, p)
    """
    Zf = loss.features(Z)
    d1, _ = loss.link_derivatives(Zf @ theta, jnp.asarray(y, Zf.dtype))
    return d1[:, None] * Zf


def glm_hessians(loss: Loss, Z, theta, y):
    r"""Per-row Hessians :math:`f''(\eta_i, y_i)\,z_i z_i^\top`.

    Parameters are those of :func:`glm_scores`.

    Returns
    -------
    array of shape (n, p, p)
    """
    Zf = loss.features(Z)
    _, d2 = loss.link_derivatives(Zf @ theta, jnp.asarray(y, Zf.dtype))
    return d2[:, None, None] * Zf[:, :, None] * Zf[:, None, :]


def glm_moments(loss: Loss, Z, theta, y, w=None):
    r"""Weighted mean score, score covariance and mean Hessian of one group of rows.

    The per-row Hessians are never materialised.

    Parameters
    ----------
    loss : Loss
        The generalised linear loss.
    Z : array of shape (n, d)
        Raw features (without the intercept column).
    theta : array of shape (p,)
        Parameter.
    y : array of shape (n,)
        Class indices (or soft labels).
    w : array of shape (n,), optional
        Non-negative weights; 0/1 masks select rows. Default all ones.

    Returns
    -------
    mean_score : array of shape (p,)
        :math:`\bar s = \sum_i w_i s_i / W`, :math:`W = \sum_i w_i`.
    score_cov : array of shape (p, p)
        :math:`\sum_i w_i (s_i - \bar s)(s_i - \bar s)^\top / \max(W - 1, 1)`.
    mean_hessian : array of shape (p, p)
        :math:`\sum_i w_i f''(\eta_i, y_i) z_i z_i^\top / W`.
    """
    Zf = loss.features(Z)
    yv = jnp.asarray(y, Zf.dtype)
    d1, d2 = loss.link_derivatives(Zf @ theta, yv)
    w = jnp.ones(Zf.shape[0], Zf.dtype) if w is None else jnp.asarray(w, Zf.dtype)
    W = jnp.sum(w)
    S = d1[:, None] * Zf
    mean = (w @ S) / W
    C = S - mean
    cov = (C * w[:, None]).T @ C / jnp.maximum(W - 1.0, 1.0)
    hess = weighted_gram(Zf, w * d2) / W
    return mean, cov, hess


def sandwich_cov(loss: Loss, theta, X, y, w, ridge=0.0):
    r"""Sandwich covariance :math:`H^{-1} V H^{-1}` of a weighted M-estimator, rows treated as independent.

    :math:`H = \sum_i \tilde w_i\nabla^2\ell_i + 2\lambda I` (:func:`penalised_hessian`),
    :math:`V = \sum_i \tilde w_i^2 s_i s_i^\top`, :math:`\tilde w = w/\sum w` (signed weights
    allowed) (Huber, 1967, "The behavior of maximum likelihood estimates under
    nonstandard conditions"). For augmented designs this ignores the dependence of
    synthetic rows on the real ones (anti-conservative), on purpose: it is what a user
    of the augmented fit would report.

    Parameters
    ----------
    loss : Loss
        The generalised linear loss.
    theta : array of shape (p,)
        The fitted parameter.
    X : array of shape (n, d)
        Raw features.
    y : array of shape (n,)
        Class indices (or soft labels).
    w : array of shape (n,)
        Weights with positive sum.
    ridge : float, default 0.0
        Ridge :math:`\lambda` of the fit.

    Returns
    -------
    array of shape (p, p)
    """
    Z = loss.features(X)
    wn = w / jnp.sum(w)
    d1, d2 = loss.link_derivatives(Z @ theta, y)
    H = hessian_from_curvatures(Z, wn, d2, ridge)
    S = Z * (wn * d1)[:, None]
    L = platform_cholesky(H)  # H^{-1} V H^{-1} by two solves (no LAPACK call on CPU: see core.linalg)
    C = platform_cho_solve(L, platform_cho_solve(L, S.T @ S).T)
    return 0.5 * (C + C.T)
