r"""Gaussian mixture fit by EM (Dempster, Laird & Rubin 1977), then sampled.

Model: :math:`p(x) = \sum_{c=1}^{K} \pi_c\, N(x; \mu_c, \Sigma_c)` with full or
diagonal :math:`\Sigma_c`. EM on the minority rows :math:`x_1..x_{n}`:

* E step: responsibilities
  :math:`r_{ic} = \pi_c N(x_i;\mu_c,\Sigma_c) / \sum_{c'} \pi_{c'} N(x_i;\mu_{c'},\Sigma_{c'})`
  (in log space, ``logsumexp``);
* M step: :math:`N_c = \sum_i r_{ic}`, :math:`\pi_c = N_c / n`,
  :math:`\mu_c = \sum_i r_{ic} x_i / N_c`,
  :math:`\Sigma_c = \sum_i r_{ic} (x_i-\mu_c)(x_i-\mu_c)^\top / N_c + \lambda I`
  (diagonal: only the diagonal), with the ridge
  :math:`\lambda = \texttt{reg\_covar}\cdot\overline{\mathrm{var}}(x)` relative
  to the mean column variance, so it is scale-free and keeps every
  :math:`\Sigma_c` positive definite (also for :math:`N_c < d`).

Initialisation: means by k-means++ seeding (rows drawn with probability
proportional to the squared distance to the nearest mean so far), the pooled
covariance (plus ridge) for every component, equal weights. Iterations stop when
the mean log-likelihood changes by less than ``tol`` or after ``max_iter``;
the trace is returned by :func:`fit_gmm` (EM never decreases it, up to the
ridge, which the tests check). Sampling: component :math:`c \sim \pi`, then
:math:`\mu_c + L_c z` with :math:`L_c L_c^\top = \Sigma_c`, :math:`z \sim N(0, I)`.
The whole fit is one jitted ``lax.while_loop`` per static configuration.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular
from jax.scipy.special import logsumexp

from synthaug.generators._neighbours import check_int
from synthaug.generators.basic import Generator

__all__ = ["gaussian_mixture", "fit_gmm", "sample_gmm", "GMMParams", "COVARIANCE_TYPES"]

COVARIANCE_TYPES = ("full", "diag")


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class GMMParams:
    """Mixture parameters: ``weights`` (K,), ``means`` (K, d), ``covs`` (K, d, d) full or (K, d) diagonal variances."""

    weights: jax.Array
    means: jax.Array
    covs: jax.Array


def _log_prob(X, p: GMMParams, cov_type: str):
    """log π_c + log N(x_i; μ_c, Σ_c), shape (n, K)."""
    d = X.shape[1]
    diff = X[None, :, :] - p.means[:, None, :]  # (K, n, d)
    if cov_type == "full":
        L = jnp.linalg.cholesky(p.covs)
        z = jax.vmap(lambda Lc, D: solve_triangular(Lc, D.T, lower=True).T)(L, diff)
        logdet = 2.0 * jnp.sum(jnp.log(jnp.diagonal(L, axis1=1, axis2=2)), axis=1)
        maha = jnp.sum(z * z, axis=2)
    else:
        logdet = jnp.sum(jnp.log(p.covs), axis=1)
        maha = jnp.sum(diff * diff / p.covs[:, None, :], axis=2)
    logn = -0.5 * (d * jnp.log(2.0 * jnp.pi) + logdet[:, None] + maha)
    return (jnp.log(p.weights)[:, None] + logn).T


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


def _m_step(X, resp, reg, cov_type):
    n, d = X.shape
    nk = jnp.sum(resp, axis=0) + 10 * jnp.finfo(X.dtype).eps
    means = resp.T @ X / nk[:, None]
    diff = X[None, :, :] - means[:, None, :]
    if cov_type == "full":
        covs = jnp.einsum("kn,kni,knj->kij", resp.T, diff, diff) / nk[:, None, None] + reg * jnp.eye(d, dtype=X.dtype)
    else:
        covs = jnp.einsum("kn,kni->ki", resp.T, diff * diff) / nk[:, None] + reg
    return GMMParams(nk / n, means, covs)


@partial(jax.jit, static_argnames=("n_components", "cov_type", "max_iter"))
def _fit(key, X, n_components: int, cov_type: str, max_iter: int, tol, reg_covar):
    n, d = X.shape
    K = n_components
    reg = reg_covar * jnp.mean(jnp.var(X, axis=0)) + jnp.finfo(X.dtype).tiny
    means0 = _kmeanspp(key, X, K)
    pooled = jnp.cov(X, rowvar=False).reshape(d, d)
    if cov_type == "full":
        covs = jnp.broadcast_to(pooled + reg * jnp.eye(d, dtype=X.dtype), (K, d, d))
    else:
        covs = jnp.broadcast_to(jnp.diagonal(pooled) + reg, (K, d))
    p0 = GMMParams(jnp.full((K,), 1.0 / K, X.dtype), means0, covs)
    trace0 = jnp.full((max_iter,), jnp.nan, X.dtype)

    def step(state):
        it, _, ll, p, trace = state
        lp = _log_prob(X, p, cov_type)
        norm = logsumexp(lp, axis=1, keepdims=True)
        new_ll = jnp.mean(norm)
        p = _m_step(X, jnp.exp(lp - norm), reg, cov_type)
        return it + 1, ll, new_ll, p, trace.at[it].set(new_ll)

    def cont(state):
        it, prev, ll, _, _ = state
        return (it < max_iter) & ((it < 2) | (jnp.abs(ll - prev) >= tol))

    init = (0, jnp.array(-jnp.inf, X.dtype), jnp.array(-jnp.inf, X.dtype), p0, trace0)
    it, _, ll, p, trace = jax.lax.while_loop(cont, step, init)
    return p, trace, it


def fit_gmm(key, X, n_components: int = 2, covariance_type: str = "full", max_iter: int = 100, tol: float = 1e-6,
            reg_covar: float = 1e-6):
    """EM fit: ``(GMMParams, loglik_trace, n_iter)``; the trace holds the mean log-likelihood before each M step (NaN after stopping)."""
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}")
    X = jnp.asarray(X)
    if X.shape[0] < n_components:
        raise ValueError(f"a {n_components}-component mixture needs at least {n_components} rows; got {X.shape[0]}")
    return _fit(key, X, n_components, covariance_type, max_iter, tol, reg_covar)


@partial(jax.jit, static_argnames=("n", "cov_type"))
def sample_gmm(key, p: GMMParams, n: int, cov_type: str = "full"):
    """``n`` draws from the mixture ``p``."""
    kc, kz = jax.random.split(key)
    c = jax.random.categorical(kc, jnp.log(p.weights), shape=(n,))
    z = jax.random.normal(kz, (n, p.means.shape[1]), p.means.dtype)
    if cov_type == "full":
        L = jnp.linalg.cholesky(p.covs)
        return p.means[c] + jnp.einsum("nij,nj->ni", L[c], z)
    return p.means[c] + jnp.sqrt(p.covs[c]) * z


def gaussian_mixture(n_components: int = 2, covariance_type: str = "full", max_iter: int = 100, tol: float = 1e-6,
                     reg_covar: float = 1e-6, name: str = "gmm") -> Generator:
    """Gaussian-mixture generator: EM fit on the minority (first half of the key), then sampling."""
    K = check_int(n_components, "n_components")
    max_iter = check_int(max_iter, "max_iter")
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}")
    if not np.isfinite(tol) or tol < 0 or not np.isfinite(reg_covar) or reg_covar < 0:
        raise ValueError(f"tol and reg_covar must be finite and non-negative; got {tol}, {reg_covar}")

    def fn(key, X, n):
        kf, ks = jax.random.split(key)
        p, _, _ = _fit(kf, X, K, covariance_type, max_iter, tol, reg_covar)
        return sample_gmm(ks, p, n, covariance_type)

    return Generator(name, fn, min_rows=max(2, K))
