"""scikit-learn conformance and behaviour of BiasCorrectedClassifier."""

from __future__ import annotations

import numpy as np
import pytest

from synthaug.estimators.bias_corrected import BiasCorrectedClassifier

_SMALL_MINORITY = ("the check's minority class has fewer than the 6 rows SMOTE(k=5) needs, so the "
                   "generator (and imbalanced-learn's SMOTE alike) cannot run; the fit raises a clear ValueError")
EXPECTED_FAILED = {
    "check_n_features_in_after_fitting": _SMALL_MINORITY,
    "check_fit2d_1feature": _SMALL_MINORITY,
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED




def _imbalanced(seed=0, n0=300, n1=30, d=3):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n0, d)), rng.normal(size=(n1, d)) + np.r_[1.5, np.zeros(d - 1)]])
    return X, np.r_[np.zeros(n0), np.ones(n1)]


@pytest.mark.parametrize("labels", [("cat", "dog"), (5, -1)])
def test_any_two_labels_and_minority_orientation(labels):
    X, y01 = _imbalanced()
    y = np.where(y01 == 1, labels[0], labels[1])  # minority gets the first label
    clf = BiasCorrectedClassifier(random_state=1).fit(X, y)
    assert clf.minority_class_ == labels[0]
    assert set(clf.classes_) == set(labels)
    p = clf.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(1), 1)
    # Columns follow classes_; the minority has higher probability on its own rows on average.
    col = list(clf.classes_).index(labels[0])
    assert p[y01 == 1, col].mean() > p[y01 == 0, col].mean()
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(clf.decision_function(X) > 0).astype(int)])
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), p, rtol=1e-12)


def test_reproducible_and_correction_changes_fit():
    X, y = _imbalanced(2)
    a = BiasCorrectedClassifier(random_state=3).fit(X, y)
    b = BiasCorrectedClassifier(random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    naive = np.asarray(a.fit_result_.theta_naive)
    assert np.linalg.norm(np.r_[a.coef_[0], a.intercept_] - naive) > 1e-4


def test_classifier_bad_input():
    X, y = _imbalanced(3)
    with pytest.raises(ValueError, match="binary"):
        BiasCorrectedClassifier().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ValueError, match="n_synthetic"):
        BiasCorrectedClassifier(n_synthetic="lots").fit(X, y)
    with pytest.raises(ValueError, match="correction"):
        BiasCorrectedClassifier(correction="zero-step").fit(X, y)
    with pytest.raises(ValueError, match="unknown generator"):
        BiasCorrectedClassifier(generator="vae").fit(X, y)


def test_top_level_export():
    import synthaug

    assert synthaug.BiasCorrectedClassifier is BiasCorrectedClassifier


def test_digits_study_helpers():
    """The digits study's splits are balanced on the test side and its AUC matches scikit-learn's."""
    import jax.numpy as jnp
    from sklearn.metrics import roc_auc_score

    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parents[2] / "paper" / "studies" / "digits_bias_study.py"
    spec = importlib.util.spec_from_file_location("digits_bias_study", path)
    ds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ds)

    data = ds.make_splits(8, 50, 2, 0)
    assert data["X0"].shape == (2, ds.N0, ds.N_PCA) and data["X1"].shape == (2, ds.N0 // 50, ds.N_PCA)
    assert data["yt"].shape == (2, 2 * ds.N_TEST) and data["yt"][0].sum() == ds.N_TEST
    theta = np.random.default_rng(0).normal(size=(3, ds.N_PCA + 1))
    bacc, auc, bll = ds._metrics(jnp.asarray(theta), jnp.asarray(data["Xt"][0]), jnp.asarray(data["yt"][0]))
    s = np.c_[data["Xt"][0], np.ones(2 * ds.N_TEST)] @ theta.T
    for j in range(3):
        np.testing.assert_allclose(float(auc[j]), roc_auc_score(data["yt"][0], s[:, j]), rtol=1e-12)
        assert 0 <= float(bacc[j]) <= 1 and float(bll[j]) > 0
