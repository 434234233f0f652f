r"""The φ/ψ decomposition of the augmented risk and the theory synthetic size.

Ma & Zhang, "Synthetic Augmentation in Imbalanced Learning" (arXiv 2601.16120,
§1.5, §3). The algebra below is a reconstruction derived here from the paper's
definitions (the exact identity is re-derived, not quoted), checked against the
closed forms of the authors' reference implementation.

With :math:`n_0` majority rows, :math:`n_1` real minority rows, :math:`\tilde n`
synthetic rows from :math:`Q` and :math:`N = n_0 + n_1 + \tilde n`, the
population version of the pooled (unweighted) augmented objective satisfies the
exact identity

.. math::

   \frac{n_0 R_0 + n_1 R_1 + \tilde n R_Q}{N} = R_{bal} + a\,\varphi + b\,\psi,
   \qquad a = \frac{n_0 - n_1 - \tilde n}{2N},\quad b = \frac{\tilde n}{N},

with the intrinsic shift :math:`\varphi = R_0 - R_1` and the generator mismatch
:math:`\psi = R_Q - R_1`. At the balanced optimum :math:`\theta^*`,
:math:`g_\varphi = \nabla\varphi(\theta^*) = 2\nabla R_0(\theta^*)` and
:math:`g_\psi = \nabla R_Q(\theta^*) - \nabla R_1(\theta^*)`. The first-order bias of
the augmented estimator is :math:`-H_{aug}^{-1}(a g_\varphi + b g_\psi)`; its
projection on :math:`g_\varphi` vanishes at

.. math::

   \tilde n^* = \frac{n_0 - n_1}{1 - 2\langle g_\psi, g_\varphi\rangle / \lVert g_\varphi\rVert^2},

which is undefined ("no finite cancelling size") when the denominator is ≤ 0.
*Local symmetry* is :math:`g_\varphi = 0` (each class risk is stationary at
:math:`\theta^*`).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp

from synthaug.core.linalg import platform_spd_solve

__all__ = [
    "Decomposition",
    "decompose",
    "coefficients",
    "augmented_objective",
    "decomposed_objective",
    "theory_multiplier",
    "theory_size",
    "ExcessExpansion",
    "expected_excess",
    "augmented_target",
]


class Decomposition(NamedTuple):
    """Population decomposition at the balanced optimum (a pytree).

    ``r0, r1, rq, phi, psi`` are values at ``theta_star``; ``g_phi, g_psi`` the
    gradients; ``h0, h1, hq`` the Hessians of :math:`R_0, R_1, R_Q`; ``hessian``
    is :math:`H = \\tfrac12(H_0 + H_1) = \\nabla^2 R_{bal}(\\theta^*)`.
    """

    theta_star: jax.Array
    r0: jax.Array
    r1: jax.Array
    rq: jax.Array
    phi: jax.Array
    psi: jax.Array
    g_phi: jax.Array
    g_psi: jax.Array
    h0: jax.Array
    h1: jax.Array
    hq: jax.Array

    @property
    def hessian(self):
        return 0.5 * (self.h0 + self.h1)

    @property
    def cosine(self):
        """cos∠(g_φ, g_ψ) (nan if either vanishes)."""
        return jnp.dot(self.g_phi, self.g_psi) / (jnp.linalg.norm(self.g_phi) * jnp.linalg.norm(self.g_psi))

    @property
    def rho(self):
        """ρ = ‖g_ψ‖ / ‖g_φ‖."""
        return jnp.linalg.norm(self.g_psi) / jnp.linalg.norm(self.g_phi)


def decompose(risk0: Callable, risk1: Callable, riskq: Callable, theta_star) -> Decomposition:
    """Evaluate φ, ψ, their gradients and the class Hessians at ``theta_star`` by autodiff (jitted).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import decompose
    >>> r0 = lambda t: jnp.sum((t - 1.0) ** 2)  # class risks R_0, R_1 and the synthetic risk R_Q
    >>> r1 = lambda t: jnp.sum((t + 1.0) ** 2)
    >>> rq = lambda t: jnp.sum((t + 0.5) ** 2)
    >>> dec = decompose(r0, r1, rq, jnp.zeros(2))  # theta* = 0 minimises (R_0 + R_1) / 2
    >>> dec.g_phi.tolist(), dec.g_psi.tolist()  # gradients of phi = R_0 - R_1 and psi = R_Q - R_1
    ([-4.0, -4.0], [-1.0, -1.0])
    >>> print(round(float(dec.cosine), 3), round(float(dec.rho), 3))
    1.0 0.25
    """

    def inner(th):
        r0, g0 = jax.value_and_grad(risk0)(th)
        r1, g1 = jax.value_and_grad(risk1)(th)
        rq, gq = jax.value_and_grad(riskq)(th)
        h0, h1, hq = (jax.hessian(f)(th) for f in (risk0, risk1, riskq))
        return Decomposition(th, r0, r1, rq, r0 - r1, rq - r1, g0 - g1, gq - g1, h0, h1, hq)

    return jax.jit(inner)(jnp.asarray(theta_star))


def coefficients(n0, n1, m):
    r"""The identity's coefficients :math:`(a, b) = ((n_0 - n_1 - \tilde n)/(2N),\ \tilde n/N)`."""
    N = n0 + n1 + m
    return (n0 - n1 - m) / (2.0 * N), m / N


