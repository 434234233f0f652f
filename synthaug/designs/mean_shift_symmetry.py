r"""Design ``mean-shift-symmetry`` (Ma & Zhang, arXiv 2601.16120, §5.3(a)): local symmetry, squared loss.

* :math:`d = 20`, :math:`n_0 = 2000`, :math:`n_1 = 100`, :math:`\mu = e_1`;
  :math:`X_0 = -\mu + \xi`, :math:`X_1 = \mu + \xi`, labels −1/+1, squared loss
  without intercept, ridge 1e-8.
* Noise :math:`\xi` (mean 0, covariance I): ``uniform-cube`` on
  :math:`[-\sqrt3, \sqrt3]^d`, ``rademacher``, ``sphere`` of radius :math:`\sqrt d`.
* :math:`R_{bal}(\theta) = (1 - \theta^\top\mu)^2 + \lVert\theta\rVert^2`,
  :math:`\theta^* = \mu/(1 + \lVert\mu\rVert^2)`; both class gradients vanish at
  :math:`\theta^*` (local symmetry, :math:`g_\varphi = 0`).
* 20 multipliers γ ∈ linspace(0, 4, 20), ñ = round(γ(n0 − n1)), one nested pool per
  replication and generator.
* Generators: ``oracle`` (fresh draws from :math:`P_1`), ``smote`` (k = 5),
  ``gaussian`` (sample mean and covariance shrunk 10 % toward
  :math:`(\mathrm{tr}\,S/d) I`), ``semi-oracle`` (sample mean plus true noise).
* Metrics: ``excess_risk`` (exact), ``param_error``; ``predicted_excess`` from the
  two-term expansion for ``oracle`` (:math:`g_\psi = 0`) and ``semi-oracle``
  (:math:`E g_\psi g_\psi^\top = J\,\Sigma_\xi J^\top / n_1`, with :math:`J` the
  derivative of :math:`\nabla R_1(\theta^*)` in the minority mean, by autodiff).

Expected: all curves start at the same ñ = 0 value; the oracle's decreases in γ;
SMOTE, Gaussian fit and semi-oracle increase, ordered SMOTE > Gaussian >
semi-oracle; the three noise families give nearly identical curves.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.theory.decomposition import decompose, expected_excess
from synthaug.core.fit import fit_nested
from synthaug.generators.basic import gaussian_fit, oracle, semi_oracle, smote
from synthaug.core.losses import squared_loss
from synthaug.core.montecarlo import run_replications
from synthaug.theory.populations import Population, ShiftNoiseLaw
from synthaug.simulate import Design

from synthaug.designs._common import COLORS, auto_batch, curve_records, end_minus_start, errorbar, finish_figure

NAME = "mean-shift-symmetry"
DESCRIPTION = "§5.3(a): local symmetry, mean shift with squared loss; curves over gamma for 4 generators, 3 noises"
D, N0, N1 = 20, 2000, 100
NOISES = ("uniform-cube", "rademacher", "sphere")
GAMMAS = tuple(np.linspace(0.0, 4.0, 20))
GAMMAS_QUICK = tuple(np.linspace(0.0, 4.0, 6))
RIDGE = 1e-8
GENERATORS = ("oracle", "smote", "gaussian", "semi-oracle")
DEFAULT_GENERATORS = GENERATORS


def population(noise: str, d: int = D) -> Population:
    mu = np.zeros(d)
    mu[0] = 1.0
    return Population(squared_loss(labels=(-1.0, 1.0)), ShiftNoiseLaw(-mu, noise), ShiftNoiseLaw(mu, noise))


def make_generators(pop: Population, names):
    table = {
        "oracle": lambda: oracle(pop.p1.sample),
        "smote": lambda: smote(5),
        "gaussian": lambda: gaussian_fit(0.1),
        "semi-oracle": lambda: semi_oracle(pop.p1.sample_noise),
    }
    return [table[n]() for n in names]


def predicted_curves(pop: Population, sizes, n0: int, n1: int, dtype):
    """Two-term theory for the oracle and the semi-oracle generators, shape (len(sizes),) each."""
    th = pop.theta_star.astype(dtype)
    dec = decompose(pop.risk0, pop.risk1, pop.risk1, th)  # oracle: Q = P1, g_psi = 0
    s0 = pop.score_covariance(pop.p0, th, 0)
    s1 = pop.score_covariance(pop.p1, th, 1)
    m = jnp.asarray(sizes, dtype)
    out = {"oracle": expected_excess(m, n0, n1, dec, s0, s1, s1).total}

    # Semi-oracle: Q = P1 shifted by the sample-mean error e ~ (0, I/n1); g_psi ≈ J e.
    def grad_r1_shifted(e):
        law = ShiftNoiseLaw(pop.p1.mean, pop.p1.noise)
        m_shift = lambda t: (1.0 - t @ (jnp.asarray(law.mean, dtype) + e)) ** 2 + t @ t
        return jax.grad(m_shift)(th)

    J = jax.jacfwd(grad_r1_shifted)(jnp.zeros(pop.d, dtype))
    out["semi-oracle"] = expected_excess(m, n0, n1, dec, s0, s1, s1, psi_cov=J @ J.T / n1).total
    return {k: np.asarray(v) for k, v in out.items()}


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    gammas = GAMMAS_QUICK if quick else GAMMAS
    gap = N0 - N1
    sizes = [int(round(g * gap)) for g in gammas]
    records, summaries = [], []
    for i, noise in enumerate(NOISES):
        pop = population(noise)
        gens = make_generators(pop, generators)
        theta_star = pop.theta_star.astype(dtype)

        def one(k, pop=pop, gens=gens):
            kd, kg = jax.random.split(k)
            X0, X1 = pop.sample(kd, N0, N1, dtype)
            X = jnp.concatenate([X0, X1])
            y = jnp.concatenate([jnp.zeros(N0, dtype), jnp.ones(N1, dtype)])
            exc, err = [], []
            for g, kk in zip(gens, jax.random.split(kg, len(gens))):
                th = fit_nested(pop.loss, X, y, g(kk, X1, max(sizes)), sizes, ridge=RIDGE).theta
                exc.append(pop.excess_risk(th))
                err.append(jnp.linalg.norm(th - theta_star, axis=-1))
            return jnp.stack(exc), jnp.stack(err)

        bs = auto_batch(8.0 * D * (N0 + N1 + 2 * max(sizes)) * len(gens), reps, batch_size)
        exc, err = run_replications(one, jax.random.fold_in(key, i), reps, batch_size=bs, progress=progress,
                                    desc=f"{NAME} {noise}")
        pred = predicted_curves(pop, sizes, N0, N1, dtype)
        for j, g in enumerate(generators):
            common = dict(design=NAME, method="fixed", generator=g, n0=N0, n1=N1, sizes=sizes, gap=gap, noise=noise, d=D)
            records += curve_records(metric="excess_risk", values=exc[:, j], reps=reps, **common)
            records += curve_records(metric="param_error", values=err[:, j], reps=reps, **common)
            if g in pred:
                rec = curve_records(metric="predicted_excess", values=np.stack([pred[g], pred[g]]), reps=None, **common)
                for r in rec:
                    r["mcse"] = None
                records += rec
            # Monotone trend: paired end-to-start difference (same data, nested pools) with its MCSE.
            summaries.append(end_minus_start(exc[:, j], "fixed", g, noise=noise))
    settings = dict(d=D, n0=N0, n1=N1, gammas=[float(g) for g in gammas], sizes=sizes, ridge=RIDGE, noises=list(NOISES),
                    smote_k=5, gaussian_shrinkage=0.1)
    return records, summaries, settings


def plot(result):
    import matplotlib.pyplot as plt

    noises = result.settings.get("noises", list(NOISES))
    fig, axes = plt.subplots(1, len(noises), figsize=(4.6 * len(noises), 4.0), sharey=True)
    for ax, noise in zip(np.atleast_1d(axes), noises):
        for g in result.settings.get("generators", GENERATORS):
            rows = sorted(result.select(metric="excess_risk", generator=g, noise=noise), key=lambda r: r["gamma"])
            if not rows:
                continue
            errorbar(ax, [r["gamma"] for r in rows], [r["mean"] for r in rows], [r["mcse"] for r in rows], g,
                     COLORS.get(g))
            pred = sorted(result.select(metric="predicted_excess", generator=g, noise=noise), key=lambda r: r["gamma"])
            if pred:
                ax.plot([r["gamma"] for r in pred], [r["mean"] for r in pred], ls=":", color=COLORS.get(g), lw=1.2)
        ax.set_yscale("log")
        ax.set_xlabel(r"multiplier $\gamma = \tilde n/(n_0 - n_1)$")
        ax.set_title(f"noise: {noise}")
    np.atleast_1d(axes)[0].set_ylabel("excess balanced risk (mean ± 1.96 MCSE)")
    np.atleast_1d(axes)[0].legend(fontsize=8, title="dotted: two-term theory", title_fontsize=7)
    return finish_figure(fig, result, f"{NAME} (local symmetry, d = {D}, n0 = {N0}, n1 = {N1}): "
                                      f"{result.reps} replications, seed {result.seed}",
                         model="squared loss without intercept (labels ±1), pooled ERM")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
