"""Tests of the bias-corrected estimator (synthaug.bias_correction), the reconstruction of Lyu et al. (2510.26046).

Statistical checks use fixed seeds and tolerances of 4 Monte Carlo standard errors
(false-failure probability about 6e-5 per comparison under a normal approximation).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthaug.bias_correction import (
    augmented_design,
    bias_corrected_fit,
    compare_estimators,
    corrected_design,
    corrected_objective,
    correction_coefficient,
    estimate_bias,
    fit_estimator,
    penalised_objective,
    psi_hat,
    unboundedness_check,
)
from synthaug.core.fit import weighted_fit
from synthaug.generators import Generator, bootstrap, jitter, oracle, shrink, smote
from synthaug.generators.mixture import gmm_em50
from synthaug.core.losses import logistic_loss, squared_loss
from synthaug.theory.populations import GaussianLaw

LOSS = logistic_loss(intercept=True)
D = 3
P0 = GaussianLaw(np.zeros(D))
P1 = GaussianLaw(np.r_[1.5, np.zeros(D - 1)])
# The "identity" generator returns its input block unchanged (m = block size): paired psi_hat == 0.
IDENTITY = Generator("identity", lambda key, X, n: X[jnp.arange(n) % X.shape[0]])
SMOTE5 = smote(5)
JITTER_WIDE = jitter(5.0)


def _data(seed, n0=400, n1=20, d=D):
    k0, k1 = jax.random.split(jax.random.PRNGKey(seed))
    return P0.sample(k0, n0) if d == D else jax.random.normal(k0, (n0, d)), \
        P1.sample(k1, n1) if d == D else jax.random.normal(k1, (n1, d)) + 1.0


# ------------------------------------------------------------------------------------------------
# psi_hat
# ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _oracle_psi(method, cross_fit):
    gen0 = oracle(P0.sample, name="oracle-P0")  # fresh draws from the true law of the rows it is run on
    thetas = jnp.array([[0.5, -0.3, 0.2, -0.4], [1.5, 0.0, 0.0, -1.125], [-1.0, 2.0, 0.5, 0.3]])

    def one(key):
        kd, kb = jax.random.split(key)
        X0 = P0.sample(kd, 400)
        bias = estimate_bias(kb, gen0, X0, 20, method=method, cross_fit=cross_fit)
        return jax.vmap(lambda t: psi_hat(LOSS, bias, t))(thetas)

    return jax.jit(jax.vmap(one))


@pytest.mark.parametrize("method,cross_fit", [("paired", False), ("heldout", False), ("heldout", True)])
def test_psi_hat_mean_zero_for_oracle(method, cross_fit):
    """With the oracle generator (fresh draws from the true class law), E psi_hat(theta) = 0 for fixed theta."""
    vals = np.asarray(_oracle_psi(method, cross_fit)(jax.random.split(jax.random.PRNGKey(11), 400)))
    mean = vals.mean(0)
    mcse = vals.std(0, ddof=1) / np.sqrt(vals.shape[0])
    assert np.all(mcse > 0)
    assert np.all(np.abs(mean) <= 4 * mcse), (mean, mcse)


def test_psi_hat_detects_smote_contraction_bias():
    """SMOTE contracts the blocks' spread, so at a steep theta the label-1 loss is lower on synthetic rows."""
    X0, _ = _data(0, n0=2000)
    theta = jnp.array([3.0, 0.0, 0.0, 0.0])
    vals = [float(psi_hat(LOSS, estimate_bias(jax.random.PRNGKey(s), smote(19), X0, 20), theta)) for s in range(5)]
    assert max(vals) < 0  # global-partner SMOTE: covariance x 2/3, a large systematic negative bias here


def test_bias_rows_and_coefficients():
    X0, _ = _data(1)
    b = estimate_bias(jax.random.PRNGKey(0), SMOTE5, X0, 20, method="paired", block_synthetic=7)
    assert b.X.shape == (20 * 7 + 400, D)
    np.testing.assert_allclose(float(jnp.sum(b.coef)), 0.0, atol=1e-14)
    np.testing.assert_allclose(float(jnp.sum(jnp.where(b.coef > 0, b.coef, 0))), 1.0, rtol=1e-13)
    h = estimate_bias(jax.random.PRNGKey(0), SMOTE5, X0, 20, method="heldout", cross_fit=True)
    assert h.X.shape == (2 * (10 * 20 + 200), D)
    np.testing.assert_allclose(float(jnp.sum(h.coef)), 0.0, atol=1e-14)
    # Reproducible from the key.
    b2 = estimate_bias(jax.random.PRNGKey(0), SMOTE5, X0, 20, method="paired", block_synthetic=7)
    np.testing.assert_array_equal(np.asarray(b.X), np.asarray(b2.X))


