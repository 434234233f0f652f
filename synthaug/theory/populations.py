r"""Population models: class laws :math:`P_0`, :math:`P_1`, :math:`Q` and their exact risks.

A *law* samples feature vectors and gives the exact distribution of the linear
predictor :math:`\eta = \theta^\top z` as a finite mixture of normals, so
that the population risk :math:`R_y(\theta) = E\,f(\eta, y)` is computed without
Monte Carlo error:

* :class:`GaussianLaw` ``N(m, S)``: :math:`\eta \sim N(\theta^\top \bar z, \theta^\top S_z \theta)`,
  Gauss–Hermite quadrature (exact for the squared loss, error far below 1e-12 for
  the logistic loss at the scales used here).
* :class:`ShiftNoiseLaw` ``m + ξ`` with a centred, identity-covariance noise
  family (``gaussian``, ``uniform-cube`` on :math:`[-\sqrt3, \sqrt3]^d`,
  ``rademacher``, ``sphere`` of radius :math:`\sqrt d`): the squared-loss risk
  depends on the first two moments only,
  :math:`R_y(\theta) = (t_y - \theta^\top \bar z)^2 + \theta^\top S_z \theta`,
  which the same two-moment rule evaluates exactly. Logistic risks of these laws
  are not exact and are refused.
* :class:`TwoPointLogisticLaw`: the class-conditional laws of the logistic
  local-symmetry design (Ma & Zhang §5.3(b)); exact by enumerating the two atoms
  of :math:`T`, the random sign of the shift and Gauss–Hermite in the Gaussian
  part.

A :class:`Population` bundles a loss with :math:`P_0` (majority, class 0) and
:math:`P_1` (minority, class 1) and gives :math:`R_0`, :math:`R_1`,
:math:`R_{bal} = \tfrac12 R_0 + \tfrac12 R_1`, :math:`\theta^*` (closed form for
the squared loss, Newton on the exact population risk otherwise) and the excess
balanced risk. Score covariances, which need joint moments of :math:`(\eta, z)`,
are documented large-sample Monte Carlo estimates (:meth:`Population.score_covariance`).
"""

from __future__ import annotations

import dataclasses
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.linalg import platform_spd_solve
from synthaug.core.losses import Loss

__all__ = [
    "GaussianLaw",
    "ShiftNoiseLaw",
    "TwoPointLogisticLaw",
    "Population",
    "NOISE_FAMILIES",
    "sample_noise",
    "minimize",
]

_GH_NODES = 64
_GH_X, _gh_w = np.polynomial.hermite_e.hermegauss(_GH_NODES)
_GH_W = _gh_w / _gh_w.sum()  # probabilists' Hermite: E f(Z), Z ~ N(0, 1)

NOISE_FAMILIES = ("gaussian", "uniform-cube", "rademacher", "sphere")


def sample_noise(key, family: str, n: int, d: int, dtype):
    """Centred noise with identity covariance from one of :data:`NOISE_FAMILIES`."""
    if family == "gaussian":
        return jax.random.normal(key, (n, d), dtype)
    if family == "uniform-cube":
        r = jnp.sqrt(jnp.asarray(3.0, dtype))
        return jax.random.uniform(key, (n, d), dtype, -r, r)
    if family == "rademacher":
        return jax.random.rademacher(key, (n, d), dtype)
    if family == "sphere":
        g = jax.random.normal(key, (n, d), dtype)
        return jnp.sqrt(jnp.asarray(d, dtype)) * g / jnp.linalg.norm(g, axis=1, keepdims=True)
    raise ValueError(f"unknown noise family {family!r}; choose one of {NOISE_FAMILIES}")


def _elementwise_derivative(f):
    return jax.grad(lambda e: jnp.sum(f(e)))


@partial(jax.custom_jvp, nondiff_argnums=(0,))
def gauss_expect(f, mean, var):
    r""":math:`E f(\mu + \sqrt{v} Z)`, :math:`Z \sim N(0, 1)`, by 64-node Gauss–Hermite (elementwise in ``mean``, ``var``).

    Differentiated with the heat-equation identities
    :math:`\partial_\mu E f = E f'` and :math:`\partial_v E f = \tfrac12 E f''`, so
    derivatives of every order stay finite at :math:`v = 0` (where
    :math:`\sqrt v` is not differentiable).
    """
    mean, var = jnp.broadcast_arrays(mean, var)
    sd = jnp.sqrt(jnp.maximum(var, 0.0))[..., None]
    nodes = mean[..., None] + sd * jnp.asarray(_GH_X, mean.dtype)
    return jnp.sum(f(nodes) * jnp.asarray(_GH_W, mean.dtype), axis=-1)


