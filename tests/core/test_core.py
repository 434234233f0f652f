"""Closed-form and exact checks of the theory core (float64 throughout).

Deterministic checks use tolerances near machine precision (1e-10). The only
stochastic checks (exact population risk vs Monte Carlo) use a fixed seed and a
tolerance of 4 Monte Carlo standard errors computed from the sample itself.
"""

import numpy as np
import pytest

import jax
import jax.numpy as jnp

import synthaug  # noqa: F401  (float64)
from synthaug.core import losses
from synthaug.theory.decomposition import (
    augmented_objective,
    augmented_target,
    coefficients,
    decompose,
    decomposed_objective,
    expected_excess,
    theory_multiplier,
    theory_size,
)
from synthaug.core.fit import fit_nested, weighted_fit
from synthaug.core.knn import knn
from synthaug.core.losses import logistic_loss, squared_loss
from synthaug.core.montecarlo import loglog_slope, mean_mcse, run_replications
from synthaug.theory.populations import (
    NOISE_FAMILIES,
    GaussianLaw,
    Population,
    ShiftNoiseLaw,
    TwoPointLogisticLaw,
)
from synthaug.designs.biased_aligned import generator_law, population, theory

TOL = 1e-10


def key(seed):
    return jax.random.PRNGKey(seed)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def biased():
    pop, q = population(), generator_law()
    dec, gamma = theory(pop, q)
    return pop, q, dec, gamma


@pytest.fixture(scope="module")
def two_point():
    return Population(logistic_loss(), TwoPointLogisticLaw(0), TwoPointLogisticLaw(1))


@pytest.fixture(scope="module")
def gauss_logistic():
    """Logistic loss with intercept, Gaussian classes with non-identity covariances."""
    p0 = GaussianLaw([0.0, 0.0], [[1.0, 0.3], [0.3, 0.8]])
    p1 = GaussianLaw([1.0, 0.5], [[0.7, -0.2], [-0.2, 1.2]])
    q = GaussianLaw([0.6, 0.1], [[0.5, 0.0], [0.0, 0.9]])
    return Population(logistic_loss(intercept=True), p0, p1), q


# --------------------------------------------------------------------------- biased-aligned closed forms


def test_biased_aligned_closed_forms(biased):
    pop, q, dec, gamma = biased
    np.testing.assert_allclose(pop.theta_star, [1 / 3, 0.0], rtol=0, atol=TOL)
    assert abs(float(pop.balanced_risk(pop.theta_star)) - 1 / 3) < TOL
    np.testing.assert_allclose(dec.theta_star, [1 / 3, 0.0], rtol=0, atol=TOL)
    np.testing.assert_allclose(dec.g_phi, [4 / 3, 0.0], rtol=0, atol=TOL)
    np.testing.assert_allclose(dec.g_psi, [1 / 2, 0.0], rtol=0, atol=TOL)
    assert abs(gamma - 4.0) < TOL
    for gap in (19, 114, 7600):
        assert abs(float(theory_size(dec.g_phi, dec.g_psi, gap)) - 4.0 * gap) < TOL * gap


def test_biased_aligned_closed_form_risk_and_hessians(biased):
    """R_bal(θ) = |θ|² + ½(θ₁ − 1)², H0 = 2I, H1 = 2(I + e1e1ᵀ), HQ = 2(I + ¼e1e1ᵀ)."""
    pop, q, dec, _ = biased
    rng = np.random.default_rng(11)
    for th in rng.normal(size=(5, 2)):
        expect = th @ th + 0.5 * (th[0] - 1.0) ** 2
        assert abs(float(pop.balanced_risk(jnp.asarray(th))) - expect) < TOL
    e = np.outer([1.0, 0.0], [1.0, 0.0])
    np.testing.assert_allclose(dec.h0, 2 * np.eye(2), atol=TOL)
    np.testing.assert_allclose(dec.h1, 2 * (np.eye(2) + e), atol=TOL)
    np.testing.assert_allclose(dec.hq, 2 * (np.eye(2) + 0.25 * e), atol=TOL)
    # Values at θ*: R0 = |θ*|² = 1/9, R1 = 1/9 + 4/9, RQ = 1/9 + (5/6)².
    assert abs(float(dec.r0) - 1 / 9) < TOL
    assert abs(float(dec.r1) - 5 / 9) < TOL
    assert abs(float(dec.rq) - (1 / 9 + 25 / 36)) < TOL


