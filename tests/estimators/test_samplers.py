"""imbalanced-learn facades: the library's own sampler checks, sizes, pandas round trip."""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.linear_model import LogisticRegression

import synthaug  # noqa: F401
from synthaug.estimators.base import as_sampler
from synthaug.testing import parametrize_with_checks as parametrize_with_checks_synthaug


@parametrize_with_checks([as_sampler("smote", random_state=0), as_sampler("random", random_state=0)])
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)


def _data(n0=90, n1=10, d=3, seed=0):
    X = np.random.default_rng(seed).normal(size=(n0 + n1, d))
    return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]


@pytest.mark.parametrize(
    "kwargs, expected",
    [({}, 80), ({"n_synthetic": 7}, 7), ({"gap_multiple": 0.5}, 40), ({"gap_multiple": 0.0}, 0)],
)
def test_synthetic_size_rules(kwargs, expected):
    X, y = _data()
    Xr, yr = as_sampler("smote", random_state=1, **kwargs).fit_resample(X, y)
    assert Xr.shape == (100 + expected, 3)
    np.testing.assert_array_equal(Xr[:100], X)  # originals kept, in order
    assert np.bincount(yr, minlength=2).tolist() == [90, 10 + expected]


#: Constructor arguments that make the trained samplers small for the contract checks below.
_CONTRACT_PARAMS = {
    "SMOTENCSampler": dict(categorical_features=[0]),
    "VTSSSampler": dict(generator="random", folds=2, crossfit_folds=2),
    "MOMSSampler": dict(epochs=3),
    "LEOCVAESampler": dict(k=3, hidden=8, latent=2, epochs=3),
}


def _contract_estimators(kind):
    from synthaug.estimators import all_estimators

    found = all_estimators(kind)
    return [cls(**_CONTRACT_PARAMS.get(name, {})) for name, cls in found], [name for name, _ in found]


# synthaug.testing's contracts for every sampler and classifier of all_estimators() (found by discovery):
# sampler: exact counts per sampling_strategy_ (int and str labels) and for n_synthetic, originals kept in
# order, dtype kept, finite, determinism under random_state and dependence on it, pandas round trip;
# classifier (and a synthaug sampler in an imbalanced-learn pipeline): fit/predict/predict_proba, string
# labels, NotFittedError, pandas input.
_SAMPLERS, _SAMPLER_IDS = _contract_estimators("sampler")


#: (sampler, check) pairs of the contract that do not apply, with the reason.
_NOT_APPLICABLE = {
    (name, "counts"): "a combined over- and under-sampler (imbalanced-learn's imblearn.combine contract) removes "
                      "real and synthetic rows after SMOTE, so its output need not start with the original rows nor "
                      "add sampling_strategy_ rows per class; tests/estimators/test_smoten_combined.py checks it "
                      "against imbalanced-learn instead"
    for name in ("SMOTETomekSampler", "SMOTEENNSampler")
}


@parametrize_with_checks_synthaug(_SAMPLERS, ids=_SAMPLER_IDS)
def test_sampler_contract(obj, check, request):
    reason = _NOT_APPLICABLE.get((type(obj).__name__, request.node.callspec.id.rsplit("-", 1)[-1]))
    if reason:
        pytest.skip(reason)
    check()


_CLASSIFIERS, _CLASSIFIER_IDS = _contract_estimators("classifier")


@parametrize_with_checks_synthaug(
    _CLASSIFIERS + [make_pipeline(as_sampler("smote", random_state=0), LogisticRegression())],
    ids=_CLASSIFIER_IDS + ["smote-pipeline"])
def test_classifier_contract(obj, check):
    check()


def test_bad_sizes_and_nan():
    X, y = _data()
    with pytest.raises(ValueError):
        as_sampler("smote", n_synthetic=-1).fit_resample(X, y)
    y3 = y.copy()
    y3[:5] = 2
    with pytest.raises(ValueError, match="binary"):
        as_sampler("smote", n_synthetic=3).fit_resample(X, y3)
    X[0, 0] = np.nan
    with pytest.raises(ValueError):
        as_sampler("smote").fit_resample(X, y)


@pytest.mark.parametrize("labels", [(0, 1), (1, 0), ("healthy", "sepsis")])
def test_vtss_sampler_random_state_is_diagnose_seed(labels):
    """Binary target: VTSSSampler(random_state=s) == diagnose(seed=s), whatever the labels' order."""
    from synthaug import diagnose
    from synthaug.estimators import VTSSSampler

    rng = np.random.default_rng(3)
    X = np.r_[rng.normal(size=(120, 3)), rng.normal(size=(30, 3)) + 0.8]
    y = np.array([labels[0]] * 120 + [labels[1]] * 30, dtype=object if isinstance(labels[0], str) else int)
    for s in (5,):  # any seed: the old mapping (seed + class index) differs from diagnose's at every seed
        sampler = VTSSSampler(random_state=s, folds=3).fit(X, y)
        Xr, _ = sampler.fit_resample(X, y)
        d = diagnose(X, y, seed=s, folds=3, fidelity=False, progress=False)
        assert sampler.n_synthetic_ == d.selected_size
        np.testing.assert_allclose(Xr[150:], np.asarray(d.synthetic) * d.data.scale + d.data.mean, rtol=1e-12)


