"""synthaug.core.linalg: Jacobi eigh and Cholesky solves without LAPACK custom calls.

Checked against NumPy's LAPACK on random, repeated-eigenvalue and badly scaled matrices,
and checked to lower to programs with no custom call at all (the property that avoids the
jaxlib 0.10 batched-LAPACK deadlock described in the module).
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synthaug.core import linalg as sl
from synthaug.bias_correction import one_step, unboundedness_check
from synthaug.core.losses import logistic_loss

EPS = np.finfo(np.float64).eps


def _custom_calls(fn, *args) -> set:
    text = jax.jit(fn).lower(*args).as_text()
    return set(re.findall(r"custom_call @(\w+)", text)) | set(re.findall(r'call_target_name = "(\w+)"', text))


@settings(max_examples=25, deadline=None)
@given(p=st.integers(1, 9), seed=st.integers(0, 2**31 - 1), log_scale=st.floats(-6, 6))
def test_eigh_matches_lapack(p, seed, log_scale):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(p, p)) * 10.0**log_scale
    A = B + B.T
    w, V = (np.asarray(x) for x in sl.eigh(A))
    w0 = np.linalg.eigvalsh(A)
    norm = np.linalg.norm(A, 2)
    # Backward-stable algorithms: eigenvalue errors O(p eps ||A||).
    assert np.all(np.diff(w) >= 0)
    assert np.max(np.abs(w - w0)) <= 50 * p * EPS * norm + 1e-300
    assert np.max(np.abs(V @ np.diag(w) @ V.T - A)) <= 50 * p * EPS * norm + 1e-300
    assert np.max(np.abs(V.T @ V - np.eye(p))) <= 50 * p * EPS


def test_eigh_repeated_and_zero_eigenvalues():
    w, V = sl.eigh(np.diag([3.0, 1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(np.asarray(w), [1.0, 1.0, 2.0, 3.0])
    Q = np.linalg.qr(np.random.default_rng(1).normal(size=(5, 5)))[0]
    A = Q @ np.diag([-2.0, 0.0, 0.0, 1.0, 1.0]) @ Q.T
    np.testing.assert_allclose(np.asarray(sl.eigvalsh(A)), [-2.0, 0.0, 0.0, 1.0, 1.0], atol=1e-14)
    np.testing.assert_array_equal(np.asarray(sl.eigvalsh(np.zeros((3, 3)))), np.zeros(3))


@settings(max_examples=25, deadline=None)
@given(p=st.integers(1, 9), seed=st.integers(0, 2**31 - 1))
def test_spd_solve_matches_lapack(p, seed):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(p, p))
    A = B @ B.T + 0.1 * np.eye(p)
    b = rng.normal(size=p)
    L = np.asarray(sl.cholesky(A))
    np.testing.assert_allclose(L, np.linalg.cholesky(A), rtol=0, atol=1e3 * EPS * np.abs(A).max())
    x = np.asarray(sl.spd_solve(A, b))
    cond = np.linalg.cond(A)
    assert np.linalg.norm(x - np.linalg.solve(A, b)) <= 100 * p * EPS * cond * np.linalg.norm(x)
    Bm = rng.normal(size=(p, 2))
    np.testing.assert_allclose(np.asarray(sl.spd_solve(A, Bm)), np.linalg.solve(A, Bm), rtol=1e-8, atol=1e-10)


def test_cholesky_of_indefinite_matrix_is_nan():
    L = np.asarray(sl.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]])))
    assert L[0, 0] == 1.0 and L[1, 0] == 2.0 and np.isnan(L[1, 1])


def test_bad_shapes_are_value_errors():
    with pytest.raises(ValueError, match="one square matrix"):
        sl.eigh(np.ones((2, 3)))
    with pytest.raises(ValueError, match="one square matrix"):
        sl.cholesky(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="right-hand side has 3 rows"):
        sl.cho_solve(np.eye(2), np.ones(3))


def test_vmapped_programs_have_no_custom_calls():
    A = jnp.broadcast_to(jnp.eye(4), (5, 4, 4))
    b = jnp.ones((5, 4))
    assert _custom_calls(jax.vmap(sl.eigh), A) == set()
    assert _custom_calls(jax.vmap(sl.spd_solve), A, b) == set()
    # The control: the LAPACK path does lower to a custom call (else the check above proves nothing).
    assert _custom_calls(jax.vmap(jnp.linalg.eigvalsh), A)


def test_bias_correction_safeguards_use_no_lapack_eigen_or_lu():
    """The calls that deadlocked at d = 10 (dsyevd, dgetrf) are gone from the one-step and safeguard programs."""
    loss = logistic_loss(intercept=True)
    rng = np.random.default_rng(0)
    X = jnp.asarray(rng.normal(size=(6, 40, 3)))
    y = jnp.asarray(rng.integers(0, 2, size=(6, 40)).astype(float))
    w = jnp.ones((6, 40))
    th = jnp.zeros((6, 4))
    calls = _custom_calls(jax.vmap(lambda t, X, y, w: one_step(loss, t, X, y, w, X, y, w, 1e-6)), th, X, y, w)
    calls |= _custom_calls(jax.vmap(lambda t, X, y, w: unboundedness_check(loss, t, t, X, y, w, 1e-6)), th, X, y, w)
    assert not any(("syev" in c) or ("getrf" in c) or ("gesv" in c) for c in calls), calls


def test_platform_functions_agree_with_lapack_and_lower_without_it_on_cpu():
    rng = np.random.default_rng(3)
    M = rng.normal(size=(6, 7, 7))
    A = jnp.asarray(M @ np.swapaxes(M, 1, 2) + 7 * np.eye(7))
    b = jnp.asarray(rng.normal(size=(6, 7)))
    L = jax.vmap(sl.platform_cholesky)(A)
    np.testing.assert_allclose(L, np.linalg.cholesky(np.asarray(A)), rtol=0, atol=1e-5 * float(jnp.max(A)))
    x = jax.vmap(sl.platform_spd_solve)(A, b)
    np.testing.assert_allclose(np.einsum("bij,bj->bi", np.asarray(A), np.asarray(x)), b, atol=1e-4)
    if jax.default_backend() == "cpu":
        assert _custom_calls(jax.vmap(sl.platform_spd_solve), A, b) == set()


def test_newton_fits_and_sandwich_lower_without_lapack_on_cpu():
    """The batched Cholesky (dpotrf) that deadlocked with two CPU devices is gone from the fit's program."""
    from synthaug.core.fit import weighted_fit
    from synthaug.core.glm import sandwich_cov

    if jax.default_backend() != "cpu":
        pytest.skip("the CPU lowering is what is checked")
    loss = logistic_loss(intercept=True)
    rng = np.random.default_rng(0)
    X = jnp.asarray(rng.normal(size=(4, 30, 3)))
    y = jnp.asarray(rng.integers(0, 2, size=(4, 30)).astype(float))
    w = jnp.ones((4, 30))

    def fit_and_cov(X, y, w):
        th = weighted_fit(loss, X, y, w, ridge=1e-3).theta
        return th, sandwich_cov(loss, th, X, y, w, 1e-3)

    calls = _custom_calls(jax.vmap(fit_and_cov), X, y, w)
    # Control: the names searched for are those the LAPACK path lowers to.
    assert any("potrf" in c for c in _custom_calls(jax.vmap(jnp.linalg.cholesky), jnp.broadcast_to(jnp.eye(3), (2, 3, 3))))
    assert not any(("potrf" in c) or ("trsm" in c) or ("getrf" in c) or ("getri" in c) for c in calls), calls
