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
* Size rules here: ``raw``, ``balance`` and ``theory`` (the population-theory
  size). The data-driven VTSS and TG-VTSS rules are added by the diagnosis issue.
* Metrics: ``excess_risk`` (exact), ``param_error``, ``predicted_excess``.

Expected: the theory size improves on full balancing, by more at larger n1
(the balance excess decays only as fast as :math:`(1 - a_n)^2 \propto 1/\log n_1`).
"""

from __future__ import annotations

import numpy as np

from synthaug.populations import GaussianLaw
from synthaug.simulate import Design, summary

from . import biased_aligned
from ._common import COLORS, errorbar, select, slope_summary
from ._size_rules import run_rules

NAME = "realistic-aligned"
N1_GRID = (10, 100, 200, 300, 400, 500)
N1_QUICK = (10, 100, 500)
RATIO = 20
RIDGE = 1e-6
RULES = ("raw", "balance", "theory")


def a_n(n1: int) -> float:
    r""":math:`a_n = 1 - 1/\sqrt{\log n_1}`."""
    return 1.0 - 1.0 / np.sqrt(np.log(n1))


def generator_law(n1: int) -> GaussianLaw:
    return GaussianLaw([a_n(n1), 0.0])


def cancelling_multiplier(a: float) -> float:
    """Closed form 1/(3a − a² − 1), NaN when the denominator is ≤ 0 (used by the tests)."""
    den = 3 * a - a * a - 1
    return 1.0 / den if den > 0 else float("nan")


def _run(key, reps, generators, *, quick, progress, dtype, batch_size):
    pop = biased_aligned.population()
    grid = N1_QUICK if quick else N1_GRID
    records, per_n1 = run_rules(NAME, pop, generator_law, grid, RATIO, RULES, RIDGE, key, reps,
                                progress=progress, dtype=dtype, batch_size=batch_size)
    summaries = [slope_summary(records, rule, "fixed", lo=100) for rule in RULES]
    for row in per_n1:
        summaries.append(summary("theory_multiplier", "theory", "fixed", "n1", "gamma", row["gamma_star"], None, None,
                                 n1=row["n1"], a_n=a_n(row["n1"])))
    settings = dict(n1_grid=list(grid), ratio=RATIO, ridge=RIDGE, per_n1=per_n1)
    return records, summaries, settings


def _plot(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    for rule in RULES:
        rows = select(result, method=rule, metric="excess_risk")
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
    fig.suptitle(f"{NAME}: {result.reps} replications, seed {result.seed}", fontsize=10)
    fig.tight_layout()
    return fig


DESIGN = Design(
    name=NAME,
    description="§5.2: slowly consistent aligned generator a_n = 1 - 1/sqrt(log n1); balance vs theory size",
    generators=("fixed",),
    default_generators=("fixed",),
    run=_run,
    plot=_plot,
)