def test_bootstrap_paired_psi_is_unbiased():
    """Random oversampling: the paired psi_hat has expectation exactly 0 for every fixed theta (note §8.4)."""
    gen = bootstrap()
    thetas = jnp.array([[2.0, -1.0, 0.5, 0.3], [0.5, 0.5, 0.5, -1.0]])

    @jax.jit
    @jax.vmap
    def one(key):
        kd, kb = jax.random.split(key)
        b = estimate_bias(kb, gen, P0.sample(kd, 200), 20, method="paired")
        return jax.vmap(lambda t: psi_hat(LOSS, b, t))(thetas)

    vals = np.asarray(one(jax.random.split(jax.random.PRNGKey(5), 400)))
    mean, mcse = vals.mean(0), vals.std(0, ddof=1) / np.sqrt(len(vals))
    assert np.all(np.abs(mean) <= 4 * mcse), (mean, mcse)


# ------------------------------------------------------------------------------------------------
# Reductions and equivalences
# ------------------------------------------------------------------------------------------------


def test_identity_generator_gives_zero_psi_and_naive_estimate():
    """psi_hat == 0 (identity generator, paired) => the corrected estimate is the naive one (to rounding)."""
    X0, X1 = _data(2)
    key = jax.random.PRNGKey(3)
    b = estimate_bias(key, IDENTITY, X0, 20, method="paired")
    for t in ([0.3, -0.2, 1.0, 0.1], [5.0, 5.0, -5.0, 2.0]):
        assert abs(float(psi_hat(LOSS, b, jnp.array(t)))) < 1e-14
    for corr in ("one-step", "full"):
        r = bias_corrected_fit(LOSS, key, IDENTITY, X0, X1, correction=corr, method="paired")
        assert not bool(r.fallback_used)
        np.testing.assert_allclose(np.asarray(r.theta), np.asarray(r.theta_naive), rtol=1e-9, atol=1e-10)


