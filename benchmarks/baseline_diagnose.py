r"""A straightforward scikit-learn + imbalanced-learn implementation of ``synthaug diagnose``.

The baseline of ``benchmarks/bench_diagnose.py``: the same procedure as
:func:`synthaug.diagnosis.diagnose` with the logistic model and SMOTE (Ma & Zhang,
arXiv 2601.16120, §2–4), written the way a user would write it with the usual
libraries, one ``LogisticRegression`` fit at a time:

1. standardise the features (mean 0, sd 1 over all rows, ``ddof=0``);
2. balanced pilot: logistic regression with class weights ``1/(2 n_c)`` (they sum
   to 1) and the ridge :math:`\lambda\lVert\theta\rVert^2` on the weight-normalised
   loss, intercept penalised too; in scikit-learn terms a constant column with
   ``fit_intercept=False``, ``sample_weight`` the normalised weights and
   ``C = 1/(2\lambda)`` (the objectives are proportional, so the minimisers agree);
3. per-row scores :math:`s_i = (\sigma(\eta_i) - y_i) z_i` and Hessians
   :math:`\sigma(\eta_i)(1-\sigma(\eta_i)) z_i z_i^\top`, :math:`z = (x, 1)`;
   the local-symmetry Wald statistic :math:`T_{\rm sym} = \hat g_\phi^\top\hat V^{-1}\hat g_\phi`
   with the delta-method covariance (:mod:`synthaug.diagnosis.symmetry`);
4. the cross-fitted mismatch :math:`\hat g_\psi` over stratified folds (pilot refit on
   the training part, SMOTE on the training part for the fold's gap, mean synthetic
   score minus mean held-out minority score) and the GQS
   (:mod:`synthaug.diagnosis.alignment`);
5. the TG-VTSS candidates and their stratified K-fold cross-validation: for every fold
   and candidate, SMOTE adds the candidate (rescaled to the fold's gap) to the training
   part, a plain (unit-weight) ridge logistic fit, and the balanced held-out log-loss
   (:mod:`synthaug.diagnosis.vtss`); the arg-min candidate, refitted on all rows.

Folds follow synthaug's rule (:mod:`synthaug.core.folds`: each class shuffled and cut
into ``K`` consecutive blocks of :math:`\lfloor n_c/K\rfloor` or :math:`\lceil n_c/K\rceil`
rows, so every row is validated exactly once), drawn with NumPy, so the random parts (folds, SMOTE draws) differ from
synthaug's: :math:`T_{\rm sym}` is deterministic given the pilot and must agree closely;
the GQS and the CV curve agree in distribution only.
"""

from __future__ import annotations

import numpy as np
from imblearn.over_sampling import SMOTE
from scipy import stats
from sklearn.linear_model import LogisticRegression

LOCAL_GRID = np.round(0.8 + np.arange(9) * 0.05, 10)
SYMMETRIC_GRID = np.round(np.arange(0, 5) * 0.05, 10)
WIDE_GRID = np.round(np.arange(41) * 0.05, 10)


def _design(X):
    return np.c_[X, np.ones(X.shape[0])]


def fit_logistic(X, y, w, ridge):
    """Ridge logistic fit minimising ``sum(w l)/sum(w) + ridge * |theta|^2`` (intercept last, penalised)."""
    w = np.asarray(w, float)
    clf = LogisticRegression(C=1.0 / (2.0 * ridge), fit_intercept=False, solver="newton-cholesky", tol=1e-10,
                             max_iter=200)
    clf.fit(_design(X), y, sample_weight=w / w.sum())
    return clf.coef_[0]


def balanced_pilot(X0, X1, ridge):
    X = np.r_[X0, X1]
    y = np.r_[np.zeros(len(X0), int), np.ones(len(X1), int)]
    w = np.r_[np.full(len(X0), 0.5 / len(X0)), np.full(len(X1), 0.5 / len(X1))]
    return fit_logistic(X, y, w, ridge)