def augmented_objective(r0, r1, rq, n0, n1, m):
    """Left side of the identity: the population pooled objective ``(n0 R0 + n1 R1 + m RQ)/N``."""
    return (n0 * r0 + n1 * r1 + m * rq) / (n0 + n1 + m)


def decomposed_objective(r0, r1, rq, n0, n1, m):
    """Right side of the identity: ``R_bal + a φ + b ψ``."""
    a, b = coefficients(n0, n1, m)
    return 0.5 * (r0 + r1) + a * (r0 - r1) + b * (rq - r1)


def theory_multiplier(g_phi, g_psi, atol: float = 1e-10):
    r"""Cancelling multiplier :math:`\gamma^* = 1 / (1 - 2\langle g_\psi, g_\varphi\rangle/\lVert g_\varphi\rVert^2)`.

    Returns ``nan`` when the denominator is ≤ 0 (no finite cancelling size) or
    :math:`\lVert g_\varphi\rVert \le` ``atol`` (local symmetry: no shift to
    cancel; population gradients that vanish analytically come out at rounding
    level, ~1e-16, not exactly 0). For *estimated* gradients use the Wald test
    of local symmetry instead of this threshold.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import theory_multiplier
    >>> float(theory_multiplier(jnp.array([-4.0, -4.0]), jnp.array([-1.0, -1.0])))  # 1 / (1 - 2 * 8 / 32)
    2.0
    >>> float(theory_multiplier(jnp.array([-4.0, -4.0]), jnp.array([-2.0, -2.0])))  # denominator 0: none
    nan
    """
    nrm2 = jnp.dot(g_phi, g_phi)
    den = 1.0 - 2.0 * jnp.dot(g_psi, g_phi) / jnp.where(nrm2 > 0, nrm2, 1.0)
    ok = (den > 0) & (nrm2 > atol**2)
    return jnp.where(ok, 1.0 / jnp.where(ok, den, 1.0), jnp.nan)


def theory_size(g_phi, g_psi, gap, atol: float = 1e-10):
    r"""Theory synthetic size :math:`\tilde n^* = \text{gap}\cdot\gamma^*` (``nan`` when none exists).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import theory_size
    >>> g_phi, g_psi = jnp.array([-4.0, -4.0]), jnp.array([-1.0, -1.0])
    >>> float(theory_size(g_phi, g_psi, gap=80))  # 80 * 2 synthetic rows
    160.0
    """
    return gap * theory_multiplier(g_phi, g_psi, atol)


class ExcessExpansion(NamedTuple):
    """Two-term expansion of the expected excess balanced risk over a grid of sizes."""

    m: jax.Array
    bias2: jax.Array
    variance: jax.Array

    @property
    def total(self):
        return self.bias2 + self.variance


