"""VTSS and TG-VTSS inside one traced replication (shared by the designs that select sizes).

:func:`select_sizes` runs the whole diagnosis of Ma & Zhang (arXiv 2601.16120, §4) on one
simulated training set as a pure JAX function, so the designs ``vmap`` it over
replications: balanced pilot, Wald test, cross-fitted mismatch and GQS (every real row
held out in exactly one fold, :func:`synthaug.core.folds.stratified_folds`), the TG-VTSS
candidates (a fixed-length traced vector), and the cross-validated choice among them;
plain VTSS on its static grid alongside. The designs then refit at the chosen sizes
from one nested pool and score them on test data or exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.folds import Folds, stratified_folds
from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.diagnosis.alignment import alignment, crossfit_mismatch, generator_quality_score, theory_size_from
from synthaug.diagnosis.symmetry import pilot_fit, rank_wald_cutoff, symmetry_test
from synthaug.diagnosis.vtss import balanced_validation_loss, cv_losses, sizes_from_gammas, tg_candidates
from synthaug.simulate import record, summary

from synthaug.designs._common import COLORS, auto_batch, finish_figure


class Selection(NamedTuple):
    t_sym: jax.Array
    reject: jax.Array
    gqs: jax.Array
    cosine: jax.Array
    rho: jax.Array
    theory: jax.Array
    branch: jax.Array
    tg_size: jax.Array
    vtss_size: jax.Array


def selection_folds(key, n0: int, n1: int, cv_folds: int, holdout: bool) -> Folds:
    """K-fold splits, or (``holdout``) the first fold of a K-fold split: a 1/K stratified holdout.

    Every real row is validated exactly once (``holdout_remainder=True``); the holdout is
    block 0, of :math:`\\lceil n_c/K\\rceil` rows when K does not divide :math:`n_c`.
    """
    f = stratified_folds(key, n0, n1, cv_folds, holdout_remainder=True)
    if holdout:
        f = f.take([0])
    return f


def select_sizes(model, aux, generator, key, X0, X1, *, cv_folds=5, holdout=False, crossfit_folds=3, alpha=0.05,
                 tau=10.0, max_multiple=5.0, vtss_gammas=None, wide_gammas=None) -> Selection:
    """Diagnosis + TG-VTSS (+ plain VTSS when ``vtss_gammas`` is given) for one training set."""
    n0, n1 = X0.shape[0], X1.shape[0]
    gap = n0 - n1
    kp, kcf, kf, kcv, kv = jax.random.split(key, 5)
    params = pilot_fit(model, aux, kp, X0, X1)
    test = symmetry_test(model, aux, params, X0, X1)
    reject = test.t_sym > rank_wald_cutoff(test.rank, test.df, alpha)  # chi2 on the numerical rank of V
    mm = crossfit_mismatch(model, aux, generator, kcf, X0, X1, stratified_folds(kf, n0, n1, crossfit_folds,
                                                                             holdout_remainder=True))
    cos, rho, denom = alignment(test.g_phi, mm.g_psi)
    theory = theory_size_from(gap, denom)
    gqs = generator_quality_score(n0, n1, mm)
    cands, branch, _ = tg_candidates(gap, reject, gqs, theory, tau, max_multiple, wide_gammas)
    sel_folds = selection_folds(jax.random.fold_in(kf, 1), n0, n1, cv_folds, holdout)
    cap = int(np.floor(max_multiple * gap))
    L = cv_losses(model, aux, generator, kcv, X0, X1, cands, sel_folds, cap)
    tg_size = cands[jnp.argmin(L.mean(axis=0))]
    if vtss_gammas is None:
        vtss_size = jnp.asarray(-1)
    else:
        vc_np = sizes_from_gammas(vtss_gammas, gap)
        vc = jnp.asarray(vc_np)
        Lv = cv_losses(model, aux, generator, kv, X0, X1, vc, sel_folds, int(vc_np.max()))
        vtss_size = vc[jnp.argmin(Lv.mean(axis=0))]
    return Selection(test.t_sym, reject, gqs, cos, rho, theory, branch, tg_size, vtss_size)


def diagnosis_summaries(design, generator, sel: dict, gap: int, **extra):
    """Shares of runs per regime / generator quality and medians of GQS, cosine and selected γ."""
    reject = np.asarray(sel["reject"], bool)
    gqs = np.asarray(sel["gqs"], float)
    out = [
        summary("share", "tg-vtss", generator, "runs", "local-asymmetry", float(reject.mean()), None, None, **extra),
        summary("share", "tg-vtss", generator, "runs", "biased-generator", float((gqs > 10.0).mean()), None, None,
                **extra),
    ]
    for name, values in (("gqs", gqs), ("cosine", np.asarray(sel["cosine"], float)),
                         ("tg_gamma", np.asarray(sel["tg_size"], float) / gap),
                         ("vtss_gamma", np.asarray(sel["vtss_size"], float) / gap),
                         ("theory_gamma", np.asarray(sel["theory"], float) / gap)):
        v = values[np.isfinite(values)]
        if name == "vtss_gamma" and np.all(values < 0):
            continue
        q = np.quantile(v, [0.5, 0.25, 0.75]) if v.size else [np.nan] * 3
        out.append(summary("median", "tg-vtss", generator, "runs", name, float(q[0]), float(q[1]), float(q[2]),
                           n_finite=int(v.size), **extra))
    return out


def end_to_end(model, generator, key, X0, X1, T0, T1, *, cv_folds=5, holdout=False, crossfit_folds=5,
               max_multiple=2.0, vtss_gammas=None, curve_gammas=None):
    """One replication of an end-to-end design: diagnosis, selection, refits, test losses.

    Returns ``(test_losses, selection)`` with ``test_losses`` of length
    ``len(curve_gammas) + 2``: the balanced test loss along the fixed-γ curve (all
    from one nested pool on the full training data), then at the VTSS and the
    TG-VTSS sizes (prefixes of the same pool, so the comparisons are paired).
    """
    n0, n1 = X0.shape[0], X1.shape[0]
    gap = n0 - n1
    k_aux, k_sel, k_pool, k_fit = jax.random.split(key, 4)
    aux = model.prepare(k_aux, jnp.concatenate([X0, X1]))
    sel = select_sizes(model, aux, generator, k_sel, X0, X1, cv_folds=cv_folds, holdout=holdout,
                       crossfit_folds=crossfit_folds, max_multiple=max_multiple, vtss_gammas=vtss_gammas)
    cap = int(np.floor(max_multiple * gap))
    pool = generator(k_pool, X1, cap, X_majority=X0)
    sizes = jnp.concatenate([jnp.asarray(sizes_from_gammas(curve_gammas, gap)),
                             jnp.stack([jnp.maximum(sel.vtss_size, 0), sel.tg_size])])
    X = jnp.concatenate([X0, X1])
    y = jnp.concatenate([jnp.zeros(n0, X.dtype), jnp.ones(n1, X.dtype)])
    params = model.fit_sizes(aux, k_fit, X, y, pool, sizes)
    losses = jax.vmap(lambda p: balanced_validation_loss(model, aux, p, T0, T1))(params)
    return losses, sel._asdict()


def end_to_end_replication(model, generator, sample_majority, sample_minority, n0, n1, n_test, dtype, **options):
    """One replication of an end-to-end design on fresh data, as a function of its key.

    Draws ``n0`` majority and ``n1`` minority training rows and ``n_test`` test rows per
    class from the samplers ``sample_*(key, n, dtype)``, then runs :func:`end_to_end`
    with ``options``; returns ``one(key) -> (test_losses, selection)``, pure and vmappable.
    """

    def one(key):
        k0, k1, t0, t1, kr = jax.random.split(key, 5)
        X0, X1 = sample_majority(k0, n0, dtype), sample_minority(k1, n1, dtype)
        T0, T1 = sample_majority(t0, n_test, dtype), sample_minority(t1, n_test, dtype)
        return end_to_end(model, generator, kr, X0, X1, T0, T1, **options)

    return one


def run_end_to_end(design, generator, one, key, reps, bytes_per_rep, *, n0, n1, curve_gammas, progress, batch_size):
    """Run ``reps`` replications ``one(key)`` of an end-to-end design; returns ``(records, summaries)``.

    Parameters
    ----------
    design, generator : str
        Names written into the records.
    one : callable
        ``one(key) -> (test_losses, selection)``, from :func:`end_to_end_replication`.
    key : jax.Array
        PRNG key of the run.
    reps : int
        Replications.
    bytes_per_rep : float
        Memory estimate of one replication; sizes the vmapped chunks
        (:func:`synthaug.designs._common.auto_batch`) unless ``batch_size`` is given.
    n0, n1 : int
        Training class sizes.
    curve_gammas : sequence of float
        The fixed-γ grid of the test-loss curve.
    progress : bool
        Show a progress bar.
    batch_size : int or None
        Replications per vmapped chunk.
    """
    bs = auto_batch(bytes_per_rep, reps, batch_size)
    losses, sel = run_replications(one, key, reps, batch_size=bs, progress=progress, desc=design)
    return end_to_end_records(design, generator, losses, sel, n0, n1, curve_gammas, reps)


def end_to_end_records(design, generator, losses, sel, n0, n1, curve_gammas, reps):
    """Records (fixed-γ curve, raw, balance, vtss, tg-vtss) and summaries for :func:`end_to_end` output."""
    gap = n0 - n1
    L = np.asarray(losses, float)
    G = len(curve_gammas)
    sizes = sizes_from_gammas(curve_gammas, gap)
    records = []
    for j, (g, s) in enumerate(zip(curve_gammas, sizes)):
        m, se = mean_mcse(L[:, j])
        records.append(record(design, "fixed", generator, n0, n1, int(s), float(g), "test_loss", float(m), float(se),
                              reps))
    idx = {"raw": int(np.argmin(np.abs(np.asarray(curve_gammas) - 0.0))),
           "balance": int(np.argmin(np.abs(np.asarray(curve_gammas) - 1.0)))}
    cols = {"raw": L[:, idx["raw"]], "balance": L[:, idx["balance"]], "tg-vtss": L[:, G + 1]}
    med = {"raw": 0.0, "balance": 1.0, "tg-vtss": float(np.median(np.asarray(sel["tg_size"]) / gap))}
    if np.all(np.asarray(sel["vtss_size"]) >= 0):
        cols["vtss"] = L[:, G]
        med["vtss"] = float(np.median(np.asarray(sel["vtss_size"]) / gap))
    for name, v in cols.items():
        m, se = mean_mcse(v)
        records.append(record(design, name, generator, n0, n1, None, med[name], "test_loss", float(m), float(se),
                              reps, gamma_is_median=name in ("vtss", "tg-vtss")))
    summaries = diagnosis_summaries(design, generator, sel, gap)
    for name in [k for k in cols if k != "tg-vtss"]:
        diff = cols[name] - cols["tg-vtss"]
        m, se = mean_mcse(diff)
        summaries.append(summary("paired_gain", "tg-vtss", generator, name, "test_loss(rule) - test_loss(tg-vtss)",
                                 float(m), float(m - 1.96 * se), float(m + 1.96 * se)))
    curve = L[:, :G].mean(axis=0)
    summaries.append(summary("curve_minimum", "fixed", generator, "gamma", "test_loss",
                             float(curve_gammas[int(np.argmin(curve))]), None, None, loss=float(curve.min())))
    return records, summaries


def plot_end_to_end(result, title, model):
    """Test-loss curve over γ with the rules' mean losses and the selected γ distribution."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.6, 1]})
    ax = axes[0]
    for gen in sorted({r["generator"] for r in result.records}):
        rows = sorted([r for r in result.records if r["method"] == "fixed" and r["generator"] == gen],
                      key=lambda r: r["gamma"])
        g = np.array([r["gamma"] for r in rows])
        m = np.array([r["mean"] for r in rows])
        s = np.array([r["mcse"] for r in rows])
        ax.plot(g, m, "-", color="0.3", lw=1.4, label=f"fixed γ ({gen})")
        ax.fill_between(g, m - 1.96 * s, m + 1.96 * s, color="0.3", alpha=0.2)
        for rule in ("raw", "balance", "vtss", "tg-vtss"):
            r = [x for x in result.records if x["method"] == rule and x["generator"] == gen]
            if r:
                ax.errorbar([r[0]["gamma"]], [r[0]["mean"]], yerr=[1.96 * r[0]["mcse"]], marker="o", ms=6,
                            capsize=3, color=COLORS.get(rule), ls="none",
                            label=f"{rule}" + (" (at median γ)" if rule in ("vtss", "tg-vtss") else ""))
    ax.set_xlabel("γ = synthetic size / (n0 − n1)")
    ax.set_ylabel("balanced test log-loss (mean ± 1.96 MCSE)")
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=10)
    ax = axes[1]
    meds = [s for s in result.summaries if s["kind"] == "median"]
    labels, vals, lo, hi = [], [], [], []
    for s in meds:
        if s["y"] in ("tg_gamma", "vtss_gamma", "theory_gamma") and s["estimate"] is not None:
            labels.append(s["y"].replace("_gamma", ""))
            vals.append(s["estimate"])
            lo.append(s["estimate"] - (s["ci_low"] if s["ci_low"] is not None else s["estimate"]))
            hi.append((s["ci_high"] if s["ci_high"] is not None else s["estimate"]) - s["estimate"])
    ax.barh(labels, vals, xerr=[lo, hi], color=["#e377c2", "#8c564b", "#d62728"][: len(vals)], alpha=0.8)
    ax.axvline(1.0, color="k", ls="--", lw=1)
    shares = {s["y"]: s["estimate"] for s in result.summaries if s["kind"] == "share"}
    gqs = next((s for s in meds if s["y"] == "gqs"), None)
    cos = next((s for s in meds if s["y"] == "cosine"), None)
    text = (f"asymmetry in {100 * shares.get('local-asymmetry', np.nan):.0f}% of runs\n"
            f"biased generator in {100 * shares.get('biased-generator', np.nan):.0f}%\n"
            + (f"median GQS {gqs['estimate']:.3g}\n" if gqs else "")
            + (f"median cos {cos['estimate']:+.2f}" if cos else ""))
    ax.set_xlim(0, max([2.0] + [v + h for v, h in zip(vals, hi)]) + 1.0)
    ax.text(0.98, 0.98, text, transform=ax.transAxes, ha="right", va="top", fontsize=8,
            bbox=dict(facecolor="white", alpha=0.85, edgecolor="0.8"))
    ax.set_xlabel("selected γ: median and quartiles over runs")
    ax.set_title("diagnosis read-out", fontsize=10)
    return finish_figure(fig, result, model=model,
                         bars="left, mean ± 1.96 MCSE (95 % Monte Carlo interval); right, median and quartiles")
