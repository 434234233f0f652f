"""Regression test of GQS, the alignment cosine and T_sym against the published formulas.

Ma & Zhang (arXiv 2601.16120): the balanced pilot and ĝ_φ (§2.1), the cross-fitted ĝ_ψ
(§2.3: per fold, refit the pilot on the training part, draw the fold's own gap of
synthetic rows from the training part, mean synthetic score minus mean held-out real
minority score, averaged over folds), cos(ĝ_φ, ĝ_ψ) (§2.3), GQS (§3.4) and the Wald
T_sym with the delta-method covariance (§3.5). Everything is recomputed here in NumPy
from those formulas (own Newton solver, own scores and Hessians), on a fixed small data
set whose class sizes are not multiples of K, so every fold shape of the cross-fit
(three groups) and the held-out left-over rows are exercised. The generator is a
deterministic function of the fold's training minority rows, so the check is exact up
to the solvers' convergence (no Monte Carlo error; tolerance 1e-7 relative).
"""

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.config import x64
from synthaug.core.folds import single_program_generator, stratified_folds
from synthaug.core.losses import logistic_loss
from synthaug.diagnosis.alignment import crossfit_mismatch, generator_quality_score
from synthaug.diagnosis.stages import stage_diagnostics
from synthaug.diagnosis.vtss import cv_losses
from synthaug.generators.basic import Generator
from synthaug.models import LinearModel

RIDGE = 1e-3
N0, N1, K = 37, 14, 3  # 37 = 3·12 + 1, 14 = 3·4 + 2


def _shrunk_copies(key, X, n):
    """Row j: 0.8·X[j mod n1] + 0.2·mean(X) (deterministic, key unused)."""
    idx = jnp.arange(n) % X.shape[0]
    return 0.8 * X[idx] + 0.2 * X.mean(0)


def _shrunk_copies_padded(key, Xp, n_valid, n_out):
    """The same rows from the first ``n_valid`` rows of a padded minority (the padded form)."""
    idx = jnp.arange(n_out) % n_valid
    real = (jnp.arange(Xp.shape[0]) < n_valid)[:, None]
    return 0.8 * Xp[idx] + 0.2 * jnp.sum(jnp.where(real, Xp, 0.0), 0) / n_valid


#: with a padded form: the folds run as one vmap (masked fits); without: grouped exact shapes
GEN = Generator("shrunk-copies", _shrunk_copies, padded=_shrunk_copies_padded)
GEN_GROUPED = Generator("shrunk-copies-grouped", _shrunk_copies)
MODEL = LinearModel(logistic_loss(intercept=True), ridge=RIDGE, name="logistic")


def _np_gen(A1, n):
    return 0.8 * A1[np.arange(n) % A1.shape[0]] + 0.2 * A1.mean(0)


def _design(X):
    return np.column_stack([X, np.ones(len(X))])


def _sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def _balanced_fit(A0, A1):
    """argmin ½ mean ℓ(class 0) + ½ mean ℓ(class 1) + λ‖θ‖² (logistic, intercept), by Newton."""
    Z = np.vstack([_design(A0), _design(A1)])
    y = np.r_[np.zeros(len(A0)), np.ones(len(A1))]
    w = np.r_[np.full(len(A0), 0.5 / len(A0)), np.full(len(A1), 0.5 / len(A1))]
    th = np.zeros(Z.shape[1])
    for _ in range(100):
        p = _sigmoid(Z @ th)
        grad = Z.T @ (w * (p - y)) + 2 * RIDGE * th
        H = (Z * (w * p * (1 - p))[:, None]).T @ Z + 2 * RIDGE * np.eye(Z.shape[1])
        step = np.linalg.solve(H, grad)
        th -= step
        if np.max(np.abs(step)) < 1e-15:
            break
    return th


def _moments(X, y, th):
    """Mean score, score covariance (ddof 1) and mean Hessian of the logistic loss at θ."""
    Z = _design(X)
    p = _sigmoid(Z @ th)
    S = (p - y)[:, None] * Z
    H = (Z * (p * (1 - p))[:, None]).T @ Z / len(X)
    return S.mean(0), np.cov(S, rowvar=False), H


