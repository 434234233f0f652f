r"""The estimators on equal terms and the bias-corrected fit.

Lyu, Ma, Zhang & Zhang (2025), *Bias-Corrected Data Synthesis for Imbalanced Learning*
(arXiv 2510.26046). :func:`fit_estimator` fits ``raw`` (pooled ERM on real data),
``reweight`` (class-balanced weights), ``naive`` (augmented) or ``bc`` (corrected), each one call
of :func:`~synthaug.core.fit.weighted_fit` on a weight vector (:mod:`synthaug.bias_correction.objective`).

:func:`bias_corrected_fit` runs the whole procedure: synthesise the minority, estimate
:math:`\hat\psi` (:mod:`synthaug.bias_correction.estimate`), fit the naive estimate
:math:`\hat\theta^{aug}` and correct it (:func:`corrected_fit`) by one of two corrections
(``correction=``):

* ``"one-step"`` (**the default**): one Newton step of the corrected penalised objective from
  the naive estimate (:func:`~synthaug.bias_correction.safeguard.one_step`). It never optimises
  a non-convex objective, is always finite and has the same first-order expansion as the full
  minimiser; in the ``bias-correction`` simulation design (:mod:`synthaug.designs.bias_correction`)
  it is at least as accurate as the full minimisation and always stable.
* ``"full"``: minimise :math:`F^{bc}` by :func:`~synthaug.core.fit.weighted_fit` warm-started at
  :math:`\hat\theta^{aug}`, then inspect the result
  (:func:`~synthaug.bias_correction.safeguard.unboundedness_check`; Newton not converged counts
  too). When anything is flagged and ``fallback=True`` (default) the returned ``theta`` is the
  one-step estimate and ``fallback_used`` says so; the full solver's own iterate stays in
  ``theta_full``.
"""

from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.bias_correction.estimate import BiasEstimate, _check_generator_block, block_layout, estimate_bias, \
    psi_hat
from synthaug.bias_correction.objective import _weighting_check, augmented_design, corrected_design, \
    correction_coefficient
from synthaug.bias_correction.safeguard import UnstableCorrectionWarning, one_step, step_ratio, step_ratio_message, \
    unboundedness_check
from synthaug.core.fit import FitResult, weighted_fit
from synthaug.core.losses import Loss
from synthaug.core.validation import check_features, check_int, check_magnitudes, is_concrete
from synthaug.generators import Generator

__all__ = ["BCFit", "METHODS", "fit_estimator", "bias_corrected_fit", "corrected_fit"]

#: Estimator names of :func:`fit_estimator`.
METHODS = ("raw", "reweight", "naive", "bc")


class BCFit(NamedTuple):
    """Result of :func:`bias_corrected_fit` (a pytree; batched under ``vmap``).

    Attributes
    ----------
    theta
        the corrected estimate (one-step, full, or the one-step fallback).
    theta_naive
        the naive augmented estimate :math:`\\hat\\theta^{aug}`.
    theta_onestep
        the one-step estimate.
    theta_full
        the full solver's iterate (equal to ``theta_onestep`` for ``"one-step"``).
    converged
        the naive fit converged and (``"full"``) the full solver converged.
    unbounded
        a recession direction or a diverging norm was found (``"full"`` only).
    negative_curvature
        the corrected Hessian was not positive definite (at the
        naive estimate for ``"one-step"``, at the returned point for ``"full"``).
    fallback_used
        ``"full"`` was flagged and ``theta`` is the one-step estimate.
    min_eig
        smallest eigenvalue of the corrected penalised Hessian at the full
        iterate (``"full"``) or at the naive estimate (``"one-step"``).
    recession
        smallest probed recession slope :math:`F_\\infty(v)` (negative:
        unbounded below without the ridge).
    beta
        the correction coefficient used.
    psi_naive
        :math:`\\hat\\psi(\\hat\\theta^{aug})`.
    """

    theta: jax.Array
    theta_naive: jax.Array
    theta_onestep: jax.Array
    theta_full: jax.Array
    converged: jax.Array
    unbounded: jax.Array
    negative_curvature: jax.Array
    fallback_used: jax.Array
    min_eig: jax.Array
    recession: jax.Array
    beta: jax.Array
    psi_naive: jax.Array


