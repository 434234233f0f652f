"""Contract checks: every check catches a deliberately broken generator/sampler/estimator and passes correct ones.

Deterministic (fixed keys); the permutation check runs a KS test at level 1e-6 on fixed keys.
The registry's generators and ``all_estimators()`` pass the same checks in tests/generators/test_registry.py
and tests/estimators/test_samplers.py (found by discovery); here each check is shown to fail.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from synthaug.generators.basic import Generator
from synthaug.testing import check_estimator, check_generator, check_sampler, parametrize_with_checks
from synthaug.testing import examples as E
from synthaug.testing.checks import estimator_checks, generator_checks, sampler_checks


def _only(checks, name):
    """The one check called ``name`` from a generator_checks/sampler_checks/estimator_checks iterator."""
    return dict(checks)[name]


# ----------------------------------------------------------------------------- generators


@parametrize_with_checks([E.jittered_bootstrap()])
def test_user_written_generator_passes(obj, check):
    check()


class _Nondeterministic:
    """Ignores its key and draws from an unseeded NumPy generator."""

    name, min_rows, uses_majority, traceable = "numpy-rng", 1, False, False

    def __call__(self, key, X, n):
        X = np.asarray(X)
        return X[np.random.default_rng().integers(0, len(X), n)] + 0.1


class _ReadsMajorityLength:
    """A plain function-style generator that sizes its noise by the number of majority rows, undeclared."""

    name, min_rows, uses_majority, traceable = "reads-majority-length", 1, False, True

    def __call__(self, key, X, n, X_majority=None):
        scale = 0.1 if X_majority is None else 0.1 * len(X_majority) / 40
        return E._jitter(key, jnp.asarray(X), n, scale)


def _host_only(key, X, n):  # NumPy indexing of the key's draws: cannot be traced
    i = np.asarray(jax.random.randint(key, (n,), 0, X.shape[0]))
    return jnp.asarray(np.asarray(X)[i])


@pytest.mark.parametrize("check, gen, message", [
    ("no_mutation", E.mutating_generator(), "mutated X_minority"),
    ("shape_dtype", E.short_by_one(), "output has 199 rows, expected 200"),
    ("shape_dtype", Generator("upcasts", lambda key, X, n: E._jitter(key, X, n).astype(jnp.float64)),
     "output dtype float64 for float32 input"),
    ("deterministic", E.ignores_key(), "the key is ignored"),
    ("deterministic", _Nondeterministic(), "same key gave different rows"),
    ("finite", E.nan_on_duplicates(), "non-finite output for all minority rows identical"),
    ("majority_declared", E.reads_majority_undeclared(), "depends on X_majority .*does not declare"),
    ("majority_declared", _ReadsMajorityLength(), "changed with a majority of half the rows"),
    ("permutation", Generator("first-row", lambda key, X, n: E._jitter(key, jnp.repeat(X[:1], X.shape[0], 0), n)),
     "permuting the minority rows changed the output law"),
    ("traceable", Generator("host-only", _host_only), "declares traceable but fails under jit/vmap"),
])
def test_each_generator_check_catches_its_broken_generator(check, gen, message):
    with pytest.raises(AssertionError, match=f"check_generator\\({gen.name}\\): .*{message}"):
        _only(generator_checks(gen), check)()
    with pytest.raises(AssertionError, match=message):
        check_generator(gen)  # and the whole check fails


def test_majority_check_passes_declared_and_non_reading_generators():
    honest = Generator("jitter-ignores-majority", lambda key, X, n: E._jitter(key, X, n))
    _only(generator_checks(honest), "majority_declared")()  # called with 4 majorities, output unchanged
    declared = Generator("declares", lambda key, X, n, X0: E._jitter(key, X, n) + 0.1 * X0.mean(0), uses_majority=True)
    check_generator(declared)  # reads the majority and says so


def test_below_minimum_must_raise_value_error():
    g_claims = Generator("claims-3", lambda key, X, n: E._jitter(key, X, n), min_rows=3)  # Generator enforces it
    check_generator(g_claims)

    class Unchecked:
        name, min_rows, uses_majority, traceable = "unchecked", 3, False, False

        def __call__(self, key, X, n):
            return E._jitter(key, np.asarray(X), n) if len(X) else np.zeros((n, X.shape[1]))

    with pytest.raises(AssertionError, match="did not raise ValueError"):
        _only(generator_checks(Unchecked()), "below_minimum")()


def test_prefix_consistency():
    check_generator(E.jittered_bootstrap(), prefix_consistent=True)  # per-row draws: nested pools are prefixes
    g = Generator("size-keyed", lambda key, X, n: E._jitter(jax.random.fold_in(key, n), X, n))
    with pytest.raises(AssertionError, match="prefix consistency"):
        _only(generator_checks(g, prefix_consistent=True), "prefix")()


# ----------------------------------------------------------------------------- samplers


def test_imblearn_sampler_passes():
    check_sampler(RandomOverSampler(random_state=0))  # a sampler synthaug did not write


class _Short(RandomOverSampler):
    def _fit_resample(self, X, y):
        Xr, yr = super()._fit_resample(X, y)
        return Xr[:-1], yr[:-1]


class _IgnoresSeed(RandomOverSampler):
    def _fit_resample(self, X, y):
        self.random_state = 0
        return super()._fit_resample(X, y)


class _NumpyOut(RandomOverSampler):
    def fit_resample(self, X, y):
        return tuple(np.asarray(a) for a in super().fit_resample(X, y))


class _IgnoresSize(RandomOverSampler):
    def __init__(self, n_synthetic=None, random_state=None):
        super().__init__(random_state=random_state)
        self.n_synthetic = n_synthetic


class _Upcasts(RandomOverSampler):
    def _fit_resample(self, X, y):
        Xr, yr = super()._fit_resample(X, y)
        return Xr.astype(np.float32), yr


class _ModifiesParam(RandomOverSampler):
    def __init__(self, tags=("a",), random_state=None):
        super().__init__(random_state=random_state)
        self.tags = list(tags)  # not the object passed: clone() refuses it


@pytest.mark.parametrize("check, sampler, message", [
    ("params", _ModifiesParam(), "clone"),
    ("counts", _Short(), "added"),
    ("counts", _Upcasts(), "dtype float32 for float64 input"),
    ("exact_size", _IgnoresSize(), "n_synthetic=7 added"),
    ("deterministic", _IgnoresSeed(), "random_state is ignored"),
    ("pandas_round_trip", _NumpyOut(), "DataFrame input came back as ndarray"),
])
def test_each_sampler_check_catches_its_broken_sampler(check, sampler, message):
    with pytest.raises(AssertionError, match=f"check_sampler\\({type(sampler).__name__}\\): .*{message}"):
        _only(sampler_checks(sampler), check)()


# ----------------------------------------------------------------------------- classifiers


def test_pipeline_with_a_synthaug_sampler_passes():
    from imblearn.pipeline import make_pipeline

    from synthaug.estimators.base import as_sampler

    check_estimator(make_pipeline(as_sampler("smote", random_state=0), LogisticRegression()))


class _NotSelf(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return None

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _PredictsUnfitted(LogisticRegression):
    def predict(self, X):
        return np.zeros(len(X), int) if not hasattr(self, "coef_") else super().predict(X)


class _PandasBlind(LogisticRegression):
    def predict(self, X):
        return np.full(len(X), self.classes_[0]) if hasattr(X, "iloc") else super().predict(X)


@pytest.mark.parametrize("check, est, message", [
    ("fit_predict", _NotSelf(), "fit does not return self"),
    ("not_fitted", _PredictsUnfitted(), "predict before fit did not raise"),
    ("pandas_input", _PandasBlind(), "pandas input gives different predictions"),
])
def test_each_estimator_check_catches_its_broken_estimator(check, est, message):
    with pytest.raises(AssertionError, match=f"check_estimator\\({type(est).__name__}\\): {message}"):
        _only(estimator_checks(est), check)()


def test_parametrize_with_checks_dispatches_and_names_the_checks():
    mark = parametrize_with_checks([E.jittered_bootstrap(), RandomOverSampler(), LogisticRegression()])
    ids = mark.kwargs["ids"]
    assert "jittered-bootstrap-majority_declared" in ids and "RandomOverSampler-exact_size" in ids
    assert "LogisticRegression-not_fitted" in ids
    assert len(ids) == len(set(ids)) == len(dict(generator_checks(E.jittered_bootstrap()))) + 5 + 3
