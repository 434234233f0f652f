r"""Gaussian mixture fit by EM (Dempster, Laird & Rubin, 1977), then sampled: the one EM of synthaug.

Dempster, Laird & Rubin (1977), "Maximum Likelihood from Incomplete Data via the EM
Algorithm", JRSS B 39(1). Model: :math:`p(x) = \sum_{c=1}^{K} \pi_c\, N(x; \mu_c, \Sigma_c)`
with full or diagonal :math:`\Sigma_c`. EM on the minority rows :math:`x_1..x_{n}`:

* E step: responsibilities
  :math:`r_{ic} = \pi_c N(x_i;\mu_c,\Sigma_c) / \sum_{c'} \pi_{c'} N(x_i;\mu_{c'},\Sigma_{c'})`
  (in log space, ``logsumexp``);
* M step: :math:`N_c = \sum_i r_{ic}`, :math:`\pi_c = N_c / n`,
  :math:`\mu_c = \sum_i r_{ic} x_i / N_c`,
  :math:`\Sigma_c = \sum_i r_{ic} (x_i-\mu_c)(x_i-\mu_c)^\top / N_c + \lambda I`
  (diagonal: only the diagonal), with a ridge :math:`\lambda` that keeps every
  :math:`\Sigma_c` positive definite (also for :math:`N_c < d`).

Sampling: component :math:`c \sim \pi`, then :math:`\mu_c + L_c z` with
:math:`L_c L_c^\top = \Sigma_c`, :math:`z \sim N(0, I)`. The whole fit is one jitted
``lax.while_loop`` per static configuration.

Two EM schemes (the ``em`` option of :func:`fit_gmm`), kept because they differ in
their initialisation, their ridge and their floating-point rounding, so neither
reproduces the other's numbers:

``"kmeans++"`` (the default; registry name ``"gmm"``, :func:`gaussian_mixture`)
  Means by k-means++ seeding (Arthur & Vassilvitskii, 2007, "k-means++: The Advantages
  of Careful Seeding", SODA), the pooled covariance plus ridge for every component,
  equal weights; ridge :math:`\lambda = \max(\texttt{reg\_covar}, 10\,d\,\epsilon)\cdot
  \overline{\mathrm{var}}(x)` relative to the mean column variance (scale-free), with
  :math:`\epsilon` the machine epsilon of the data's dtype: the floor binds in float32 only
  (:math:`2.4\cdot10^{-5}` for :math:`d = 20`), where a ridge of :math:`10^{-6}` is below the
  rounding of the covariance sums and a shrinking component's Cholesky factor could fail. Iterations stop when the mean
  log-likelihood changes by less than ``tol`` or after ``max_iter``; the trace is
  returned by :func:`fit_gmm` (EM never decreases it, up to the ridge, which the tests
  check).

``"random-rows"`` (registry name ``"gmm-em50"``, :func:`gmm_em50`)
  The generator of the bias-correction designs and the digits study. Means at ``n_components`` distinct rows chosen by the key, the pooled covariance plus
  ridge for every component, equal weights; ridge
  :math:`\lambda = \texttt{reg}\cdot\mathrm{tr}(S)/d + 10^{-12}` with :math:`S` the
  unbiased pooled covariance; a fixed number of iterations (``tol=None``). Diagonal
  covariances are computed as masked full matrices, as in the original implementation.

Both are pure and vmappable (fixed shapes).
"""

from __future__ import annotations

import dataclasses
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular
from jax.scipy.special import logsumexp

from synthaug.core.validation import check_int, check_real
from synthaug.generators.basic import Generator

__all__ = ["gaussian_mixture", "gmm_em50", "fit_gmm", "sample_gmm", "GMMParams", "COVARIANCE_TYPES", "EM_SCHEMES"]

COVARIANCE_TYPES = ("full", "diag")
#: The two EM schemes of :func:`fit_gmm` (see the module docstring).
EM_SCHEMES = ("kmeans++", "random-rows")


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class GMMParams:
    """Mixture parameters: ``weights`` (K,), ``means`` (K, d), ``covs`` (K, d, d) full or (K, d) diagonal variances."""

    weights: jax.Array
    means: jax.Array
    covs: jax.Array


def _masked_full(cov_type: str, em: str) -> bool:
    # The "random-rows" scheme keeps diagonal covariances as masked (K, d, d) matrices
    # during the fit (its original rounding); they are returned as (K, d) variances.
    return cov_type == "full" or em == "random-rows"


