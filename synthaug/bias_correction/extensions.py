r"""Extensions of the bias correction to multi-task learning and treatment effects.

Lyu, Ma, Zhang & Zhang (2025), *Bias-Corrected Data Synthesis for Imbalanced Learning*
(arXiv 2510.26046), state that the procedure extends to imbalanced **multi-task learning**
and to **causal inference** (ATE estimation with a bias–variance trade-off). The forms below
are this implementation's; every choice the paper does not pin down is marked *[choice]*.

Multi-task (:func:`multitask_bias`, :func:`multitask_fit`)
-----------------------------------------------------------
Tasks are imbalanced binary problems sharing the loss. A *data-poor* task has too few
rows to estimate the generator's bias well from its own majority, so ψ̂ is estimated on
the majority groups of *data-rich* tasks: each rich task's majority is cut into blocks of
the poor task's minority size, the same generator runs on every block, and the rich
tasks' paired (or held-out) estimates are averaged with equal task weights *[choice]*.
The poor task's parameter is then fitted by the corrected loss
:math:`L^{aug}_t - \beta_t\hat\psi_{rich}` (:func:`synthaug.bias_correction.fit.corrected_fit`).
No alignment of the rich tasks to the poor one *[choice]*; the transfer error grows with the
heterogeneity between the rich tasks' generator bias and the poor task's.

Average treatment effect (:func:`ate_estimates`)
------------------------------------------------
Binary treatment :math:`T` with a small treated group (:math:`n_1 \ll n_0`), binary
outcome, logistic outcome models :math:`\mu_t(x) = \sigma(\gamma_t^\top(x, 1))` *[choice]*.

* Outcome route: :math:`\hat\mu_0` by logistic regression on the controls;
  :math:`\hat\mu_1` on the treated rows, either raw, naively augmented with
  :math:`\tilde n = n_0 - n_1` synthetic treated units, or bias-corrected. Synthetic units
  are produced by running the generator on the joint rows :math:`(x, y)` *[choice]*; the
  synthetic outcome (interpolated, in [0, 1]) is used as a soft label in the logistic
  cross-entropy *[choice]*. ψ̂ comes from running the same generator on control blocks of
  size :math:`n_1` (joint :math:`(x, y)` rows, the controls' own outcomes as labels —
  real labels, no proxy).
* Propensity route: :math:`e(x) = P(T = 1\mid x)` is an imbalanced classification problem;
  the classifier is fitted raw (calibrated) or by the bias-corrected augmented fit on the
  covariates (treated = minority), whose balanced-prior intercept is moved back by
  :math:`\log(n_1/n_0)` *[choice: prior correction]*.
* Estimators: plug-in :math:`\hat\tau = n^{-1}\sum_i[\hat\mu_1(X_i) - \hat\mu_0(X_i)]`;
  AIPW :math:`n^{-1}\sum_i\varphi_i` with
  :math:`\varphi_i = \hat\mu_1 - \hat\mu_0 + T_i(Y_i - \hat\mu_1)/\hat e - (1 - T_i)(Y_i - \hat\mu_0)/(1 - \hat e)`;
  Hájek IPW. Propensities are clipped to [0.001, 0.999] *[choice]*.
* Standard errors *[choice]*: AIPW and plug-in: :math:`\mathrm{sd}(\varphi_i)/\sqrt n` (the
  efficient influence function at the fitted models; for the plug-in it ignores the
  difference between the two estimators, which is second order when both models are
  right); IPW: the influence function of the Hájek estimator with the propensity treated
  as known. None accounts for the reuse of the treated rows by the generator.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp

from synthaug.bias_correction.estimate import BiasEstimate, estimate_bias
from synthaug.bias_correction.fit import BCFit, corrected_fit
from synthaug.bias_correction.objective import augmented_design, correction_coefficient
from synthaug.core.fit import weighted_fit
from synthaug.core.glm import sandwich_cov  # re-exported: its home is synthaug.core.glm
from synthaug.core.losses import Loss, logistic_loss
from synthaug.core.validation import check_int
from synthaug.generators import Generator

__all__ = ["multitask_bias", "multitask_fit", "sandwich_cov", "ATEEstimates", "ATE_METHODS", "ate_estimates"]


# ---------------------------------------------------------------------------------------------
# Multi-task
# ---------------------------------------------------------------------------------------------


def multitask_bias(key, generator: Generator, rich_majorities, block_size: int, *, method: str = "paired",
                   proxy_label: int = 1) -> BiasEstimate:
    """Bias estimate averaged over data-rich tasks: ``rich_majorities`` has shape (R, n_r, d).

    Every rich task's majority is cut into blocks of ``block_size`` (the poor task's
    minority size); the per-task estimates (vmapped over tasks, split keys) are averaged
    with equal weights.
    """
    R = rich_majorities.shape[0]
    if rich_majorities.ndim != 3 or R < 1:
        raise ValueError(f"rich_majorities must have shape (tasks, rows, features); got {rich_majorities.shape}")
    keys = jax.random.split(key, R)
    est = jax.vmap(lambda k, X: estimate_bias(k, generator, X, block_size, method=method,
                                              proxy_label=proxy_label))(keys, rich_majorities)
    d = rich_majorities.shape[2]
    return BiasEstimate(est.X.reshape(-1, d), est.coef.reshape(-1) / R, est.label.reshape(-1))


def multitask_fit(loss: Loss, key, generator: Generator, X0, X1, rich_majorities, n_synthetic: int | None = None,
                  *, source: str = "rich", correction: str = "one-step", ridge: float = 1e-8,
                  weighting: str = "pooled") -> BCFit:
    """Corrected fit of a data-poor task with ψ̂ from the rich tasks (``source="rich"``) or its own majority (``"own"``)."""
    if source not in ("rich", "own"):
        raise ValueError(f"source must be 'rich' or 'own'; got {source!r}")
    n0, n1 = X0.shape[0], X1.shape[0]
    ns = n0 - n1 if n_synthetic is None else check_int(n_synthetic, "n_synthetic", 0)
    k_syn, k_b = jax.random.split(key)
    X_syn = generator(k_syn, X1, ns, X_majority=X0)
    if source == "rich":
        bias = multitask_bias(k_b, generator, rich_majorities, n1)
    else:
        bias = estimate_bias(k_b, generator, X0, n1)
    Xa, ya, wa = augmented_design(X0, X1, X_syn, weighting)
    beta = correction_coefficient(n0, n1, ns, weighting)
    return corrected_fit(loss, Xa, ya, wa, bias, beta, ridge=ridge, correction=correction)


# ---------------------------------------------------------------------------------------------
# Average treatment effect
# ---------------------------------------------------------------------------------------------

#: Estimator names of :func:`ate_estimates`, in output order.
ATE_METHODS = ("plugin-raw", "plugin-naive", "plugin-bc", "aipw-raw", "aipw-naive", "aipw-bc", "ipw-raw",
               "ipw-bc")


class ATEEstimates(NamedTuple):
    """Point estimates and standard errors, each (len(ATE_METHODS),) in the order of :data:`ATE_METHODS`."""

    tau: jax.Array
    se: jax.Array


def _clip(e):
    return jnp.clip(e, 1e-3, 1.0 - 1e-3)


def ate_estimates(key, generator: Generator, X_c, Y_c, X_t, Y_t, *, ridge: float = 1e-6,
                  correction: str = "one-step") -> ATEEstimates:
    """Plug-in, AIPW and IPW estimates of the ATE with raw, naive and bias-corrected models (see module docstring).

    ``X_c, Y_c``: controls (n0 rows, outcomes in {0, 1}); ``X_t, Y_t``: treated (n1 rows).
    Pure and vmappable (static sizes); runs jitted (the soft synthetic labels are not class
    indices, which the eager input checks of ``weighted_fit`` would refuse).
    """
    if correction not in ("one-step", "full"):
        raise ValueError(f"unknown correction {correction!r}; use 'one-step' or 'full'")
    if X_t.shape[0] > X_c.shape[0]:
        raise ValueError("the treated group must be the smaller one (n1 <= n0)")
    if X_t.shape[0] < generator.min_rows:
        raise ValueError(f"generator {generator.name!r} needs at least {generator.min_rows} treated rows")
    return _ate(key, generator, jnp.asarray(X_c), jnp.asarray(Y_c, float), jnp.asarray(X_t),
                jnp.asarray(Y_t, float), float(ridge), correction)


@functools.partial(jax.jit, static_argnames=("generator", "ridge", "correction"))
def _ate(key, generator, X_c, Y_c, X_t, Y_t, ridge, correction):
    loss = logistic_loss(intercept=True)
    dtype = X_c.dtype
    n0, n1 = X_c.shape[0], X_t.shape[0]
    d = X_c.shape[1]
    ns = n0 - n1
    k_syn, k_b, k_ps = jax.random.split(key, 3)
    fit = lambda X, y, w=None, t0=None: weighted_fit(loss, X, y, w, ridge=ridge, theta0=t0).theta
    # Outcome models.
    th0 = fit(X_c, Y_c)
    J_t = jnp.concatenate([X_t, Y_t[:, None]], axis=1)
    J_c = jnp.concatenate([X_c, Y_c[:, None]], axis=1)
    J_syn = generator(k_syn, J_t, ns)
    X_aug = jnp.concatenate([X_t, J_syn[:, :d]])
    y_aug = jnp.concatenate([Y_t, jnp.clip(J_syn[:, d], 0.0, 1.0)])
    w_aug = jnp.full(n1 + ns, 1.0 / (n1 + ns), dtype)
    b = estimate_bias(k_b, generator, J_c, n1)
    bias = BiasEstimate(b.X[:, :d], b.coef, jnp.clip(b.X[:, d], 0.0, 1.0))
    beta = ns / (n1 + ns)  # coefficient of psi in the treated-only augmented loss
    bc = corrected_fit(loss, X_aug, y_aug, w_aug, bias, beta, ridge=ridge, correction=correction)
    th1 = {"raw": fit(X_t, Y_t), "naive": bc.theta_naive, "bc": bc.theta}
    # Propensity: raw (calibrated) and bias-corrected classifier with the prior moved back.
    X = jnp.concatenate([X_c, X_t])
    T = jnp.concatenate([jnp.zeros(n0, dtype), jnp.ones(n1, dtype)])
    Y = jnp.concatenate([Y_c, Y_t])
    Z = loss.features(X)
    e_raw = _clip(jax.nn.sigmoid(Z @ fit(X, T)))
    Xs = generator(jax.random.fold_in(k_ps, 0), X_t, ns, X_majority=X_c)
    Xa, ya, wa = augmented_design(X_c, X_t, Xs, "pooled")
    pb = estimate_bias(jax.random.fold_in(k_ps, 1), generator, X_c, n1)
    ps = corrected_fit(loss, Xa, ya, wa, pb, correction_coefficient(n0, n1, ns), ridge=ridge, correction=correction)
    e_bc = _clip(jax.nn.sigmoid(Z @ ps.theta + jnp.log(n1 / n0)))
    n = n0 + n1
    taus, ses = [], []
    m0 = jax.nn.sigmoid(Z @ th0)
    aipw = {}
    for name in ("raw", "naive", "bc"):
        m1 = jax.nn.sigmoid(Z @ th1[name])
        phi = m1 - m0 + T * (Y - m1) / e_raw - (1 - T) * (Y - m0) / (1 - e_raw)
        aipw[name] = (jnp.mean(phi), jnp.std(phi, ddof=1) / jnp.sqrt(n))
        taus.append(jnp.mean(m1 - m0))
        ses.append(aipw[name][1])
    for name in ("raw", "naive", "bc"):
        taus.append(aipw[name][0])
        ses.append(aipw[name][1])
    for e in (e_raw, e_bc):
        a1, a0 = T / e, (1 - T) / (1 - e)
        mu1, mu0 = jnp.sum(a1 * Y) / jnp.sum(a1), jnp.sum(a0 * Y) / jnp.sum(a0)
        phi = a1 * (Y - mu1) / jnp.mean(a1) - a0 * (Y - mu0) / jnp.mean(a0)
        taus.append(mu1 - mu0)
        ses.append(jnp.std(phi, ddof=1) / jnp.sqrt(n))
    return ATEEstimates(jnp.stack(taus), jnp.stack(ses))
