r"""Design ``realistic-aligned`` (Ma & Zhang, arXiv 2601.16120, §5.2): a slowly consistent aligned generator.

* :math:`P_0 = N(0, I_2)`, :math:`P_1 = N((1, 0), I_2)` as in ``biased-aligned``;
  generator :math:`Q_n = N(a_n e_1, I_2)` with :math:`a_n = 1 - 1/\sqrt{\log n_1}`
  (consistent, but very slowly; the mismatch is aligned with the shift).
* :math:`n_1 \in \{10, 100, 200, 300, 400, 500\}`, :math:`n_0 = 20 n_1`;
  no-intercept ridge least squares (ridge 1e-6), labels 0/1.
* Cancelling multiplier [DERIVED]: :math:`\tilde n^*/(n_0 - n_1) = 1/(3a - a^2 - 1)`
  with :math:`a = a_n`; the denominator is negative at :math:`n_1 = 10`
  (:math:`a_{10} \approx 0.341`), so no finite cancelling size exists there and the
  ``theory`` rule is absent at that point.
* Size rules: ``raw``, ``balance`` and ``theory`` (the population-theory size),
  and the data-driven ``vtss`` (plain VTSS, γ ∈ [0.5, 1.5]) and ``tg-vtss``
  (TG-VTSS), both selected by 5-fold cross-validation of the balanced MSE, with
  GQS from 3-fold cross-fitting (the note's settings). The selection pass draws
  its own replications and also records ``balance`` on the same data, so
  ``paired_gain`` summaries (balance − rule, mean with a 95 % MCSE interval) are
  paired comparisons.
* Metrics: ``excess_risk`` (exact), ``param_error``, ``predicted_excess``.

Expected: the theory size improves on full balancing, by more at larger n1
(the balance excess decays only as fast as :math:`(1 - a_n)^2 \propto 1/\log n_1`).
"""

from __future__ import annotations

import numpy as np

import functools

import jax
import jax.numpy as jnp

from synthaug.generators.basic import fixed
from synthaug.models import LinearModel
from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.theory.populations import GaussianLaw
from synthaug.simulate import Design, record, summary
from synthaug.diagnosis.vtss import VTSS_GRID

from synthaug.designs import biased_aligned
from synthaug.designs._common import COLORS, auto_batch, errorbar, finish_figure, select, slope_summary
from synthaug.designs._size_rules import run_rules
from synthaug.designs._tgvtss import diagnosis_summaries, select_sizes

NAME = "realistic-aligned"
DESCRIPTION = "§5.2: slowly consistent aligned generator a_n = 1 - 1/sqrt(log n1); balance, theory, VTSS, TG-VTSS"
GENERATORS = ("fixed",)
DEFAULT_GENERATORS = ("fixed",)
N1_GRID = (10, 100, 200, 300, 400, 500)
N1_QUICK = (10, 100, 500)
RATIO = 20
RIDGE = 1e-6
RULES = ("raw", "balance", "theory")
SELECTED = ("vtss", "tg-vtss")
MAX_MULTIPLE = 5.0


def a_n(n1: int) -> float:
    r""":math:`a_n = 1 - 1/\sqrt{\log n_1}`."""
    return 1.0 - 1.0 / np.sqrt(np.log(n1))


def generator_law(n1: int) -> GaussianLaw:
    return GaussianLaw([a_n(n1), 0.0])


def cancelling_multiplier(a: float) -> float:
    """Closed form 1/(3a − a² − 1), NaN when the denominator is ≤ 0 (used by the tests)."""
    den = 3 * a - a * a - 1
    return 1.0 / den if den > 0 else float("nan")


@functools.lru_cache(maxsize=None)
def selection_replication(n1: int, dtype):
    """One replication of the data-driven rules at this n1: excess risk of balance, VTSS, TG-VTSS."""
    pop = biased_aligned.population()
    theta_star = pop.theta_star  # read outside jit (cached property)
    del theta_star
    model = LinearModel(pop.loss, ridge=RIDGE, name="squared-nointercept")
    q = generator_law(n1)
    gen = fixed(q.sample, name="fixed")
    n0 = RATIO * n1
    gap = n0 - n1
    cap = int(np.floor(MAX_MULTIPLE * gap))

    def one(k):
        kd, kg, ks = jax.random.split(k, 3)
        X0, X1 = pop.sample(kd, n0, n1, dtype)
        sel = select_sizes(model, (), gen, ks, X0, X1, cv_folds=5, crossfit_folds=3, vtss_gammas=VTSS_GRID,
                           max_multiple=MAX_MULTIPLE)
        pool = gen(kg, X1, cap)
        X = jnp.concatenate([X0, X1])
        y = jnp.concatenate([jnp.zeros(n0, dtype), jnp.ones(n1, dtype)])
        sizes = jnp.stack([jnp.asarray(gap), sel.vtss_size, sel.tg_size])
        th = model.fit_sizes((), None, X, y, pool, sizes)
        return pop.excess_risk(th), sel._asdict()

    return one