def test_naive_is_weighted_fit_of_augmented_design():
    X0, X1 = _data(4)
    key = jax.random.PRNGKey(4)
    r = bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, ridge=1e-6)
    k_syn, _, _ = jax.random.split(key, 3)
    X_syn = SMOTE5(k_syn, X1, 380)
    direct = fit_estimator(LOSS, "naive", X0, X1, X_syn, ridge=1e-6)
    np.testing.assert_allclose(np.asarray(r.theta_naive), np.asarray(direct.theta), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("weighting,reference", [("pooled", "raw"), ("balanced", "reweight")])
@pytest.mark.parametrize("correction", ["one-step", "full"])
def test_no_synthetic_rows_gives_raw_or_reweighted(weighting, reference, correction):
    X0, X1 = _data(5)
    r = bias_corrected_fit(LOSS, jax.random.PRNGKey(0), SMOTE5, X0, X1, n_synthetic=0, weighting=weighting,
                           correction=correction, ridge=1e-6)
    ref = fit_estimator(LOSS, reference, X0, X1, ridge=1e-6)
    assert float(r.beta) == 0.0
    np.testing.assert_allclose(np.asarray(r.theta), np.asarray(ref.theta), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("loss", [LOSS, squared_loss(intercept=True)])
@pytest.mark.parametrize("weighting", ["pooled", "balanced"])
def test_weighted_form_equals_direct_form(loss, weighting):
    """The one-weighted-ERM form of L^bc equals L^aug - beta psi_hat (+ ridge), value and gradient."""
    X0, X1 = _data(6)
    key = jax.random.PRNGKey(6)
    X_syn = SMOTE5(key, X1, 150)
    bias = estimate_bias(jax.random.PRNGKey(7), SMOTE5, X0, 20, method="heldout", cross_fit=True)
    beta = correction_coefficient(400, 20, 150, weighting)
    X, y, w = corrected_design(X0, X1, X_syn, bias, beta, weighting)
    assert float(jnp.min(w)) < 0 < float(jnp.sum(w))
    np.testing.assert_allclose(float(jnp.sum(w)), 1.0, rtol=1e-13)
    for seed in range(3):
        th = jax.random.normal(jax.random.PRNGKey(100 + seed), (D + 1,))
        f_w = lambda t: penalised_objective(loss, t, X, y, w, 1e-3)
        f_d = lambda t: corrected_objective(loss, t, X0, X1, X_syn, bias, beta, 1e-3, weighting)
        np.testing.assert_allclose(float(f_w(th)), float(f_d(th)), rtol=1e-12)
        np.testing.assert_allclose(np.asarray(jax.grad(f_w)(th)), np.asarray(jax.grad(f_d)(th)), rtol=1e-10,
                                   atol=1e-13)


def test_weighted_fit_accepts_signed_weights_with_positive_sum():
    """synthaug.core.fit.weighted_fit takes the corrected design eagerly (signed weights, positive sum) and
    refuses weights whose sum is not positive."""
    X0, X1 = _data(17)
    bias = estimate_bias(jax.random.PRNGKey(17), SMOTE5, X0, 20)
    X, y, w = corrected_design(X0, X1, SMOTE5(jax.random.PRNGKey(18), X1, 380), bias, 0.475)
    res = weighted_fit(LOSS, X, y, w, ridge=1e-6)
    assert bool(res.converged) and float(res.grad_norm) < 1e-8
    with pytest.raises(ValueError, match="positive sum"):
        weighted_fit(LOSS, X, y, w - 1.0)


def test_full_minimises_direct_objective():
    """The full corrected estimate is a stationary point of the direct-form objective."""
    X0, X1 = _data(8)
    key = jax.random.PRNGKey(8)
    r = bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, correction="full", ridge=1e-6)
    assert bool(r.converged) and not bool(r.fallback_used) and not bool(r.unbounded)
    k_syn, k_bias, _ = jax.random.split(key, 3)
    X_syn = SMOTE5(k_syn, X1, 380)
    bias = estimate_bias(k_bias, SMOTE5, X0, 20, X_minority=X1)
    g = jax.grad(lambda t: corrected_objective(LOSS, t, X0, X1, X_syn, bias, r.beta, 1e-6))(r.theta)
    assert float(jnp.max(jnp.abs(g))) < 1e-8


@pytest.mark.parametrize("method", ["paired", "heldout"])
def test_one_step_is_one_newton_step_of_full_objective(method):
    X0, X1 = _data(9)
    key = jax.random.PRNGKey(9)
    r = bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, method=method, ridge=1e-6)
    assert not bool(r.negative_curvature)
    k_syn, k_bias, _ = jax.random.split(key, 3)
    X_syn = SMOTE5(k_syn, X1, 380)
    bias = estimate_bias(k_bias, SMOTE5, X0, 20, method=method, X_minority=X1)
    F = lambda t: corrected_objective(LOSS, t, X0, X1, X_syn, bias, r.beta, 1e-6)
    t0 = r.theta_naive
    manual = t0 - jnp.linalg.solve(jax.hessian(F)(t0), jax.grad(F)(t0))
    np.testing.assert_allclose(np.asarray(r.theta), np.asarray(manual), rtol=1e-9, atol=1e-11)
    # It is a real correction: the step is not negligible.
    assert float(jnp.linalg.norm(r.theta - r.theta_naive)) > 1e-3


def test_default_correction_is_one_step_and_beta_is_exact():
    X0, X1 = _data(10)
    r = bias_corrected_fit(LOSS, jax.random.PRNGKey(0), SMOTE5, X0, X1)
    np.testing.assert_allclose(float(r.beta), 380 / 800)
    np.testing.assert_array_equal(np.asarray(r.theta), np.asarray(r.theta_onestep))
    assert correction_coefficient(400, 20, 380, "pooled") == pytest.approx((400 - 20) / (2 * 400))


def test_compare_estimators_matches_single_estimators():
    """compare_estimators (one vmapped weighted_fit over weight vectors) == the individual entry points."""
    X0, X1 = _data(16)
    key = jax.random.PRNGKey(16)
    c = compare_estimators(LOSS, key, SMOTE5, X0, X1, 380, ridge=1e-6)
    ref = [fit_estimator(LOSS, m, X0, X1, ridge=1e-6).theta for m in ("raw", "reweight")]
    os_ = bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, ridge=1e-6)
    full = bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, ridge=1e-6, correction="full")
    ref += [os_.theta_naive, None, full.theta, os_.theta]
    assert not bool(jnp.any(c.flagged))
    for j, r in enumerate(ref):
        if r is not None:
            np.testing.assert_allclose(np.asarray(c.theta[j]), np.asarray(r), rtol=1e-8, atol=1e-9)