@pytest.mark.parametrize(
    "kwargs, expected", [({}, 80), ({"n_synthetic": 7}, 7), ({"gap_multiple": 0.5}, 40), ({"gap_multiple": 0.0}, 0)]
)
def test_sampling_strategy_is_the_rows_added(kwargs, expected):
    """sampling_strategy_ holds the rows actually added, also when n_synthetic / gap_multiple override it."""
    X, y = _data()
    sampler = as_sampler("smote", random_state=1, **kwargs)
    Xr, yr = sampler.fit_resample(X, y)
    assert dict(sampler.sampling_strategy_) == {1: expected}
    assert Xr.shape[0] - X.shape[0] == sum(sampler.sampling_strategy_.values())


def test_gap_multiple_rounds_half_to_even():
    # gap 80: 0.50625 * 80 = 40.5 rounds to 40 (half to even), 0.51875 * 80 = 41.5 to 42.
    X, y = _data()
    for gm, n in [(0.50625, 40), (0.51875, 42)]:
        sampler = as_sampler("random", gap_multiple=gm, random_state=0)
        Xr, _ = sampler.fit_resample(X, y)
        assert Xr.shape[0] == 100 + n and dict(sampler.sampling_strategy_) == {1: n}


@pytest.mark.parametrize(
    "labels", [np.array([0, 1]), np.array(["healthy", "sepsis"]), np.array(["b", "a"], dtype=object)]
)
@pytest.mark.parametrize("kwargs", [{}, {"n_synthetic": 5}, {"gap_multiple": 1.0}])
def test_synthetic_counts_keys_are_plain_python_labels(labels, kwargs):
    from synthaug.estimators.base import synthetic_counts

    X, y01 = _data()
    y = labels[y01]
    sampler = as_sampler("random", random_state=0, **kwargs)
    sampler.fit_resample(X, y)
    for counts in (synthetic_counts(y, sampler.sampling_strategy_, **kwargs), sampler.sampling_strategy_):
        keys = list(counts)
        assert keys == [labels[1].item() if isinstance(labels[1], np.generic) else labels[1]]
        assert type(keys[0]) in (int, str) and not isinstance(keys[0], np.generic)


def test_vtss_sampler_counts_keyed_by_plain_labels_and_strategy_is_rows_added(monkeypatch):
    """Multi-class VTSSSampler: dicts keyed by the plain labels, sampling_strategy_ = rows added.

    The facade's bookkeeping is tested with a stand-in for diagnose (which a real multi-class
    run would call once per class, compiling each time) that selects 3 rows for "a" and 7 for "b".
    """
    import types

    import synthaug.diagnosis.api
    from synthaug.estimators import VTSSSampler

    def fake_diagnose(X, y, **kwargs):
        n = 3 if len(y) == 80 else 7
        data = types.SimpleNamespace(scale=np.ones(X.shape[1]), mean=np.zeros(X.shape[1]))
        return types.SimpleNamespace(selected_size=np.int64(n), synthetic=np.zeros((n, X.shape[1])), data=data)

    monkeypatch.setattr(synthaug.diagnosis.api, "diagnose", fake_diagnose)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(95, 2))
    y = np.array(["maj"] * 60 + ["a"] * 20 + ["b"] * 15)
    sampler = VTSSSampler(random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    assert sampler.n_synthetic_ == {"a": 3, "b": 7}
    assert all(type(k) is str for k in (*sampler.n_synthetic_, *sampler.diagnosis_, *sampler.sampling_strategy_))
    assert all(type(v) is int for v in sampler.n_synthetic_.values())
    assert dict(sampler.sampling_strategy_) == {"a": 3, "b": 7}
    assert {c: int(np.sum(yr[len(y):] == c)) for c in ("a", "b")} == {"a": 3, "b": 7}


@pytest.mark.parametrize("argument, allowed", [("bandwidth_from", "'dist' or 'sqdist'"),
                                               ("neighbors_from", "'all' or 'same_class'")])
def test_adaptive_gammas_validates_its_options(argument, allowed):
    from synthaug.estimators.kotaro import adaptive_gammas

    X, y = _data()
    with pytest.raises(ValueError, match=f"{argument} must be {allowed}; got 'bogus'"):
        adaptive_gammas(X, y, 5, **{argument: "bogus"})
    adaptive_gammas(X, y, 5, **{argument: allowed.split("'")[1]})  # an allowed value passes


def test_adaptive_gammas_same_class_needs_y():
    from synthaug.estimators.kotaro import adaptive_gammas

    X, _ = _data()
    with pytest.raises(ValueError, match="needs the labels y"):
        adaptive_gammas(X, None, 5, neighbors_from="same_class")


def test_sampling_strategy_is_zero_for_a_skipped_class():
    # Minority far from the majority: no danger point, so fallback="skip" adds nothing.
    from synthaug.estimators import BorderlineSMOTESampler

    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(90, 2)), 0.1 * rng.normal(size=(10, 2)) + 20.0]
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    sampler = BorderlineSMOTESampler(fallback="skip", random_state=0)
    with pytest.warns(UserWarning, match="no synthetic rows"):
        Xr, _ = sampler.fit_resample(X, y)
    assert Xr.shape == (100, 2) and dict(sampler.sampling_strategy_) == {1: 0}
