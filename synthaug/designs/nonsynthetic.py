r"""Design ``nonsynthetic`` (Ma & Zhang, arXiv 2601.16120, §5.6): synthetic vs non-synthetic remedies with an MLP.

An existence demonstration (the authors' words), not a general superiority claim.

* :math:`d = 10` with mixed marginals (documented construction; the note gives only
  the ingredients): coordinates 1–3 Student-t with 2.2 degrees of freedom;
  4–6 Gaussian with 10 % of entries inflated ×6 (outliers); 7–10 log-normal
  :math:`\exp(N(0, 0.5^2))`. The majority uses these as they are. The minority
  adds small shifts (0.12 to the t coordinates, 0.16 to the Gaussian ones, a
  factor :math:`e^{0.10}` to the log-normal ones) and a smooth curved structure:
  :math:`x_4 \mathrel{+}= 0.8\sin(1.5x_1)`, :math:`x_5 \mathrel{+}= 0.8\cos(1.5 x_2)`.
* :math:`n_0 = 800`, :math:`n_1 = 100` (gap 700); balanced test set of 5,000 per class.
* Model: MLP (64, 32), ReLU, AdamW (lr 2e-3, weight decay 1e-3), 120 full-batch
  epochs (:class:`synthaug.models.MLPModel`); inputs standardised with the
  training rows' mean and sd.
* Methods (balanced test log-loss): ``raw`` (unweighted ERM); ``reweight``
  (minority weight n0/n1); ``cost-sensitive`` (minority weight r tuned over
  r ∈ {1, 1.5, …, 10} by 5-fold CV of the balanced log-loss, then refitted);
  ``tg-vtss`` with each generator (SMOTE k = 5; jitter = bootstrap plus
  :math:`N(0, (0.5\,\mathrm{sd}_j)^2)` per feature; ADASYN and Borderline-SMOTE with
  ``--generators``), 5-fold CV,
  GQS by 3-fold cross-fitting. The Wald test and GQS use the MLP's last layer
  (:mod:`synthaug.models`, last-layer linearisation).
* Documented economy: TG-VTSS candidates are those of the reference algorithm
  but the wide grid (biased branch) is thinned to steps of 0.1·gap, and theory
  candidates are clipped at 2·gap; every method uses the same initial weights
  within a replication (common random numbers).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.folds import fold_masks, stratified_folds
from synthaug.generators.basic import jitter, smote
from synthaug.generators.registry import GENERATOR_FACTORIES, make_generator
from synthaug.models import MLPModel
from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.simulate import Design, record, summary
from synthaug.diagnosis.vtss import balanced_validation_loss

from synthaug.designs._common import COLORS, finish_figure
from synthaug.designs._tgvtss import diagnosis_summaries, select_sizes

NAME = "nonsynthetic"
DESCRIPTION = ("§5.6: MLP; raw, reweighting, tuned cost-sensitive weights and TG-VTSS with SMOTE / jitter "
               "(ADASYN, Borderline-SMOTE on request)")
GENERATORS = ("smote", "jitter", "adasyn", "borderline-smote")
DEFAULT_GENERATORS = ("smote", "jitter")
D, N0, N1, N_TEST = 10, 800, 100, 5000
MODEL = MLPModel()
QUICK_MODEL = MLPModel(hidden=(16, 8), epochs=40)
COST_GRID = np.round(np.arange(1.0, 10.01, 0.5), 10)
MAX_MULTIPLE = 2.0
WIDE_THIN = np.round(np.arange(21) * 0.1, 10)


def _marginals(key, n, dtype):
    kt, kg, ko, kl = jax.random.split(key, 4)
    t = jax.random.t(kt, 2.2, (n, 3), dtype)
    g = jax.random.normal(kg, (n, 3), dtype) * jnp.where(jax.random.bernoulli(ko, 0.1, (n, 3)), 6.0, 1.0)
    ln = jnp.exp(0.5 * jax.random.normal(kl, (n, 4), dtype))
    return t, g, ln


def sample_majority(key, n, dtype):
    return jnp.concatenate(_marginals(key, n, dtype), axis=1)


def sample_minority(key, n, dtype):
    t, g, ln = _marginals(key, n, dtype)
    t = t + 0.12
    g = g + 0.16
    g = g.at[:, 0].add(0.8 * jnp.sin(1.5 * t[:, 0])).at[:, 1].add(0.8 * jnp.cos(1.5 * t[:, 1]))
    return jnp.concatenate([t, g, ln * jnp.exp(0.10)], axis=1)


def generators_available():
    gens = ["smote", "jitter"]
    if "adasyn" in GENERATOR_FACTORIES:
        gens.append("adasyn")
    return tuple(gens)


def _generator(name):
    if name == "smote":
        return smote(5)
    if name == "jitter":
        return jitter(0.5, per_feature=True)
    return make_generator(name)


def _weighted_cv(model, key, X0, X1, ratios, folds):
    """CV balanced loss (F, R) of minority-weight ratios.

    Every real row is validated exactly once (``folds`` from ``stratified_folds`` with
    ``holdout_remainder=True``): padding slots get weight 0 in the fit and in the
    validation means, so all folds run as one ``vmap`` without any generator.
    """
    n0t, n1t = folds.train0.shape[1], folds.train1.shape[1]
    masks = fold_masks(folds, X0.dtype)
    padded = folds.padded  # static: without padding, plain means (today's program)

    def fold(k, tr0, va0, tr1, va1, mt0, mv0, mt1, mv1):
        X = jnp.concatenate([X0[tr0], X1[tr1]])
        y = jnp.concatenate([jnp.zeros(n0t, X.dtype), jnp.ones(n1t, X.dtype)])

        def one(r):
            w = jnp.concatenate([mt0, r * mt1])
            p = model.fit((), k, X, y, w)
            return balanced_validation_loss(model, (), p, X0[va0], X1[va1], *((mv0, mv1) if padded else ()))

        return jax.vmap(one)(ratios)

    keys = jax.random.split(key, folds.train0.shape[0])
    return jax.vmap(fold)(keys, *folds, *masks)


@functools.lru_cache(maxsize=None)
def replication(gens: tuple, dtype, quick: bool):
    model = QUICK_MODEL if quick else MODEL
    n_test = 1000 if quick else N_TEST
    ratios = jnp.asarray(COST_GRID[::4] if quick else COST_GRID, dtype)
    generators = [_generator(g) for g in gens]

    def one(key):
        k0, k1, t0, t1, kinit, kcv, ksel = jax.random.split(key, 7)
        X0, X1 = sample_majority(k0, N0, dtype), sample_minority(k1, N1, dtype)
        T0, T1 = sample_majority(t0, n_test, dtype), sample_minority(t1, n_test, dtype)
        mu = jnp.mean(jnp.concatenate([X0, X1]), axis=0)
        sd = jnp.std(jnp.concatenate([X0, X1]), axis=0)
        X0, X1, T0, T1 = ((A - mu) / sd for A in (X0, X1, T0, T1))
        X = jnp.concatenate([X0, X1])
        y = jnp.concatenate([jnp.zeros(N0, dtype), jnp.ones(N1, dtype)])

        def test_loss(w):
            return balanced_validation_loss(model, (), model.fit((), kinit, X, y, w), T0, T1)

        ones = jnp.ones(N0, dtype)
        raw = test_loss(jnp.concatenate([ones, jnp.ones(N1, dtype)]))
        rew = test_loss(jnp.concatenate([ones, jnp.full(N1, N0 / N1, dtype)]))
        folds = stratified_folds(kcv, N0, N1, 5, holdout_remainder=True)
        cvl = _weighted_cv(model, kinit, X0, X1, ratios, folds).mean(axis=0)
        r_hat = ratios[jnp.argmin(cvl)]
        cost = test_loss(jnp.concatenate([ones, jnp.full(N1, 1.0, dtype) * r_hat]))
        tg, sizes = [], []
        for i, gen in enumerate(generators):
            kg = jax.random.fold_in(ksel, i)
            sel = select_sizes(model, (), gen, kg, X0, X1, cv_folds=5, crossfit_folds=3, max_multiple=MAX_MULTIPLE,
                               wide_gammas=WIDE_THIN)
            pool = gen(jax.random.fold_in(kg, 99), X1, int(MAX_MULTIPLE * (N0 - N1)), X_majority=X0)
            p = model.fit_sizes((), kinit, X, y, pool, sel.tg_size[None])
            p = jax.tree.map(lambda a: a[0], p)
            tg.append(balanced_validation_loss(model, (), p, T0, T1))
            sizes.append(sel._asdict())
        return dict(raw=raw, reweight=rew, cost=cost, r_hat=r_hat, tg=jnp.stack(tg)), sizes

    return one


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    gens = tuple(generators)
    out, sels = run_replications(replication(gens, dtype, quick), key, reps, batch_size=batch_size or 1,
                                 progress=progress, desc=NAME)
    gap = N0 - N1
    records, summaries = [], []
    cols = {"raw": out["raw"], "reweight": out["reweight"], "cost-sensitive": out["cost"]}
    for name, v in cols.items():
        m, se = mean_mcse(np.asarray(v))
        extra = {"median_ratio": float(np.median(out["r_hat"]))} if name == "cost-sensitive" else {}
        records.append(record(NAME, name, None, N0, N1, 0, 0.0, "test_loss", float(m), float(se), reps, **extra))
    for i, g in enumerate(gens):
        v = np.asarray(out["tg"][:, i])
        m, se = mean_mcse(v)
        med = float(np.median(np.asarray(sels[i]["tg_size"]))) / gap
        records.append(record(NAME, "tg-vtss", g, N0, N1, None, med, "test_loss", float(m), float(se), reps,
                              gamma_is_median=True))
        summaries += diagnosis_summaries(NAME, g, sels[i], gap)
        for name, w in cols.items():
            diff = np.asarray(w) - v
            dm, dse = mean_mcse(diff)
            summaries.append(summary("paired_gain", "tg-vtss", g, name, "test_loss(rule) - test_loss(tg-vtss)",
                                     float(dm), float(dm - 1.96 * dse), float(dm + 1.96 * dse)))
    settings = dict(d=D, n0=N0, n1=N1, n_test_per_class=1000 if quick else N_TEST,
                    mlp=dict(hidden=list((QUICK_MODEL if quick else MODEL).hidden),
                             epochs=(QUICK_MODEL if quick else MODEL).epochs, learning_rate=MODEL.learning_rate,
                             weight_decay=MODEL.weight_decay),
                    cost_grid=list(COST_GRID[::4] if quick else COST_GRID), cv_folds=5, crossfit_folds=3)
    return records, summaries, settings


def plot(result):
    import matplotlib.pyplot as plt

    rows = result.records
    labels = [r["method"] if r["generator"] is None else f"tg-vtss\n({r['generator']})" for r in rows]
    means = [r["mean"] for r in rows]
    errs = [1.96 * r["mcse"] for r in rows]
    colors = [COLORS.get(r["generator"] or r["method"], "0.5") for r in rows]
    fig, ax = plt.subplots(figsize=(8, 4.4))
    for i, (m, e, c) in enumerate(zip(means, errs, colors)):  # points, not bars: the axis need not start at 0
        ax.errorbar([i], [m], yerr=[e], color=c, marker="o", ms=6, capsize=4, ls="none")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, fontsize=8)
    lo = min(m - e for m, e in zip(means, errs))
    hi = max(m + e for m, e in zip(means, errs))
    ax.set_ylim(lo - 0.15 * (hi - lo), hi + 0.15 * (hi - lo))
    ax.set_ylabel("balanced test log-loss (mean ± 1.96 MCSE)")
    ax.grid(axis="y", alpha=0.3)
    hidden = result.settings.get("mlp", {}).get("hidden", list(MODEL.hidden))
    return finish_figure(fig, result, model=f"MLP {tuple(hidden)} (ReLU, AdamW)")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
