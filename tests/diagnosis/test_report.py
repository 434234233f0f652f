"""The diagnosis report and figure: recommendation in words, edge of the grid, paired-difference panel."""

import json

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from synthaug import diagnose  # noqa: E402


@pytest.fixture(scope="module")
def diagnosis():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(150, 2)), rng.normal(size=(30, 2)) + [1.0, 0.0]]
    y = np.r_[np.zeros(150), np.ones(30)]
    return diagnose(X, y, folds=3, seed=0, fidelity=False, progress=False)


def test_recommendation_in_summary_and_json(diagnosis):
    d = diagnosis
    rec = d.recommendation()
    assert rec.startswith(f"Add {d.selected_size} synthetic") or rec.startswith("Do not augment")
    assert ("edge of the candidate grid" in rec) == d.selected_at_edge
    assert d.selected_at_edge == (d.selected_size in (max(d.candidates), min(d.candidates) or -1))
    assert "Recommendation: " + rec in d.summary()
    out = json.loads(d.to_json())
    assert out["recommendation"] == rec and out["selected_at_edge"] == d.selected_at_edge


def test_figure_names_data_and_shows_paired_difference(diagnosis):
    fig = diagnosis.plot(data_name="toy")
    assert fig._suptitle.get_text().startswith("toy: TG-VTSS with generator smote and model logistic")
    axes = fig.get_axes()
    assert len(axes) == 3
    assert axes[1].get_ylabel() == "loss minus full balancing"
    assert any("95% paired interval" in t.get_text() for t in axes[1].get_legend().get_texts())
    assert any(t.get_text().startswith("Recommendation:") for t in fig.texts)
    # the theory line is drawn above the selected line, so it is never hidden
    lines = {ln.get_label(): ln for ln in axes[0].get_lines()}
    theory = [ln for k, ln in lines.items() if k.startswith("theory")]
    selected = [ln for k, ln in lines.items() if k.startswith("selected")]
    if theory:
        assert theory[0].get_zorder() > selected[0].get_zorder()
