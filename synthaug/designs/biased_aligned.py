r"""Design ``biased-aligned`` (Ma & Zhang, arXiv 2601.16120, §5.1): a biased generator aligned with the shift.

* :math:`P_0 = N(0, I_2)`, :math:`P_1 = N((1, 0), I_2)`, generator
  :math:`Q = N((0.5, 0), I_2)` (fixed bias, aligned with the shift);
  :math:`n_0 = 20 n_1`, :math:`n_1 \in \{6, 12, 25, 50, 100, 200, 400, 800, 1600, 3200\}`.
* Squared loss, labels 0/1, no intercept, ridge 1e-6.
* Closed forms: :math:`R_{bal}(\theta) = \lVert\theta\rVert^2 + \tfrac12(\theta^\top\mu_1 - 1)^2`,
  :math:`\theta^* = (1/3, 0)`, :math:`R_{bal}(\theta^*) = 1/3`, :math:`g_\varphi = (4/3, 0)`,
  :math:`g_\psi = (1/2, 0)`, so :math:`\tilde n^* = 4\,(n_0 - n_1)`. synthaug computes
  these by autodiff of the exact population risks (the tests check the numbers).
* Size rules: ``raw`` (ñ = 0), ``balance`` (ñ = gap), ``double`` (ñ = 2·gap, an
  intermediate size) and ``theory`` (ñ = ñ*).
* Metrics: ``excess_risk`` (exact, from the closed-form :math:`R_{bal}`),
  ``param_error`` (:math:`\lVert\hat\theta - \theta^*\rVert_2`) and the
  theory's ``predicted_excess`` (two-term expansion).
* Summaries: log–log slope of the mean excess risk in :math:`n_1` per rule (all
  :math:`n_1` and :math:`n_1 \ge 200`), and each rule's population ``limit``
  (the excess risk of its large-sample target: the floor it levels off at).

Expected: raw ERM and balance level off at non-zero floors; the theory size
decays at the parametric rate (slope ≈ −1); ``double`` reduces the floor without
removing it.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from synthaug.theory.decomposition import augmented_target, decompose, theory_multiplier
from synthaug.core.losses import squared_loss
from synthaug.theory.populations import GaussianLaw, Population
from synthaug.simulate import Design, summary

from synthaug.designs._common import COLORS, errorbar, finish_figure, select, slope_summary
from synthaug.designs._size_rules import rule_sizes, run_rules

NAME = "biased-aligned"
DESCRIPTION = "§5.1: biased generator aligned with the shift; raw vs balance vs theory size over n1 (rates)"
GENERATORS = ("fixed",)
DEFAULT_GENERATORS = ("fixed",)
N1_GRID = (6, 12, 25, 50, 100, 200, 400, 800, 1600, 3200)
N1_QUICK = (6, 25, 100, 400, 1600)
RATIO = 20
RIDGE = 1e-6
RULES = ("raw", "balance", "double", "theory")


def population():
    return Population(squared_loss(labels=(0.0, 1.0)), GaussianLaw([0.0, 0.0]), GaussianLaw([1.0, 0.0]))


def generator_law():
    return GaussianLaw([0.5, 0.0])


def theory(pop=None, q=None):
    """Decomposition at θ* and the cancelling multiplier γ* (= 4 here)."""
    pop = pop or population()
    q = q or generator_law()
    dec = decompose(pop.risk0, pop.risk1, lambda t: pop.risk(q, t), pop.theta_star)
    return dec, float(theory_multiplier(dec.g_phi, dec.g_psi))


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    pop, q = population(), generator_law()
    dec, gamma_star = theory(pop, q)
    grid = N1_QUICK if quick else N1_GRID
    records, _ = run_rules(NAME, pop, lambda n1: q, grid, RATIO, RULES, RIDGE, key, reps,
                           progress=progress, dtype=dtype, batch_size=batch_size)
    summaries = []
    for rule in RULES:
        summaries.append(slope_summary(records, rule, "fixed"))
        summaries.append(slope_summary(records, rule, "fixed", lo=200))
        # Population floor: excess risk of the rule's large-sample target at the design's ratio.
        m = rule_sizes([rule], RATIO - 1, gamma_star)[rule]
        target = augmented_target(pop.risk0, pop.risk1, lambda t: pop.risk(q, t), RATIO, 1, m,
                                  jnp.zeros(2, dtype), n_iter=1)
        summaries.append(summary("limit", rule, "fixed", "n1", "excess_risk",
                                 max(0.0, float(pop.excess_risk(target))), None, None, gamma=m / (RATIO - 1)))
    settings = dict(n1_grid=list(grid), ratio=RATIO, ridge=RIDGE, gamma_star=gamma_star,
                    theta_star=np.asarray(pop.theta_star).tolist(), g_phi=np.asarray(dec.g_phi).tolist(),
                    g_psi=np.asarray(dec.g_psi).tolist())
    return records, summaries, settings


def plot(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    limits = {s["method"]: s["estimate"] for s in result.summaries if s["kind"] == "limit"}
    slopes = {s["method"]: s for s in result.summaries if s["kind"] == "loglog_slope" and s.get("x_min", 0) < 200}
    for rule in RULES:
        rows = select(result, method=rule, metric="excess_risk")
        if not rows:
            continue
        sl = slopes.get(rule)
        lab = f"{rule}" + (f" (slope {sl['estimate']:.2f})" if sl and sl["estimate"] is not None else "")
        errorbar(ax, [r["n1"] for r in rows], [r["mean"] for r in rows], [r["mcse"] for r in rows], lab, COLORS[rule])
        pred = select(result, method=rule, metric="predicted_excess")
        ax.plot([r["n1"] for r in pred], [r["mean"] for r in pred], ls=":", color=COLORS[rule], lw=1)
        if limits.get(rule, 0) and limits[rule] > 1e-12:
            ax.axhline(limits[rule], color=COLORS[rule], ls="--", lw=0.8, alpha=0.7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("minority size $n_1$  ($n_0 = 20 n_1$)")
    ax.set_ylabel("excess balanced risk (mean ± 1.96 MCSE)")
    ax.set_title("Biased aligned generator: Q = N((0.5, 0), I)")
    ax.legend(fontsize=8, title="dotted: theory; dashed: floor", title_fontsize=7)
    ax = axes[1]
    for rule in RULES:
        rows = select(result, method=rule, metric="param_error")
        if rows:
            errorbar(ax, [r["n1"] for r in rows], [r["mean"] for r in rows], [r["mcse"] for r in rows], rule, COLORS[rule])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("minority size $n_1$")
    ax.set_ylabel(r"$\|\hat\theta - \theta^*\|_2$")
    ax.set_title(f"size rules: raw 0, balance gap, double 2·gap, theory {result.settings.get('gamma_star', 4):.2f}·gap")
    ax.legend(fontsize=8)
    return finish_figure(fig, result, model="squared loss without intercept (labels 0/1), pooled ERM")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
