"""The GLM algebra (synthaug.core.glm) against autodiff and a plain NumPy computation, float64."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.core import glm
from synthaug.core.fit import weighted_fit
from synthaug.core.losses import hessians, logistic_loss, scores, squared_loss

LOSSES = {
    "logistic-intercept": logistic_loss(intercept=True),
    "logistic": logistic_loss(intercept=False),
    "squared-intercept": squared_loss(intercept=True),
    "squared-pm1": squared_loss(labels=(-1.0, 1.0)),
}
# Every quantity below is O(1) (standard normal features, |theta| < 1, weights summing to 1);
# float64 rounding of sums over 40 rows leaves errors of order 1e-15, so 1e-11 is a loose
# bound that still fails on any wrong term (a missing factor 2, a wrong sign, an unnormalised weight).
TOL = 1e-11


def _data(seed, n=40, d=3, signed=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (rng.uniform(size=n) < 0.4).astype(float)
    w = rng.uniform(0.1, 2.0, size=n)
    if signed:  # a bias-corrected design: some negative weights, positive sum
        w[: n // 4] *= -0.3
    theta = rng.uniform(-0.8, 0.8, size=d + 1)
    return X, y, w, theta


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("signed", [False, True])
def test_gradient_and_hessian_match_autodiff_of_the_objective(name, signed):
    loss = LOSSES[name]
    X, y, w, theta = _data(1, signed=signed)
    theta = jnp.asarray(theta[: loss.dim(X.shape[1])])
    ridge = 0.05
    Z, wn = loss.features(X), jnp.asarray(w / w.sum())
    F = lambda t: glm.penalised_objective(loss, t, X, y, w, ridge)
    g = glm.penalised_gradient(loss, theta, Z, jnp.asarray(y), wn, ridge)
    H = glm.penalised_hessian(loss, theta, Z, jnp.asarray(y), wn, ridge)
    np.testing.assert_allclose(g, jax.grad(F)(theta), rtol=0, atol=TOL)
    np.testing.assert_allclose(H, jax.hessian(F)(theta), rtol=0, atol=TOL)
    np.testing.assert_allclose(H, H.T, rtol=0, atol=TOL)
    # The fused pass of the Newton solver gives the same value, gradient and Hessian.
    f, g2, d2 = glm.objective_terms(loss, theta, Z, jnp.asarray(y), wn, ridge)
    np.testing.assert_allclose(f, F(theta), rtol=0, atol=TOL)
    np.testing.assert_allclose(g2, g, rtol=0, atol=TOL)
    np.testing.assert_allclose(glm.hessian_from_curvatures(Z, wn, d2, ridge), H, rtol=0, atol=TOL)


def test_objective_is_invariant_to_weight_scale_and_row_order():
    loss = LOSSES["logistic-intercept"]
    X, y, w, theta = _data(2)
    f = glm.penalised_objective(loss, theta, X, y, w, 0.1)
    perm = np.random.default_rng(0).permutation(len(y))
    np.testing.assert_allclose(glm.penalised_objective(loss, theta, X[perm], y[perm], 7.0 * w[perm], 0.1), f,
                               rtol=1e-14)
    # And it is what the name says: weighted mean loss plus ridge, computed by hand.
    eta = X @ theta[:-1] + theta[-1]
    by_hand = np.sum(w * (np.logaddexp(0.0, eta) - y * eta)) / w.sum() + 0.1 * theta @ theta
    np.testing.assert_allclose(f, by_hand, rtol=1e-13)


@pytest.mark.parametrize("name", ["logistic-intercept", "squared-intercept"])
def test_scores_and_hessians_match_per_row_autodiff(name):
    loss = LOSSES[name]
    X, y, _, theta = _data(3, n=12)
    np.testing.assert_allclose(glm.glm_scores(loss, X, theta, y), scores(loss, jnp.asarray(theta), X, y),
                               rtol=0, atol=TOL)
    np.testing.assert_allclose(glm.glm_hessians(loss, X, theta, y), hessians(loss, jnp.asarray(theta), X, y),
                               rtol=0, atol=TOL)


def _numpy_link_derivatives(name, eta, y):
    if name.startswith("logistic"):
        p = 1.0 / (1.0 + np.exp(-eta))
        return p - y, p * (1.0 - p)
    return 2.0 * (eta - y), np.full_like(eta, 2.0)  # squared loss with (0, 1) targets


@pytest.mark.parametrize("name", ["logistic-intercept", "squared-intercept"])
@pytest.mark.parametrize("weights", ["none", "mask", "positive"])
def test_moments_match_numpy(name, weights):
    loss = LOSSES[name]
    X, y, w, theta = _data(4, n=30)
    w = {"none": None, "mask": (np.arange(30) % 3 != 0).astype(float), "positive": w}[weights]
    mean, cov, hess = glm.glm_moments(loss, X, theta, y, w)
    Zf = np.column_stack([X, np.ones(len(y))])
    d1, d2 = _numpy_link_derivatives(name, Zf @ theta, y)
    wv = np.ones(len(y)) if w is None else w
    W = wv.sum()
    S = d1[:, None] * Zf
    m = (wv[:, None] * S).sum(0) / W
    C = sum(wi * np.outer(si - m, si - m) for wi, si in zip(wv, S)) / (W - 1.0)
    Hm = sum(wi * di * np.outer(zi, zi) for wi, di, zi in zip(wv, d2, Zf)) / W
    np.testing.assert_allclose(mean, m, rtol=0, atol=TOL)
    np.testing.assert_allclose(cov, C, rtol=0, atol=TOL)
    np.testing.assert_allclose(hess, Hm, rtol=0, atol=TOL)
    if w is not None and weights == "mask":  # a 0/1 mask equals the unweighted moments of the selected rows
        keep = w > 0
        for a, b in zip(glm.glm_moments(loss, X[keep], theta, y[keep]), (mean, cov, hess)):
            np.testing.assert_allclose(a, b, rtol=0, atol=TOL)


def test_sandwich_covariance_matches_numpy():
    loss = LOSSES["logistic-intercept"]
    X, y, w, theta = _data(5, signed=True)
    ridge = 0.01
    got = glm.sandwich_cov(loss, jnp.asarray(theta), jnp.asarray(X), jnp.asarray(y), jnp.asarray(w), ridge)
    Zf = np.column_stack([X, np.ones(len(y))])
    wn = w / w.sum()
    d1, d2 = _numpy_link_derivatives("logistic", Zf @ theta, y)
    H = (Zf * (wn * d2)[:, None]).T @ Zf + 2 * ridge * np.eye(Zf.shape[1])
    S = Zf * (wn * d1)[:, None]
    Hi = np.linalg.inv(H)
    want = Hi @ S.T @ S @ Hi
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-13)  # through an inverse: condition number ~1e2


def test_fit_reports_the_gradient_of_this_objective():
    loss = LOSSES["logistic-intercept"]
    X, y, w, _ = _data(6)
    res = weighted_fit(loss, X, y, w, ridge=1e-3)
    g = glm.penalised_gradient(loss, res.theta, loss.features(jnp.asarray(X)), jnp.asarray(y),
                               jnp.asarray(w / w.sum()), 1e-3)
    # At the solution the gradient is a sum of O(1) terms cancelling to ~1e-14: compare at rounding level.
    np.testing.assert_allclose(res.grad_norm, jnp.max(jnp.abs(g)), rtol=0, atol=1e-15)
    assert float(res.grad_norm) < 1e-8


def test_one_home_old_names_are_the_same_objects():
    import synthaug.bias_correction as bc
    import synthaug.bias_correction.extensions as ext
    import synthaug.core.fit as fit
    import synthaug.models as models

    assert models.glm_moments is glm.glm_moments
    assert models.glm_scores is glm.glm_scores
    assert models.glm_hessians is glm.glm_hessians
    assert ext.sandwich_cov is glm.sandwich_cov
    assert bc.penalised_objective is glm.penalised_objective
    assert fit.objective is glm.penalised_objective