# --------------------------------------------------------------------------- decomposition identity


def _identity_cases(pop, riskq, p, seed):
    rng = np.random.default_rng(seed)
    thetas = 0.7 * rng.normal(size=(4, p))
    risks = jax.jit(lambda t: (pop.risk0(t), pop.risk1(t), riskq(t)))  # one compile (eager is slower)
    sizes = [(20, 1, 0), (200, 10, 190), (1000, 37, 5000), (50, 50, 3), (7, 12, 0.5)]
    for th in thetas:
        th = jnp.asarray(th)
        r0, r1, rq = (float(v) for v in risks(th))
        assert min(abs(r0 - r1), abs(rq - r1)) > 1e-3  # φ, ψ ≠ 0: the identity is not trivially true
        for n0, n1, m in sizes:
            lhs = float(augmented_objective(r0, r1, rq, n0, n1, m))
            rhs = float(decomposed_objective(r0, r1, rq, n0, n1, m))
            direct = (n0 * r0 + n1 * r1 + m * rq) / (n0 + n1 + m)
            assert abs(lhs - rhs) < TOL * (1 + abs(lhs)), (th, n0, n1, m)
            assert abs(lhs - direct) < TOL * (1 + abs(lhs))


def test_decomposition_identity_biased_aligned(biased):
    pop, q, _, _ = biased
    _identity_cases(pop, lambda t: pop.risk(q, t), 2, seed=1)


def test_decomposition_identity_two_point_logistic(two_point):
    q = GaussianLaw(np.r_[0.5, np.zeros(19)])
    _identity_cases(two_point, lambda t: two_point.risk(q, t), 20, seed=2)


def test_decomposition_identity_gaussian_logistic_intercept(gauss_logistic):
    pop, q = gauss_logistic
    _identity_cases(pop, lambda t: pop.risk(q, t), 3, seed=3)


def test_decomposition_coefficients_and_gradient_at_theta_star(biased):
    """∇(pooled objective)(θ*) = a g_φ + b g_ψ, because ∇R_bal(θ*) = 0."""
    pop, q, dec, _ = biased
    f = lambda t, n0, n1, m: augmented_objective(pop.risk0(t), pop.risk1(t), pop.risk(q, t), n0, n1, m)
    grad = jax.jit(jax.grad(f))
    for n0, n1, m in [(200, 10, 0), (200, 10, 190), (200, 10, 760), (30, 30, 11)]:
        a, b = coefficients(n0, n1, m)
        N = n0 + n1 + m
        assert abs(a - (n0 - n1 - m) / (2 * N)) < TOL and abs(b - m / N) < TOL
        g = grad(pop.theta_star, 1.0 * n0, 1.0 * n1, 1.0 * m)
        np.testing.assert_allclose(g, a * dec.g_phi + b * dec.g_psi, rtol=0, atol=TOL)


# --------------------------------------------------------------------------- realistic-aligned multiplier


@pytest.mark.parametrize("a", [0.2, 0.3, 0.5, 0.7, 0.9])
def test_realistic_aligned_multiplier(biased, a):
    """Q = N((a, 0), I): γ* = 1/(3a − a² − 1) when positive, NaN otherwise (root at a = (3 − √5)/2)."""
    pop = biased[0]
    dec, gamma = theory(pop, GaussianLaw([a, 0.0]))
    den = 3 * a - a * a - 1
    # g_ψ = (4/3 − 2a + 2a²/3, 0) in closed form.
    np.testing.assert_allclose(dec.g_psi, [4 / 3 - 2 * a + 2 * a * a / 3, 0.0], rtol=0, atol=TOL)
    if den > 0:
        assert abs(gamma - 1.0 / den) < TOL * (1 + 1.0 / den)
    else:
        assert np.isnan(gamma)
        assert np.isnan(float(theory_size(dec.g_phi, dec.g_psi, 100)))


def test_theory_multiplier_nan_for_zero_gradient():
    assert np.isnan(float(theory_multiplier(jnp.zeros(3), jnp.ones(3))))
    assert np.isnan(float(theory_multiplier(jnp.array([1.0, 0.0]), jnp.array([0.5, 0.0]))))  # den = 0
    assert abs(float(theory_multiplier(jnp.array([1.0, 0.0]), jnp.array([0.0, 7.0]))) - 1.0) < TOL


