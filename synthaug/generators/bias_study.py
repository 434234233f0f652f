r"""Generators used by the bias-correction designs (same :class:`~synthaug.generators.basic.Generator` protocol).

* ``shrink(c, noise)``: a deliberately biased generator,
  :math:`\tilde x = \bar x + c\,(x_I - \bar x) + \sigma\varepsilon` with :math:`x_I` a
  bootstrap row, :math:`\varepsilon \sim N(0, I)`. Its covariance is
  :math:`c^2\hat\Sigma + \sigma^2 I`: a systematic contraction that does not vanish as
  :math:`n_1` grows (clean naive-plateau asymptotics; note §4).
* ``bootstrap()``: random oversampling (rows with replacement), the "unbiased for fixed θ"
  reference (for the paired bias estimate, :math:`E\hat\psi(\theta) = 0` exactly).
* ``gmm(n_components, covariance, n_iter, reg)``: a Gaussian mixture fitted by EM in JAX
  (fixed number of iterations, ``lax.fori_loop``; diagonal or full covariances), then
  sampled. Initialisation: means at ``n_components`` distinct rows chosen by the key,
  covariances at the pooled sample covariance, equal weights. Every covariance gets
  ``reg · tr(S)/d`` added to its diagonal (keeps it positive definite when a component
  has fewer rows than dimensions). Pure and vmappable (fixed shapes).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.generators.basic import Generator, random_oversampling

__all__ = ["shrink", "bootstrap", "smote_global", "gmm", "fit_gmm", "sample_gmm"]


def smote_global(name: str = "smote-global") -> Generator:
    r"""SMOTE with k = n1 − 1 (every other row is a neighbour), sampled directly.

    With k = n1 − 1 the neighbour of base row :math:`i` is uniform over the other rows, so
    :math:`j = (i + U\{1, n_1-1\}) \bmod n_1` draws it exactly without a kNN search
    (the same law as :func:`synthaug.generators.basic.smote` with ``k = n1 - 1``).
    """

    def fn(key, X, n):
        n1 = X.shape[0]
        kb, kj, ku = jax.random.split(key, 3)
        i = jax.random.randint(kb, (n,), 0, n1)
        j = (i + jax.random.randint(kj, (n,), 1, n1)) % n1
        u = jax.random.uniform(ku, (n, 1), X.dtype)
        return X[i] + u * (X[j] - X[i])

    return Generator(name, fn, min_rows=2)


def shrink(c: float = 0.7, noise: float = 0.1, name: str = "shrink") -> Generator:
    r"""Biased contraction toward the sample mean: :math:`\bar x + c(x_I - \bar x) + \sigma\varepsilon`."""
    if not np.isfinite(c) or not 0.0 <= c <= 1.0:
        raise ValueError(f"shrink factor c must lie in [0, 1]; got {c}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite non-negative number; got {noise}")

    def fn(key, X, n):
        kb, kn = jax.random.split(key)
        m = jnp.mean(X, axis=0)
        idx = jax.random.randint(kb, (n,), 0, X.shape[0])
        return m + c * (X[idx] - m) + noise * jax.random.normal(kn, (n, X.shape[1]), X.dtype)

    return Generator(name, fn)


def bootstrap(name: str = "bootstrap") -> Generator:
    """Random oversampling under the name used by the bias-correction designs."""
    return random_oversampling(name)


def _log_gauss(X, mean, cov):
    """log N(x; mean, cov) for rows of X, one component."""
    d = X.shape[1]
    L = jnp.linalg.cholesky(cov)
    r = jax.scipy.linalg.solve_triangular(L, (X - mean).T, lower=True)
    return -0.5 * jnp.sum(r * r, axis=0) - jnp.sum(jnp.log(jnp.diag(L))) - 0.5 * d * jnp.log(2 * jnp.pi)


def fit_gmm(key, X, n_components: int = 2, covariance: str = "full", n_iter: int = 50, reg: float = 1e-3):
    """EM for a Gaussian mixture: returns ``(weights (K,), means (K, d), covs (K, d, d))``."""
    n, d = X.shape
    K = n_components
    S = jnp.cov(X, rowvar=False).reshape(d, d)
    jit = (reg * jnp.trace(S) / d + 1e-12) * jnp.eye(d, dtype=X.dtype)
    idx = jax.random.choice(key, n, (K,), replace=False)
    means = X[idx]
    covs = jnp.broadcast_to(S + jit, (K, d, d))
    if covariance == "diag":
        covs = covs * jnp.eye(d, dtype=X.dtype)
    logw = jnp.full(K, -jnp.log(K), X.dtype)

    def body(_, state):
        logw, means, covs = state
        lp = jax.vmap(lambda m, c: _log_gauss(X, m, c))(means, covs) + logw[:, None]  # (K, n)
        resp = jnp.exp(lp - jax.scipy.special.logsumexp(lp, axis=0, keepdims=True))  # (K, n)
        nk = jnp.sum(resp, axis=1) + 1e-10
        means = (resp @ X) / nk[:, None]
        diff = X[None, :, :] - means[:, None, :]  # (K, n, d)
        covs = jnp.einsum("kn,kni,knj->kij", resp, diff, diff) / nk[:, None, None] + jit
        if covariance == "diag":
            covs = covs * jnp.eye(d, dtype=X.dtype)
        return jnp.log(nk / n), means, covs

    return jax.lax.fori_loop(0, n_iter, body, (logw, means, covs))


def sample_gmm(key, logw, means, covs, n: int):
    kc, kz = jax.random.split(key)
    comp = jax.random.categorical(kc, logw, shape=(n,))
    L = jnp.linalg.cholesky(covs)  # (K, d, d)
    z = jax.random.normal(kz, (n, means.shape[1]), means.dtype)
    return means[comp] + jnp.einsum("nij,nj->ni", L[comp], z)


def gmm(n_components: int = 2, covariance: str = "full", n_iter: int = 50, reg: float = 1e-3,
        name: str = "gmm") -> Generator:
    """Gaussian-mixture generator fitted by EM (see module docstring)."""
    if int(n_components) != n_components or n_components < 1:
        raise ValueError(f"n_components must be a positive integer; got {n_components}")
    if covariance not in ("full", "diag"):
        raise ValueError(f"covariance must be 'full' or 'diag'; got {covariance!r}")
    if not np.isfinite(reg) or reg <= 0:
        raise ValueError(f"reg must be positive; got {reg}")
    K = int(n_components)

    def fn(key, X, n):
        kf, ks = jax.random.split(key)
        logw, means, covs = fit_gmm(kf, X, K, covariance, int(n_iter), reg)
        return sample_gmm(ks, logw, means, covs, n)

    return Generator(name, fn, min_rows=max(2, K))