def _log_prob(X, logw, means, covs, cov_type: str, em: str):
    """log π_c + log N(x_i; μ_c, Σ_c), shape (n, K)."""
    d = X.shape[1]
    if em == "random-rows":  # one component at a time, the original order of operations

        def one(mean, cov):
            L = jnp.linalg.cholesky(cov)
            r = solve_triangular(L, (X - mean).T, lower=True)
            return -0.5 * jnp.sum(r * r, axis=0) - jnp.sum(jnp.log(jnp.diag(L))) - 0.5 * d * jnp.log(2 * jnp.pi)

        return (jax.vmap(one)(means, covs) + logw[:, None]).T
    diff = X[None, :, :] - means[:, None, :]  # (K, n, d)
    if cov_type == "full":
        L = jnp.linalg.cholesky(covs)
        z = jax.vmap(lambda Lc, D: solve_triangular(Lc, D.T, lower=True).T)(L, diff)
        logdet = 2.0 * jnp.sum(jnp.log(jnp.diagonal(L, axis1=1, axis2=2)), axis=1)
        maha = jnp.sum(z * z, axis=2)
    else:
        logdet = jnp.sum(jnp.log(covs), axis=1)
        maha = jnp.sum(diff * diff / covs[:, None, :], axis=2)
    logn = -0.5 * (d * jnp.log(2.0 * jnp.pi) + logdet[:, None] + maha)
    return (logw[:, None] + logn).T


def _kmeanspp(key, X, K: int):
    """k-means++ seeding (Arthur & Vassilvitskii 2007): each next mean is a row drawn with probability ∝ D(x)²."""
    keys = jax.random.split(key, K)
    first = X[jax.random.randint(keys[0], (), 0, X.shape[0])]
    means = jnp.zeros((K, X.shape[1]), X.dtype).at[0].set(first)
    d2 = jnp.sum((X - first) ** 2, axis=1)
    for c in range(1, K):
        logits = jnp.where(d2 > 0, jnp.log(jnp.where(d2 > 0, d2, 1.0)), -jnp.inf)
        logits = jnp.where(jnp.any(d2 > 0), logits, 0.0)  # all rows equal: uniform
        row = X[jax.random.categorical(keys[c], logits)]
        means = means.at[c].set(row)
        d2 = jnp.minimum(d2, jnp.sum((X - row) ** 2, axis=1))
    return means


def _m_step(X, resp, reg, cov_type: str, em: str):
    """Weights, means and ridged covariances from the responsibilities ``resp`` (n, K)."""
    n, d = X.shape
    floor = 1e-10 if em == "random-rows" else 10 * jnp.finfo(X.dtype).eps  # keeps N_c > 0
    nk = jnp.sum(resp, axis=0) + floor
    means = resp.T @ X / nk[:, None]
    diff = X[None, :, :] - means[:, None, :]
    if _masked_full(cov_type, em):
        covs = jnp.einsum("kn,kni,knj->kij", resp.T, diff, diff) / nk[:, None, None] + reg * jnp.eye(d, dtype=X.dtype)
        if cov_type == "diag":
            covs = covs * jnp.eye(d, dtype=X.dtype)
    else:
        covs = jnp.einsum("kn,kni->ki", resp.T, diff * diff) / nk[:, None] + reg
    return nk / n, means, covs