@gauss_expect.defjvp
def _gauss_expect_jvp(f, primals, tangents):
    mean, var = primals
    dm, dv = tangents
    f1 = _elementwise_derivative(f)
    f2 = _elementwise_derivative(f1)
    out = gauss_expect(f, mean, var)
    return out, gauss_expect(f1, mean, var) * dm + 0.5 * gauss_expect(f2, mean, var) * dv


class _MomentLaw:
    """Shared helpers for laws described by a mean vector and covariance."""

    mean: np.ndarray
    cov: np.ndarray

    @property
    def dim(self) -> int:
        return int(np.asarray(self.mean).shape[0])

    def z_moments(self, intercept: bool, dtype):
        m = jnp.asarray(self.mean, dtype)
        S = jnp.asarray(self.cov, dtype)
        if intercept:
            m = jnp.concatenate([m, jnp.ones(1, dtype)])
            S = jnp.pad(S, ((0, 1), (0, 1)))
        return m, S

    def eta_mixture(self, theta, intercept: bool):
        """η is N(θᵀE z, θᵀ Cov(z) θ): one component (means, variances, weights)."""
        m, S = self.z_moments(intercept, theta.dtype)
        one = jnp.ones(1, theta.dtype)
        return (theta @ m) * one, (theta @ S @ theta) * one, one


@dataclasses.dataclass(frozen=True, eq=False)
class GaussianLaw(_MomentLaw):
    """Multivariate normal ``N(mean, cov)`` (cov defaults to the identity)."""

    mean: np.ndarray
    cov: np.ndarray | None = None

    def __post_init__(self):
        m = np.asarray(self.mean, float)
        object.__setattr__(self, "mean", m)
        cov = np.eye(m.size) if self.cov is None else np.asarray(self.cov, float)
        object.__setattr__(self, "cov", cov)
        if cov.shape != (m.size, m.size) or not np.allclose(cov, cov.T) or not np.all(np.isfinite(cov)):
            raise ValueError(f"cov must be a finite symmetric ({m.size}, {m.size}) matrix")
        vals, vecs = np.linalg.eigh(cov)
        if vals.min() < -1e-10 * max(1.0, vals.max()):
            raise ValueError("cov must be positive semi-definite")
        # Symmetric square root: works for singular (degenerate) covariances too.
        object.__setattr__(self, "_chol", vecs * np.sqrt(np.clip(vals, 0.0, None)))

    exact_logistic = True

    def sample(self, key, n: int, dtype=jnp.float64):
        z = jax.random.normal(key, (n, self.dim), dtype)
        return jnp.asarray(self.mean, dtype) + z @ jnp.asarray(self._chol, dtype).T

    def sample_noise(self, key, n: int, dtype=jnp.float64):
        return self.sample(key, n, dtype) - jnp.asarray(self.mean, dtype)


@dataclasses.dataclass(frozen=True, eq=False)
class ShiftNoiseLaw(_MomentLaw):
    """``mean + ξ`` with ξ centred, identity covariance, from a noise family."""

    mean: np.ndarray
    noise: str = "gaussian"

    def __post_init__(self):
        object.__setattr__(self, "mean", np.asarray(self.mean, float))
        if self.noise not in NOISE_FAMILIES:
            raise ValueError(f"unknown noise family {self.noise!r}; choose one of {NOISE_FAMILIES}")

    @property
    def cov(self):
        return np.eye(self.dim)

    @property
    def exact_logistic(self):
        return self.noise == "gaussian"

    def sample_noise(self, key, n: int, dtype=jnp.float64):
        return sample_noise(key, self.noise, n, self.dim, dtype)

    def sample(self, key, n: int, dtype=jnp.float64):
        return jnp.asarray(self.mean, dtype) + self.sample_noise(key, n, dtype)


