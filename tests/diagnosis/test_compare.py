"""Several generators on one pilot and one set of folds (synthaug.diagnosis.compare, ``--generator a,b``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthaug.diagnosis.compare import GeneratorComparison, compare_generators
from synthaug.diagnosis.html import write_html_report

KW = dict(gammas=[0.5, 1.0, 1.5], folds=3, crossfit_folds=2, fidelity=False, progress=False, seed=4)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    X = np.r_[rng.normal(size=(70, 3)), rng.normal(size=(25, 3)) * 0.7 + [1.0, 0.5, 0.0]]
    y = np.r_[np.zeros(70, int), np.ones(25, int)]
    return X, y


@pytest.fixture(scope="module")
def comparison(data):
    return compare_generators(*data, ["smote", "jitter", "gaussian"], **KW)


def test_generators_share_the_pilot_and_the_folds(comparison):
    ds = comparison.diagnoses
    assert comparison.paired
    # the same pilot: the test does not depend on the generator
    assert len({d.t_sym for d in ds}) == 1 and len({d.df for d in ds}) == 1
    # the same folds: raw ERM (no synthetic row) has the same fold-wise losses for every generator
    raws = [d.cv_losses[:, list(d.cv_sizes).index(0)] for d in ds]
    for r in raws[1:]:
        np.testing.assert_array_equal(r, raws[0])


def test_ranking_is_the_selected_cv_loss_paired_against_the_best(comparison):
    rk = comparison.ranking
    assert [r["cv_loss"] for r in rk] == sorted(r["cv_loss"] for r in rk)
    assert rk[0]["diff_vs_best"] == 0.0
    best = comparison.best
    Lb = best.cv_losses[:, list(best.cv_sizes).index(best.selected_size)]
    for r in rk:
        d = next(x for x in comparison.diagnoses if x.generator == r["generator"])
        L = d.cv_losses[:, list(d.cv_sizes).index(d.selected_size)]
        assert r["cv_loss"] == pytest.approx(L.mean(), rel=1e-12)
        assert r["cv_loss"] == pytest.approx(next(c["loss"] for c in d.curve if c["n_synthetic"] == d.selected_size),
                                             rel=1e-12)
        assert r["diff_vs_best"] == pytest.approx((L - Lb).mean(), abs=1e-15)
        assert r["se_diff_vs_best"] == pytest.approx((L - Lb).std(ddof=1) / np.sqrt(L.size), abs=1e-15)
    assert comparison.recommendation().startswith(f"Use {rk[0]['generator']}")


def test_outputs(comparison, tmp_path):
    d = json.loads(comparison.to_json(tmp_path / "c.json"))
    assert d["paired"] and [r["generator"] for r in d["ranking"]] == [r["generator"] for r in comparison.ranking]
    assert len(d["diagnoses"]) == 3 and all("cv_losses" not in x for x in d["diagnoses"])
    text = comparison.summary()
    assert "Generators compared on the same pilot and folds" in text and "Best generator's diagnosis" in text
    page = open(write_html_report(comparison, tmp_path / "c.html", figure=False), encoding="utf-8").read()
    assert "Ranking" in page and all(r["generator"] in page for r in comparison.ranking)
    fig = comparison.plot(data_name="toy")
    assert len(fig.axes) == 1


def test_bad_arguments(data):
    X, y = data
    with pytest.raises(ValueError, match="at least two generators"):
        compare_generators(X, y, ["smote"], **KW)
    with pytest.raises(ValueError, match="may appear once"):
        compare_generators(X, y, ["smote", "smote"], **KW)
    with pytest.raises(ValueError, match="generators="):
        compare_generators(X, y, ["smote", "jitter"], generator="smote", **KW)
    with pytest.raises(ValueError, match="generator 'nope'"):
        compare_generators(X, y, "smote,nope", **KW)
    assert isinstance(compare_generators(X, y, "smote, jitter", **KW), GeneratorComparison)
