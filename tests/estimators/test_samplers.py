"""imbalanced-learn facades: the library's own sampler checks, sizes, pandas round trip."""

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import parametrize_with_checks
from sklearn.linear_model import LogisticRegression

import synthaug  # noqa: F401
from synthaug.estimators.base import as_sampler


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


def test_pandas_in_pandas_out_and_seed():
    X, y = _data()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    s = pd.Series(y, name="label")
    Xr, yr = as_sampler("smote", random_state=3).fit_resample(df, s)
    assert isinstance(Xr, pd.DataFrame) and list(Xr.columns) == ["a", "b", "c"]
    assert isinstance(yr, pd.Series) and yr.name == "label"
    Xr2, _ = as_sampler("smote", random_state=3).fit_resample(df, s)
    pd.testing.assert_frame_equal(Xr, Xr2)


def test_works_in_imblearn_pipeline():
    X, y = _data(seed=2)
    pipe = make_pipeline(as_sampler("smote", random_state=0), LogisticRegression())
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (100,)


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
    for s in (0, 5):
        sampler = VTSSSampler(random_state=s, folds=3).fit(X, y)
        Xr, _ = sampler.fit_resample(X, y)
        d = diagnose(X, y, seed=s, folds=3, fidelity=False, progress=False)
        assert sampler.n_synthetic_ == d.selected_size
        np.testing.assert_allclose(Xr[150:], np.asarray(d.synthetic) * d.data.scale + d.data.mean, rtol=1e-12)
