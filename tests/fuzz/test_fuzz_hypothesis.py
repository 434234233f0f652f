"""Hypothesis-driven fuzzing of the cheap entry points, on fixed shapes (compiles are reused).

Values are drawn from ordinary numbers mixed with NaN, infinities, 1e300, 1e154, 1e-300 and
zeros; parameters from integers, floats, strings, booleans and None. Each example is
classified by :func:`fuzz_outcomes.classify` and must end in a clear error or a correct result.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import jax

import fuzz_outcomes as fz
from fuzz_outcomes import classify, finite_array

SPECIAL = st.sampled_from([np.nan, np.inf, -np.inf, 1e300, -1e300, 1e154, 1e-300, 0.0])
VALUES = st.one_of(st.floats(-10, 10, allow_nan=False), SPECIAL)
SIZES = st.one_of(st.integers(-3, 12), st.floats(allow_nan=True), st.text(max_size=2), st.booleans(), st.none())
Y24 = np.r_[np.zeros(16, int), np.ones(8, int)]


def _assert_passes(case, call, inputs, check=None):
    outcome, detail = classify(case, call, inputs=inputs, check=check)
    assert outcome in fz.PASSING, f"{case}: {outcome}: {detail}"


@given(X=arrays(np.float64, (24, 2), elements=VALUES))
def test_prepare_data_values(X):
    from synthaug.data import prepare_data

    def check(p):
        return None if np.all(np.isfinite(p.X0)) and np.all(np.isfinite(p.X1)) else "non-finite standardised rows"

    _assert_passes("prepare_data", lambda: prepare_data(X, Y24), (X,), check)


@given(X=arrays(np.float64, (24, 2), elements=VALUES))
def test_weighted_fit_values(X):
    import synthaug

    _assert_passes("weighted_fit", lambda: synthaug.weighted_fit(synthaug.logistic_loss(), X, Y24).theta, (X,),
                   finite_array((2,)))


@given(X1=arrays(np.float64, (8, 2), elements=VALUES), n=SIZES,
       name=st.sampled_from(["smote", "gaussian", "random", "jitter", "bootstrap"]))
def test_generator_values_and_sizes(X1, n, name):
    from synthaug.generators import make_generator

    gen = make_generator(name, **({"k": 3} if name == "smote" else {}))
    ok_size = isinstance(n, int) and not isinstance(n, bool) and n >= 0
    _assert_passes(f"{name}(n={n!r})", lambda: gen(jax.random.key(1), X1, n), (X1,),
                   finite_array((n, 2)) if ok_size else None)


@given(n_synthetic=SIZES, gap_multiple=st.one_of(st.none(), st.floats(-2, 3), st.text(max_size=2)))
def test_sampler_size_parameters(n_synthetic, gap_multiple):
    from synthaug.estimators import SMOTESampler

    X = np.random.default_rng(0).normal(size=(24, 2))
    sampler = SMOTESampler(k_neighbors=3, n_synthetic=n_synthetic, gap_multiple=gap_multiple, random_state=0)

    def check(out):
        Xr, yr = out
        if Xr.shape[0] != yr.shape[0] or not np.all(np.isfinite(Xr)) or not np.array_equal(Xr[:24], X):
            return "wrong resampled rows"
        return None

    _assert_passes(f"SMOTESampler(n_synthetic={n_synthetic!r}, gap_multiple={gap_multiple!r})",
                   lambda: sampler.fit_resample(X, Y24), (X,), check)
