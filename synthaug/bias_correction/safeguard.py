r"""The one-step correction and the safeguard of the full correction.

Lyu, Ma, Zhang & Zhang (2025), *Bias-Corrected Data Synthesis for Imbalanced Learning*
(arXiv 2510.26046). :math:`F^{bc}` and :math:`F^{aug}` are the penalised corrected and
augmented objectives (:mod:`synthaug.bias_correction.objective`).

* :func:`one_step`: one Newton step of :math:`F^{bc}` from the naive estimate,
  :math:`\hat\theta^{os} = \hat\theta^{aug} - [\nabla^2 F^{bc}(\hat\theta^{aug})]^{-1}\nabla F^{bc}(\hat\theta^{aug})`.
  When :math:`\nabla^2 F^{bc}(\hat\theta^{aug})` is not positive definite the augmented Hessian
  :math:`\nabla^2 F^{aug}(\hat\theta^{aug})` (always positive definite) is used instead and
  ``negative_curvature`` is set. It never optimises a non-convex objective, is always finite,
  and has the same first-order expansion as the full minimiser
  (:math:`-H^{-1}\beta\nabla\hat\psi` at the naive estimate).
* :func:`unboundedness_check`: with negative weights :math:`F^{bc}` is a difference of convex
  functions: it may be non-convex, and its unpenalised part may be unbounded below. The check
  flags a fit whose Hessian is not positive definite at the returned point (negative
  curvature), a diverging norm (:math:`\lVert\hat\theta-\hat\theta^{aug}\rVert >` ``max_step`` ·
  :math:`(1+\lVert\hat\theta^{aug}\rVert)`), or a *recession direction*: a unit direction
  :math:`v` with :math:`F_\infty(v) = \lim_{t\to\infty} F_0(\theta + t v)/t < 0` (logistic;
  :math:`F_0` the unpenalised objective,
  :math:`F_\infty(v) = \sum_i w_i[\max(v^\top z_i,0) - y_i v^\top z_i]`) or a negative eigenvalue
  of the weighted Gram matrix (squared loss), in which case the unpenalised objective decreases
  without bound (with the ridge it is bounded but its minimiser sits at a norm of order
  :math:`1/\lambda`). Probed directions: the coordinate axes, the fitted point and the step from
  the naive estimate, and the two lowest-curvature eigenvectors of
  :math:`\nabla^2 F^{bc}(\hat\theta^{aug})`, each with both signs; the probe is sufficient, not
  necessary.

Gradients and Hessians come from :mod:`synthaug.core.glm`; eigenvalues and solves from
:mod:`synthaug.core.linalg` (plain XLA, no LAPACK custom call).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from synthaug.core import linalg as smalllinalg
from synthaug.core.glm import penalised_gradient, penalised_hessian, weighted_gram
from synthaug.core.losses import Loss

__all__ = ["one_step", "unboundedness_check"]


def one_step(loss: Loss, theta_naive, X_aug, y_aug, w_aug, X_bc, y_bc, w_bc, ridge):
    r"""One Newton step of the corrected penalised objective from ``theta_naive``.

    Uses the corrected Hessian when it is positive definite, else the augmented one
    (always positive definite). Returns ``(theta, negative_curvature, min_eig)``.
    The eigenvalue and the solve use :mod:`synthaug.core.linalg` (plain XLA, no LAPACK
    custom call), which avoids a jaxlib 0.10 thread-pool deadlock of batched LAPACK calls.
    """
    Za, Zb = loss.features(X_aug), loss.features(X_bc)
    wa = w_aug / jnp.sum(w_aug)
    wb = w_bc / jnp.sum(w_bc)
    g = penalised_gradient(loss, theta_naive, Zb, y_bc, wb, ridge)
    Hb = penalised_hessian(loss, theta_naive, Zb, y_bc, wb, ridge)
    Ha = penalised_hessian(loss, theta_naive, Za, y_aug, wa, ridge)
    min_eig = smalllinalg.eigvalsh(Hb)[0]
    scale = jnp.max(jnp.abs(jnp.diag(Hb)))
    pd = min_eig > 1e-10 * scale
    H = jnp.where(pd, Hb, Ha)
    step = smalllinalg.spd_solve(H, g)
    return theta_naive - step, ~pd, min_eig


def _recession_slopes(loss: Loss, V, Z, y, wn):
    """Logistic recession slopes :math:`F_\\infty(v) = \\sum w_i[\\max(v^\\top z_i, 0) - y_i v^\\top z_i]` per row of V."""
    S = Z @ V.T  # (n, k)
    r = jnp.maximum(S, 0.0) - y[:, None] * S
    return wn @ r


def unboundedness_check(loss: Loss, theta, theta_naive, X, y, w, ridge, *, max_step: float = 100.0):
    r"""Safeguard diagnostics of a fit of a signed-weight objective (see module docstring).

    Returns ``(unbounded, negative_curvature, min_eig, recession)``:
    ``unbounded`` is a recession direction with negative slope (logistic), a
    negative eigenvalue of the weighted Gram (squared), or a diverging norm.
    """
    Z = loss.features(X)
    y = jnp.asarray(y, Z.dtype)
    wn = w / jnp.sum(w)
    p = Z.shape[1]
    H = penalised_hessian(loss, theta, Z, y, wn, ridge)
    evals = smalllinalg.eigvalsh(H)
    scale = jnp.maximum(jnp.max(jnp.abs(jnp.diag(H))), 1e-300)
    negative_curvature = evals[0] <= 1e-10 * scale
    big = jnp.linalg.norm(theta - theta_naive) > max_step * (1.0 + jnp.linalg.norm(theta_naive))
    nonfinite = ~jnp.all(jnp.isfinite(theta))
    if loss.quadratic:
        G = weighted_gram(Z, wn)
        rec = smalllinalg.eigvalsh(G)[0]
        unb = rec < -1e-12 * jnp.maximum(jnp.max(jnp.abs(jnp.diag(G))), 1e-300)
        return unb | big | nonfinite, negative_curvature, evals[0], rec
    H0 = penalised_hessian(loss, theta_naive, Z, y, wn, ridge)
    _, vecs = smalllinalg.eigh(H0)

    def unit(v):
        n = jnp.linalg.norm(v)
        return jnp.where(n > 0, v / jnp.maximum(n, 1e-300), jnp.zeros_like(v))

    th = jnp.where(jnp.isfinite(theta), theta, 0.0)
    cand = jnp.concatenate([jnp.eye(p, dtype=Z.dtype), unit(th)[None], unit(th - theta_naive)[None],
                            vecs[:, :2].T], axis=0)
    V = jnp.concatenate([cand, -cand])
    slopes = _recession_slopes(loss, V, Z, y, wn)
    norms = jnp.linalg.norm(V, axis=1)
    slopes = jnp.where(norms > 0.5, slopes, jnp.inf)
    rec = jnp.min(slopes)
    return (rec < -1e-12) | big | nonfinite, negative_curvature, evals[0], rec


class UnstableCorrectionWarning(UserWarning):
    """The one-step correction moved the estimate by more than its own size."""


#: Threshold of :func:`step_ratio_message`: a correction larger than the naive estimate itself.
STEP_RATIO_LIMIT = 1.0


def step_ratio(theta_onestep, theta_naive) -> np.ndarray:
    r""":math:`\lVert\hat\theta^{os} - \hat\theta^{aug}\rVert / \lVert\hat\theta^{aug}\rVert`, over the last axis."""
    naive = np.asarray(theta_naive, float)
    step = np.asarray(theta_onestep, float) - naive
    return np.linalg.norm(step, axis=-1) / np.maximum(np.linalg.norm(naive, axis=-1), 1e-300)


def step_ratio_message(ratio: float, where: str = "") -> str | None:
    """The caution shown when the one-step correction is larger than the estimate (None otherwise).

    The same text for the Python API (:func:`~synthaug.bias_correction.bias_corrected_fit`,
    as an :class:`UnstableCorrectionWarning`) and ``synthaug bias-correct`` (in the report).
    """
    if not ratio > STEP_RATIO_LIMIT:
        return None
    return (f"the one-step correction moves the estimate by {ratio:.1f}x its own size{where}: the bias estimate is "
            "noisy relative to the curvature (near separation or few minority rows per feature); a larger ridge "
            "or fewer features make it stable")
