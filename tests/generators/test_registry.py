"""Every generator of the name registry through one contract test (found by discovery).

Adding a generator to ``GENERATOR_FACTORIES`` adds it here with no list to edit: shape and
dtype, determinism under a key, dependence on the key, finite output, and the same object
for the same (name, parameters). ``PARAMS`` only makes the trained generators small
(or supplies a required argument).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from synthaug.generators import GENERATOR_FACTORIES, Generator, make_generator

PARAMS = {
    "smote-nc": dict(categorical_features=(0,)),
    "moms": dict(epochs=3),
    "leo-cvae": dict(k=3, hidden=8, latent=2, epochs=3),
}


def _data(categorical=False):
    rng = np.random.default_rng(0)
    X1 = rng.normal(size=(24, 3)) + np.r_[1.0, 0.0, 0.0]
    X0 = rng.normal(size=(60, 3))
    if categorical:  # column 0 holds category codes
        X1[:, 0] = rng.integers(0, 3, size=24)
        X0[:, 0] = rng.integers(0, 3, size=60)
    return X1, X0


def test_every_registered_name_builds():
    assert len(GENERATOR_FACTORIES) >= 17
    for name in GENERATOR_FACTORIES:
        gen = make_generator(name, **PARAMS.get(name, {}))
        assert isinstance(gen, Generator), name


@pytest.mark.parametrize("name", sorted(GENERATOR_FACTORIES))
def test_generator_contract(name):
    params = PARAMS.get(name, {})
    gen = make_generator(name, **params)
    assert make_generator(name, **params) is gen  # hashed by value: compiled once per configuration
    X1, X0 = _data(categorical="categorical_features" in params)
    key = jax.random.key(3)
    out = np.asarray(gen(key, X1, 17, X_majority=X0))
    assert out.shape == (17, 3) and out.dtype == X1.dtype, name
    assert np.isfinite(out).all(), name
    again = np.asarray(gen(key, X1, 17, X_majority=X0))
    np.testing.assert_array_equal(out, again)  # pure: the same key gives the same rows
    other = np.asarray(gen(jax.random.key(4), X1, 17, X_majority=X0))
    assert not np.array_equal(out, other), name  # a different key gives different rows
    assert np.asarray(gen(key, X1, 0, X_majority=X0)).shape == (0, 3)
