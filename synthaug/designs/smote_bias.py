r"""Design ``smote-bias``: the size of SMOTE's systematic distortion as a function of n1, k and d.

Reference: ``lyu_bias_correction.md`` §2.2–2.3 and §8 items 3 and 7 (reconstruction of Lyu, Ma,
Zhang & Zhang, arXiv 2510.26046, which "characterises when SMOTE produces a significant loss bias").

* Input sample :math:`S` of :math:`n_1` rows from :math:`P_1 = N(1.5 e_1, I_d)`;
  :math:`d \in \{2, 5, 10\}`, :math:`n_1 \in \{25, 50, 100, 200, 400\}` (quick: d ∈ {2, 5},
  n1 ∈ {25, 100, 400}); SMOTE with ``k = 5`` and with ``k = n1 − 1`` (``smote-global``).
* ``variance_ratio``: :math:`\overline{\lVert\tilde x - \bar x\rVert^2} / (n_1^{-1}\sum_i\lVert x_i - \bar x\rVert^2)`
  over :math:`m = 20 n_1` synthetic rows (conditionally unbiased for the generator's second
  moment about the sample mean relative to the sample's). Its complement ``contraction``
  (1 − ratio) is the covariance shrinkage.
* ``loss_bias``: :math:`\hat\psi_S(\theta^*) = \overline{\ell(\theta^*; \tilde x, 1)} - \overline{\ell(\theta^*; S, 1)}`,
  the paired loss-level bias at the balanced optimum of the ``bias-correction`` design
  (logistic, intercept).

Predictions (INFERRED in the note; one exact):

* global partner (k = n1 − 1): **exactly** :math:`E[\text{ratio}] = 2/3 - 1/(3(n_1 - 1))`
  (the synthetic point is :math:`(1-u)x_i + u x_j`, :math:`i \neq j`; :math:`E(1-u)^2 + Eu^2 = 2/3` and
  the cross term is :math:`-2E[u(1-u)]\hat\Sigma/(n_1-1)`), so the contraction is Θ(1) (slope 0 in n1);
  recorded as ``predicted_ratio``.
* k = 5: contraction :math:`\asymp (k/n_1)^{2/d}`, i.e. log–log slope ≈ −2/d in n1 (a
  nearest-neighbour distance rate; the slope summaries carry ``predicted_slope``).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.generators.basic import smote, smote_global
from synthaug.core.losses import logistic_loss, values
from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.theory.populations import GaussianLaw, Population
from synthaug.simulate import Design, record

from synthaug.designs._common import errorbar, finish_figure, slope_summary

NAME = "smote-bias"
DESCRIPTION = "SMOTE's systematic distortion (variance contraction, loss bias) vs n1, k and d"
D_GRID = (2, 5, 10)
N1_GRID = (25, 50, 100, 200, 400)
D_QUICK = (2, 5)
N1_QUICK = (25, 100, 400)
GENERATORS = ("smote", "smote-global")
DEFAULT_GENERATORS = GENERATORS
SYN_PER_ROW = 20
SHIFT = 1.5


@functools.lru_cache(maxsize=8)
def population(d: int) -> Population:
    mu = np.zeros(d)
    mu[0] = SHIFT
    pop = Population(logistic_loss(intercept=True), GaussianLaw(np.zeros(d)), GaussianLaw(mu))
    _ = pop.theta_star
    return pop


@functools.lru_cache(maxsize=64)
def replication(d: int, n1: int, generator: str, dtype_name: str):
    pop = population(d)
    gen = smote(5) if generator == "smote" else smote_global()
    dtype = jnp.dtype(dtype_name)
    theta = jnp.asarray(pop.theta_star, dtype)
    m = SYN_PER_ROW * n1

    def one(key):
        kd, kg = jax.random.split(key)
        X = pop.p1.sample(kd, n1, dtype)
        S = gen(kg, X, m)
        xbar = jnp.mean(X, axis=0)
        ratio = jnp.mean(jnp.sum((S - xbar) ** 2, axis=1)) / jnp.mean(jnp.sum((X - xbar) ** 2, axis=1))
        psi = jnp.mean(values(pop.loss, theta, S, jnp.ones(m, dtype))) - jnp.mean(
            values(pop.loss, theta, X, jnp.ones(n1, dtype)))
        return ratio, psi

    return one


def predicted_ratio(generator: str, n1: int):
    return 2.0 / 3.0 - 1.0 / (3.0 * (n1 - 1)) if generator == "smote-global" else None


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    d_grid = D_QUICK if quick else D_GRID
    n1_grid = N1_QUICK if quick else N1_GRID
    records, summaries = [], []
    for d in d_grid:
        for g in generators:
            for n1 in n1_grid:
                one = replication(d, n1, g, jnp.dtype(dtype).name)
                ratio, psi = run_replications(one, jax.random.fold_in(jax.random.fold_in(key, d), n1), reps,
                                              batch_size=batch_size, progress=progress, desc=f"{NAME} d={d} {g} {n1}")
                common = dict(n0=None, n1=n1, n_synthetic=SYN_PER_ROW * n1, gamma=None, reps=reps, d=d,
                              k=5 if g == "smote" else n1 - 1)
                for metric, v, pred in (("variance_ratio", ratio, predicted_ratio(g, n1)),
                                        ("contraction", 1.0 - ratio,
                                         None if predicted_ratio(g, n1) is None else 1 - predicted_ratio(g, n1)),
                                        ("loss_bias", psi, None)):
                    mean, se = mean_mcse(v)
                    records.append(record(NAME, "smote", g, metric=metric, mean=mean, mcse=se, predicted=pred,
                                          **common))
            rows = [r for r in records if r["d"] == d]
            summaries.append(slope_summary(rows, "smote", g, metric="contraction", d=d,
                                           predicted_slope=-2.0 / d if g == "smote" else 0.0))
            summaries.append(slope_summary([dict(r, mean=abs(r["mean"])) for r in rows], "smote", g,
                                           metric="loss_bias", d=d))
    settings = dict(d_grid=list(d_grid), n1_grid=list(n1_grid), synthetic_per_row=SYN_PER_ROW, shift=SHIFT,
                    k=dict(smote=5, **{"smote-global": "n1-1"}))
    return records, summaries, settings


def plot(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ds = result.settings.get("d_grid", D_GRID)
    colors = plt.cm.viridis(np.linspace(0, 0.85, len(ds)))
    for ax, metric, lab in ((axes[0], "contraction", "1 − variance ratio"), (axes[1], "loss_bias", r"$|\hat\psi_S(\theta^*)|$")):
        for c, d in zip(colors, ds):
            for g, ls in (("smote", "-"), ("smote-global", "--")):
                rows = sorted(result.select(generator=g, metric=metric, d=d), key=lambda r: r["n1"])
                if rows:
                    errorbar(ax, [r["n1"] for r in rows], [abs(r["mean"]) for r in rows], [r["mcse"] for r in rows],
                             f"{g}, d={d}", c, ls=ls)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("$n_1$")
        ax.set_ylabel(lab)
        ax.legend(fontsize=7)
    axes[0].set_title("SMOTE covariance contraction (global: exact 1/3 + 1/(3(n1−1)))")
    axes[1].set_title(r"paired loss bias at $\theta^*$")
    return finish_figure(fig, result, model="logistic regression with intercept (loss at θ*)")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
