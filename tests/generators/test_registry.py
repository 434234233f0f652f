"""Every generator of the name registry through one contract test (found by discovery).

Adding a generator to ``GENERATOR_FACTORIES`` adds it here with no list to edit: the whole
contract of :func:`synthaug.testing.check_generator` (one test per check), and the same
object for the same (name, parameters). ``PARAMS`` only makes the trained generators small
(or supplies a required argument).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from synthaug.generators import GENERATOR_FACTORIES, Generator, make_generator
from synthaug.testing import parametrize_with_checks

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
        params = PARAMS.get(name, {})
        gen = make_generator(name, **params)
        assert isinstance(gen, Generator), name
        assert make_generator(name, **params) is gen  # hashed by value: compiled once per configuration


def _contract_generators():
    """Every registered name, once per factory (an alias such as "kde" shares its factory's checks)."""
    seen, names = set(), []
    for name in sorted(GENERATOR_FACTORIES):
        if GENERATOR_FACTORIES[name] not in seen:
            seen.add(GENERATOR_FACTORIES[name])
            names.append(name)
    return names


CONTRACT = _contract_generators()


# The full generator contract of synthaug.testing.check_generator, one test per (generator, check):
# exact shape and dtype (float64, float32, n = 0), determinism under a key and dependence on it, finite
# output on degenerate minorities, no mutation, permutation invariance (KS at level 1e-6 on fixed keys),
# no undeclared use of the majority, jit/vmap agreement when traceable, ValueError below min_rows.
@parametrize_with_checks([make_generator(name, **PARAMS.get(name, {})) for name in CONTRACT], ids=CONTRACT)
def test_generator_contract(obj, check):
    check()


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

