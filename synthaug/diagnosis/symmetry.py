r"""Balanced pilot fit and the local-symmetry Wald test (Ma & Zhang, arXiv 2601.16120, §2.1, §3.5).

**Pilot.** :math:`\hat\theta` minimises the balanced empirical risk
:math:`\tfrac12\hat R_0 + \tfrac12\hat R_1` (inverse-class-frequency weights).

**Shift gradient.** :math:`\hat g_\phi = \bar s_0 - \bar s_1`, the difference of the
class mean scores at :math:`\hat\theta`; at the population level
:math:`g_\phi = \nabla R_0(\theta^*) - \nabla R_1(\theta^*)`. Local symmetry is
:math:`g_\phi = 0`.

**Wald statistic.** Plugging in :math:`\hat\theta` instead of :math:`\theta^*`
changes the variance (delta method): with class mean Hessians :math:`\hat H_c`,
:math:`\hat H = \tfrac12(\hat H_0+\hat H_1)`, :math:`\hat G = \hat H_0 - \hat H_1`,

.. math::

   \hat g_\phi \approx A_0 \bar s_0(\theta^*) + A_1 \bar s_1(\theta^*),\quad
   A_0 = I - \tfrac12\hat G\hat H^{-1},\ A_1 = -I - \tfrac12\hat G\hat H^{-1},

   \hat V = A_0\hat\Sigma_0A_0^\top/n_0 + A_1\hat\Sigma_1A_1^\top/n_1,\qquad
   T_{\rm sym} = \hat g_\phi^\top\hat V^{-1}\hat g_\phi ,

with :math:`\hat\Sigma_c` the score covariance in class :math:`c`. Under
:math:`H_0: g_\phi = 0`, :math:`T_{\rm sym}\to\chi^2_p`; under local alternatives
:math:`g_\phi = h/\sqrt{n_{\rm eff}}`, a non-central :math:`\chi^2_p(\lambda)` with
:math:`\lambda = g_\phi^\top V^{-1} g_\phi`. Inverses are "stable":
:math:`(M + \epsilon I)^{-1}` with :math:`\epsilon = 10^{-8}\,\mathrm{tr}(M)/p`
(the reference implementation's choice).

Everything here is a pure function of arrays (``jit``/``vmap``-able); the
p-value is computed on the host by :func:`wald_p_value` (scipy).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from synthaug.core.glm import glm_moments

__all__ = ["SymmetryTest", "stable_solve", "pilot_fit", "pilot_scores", "symmetry_test", "wald_p_value",
           "wald_cutoff"]


class SymmetryTest(NamedTuple):
    """The local-symmetry Wald test at a pilot fit (a pytree).

    Attributes
    ----------
    g_phi
        :math:`\\hat g_\\phi` (p,).
    t_sym
        the Wald statistic.
    df
        degrees of freedom ``p`` (number of local parameters).
    cov
        :math:`\\hat V` (p, p).
    hessian
        :math:`\\hat H` (p, p).
    sigma0, sigma1
        class score covariances.
    """

    g_phi: jax.Array
    t_sym: jax.Array
    df: int
    cov: jax.Array
    hessian: jax.Array
    sigma0: jax.Array
    sigma1: jax.Array


def stable_solve(M, b):
    r"""Solve :math:`(M + \epsilon I)x = b`, :math:`\epsilon = 10^{-8}\,\mathrm{tr}(M)/p` (pseudo-inverse-like)."""
    p = M.shape[-1]
    eps = 1e-8 * jnp.abs(jnp.trace(M)) / p + jnp.finfo(M.dtype).tiny
    return jnp.linalg.solve(M + eps * jnp.eye(p, dtype=M.dtype), b)


def pilot_fit(model, aux, key, X0, X1, w0=None, w1=None):
    """Balanced (inverse-frequency) pilot fit on ``X0`` (majority) and ``X1`` (minority).

    Optional 0/1 row masks ``w0``/``w1`` restrict each class (each class still gets
    total weight 1/2).
    """
    X = jnp.concatenate([X0, X1])
    y = jnp.concatenate([jnp.zeros(X0.shape[0], X.dtype), jnp.ones(X1.shape[0], X.dtype)])
    w0 = jnp.ones(X0.shape[0], X.dtype) if w0 is None else jnp.asarray(w0, X.dtype)
    w1 = jnp.ones(X1.shape[0], X.dtype) if w1 is None else jnp.asarray(w1, X.dtype)
    w = jnp.concatenate([0.5 * w0 / jnp.sum(w0), 0.5 * w1 / jnp.sum(w1)])
    return model.fit(aux, key, X, y, w)


def pilot_scores(model, aux, params, X, y):
    """Per-row scores (n, p) and Hessians (n, p, p) of ``model`` at ``params`` (its local GLM form).

    For linear models these are the exact scores and Hessians of the loss; for the MLP,
    those of its last layer with the hidden representation held fixed.
    """
    from synthaug.core.glm import glm_hessians, glm_scores

    loss, featurize, theta = model.local_glm(aux, params)
    Z = featurize(jnp.asarray(X))
    return glm_scores(loss, Z, theta, y), glm_hessians(loss, Z, theta, y)


def symmetry_test(model, aux, params, X0, X1) -> SymmetryTest:
    """The Wald statistic of local symmetry at the pilot ``params`` (see the module docstring)."""
    loss, featurize, theta = model.local_glm(aux, params)
    Z0, Z1 = featurize(X0), featurize(X1)
    n0, n1 = X0.shape[0], X1.shape[0]
    m0, S0, H0 = glm_moments(loss, Z0, theta, jnp.zeros(n0))
    m1, S1, H1 = glm_moments(loss, Z1, theta, jnp.ones(n1))
    g = m0 - m1
    p = g.shape[0]
    H = 0.5 * (H0 + H1)
    GHinv = stable_solve(H.T, (H0 - H1).T).T  # G H^{-1}
    eye = jnp.eye(p, dtype=g.dtype)
    A0 = eye - 0.5 * GHinv
    A1 = -eye - 0.5 * GHinv
    V = A0 @ S0 @ A0.T / n0 + A1 @ S1 @ A1.T / n1
    V = 0.5 * (V + V.T)
    t = g @ stable_solve(V, g)
    return SymmetryTest(g, t, p, V, H, S0, S1)


def wald_cutoff(df: int, alpha: float = 0.05) -> float:
    """The :math:`\\chi^2_{df}(1-\\alpha)` critical value."""
    return float(stats.chi2.ppf(1.0 - alpha, df))


def wald_p_value(t_sym, df: int):
    """Upper-tail :math:`\\chi^2_{df}` p-value (NumPy, vectorised)."""
    return stats.chi2.sf(np.asarray(t_sym, dtype=float), df)
