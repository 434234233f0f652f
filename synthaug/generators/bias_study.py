"""Deprecated module: the bias-correction designs' generators moved to their concepts (removed in 0.3).

* ``shrink``, ``bootstrap``, ``smote_global`` -> :mod:`synthaug.generators.basic`;
* ``gmm`` -> :func:`synthaug.generators.mixture.gmm_em50` (the ``"random-rows"`` scheme of
  the one EM, :func:`synthaug.generators.mixture.fit_gmm`; same draws for the same key);
* ``fit_gmm``/``sample_gmm`` keep their old signatures here (``(logw, means, covs)``
  tuples, full covariance matrices) as thin wrappers over that EM, and warn when called.

Attribute access returns the very same objects as the new homes and emits a
``DeprecationWarning`` naming them.
"""

from __future__ import annotations

import warnings

import jax.numpy as jnp

from synthaug._deprecations import deprecated_aliases

_MOVED = {name: f"synthaug.generators.basic:{name}" for name in ("shrink", "bootstrap", "smote_global")}
_MOVED["gmm"] = "synthaug.generators.mixture:gmm_em50"

__getattr__ = deprecated_aliases(__name__, _MOVED)


def __dir__():
    return sorted(set(_MOVED) | {"fit_gmm", "sample_gmm"})


def _warn(name: str):
    warnings.warn(
        f"synthaug.generators.bias_study.{name} is deprecated; use synthaug.generators.mixture.{name} "
        "(em='random-rows', tol=None for the same fit; it returns GMMParams)",
        DeprecationWarning,
        stacklevel=3,
    )


def fit_gmm(key, X, n_components: int = 2, covariance: str = "full", n_iter: int = 50, reg: float = 1e-3):
    """Deprecated: EM fit returning ``(log weights (K,), means (K, d), covs (K, d, d))``.

    The ``"random-rows"`` scheme of :func:`synthaug.generators.mixture.fit_gmm` with exactly
    ``n_iter`` steps; diagonal covariances come back as diagonal (K, d, d) matrices.
    """
    from synthaug.generators import mixture

    _warn("fit_gmm")
    mixture._check_options(covariance, "random-rows")
    X = jnp.asarray(X)
    logw, p, _, _ = mixture._em(key, X, int(n_components), covariance, int(n_iter), False, 0.0, reg, "random-rows")
    return logw, p.means, p.covs


def sample_gmm(key, logw, means, covs, n: int):
    """Deprecated: ``n`` draws from the mixture ``(logw, means, covs)`` with full (K, d, d) covariances."""
    from synthaug.generators import mixture

    _warn("sample_gmm")
    return mixture._draw(key, jnp.asarray(logw), jnp.asarray(means), jnp.asarray(covs), int(n), "full")