def moments(theta, X, y):
    """Mean score, score covariance (ddof 1) and mean Hessian of the rows ``X`` with label ``y``."""
    Z = _design(X)
    p = 1.0 / (1.0 + np.exp(-(Z @ theta)))
    S = (p - y)[:, None] * Z
    m = S.mean(0)
    C = S - m
    cov = C.T @ C / max(len(X) - 1, 1)
    H = (Z * (p * (1 - p))[:, None]).T @ Z / len(X)
    return m, cov, H


def stable_solve(M, b):
    p = M.shape[-1]
    eps = 1e-8 * abs(np.trace(M)) / p + np.finfo(float).tiny
    return np.linalg.solve(M + eps * np.eye(p), b)


def symmetry_statistic(theta, X0, X1):
    """``(T_sym, g_phi, rank)`` at the pilot ``theta``."""
    m0, S0, H0 = moments(theta, X0, 0.0)
    m1, S1, H1 = moments(theta, X1, 1.0)
    g = m0 - m1
    p = g.size
    H = 0.5 * (H0 + H1)
    GHinv = stable_solve(H.T, (H0 - H1).T).T
    A0 = np.eye(p) - 0.5 * GHinv
    A1 = -np.eye(p) - 0.5 * GHinv
    V = A0 @ S0 @ A0.T / len(X0) + A1 @ S1 @ A1.T / len(X1)
    V = 0.5 * (V + V.T)
    # the generalised-inverse Wald statistic on the numerical rank of V (synthaug's rule)
    lam, U = np.linalg.eigh(V)
    keep = lam > max(1e-10, p * np.finfo(float).eps) * lam[-1]
    z = U[:, keep].T @ g
    return float(np.sum(z * z / lam[keep])), g, int(keep.sum())


def stratified_folds(rng, n0, n1, K):
    """synthaug's fold rule with NumPy draws: ``[(train0, valid0, train1, valid1)] * K``.

    Each class's permutation is cut into K consecutive blocks, the first ``n mod K`` of
    ``floor(n/K) + 1`` rows and the rest of ``floor(n/K)``: every row is validated once.
    """
    out = []
    perms = [rng.permutation(n0), rng.permutation(n1)]
    for k in range(K):
        parts = []
        for perm, n in zip(perms, (n0, n1)):
            m, r = divmod(n, K)
            sizes = np.r_[np.full(r, m + 1), np.full(K - r, m)]
            start = int(sizes[:k].sum())
            valid = perm[start:start + sizes[k]]
            parts += [np.r_[perm[:start], perm[start + sizes[k]:]], valid]
        out.append((parts[0], parts[1], parts[2], parts[3]))
    return out


def smote_rows(A0, A1, n_new, seed, k=5):
    """``n_new`` SMOTE rows from the minority ``A1`` (imbalanced-learn; the majority only fixes the labels)."""
    if n_new <= 0:
        return np.empty((0, A1.shape[1]))
    X = np.r_[A0, A1]
    y = np.r_[np.zeros(len(A0), int), np.ones(len(A1), int)]
    Xr, _ = SMOTE(sampling_strategy={1: len(A1) + int(n_new)}, k_neighbors=k, random_state=seed).fit_resample(X, y)
    return Xr[len(X):]


def crossfit(rng, X0, X1, K, ridge):
    """Cross-fitted ``g_psi`` and the GQS ingredients, averaged over the ``K`` folds."""
    acc = []
    for tr0, va0, tr1, va1 in stratified_folds(rng, len(X0), len(X1), K):
        A0, A1 = X0[tr0], X1[tr1]
        theta = balanced_pilot(A0, A1, ridge)
        syn = smote_rows(A0, A1, len(A0) - len(A1), int(rng.integers(2**31 - 1)))
        ms, Ss, _ = moments(theta, syn, 1.0)
        m1, S1, H1 = moments(theta, X1[va1], 1.0)
        _, S0, H0 = moments(theta, X0[va0], 0.0)
        acc.append((ms - m1, 0.5 * (H0 + H1), S0, S1, Ss))
    return [np.mean([a[i] for a in acc], axis=0) for i in range(5)]


def gqs(n0, n1, g_psi, H, S0, S1, Ss):
    gap = n0 - n1
    S_aug = 0.5 * S0 + n1 / (2.0 * n0) * S1 + gap / (2.0 * n0) * Ss
    bias = g_psi @ stable_solve(H, g_psi)
    var = np.trace(stable_solve(H, S_aug))
    return gap**2 / (2.0 * n0) * bias / var