def _em(key, X, n_components: int, cov_type: str, max_iter: int, early_stop: bool, tol, reg_covar, em: str):
    """The EM loop: ``(logw, GMMParams, trace, n_iter)``, covariances in the fit's storage
    (masked (K, d, d) for a diagonal "random-rows" fit; see :func:`_masked_full`)."""
    n, d = X.shape
    K = n_components
    pooled = jnp.cov(X, rowvar=False).reshape(d, d)
    if em == "kmeans++":
        # at least 10·d·eps of the dtype: in float32 a ridge of 1e-6 is below the rounding of the
        # covariance sums, and a component shrinking onto a few rows then loses positive definiteness
        # (NaN Cholesky); in float64 the floor (about 1e-14 for d = 20) never binds
        rel = jnp.maximum(jnp.asarray(reg_covar, X.dtype), 10 * d * jnp.finfo(X.dtype).eps)
        reg = rel * jnp.mean(jnp.var(X, axis=0)) + jnp.finfo(X.dtype).tiny
        means0 = _kmeanspp(key, X, K)
        logw0 = jnp.log(jnp.full((K,), 1.0 / K, X.dtype))
    else:
        reg = reg_covar * jnp.trace(pooled) / d + 1e-12
        means0 = X[jax.random.choice(key, n, (K,), replace=False)]
        logw0 = jnp.full(K, -jnp.log(K), X.dtype)
    if _masked_full(cov_type, em):
        covs0 = jnp.broadcast_to(pooled + reg * jnp.eye(d, dtype=X.dtype), (K, d, d))
        if cov_type == "diag":
            covs0 = covs0 * jnp.eye(d, dtype=X.dtype)
    else:
        covs0 = jnp.broadcast_to(jnp.diagonal(pooled) + reg, (K, d))
    weights0 = jnp.full((K,), 1.0 / K, X.dtype)
    trace0 = jnp.full((max_iter,), jnp.nan, X.dtype)

    def step(state):
        it, _, ll, logw, (w, means, covs), trace = state
        lp = _log_prob(X, logw, means, covs, cov_type, em)
        norm = logsumexp(lp, axis=1, keepdims=True)
        new_ll = jnp.mean(norm)
        # the carry keeps X's dtype (jax 0.4.x promotes some M-step constants to float64)
        w, means, covs = (a.astype(X.dtype) for a in _m_step(X, jnp.exp(lp - norm), reg, cov_type, em))
        return it + 1, ll, new_ll, jnp.log(w), (w, means, covs), trace.at[it].set(new_ll)

    def cont(state):
        it, prev, ll = state[:3]
        if not early_stop:
            return it < max_iter
        return (it < max_iter) & ((it < 2) | (jnp.abs(ll - prev) >= tol))

    minus_inf = jnp.array(-jnp.inf, X.dtype)
    init = (0, minus_inf, minus_inf, logw0, (weights0, means0, covs0), trace0)
    it, _, _, logw, (w, means, covs), trace = jax.lax.while_loop(cont, step, init)
    return logw, GMMParams(w, means, covs), trace, it


@partial(jax.jit, static_argnames=("n_components", "cov_type", "max_iter", "early_stop", "em"))
def _fit(key, X, n_components: int, cov_type: str, max_iter: int, early_stop: bool, tol, reg_covar, em: str):
    _, p, trace, it = _em(key, X, n_components, cov_type, max_iter, early_stop, tol, reg_covar, em)
    if p.covs.ndim == 3 and cov_type == "diag":
        p = GMMParams(p.weights, p.means, jnp.diagonal(p.covs, axis1=1, axis2=2))
    return p, trace, it


def _check_options(covariance_type: str, em: str):
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}")
    if em not in EM_SCHEMES:
        raise ValueError(f"em must be one of {EM_SCHEMES}; got {em!r}")


def fit_gmm(key, X, n_components: int = 2, covariance_type: str = "full", max_iter: int = 100, tol: float | None = 1e-6,
            reg_covar: float = 1e-6, *, em: str = "kmeans++"):
    """Fit a Gaussian mixture by EM.

    Parameters
    ----------
    key : jax.Array
        PRNG key of the initialisation.
    X : array of shape (n, d)
        The rows to fit (``n >= n_components``).
    n_components : int, default=2
        Number of components K.
    covariance_type : {"full", "diag"}, default="full"
        Full covariance matrices or diagonal variances.
    max_iter : int, default=100
        Most EM steps.
    tol : float or None, default=1e-6
        Stop when the mean log-likelihood changes by less than ``tol`` (after at least two
        steps); ``None`` runs exactly ``max_iter`` steps.
    reg_covar : float, default=1e-6
        Ridge, relative to the data's scale as defined by the scheme ``em``.
    em : {"kmeans++", "random-rows"}, default="kmeans++"
        The EM scheme (module docstring): initialisation, ridge scale and rounding.

    Returns
    -------
    params : GMMParams
        The fitted mixture.
    trace : array of shape (max_iter,)
        Mean log-likelihood before each M step (NaN after stopping).
    n_iter : int array
        Number of EM steps run.

    Raises
    ------
    ValueError
        For an unknown ``covariance_type`` or ``em``, or fewer rows than components.
    """
    _check_options(covariance_type, em)
    X = jnp.asarray(X)
    if X.shape[0] < n_components:
        raise ValueError(f"a {n_components}-component mixture needs at least {n_components} rows; got {X.shape[0]}")
    return _fit(key, X, n_components, covariance_type, max_iter, tol is not None, 0.0 if tol is None else tol, reg_covar, em)


@partial(jax.jit, static_argnames=("n", "cov_type"))
def sample_gmm(key, p: GMMParams, n: int, cov_type: str = "full"):
    """``n`` draws from the mixture ``p`` (``cov_type`` as in :func:`fit_gmm`)."""
    return _draw(key, jnp.log(p.weights), p.means, p.covs, n, cov_type)