@dataclasses.dataclass(frozen=True, eq=False)
class TwoPointLogisticLaw:
    r"""Class-conditional law of the logistic local-symmetry design (Ma & Zhang §5.3(b)).

    :math:`X = T e_1 + W`, :math:`T = -a` w.p. :math:`\alpha`, else :math:`b`;
    :math:`W` in coordinates 2..d is :math:`N(0, I) + s\,v`, :math:`s = \pm 1`
    equiprobable, :math:`v = (2.5, 2.5, 2.5, 0, \dots)`; :math:`P(Y = 1 \mid X) = \sigma(c X_1)`.
    ``label`` selects the law of X given Y = label (1 is the minority). W is
    independent of (T, Y), so only the law of T changes with the class:
    :math:`P(T=-a \mid Y=1) = \alpha\sigma(-ca)/\pi_1`,
    :math:`P(T=-a \mid Y=0) = \alpha\sigma(ca)/\pi_0`.
    """

    label: int
    d: int = 20
    a: float = 5.0
    b: float = 1.0
    c: float = 1.0
    shift: float = 2.5
    n_shift: int = 3

    exact_logistic = True

    @staticmethod
    def symmetric_alpha(a: float, b: float, c: float) -> float:
        r""":math:`\alpha = b s_b / (a s_a + b s_b)`, :math:`s_x = \sigma(cx)(1-\sigma(cx))`, so :math:`E[T\sigma'(cT)] = 0`."""
        s = lambda x: 1.0 / (1.0 + np.exp(-c * x)) * (1.0 - 1.0 / (1.0 + np.exp(-c * x)))
        return b * s(b) / (a * s(-a) + b * s(b))

    @property
    def alpha(self) -> float:
        return self.symmetric_alpha(self.a, self.b, self.c)

    @property
    def class_prob(self) -> tuple[float, float]:
        """:math:`(\\pi_0, \\pi_1)`, the marginal class probabilities."""
        sig = lambda x: 1.0 / (1.0 + np.exp(-x))
        p1 = self.alpha * sig(-self.c * self.a) + (1 - self.alpha) * sig(self.c * self.b)
        return 1.0 - p1, p1

    @property
    def prob_t_neg(self) -> float:
        """P(T = -a | Y = label)."""
        sig = lambda x: 1.0 / (1.0 + np.exp(-x))
        lik = sig(-self.c * self.a) if self.label == 1 else sig(self.c * self.a)
        return self.alpha * lik / self.class_prob[self.label]

    @property
    def dim(self) -> int:
        return self.d

    def _v(self, dtype):
        v = np.zeros(self.d - 1)
        v[: self.n_shift] = self.shift
        return jnp.asarray(v, dtype)

    def sample_noise(self, key, n: int, dtype=jnp.float64):
        raise ValueError("the two-point logistic law has no additive noise; the semi-oracle does not apply")

    def sample(self, key, n: int, dtype=jnp.float64):
        kt, ks, kw = jax.random.split(key, 3)
        t = jnp.where(jax.random.uniform(kt, (n,)) < self.prob_t_neg, -self.a, self.b).astype(dtype)
        s = jax.random.rademacher(ks, (n, 1), dtype)
        w = jax.random.normal(kw, (n, self.d - 1), dtype) + s * self._v(dtype)
        return jnp.concatenate([t[:, None], w], axis=1)

    def eta_mixture(self, theta, intercept: bool):
        """η given (T, s) is normal: four components over T ∈ {−a, b}, s = ±1."""
        dtype = theta.dtype
        c0 = theta[self.d] if intercept else jnp.asarray(0.0, dtype)
        th1, thw = theta[0], theta[1 : self.d]
        shift = jnp.dot(thw, self._v(dtype))
        pt = jnp.asarray([self.prob_t_neg, 1.0 - self.prob_t_neg], dtype)
        tv = jnp.asarray([-self.a, self.b], dtype)
        sv = jnp.asarray([-1.0, 1.0], dtype)
        means = (c0 + th1 * tv[:, None] + sv[None, :] * shift).reshape(-1)
        weights = (0.5 * pt[:, None] * jnp.ones((1, 2), dtype)).reshape(-1)
        return means, jnp.dot(thw, thw) * jnp.ones(4, dtype), weights


def law_risk(law, loss: Loss, theta, y: int):
    r"""Exact population risk :math:`E_{law}\,\ell(\theta; X, y)`."""
    if loss.kind == "logistic" and not getattr(law, "exact_logistic", False):
        raise ValueError(f"no exact logistic risk for {type(law).__name__} with noise {getattr(law, 'noise', '?')!r}")
    if loss.quadratic and hasattr(law, "z_moments"):
        # (t - θᵀ E z)^2 + θᵀ Cov(z) θ: exact, and cheap to differentiate.
        m, S = law.z_moments(loss.intercept, theta.dtype)
        t = loss.labels[1] if y else loss.labels[0]
        return (t - theta @ m) ** 2 + theta @ S @ theta
    means, variances, weights = law.eta_mixture(theta, loss.intercept)
    yv = jnp.asarray(float(y), theta.dtype)
    return jnp.dot(weights, gauss_expect(lambda e: loss.link(e, yv), means, variances))


