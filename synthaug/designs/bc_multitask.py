r"""Design ``bc-multitask``: a data-poor imbalanced task corrected with a bias estimated on data-rich tasks.

Reconstruction of the multi-task extension of Lyu, Ma, Zhang & Zhang (arXiv 2510.26046;
``lyu_bias_correction.md`` §3.1 and §8 item 16); see :mod:`synthaug.bias_correction.extensions`.

* Four imbalanced logistic tasks in :math:`d = 5`: task :math:`t` has
  :math:`P_0^{(t)} = N(a_t, I)`, :math:`P_1^{(t)} = N(a_t + 1.5 e_1, I)` with
  :math:`a_t = 0.5\,t\,e_2` (shared shape, different locations: the task heterogeneity).
* The data-poor task :math:`t = 0` has :math:`n_1 \in \{20, 50\}` minority and
  :math:`n_0 = 20 n_1` majority rows; the three rich tasks contribute 4000 majority rows each
  (only their majorities are used). :math:`\tilde n = n_0 - n_1`, pooled weighting.
* Generators ``smote`` (k = 5) and ``smote-global`` (k = n1 − 1).
* Methods for task 0: ``raw``, ``reweight``, ``naive``, ``bc-own`` (one-step, paired ψ̂ from task
  0's own majority: 20 blocks), ``bc-rich`` (one-step, paired ψ̂ averaged over the rich tasks:
  3·4000/n1 blocks). Ridge 1e-6.
* Metrics of the task parameter (θ* = (1.5 e_1, −1.125), intercept last): ``sq_error``
  (‖θ̂ − θ*‖²), and for the slope θ_1 and the intercept: ``bias``, ``sd``, ``rmse``, 95 % Wald
  ``coverage`` with a sandwich SE that treats every row as independent, ``mean_se``.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.bias_correction import augmented_design, corrected_fit, correction_coefficient, estimate_bias
from synthaug.bias_correction.extensions import multitask_bias
from synthaug.core.glm import sandwich_cov
from synthaug.core.fit import weighted_fit
from synthaug.generators.basic import smote, smote_global
from synthaug.core.losses import logistic_loss
from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.theory.populations import GaussianLaw, Population
from synthaug.simulate import Design, record

from synthaug.designs._bc_common import estimator_records
from synthaug.designs._common import errorbar, finish_figure

NAME = "bc-multitask"
DESCRIPTION = "multi-task: data-poor task corrected with a bias estimated on data-rich tasks (bias, SD, RMSE, coverage)"
D = 5
N1_GRID = (20, 50)
N1_QUICK = (20,)
RATIO = 20
N_RICH = 4000
RICH_TASKS = 3
RIDGE = 1e-6
GENERATORS = ("smote", "smote-global")
DEFAULT_GENERATORS = GENERATORS
METHODS = ("raw", "reweight", "naive", "bc-own", "bc-rich")


def task_location(t: int) -> np.ndarray:
    a = np.zeros(D)
    a[1] = 0.5 * t
    return a


@functools.lru_cache(maxsize=1)
def poor_population() -> Population:
    mu = np.zeros(D)
    mu[0] = 1.5
    pop = Population(logistic_loss(intercept=True), GaussianLaw(np.zeros(D)), GaussianLaw(mu))
    _ = pop.theta_star
    return pop


@functools.lru_cache(maxsize=16)
def replication(n1: int, generator: str, dtype_name: str):
    pop = poor_population()
    loss = pop.loss
    gen = smote(5) if generator == "smote" else smote_global()
    dtype = jnp.dtype(dtype_name)
    n0 = RATIO * n1
    ns = n0 - n1
    beta = correction_coefficient(n0, n1, ns)
    locs = jnp.asarray(np.stack([task_location(t) for t in range(1, RICH_TASKS + 1)]), dtype)

    def one(key):
        kd, kr, ks, kb1, kb2 = jax.random.split(key, 5)
        X0, X1 = pop.sample(kd, n0, n1, dtype)
        rich = jax.random.normal(kr, (RICH_TASKS, N_RICH, D), dtype) + locs[:, None, :]
        X_syn = gen(ks, X1, ns)
        Xa, ya, wa = augmented_design(X0, X1, X_syn)
        designs = [augmented_design(X0, X1, None, "pooled"), augmented_design(X0, X1, None, "balanced"),
                   (Xa, ya, wa)]
        thetas = [weighted_fit(loss, *dsg, ridge=RIDGE).theta for dsg in designs]
        for b in (estimate_bias(kb1, gen, X0, n1), multitask_bias(kb2, gen, rich, n1)):
            r = corrected_fit(loss, Xa, ya, wa, b, beta, ridge=RIDGE)
            thetas.append(r.theta)
            designs.append((jnp.concatenate([Xa, b.X]), jnp.concatenate([ya, b.label]),
                            jnp.concatenate([wa, -beta * b.coef])))
        ses = []
        for th, (X, y, w) in zip(thetas, designs):
            C = sandwich_cov(loss, th, X, y, w, RIDGE)
            ses.append(jnp.sqrt(jnp.diag(C)))
        return jnp.stack(thetas), jnp.stack(ses)

    return one


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    grid = N1_QUICK if quick else N1_GRID
    theta_star = np.asarray(poor_population().theta_star)
    records = []
    for g in generators:
        for n1 in grid:
            th, se = run_replications(replication(n1, g, jnp.dtype(dtype).name), jax.random.fold_in(key, n1), reps,
                                      batch_size=batch_size, progress=progress, desc=f"{NAME} {g} n1={n1}")
            common = dict(n0=RATIO * n1, n1=n1, n_synthetic=(RATIO - 1) * n1, gamma=1.0, reps=reps, d=D)
            for j, m in enumerate(METHODS):
                mean, mc = mean_mcse(np.sum((th[:, j] - theta_star) ** 2, axis=1))
                records.append(record(NAME, m, g, metric="sq_error", mean=mean, mcse=mc, **common))
                records += estimator_records(NAME, m, g, th[:, j, 0], theta_star[0], se[:, j, 0], common, "slope_")
                records += estimator_records(NAME, m, g, th[:, j, -1], theta_star[-1], se[:, j, -1], common,
                                             "intercept_")
    settings = dict(d=D, n1_grid=list(grid), ratio=RATIO, rich_tasks=RICH_TASKS, rich_majority_rows=N_RICH,
                    task_locations=[task_location(t).tolist() for t in range(RICH_TASKS + 1)], ridge=RIDGE,
                    theta_star=theta_star.tolist(), correction="one-step", bias_estimate="paired")
    return records, [], settings


def plot(result):
    import matplotlib.pyplot as plt

    metrics = ("sq_error", "slope_bias", "slope_coverage")
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for ax, metric in zip(axes, metrics):
        for gi, g in enumerate(result.settings.get("generators", GENERATORS)):
            for n1 in result.settings.get("n1_grid", N1_GRID):
                rows = [result.select(method=m, generator=g, metric=metric, n1=n1) for m in METHODS]
                rows = [r[0] for r in rows if r]
                x = np.arange(len(rows)) + 0.15 * (gi * 2 + list(result.settings.get("n1_grid")).index(n1))
                errorbar(ax, x, [r["mean"] for r in rows], [r["mcse"] for r in rows], f"{g}, n1={n1}", ls="none")
        ax.set_xticks(np.arange(len(METHODS)) + 0.2)
        ax.set_xticklabels(METHODS, rotation=30, fontsize=8)
        ax.set_title(metric)
        if metric == "slope_coverage":
            ax.axhline(0.95, color="k", lw=0.8, ls="--")
        if metric == "slope_bias":
            ax.axhline(0.0, color="k", lw=0.8, ls="--")
    axes[0].set_yscale("log")
    axes[0].legend(fontsize=7)
    return finish_figure(fig, result, f"{NAME}: data-poor task, {result.reps} replications, seed {result.seed}",
                         model="logistic regression with intercept")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
