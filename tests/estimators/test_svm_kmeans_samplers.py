"""SVMSMOTESampler and KMeansSMOTESampler: the imbalanced-learn facade, and agreement with imbalanced-learn.

**Many-seed agreement.** Where synthaug's sampler and imbalanced-learn's are meant to draw from
the same law (same SVM or clustering, same neighbour rules, same step laws), the synthetic rows'
per-feature means and variances, averaged over many ``random_state`` values, must agree within
Monte Carlo error: for each statistic, ``z = (mean_a - mean_b) / sqrt(se_a**2 + se_b**2)`` (SEs
from the spread over seeds, normal approximation over 100+ seeds) must satisfy ``|z| < 4.71``,
the two-sided Bonferroni bound at family level 1e-5 over the 2 features x 2 statistics
(``norm.isf(1e-5 / 8)``): the false-failure rate is below 1e-5. Where the methods differ by
design, the difference is asserted.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import KMeansSMOTE, SVMSMOTE
from scipy.stats import norm
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import SVC

from synthaug import KMeansSMOTESampler, SMOTESampler, SVMSMOTESampler
from synthaug.generators.kmeans_smote import NoValidClusterError, cluster_weights

Z_FAMILY = norm.isf(1e-5 / 8)  # 4.71: Bonferroni over 2 features x {mean, variance}, family level 1e-5


def _overlap(seed=0, scale=1.0, shift=1.0):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(size=(90, 2)), rng.normal(size=(30, 2)) * scale + shift]
    return X, np.r_[np.zeros(90, int), np.ones(30, int)]


def _mirror(spread_b=1.0, n_b=20):
    """Two minority clusters (A near (0, 0), B near (16, 0)) with some majority rows each, and a majority
    cluster near (8, 12). With ``spread_b=1, n_b=20`` B is A translated by an integer, on a 1/8 grid, so the
    two have bit-identical sparsities (weights exactly 1/2, and imbalanced-learn's ceil is exact)."""
    rng = np.random.default_rng(11)
    a = rng.integers(-8, 9, size=(20, 2)) / 8.0
    b = (a[:n_b] if n_b <= 20 else rng.integers(-8, 9, size=(n_b, 2)) / 8.0) * spread_b
    maj = rng.integers(-8, 9, size=(6, 2)) / 8.0
    shift = np.array([16.0, 0.0])
    X = np.r_[rng.normal(size=(60, 2)) + np.array([8.0, 12.0]), a, maj, b + shift, maj * spread_b + shift]
    y = np.r_[np.zeros(60, int), np.ones(20, int), np.zeros(6, int), np.ones(len(b), int), np.zeros(6, int)]
    return X, y


def _per_seed_stats(make, X, y, seeds):
    """(seeds, 4) per-seed means and variances of the synthetic rows' two features."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in seeds:
            Xr, _ = make(s).fit_resample(X, y)
            Z = np.asarray(Xr)[len(X):]
            out.append(np.r_[Z.mean(axis=0), Z.var(axis=0, ddof=1)])
    return np.array(out)


def _z(a, b):
    return (a.mean(0) - b.mean(0)) / np.sqrt(a.var(0, ddof=1) / len(a) + b.var(0, ddof=1) / len(b))


# --------------------------------------------------------------------------- SVM-SMOTE


def test_svm_smote_agrees_with_imblearn_over_seeds():
    X, y = _overlap()
    seeds = range(100)
    ours = _per_seed_stats(lambda s: SVMSMOTESampler(random_state=s), X, y, seeds)
    theirs = _per_seed_stats(lambda s: SVMSMOTE(random_state=s), X, y, seeds)
    z = _z(ours, theirs)
    assert np.all(np.abs(z) < Z_FAMILY), z


def test_svm_smote_exact_size_differs_from_imblearn_by_design():
    # minority inside the majority cloud: no safe support vector. imbalanced-learn then adds only the
    # danger share floor(f (n + 1)) < n; synthaug adds the n rows asked for, all by interpolation.
    X, y = _overlap(scale=0.6, shift=0.0)
    s = SVMSMOTESampler(random_state=0)
    Xr, yr = s.fit_resample(X, y)
    assert np.bincount(yr).tolist() == [90, 90] and s.sampling_strategy_[1] == 60
    Xi, yi = SVMSMOTE(random_state=0).fit_resample(X, y)
    assert np.bincount(yi)[1] < 90


def test_svm_smote_fitted_attributes_and_neighbour_objects():
    X, y = _overlap()
    a = SVMSMOTESampler(random_state=3)
    Xa, ya = a.fit_resample(X, y)
    assert a.nn_k_.n_neighbors == 6 and a.nn_m_.n_neighbors == 11
    assert isinstance(a.svm_estimator_, SVC) and a.svm_estimator_.support_.size > 0
    assert dict(a.sampling_strategy_) == {1: 60}
    b = SVMSMOTESampler(random_state=3, k_neighbors=NearestNeighbors(n_neighbors=6),
                        m_neighbors=NearestNeighbors(n_neighbors=11), svm_estimator=SVC(gamma="scale"))
    Xb, _ = b.fit_resample(X, y)
    np.testing.assert_allclose(Xa, Xb)  # same tables, same key: the same rows
    assert hasattr(b.nn_k_, "n_samples_fit_")  # the estimators were fitted on the host


def test_svm_smote_uniform_split_and_pandas():
    X, y = _overlap()
    Xd = pd.DataFrame(X, columns=["a", "b"])
    Xr, yr = SVMSMOTESampler(split="uniform", n_synthetic=9, random_state=0).fit_resample(Xd, pd.Series(y, name="t"))
    assert isinstance(Xr, pd.DataFrame) and list(Xr.columns) == ["a", "b"] and yr.name == "t"
    assert len(Xr) == 129


def test_svm_smote_all_noise_raises_or_skips():
    rng = np.random.default_rng(2)
    # 3 minority rows scattered far inside a large majority: every support vector is noise
    X = np.r_[rng.normal(size=(200, 2)), rng.normal(size=(6, 2)) * 0.01 + np.array([[0.3, 0.2]])]
    X[-6:] = X[rng.choice(200, 6, replace=False)] + 1e-3
    y = np.r_[np.zeros(200, int), np.ones(6, int)]
    with pytest.raises(ValueError, match="SVM-SMOTE is not adapted"):
        SVMSMOTESampler(k_neighbors=3, random_state=0).fit_resample(X, y)
    s = SVMSMOTESampler(k_neighbors=3, fallback="skip", random_state=0)
    with pytest.warns(UserWarning, match="gets no synthetic rows"):
        Xr, yr = s.fit_resample(X, y)
    assert len(Xr) == len(X) and s.sampling_strategy_[1] == 0
    Xr, yr = SVMSMOTESampler(k_neighbors=3, fallback="smote", n_synthetic=5, random_state=0).fit_resample(X, y)
    assert len(Xr) == len(X) + 5


def test_svm_smote_bad_input():
    X, y = _overlap()
    with pytest.raises(RuntimeError, match="support_"):
        SVMSMOTESampler(svm_estimator=LogisticRegression()).fit_resample(X, y)
    for params, word in ((dict(out_step=-1.0), "out_step"), (dict(split="half"), "split"),
                         (dict(k_neighbors=0), "k_neighbors"), (dict(fallback="x"), "fallback"),
                         (dict(svm_estimator="svc"), "svm_estimator")):
        with pytest.raises(ValueError, match=word):
            SVMSMOTESampler(**params).fit_resample(X, y)
    with pytest.raises(ValueError, match="k_neighbors=40"):
        SVMSMOTESampler(k_neighbors=40, random_state=0).fit_resample(X, y)


# --------------------------------------------------------------------------- KMeans-SMOTE


def test_kmeans_smote_agrees_with_imblearn_over_seeds():
    # the same (host) clustering for both; imbalanced-learn's row-count exponent; weights exactly 1/2
    X, y = _mirror()
    km = KMeans(n_clusters=3, n_init=1, random_state=0)
    assert len({(p, q) for p, q in zip(km.fit_predict(X), np.repeat([0, 1, 1, 2, 2], [60, 20, 6, 20, 6]))}) == 3
    seeds = range(100)
    ours = _per_seed_stats(lambda s: KMeansSMOTESampler(kmeans_estimator=km, auto_exponent="imblearn",
                                                        random_state=s), X, y, seeds)
    theirs = _per_seed_stats(lambda s: KMeansSMOTE(kmeans_estimator=km, random_state=s), X, y, seeds)
    z = _z(ours, theirs)
    assert np.all(np.abs(z) < Z_FAMILY), z


def test_kmeans_smote_auto_exponent_differs_from_imblearn_by_design():
    # B sparser and smaller than A: the feature-based exponent (synthaug's default) and imbalanced-learn's
    # row-count exponent weigh the two clusters differently, so the rows' share in B differs
    X, y = _mirror(spread_b=3.0, n_b=12)
    km = KMeans(n_clusters=3, n_init=1, random_state=0)
    labels = km.fit_predict(X)
    m1 = y == 1
    sizes = np.bincount(labels, minlength=3)
    weights = {rule: np.asarray(cluster_weights(X[m1], labels[m1], sizes, 2, 0.5, None, rule)[1])
               for rule in ("features", "imblearn")}
    b = labels[np.flatnonzero(m1)[-1]]  # B's cluster
    n = 72 - 32  # majority 60 + 6 + 6 rows, minority 20 + 12
    in_b = {}
    for name, sampler in (("features", KMeansSMOTESampler(kmeans_estimator=km, random_state=0)),
                          ("imblearn", KMeansSMOTESampler(kmeans_estimator=km, auto_exponent="imblearn",
                                                          random_state=0)),
                          ("theirs", KMeansSMOTE(kmeans_estimator=km, random_state=0))):
        Xr, yr = sampler.fit_resample(X, y)
        in_b[name] = int(np.sum(Xr[len(X):, 0] > 8))
    # largest remainder vs imbalanced-learn's ceil: within one row
    assert abs(in_b["imblearn"] - np.ceil(n * weights["imblearn"][b])) <= 1
    assert in_b["theirs"] == np.ceil(n * weights["imblearn"][b])
    assert abs(in_b["features"] - n * weights["features"][b]) < 1
    assert abs(weights["features"][b] - weights["imblearn"][b]) > 0.2  # a real difference, not rounding
    assert abs(in_b["features"] - in_b["theirs"]) > 10


def test_kmeans_smote_one_cluster_is_smote():
    X, y = _overlap()
    a = KMeansSMOTESampler(kmeans_estimator=1, cluster_balance_threshold=0.0, k_neighbors=5, random_state=42)
    Xa, _ = a.fit_resample(X, y)
    Xs, _ = SMOTESampler(random_state=42).fit_resample(X, y)
    np.testing.assert_array_equal(Xa, Xs)
    assert a.cluster_balance_threshold_ == -np.inf and a.kmeans_estimator_.n_clusters == 1
    assert "batch_size" in a.kmeans_estimator_.get_params()  # imbalanced-learn's MiniBatchKMeans configuration


def test_kmeans_smote_jax_clustering_and_neighbour_object():
    X, y = _mirror()
    X = X + np.random.default_rng(1).normal(size=X.shape) * 1e-3  # off the 1/8 grid: no distance ties
    a = KMeansSMOTESampler(kmeans_estimator=3, random_state=0)
    Xa, _ = a.fit_resample(X, y)
    assert len(set(a.labels_.tolist())) == 3 and a.nn_k_.n_neighbors == 3
    assert a.cluster_balance_threshold_ == "auto"
    b = KMeansSMOTESampler(kmeans_estimator=3, k_neighbors=NearestNeighbors(n_neighbors=3), random_state=0)
    Xb, _ = b.fit_resample(X, y)
    np.testing.assert_allclose(Xa, Xb)  # host neighbour tables = the JAX within-cluster search
    # the JAX k-means recovers the three separated groups (same partition as scikit-learn's KMeans)
    ref = KMeans(n_clusters=3, n_init=1, random_state=0).fit_predict(X)
    assert len({(p, q) for p, q in zip(a.labels_, ref)}) == 3


def test_kmeans_smote_multiclass_auto_threshold():
    rng = np.random.default_rng(4)
    X = np.r_[rng.normal(size=(80, 2)), rng.normal(size=(20, 2)) * 0.5 + 6, rng.normal(size=(30, 2)) * 0.5 - 6]
    y = np.r_[np.zeros(80, int), np.ones(20, int), np.full(30, 2)]
    s = KMeansSMOTESampler(kmeans_estimator=4, random_state=0)
    Xr, yr = s.fit_resample(X, y)
    assert np.bincount(yr).tolist() == [80, 80, 80]  # each class's threshold: its share (60/110, 50/110) / 2


def test_kmeans_smote_no_cluster_and_bad_input():
    X, y = _overlap()
    with pytest.raises(RuntimeError, match="no cluster"):
        KMeansSMOTESampler(cluster_balance_threshold=10, random_state=0).fit_resample(X, y)
    with pytest.warns(UserWarning, match="gets no synthetic rows"):
        KMeansSMOTESampler(cluster_balance_threshold=10, fallback="skip", random_state=0).fit_resample(X, y)
    Xr, _ = KMeansSMOTESampler(cluster_balance_threshold=10, fallback="smote", random_state=0).fit_resample(X, y)
    assert len(Xr) == 180
    with pytest.raises(NoValidClusterError, match="k_neighbors=40"):
        KMeansSMOTESampler(k_neighbors=40).fit_resample(X, y)
    for params, word in ((dict(kmeans_estimator="kmeans"), "kmeans_estimator"),
                         (dict(kmeans_estimator=0), "kmeans_estimator"),
                         (dict(cluster_balance_threshold="high"), "cluster_balance_threshold"),
                         (dict(density_exponent="x"), "density_exponent"),
                         (dict(auto_exponent="rows"), "auto_exponent"), (dict(k_neighbors=0), "k_neighbors"),
                         (dict(n_synthetic=-1), "n_synthetic")):
        with pytest.raises(ValueError, match=word):
            KMeansSMOTESampler(**params).fit_resample(X, y)