def tg_candidates(gap, reject, gqs_value, theory, tau=10.0, max_multiple=5.0):
    if not reject:
        return np.rint(SYMMETRIC_GRID * gap).astype(int)
    if gqs_value <= tau:
        bal = np.rint(LOCAL_GRID * gap).astype(int)
        if np.isfinite(theory):
            th = np.clip(np.rint(LOCAL_GRID * theory), 0, int(np.floor(max_multiple * gap))).astype(int)
        else:
            th = bal
        return np.r_[bal, th]
    return np.rint(WIDE_GRID * gap).astype(int)


def log_loss_balanced(theta, V0, V1):
    def ll(X, y):
        eta = _design(X) @ theta
        return np.mean(np.logaddexp(0.0, eta) - y * eta)

    return 0.5 * ll(V0, 0.0) + 0.5 * ll(V1, 1.0)


def cv_losses(rng, X0, X1, cands, K, ridge):
    """Balanced held-out log-loss per fold and candidate, shape (K, len(cands))."""
    gap = len(X0) - len(X1)
    L = np.empty((K, len(cands)))
    for f, (tr0, va0, tr1, va1) in enumerate(stratified_folds(rng, len(X0), len(X1), K)):
        A0, A1 = X0[tr0], X1[tr1]
        ratio = (len(A0) - len(A1)) / gap
        for j, c in enumerate(cands):
            syn = smote_rows(A0, A1, int(np.rint(c * ratio)), int(rng.integers(2**31 - 1)))
            X = np.r_[A0, A1, syn]
            y = np.r_[np.zeros(len(A0), int), np.ones(len(A1) + len(syn), int)]
            theta = fit_logistic(X, y, np.ones(len(X)), ridge)
            L[f, j] = log_loss_balanced(theta, X0[va0], X1[va1])
    return L


def diagnose_baseline(X, y, *, folds=5, crossfit_folds=3, alpha=0.05, tau=10.0, max_multiple=5.0, ridge=1e-4,
                      seed=0):
    """The whole procedure (see the module docstring); returns a dict like ``Diagnosis.to_dict`` (a subset)."""
    rng = np.random.default_rng(seed)
    X = np.asarray(X, float)
    y = np.asarray(y)
    Z = (X - X.mean(0)) / X.std(0)
    X0, X1 = Z[y == 0], Z[y == 1]
    n0, n1 = len(X0), len(X1)
    gap = n0 - n1
    theta = balanced_pilot(X0, X1, ridge)
    t_sym, g_phi, df = symmetry_statistic(theta, X0, X1)
    reject = t_sym > stats.chi2.ppf(1 - alpha, df)
    g_psi, H, S0, S1, Ss = crossfit(rng, X0, X1, crossfit_folds, ridge)
    q = gqs(n0, n1, g_psi, H, S0, S1, Ss)
    cos = float(g_phi @ g_psi / (np.linalg.norm(g_phi) * np.linalg.norm(g_psi)))
    denom = 1.0 - 2.0 * (g_psi @ g_phi) / (g_phi @ g_phi)
    theory = gap / denom if denom > 0 else np.nan
    cands = np.unique(tg_candidates(gap, reject, q, theory, tau, max_multiple))
    allc = np.unique(np.r_[cands, 0, gap])
    L = cv_losses(rng, X0, X1, allc, folds, ridge)
    mean = L.mean(0)
    is_c = np.isin(allc, cands)
    sel = int(allc[is_c][np.argmin(mean[is_c])])
    syn = smote_rows(X0, X1, sel, int(rng.integers(2**31 - 1)))
    Xa = np.r_[X0, X1, syn]
    ya = np.r_[np.zeros(n0, int), np.ones(n1 + len(syn), int)]
    params = fit_logistic(Xa, ya, np.ones(len(Xa)), ridge)
    return {"t_sym": t_sym, "df": df, "gqs": float(q), "cosine": cos, "theory_size": float(theory),
            "candidates": [int(c) for c in cands], "selected_size": sel, "n_fits": 1 + crossfit_folds
            + folds * len(allc) + 1, "params": params}
