"""synthaug's own tests of the imbalanced-learn compatibility features (not ported).

Neighbour estimators, the fitted attributes imbalanced-learn code reads, skipping a class
without danger points, class order with 10+ classes, SMOTE-NC's column handling, random
oversampling's copying / shrinkage / bandwidth rules, and the imbalanced-learn options
(Borderline-2 step, ADASYN rounding). Deterministic checks compare exact values; the two
statistical ones state their tolerance and false-failure rate.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder

import jax

from synthaug.estimators import (
    ADASYNSampler,
    BorderlineSMOTESampler,
    RandomOversamplingSampler,
    SMOTENCSampler,
    SMOTESampler,
)
from synthaug.generators.borderline import borderline_smote_with_parents
from synthaug.generators.kde import silverman_factor


def _data(n0=60, n1=20, d=2, shift=1.0, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n0, d)), rng.normal(size=(n1, d)) + shift])
    return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]


class CountingNeighbours:
    """A duck-typed neighbour estimator (faiss/cuML style): wraps NearestNeighbors, counts calls."""

    def __init__(self, n_neighbors=6):
        self.n_neighbors = n_neighbors
        self.calls = 0

    def get_params(self, deep=True):
        return {"n_neighbors": self.n_neighbors}

    def set_params(self, **params):
        self.n_neighbors = params.get("n_neighbors", self.n_neighbors)
        return self

    def fit(self, X):
        self._nn = NearestNeighbors(n_neighbors=self.n_neighbors).fit(X)
        return self

    def kneighbors(self, X, return_distance=True):
        self.calls += 1
        return self._nn.kneighbors(X, return_distance=return_distance)

    def kneighbors_graph(self, X):  # pragma: no cover - required by the protocol only
        return self._nn.kneighbors_graph(X)


# ---------------------------------------------------------------------------------------------
# Neighbour estimators: the host tables give the same draws as the JAX search (continuous data,
# no distance ties), so an estimator with n_neighbors = k + 1 is the int k, draw for draw.


@pytest.mark.parametrize("make", [
    lambda nn: SMOTESampler(k_neighbors=nn, random_state=3),
    lambda nn: ADASYNSampler(n_neighbors=nn, random_state=3),
    lambda nn: BorderlineSMOTESampler(k_neighbors=nn, random_state=3),
    lambda nn: BorderlineSMOTESampler(k_neighbors=nn, kind=2, random_state=3),
], ids=["smote", "adasyn", "borderline-1", "borderline-2"])
def test_neighbour_estimator_equals_int(make):
    X, y = _data()
    X_int, y_int = make(5).fit_resample(X, y)
    sampler = make(CountingNeighbours(n_neighbors=6))
    X_est, y_est = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(y_est, y_int)
    np.testing.assert_allclose(X_est, X_int, rtol=1e-12)
    fitted = sampler.nn_ if isinstance(sampler, ADASYNSampler) else sampler.nn_k_
    assert fitted.calls >= 1 and fitted is not sampler.get_params()["k_neighbors" if hasattr(sampler, "k_neighbors")
                                                                     else "n_neighbors"]


@pytest.mark.parametrize("kind", [1, 2])
def test_borderline_m_estimator_equals_int(kind):
    X, y = _data()
    X_int, _ = BorderlineSMOTESampler(kind=kind, m_neighbors=8, random_state=1).fit_resample(X, y)
    s = BorderlineSMOTESampler(kind=kind, m_neighbors=NearestNeighbors(n_neighbors=9), random_state=1)
    X_est, _ = s.fit_resample(X, y)
    np.testing.assert_allclose(X_est, X_int, rtol=1e-12)
    assert s.nn_m_.n_neighbors == 9 and s.nn_k_.n_neighbors == 6


def test_smote_nc_neighbour_estimator_equals_int():
    X, y = _data(d=3)
    X[:, 2] = np.random.default_rng(1).integers(0, 3, size=X.shape[0])
    a = SMOTENCSampler([2], random_state=0).fit_resample(X, y)[0]
    b = SMOTENCSampler([2], k_neighbors=NearestNeighbors(n_neighbors=6), random_state=0).fit_resample(X, y)[0]
    np.testing.assert_allclose(b, a, rtol=1e-12)


def test_neighbour_parameter_refuses_other_objects():
    X, y = _data()
    with pytest.raises(ValueError, match="k_neighbors"):
        SMOTESampler(k_neighbors="five").fit_resample(X, y)


# ---------------------------------------------------------------------------------------------
# Borderline-SMOTE: danger indices, and a class without danger points.


def test_in_danger_indices_match_an_independent_count():
    X, y = _data(n0=80, n1=30, shift=1.0)
    y[:10] = 2  # three classes: 2 and 1 are oversampled
    s = BorderlineSMOTESampler(m_neighbors=7, random_state=0)
    s.fit_resample(X, y)
    nn = NearestNeighbors(n_neighbors=8).fit(X)
    expected = {}
    for c in (1, 2):
        rows = np.flatnonzero(y == c)
        n_maj = np.sum(y[nn.kneighbors(X[rows], return_distance=False)[:, 1:]] != c, axis=1)
        danger = (2 * n_maj >= 7) & (n_maj < 7)
        if danger.any():
            expected[c] = rows[danger]
    assert set(s.in_danger_indices) == set(expected) and expected
    for c in expected:
        np.testing.assert_array_equal(s.in_danger_indices[c], expected[c])


@pytest.mark.parametrize("kind", [1, 2])
def test_class_without_danger_points_is_skipped_with_a_warning(kind):
    X, y = _data(shift=40.0)  # far apart: every minority row is safe
    with pytest.warns(UserWarning, match="class 1 gets no synthetic rows"):
        X_res, y_res = BorderlineSMOTESampler(kind=kind, random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    with pytest.raises(ValueError, match="no danger points"):
        BorderlineSMOTESampler(kind=kind, fallback="raise").fit_resample(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, y_smote = BorderlineSMOTESampler(kind=kind, fallback="smote", random_state=0).fit_resample(X, y)
    assert np.bincount(y_smote).tolist() == [60, 60]


def test_ten_or_more_classes_are_appended_in_numeric_order():
    rng = np.random.default_rng(0)
    sizes = [40] + [8] * 11  # classes 0..11, all but 0 oversampled
    y = np.repeat(np.arange(12), sizes)
    X = rng.normal(size=(y.size, 2)) + y[:, None]
    _, y_res = SMOTESampler(k_neighbors=3, random_state=0).fit_resample(X, y)
    added = y_res[y.size:]
    np.testing.assert_array_equal(added, np.repeat(np.arange(1, 12), 32))


# ---------------------------------------------------------------------------------------------
# SMOTE-NC columns.


def _frame(n0=40, n1=16, seed=0):
    rng = np.random.default_rng(seed)
    n = n0 + n1
    X = pd.DataFrame({
        "c": pd.Categorical(rng.choice(["x", "y", "z"], size=n)),
        "f": rng.normal(size=n),
        "b": rng.integers(0, 2, size=n).astype(bool),
        "g": rng.normal(size=n),
    })
    return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]


def test_smote_nc_dataframe_categorical_float_bool():
    X, y = _frame()
    s = SMOTENCSampler(categorical_features=["c", "b"], random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert len(X_res) == len(y_res) == 80
    syn = X_res.iloc[len(X):]
    assert set(syn["c"]) <= set(X.loc[y == 1, "c"]) and set(syn["b"]) <= {True, False}
    np.testing.assert_array_equal(s.categorical_features_, [0, 2])
    np.testing.assert_array_equal(s.continuous_features_, [1, 3])
    assert s.median_std_ == {1: float(np.median(np.std(X.loc[y == 1, ["f", "g"]].to_numpy(), axis=0)))}
    s_auto = SMOTENCSampler(categorical_features="auto", random_state=0)
    auto = s_auto.fit_resample(X, y)[0]
    np.testing.assert_array_equal(s_auto.categorical_features_, [0])  # the one 'category' column
    assert auto.dtypes.equals(X.dtypes)
    with pytest.raises(ValueError, match="pandas.DataFrame"):
        SMOTENCSampler(categorical_features="auto").fit_resample(X.to_numpy(), y)


def test_smote_nc_categorical_encoder():
    X, y = _frame()
    enc = OneHotEncoder(sparse_output=False)
    s = SMOTENCSampler(categorical_features=[0], categorical_encoder=enc, random_state=0)
    s.fit_resample(X, y)
    assert s.categorical_encoder_ is not enc and list(s.categorical_encoder_.categories_[0]) == ["x", "y", "z"]
    with pytest.raises(ValueError, match="one column per category"):
        SMOTENCSampler(categorical_features=[0], categorical_encoder=OneHotEncoder(drop="first")).fit_resample(X, y)


# ---------------------------------------------------------------------------------------------
# Random oversampling.


def test_random_oversampling_copies_any_column_and_nan():
    n = 9
    X = pd.DataFrame({
        "s": list("abcdefghi"),
        "t": pd.date_range("2020-01-01", periods=n),
        "dt": pd.to_timedelta(np.arange(n), unit="h"),
        "x": [np.nan, 1.0, np.inf, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    })
    y = np.array([0] * 6 + [1] * 3)
    s = RandomOversamplingSampler(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert s.shrinkage_ is None
    pd.testing.assert_frame_equal(X_res.reset_index(drop=True), X.iloc[s.sample_indices_].reset_index(drop=True))
    assert np.all(y[s.sample_indices_[n:]] == 1) and y_res.tolist() == [0] * 6 + [1] * 3 + [1] * 3


def test_shrinkage_zero_is_plain_random_oversampling_draw_for_draw():
    X, y = _data(n0=50, n1=12)
    y[:7] = 2
    plain, y_plain = RandomOversamplingSampler(random_state=5).fit_resample(X, y)
    zero, y_zero = RandomOversamplingSampler(shrinkage=0, random_state=5).fit_resample(X, y)
    per_class = RandomOversamplingSampler(shrinkage={1: 0.0, 2: 0}, random_state=5)
    dict_zero, _ = per_class.fit_resample(X, y)
    np.testing.assert_array_equal(zero, plain)
    np.testing.assert_array_equal(dict_zero, plain)
    np.testing.assert_array_equal(y_zero, y_plain)
    assert per_class.shrinkage_ == {1: 0.0, 2: 0}
    smooth, _ = RandomOversamplingSampler(shrinkage={1: 1.0, 2: 0.0}, random_state=5).fit_resample(X, y)
    new = slice(y.size, None)
    moved = np.any(smooth[new] != plain[new], axis=1)
    np.testing.assert_array_equal(moved, y_plain[new] == 1)  # class 2 (factor 0) is copied exactly


def test_bandwidth_rules_exactly():
    X, y = _data(n0=50, n1=12, d=3)
    n, d = X.shape
    out = {}
    for bw in ("class", "imblearn"):
        s = RandomOversamplingSampler(shrinkage=2.0, bandwidth=bw, random_state=0)
        Xr, _ = s.fit_resample(X, y)
        out[bw] = Xr[n:] - X[s.sample_indices_[n:]]  # same rows, same normal draws: only the scale differs
    X1 = X[y == 1]
    h_class = silverman_factor(12, d) * np.std(X1, axis=0, ddof=1)
    h_imblearn = silverman_factor(n, d) * np.std(X1, axis=0)
    np.testing.assert_allclose(out["imblearn"] / out["class"], np.broadcast_to(h_imblearn / h_class, (38, d)),
                               rtol=1e-9)


def test_shrinkage_errors_and_sparse():
    X, y = _data()
    with pytest.raises(ValueError, match="shrinkage factor for each class"):
        RandomOversamplingSampler(shrinkage={0: 1.0}).fit_resample(X, y)
    Xs, _ = RandomOversamplingSampler(shrinkage=1.0, random_state=0).fit_resample(sparse.csr_matrix(X), y)
    assert sparse.isspmatrix_csr(Xs) and Xs.shape == (120, 2)


# ---------------------------------------------------------------------------------------------
# imbalanced-learn's rules where they differ from the papers'.


@pytest.mark.parametrize("rule, mean, var", [("paper", 1 / 4, 1 / 48), ("imblearn", 1 / 8, 1 / 36 - 1 / 64)])
def test_borderline2_majority_step(rule, mean, var):
    """Mean step towards a majority neighbour: U(0, 1/2) (mean 1/4) or U(0,1)·U(0,1/2) (mean 1/8).

    Tolerance 5 Monte Carlo standard errors of the mean over the majority-directed draws:
    false-failure rate below 6e-7 per case (normal approximation, thousands of draws).
    """
    X, y = _data(n0=60, n1=30, shift=0.5)
    X1, X0 = X[y == 1], X[y == 0]
    _, _, q, u, _ = borderline_smote_with_parents(jax.random.key(0), X1, X0, 20000, 5, 10, 2, "raise", rule)
    towards_majority = np.asarray(q) >= X1.shape[0]
    steps = np.asarray(u)[towards_majority]
    assert steps.size > 2000
    assert abs(steps.mean() - mean) < 5 * np.sqrt(var / steps.size)
    assert steps.max() <= 0.5


def test_adasyn_imblearn_rounding():
    X, y = _data(n0=60, n1=20, shift=1.0)
    n_new = 40
    nn = NearestNeighbors(n_neighbors=6).fit(X)
    X1 = X[y == 1]
    r = np.sum(y[nn.kneighbors(X1, return_distance=False)[:, 1:]] == 0, axis=1) / 5
    expected = int(np.rint(r / r.sum() * n_new).sum())
    assert expected != n_new  # this data tells the two rules apart
    _, y_res = ADASYNSampler(rounding="imblearn", random_state=0).fit_resample(X, y)
    assert np.sum(y_res == 1) - 20 == expected
    _, y_lr = ADASYNSampler(random_state=0).fit_resample(X, y)
    assert np.sum(y_lr == 1) - 20 == n_new
