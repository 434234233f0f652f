"""SMOTENSampler, SMOTETomekSampler and SMOTEENNSampler as imbalanced-learn drop-ins.

Exact checks: given the same imbalanced-learn ``SMOTE`` step, the combined samplers return
exactly imbalanced-learn's ``SMOTETomek`` / ``SMOTEENN`` output (rows and order); SMOTEN's
neighbour-estimator path equals its JAX path on tie-free data. Statistical checks (fixed
seeds, tolerances from the replicates' own Monte Carlo standard errors):

* SMOTEN against imbalanced-learn's ``SMOTEN``: per-(feature, category) frequency of the
  synthetic rows, 30 + 30 seeds, Welch t per cell, Bonferroni over the cells at family
  level 1e-3 (binary and 3-class data);
* SMOTETomek / SMOTEENN against imbalanced-learn's: rows removed per class, 40 + 40 seeds,
  Welch t per (sampler, class), Bonferroni over the 4 comparisons at family level 1e-3.

So each statistical test fails a correct implementation with probability below 1e-3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from imblearn.combine import SMOTEENN, SMOTETomek
from imblearn.over_sampling import SMOTE, SMOTEN
from imblearn.under_sampling import EditedNearestNeighbours, RandomUnderSampler, TomekLinks
from scipy import sparse, stats
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

from synthaug import SMOTEENNSampler, SMOTENSampler, SMOTESampler, SMOTETomekSampler

ALPHA = 1e-3
LETTERS = np.array(list("abcdefgh"), dtype=object)


def categorical(seed=0, n1=40, n0=120, d=4, m=4, classes=2):
    """String categories with class-dependent laws; class 1 is the smallest."""
    rng = np.random.default_rng(seed)
    laws = rng.dirichlet(np.ones(m), size=(classes, d))
    sizes = [n0 // (classes - 1)] * (classes - 1) + [n1]
    labels = [0, *range(2, classes), 1]
    X = np.vstack([np.stack([rng.choice(m, s, p=laws[c, f]) for f in range(d)], 1) for c, s in enumerate(sizes)])
    y = np.concatenate([np.full(s, labels[c]) for c, s in enumerate(sizes)])
    return LETTERS[X], y


def _frequencies(X_new, categories):
    return np.concatenate([[np.mean(X_new[:, f] == v) for v in categories[f]] for f in range(X_new.shape[1])])


@pytest.mark.parametrize("classes", [2, 3])
def test_smoten_agrees_with_imbalanced_learn_in_distribution(classes):
    X, y = categorical(classes=classes, n0=120 if classes == 2 else 160)
    n, reps = len(y), 30
    categories = [np.unique(X[:, f]) for f in range(X.shape[1])]
    cells = {}
    for name, make in (("synthaug", SMOTENSampler), ("imblearn", SMOTEN)):
        per_class = {}
        for s in range(reps):
            X_res, y_res = make(random_state=s).fit_resample(X, y)
            for c in np.unique(y_res[n:]):
                per_class.setdefault(c, []).append(_frequencies(X_res[n:][y_res[n:] == c], categories))
        cells[name] = {c: np.array(v) for c, v in per_class.items()}
    assert cells["synthaug"].keys() == cells["imblearn"].keys()
    tests = []
    for c in cells["synthaug"]:
        a, b = cells["synthaug"][c], cells["imblearn"][c]
        for j in range(a.shape[1]):
            if np.ptp(a[:, j]) == 0 and np.ptp(b[:, j]) == 0:  # a constant cell (e.g. a category never drawn)
                assert a[0, j] == b[0, j], (c, j)
            else:
                tests.append((c, j, stats.ttest_ind(a[:, j], b[:, j], equal_var=False).pvalue))
    worst = min(tests, key=lambda t: t[2])
    assert worst[2] > ALPHA / len(tests), worst


def test_smoten_neighbour_estimator_equals_the_jax_path():
    X, y = categorical()  # tie-free for k=5 (checked in tests/generators/test_smoten_cleaning.py)
    a = SMOTENSampler(random_state=0).fit_resample(X, y)[0]
    sampler = SMOTENSampler(k_neighbors=NearestNeighbors(n_neighbors=6), random_state=0)
    b = sampler.fit_resample(X, y)[0]
    np.testing.assert_array_equal(a, b)
    assert sampler.nn_k_.get_params()["metric"] == "precomputed" and hasattr(sampler.nn_k_, "n_samples_fit_")


def test_smoten_fitted_attributes_encoder_and_multiclass():
    X, y = categorical(classes=3, n0=160)
    sampler = SMOTENSampler(k_neighbors=3, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(sampler.categorical_encoder_, OrdinalEncoder)
    assert sampler.nn_k_.get_params()["n_neighbors"] == 4 and sampler.nn_k_.get_params()["metric"] == "precomputed"
    assert np.bincount(y_res).tolist() == [80, 80, 80] and dict(sampler.sampling_strategy_) == {1: 40, 2: 0}
    for c in (1,):
        new = X_res[len(y):][y_res[len(y):] == c]
        for f in range(X.shape[1]):
            assert set(new[:, f]) <= set(X[y == c, f])  # values seen in the class
    enc = OrdinalEncoder(dtype=np.int64)
    sampler.set_params(categorical_encoder=enc).fit_resample(X, y)
    assert sampler.categorical_encoder_ is not enc and sampler.categorical_encoder_.dtype == np.int64


def test_smoten_pandas_round_trip_keeps_dtypes():
    X, y = categorical()
    df = pd.DataFrame({"cat": pd.Categorical(X[:, 0]), "str": X[:, 1].astype(str), "obj": X[:, 2],
                       "num": np.unique(X[:, 3], return_inverse=True)[1]})
    X_res, y_res = SMOTENSampler(random_state=0).fit_resample(df, pd.Series(y, name="target"))
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series) and y_res.name == "target"
    assert X_res.dtypes.to_dict() == df.dtypes.to_dict()
    assert list(X_res["cat"].cat.categories) == list(df["cat"].cat.categories)
    pd.testing.assert_frame_equal(X_res.iloc[: len(df)].reset_index(drop=True), df.reset_index(drop=True))
    assert set(X_res["num"]) <= set(df["num"]) and len(X_res) == 240


def test_smoten_sparse_round_trip():
    X, y = categorical()
    Xs = sparse.csr_matrix(OneHotEncoder().fit_transform(X).toarray())
    with pytest.warns(Warning, match="not really efficient"):
        X_res, y_res = SMOTENSampler(random_state=0).fit_resample(Xs, y)
    assert sparse.issparse(X_res) and X_res.format == "csr" and X_res.shape[0] == len(y_res) == 240


def test_smoten_bad_input_names_the_parameter():
    X, y = categorical()
    with pytest.raises(ValueError, match="k_neighbors"):
        SMOTENSampler(k_neighbors=40).fit_resample(X, y)
    with pytest.raises(ValueError, match="k_neighbors"):
        SMOTENSampler(k_neighbors=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="categorical_encoder"):
        SMOTENSampler(categorical_encoder=OneHotEncoder()).fit_resample(X, y)
    with pytest.raises(ValueError, match="categorical_encoder"):
        SMOTENSampler(categorical_encoder="ordinal").fit_resample(X, y)
    Xm = X.copy()
    Xm[3, 1] = None
    with pytest.raises(ValueError, match="missing values"):
        SMOTENSampler().fit_resample(Xm, y)
    Xf = np.unique(X, return_inverse=True)[1].reshape(X.shape).astype(float)
    Xf[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SMOTENSampler().fit_resample(Xf, y)


# ----------------------------------------------------------------------------------- combined

def gaussian(seed=0, sizes=(150, 50), d=2):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(m, d)) + c for c, m in enumerate(sizes)])
    return X, np.concatenate([np.full(m, c) for c, m in enumerate(sizes)])


@pytest.mark.parametrize("cleaner", [
    None,
    TomekLinks(sampling_strategy="auto"),
    TomekLinks(sampling_strategy="majority"),
    EditedNearestNeighbours(),
    EditedNearestNeighbours(sampling_strategy="all", n_neighbors=5, kind_sel="mode"),
    EditedNearestNeighbours(sampling_strategy="all", n_neighbors=NearestNeighbors(n_neighbors=4)),
], ids=["tomek-default", "tomek-auto", "tomek-majority", "enn-auto", "enn-5-mode", "enn-nn-object"])
@pytest.mark.parametrize("sizes", [(150, 50), (120, 60, 30)], ids=["binary", "3-class"])
def test_given_the_same_smote_step_the_output_is_imbalanced_learns(cleaner, sizes):
    X, y = gaussian(sizes=sizes)
    is_enn = cleaner is not None and "Edited" in type(cleaner).__name__
    ours_cls, theirs_cls, param = (SMOTEENNSampler, SMOTEENN, "enn") if is_enn else (SMOTETomekSampler, SMOTETomek,
                                                                                     "tomek")
    kw = {param: cleaner}
    ours = ours_cls(smote=SMOTE(random_state=0), **kw)
    X_a, y_a = ours.fit_resample(X, y)
    X_b, y_b = theirs_cls(smote=SMOTE(random_state=0), **kw).fit_resample(X, y)
    np.testing.assert_array_equal(y_a, y_b)
    np.testing.assert_allclose(X_a, X_b, rtol=0, atol=0)
    assert len(y_a) < len(y) + sum(max(sizes) - m for m in sizes)  # rows were removed
    cleaned = getattr(ours, param + "_")
    assert cleaned is not cleaner and type(cleaned).__name__ in ("TomekLinks", "EditedNearestNeighbours")
    if cleaner is None:
        assert cleaned.sampling_strategy == "all"


def test_defaults_fitted_attributes_and_real_rows_removed():
    X, y = gaussian()
    for cls, attr, default in ((SMOTETomekSampler, "tomek_", TomekLinks), (SMOTEENNSampler, "enn_",
                                                                           EditedNearestNeighbours)):
        sampler = cls(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert isinstance(sampler.smote_, SMOTESampler) and sampler.smote_.random_state == 0
        assert type(getattr(sampler, attr)) is default and getattr(sampler, attr).sampling_strategy == "all"
        assert dict(sampler.sampling_strategy_) == {1: 100}
        real = {tuple(r) for r in X}
        kept_real = sum(tuple(r) in real for r in X_res)
        assert kept_real < len(X)  # the cleaning removed real rows too (imbalanced-learn's contract)
        assert np.bincount(y_res)[0] < 150


def test_removed_counts_agree_with_imbalanced_learn_in_distribution():
    X, y = gaussian(seed=1)
    reps, tests = 40, []
    for ours_cls, theirs_cls in ((SMOTETomekSampler, SMOTETomek), (SMOTEENNSampler, SMOTEENN)):
        removed = {}
        for name, cls in (("synthaug", ours_cls), ("imblearn", theirs_cls)):
            counts = []
            for s in range(reps):
                _, y_res = cls(random_state=s).fit_resample(X, y)
                counts.append(np.array([150, 150]) - np.bincount(y_res, minlength=2))  # 150 + 0, 50 + 100 before
            removed[name] = np.array(counts)
        for c in (0, 1):
            p = stats.ttest_ind(removed["synthaug"][:, c], removed["imblearn"][:, c], equal_var=False).pvalue
            tests.append((ours_cls.__name__, c, removed["synthaug"][:, c].mean(), removed["imblearn"][:, c].mean(), p))
    worst = min(tests, key=lambda t: t[-1])
    assert worst[-1] > ALPHA / len(tests), worst


def test_pandas_and_sparse_round_trips():
    X, y = gaussian()
    df = pd.DataFrame(X, columns=["a", "b"])
    for cls in (SMOTETomekSampler, SMOTEENNSampler):
        X_res, y_res = cls(random_state=0).fit_resample(df, pd.Series(y, name="t"))
        X_np, y_np = cls(random_state=0).fit_resample(X, y)
        assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["a", "b"] and y_res.name == "t"
        np.testing.assert_array_equal(X_res.to_numpy(), X_np)
        X_sp, y_sp = cls(random_state=0).fit_resample(sparse.csr_matrix(X), y)
        assert sparse.issparse(X_sp) and X_sp.format == "csr"
        np.testing.assert_array_equal(X_sp.toarray(), X_np)
        np.testing.assert_array_equal(y_sp, y_np)


def test_other_smote_and_cleaning_objects():
    from synthaug import BorderlineSMOTESampler

    X, y = gaussian()
    sampler = SMOTETomekSampler(smote=BorderlineSMOTESampler(random_state=0), tomek=RandomUnderSampler(random_state=0))
    X_res, y_res = sampler.fit_resample(X, y)  # any fit_resample object is delegated to
    assert np.bincount(y_res).tolist() == [np.bincount(y_res)[0]] * 2
    assert isinstance(sampler.smote_, BorderlineSMOTESampler)


def test_combined_bad_input_names_the_parameter():
    X, y = gaussian()
    with pytest.raises(ValueError, match="smote"):
        SMOTETomekSampler(smote="smote").fit_resample(X, y)
    with pytest.raises(ValueError, match="enn"):
        SMOTEENNSampler(enn=3).fit_resample(X, y)
    with pytest.raises(ValueError, match="sampling_strategy"):
        SMOTEENNSampler(sampling_strategy="most").fit_resample(X, y)
    with pytest.raises(ValueError, match="kind_sel"):
        SMOTEENNSampler(enn=EditedNearestNeighbours(kind_sel="any")).fit_resample(X, y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError):
        SMOTETomekSampler().fit_resample(Xn, y)