def _reference(X0, X1, folds):
    n0, n1 = len(X0), len(X1)
    th = _balanced_fit(X0, X1)
    m0, S0, H0 = _moments(X0, 0.0, th)
    m1, S1, H1 = _moments(X1, 1.0, th)
    g_phi = m0 - m1
    p = g_phi.size
    H = 0.5 * (H0 + H1)
    G = H0 - H1
    A0 = np.eye(p) - 0.5 * G @ np.linalg.inv(H)
    A1 = -np.eye(p) - 0.5 * G @ np.linalg.inv(H)
    V = A0 @ S0 @ A0.T / n0 + A1 @ S1 @ A1.T / n1
    t_sym = g_phi @ np.linalg.solve(V, g_phi)
    parts = {k: [] for k in ("g", "H", "S0", "S1", "Ss")}
    tr0_all, va0_all = np.asarray(folds.train0), np.asarray(folds.valid0)
    tr1_all, va1_all = np.asarray(folds.train1), np.asarray(folds.valid1)
    held0, held1 = [], []
    for k in range(K):
        tr0 = tr0_all[k][folds.train_mask(0)[k]]
        tr1 = tr1_all[k][folds.train_mask(1)[k]]
        va0 = va0_all[k][folds.valid_mask(0)[k]]
        va1 = va1_all[k][folds.valid_mask(1)[k]]
        held0 += va0.tolist()
        held1 += va1.tolist()
        thk = _balanced_fit(X0[tr0], X1[tr1])
        syn = _np_gen(X1[tr1], len(tr0) - len(tr1))  # the fold's own gap
        ms, Ss, _ = _moments(syn, 1.0, thk)
        mv1, Sv1, Hv1 = _moments(X1[va1], 1.0, thk)
        _, Sv0, Hv0 = _moments(X0[va0], 0.0, thk)
        for name, v in zip(parts, (ms - mv1, 0.5 * (Hv0 + Hv1), Sv0, Sv1, Ss)):
            parts[name].append(v)
    # every real row was held out exactly once
    assert sorted(held0) == list(range(n0)) and sorted(held1) == list(range(n1))
    g_psi, Hc, Sc0, Sc1, Ssyn = (np.mean(parts[k], axis=0) for k in parts)
    gap = n0 - n1
    S_aug = 0.5 * Sc0 + n1 / (2 * n0) * Sc1 + gap / (2 * n0) * Ssyn
    gqs = gap**2 / (2 * n0) * (g_psi @ np.linalg.solve(Hc, g_psi)) / np.trace(np.linalg.solve(Hc, S_aug))
    cos = g_phi @ g_psi / (np.linalg.norm(g_phi) * np.linalg.norm(g_psi))
    return dict(t_sym=t_sym, g_phi=g_phi, g_psi=g_psi, gqs=gqs, cos=cos)


def _data():
    rng = np.random.default_rng(20260116)
    X0 = rng.normal(size=(N0, 2))
    X1 = rng.normal(size=(N1, 2)) * np.array([1.3, 0.7]) + np.array([1.0, 0.5])
    return X0, X1


def test_gqs_cosine_and_t_sym_match_the_published_formulas():
    X0, X1 = _data()
    with x64():
        key = jax.random.key(4)
        _, _, k_folds, _ = jax.random.split(key, 4)
        folds = stratified_folds(k_folds, N0, N1, K)
        assert folds.padded and single_program_generator(GEN, folds)
        assert not single_program_generator(GEN_GROUPED, folds)
        out = stage_diagnostics(MODEL, GEN, key, jnp.asarray(X0), jnp.asarray(X1), K)
        _, test, mm, cos, _, _, _, gqs, _ = out
        ref = _reference(X0, X1, folds)
        got = dict(t_sym=float(test.t_sym), g_phi=np.asarray(test.g_phi), g_psi=np.asarray(mm.g_psi),
                   gqs=float(gqs), cos=float(cos))
    for name in ref:
        np.testing.assert_allclose(got[name], ref[name], rtol=1e-7, atol=1e-12, err_msg=name)
    # The NumPy values themselves, pinned (computed once by _reference on these folds), so that
    # a change of the fold rule or of jax.random's permutation shows up here as well.
    pinned = dict(t_sym=74.78077192049695, gqs=0.29326872272090926, cos=-0.1411497057686629)
    for name, value in pinned.items():
        np.testing.assert_allclose(ref[name], value, rtol=1e-9, err_msg=name)


def test_grouped_route_matches_the_formulas_too():
    """A generator without a padded form takes the grouped exact-shape route: same values."""
    X0, X1 = _data()
    with x64():
        folds = stratified_folds(jax.random.key(9), N0, N1, K)
        ref = _reference(X0, X1, folds)
        f = jax.jit(lambda X0, X1: crossfit_mismatch(MODEL, (), GEN_GROUPED, jax.random.key(1), X0, X1, folds))
        mm = f(jnp.asarray(X0), jnp.asarray(X1))
        gqs = float(generator_quality_score(N0, N1, mm))
    np.testing.assert_allclose(np.asarray(mm.g_psi), ref["g_psi"], rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(gqs, ref["gqs"], rtol=1e-7)


def test_cv_losses_one_program_equals_grouped():
    """The padded one-vmap route of the CV gives the grouped route's losses (SMOTE-like rows)."""
    X0, X1 = _data()
    with x64():
        folds = stratified_folds(jax.random.key(5), N0, N1, K)
        cands = jnp.asarray([0, 7, 15, 23, 30])
        run = jax.jit(lambda X0, X1, g: cv_losses(MODEL, (), g, jax.random.key(2), X0, X1, cands, folds, 30),
                      static_argnums=2)
        a = np.asarray(run(jnp.asarray(X0), jnp.asarray(X1), GEN))
        b = np.asarray(run(jnp.asarray(X0), jnp.asarray(X1), GEN_GROUPED))
    assert a.shape == (K, 5) and np.all(np.isfinite(a))
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
