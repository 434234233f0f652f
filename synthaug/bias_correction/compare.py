r"""All estimators on one data set, as one vectorised program (used by the designs and the CLI).

Lyu, Ma, Zhang & Zhang (2025), *Bias-Corrected Data Synthesis for Imbalanced Learning*
(arXiv 2510.26046). :func:`compare_estimators` fits the raw, reweighted and naive estimators
and three corrections (:data:`COMPARE_METHODS`) over one design holding every row; each
estimator is a weight vector over it, so one vmapped :func:`~synthaug.core.fit.weighted_fit`
serves all of them.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from synthaug.bias_correction.estimate import estimate_bias
from synthaug.bias_correction.objective import augmented_design, correction_coefficient
from synthaug.bias_correction.safeguard import one_step, unboundedness_check
from synthaug.core.fit import weighted_fit
from synthaug.core.losses import Loss
from synthaug.generators import Generator

__all__ = ["COMPARE_METHODS", "Comparison", "compare_estimators"]

#: Method names of :func:`compare_estimators`, in output order.
COMPARE_METHODS = ("raw", "reweight", "naive", "bc-heldout", "bc-paired", "bc-onestep")


class Comparison(NamedTuple):
    """Estimates of :data:`COMPARE_METHODS` on one data set.

    Attributes
    ----------
    theta
        (6, p) estimates in the order of :data:`COMPARE_METHODS`.
    flagged
        (6,) the safeguard fired (full corrections only; the returned estimate is
        then the one-step fallback of the same bias estimate).
    unbounded
        (6,) a recession direction or a diverging norm was found.
    """

    theta: jax.Array
    flagged: jax.Array
    unbounded: jax.Array


def compare_estimators(loss: Loss, key, generator: Generator, X0, X1, n_synthetic: int, *, ridge: float = 1e-8,
                       weighting: str = "pooled", cross_fit: bool = False, max_step: float = 100.0,
                       max_iter: int = 100, tol=None) -> Comparison:
    r"""Raw, reweighted, naive and the three corrected estimators on one data set (pure; jit/vmap-able).

    ``bc-heldout``: full correction with the held-out bias estimate; ``bc-paired``: full
    correction with the paired estimate; ``bc-onestep``: one-step correction with the paired
    estimate. The synthetic minority rows are shared by naive and every correction; all
    fits are :func:`~synthaug.core.fit.weighted_fit` calls. Sizes are static. Full
    corrections that trip the safeguard fall back to the one-step estimate of the same ψ̂.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug import compare_estimators, logistic_loss, make_generator
    >>> from synthaug.bias_correction.compare import COMPARE_METHODS
    >>> rng = np.random.default_rng(0)
    >>> X0, X1 = rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0
    >>> loss, smote = logistic_loss(intercept=True), make_generator("smote")
    >>> cmp = compare_estimators(loss, jax.random.PRNGKey(0), smote, X0, X1, 32)  # doctest: +SKIP
    >>> cmp.theta.shape == (len(COMPARE_METHODS), 3)  # one estimate per method  # doctest: +SKIP
    True
    """
    dtype = X0.dtype
    n0, n1 = X0.shape[0], X1.shape[0]
    k_syn, k_p, k_h = jax.random.split(key, 3)
    X_syn = generator(k_syn, X1, n_synthetic, X_majority=X0)
    beta = jnp.asarray(correction_coefficient(n0, n1, n_synthetic, weighting), dtype)
    b_p = estimate_bias(k_p, generator, X0, n1, method="paired", X_minority=X1)
    b_h = estimate_bias(k_h, generator, X0, n1, method="heldout", cross_fit=cross_fit, X_minority=X1)
    # One design holding every row; each estimator is a weight vector over it (zero weights switch
    # rows off), so a single vmapped weighted_fit serves all of them (one compiled Newton solver).
    Xa, ya, wa = augmented_design(X0, X1, X_syn, weighting)
    rh, rp = b_h.X.shape[0], b_p.X.shape[0]
    X = jnp.concatenate([Xa, b_h.X, b_p.X])
    y = jnp.concatenate([ya, b_h.label, b_p.label])
    na, n_real = Xa.shape[0], n0 + n1
    z = lambda k: jnp.zeros(k, dtype)
    w_raw = jnp.concatenate([jnp.full(n_real, 1.0 / n_real, dtype), z(na - n_real + rh + rp)])
    w_rew = jnp.concatenate([jnp.full(n0, 0.5 / n0, dtype), jnp.full(n1, 0.5 / n1, dtype), z(na - n_real + rh + rp)])
    w_naive = jnp.concatenate([wa, z(rh + rp)])
    w_h = jnp.concatenate([wa, -beta * b_h.coef, z(rp)])
    w_p = jnp.concatenate([wa, z(rh), -beta * b_p.coef])
    fit = lambda w, t0: weighted_fit(loss, X, y, w, ridge=ridge, theta0=t0, max_iter=max_iter, tol=tol)
    p = loss.dim(X.shape[1])
    first = jax.vmap(fit)(jnp.stack([w_raw, w_rew, w_naive]), jnp.zeros((3, p), dtype))
    th_naive = first.theta[2]
    W = jnp.stack([w_h, w_p])
    full = jax.vmap(fit)(W, jnp.stack([th_naive, th_naive]))
    th_os = jax.vmap(lambda w: one_step(loss, th_naive, X, y, w_naive, X, y, w, ridge)[0])(W)
    unb, neg, _, _ = jax.vmap(lambda th, w: unboundedness_check(loss, th, th_naive, X, y, w, ridge,
                                                                 max_step=max_step))(full.theta, W)
    flag = unb | neg | ~full.converged
    th_bc = jnp.where(flag[:, None], th_os, full.theta)
    thetas = jnp.concatenate([first.theta, th_bc, th_os[1:]])
    false = jnp.zeros(3, bool)
    return Comparison(thetas, jnp.concatenate([false, flag, false[:1]]), jnp.concatenate([false, unb, false[:1]]))
