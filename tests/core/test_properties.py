"""Property-based tests (hypothesis) of generators, weighted_fit and nested pools.

Runtime: every new array shape costs a JAX compilation (0.1-0.8 s each for the
generators, which draw with shape-static ``jax.random`` calls), so shapes are
drawn from a few values spanning the ranges ((n1, d) in {(6, 5), (13, 1), (30, 2)},
synthetic sizes in {0, 1, 40}; fits: d in {2, 5}) and the compiled functions are reused across
examples and tests; the *contents* of the arrays are finite floats in
[-10, 10] (duplicates included; magnitudes below 1e-100 set to 0). Fits pad every dataset to ``N_PAD`` rows with
zero-weight rows (zero weights switch rows off, see synthaug.core.fit), so jitted fits
compile once per (loss, d); the padding rows hold real-looking data, so a fit that
failed to ignore them would be caught.
"""

from functools import lru_cache, partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import jax
import jax.numpy as jnp

import synthaug  # noqa: F401  (float64)
from synthaug.core.fit import weighted_fit
from synthaug.generators import fixed, gaussian_fit, jitter, nested_pool, oracle, random_oversampling, smote
from synthaug.generators import smote_with_parents
from synthaug.core.losses import logistic_loss, squared_loss
from synthaug.theory.populations import GaussianLaw

N_PAD = 32
RIDGE = 1e-3  # keeps every drawn problem (separable or rank-deficient) well conditioned
LOSSES = {"squared": squared_loss(labels=(-1.0, 1.0)), "logistic": logistic_loss(intercept=True)}
GENERATORS = ("smote", "gaussian", "jitter", "random", "oracle", "fixed")

# Magnitudes below 1e-100 become 0: a column whose entries are all that small has squares that
# underflow, and the library refuses it by name (synthaug.core.validation.check_magnitudes).
finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False, allow_subnormal=False).map(
    lambda v: 0.0 if abs(v) < 1e-100 else v)
SHAPES = st.sampled_from([(6, 5), (13, 1), (30, 2)])  # (n1, d): n1 near d, d = 1, and the largest n1
SIZES = st.sampled_from([0, 1, 40])


@st.composite
def minority(draw, unique=False):
    """A minority sample X1 of shape (n1, d), n1 in [6, 30], d in [1, 5] (duplicates allowed unless unique)."""
    return draw(hnp.arrays(np.float64, draw(SHAPES), elements=finite, unique=unique))


@st.composite
def labelled(draw):
    """(X, y, w) padded to N_PAD rows: n in [6, 30] live rows (both classes), the rest weight 0."""
    n = draw(st.integers(6, 30))
    d = draw(st.sampled_from([2, 5]))
    X = draw(hnp.arrays(np.float64, (N_PAD, d), elements=finite))
    y = draw(hnp.arrays(np.int64, (N_PAD,), elements=st.integers(0, 1))).astype(float)
    y[0], y[1] = 0.0, 1.0
    w = draw(hnp.arrays(np.float64, (N_PAD,), elements=st.floats(0.25, 4.0)))
    w[n:] = 0.0
    return X, y, w


@lru_cache(maxsize=None)
def make_generator(name, d):
    """One Generator object per (name, d), shared by all examples (and their compiled functions)."""
    if name == "smote":
        return smote(5)
    if name == "gaussian":
        return gaussian_fit(0.1)
    if name == "jitter":
        return jitter(0.5)
    if name == "random":
        return random_oversampling()
    law = GaussianLaw(np.linspace(-1.0, 1.0, d))
    return oracle(law.sample) if name == "oracle" else fixed(GaussianLaw(np.ones(d)).sample)


@lru_cache(maxsize=None)
def batched_generator(name, d, n):
    """jit(vmap over keys) of a generator: replications as run_replications runs them."""
    gen = make_generator(name, d)
    return jax.jit(jax.vmap(lambda k, X: gen(k, X, n), in_axes=(0, None)))


def key(seed):
    return jax.random.PRNGKey(seed)


def close(a, b, rtol=1e-7):
    """Fit comparisons: rtol 1e-7, scaled absolute floor. Rounding differences (permuted
    sums, batched matmuls) pass through the logistic Newton stopping rule (a step below
    1e-10 (1 + |theta|)) and the problem's conditioning; 1e-7 is the resolution at which
    weighted_fit results are compared here."""
    a, b = np.asarray(a), np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * (1.0 + np.max(np.abs(b))))


# --------------------------------------------------------------------------- SMOTE geometry

_smote_jit = jax.jit(smote_with_parents, static_argnums=(2, 3))  # one compile per shape (eager compiles per op)


