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


def test_one_cache_for_names_and_adapters():
    from synthaug.generators import registry
    from synthaug.generators.adapters import as_generator

    assert as_generator("smote", k=3) is make_generator("smote", k=3)  # the adapters go through make_generator

    def host(X1, n, random_state):
        return np.repeat(X1[:1], n, axis=0)

    adapted = as_generator(host)
    assert as_generator(host) is adapted
    assert registry._CACHE[("callable", host)] is adapted  # adapters share the registry's cache
    built = []
    assert registry.cached(("k", [1]), lambda: built.append(1) or len(built)) == 1  # unhashable key: no caching
    assert registry.cached(("k", [1]), lambda: built.append(1) or len(built)) == 2
    assert make_generator("smote", k=3) is not make_generator("smote", k=4)


def test_plain_and_smoothed_bootstrap_names():
    X1, _ = _data()
    key = jax.random.key(0)
    rows = set(map(tuple, X1))
    for name in ("random", "bootstrap"):  # plain resampling: every row is a minority row
        assert all(tuple(r) in rows for r in np.asarray(make_generator(name)(key, X1, 30)))
    np.testing.assert_array_equal(make_generator("random")(key, X1, 30), make_generator("bootstrap")(key, X1, 30))
    for name in ("kde", "smoothed-bootstrap"):  # kernel noise added: no row is a minority row
        assert not any(tuple(r) in rows for r in np.asarray(make_generator(name)(key, X1, 30)))
    np.testing.assert_array_equal(make_generator("kde")(key, X1, 30), make_generator("smoothed-bootstrap")(key, X1, 30))


def test_registry_names_moved_out_of_basic_resolve_with_a_warning():
    from synthaug.generators import basic, registry

    for name in ("GENERATOR_FACTORIES", "GENERATOR_NAMES", "make_generator"):
        with pytest.warns(DeprecationWarning, match="synthaug.generators.registry"):
            assert getattr(basic, name) is getattr(registry, name)
    with pytest.raises(AttributeError):
        basic.no_such_name  # noqa: B018