def minimize(fun, theta0, n_iter: int = 60):
    """Newton's method on a smooth strictly convex population objective (autodiff)."""
    g, H = jax.grad(fun), jax.hessian(fun)

    def step(theta, _):
        return theta - platform_spd_solve(H(theta), g(theta)), None

    theta, _ = jax.lax.scan(step, theta0, None, length=n_iter)
    return theta


@dataclasses.dataclass(frozen=True, eq=False)
class Population:
    """Loss plus majority law ``p0`` and minority law ``p1`` (class 1)."""

    loss: Loss
    p0: object
    p1: object

    @property
    def d(self) -> int:
        return self.p0.dim

    @property
    def p(self) -> int:
        return self.loss.dim(self.d)

    def risk(self, law, theta, y: int = 1):
        """Population risk of ``law`` with label ``y`` (use for the generator law Q with y = 1)."""
        return law_risk(law, self.loss, theta, y)

    def risk0(self, theta):
        return law_risk(self.p0, self.loss, theta, 0)

    def risk1(self, theta):
        return law_risk(self.p1, self.loss, theta, 1)

    def balanced_risk(self, theta):
        r""":math:`R_{bal}(\theta) = \tfrac12 R_0(\theta) + \tfrac12 R_1(\theta)`."""
        return 0.5 * self.risk0(theta) + 0.5 * self.risk1(theta)

    @property
    def theta_star(self):
        r"""Balanced optimum :math:`\theta^* = \arg\min R_{bal}` (a concrete array, cached).

        It depends only on the population, so it is computed once and cached as a concrete
        array. Read first inside a ``jax.jit`` trace, it is evaluated as a constant of that
        trace (:func:`jax.ensure_compile_time_eval`); on the jax versions where that still
        yields a tracer (0.4.x) the traced value is used for that trace only and is not
        cached, so a later read outside computes the concrete one. The dtype is float64
        when x64 is enabled at the first read, float32 otherwise.
        """
        cached = self.__dict__.get("_theta_star")
        if cached is not None:
            return cached
        dtype = jnp.float64 if jax.config.jax_enable_x64 else jnp.float32
        n_iter = 1 if self.loss.quadratic else 60

        def solve():
            return jax.jit(lambda t: minimize(self.balanced_risk, t, n_iter))(jnp.zeros(self.p, dtype))

        theta = solve()
        if isinstance(theta, jax.core.Tracer):  # first read inside a trace: evaluate it as a constant
            try:
                with jax.ensure_compile_time_eval():
                    theta = solve()
            except jax.errors.UnexpectedTracerError:  # jax 0.4.x: keep the traced value, uncached
                pass
        if not isinstance(theta, jax.core.Tracer):  # never cache a tracer
            self.__dict__["_theta_star"] = theta
        return theta

    def excess_risk(self, theta):
        r"""Excess balanced risk :math:`R_{bal}(\theta) - R_{bal}(\theta^*)` (vectorised over leading axes)."""
        theta = jnp.asarray(theta)
        f = self.balanced_risk
        for _ in range(theta.ndim - 1):
            f = jax.vmap(f)
        return f(theta) - self.balanced_risk(self.theta_star.astype(theta.dtype))

    def sample(self, key, n0: int, n1: int, dtype=jnp.float64):
        """Majority and minority samples ``(X0, X1)``."""
        k0, k1 = jax.random.split(key)
        return self.p0.sample(k0, n0, dtype), self.p1.sample(k1, n1, dtype)

    def score_covariance(self, law, theta, y: int, key=None, n: int = 400_000):
        r"""Large-sample estimate of :math:`\mathrm{Cov}_{law}[\nabla_\theta \ell(\theta; X, y)]`.

        Monte Carlo with ``n`` draws (default 400,000, fixed key): the relative
        error of each entry is about :math:`n^{-1/2}` ≈ 0.2 %. Used only for the
        variance term of the predicted excess-risk curve.
        """
        key = jax.random.key(20260122) if key is None else key

        @jax.jit
        def cov(key, theta):
            X = law.sample(key, n, theta.dtype)
            Z = self.loss.features(X)
            d1, _ = self.loss.link_derivatives(Z @ theta, jnp.full(n, float(y), theta.dtype))
            return jnp.cov(Z * d1[:, None], rowvar=False)

        return cov(key, theta)