# --------------------------------------------------------------------------- symmetry conditions


@pytest.mark.parametrize("noise", NOISE_FAMILIES)
def test_mean_shift_local_symmetry(noise):
    d = 20
    mu = np.zeros(d)
    mu[0] = 1.0
    pop = Population(squared_loss(labels=(-1.0, 1.0)), ShiftNoiseLaw(-mu, noise), ShiftNoiseLaw(mu, noise))
    ts = pop.theta_star
    np.testing.assert_allclose(ts, mu / (1 + mu @ mu), rtol=0, atol=TOL)
    grads = jax.jit(lambda t: (jax.grad(pop.risk0)(t), jax.grad(pop.risk1)(t)))
    g0, g1 = grads(ts)
    assert np.max(np.abs(g0)) < TOL and np.max(np.abs(g1)) < TOL
    # Away from θ* the class gradients do not vanish (the check can fail).
    assert np.max(np.abs(grads(ts + 0.1)[0])) > 0.1


@pytest.fixture(scope="module")
def two_point_grad_fn(two_point):
    """θ ↦ gradients of R0, R1 and R_Q (Q = N(1.5 e1, I)), jitted (one compile; eager is slower).

    (Q = N(0.5 e1, I) would not do: by Stein's identity its e1-gradient at e1 is
    0.5 E[σ(X)-1] + E[σ'(X)], which happens to vanish, so g_ψ ≈ 0 there.)"""
    q = GaussianLaw(np.r_[1.5, np.zeros(19)])
    fs = (two_point.risk0, two_point.risk1, lambda t: two_point.risk(q, t))
    return jax.jit(lambda t: tuple(jax.grad(f)(t) for f in fs))


@pytest.fixture(scope="module")
def two_point_grads(two_point, two_point_grad_fn):
    return two_point_grad_fn(two_point.theta_star)


def test_logistic_two_point_local_symmetry(two_point, two_point_grad_fn, two_point_grads):
    ts = two_point.theta_star
    e1 = np.zeros(20)
    e1[0] = 1.0
    np.testing.assert_allclose(ts, e1, rtol=0, atol=1e-9)
    g0, g1, _ = two_point_grads
    assert np.max(np.abs(g0)) < TOL
    assert np.max(np.abs(g1)) < TOL
    # Away from θ* = e1 the class gradients do not vanish (the check can fail).
    g0b, g1b, _ = two_point_grad_fn(1.2 * ts)
    assert np.max(np.abs(g0b)) > 1e-3 and np.max(np.abs(g1b)) > 1e-3
    assert abs(TwoPointLogisticLaw.symmetric_alpha(5, 1, 1) - 0.855384) < 1e-6
    sig = lambda x: 1 / (1 + np.exp(-x))
    s = lambda x: sig(x) * (1 - sig(x))
    alpha = TwoPointLogisticLaw.symmetric_alpha(5, 1, 1)
    # Defining property: E[T σ'(cT)] = 0 under P(T = -a) = alpha.
    assert abs(alpha * (-5) * s(-5) + (1 - alpha) * 1 * s(1)) < 1e-15


def test_theory_multiplier_nan_at_numerical_local_symmetry(two_point_grads):
    g0, g1, gq = two_point_grads
    g_phi, g_psi = g0 - g1, gq - g1  # as in synthaug.theory.decomposition.decompose
    assert np.max(np.abs(g_phi)) < TOL  # local symmetry holds to rounding
    assert np.max(np.abs(g_psi)) > 0.1
    assert np.isnan(float(theory_multiplier(g_phi, g_psi)))


# --------------------------------------------------------------------------- exact risk vs Monte Carlo

# Each comparison fails with probability P(|Z| > 4) ≈ 6.3e-5 if the exact risk is
# right (the sample mean of 200,000 i.i.d. losses is normal to high accuracy), about
# 2.5e-4 for the four comparisons below; the seeds are fixed, so the outcome is
# deterministic. The SE is ~0.2% of the risk, so a wrong exact risk is caught.
N_MC = 200_000