def expected_excess(m, n0, n1, dec: Decomposition, sigma0, sigma1, sigmaq, psi_cov=None) -> ExcessExpansion:
    r"""Predicted :math:`E[R_{bal}(\hat\theta(\tilde n)) - R_{bal}(\theta^*)]` (squared bias + variance).

    With :math:`H_{aug} = (n_0 H_0 + n_1 H_1 + \tilde n H_Q)/N`,
    :math:`\beta = H_{aug}^{-1}(a g_\varphi + b g_\psi)` and
    :math:`\Sigma_{\tilde n} = (n_0\Sigma_0 + n_1\Sigma_1 + \tilde n\Sigma_Q)/N` (per-observation
    score covariances at :math:`\theta^*`):

    .. math::

       \tfrac12\beta^\top H\beta + \tfrac{b^2}{2}\operatorname{tr}(H_{aug}^{-1} H H_{aug}^{-1} C_\psi)
       + \frac{1}{2N}\operatorname{tr}(H H_{aug}^{-1}\Sigma_{\tilde n} H_{aug}^{-1}).

    :math:`C_\psi` (``psi_cov``) is :math:`E[g_\psi g_\psi^\top]` for a generator whose
    :math:`g_\psi` is random (e.g. fitted on the minority sample), with the
    deterministic part passed in ``dec.g_psi``. When :math:`H_{aug} = H` this is
    the note's :math:`\tfrac12\lVert a g_\varphi + b g_\psi\rVert^2_{H^{-1}} + \operatorname{tr}(H^{-1}\Sigma)/(2N)`
    (§3.2); the sandwich with :math:`H_{aug}` is our refinement for unbalanced
    pooling. Cross terms from fitting the generator on the same minority rows
    (SMOTE, Gaussian fit) are ignored, as in the note.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import decompose, expected_excess
    >>> r0 = lambda t: jnp.sum((t - 1.0) ** 2)
    >>> r1 = lambda t: jnp.sum((t + 1.0) ** 2)
    >>> rq = lambda t: jnp.sum((t + 0.5) ** 2)
    >>> dec = decompose(r0, r1, rq, jnp.zeros(2))
    >>> eye = jnp.eye(2)
    >>> ex = expected_excess(jnp.array([0.0, 80.0, 160.0]), 90, 10, dec, eye, eye, eye)
    >>> ex.total.shape
    (3,)
    >>> [round(float(b), 4) for b in ex.bias2]  # the squared bias vanishes at the theory size 160
    [1.28, 0.0988, 0.0]
    """
    m = jnp.atleast_1d(jnp.asarray(m, dec.g_phi.dtype))
    H = dec.hessian
    C = jnp.zeros_like(H) if psi_cov is None else psi_cov

    def one(mi):
        N = n0 + n1 + mi
        a, b = coefficients(n0, n1, mi)
        Ha = (n0 * dec.h0 + n1 * dec.h1 + mi * dec.hq) / N
        Hi = platform_spd_solve(Ha, jnp.eye(Ha.shape[0], dtype=Ha.dtype))
        beta = Hi @ (a * dec.g_phi + b * dec.g_psi)
        bias2 = 0.5 * beta @ H @ beta + 0.5 * b**2 * jnp.trace(Hi @ H @ Hi @ C)
        S = (n0 * sigma0 + n1 * sigma1 + mi * sigmaq) / N
        var = jnp.trace(H @ Hi @ S @ Hi) / (2.0 * N)
        return bias2, var

    bias2, var = jax.vmap(one)(m)
    return ExcessExpansion(m, bias2, var)


def augmented_target(risk0, risk1, riskq, n0, n1, m, theta0, n_iter: int = 60):
    r"""Population limit of the augmented estimator at fixed ratios:
    :math:`\arg\min (n_0 R_0 + n_1 R_1 + \tilde n R_Q)/N` (Newton, autodiff)."""
    from synthaug.theory.populations import minimize

    f = lambda th: augmented_objective(risk0(th), risk1(th), riskq(th), n0, n1, m)
    return jax.jit(lambda t0: minimize(f, t0, n_iter))(theta0)
