"""Cross-validated comparison of the bias-corrected estimators (synthaug.bias_correction.crossval) and `synthaug bias-correct`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

import synthaug  # noqa: F401
from synthaug.bias_correction.crossval import METRICS, _metrics, crossvalidate_bias_correction
from synthaug.bias_correction import COMPARE_METHODS
from synthaug.cli import main
from synthaug.generators import make_generator

N0, N1, FOLDS, REPEATS = 240, 30, 3, 2


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(N0, 3)), rng.normal(size=(N1, 3)) + [1.5, 0.0, 0.0]])
    y = np.r_[np.zeros(N0, int), np.ones(N1, int)]
    return pd.DataFrame(X, columns=["a", "b", "c"]), pd.Series(y, name="label")


@pytest.fixture(scope="module")
def result():
    X, y = _data()
    return crossvalidate_bias_correction(X, y, generator="smote", folds=FOLDS, repeats=REPEATS, seed=3)


def test_metrics_agree_with_scikit_learn():
    rng = np.random.default_rng(1)
    V0, V1 = rng.normal(size=(40, 3)), rng.normal(size=(25, 3)) + 0.7
    theta = np.array([0.8, -0.3, 0.2, -0.1])
    ll, ba, auc = _metrics(theta, V0, V1)
    z = np.r_[V0 @ theta[:-1], V1 @ theta[:-1]] + theta[-1]
    y = np.r_[np.zeros(40), np.ones(25)]
    assert ba == pytest.approx(balanced_accuracy_score(y, z > 0))
    assert auc == pytest.approx(roc_auc_score(y, z))
    p = 1 / (1 + np.exp(-z))
    expected = 0.5 * np.mean(-np.log(1 - p[:40])) + 0.5 * np.mean(-np.log(p[40:]))
    assert ll == pytest.approx(expected, rel=1e-12)


def test_result_structure_and_serialisation(result, tmp_path):
    F = FOLDS * REPEATS
    assert result.methods == tuple(COMPARE_METHODS)
    for m in METRICS:
        assert result.per_fold[m].shape == (F, len(COMPARE_METHODS))
        assert np.all(np.isfinite(result.per_fold[m]))
    assert result.theta.shape == (len(COMPARE_METHODS), 4)
    assert result.step_ratio.shape == (F,)
    # ñ is the class gap of one training fold (gamma = 1)
    assert result.n_synthetic == (N0 - N0 // FOLDS) - (N1 - N1 // FOLDS)
    # paired difference of a method with itself is zero; against naive it is the per-fold difference
    d, s = result.paired("auc", "naive")
    assert d[COMPARE_METHODS.index("naive")] == 0.0 and s[COMPARE_METHODS.index("naive")] == 0.0
    path = tmp_path / "bc.json"
    result.to_json(path)
    loaded = json.loads(path.read_text())
    assert set(loaded["summary"]) == set(METRICS)
    assert loaded["theta"]["raw"].keys() == {"a", "b", "c", "intercept"}
    text = result.summary()
    assert "bc-onestep" in text and "naive" in text
    import matplotlib

    matplotlib.use("Agg")
    fig = result.plot(data_name="toy")
    assert len(fig.axes) == 2 * len(METRICS)
    assert fig._suptitle.get_text().startswith("toy: bias correction with")
    top = fig.axes[:len(METRICS)]
    assert all(ax.get_title().endswith("method minus naive") for ax in top)
    for ax, metric in zip(top, METRICS):  # the points are the paired differences, naive's is 0
        mean, _ = result.paired(metric, "naive")
        ys = [float(np.ravel(c.get_children()[0].get_ydata())[0]) for c in ax.containers]
        np.testing.assert_allclose(ys, mean, rtol=1e-12, atol=1e-15)


def test_raw_differs_from_balanced_methods_where_it_should(result):
    # The raw fit ignores the imbalance: its balanced accuracy is below that of reweighting on this design
    # (class ratio 8, shift 1.5): a structural property of the estimators, not a tuning outcome.
    ba = result.per_fold["balanced_accuracy"]
    diff = ba[:, COMPARE_METHODS.index("reweight")] - ba[:, COMPARE_METHODS.index("raw")]
    assert diff.mean() > 2 * diff.std(ddof=1) / np.sqrt(len(diff))


def test_deterministic_under_seed(result):
    X, y = _data()
    again = crossvalidate_bias_correction(X, y, generator="smote", folds=FOLDS, repeats=REPEATS, seed=3)
    for m in METRICS:
        np.testing.assert_array_equal(again.per_fold[m], result.per_fold[m])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(gamma=0.0), "gamma"),
        (dict(gamma=float("nan")), "gamma"),
        (dict(ridge=-1.0), "ridge"),
        (dict(generator=3), "generator"),
        (dict(generator="no-such-generator"), "unknown generator"),
        (dict(generator=make_generator("smote"), generator_params={"k": 3}), "generator_params"),
        (dict(folds=1), "folds"),
    ],
)
def test_bad_arguments(kwargs, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        crossvalidate_bias_correction(X, y, **kwargs)


def test_too_small_majority_is_a_clear_error():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(90, 2))
    y = np.r_[np.zeros(55, int), np.ones(35, int)]
    with pytest.raises(ValueError, match="majority rows"):
        crossvalidate_bias_correction(X, y, folds=5)


def test_cli_bias_correct(tmp_path, capsys):
    X, y = _data()
    csv = tmp_path / "data.csv"
    pd.concat([X, y], axis=1).to_csv(csv, index=False)
    out = tmp_path / "bc.json"
    rc = main(["bias-correct", str(csv), "--target", "label", "--folds", str(FOLDS), "--repeats", str(REPEATS),
               "--seed", "3", "--json", str(out)])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "Bias correction, cross-validated" in printed and "bc-onestep" in printed
    loaded = json.loads(out.read_text())
    assert loaded["folds"] == FOLDS and loaded["repeats"] == REPEATS


@pytest.mark.parametrize(
    "argv, match",
    [
        (["bias-correct"], "CSV file"),
        (["bias-correct", "--dataset", "breast-cancer"], "majority rows"),
        (["bias-correct", "--dataset", "breast-cancer-rare", "--gamma", "-1"], "gamma"),
        (["bias-correct", "--dataset", "breast-cancer-rare", "--json", "x.txt"], "should end in .json"),
    ],
)
def test_cli_bias_correct_errors_are_one_line(argv, match, capsys):
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2
    assert match in err and err.count("\n") == 1 and "Traceback" not in err