def test_multitask_bias_averages_rich_tasks():
    from synthaug.bias_correction.extensions import multitask_bias

    rich = jax.random.normal(jax.random.PRNGKey(0), (3, 200, D))
    b = multitask_bias(jax.random.PRNGKey(1), SMOTE5, rich, 20)
    assert b.X.shape == (3 * (200 + 200), D)
    np.testing.assert_allclose(float(jnp.sum(b.coef)), 0.0, atol=1e-14)
    np.testing.assert_allclose(float(jnp.sum(jnp.where(b.coef > 0, b.coef, 0))), 1.0, rtol=1e-13)
    one = estimate_bias(jax.random.split(jax.random.PRNGKey(1), 3)[0], SMOTE5, rich[0], 20)
    np.testing.assert_allclose(np.asarray(b.X[:400]), np.asarray(one.X), rtol=1e-13)


def test_augmented_design_weights():
    X0, X1 = _data(12)
    _, y, w = augmented_design(X0, X1, X1[:5], "balanced")
    np.testing.assert_allclose(float(jnp.sum(w[y == 0])), 0.5)
    np.testing.assert_allclose(float(jnp.sum(w[y == 1])), 0.5)


# ------------------------------------------------------------------------------------------------
# Safeguard (property-based, one compiled program: fixed shapes, random values)
# ------------------------------------------------------------------------------------------------


def _random_dataset(seed, scale):
    rng = np.random.default_rng(seed)
    X0 = rng.uniform(-1, 1, (240, 2)) * scale
    X1 = rng.uniform(-1, 1, (12, 2)) * scale + rng.normal(size=2)
    return jnp.asarray(X0), jnp.asarray(X1)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(0.05, 20.0), method=st.sampled_from(["paired", "heldout"]),
       beta_mult=st.sampled_from([0.0, 1.0, 3.0]))
def test_solver_never_returns_nan(seed, scale, method, beta_mult):
    X0, X1 = _random_dataset(seed, scale)
    beta = beta_mult * correction_coefficient(240, 12, 228)
    r = bias_corrected_fit(LOSS, jax.random.PRNGKey(seed % 1000), SMOTE5, X0, X1, method=method, correction="full",
                           beta=beta, ridge=1e-6)
    for field in (r.theta, r.theta_naive, r.theta_onestep):
        assert np.all(np.isfinite(np.asarray(field)))
    if bool(r.unbounded) or bool(r.negative_curvature) or not bool(r.converged):
        assert bool(r.fallback_used)


@settings(max_examples=8)
@given(seed=st.integers(0, 2**31 - 1), method=st.sampled_from(["paired", "heldout"]))
def test_solver_flags_unbounded_objective(seed, method):
    """A wide-noise generator on the blocks with a large beta: the synthetic-row losses (negative weight)
    outgrow everything else along the coordinate axes, so the unpenalised L^bc is unbounded below."""
    X0, X1 = _random_dataset(seed, 1.0)
    r = bias_corrected_fit(LOSS, jax.random.PRNGKey(seed % 1000), JITTER_WIDE, X0, X1, method=method,
                           correction="full", beta=50.0, ridge=1e-6)
    assert bool(r.unbounded)
    assert float(r.recession) < 0
    assert bool(r.fallback_used)
    assert np.all(np.isfinite(np.asarray(r.theta)))
    np.testing.assert_array_equal(np.asarray(r.theta), np.asarray(r.theta_onestep))


def test_unboundedness_check_squared_loss():
    loss = squared_loss(intercept=True)
    X0, X1 = _data(13)
    X, y, w = augmented_design(X0, X1)
    th = weighted_fit(loss, X, y, w).theta
    unb, neg, _, _ = unboundedness_check(loss, th, th, X, y, w, 1e-8)
    assert not bool(unb) and not bool(neg)
    # Far-out rows with a small negative weight dominate the weighted Gram matrix along their direction.
    Xb = jnp.concatenate([X, 10.0 * X0[:5]])
    yb = jnp.concatenate([y, jnp.ones(5)])
    wb = jnp.concatenate([w, jnp.full(5, -0.02)])
    unb, _, eig, rec = unboundedness_check(loss, th, th, Xb, yb, wb, 1e-8)
    assert bool(unb) and float(rec) < 0


def test_logistic_recession_is_detected_exactly():
    """Minority rows duplicated with a net negative weight: the intercept -> -inf direction decreases F."""
    X0, X1 = _data(14)
    X, y, w = augmented_design(X0, X1)
    Xb = jnp.concatenate([X, X1])
    yb = jnp.concatenate([y, jnp.ones(20)])
    wb = jnp.concatenate([w, jnp.full(20, -3.0 / 420)])
    th = weighted_fit(LOSS, X, y, w).theta
    unb, _, _, rec = unboundedness_check(LOSS, th, th, Xb, yb, wb, 1e-8)
    assert bool(unb) and float(rec) < 0