def fit_estimator(loss: Loss, method: str, X0, X1, X_syn=None, bias: BiasEstimate | None = None, beta=None, *,
                  ridge: float = 1e-8, weighting: str = "pooled", theta0=None, max_iter: int = 100,
                  tol=None) -> FitResult:
    """Raw, reweighted, naive or (full) corrected estimator, each as one :func:`~synthaug.core.fit.weighted_fit` call.

    ``raw``: pooled ERM on real rows; ``reweight``: class-balanced ERM on real rows;
    ``naive``: augmented ERM (``weighting``); ``bc``: the corrected weighted ERM
    (needs ``bias`` and ``beta``; no safeguard here — see :func:`bias_corrected_fit`).
    """
    if method == "raw":
        X, y, w = augmented_design(X0, X1, None, "pooled")
    elif method == "reweight":
        X, y, w = augmented_design(X0, X1, None, "balanced")
    elif method == "naive":
        X, y, w = augmented_design(X0, X1, X_syn, weighting)
    elif method == "bc":
        if bias is None or beta is None:
            raise ValueError("the corrected estimator needs a bias estimate and beta")
        X, y, w = corrected_design(X0, X1, X_syn, bias, beta, weighting)
    else:
        raise ValueError(f"unknown estimator {method!r}; choose one of {METHODS}")
    return weighted_fit(loss, X, y, w, ridge=ridge, theta0=theta0, max_iter=max_iter, tol=tol)


def _validate_fit_inputs(X0, X1, generator, n_synthetic, method, correction, weighting, proxy_label):
    if correction not in ("one-step", "full"):
        raise ValueError(f"unknown correction {correction!r}; use 'one-step' or 'full'")
    if method not in ("paired", "heldout"):
        raise ValueError(f"unknown bias estimate {method!r}; use 'paired' or 'heldout'")
    _weighting_check(weighting)
    check_int(proxy_label, "proxy_label", 0, maximum=1)
    if not isinstance(generator, Generator):
        raise ValueError(f"generator must be a synthaug Generator; got {type(generator).__name__}")
    check_int(n_synthetic, "n_synthetic", 0)
    if is_concrete(X0, X1):
        A = check_features(X0, "X_majority")
        Bm = check_features(X1, "X_minority", min_rows=generator.min_rows if n_synthetic else 1)
        if A.shape[1] != Bm.shape[1]:
            raise ValueError(f"X_majority has {A.shape[1]} columns but X_minority has {Bm.shape[1]}")
        # the Newton fits square the features: refuse columns whose squares overflow (or underflow)
        check_magnitudes(np.concatenate([A, Bm]), "X_majority and X_minority")