def _run_selection(key, grid, reps, *, progress, dtype, batch_size):
    records, summaries = [], []
    for i, n1 in enumerate(grid):
        n0 = RATIO * n1
        gap = n0 - n1
        bs = auto_batch(8.0 * 2 * (n0 + n1 + MAX_MULTIPLE * gap) * 12, reps, batch_size)
        exc, sel = run_replications(selection_replication(n1, dtype), jax.random.fold_in(key, 1000 + i), reps,
                                    batch_size=bs, progress=progress, desc=f"{NAME} selection n1={n1}")
        for j, rule in enumerate(SELECTED):
            m, se = mean_mcse(exc[:, j + 1])
            size_key = "vtss_size" if rule == "vtss" else "tg_size"
            sizes = np.asarray(sel[size_key], float)
            records.append(record(NAME, rule, "fixed", n0, n1, None, float(np.median(sizes)) / gap, "excess_risk",
                                  float(m), float(se), reps, pass_="selection",
                                  median_n_synthetic=float(np.median(sizes))))
            gain = exc[:, 0] - exc[:, j + 1]
            gm, gse = mean_mcse(gain)
            summaries.append(summary("paired_gain", rule, "fixed", "n1", "excess_risk(balance) - excess_risk(rule)",
                                     float(gm), float(gm - 1.96 * gse), float(gm + 1.96 * gse), n1=n1))
        m, se = mean_mcse(exc[:, 0])
        records.append(record(NAME, "balance", "fixed", n0, n1, gap, 1.0, "excess_risk", float(m), float(se), reps,
                              pass_="selection"))
        summaries += diagnosis_summaries(NAME, "fixed", sel, gap, n1=n1)
    return records, summaries


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    pop = biased_aligned.population()
    grid = N1_QUICK if quick else N1_GRID
    records, per_n1 = run_rules(NAME, pop, generator_law, grid, RATIO, RULES, RIDGE, key, reps,
                                progress=progress, dtype=dtype, batch_size=batch_size)
    summaries = [slope_summary(records, rule, "fixed", lo=100) for rule in RULES]
    sel_records, sel_summaries = _run_selection(key, grid, reps, progress=progress, dtype=dtype,
                                                batch_size=batch_size)
    records += sel_records
    summaries += sel_summaries
    for row in per_n1:
        summaries.append(summary("theory_multiplier", "theory", "fixed", "n1", "gamma", row["gamma_star"], None, None,
                                 n1=row["n1"], a_n=a_n(row["n1"])))
    settings = dict(n1_grid=list(grid), ratio=RATIO, ridge=RIDGE, per_n1=per_n1)
    return records, summaries, settings


def plot(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    for rule in SELECTED:
        rows = select(result, method=rule, metric="excess_risk")
        if rows:
            errorbar(ax, [r["n1"] for r in rows], [r["mean"] for r in rows], [r["mcse"] for r in rows], rule,
                     COLORS[rule], ls="--")
    for rule in RULES:
        rows = [r for r in select(result, method=rule, metric="excess_risk") if r.get("pass_") is None]
        if rows:
            errorbar(ax, [r["n1"] for r in rows], [r["mean"] for r in rows], [r["mcse"] for r in rows], rule, COLORS[rule])
            pred = select(result, method=rule, metric="predicted_excess")
            ax.plot([r["n1"] for r in pred], [r["mean"] for r in pred], ls=":", color=COLORS[rule], lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("minority size $n_1$  ($n_0 = 20 n_1$)")
    ax.set_ylabel("excess balanced risk (mean ± 1.96 MCSE)")
    ax.set_title(r"Slowly consistent generator $Q_n = N(a_n e_1, I)$")
    ax.legend(fontsize=8, title="dotted: two-term theory", title_fontsize=7)
    ax = axes[1]
    rows = [s for s in result.summaries if s["kind"] == "theory_multiplier"]
    n1 = [s["n1"] for s in rows]
    ax.plot(n1, [s["estimate"] if s["estimate"] is not None else np.nan for s in rows], "o-", color=COLORS["theory"],
            label=r"$\gamma^* = \tilde n^*/(n_0-n_1)$")
    for s in rows:
        if s["estimate"] is None:
            ax.annotate("no finite\ncancelling size", (s["n1"], 1.0), fontsize=8, ha="left")
    ax.axhline(1.0, color=COLORS["balance"], ls="--", lw=1, label="balance (γ = 1)")
    ax.set_xscale("log")
    ax.set_xlabel("minority size $n_1$")
    ax.set_ylabel("multiplier γ")
    ax2 = ax.twinx()
    ax2.plot(n1, [s["a_n"] for s in rows], "s:", color="gray", ms=3, label="$a_n$")
    ax2.set_ylabel("$a_n = 1 - 1/\\sqrt{\\log n_1}$", color="gray")
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title("theory multiplier 1/(3a − a² − 1)")
    return finish_figure(fig, result, model="squared loss without intercept, pooled ERM")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