def _draw(key, logw, means, covs, n: int, cov_type: str):
    kc, kz = jax.random.split(key)
    c = jax.random.categorical(kc, logw, shape=(n,))
    z = jax.random.normal(kz, (n, means.shape[1]), means.dtype)
    if cov_type == "full":
        L = jnp.linalg.cholesky(covs)
        return means[c] + jnp.einsum("nij,nj->ni", L[c], z)
    return means[c] + jnp.sqrt(covs[c]) * z


def _mixture_generator(K: int, cov_type: str, max_iter: int, tol, reg_covar, em: str, name: str) -> Generator:
    # Fit on the first half of the key, sample with the second. The "kmeans++" generator runs
    # the jitted fit and sampler; the "random-rows" one runs the same EM op by op outside jit
    # (the loop itself compiles), as its original implementation did, so that it keeps that
    # implementation's rounding exactly (XLA fuses a jitted program differently).
    early_stop, tol = tol is not None, 0.0 if tol is None else tol

    def fn(key, X, n):
        kf, ks = jax.random.split(key)
        if em == "kmeans++":
            p, _, _ = _fit(kf, X, K, cov_type, max_iter, early_stop, tol, reg_covar, em)
            return sample_gmm(ks, p, n, cov_type)
        logw, p, _, _ = _em(kf, X, K, cov_type, max_iter, early_stop, tol, reg_covar, em)
        return _draw(ks, logw, p.means, p.covs, n, "full" if _masked_full(cov_type, em) else cov_type)

    return Generator(name, fn, min_rows=max(2, K))


def gaussian_mixture(n_components: int = 2, covariance_type: str = "full", max_iter: int = 100, tol: float = 1e-6,
                     reg_covar: float = 1e-6, name: str = "gmm") -> Generator:
    """Gaussian-mixture generator (registry name ``"gmm"``): EM fit on the minority, then sampling.

    The ``"kmeans++"`` scheme of :func:`fit_gmm` (k-means++ seeding, ridge ``reg_covar``
    times the mean column variance, stop at ``tol``).

    Parameters
    ----------
    n_components, covariance_type, max_iter, tol, reg_covar
        As in :func:`fit_gmm`.
    name : str, default="gmm"
        The generator's name.

    Returns
    -------
    Generator
        Jitted fit on the first half of each key, jitted sampling with the second;
        needs ``max(2, n_components)`` minority rows.

    Raises
    ------
    ValueError
        For a non-positive-integer ``n_components`` or ``max_iter``, an unknown
        ``covariance_type``, or a negative or non-finite ``tol`` or ``reg_covar``.
    """
    K = check_int(n_components, "n_components")
    max_iter = check_int(max_iter, "max_iter")
    _check_options(covariance_type, "kmeans++")
    tol = check_real(tol, "tol", 0.0)
    reg_covar = check_real(reg_covar, "reg_covar", 0.0)
    return _mixture_generator(K, covariance_type, max_iter, tol, reg_covar, "kmeans++", name)


def gmm_em50(n_components: int = 2, covariance: str = "full", n_iter: int = 50, reg: float = 1e-3,
             name: str = "gmm-em50") -> Generator:
    """The bias-correction designs' Gaussian-mixture generator (registry name ``"gmm-em50"``).

    The ``"random-rows"`` scheme of :func:`fit_gmm` with exactly ``n_iter`` EM steps:
    initial means at distinct random rows, ridge ``reg · tr(S)/d`` (``S`` the pooled
    unbiased covariance). Formerly ``synthaug.generators.bias_study.gmm``; same draws for
    the same key.

    Parameters
    ----------
    n_components : int, default=2
        Number of components.
    covariance : {"full", "diag"}, default="full"
        Covariance type.
    n_iter : int, default=50
        Number of EM steps (no early stopping).
    reg : float, default=1e-3
        Ridge relative to tr(S)/d, > 0.
    name : str, default="gmm-em50"
        The generator's name.

    Returns
    -------
    Generator
        Fit on the first half of each key and sampling with the second, op by op
        outside ``jit`` (the original rounding); traceable inside ``jit``/``vmap``.

    Raises
    ------
    ValueError
        For a non-positive-integer ``n_components``, a negative ``n_iter``, an unknown
        ``covariance`` or a non-positive ``reg``.
    """
    K = check_int(n_components, "n_components")
    n_iter = check_int(n_iter, "n_iter", minimum=0)
    _check_options(covariance, "random-rows")
    reg = check_real(reg, "reg", 0.0, open_low=True)
    return _mixture_generator(K, covariance, n_iter, None, reg, "random-rows", name)