def bias_corrected_fit(
    loss: Loss,
    key,
    generator: Generator,
    X_majority,
    X_minority,
    n_synthetic: int | None = None,
    *,
    method: str = "paired",
    correction: str = "one-step",
    weighting: str = "pooled",
    beta: float | None = None,
    ridge: float = 1e-4,
    n_blocks: int | None = None,
    block_synthetic: int | None = None,
    cross_fit: bool = False,
    proxy_label: int = 1,
    fallback: bool = True,
    max_step: float = 100.0,
    max_iter: int = 100,
    tol: float | None = None,
) -> BCFit:
    r"""The bias-corrected estimator (see the module docstring for every step).

    Parameters
    ----------
    loss
        a :class:`~synthaug.core.losses.Loss`.
    key
        PRNG key (split for the minority synthesis and the bias estimate).
    generator
        a :class:`~synthaug.generators.basic.Generator`.
    X_majority, X_minority
        real rows of class 0 and class 1.
    n_synthetic
        :math:`\tilde n` (default :math:`n_0 - n_1`, full balancing). With
        :math:`\tilde n = 0` the result is the raw (pooled) or reweighted (balanced) fit.
    method
        ``"paired"`` or ``"heldout"`` bias estimate.
    correction
        ``"one-step"`` (default) or ``"full"``.
    weighting
        ``"pooled"`` (default) or ``"balanced"`` augmented loss.
    beta
        correction coefficient (default the exact coefficient of ψ).
    ridge
        ridge :math:`\lambda` of every fit, on the weight-normalised loss. The default
        1e-4 is the one of ``synthaug bias-correct`` and :class:`~synthaug.estimators.BiasCorrectedClassifier`:
        on real data near separation (e.g. ``digits-8``) a ridge of 1e-8 lets the
        one-step correction run to norms of 1e6. The theory designs, which study the
        unpenalised estimator, pass their own (1e-6 to 1e-8).
    n_blocks, block_synthetic, cross_fit, proxy_label
        settings of the bias estimate (:func:`~synthaug.bias_correction.estimate.estimate_bias`).
    fallback
        for ``"full"``, return the one-step estimate when the safeguard fires.
    max_step
        diverging-norm threshold of the safeguard
        (:func:`~synthaug.bias_correction.safeguard.unboundedness_check`).
    max_iter, tol
        Newton settings of :func:`~synthaug.core.fit.weighted_fit`.

    Returns
    -------
    BCFit
        Works under ``jit``/``vmap`` (all size arguments static).

    Warns
    -----
    UnstableCorrectionWarning
        When the one-step correction is larger than the naive estimate itself (the same
        caution as ``synthaug bias-correct``), outside ``jit``/``vmap``.

    Raises
    ------
    ValueError
        On bad concrete input, or when the majority cannot hold one block of the minority's
        size or the block is smaller than the generator needs.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug import bias_corrected_fit, logistic_loss, make_generator
    >>> rng = np.random.default_rng(0)
    >>> X0, X1 = rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0  # majority, minority
    >>> fit = bias_corrected_fit(logistic_loss(intercept=True), jax.random.PRNGKey(0), make_generator("smote"),
    ...                          X0, X1, n_synthetic=32)  # full balancing: 48 - 16 rows
    >>> fit.theta.shape, fit.theta_naive.shape
    ((3,), (3,))
    >>> bool(fit.converged)
    True
    """
    _validate_fit_inputs(X_majority, X_minority, generator, 1 if n_synthetic is None else n_synthetic,
                         method, correction, weighting, proxy_label)
    X0 = jnp.asarray(X_majority)
    if not jnp.issubdtype(X0.dtype, jnp.floating):
        X0 = X0.astype(jnp.result_type(float))
    X1 = jnp.asarray(X_minority, X0.dtype)
    n0, n1 = X0.shape[0], X1.shape[0]
    if n_synthetic is None:
        if n0 < n1:
            raise ValueError(f"the majority ({n0} rows) is smaller than the minority ({n1} rows): swap the classes "
                             "or pass n_synthetic explicitly")
        n_synthetic = n0 - n1
    n_synthetic = check_int(n_synthetic, "n_synthetic", 0)
    b = correction_coefficient(n0, n1, n_synthetic, weighting) if beta is None else float(beta)
    if not np.isfinite(b):
        raise ValueError(f"beta must be finite; got {beta}")
    if n_synthetic > 0 or b != 0.0:
        block_layout(n0, n1, method, n_blocks)  # clear errors before tracing
        _check_generator_block(generator, n1)
    result = _bc_fit(loss, key, generator, X0, X1, n_synthetic, method, correction, weighting,
                     jnp.asarray(b, X0.dtype), jnp.asarray(ridge, X0.dtype), n_blocks, block_synthetic, cross_fit,
                     proxy_label, fallback, float(max_step), max_iter, tol)
    if is_concrete(result.theta):  # under jit/vmap the caller sees the arrays, not a warning
        message = step_ratio_message(float(step_ratio(result.theta_onestep, result.theta_naive)))
        if message:
            warnings.warn(UnstableCorrectionWarning(message), stacklevel=2)
    return result


@functools.partial(jax.jit, static_argnames=("loss", "generator", "n_synthetic", "method", "correction",
                                             "weighting", "n_blocks", "block_synthetic", "cross_fit",
                                             "proxy_label", "fallback", "max_step", "max_iter", "tol"))