# ------------------------------------------------------------------------------------------------
# Generators for the designs
# ------------------------------------------------------------------------------------------------


def test_shrink_contracts_and_gmm_fits():
    X = jax.random.normal(jax.random.PRNGKey(0), (400, 2)) * jnp.array([1.0, 2.0]) + 3.0
    S = shrink(0.5, 0.0)(jax.random.PRNGKey(1), X, 20000)
    np.testing.assert_allclose(np.asarray(S.mean(0)), np.asarray(X.mean(0)), atol=0.05)
    np.testing.assert_allclose(np.asarray(S.std(0)), 0.5 * np.asarray(X.std(0)), rtol=0.05)
    G = gmm_em50(2, "full")(jax.random.PRNGKey(2), X, 20000)
    np.testing.assert_allclose(np.asarray(G.mean(0)), np.asarray(X.mean(0)), atol=0.1)
    np.testing.assert_allclose(np.asarray(G.std(0)), np.asarray(X.std(0)), rtol=0.1)
    Gd = gmm_em50(1, "diag")(jax.random.PRNGKey(3), X, 20000)
    assert abs(float(jnp.corrcoef(Gd.T)[0, 1])) < 0.05


# ------------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------------


def test_bad_input_errors():
    X0, X1 = _data(15)
    key = jax.random.PRNGKey(0)
    with pytest.raises(ValueError, match="majority"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0[:10], X1)
    with pytest.raises(ValueError, match="majority rows"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0[:10], X1, n_synthetic=50)
    with pytest.raises(ValueError, match="majority rows"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0[:30], X1, method="heldout")
    with pytest.raises(ValueError, match="smaller than generator"):
        estimate_bias(key, SMOTE5, X0, 4)
    with pytest.raises(ValueError, match="needs at least 6"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0, X1[:4])
    with pytest.raises(ValueError, match="correction"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, correction="two-step")
    with pytest.raises(ValueError, match="bias estimate"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, method="both")
    with pytest.raises(ValueError, match="weighting"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0, X1, weighting="odd")
    with pytest.raises(ValueError, match="n_blocks"):
        estimate_bias(key, SMOTE5, X0, 20, n_blocks=21)
    with pytest.raises(ValueError, match="columns"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0, X1[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        bias_corrected_fit(LOSS, key, SMOTE5, X0.at[0, 0].set(jnp.nan), X1)
    with pytest.raises(ValueError, match="proxy_label"):
        estimate_bias(key, SMOTE5, X0, 20, proxy_label=2)
    with pytest.raises(ValueError):
        shrink(1.5)
    with pytest.raises(ValueError):
        gmm_em50(0)


def test_python_api_warns_as_the_cli_does_and_shares_its_ridge():
    """digits-8: with ridge 1e-8 the one-step correction runs to norm ~1e6 against ~30 for naive."""
    import inspect
    import warnings

    from synthaug.bias_correction import UnstableCorrectionWarning
    from synthaug.bias_correction.safeguard import step_ratio_message
    from synthaug.cli import _build_parser
    from synthaug.data import load_dataset, prepare_data
    from synthaug.estimators import BiasCorrectedClassifier

    default = inspect.signature(bias_corrected_fit).parameters["ridge"].default
    assert default == BiasCorrectedClassifier().ridge == _build_parser().parse_args(["bias-correct"]).ridge == 1e-4
    d = prepare_data(*load_dataset("digits-8"))
    with pytest.warns(UnstableCorrectionWarning, match=r"moves the estimate by \d+\.\dx its own size") as rec:
        r = bias_corrected_fit(LOSS, jax.random.PRNGKey(0), SMOTE5, d.X0, d.X1, ridge=1e-8)
    assert float(jnp.linalg.norm(r.theta)) > 1e4 > 1e2 > float(jnp.linalg.norm(r.theta_naive))  # it did blow up
    ratio = float(jnp.linalg.norm(r.theta_onestep - r.theta_naive) / jnp.linalg.norm(r.theta_naive))
    assert str(rec[0].message) == step_ratio_message(ratio)  # the text of the CLI report
    # a stable fit does not warn, and a traced call never does
    X0, X1 = _data(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnstableCorrectionWarning)
        bias_corrected_fit(LOSS, jax.random.PRNGKey(4), SMOTE5, X0, X1)
        jax.jit(lambda a, b: bias_corrected_fit(LOSS, jax.random.PRNGKey(0), SMOTE5, a, b, ridge=1e-8).theta)(
            d.X0, d.X1)
