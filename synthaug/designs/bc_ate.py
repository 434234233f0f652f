r"""Design ``bc-ate``: average treatment effect with a small treated group (raw, naive, bias-corrected models).

Reconstruction of the causal extension of Lyu, Ma, Zhang & Zhang (arXiv 2510.26046;
``lyu_bias_correction.md`` §3.2 and §8 item 17); estimators in
:func:`synthaug.bias_correction.extensions.ate_estimates`.

* Covariates :math:`d = 3`: controls :math:`X \mid T=0 \sim N(0, I)`, treated
  :math:`X \mid T=1 \sim N(0.5 e_1, I)`, fixed group sizes :math:`n_1 \in \{50, 100\}`,
  :math:`n_0 = 19 n_1` (5 % treated; case-control sampling keeps shapes static, and the
  propensity is then exactly logistic).
* Binary outcomes :math:`Y(t) \sim \mathrm{Bernoulli}(\sigma(\gamma_t^\top(x, 1)))`,
  :math:`\gamma_0 = (1, 0.5, 0, -0.5)`, :math:`\gamma_1 = (1.5, 0.5, 0, 0.5)`; logistic outcome
  models (well specified).
* Estimand: the ATE over the sampled population (mixture of the two covariate laws with
  weights :math:`n_0/n`, :math:`n_1/n`), computed exactly by Gauss–Hermite quadrature.
* Generator ``smote`` (k = 5) on joint (x, y) rows; ``smote-global`` also available.
* Methods (:data:`synthaug.bias_correction.extensions.ATE_METHODS`): plug-in and AIPW with the treated
  outcome model raw / naive / bias-corrected (one-step), and Hájek IPW with a raw or a
  bias-corrected propensity classifier.
* Metrics: ``bias``, ``sd``, ``rmse``, 95 % ``coverage`` and ``mean_se`` (with MCSEs).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.bias_correction.extensions import ATE_METHODS, ate_estimates
from synthaug.generators.basic import smote, smote_global
from synthaug.core.montecarlo import run_replications
from synthaug.theory.populations import gauss_expect
from synthaug.simulate import Design

from synthaug.designs._bc_common import estimator_records
from synthaug.designs._common import errorbar, finish_figure

NAME = "bc-ate"
DESCRIPTION = "ATE with 5 % treated: plug-in/AIPW/IPW with raw, naive and bias-corrected models (bias, SE, RMSE, coverage)"
D = 3
N1_GRID = (50, 100)
N1_QUICK = (50,)
RATIO = 19
MU_T = np.array([0.5, 0.0, 0.0])
GAMMA0 = np.array([1.0, 0.5, 0.0, -0.5])
GAMMA1 = np.array([1.5, 0.5, 0.0, 0.5])
GENERATORS = ("smote", "smote-global")
DEFAULT_GENERATORS = ("smote",)


def true_ate(n0: int, n1: int) -> float:
    """Exact ATE over the mixture (n0/n) N(0, I) + (n1/n) N(MU_T, I) of E[σ(γ1ᵀz) − σ(γ0ᵀz)]."""
    def mean_sigmoid(gamma, m):
        return float(gauss_expect(jax.nn.sigmoid, jnp.asarray(gamma[:-1] @ m + gamma[-1]),
                                  jnp.asarray(gamma[:-1] @ gamma[:-1])))

    out = 0.0
    for w, m in ((n0 / (n0 + n1), np.zeros(D)), (n1 / (n0 + n1), MU_T)):
        out += w * (mean_sigmoid(GAMMA1, m) - mean_sigmoid(GAMMA0, m))
    return out


@functools.lru_cache(maxsize=16)
def replication(n1: int, generator: str, dtype_name: str):
    gen = smote(5) if generator == "smote" else smote_global()
    dtype = jnp.dtype(dtype_name)
    n0 = RATIO * n1
    g0, g1, mu = (jnp.asarray(a, dtype) for a in (GAMMA0, GAMMA1, MU_T))

    def one(key):
        kc, kt, ky0, ky1, kf = jax.random.split(key, 5)
        X_c = jax.random.normal(kc, (n0, D), dtype)
        X_t = jax.random.normal(kt, (n1, D), dtype) + mu
        Y_c = (jax.random.uniform(ky0, (n0,), dtype) < jax.nn.sigmoid(X_c @ g0[:-1] + g0[-1])).astype(dtype)
        Y_t = (jax.random.uniform(ky1, (n1,), dtype) < jax.nn.sigmoid(X_t @ g1[:-1] + g1[-1])).astype(dtype)
        est = ate_estimates(kf, gen, X_c, Y_c, X_t, Y_t)
        return est.tau, est.se

    return one


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    grid = N1_QUICK if quick else N1_GRID
    records = []
    truths = {}
    for g in generators:
        for n1 in grid:
            n0 = RATIO * n1
            tau = truths.setdefault(n1, true_ate(n0, n1))
            est, se = run_replications(replication(n1, g, jnp.dtype(dtype).name), jax.random.fold_in(key, n1), reps,
                                       batch_size=batch_size, progress=progress, desc=f"{NAME} {g} n1={n1}")
            common = dict(n0=n0, n1=n1, n_synthetic=n0 - n1, gamma=1.0, reps=reps, d=D, true_ate=tau)
            for j, m in enumerate(ATE_METHODS):
                records += estimator_records(NAME, m, g, est[:, j], tau, se[:, j], common)
    settings = dict(d=D, n1_grid=list(grid), ratio=RATIO, mu_treated=MU_T.tolist(), gamma0=GAMMA0.tolist(),
                    gamma1=GAMMA1.tolist(), true_ate={str(k): v for k, v in truths.items()}, ridge=1e-6,
                    correction="one-step", propensity_clip=[1e-3, 1 - 1e-3])
    return records, [], settings


def plot(result):
    import matplotlib.pyplot as plt

    metrics = ("bias", "rmse", "coverage")
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, metric in zip(axes, metrics):
        k = 0
        for g in result.settings.get("generators", GENERATORS):
            for n1 in result.settings.get("n1_grid", N1_GRID):
                rows = [result.select(method=m, generator=g, metric=metric, n1=n1) for m in ATE_METHODS]
                rows = [r[0] for r in rows if r]
                errorbar(ax, np.arange(len(rows)) + 0.12 * k, [r["mean"] for r in rows], [r["mcse"] for r in rows],
                         f"{g}, n1={n1}", ls="none")
                k += 1
        ax.set_xticks(np.arange(len(ATE_METHODS)))
        ax.set_xticklabels(ATE_METHODS, rotation=35, fontsize=8)
        ax.set_title(metric)
        ax.axhline(0.95 if metric == "coverage" else 0.0, color="k", lw=0.8, ls="--")
    axes[0].legend(fontsize=7)
    return finish_figure(fig, result, model="logistic outcome models and propensity (with intercept)")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