def _mc_check(pop, law, theta, y, seed):
    draw = jax.jit(lambda k, th: losses.values(pop.loss, th, law.sample(k, N_MC), jnp.full(N_MC, float(y))))
    lv = np.asarray(draw(key(seed), theta))
    mean, se = lv.mean(), lv.std(ddof=1) / np.sqrt(N_MC)
    exact = float(jax.jit(lambda th: pop.risk(law, th, y))(theta))
    assert se > 0
    assert abs(mean - exact) < 4 * se, (mean, exact, se)


def test_two_point_logistic_risk_matches_monte_carlo(two_point):
    rng = np.random.default_rng(5)
    theta = jnp.asarray(0.4 * rng.normal(size=20))
    _mc_check(two_point, two_point.p0, theta, 0, seed=100)
    _mc_check(two_point, two_point.p1, theta, 1, seed=101)


def test_gaussian_logistic_risk_matches_monte_carlo(gauss_logistic):
    pop, q = gauss_logistic
    theta = jnp.asarray([0.8, -0.6, 0.3])
    _mc_check(pop, pop.p0, theta, 0, seed=102)
    _mc_check(pop, q, theta, 1, seed=103)


# --------------------------------------------------------------------------- weighted_fit


def _lstsq_ridge(Z, t, w, ridge):
    """argmin Σ w (t − zθ)² / Σ w + ridge |θ|² as an augmented least-squares problem."""
    s = np.sqrt(w / w.sum())
    A = np.vstack([Z * s[:, None], np.sqrt(ridge) * np.eye(Z.shape[1])])
    b = np.concatenate([t * s, np.zeros(Z.shape[1])])
    return np.linalg.lstsq(A, b, rcond=None)[0]


@pytest.mark.parametrize("labels,intercept", [((0.0, 1.0), False), ((-1.0, 1.0), True)])
@pytest.mark.parametrize("ridge", [1e-8, 0.3])
def test_weighted_fit_squared_normal_equations(labels, intercept, ridge):
    rng = np.random.default_rng(7)
    n, d = 40, 3
    X = rng.normal(size=(n, d))
    y = (rng.uniform(size=n) < 0.4).astype(float)
    y[:2] = [0, 1]
    w = rng.uniform(0.1, 3.0, size=n)
    loss = squared_loss(intercept=intercept, labels=labels)
    res = weighted_fit(loss, X, y, w, ridge=ridge)
    Z = np.hstack([X, np.ones((n, 1))]) if intercept else X
    t = np.where(y > 0.5, labels[1], labels[0])
    np.testing.assert_allclose(res.theta, _lstsq_ridge(Z, t, w, ridge), rtol=1e-10, atol=1e-10)
    assert bool(res.converged) and not bool(res.separable)
    assert float(res.grad_norm) < 1e-10


