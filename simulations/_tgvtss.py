"""VTSS and TG-VTSS inside one traced replication (shared by the designs that select sizes).

:func:`select_sizes` runs the whole diagnosis of Ma & Zhang (arXiv 2601.16120, §4) on one
simulated training set as a pure JAX function, so the designs ``vmap`` it over
replications: balanced pilot, Wald test, cross-fitted mismatch and GQS, the TG-VTSS
candidates (a fixed-length traced vector), and the cross-validated choice among them;
plain VTSS on its static grid alongside. The designs then refit at the chosen sizes
from one nested pool and score them on test data or exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.alignment import alignment, crossfit_mismatch, generator_quality_score, theory_size_from
from synthaug.folds import Folds, stratified_folds
from synthaug.symmetry import pilot_fit, symmetry_test, wald_cutoff
from synthaug.vtss import cv_losses, sizes_from_gammas, tg_candidates


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
    """K-fold splits, or (``holdout``) the first fold of a K-fold split: a 1/K stratified holdout."""
    f = stratified_folds(key, n0, n1, cv_folds)
    if holdout:
        f = jax.tree.map(lambda a: a[:1], f)
    return f


def select_sizes(model, aux, generator, key, X0, X1, *, cv_folds=5, holdout=False, crossfit_folds=3, alpha=0.05,
                 tau=10.0, max_multiple=5.0, vtss_gammas=None) -> Selection:
    """Diagnosis + TG-VTSS (+ plain VTSS when ``vtss_gammas`` is given) for one training set."""
    n0, n1 = X0.shape[0], X1.shape[0]
    gap = n0 - n1
    kp, kcf, kf, kcv, kv = jax.random.split(key, 5)
    params = pilot_fit(model, aux, kp, X0, X1)
    test = symmetry_test(model, aux, params, X0, X1)
    reject = test.t_sym > wald_cutoff(test.df, alpha)
    mm = crossfit_mismatch(model, aux, generator, kcf, X0, X1, stratified_folds(kf, n0, n1, crossfit_folds))
    cos, rho, denom = alignment(test.g_phi, mm.g_psi)
    theory = theory_size_from(gap, denom)
    gqs = generator_quality_score(n0, n1, mm)
    cands, branch, _ = tg_candidates(gap, reject, gqs, theory, tau, max_multiple)
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
    from synthaug.simulate import summary

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
