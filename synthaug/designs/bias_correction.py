r"""Design ``bias-correction`` (Lyu, Ma, Zhang & Zhang, arXiv 2510.26046, as reconstructed): naive vs corrected.

The note's recommended design (``lyu_bias_correction.md`` §4, §8 items 11, 13–15):

* :math:`P_0 = N(0, I_d)`, :math:`P_1 = N(1.5 e_1, I_d)`; logistic regression with intercept
  (intercept last); well specified under balanced priors, so :math:`\theta^* = (1.5 e_1, -1.125)`
  exactly (synthaug computes it by Newton on the exact balanced risk; the settings record it).
* :math:`d \in \{2, 5, 10\}`, :math:`n_1 \in \{25, 50, 100, 200\}`, :math:`n_0 = 20 n_1`
  (fixed ratio, so a non-vanishing generator bias shows as a plateau in :math:`n_1`),
  :math:`\tilde n = n_0 - n_1` (full balancing). Quick mode: :math:`d = 2`,
  :math:`n_1 \in \{25, 50, 100\}`.
* Generators: ``smote`` (k = 5), ``smote-global`` (k = n1 − 1, sampled exactly without a kNN
  search), ``gaussian`` (Gaussian fit, no shrinkage), ``bootstrap`` (random oversampling)
  and ``shrink`` (:math:`\bar x + 0.7(x_I - \bar x) + 0.1\varepsilon`, a deliberately
  biased contraction).
* Methods (:func:`synthaug.bias_correction.method.compare_estimators`): ``raw``, ``reweight``,
  ``naive`` (pooled augmented ERM), ``bc-heldout`` (full correction, held-out ψ̂),
  ``bc-paired`` (full correction, paired ψ̂), ``bc-onestep`` (one-step correction, paired ψ̂).
  Full corrections that trip the safeguard fall back to the one-step estimate (their share
  is recorded as ``fallback_share``; ``unbounded_share`` counts recession directions).
* Ridge 1e-6 on the mean loss for every estimator.
* Metrics: ``param_error`` :math:`\lVert\hat\theta-\theta^*\rVert_2^2`, ``excess_risk``
  (exact balanced excess log-loss by Gauss–Hermite), ``balanced_accuracy`` (exact:
  :math:`\tfrac12\Phi(-b/\lVert w\rVert) + \tfrac12\Phi((w^\top\mu + b)/\lVert w\rVert)`).
* Summaries: log–log slope of mean ``param_error`` in :math:`n_1` per (method, generator, d)
  (``loglog_slope``), and paired differences ``bc-onestep − naive`` and ``bc-paired − naive`` of
  ``param_error`` at every cell (``paired_difference``, mean with a 95 % MCSE interval).

Expected (note T2/T3, pilot §7): for a biased generator (shrink, smote-global) the naive error
levels off (slope ≈ 0) while the corrected ones keep decaying; for nearly unbiased generators
(gaussian, bootstrap) correction is neutral.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.bias_correction import COMPARE_METHODS, compare_estimators
from synthaug.generators import make_generator
from synthaug.core.losses import logistic_loss
from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.theory.populations import GaussianLaw, Population
from synthaug.simulate import Design, record, summary

from synthaug.designs._common import auto_batch, errorbar, finish_figure, slope_summary

NAME = "bias-correction"
DESCRIPTION = "Lyu et al. (reconstructed): raw/reweight/naive vs majority-based bias correction over d and n1"
D_GRID = (2, 5, 10)
N1_GRID = (25, 50, 100, 200)
D_QUICK = (2,)
N1_QUICK = (25, 50, 100)
RATIO = 20
SHIFT = 1.5
RIDGE = 1e-6
GENERATORS = ("smote", "smote-global", "gaussian", "bootstrap", "shrink")
DEFAULT_GENERATORS = GENERATORS
#: Parameters of the registry generators (:func:`synthaug.generators.make_generator`) in this design.
GENERATOR_PARAMS = {"smote": dict(k=5), "gaussian": dict(shrinkage=0.0), "shrink": dict(c=0.7, noise=0.1)}
METHODS = COMPARE_METHODS
METRICS = ("param_error", "excess_risk", "balanced_accuracy")
METHOD_COLORS = {"raw": "#7f7f7f", "reweight": "#1f77b4", "naive": "#d62728", "bc-heldout": "#ff7f0e",
                 "bc-paired": "#9467bd", "bc-onestep": "#2ca02c"}


@functools.lru_cache(maxsize=8)
def population(d: int) -> Population:
    mu = np.zeros(d)
    mu[0] = SHIFT
    pop = Population(logistic_loss(intercept=True), GaussianLaw(np.zeros(d)), GaussianLaw(mu))
    _ = pop.theta_star  # read once outside jit (cached_property)
    return pop


def design_generator(name: str):
    """The design's generator ``name``: the registry's (one object per name), with :data:`GENERATOR_PARAMS`."""
    if name not in GENERATORS:
        raise ValueError(f"unknown generator {name!r} for {NAME}; choose one of {GENERATORS}")
    return make_generator(name, **GENERATOR_PARAMS.get(name, {}))


def balanced_accuracy(theta, mu):
    """Exact balanced accuracy of sign(wᵀx + b) for N(0, I) vs N(mu, I)."""
    w, b = theta[:-1], theta[-1]
    s = jnp.maximum(jnp.linalg.norm(w), 1e-300)
    cdf = jax.scipy.stats.norm.cdf
    return 0.5 * cdf(-b / s) + 0.5 * cdf((w @ mu + b) / s)


@functools.lru_cache(maxsize=128)
def replication(d: int, n1: int, generator: str, dtype_name: str):
    pop = population(d)
    gen = design_generator(generator)
    dtype = jnp.dtype(dtype_name)
    n0 = RATIO * n1
    theta_star = jnp.asarray(pop.theta_star, dtype)
    mu = jnp.asarray(pop.p1.mean, dtype)

    def one(key):
        kd, kf = jax.random.split(key)
        X0, X1 = pop.sample(kd, n0, n1, dtype)
        res = compare_estimators(pop.loss, kf, gen, X0, X1, n0 - n1, ridge=RIDGE)
        th = res.theta
        err = jnp.sum((th - theta_star) ** 2, axis=1)
        exc = jax.vmap(pop.excess_risk)(th)
        ba = jax.vmap(lambda t: balanced_accuracy(t, mu))(th)
        return err, exc, ba, res.flagged, res.unbounded

    return one


def cell_key(key, d: int, n1: int):
    """The PRNG key of cell (d, n1); every generator and method of the cell shares it (coupled comparisons)."""
    return jax.random.fold_in(jax.random.fold_in(key, d), n1)


def run_cell(key, d: int, n1: int, generator: str, reps: int, *, progress=False, dtype=jnp.float64,
             batch_size=None):
    """One cell (d, n1, generator) of the design: its records and paired-difference summaries.

    A cell depends only on ``(key, d, n1, generator, reps, dtype)``, so cells can run in separate
    processes and be merged by :func:`assemble` into exactly the result of one whole-grid run
    (``paper/bias_correction_grid.py`` does that, with a timeout and retry per cell, because
    long single-process runs of this design have hung in XLA:CPU).

    Returns ``dict(records=[...], summaries=[...])``.
    """
    dtype_name = jnp.dtype(dtype).name
    n0 = RATIO * n1
    one = replication(int(d), int(n1), generator, dtype_name)  # refuses an unknown generator
    bs = auto_batch(8.0 * (d + 1) * 8 * n0 * 12, reps, batch_size)
    err, exc, ba, flagged, unb = run_replications(one, cell_key(key, d, n1), reps, batch_size=bs, progress=progress,
                                                  desc=f"{NAME} d={d} {generator} n1={n1}")
    records, summaries = [], []
    common = dict(n0=n0, n1=n1, n_synthetic=n0 - n1, gamma=1.0, reps=reps, d=d)
    for j, m in enumerate(METHODS):
        for metric, v in (("param_error", err), ("excess_risk", exc), ("balanced_accuracy", ba)):
            mean, se = mean_mcse(v[:, j])
            records.append(record(NAME, m, generator, metric=metric, mean=mean, mcse=se, **common))
        if m in ("bc-heldout", "bc-paired"):
            for metric, v in (("fallback_share", flagged[:, j]), ("unbounded_share", unb[:, j])):
                mean, se = mean_mcse(v.astype(float))
                records.append(record(NAME, m, generator, metric=metric, mean=mean, mcse=se, **common))
    naive = list(METHODS).index("naive")
    for m in ("bc-onestep", "bc-paired", "bc-heldout"):
        diff = err[:, list(METHODS).index(m)] - err[:, naive]
        mean, se = mean_mcse(diff)
        summaries.append(summary("paired_difference", m, generator, "n1", "param_error", float(mean),
                                 float(mean - 1.96 * se), float(mean + 1.96 * se), d=d, n1=n1,
                                 versus="naive", win_share=float(np.mean(diff < 0))))
    return dict(records=records, summaries=summaries)


def grid(quick: bool):
    """``(d_grid, n1_grid)`` of the full design or of quick mode."""
    return (D_QUICK, N1_QUICK) if quick else (D_GRID, N1_GRID)


def assemble(cells, d_grid, n1_grid, generators):
    """Merge cell outputs (a mapping ``(d, generator, n1) -> run_cell(...)``) into ``(records, summaries, settings)``.

    Records and summaries come out in the order of a whole-grid run (d, then generator, then n1),
    followed per (d, generator) by the log–log slope of every method's ``param_error``.
    """
    missing = [(d, g, n1) for d in d_grid for g in generators for n1 in n1_grid if (d, g, n1) not in cells]
    if missing:
        raise ValueError(f"{len(missing)} cell(s) missing, e.g. (d, generator, n1) = {missing[0]}")
    records, summaries = [], []
    for d in d_grid:
        for gname in generators:
            for n1 in n1_grid:
                records.extend(cells[(d, gname, n1)]["records"])
                summaries.extend(cells[(d, gname, n1)]["summaries"])
            for m in METHODS:
                rows = [r for r in records if r["d"] == d]
                summaries.append(slope_summary(rows, m, gname, metric="param_error", d=d))
    pop = population(2)
    settings = dict(d_grid=list(d_grid), n1_grid=list(n1_grid), ratio=RATIO, shift=SHIFT, ridge=RIDGE,
                    methods=list(METHODS), theta_star_d2=np.asarray(pop.theta_star).tolist(),
                    smote_k=GENERATOR_PARAMS["smote"]["k"], shrink=dict(GENERATOR_PARAMS["shrink"]),
                    gaussian_shrinkage=GENERATOR_PARAMS["gaussian"]["shrinkage"],
                    bias_estimate=dict(block_size="n1", paired_blocks="floor(n0/n1)",
                                       heldout_blocks="floor(n0/2/n1)", block_synthetic="n1", proxy_label=1,
                                       cross_fit=False, weighting="pooled", beta="(n0-n1)/(2 n0)"))
    return records, summaries, settings


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    d_grid, n1_grid = grid(quick)
    cells = {}
    for d in d_grid:
        for gname in generators:
            for n1 in n1_grid:
                cells[(d, gname, n1)] = run_cell(key, d, n1, gname, reps, progress=progress, dtype=dtype,
                                                 batch_size=batch_size)
                # Every cell compiles its own programs (shapes differ); free them so a full-grid run does not
                # accumulate thousands of code mappings (see "Many compiled programs" in the README).
                jax.clear_caches()
    return assemble(cells, d_grid, n1_grid, generators)


def plot(result):
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullLocator

    gens = result.settings.get("generators", GENERATORS)
    ds = result.settings.get("d_grid", D_GRID)
    fig, axes = plt.subplots(len(ds), len(gens), figsize=(3.3 * len(gens), 2.9 * len(ds)), squeeze=False,
                             sharex=True)
    for i, d in enumerate(ds):
        for j, g in enumerate(gens):
            ax = axes[i][j]
            for m in METHODS:
                rows = sorted(result.select(method=m, generator=g, metric="param_error", d=d), key=lambda r: r["n1"])
                if rows:
                    errorbar(ax, [r["n1"] for r in rows], [r["mean"] for r in rows], [r["mcse"] for r in rows], m,
                             METHOD_COLORS[m])
            ax.set_xscale("log")
            ax.set_yscale("log")
            n1s = result.settings.get("n1_grid", N1_GRID)
            ax.set_xticks(n1s, [str(n) for n in n1s])
            ax.xaxis.set_minor_locator(NullLocator())
            ax.set_title(f"{g}, d = {d}", fontsize=9)
            if j == 0:
                ax.set_ylabel(r"$E\|\hat\theta-\theta^*\|^2$")
            if i == len(ds) - 1:
                ax.set_xlabel(r"$n_1$ ($n_0 = 20 n_1$)")
    axes[0][0].legend(fontsize=7)
    return finish_figure(fig, result, model="logistic regression with intercept")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
