r"""Design ``symmetry-test`` (Ma & Zhang, arXiv 2601.16120, §3.5, §5.4): size and power of the Wald test.

* :math:`X_0 = -e_1 + D_0\circ U_0`, :math:`D_0 = (2, 1, \dots, 1)`; :math:`X_1 = b\,e_1 + U_1`;
  :math:`U` uniform on :math:`[-\sqrt3, \sqrt3]^d` (mean 0, covariance :math:`I`).
* Centred squared loss :math:`(y - \theta^\top x)^2` with :math:`y = \mp 1`, no intercept
  (ridge 1e-8). Closed forms for this loss: :math:`\theta^* = \frac{1+b}{6+b^2}e_1`,
  :math:`g_{\phi,1} = \frac{4(5b - 1 - b^2)}{6 + b^2}` (the note writes the loss with a
  factor ½, which halves :math:`g_\phi` and leaves the statistic unchanged). Local
  symmetry holds exactly at :math:`b_0 = (5-\sqrt{21})/2 \approx 0.2087`, although the
  classes differ in location and scale.
* **Null:** rejection rate of :math:`T_{\rm sym} > \chi^2_d(0.95)` over ``reps``
  datasets per configuration, :math:`d\in\{2, 5\}` (``--reps`` datasets; the paper used
  5000 and adds :math:`d = 10` in its paper mode, which the full run includes),
  :math:`n_1\in\{50, 250, 500\}`, :math:`\kappa = n_0/n_1\in\{5, 20\}`.
* **Power:** :math:`d = 5`, :math:`\kappa = 5`, :math:`n_1\in\{250, 500\}`, local
  alternatives :math:`g_\phi = h/\sqrt{n_{\rm eff}}` in the note's scaling (½-loss),
  :math:`n_{\rm eff} = n_0 n_1/(n_0+n_1)`, :math:`h\in\{-4,\dots,4\}`; :math:`b(h)` solves
  :math:`2(5b-1-b^2)/(6+b^2) = h/\sqrt{n_{\rm eff}}` on the branch through :math:`b_0`.
  Reference: the non-central :math:`\chi^2_d(\lambda)` power with
  :math:`\lambda = g_\phi^\top V^{-1} g_\phi`, :math:`V` the population version of the
  delta-method covariance, its moments from ``reference_draws`` Monte Carlo draws per
  class (1e5; the paper's mode 1e6).

Records: ``method="wald"``, metrics ``rejection_rate`` (MCSE = binomial),
``mean_statistic`` and, for power, ``reference_power`` (with ``lambda``); keys ``d``,
``kappa``, ``h``. Summaries: Kolmogorov–Smirnov p-value of the null statistics
against :math:`\chi^2_d` per configuration.

Expected: close to the nominal 5 % for :math:`n_1 \ge 250`; over-rejection at
:math:`n_1 = 50`, worse at :math:`\kappa = 20`; power tracking the non-central curve.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from synthaug.core.losses import squared_loss
from synthaug.core.glm import glm_moments
from synthaug.models import LinearModel
from synthaug.core.montecarlo import run_replications
from synthaug.simulate import Design, record, summary
from synthaug.diagnosis.symmetry import pilot_fit, pinv_quadratic_form, stable_solve, symmetry_test

from synthaug.designs._common import auto_batch, finish_figure

NAME = "symmetry-test"
DESCRIPTION = "§5.4: size under b = b0 and power under local alternatives of the local-symmetry Wald test"
GENERATORS = ("none",)
DEFAULT_GENERATORS = ("none",)
B0 = (5.0 - np.sqrt(21.0)) / 2.0
MODEL = LinearModel(squared_loss(labels=(-1.0, 1.0)), ridge=1e-8, name="centred-squared")
NULL_D, NULL_D_FULL = (2, 5), (2, 5, 10)
NULL_N1, KAPPAS = (50, 250, 500), (5, 20)
POWER_D, POWER_KAPPA, POWER_N1 = 5, 5, (250, 500)
H_GRID = (-4.0, -3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
QUICK = dict(null_d=(2,), null_n1=(50, 250), kappas=(5,), power_n1=(250,), h=(-3.0, 0.0, 3.0))
REFERENCE_DRAWS = 100_000


def sample(key, b, n0, n1, d, dtype):
    k0, k1 = jax.random.split(key)
    s3 = np.sqrt(3.0)
    U0 = jax.random.uniform(k0, (n0, d), dtype, -s3, s3)
    U1 = jax.random.uniform(k1, (n1, d), dtype, -s3, s3)
    e1 = jnp.zeros(d, dtype).at[0].set(1.0)
    D0 = jnp.ones(d, dtype).at[0].set(2.0)
    return -e1 + D0 * U0, b * e1 + U1


def theta_star(b, d):
    return np.eye(d)[0] * (1.0 + b) / (6.0 + b * b)


def g_phi_exact(b, d):
    """:math:`g_\\phi` for the loss :math:`(y - \\theta^\\top x)^2` (twice the note's ½-loss value)."""
    return np.eye(d)[0] * 4.0 * (5.0 * b - 1.0 - b * b) / (6.0 + b * b)


def b_for_h(h, n0, n1):
    """Local alternative: the b on the branch through b0 with note-scaled g_phi = h / sqrt(n_eff)."""
    c = h / np.sqrt(n0 * n1 / (n0 + n1))
    a2 = 2.0 + c
    disc = 100.0 - 4.0 * a2 * (2.0 + 6.0 * c)
    return (10.0 - np.sqrt(disc)) / (2.0 * a2)


@functools.lru_cache(maxsize=None)
def replication(n0, n1, d, dtype):
    def one(key, b):
        X0, X1 = sample(key, b, n0, n1, d, dtype)
        params = pilot_fit(MODEL, (), None, X0, X1)
        return symmetry_test(MODEL, (), params, X0, X1).t_sym

    return one


def reference_lambda(b, n0, n1, d, draws, seed=12345):
    """λ = gᵀV⁺g with population moments from ``draws`` Monte Carlo draws per class.

    ``V`` is formed as in :func:`~synthaug.diagnosis.symmetry.symmetry_test` (the ridge
    solve :func:`~synthaug.diagnosis.symmetry.stable_solve` for :math:`GH^{-1}`, the
    rank-aware :func:`~synthaug.diagnosis.symmetry.pinv_quadratic_form` for the quadratic
    form); it has full rank in this design, so this is gᵀV⁻¹g.
    """
    X0, X1 = sample(jax.random.PRNGKey(seed), b, draws, draws, d, jnp.float64)
    th = jnp.asarray(theta_star(b, d))
    _, S0, H0 = glm_moments(MODEL.loss, X0, th, jnp.zeros(draws))
    _, S1, H1 = glm_moments(MODEL.loss, X1, th, jnp.ones(draws))
    H = 0.5 * (H0 + H1)
    GHinv = stable_solve(H.T, (H0 - H1).T).T
    eye = jnp.eye(d)
    A0, A1 = eye - 0.5 * GHinv, -eye - 0.5 * GHinv
    V = A0 @ S0 @ A0.T / n0 + A1 @ S1 @ A1.T / n1
    g = jnp.asarray(g_phi_exact(b, d))
    # the same rank-aware quadratic form as the statistic (V is regular here: it equals g^T V^{-1} g)
    return float(pinv_quadratic_form(0.5 * (V + V.T), g)[0])


def _rate(T, cut):
    rej = (T > cut).astype(float)
    return float(rej.mean()), float(rej.std(ddof=1) / np.sqrt(rej.size))


def _stat_records(T, d, n0, n1, kappa, h, reps, cut, part):
    rate, se = _rate(T, cut)
    extra = dict(d=d, kappa=kappa, h=h, cutoff=cut, part=part)
    return [
        record(NAME, "wald", None, n0, n1, None, None, "rejection_rate", rate, se, reps, **extra),
        record(NAME, "wald", None, n0, n1, None, None, "mean_statistic", float(T.mean()),
               float(T.std(ddof=1) / np.sqrt(T.size)), reps, **extra),
    ]


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    null_d = QUICK["null_d"] if quick else NULL_D_FULL
    null_n1 = QUICK["null_n1"] if quick else NULL_N1
    kappas = QUICK["kappas"] if quick else KAPPAS
    power_n1 = QUICK["power_n1"] if quick else POWER_N1
    hs = QUICK["h"] if quick else H_GRID
    draws = 20_000 if quick else REFERENCE_DRAWS
    records, summaries = [], []
    i = 0
    for d in null_d:
        cut = float(stats.chi2.ppf(0.95, d))
        for n1 in null_n1:
            for kappa in kappas:
                n0 = kappa * n1
                bs = auto_batch(8.0 * d * (n0 + n1) * 6, reps, batch_size)
                one = replication(n0, n1, d, dtype)
                T = run_replications(functools.partial(one, b=B0), jax.random.fold_in(key, i), reps, batch_size=bs,
                                     progress=progress, desc=f"null d={d} n1={n1} kappa={kappa}")
                T = np.asarray(T, float)
                i += 1
                records += _stat_records(T, d, n0, n1, kappa, 0.0, reps, cut, "null")
                ks = stats.kstest(T, stats.chi2(d).cdf)
                summaries.append(summary("ks_pvalue", "wald", None, "T_sym", f"chi2_{d}", float(ks.pvalue), None,
                                         None, d=d, n1=n1, kappa=kappa, ks_statistic=float(ks.statistic)))
    d, kappa = POWER_D, POWER_KAPPA
    cut = float(stats.chi2.ppf(0.95, d))
    for n1 in power_n1:
        n0 = kappa * n1
        one = replication(n0, n1, d, dtype)
        bs = auto_batch(8.0 * d * (n0 + n1) * 6, reps, batch_size)
        for h in hs:
            b = float(b_for_h(h, n0, n1))
            T = run_replications(functools.partial(one, b=b), jax.random.fold_in(key, i), reps, batch_size=bs,
                                 progress=progress, desc=f"power n1={n1} h={h}")
            T = np.asarray(T, float)
            i += 1
            records += _stat_records(T, d, n0, n1, kappa, h, reps, cut, "power")
            lam = reference_lambda(b, n0, n1, d, draws)
            ref = float(stats.ncx2.sf(cut, d, lam)) if lam > 0 else 0.05
            records.append(record(NAME, "wald", None, n0, n1, None, None, "reference_power", ref, None, None,
                                  d=d, kappa=kappa, h=h, b=b, part="power", **{"lambda": lam}))
    settings = dict(b0=B0, null_d=list(null_d), null_n1=list(null_n1), kappas=list(kappas), power_d=POWER_D,
                    power_kappa=POWER_KAPPA, power_n1=list(power_n1), h=list(hs), reference_draws=draws,
                    alpha=0.05, ridge=MODEL.ridge)
    return records, summaries, settings


def plot(result):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    null = [r for r in result.records if r["metric"] == "rejection_rate" and r.get("part") == "null"]
    configs = sorted({(r["d"], r["kappa"]) for r in null})
    for j, (d, kappa) in enumerate(configs):
        pts = sorted([r for r in null if r["d"] == d and r["kappa"] == kappa], key=lambda r: r["n1"])
        ax.errorbar([r["n1"] * (1 + 0.03 * j) for r in pts], [r["mean"] for r in pts],
                    yerr=[1.96 * r["mcse"] for r in pts], marker="o", ms=4, capsize=2, label=f"d={d}, κ={kappa}")
    ax.axhline(0.05, color="k", ls="--", lw=1, label="nominal 5 %")
    ax.set_xscale("log")
    ax.set_xlabel("minority size $n_1$")
    ax.set_ylabel("rejection rate under $H_0$ (± 1.96 MCSE)")
    ax.set_title("size of the local-symmetry Wald test")
    ax.legend(fontsize=7)
    ax = axes[1]
    for j, n1 in enumerate(sorted({r["n1"] for r in result.records if r["metric"] == "reference_power"})):
        by_h = {r["h"]: r for r in result.records
                if r["metric"] == "rejection_rate" and r.get("part") == "power" and r["n1"] == n1}
        ref = sorted([r for r in result.records if r["metric"] == "reference_power" and r["n1"] == n1],
                     key=lambda r: r["h"])
        hs = sorted(by_h)
        ax.errorbar(hs, [by_h[h]["mean"] for h in hs], yerr=[1.96 * by_h[h]["mcse"] for h in hs], marker="o", ms=4,
                    capsize=2, ls="none", color=f"C{j}", label=f"empirical, n1={n1}")
        ax.plot([r["h"] for r in ref], [r["mean"] for r in ref], color=f"C{j}", lw=1.2,
                label=f"non-central χ², n1={n1}")
    ax.axhline(0.05, color="k", ls="--", lw=1)
    ax.set_xlabel("local alternative h  ($g_\\phi = h/\\sqrt{n_{\\rm eff}}$)")
    ax.set_ylabel("rejection rate")
    ax.set_title(f"power, d={POWER_D}, κ={POWER_KAPPA}")
    ax.legend(fontsize=7)
    return finish_figure(fig, result, f"{NAME}: {result.reps} datasets per point, seed {result.seed}",
                         model="centred squared loss (labels ±1), balanced pilot",
                         bars="rejection rate ± 1.96 binomial MCSE")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