def _nonseparable(seed, n=80, d=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    p = 1 / (1 + np.exp(-(X @ np.array([1.0, -0.5, 0.25])[:d])))
    y = (rng.uniform(size=n) < p).astype(float)
    return X, y


@pytest.mark.parametrize("C,weighted", [(1e4, False), (1.0, False), (1e4, True)])
def test_weighted_fit_logistic_matches_sklearn(C, weighted):
    from sklearn.linear_model import LogisticRegression

    X, y = _nonseparable(8)
    n = X.shape[0]
    w = np.random.default_rng(9).uniform(0.2, 2.0, size=n) if weighted else np.ones(n)
    # sklearn minimises C Σ w ℓ + ½|θ|²  ⇔  Σ w ℓ / W + |θ|² / (2 C W).
    ridge = 1.0 / (2.0 * C * w.sum())
    sk = LogisticRegression(C=C, fit_intercept=False, tol=1e-12, solver="newton-cholesky", max_iter=1000)
    sk.fit(X, y, sample_weight=w)
    res = weighted_fit(logistic_loss(), X, y, w if weighted else None, ridge=ridge)
    assert bool(res.converged) and not bool(res.separable)
    np.testing.assert_allclose(res.theta, sk.coef_[0], rtol=1e-5, atol=1e-6)
    assert float(res.grad_norm) < 1e-7


def test_weighted_fit_logistic_separable():
    rng = np.random.default_rng(10)
    X = np.vstack([rng.normal(size=(15, 2)) + [4.0, 0.0], rng.normal(size=(15, 2)) - [4.0, 0.0]])
    y = np.r_[np.ones(15), np.zeros(15)]
    res = weighted_fit(logistic_loss(), X, y)
    th = np.asarray(res.theta)
    assert np.all(np.isfinite(th))
    assert bool(res.separable)
    assert np.all((2 * y - 1) * (X @ th) > 0)
    # Same data made non-separable by flipping one label: flag is False.
    y2 = y.copy()
    y2[0] = 0
    res2 = weighted_fit(logistic_loss(), X, y2)
    assert not bool(res2.separable) and np.all(np.isfinite(np.asarray(res2.theta)))


def _newton_reference(Z, y, ridge, n_iter=60):
    """Undamped Newton in NumPy (no line search): converges to rounding level on these problems."""
    th = np.zeros(Z.shape[1])
    for _ in range(n_iter):
        p = 1 / (1 + np.exp(-Z @ th))
        g = Z.T @ (p - y) / len(y) + 2 * ridge * th
        H = (Z * (p * (1 - p))[:, None]).T @ Z / len(y) + 2 * ridge * np.eye(Z.shape[1])
        th = th - np.linalg.solve(H, g)
    return th


def test_weighted_fit_logistic_reaches_documented_tolerance():
    """converged=True should mean the step rule max|Δθ| <= 1e-10 (1 + max|θ|) was met by a Newton step.

    On about 1 in 8 well-conditioned random problems the line search cannot resolve
    the (1e-17-sized) decrease of F near the optimum, halves t down to 1e-10 and the
    tiny damped step passes the stopping rule: θ stays 1e-9..1e-8 (relative) away.
    """
    rng = np.random.default_rng(0)
    loss = logistic_loss(intercept=True)
    errs = []
    for _ in range(30):
        X = 3 * rng.normal(size=(40, 3))
        y = (rng.uniform(size=40) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
        y[:2] = [0, 1]
        res = weighted_fit(loss, X, y, ridge=1e-3)
        assert bool(res.converged)
        ref = _newton_reference(np.hstack([X, np.ones((40, 1))]), y, 1e-3)
        errs.append(np.max(np.abs(np.asarray(res.theta) - ref)) / (1 + np.max(np.abs(ref))))
    assert max(errs) < 1e-10, f"{sum(e > 1e-10 for e in errs)} of 30 fits off by up to {max(errs):.1e}"


@pytest.mark.parametrize("loss", [squared_loss(), logistic_loss(intercept=True)], ids=["squared", "logistic"])
def test_fit_nested_equals_separate_fits(loss):
    rng = np.random.default_rng(12)
    n0, n1 = 40, 6
    X = np.vstack([rng.normal(size=(n0, 2)), rng.normal(size=(n1, 2)) + [1.0, 0.0]])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    pool = rng.normal(size=(60, 2)) + [0.5, 0.0]
    sizes = [34, 0, 60]  # unsorted on purpose
    # Jitted, as the designs call it (inside jit(vmap(...))).
    res = jax.jit(lambda X, y, pool: fit_nested(loss, X, y, pool, sizes))(X, y, pool)
    assert res.theta.shape == (len(sizes), loss.dim(2))
    # Squared: both are exact solves. Logistic: warm- vs cold-started Newton, each stopped
    # at a step below 1e-10 (1 + |theta|): agreement to 1e-7 leaves room for conditioning.
    tol = 1e-10 if loss.quadratic else 1e-7
    for i, s in enumerate(sizes):
        ref = weighted_fit(loss, np.vstack([X, pool[:s]]), np.r_[y, np.ones(s)])
        np.testing.assert_allclose(res.theta[i], ref.theta, rtol=tol, atol=tol)
        assert bool(res.converged[i])


@pytest.mark.parametrize("n_buckets,fast", [(2, False), (3, True), (5, True)])
def test_fit_nested_buckets_and_fast_kernels_match_plain(n_buckets, fast):
    """Static row buckets and the fast kernels change the arithmetic, not the estimates.

    Each bucket drops pool rows that all its fits weight 0, and the fast kernels reorder
    the same sums, so the Newton iterates agree with the plain path to rounding and the
    stopping rule fires on the same step: estimates agree to 1e-12, step counts exactly.
    """
    loss = logistic_loss()
    rng = np.random.default_rng(21)
    n0, n1 = 80, 12
    X = np.vstack([rng.normal(size=(n0, 3)), rng.normal(size=(n1, 3)) + [1.0, 0.5, 0.0]])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    pool = rng.normal(size=(90, 3)) + [0.7, 0.3, 0.0]
    sizes = [0, 10, 25, 40, 41, 70, 5, 90]  # unsorted, one bucket of a single size at 5 buckets
    plain = jax.jit(lambda X, y, pool: fit_nested(loss, X, y, pool, sizes, tol=1e-10))(X, y, pool)
    other = jax.jit(lambda X, y, pool: fit_nested(loss, X, y, pool, sizes, tol=1e-10, n_buckets=n_buckets,
                                                  fast_kernels=fast))(X, y, pool)
    assert other.theta.shape == plain.theta.shape == (len(sizes), 3)
    np.testing.assert_allclose(other.theta, plain.theta, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(other.n_iter, plain.n_iter)
    assert bool(np.all(other.converged)) and bool(np.all(other.separable == plain.separable))
    for i, s in enumerate(sizes):  # and each is the separate fit on real rows + pool[:s]
        ref = weighted_fit(loss, np.vstack([X, pool[:s]]), np.r_[y, np.ones(s)])
        np.testing.assert_allclose(other.theta[i], ref.theta, rtol=1e-7, atol=1e-7)


def test_size_groups_are_consecutive_runs():
    from synthaug.core.fit import _size_groups

    sizes = list(range(21))
    for k in (1, 4, 7, 21, 50):
        groups = _size_groups(sizes, k)
        assert [s for g in groups for s in g] == sizes
        assert len(groups) == min(k, 21) and max(map(len, groups)) - min(map(len, groups)) <= 1


# --------------------------------------------------------------------------- expected_excess


def test_expected_excess_bias_biased_aligned_at_balance(biased):
    pop, q, dec, _ = biased
    n1 = 10_000
    n0 = 20 * n1
    m = n0 - n1  # balance: a = 0
    N = n0 + n1 + m
    b = m / N
    e = np.outer([1.0, 0.0], [1.0, 0.0])
    H0, H1, HQ = 2 * np.eye(2), 2 * (np.eye(2) + e), 2 * (np.eye(2) + 0.25 * e)
    H = 0.5 * (H0 + H1)
    Ha = (n0 * H0 + n1 * H1 + m * HQ) / N
    beta = np.linalg.solve(Ha, b * np.array([0.5, 0.0]))
    S0, S1, SQ = np.diag([1.0, 2.0]), np.diag([3.0, 0.5]), np.array([[2.0, 0.3], [0.3, 1.0]])
    excess = jax.jit(expected_excess)  # one compile for both sizes (eager is slower)
    out = excess(jnp.array([1.0 * m]), n0, n1, dec, S0, S1, SQ)
    assert abs(float(out.bias2[0]) - 0.5 * beta @ H @ beta) < TOL
    Hi = np.linalg.inv(Ha)
    S = (n0 * S0 + n1 * S1 + m * SQ) / N
    assert abs(float(out.variance[0]) - np.trace(H @ Hi @ S @ Hi) / (2 * N)) < TOL
    # At the theory size the bias cancels along g_phi (here everything is along e1).
    out4 = excess(jnp.array([4.0 * (n0 - n1)]), n0, n1, dec, S0, S1, SQ)
    assert float(out4.bias2[0]) < 1e-20
    assert float(out.bias2[0]) > 1e-3
    # Squared loss: the population target of the pooled fit is exactly θ* − β, so bias2
    # equals the excess risk of augmented_target (its "floor") for every size.
    for mm, o in [(m, out), (4 * (n0 - n1), out4)]:
        target = augmented_target(pop.risk0, pop.risk1, lambda t: pop.risk(q, t), n0, n1, mm, jnp.zeros(2), n_iter=1)
        assert abs(float(pop.excess_risk(target)) - float(o.bias2[0])) < TOL


def test_expected_excess_local_symmetry_oracle_has_no_bias():
    mu = np.zeros(5)
    mu[0] = 1.0
    p0, p1 = ShiftNoiseLaw(-mu), ShiftNoiseLaw(mu)
    pop = Population(squared_loss(labels=(-1.0, 1.0)), p0, p1)
    dec = decompose(pop.risk0, pop.risk1, pop.risk1, pop.theta_star)  # oracle: Q = P1
    assert np.max(np.abs(dec.g_psi)) == 0.0
    S = np.eye(5)
    out = jax.jit(expected_excess)(jnp.array([0.0, 10.0, 190.0, 1000.0]), 200, 10, dec, S, S, S)
    np.testing.assert_array_equal(out.bias2, 0.0)
    assert np.all(np.asarray(out.variance) > 0)


# --------------------------------------------------------------------------- montecarlo


def _rep(k):
    u = jax.random.uniform(k, (3,))
    return {"mean": jnp.mean(u), "u": u[:2]}


def test_run_replications_batch_invariance_and_loop():
    k = key(42)
    outs = [run_replications(_rep, k, 7, batch_size=bs, progress=False) for bs in (1, 3, None)]
    for o in outs[1:]:
        for name in ("mean", "u"):
            np.testing.assert_allclose(o[name], outs[0][name], rtol=1e-14, atol=0)
    loop = [_rep(kk) for kk in jax.random.split(k, 7)]
    np.testing.assert_allclose(outs[2]["mean"], [float(r["mean"]) for r in loop], rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(outs[2]["u"], np.stack([np.asarray(r["u"]) for r in loop]), rtol=1e-14)
    assert outs[0]["u"].shape == (7, 2)
    # Different replications differ.
    assert len(np.unique(outs[0]["mean"])) == 7


def test_mean_mcse_known_values():
    x = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    mean, mcse = mean_mcse(x)
    assert mean == pytest.approx(2.5, abs=1e-14)
    assert mcse == pytest.approx(np.sqrt(5 / 3) / 2, abs=1e-14)
    m2, s2 = mean_mcse(np.array([[1.0, 10.0], [3.0, 10.0]]), axis=0)
    np.testing.assert_allclose(m2, [2.0, 10.0])
    np.testing.assert_allclose(s2, [1.0, 0.0], atol=1e-14)


def test_loglog_slope_recovers_minus_one():
    x = np.array([6, 12, 25, 50, 100, 200, 400.0])
    fit = loglog_slope(x, 3.0 / x)
    assert abs(fit.estimate + 1.0) < 1e-12
    assert abs(fit.intercept - np.log(3.0)) < 1e-12
    assert fit.ci_low <= -1.0 + 1e-12 and fit.ci_high >= -1.0 - 1e-12
    assert fit.n_points == 7
    # Noisy version: deterministic multiplicative wiggle, CI still contains -1.
    wig = np.exp(0.05 * np.sin(np.arange(7) * 2.1))
    fit2 = loglog_slope(x, 3.0 / x * wig)
    assert fit2.ci_low < -1.0 < fit2.ci_high and fit2.ci_high - fit2.ci_low > 1e-3
    # Non-positive points are dropped; < 3 usable points gives NaN.
    assert loglog_slope(np.r_[x, 5.0], np.r_[3.0 / x, -1.0]).n_points == 7
    assert np.isnan(loglog_slope([1.0, 2.0], [1.0, 0.5]).estimate)


# --------------------------------------------------------------------------- knn


def _brute_knn(X, k, Q=None, exclude_self=False):
    Q = X if Q is None else Q
    d2 = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    if exclude_self:
        np.fill_diagonal(d2, np.inf)
    idx = np.argsort(d2, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d2, idx, 1), idx


@pytest.mark.parametrize("block_size", [None, 7, 64])
def test_knn_matches_brute_force(block_size):
    rng = np.random.default_rng(14)
    X = rng.normal(size=(50, 4))
    Q = rng.normal(size=(23, 4))
    k = 5
    # self-query, excluding self (default)
    d2, idx = knn(jnp.asarray(X), k, block_size=block_size)
    bd, bi = _brute_knn(X, k, exclude_self=True)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idx), bi))
    np.testing.assert_allclose(d2, bd, rtol=1e-10, atol=1e-10)
    assert not np.any(np.asarray(idx) == np.arange(50)[:, None])
    # self-query, keeping self: each point is its own nearest neighbour
    d2s, idxs = knn(jnp.asarray(X), k, exclude_self=False, block_size=block_size)
    bd, bi = _brute_knn(X, k)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idxs), bi))
    np.testing.assert_array_equal(np.asarray(idxs)[:, 0], np.arange(50))
    # separate query points
    d2q, idxq = knn(jnp.asarray(X), k, jnp.asarray(Q), block_size=block_size)
    bd, bi = _brute_knn(X, k, Q)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idxq), bi))
    np.testing.assert_allclose(d2q, bd, rtol=1e-10, atol=1e-10)