@given(X=minority(), k=st.sampled_from([1, 2, 5]), n=SIZES, seed=st.integers(0, 2**31 - 1))
def test_smote_points_lie_between_parents(X, k, n, seed):
    Xs, i, j, u = (np.asarray(a) for a in _smote_jit(key(seed), jnp.asarray(X), n, k))
    assert Xs.shape == (n, X.shape[1])
    assert np.all((u >= 0) & (u <= 1))
    assert np.all(i != j)
    np.testing.assert_allclose(Xs, X[i] + u[:, None] * (X[j] - X[i]), rtol=1e-12, atol=1e-12)
    lo, hi = np.minimum(X[i], X[j]), np.maximum(X[i], X[j])
    slack = 1e-12 * (1 + np.abs(X).max())
    assert np.all((Xs >= lo - slack) & (Xs <= hi + slack))
    # j is among the k nearest other rows of i: its distance is <= the k-th one (numpy brute force).
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    kth = np.sort(d2, axis=1)[:, k - 1]
    tol = 1e-9 * (1.0 + np.max(np.sum(X * X, axis=1)))
    assert np.all(d2[i, j] <= kth[i] + tol)


# --------------------------------------------------------------------------- generator contract


@pytest.mark.parametrize("name", GENERATORS)
@given(X=minority(), n=SIZES)
def test_generator_shape_finite_deterministic(name, X, n):
    gen = make_generator(name, X.shape[1])
    out = np.asarray(gen(key(1), X, n))
    assert out.shape == (n, X.shape[1])
    assert out.dtype == np.float64
    assert np.all(np.isfinite(out))
    np.testing.assert_array_equal(out, np.asarray(gen(key(1), X, n)))


@pytest.mark.parametrize("name", GENERATORS)
@given(X=minority(unique=True))
def test_generator_different_keys_differ(name, X):
    # Distinct rows and n = 40: two keys giving identical draws is (at most) a
    # (1/6)^40 coincidence for random oversampling and impossible otherwise.
    n = 40
    gen = make_generator(name, X.shape[1])
    assert not np.array_equal(np.asarray(gen(key(1), X, n)), np.asarray(gen(key(2), X, n)))


@pytest.mark.parametrize("name", ["smote", "gaussian", "jitter", "random"])
@settings(max_examples=10)
@given(X=hnp.arrays(np.float64, (13, 2), elements=finite))
def test_generator_vmap_jit_matches_loop(name, X):
    # One shape: the batched generator compiles once per generator; contents vary freely.
    n = 40
    gen = make_generator(name, X.shape[1])
    keys = jax.random.split(key(3), 3)
    loop = np.stack([np.asarray(gen(k, X, n)) for k in keys])
    close(batched_generator(name, X.shape[1], n)(keys, jnp.asarray(X)), loop, rtol=1e-12)


# --------------------------------------------------------------------------- weighted_fit invariances


@pytest.mark.parametrize("lname", LOSSES)
@given(data=labelled(), perm_seed=st.integers(0, 2**31 - 1), c=st.floats(1e-3, 1e3))
def test_weighted_fit_permutation_and_scale_invariant(lname, data, perm_seed, c):
    X, y, w = data
    loss = LOSSES[lname]
    base = weighted_fit(loss, X, y, w, ridge=RIDGE)
    assert bool(base.converged) and np.all(np.isfinite(np.asarray(base.theta)))
    p = np.random.default_rng(perm_seed).permutation(N_PAD)
    close(weighted_fit(loss, X[p], y[p], w[p], ridge=RIDGE).theta, base.theta)
    close(weighted_fit(loss, X, y, c * w, ridge=RIDGE).theta, base.theta)


@partial(jax.jit, static_argnums=0)
def _vmap_theta(loss, X, y, W):
    return jax.vmap(lambda w: weighted_fit(loss, X, y, w, ridge=RIDGE).theta)(W)


@pytest.mark.parametrize("lname", LOSSES)
@given(data=labelled(), seed=st.integers(0, 2**31 - 1))
def test_weighted_fit_jit_vmap_matches_loop(lname, data, seed):
    """jit(vmap(weighted_fit)) over three replications equals a Python loop of un-jitted calls."""
    X, y, w = data
    loss = LOSSES[lname]
    # Three "replications": bootstrap-like reweightings of the live rows.
    W = w[None, :] * np.random.default_rng(seed).integers(1, 4, size=(3, N_PAD))
    loop = np.stack([np.asarray(weighted_fit(loss, X, y, wr, ridge=RIDGE).theta) for wr in W])
    close(_vmap_theta(loss, X, y, W), loop)


# --------------------------------------------------------------------------- nested pools


@given(
    X=minority(),
    sizes=st.lists(st.sampled_from([0, 1, 3, 40]), min_size=1, max_size=4),
    name=st.sampled_from(["smote", "gaussian", "random"]),
)
def test_nested_pool_prefixes(X, sizes, name):
    gen = make_generator(name, X.shape[1])
    pool, W = (np.asarray(a) for a in nested_pool(gen, key(4), X, sizes))
    m = max(sizes)
    assert pool.shape == (m, X.shape[1])
    # The pool is one draw of the largest size; every size reuses its prefix.
    np.testing.assert_array_equal(pool, np.asarray(gen(key(4), X, m)))
    assert W.shape == (len(sizes), m)
    for s, wrow in zip(sizes, W):
        np.testing.assert_array_equal(wrow, (np.arange(m) < s).astype(float))
        np.testing.assert_array_equal(pool[wrow > 0], pool[:s])
    # Nestedness: a larger size switches on a superset of the rows of a smaller one.
    order = np.argsort(sizes)
    assert np.all(np.diff(W[order], axis=0) >= 0)