def _bc_fit(loss, key, generator, X0, X1, n_synthetic, method, correction, weighting, beta, ridge, n_blocks,
            block_synthetic, cross_fit, proxy_label, fallback, max_step, max_iter, tol):
    dtype = X0.dtype
    k_syn, k_bias, _ = jax.random.split(key, 3)  # the same keys as compare_estimators (paired estimate)
    n1, d = X1.shape
    X_syn = (generator(k_syn, X1, n_synthetic, X_majority=X0) if n_synthetic > 0
             else jnp.zeros((0, d), dtype))
    if n_synthetic > 0:
        bias = estimate_bias(k_bias, generator, X0, n1, method=method, n_blocks=n_blocks,
                             block_synthetic=block_synthetic, cross_fit=cross_fit, proxy_label=proxy_label,
                             X_minority=X1)
    else:  # no synthetic rows: nothing to correct unless beta is forced; keep a shape-stable empty estimate
        bias = BiasEstimate(jnp.zeros((0, d), dtype), jnp.zeros(0, dtype), jnp.zeros(0, dtype))
    Xa, ya, wa = augmented_design(X0, X1, X_syn, weighting)
    return corrected_fit(loss, Xa, ya, wa, bias, beta, ridge=ridge, correction=correction, fallback=fallback,
                         max_step=max_step, max_iter=max_iter, tol=tol)


def corrected_fit(loss: Loss, X_aug, y_aug, w_aug, bias: BiasEstimate, beta, *, ridge=1e-8,
                  correction: str = "one-step", fallback: bool = True, max_step: float = 100.0,
                  max_iter: int = 100, tol=None) -> BCFit:
    r"""Naive fit of a given augmented design, then its correction by a given bias estimate.

    The generic core of :func:`bias_corrected_fit`, used directly by the extensions
    (:mod:`synthaug.bias_correction.extensions`: multi-task and treatment effects), where the augmented
    rows and the bias rows come from elsewhere. ``y_aug`` and ``bias.label`` may be soft
    labels in [0, 1] (logistic cross-entropy) — the extensions synthesise (x, y) pairs.
    Pure; call under ``jit``.
    """
    if correction not in ("one-step", "full"):
        raise ValueError(f"unknown correction {correction!r}; use 'one-step' or 'full'")
    dtype = X_aug.dtype
    beta = jnp.asarray(beta, dtype)
    Xb = jnp.concatenate([X_aug, jnp.asarray(bias.X, dtype)])
    yb = jnp.concatenate([jnp.asarray(y_aug, dtype), jnp.asarray(bias.label, dtype)])
    wb = jnp.concatenate([w_aug, -beta * jnp.asarray(bias.coef, dtype)])
    naive = weighted_fit(loss, X_aug, y_aug, w_aug, ridge=ridge, max_iter=max_iter, tol=tol)
    th_os, neg_os, eig_os = one_step(loss, naive.theta, X_aug, y_aug, w_aug, Xb, yb, wb, ridge)
    psi0 = psi_hat(loss, bias, naive.theta)
    false = jnp.asarray(False)
    if correction == "one-step":
        rec = jnp.asarray(jnp.inf, dtype)
        return BCFit(th_os, naive.theta, th_os, th_os, naive.converged, false, neg_os, false, eig_os, rec, beta,
                     psi0)
    full = weighted_fit(loss, Xb, yb, wb, ridge=ridge, theta0=naive.theta, max_iter=max_iter, tol=tol)
    unb, neg, eig, rec = unboundedness_check(loss, full.theta, naive.theta, Xb, yb, wb, ridge, max_step=max_step)
    flagged = unb | neg | ~full.converged
    use_fb = flagged & fallback
    theta = jnp.where(use_fb, th_os, full.theta)
    theta = jnp.where(jnp.all(jnp.isfinite(theta)), theta, naive.theta)
    return BCFit(theta, naive.theta, th_os, full.theta, naive.converged & full.converged, unb, neg, use_fb, eig,
                 rec, beta, psi0)
