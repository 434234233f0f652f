"""The analysis of the diagnosis validation study (paper/studies/diagnosis_validation.py) on records
whose answers are known by construction (no data sets, no JAX work)."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import numpy as np
import pytest

PATH = pathlib.Path(__file__).parents[2] / "paper" / "studies" / "diagnosis_validation.py"


@pytest.fixture(scope="module")
def study():
    spec = importlib.util.spec_from_file_location("diagnosis_validation", PATH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rec(ds, split, regime, raw, bal, tg, cv_diff, cv_se, gqs=1.0, sel=5, gap=10):
    m = lambda v: {"loss": v, "bacc": 0.5, "auprc": 0.5}  # noqa: E731
    test = {"raw": m(raw), "reweight": m(bal + 0.01), "balance": m(bal), "tg-vtss": m(tg), "tg-vtss-refit": m(tg),
            "vtss": m(tg + 0.002), "x0.5": m(bal + 0.003), "x1": m(bal)}
    return dict(dataset=ds, split=split, regime=regime, t_sym=50.0, df=3, gqs=gqs,
                generator_quality="biased" if gqs > 10 else "realistic", cv_diff=cv_diff, cv_se_diff=cv_se,
                selected=sel, gap=gap, test=test, oracle_candidates={"0": raw, "5": tg - 0.001, "10": bal})


def test_summary_counts_agreement_coverage_and_differences(study, tmp_path):
    recs = [
        # A: asymmetry and balancing helps (agree); held-out diff -0.01 inside -0.012 +/- 1.96*0.005
        _rec("A", 0, "local-asymmetry", raw=0.50, bal=0.40, tg=0.39, cv_diff=-0.012, cv_se=0.005),
        _rec("A", 1, "local-asymmetry", raw=0.52, bal=0.42, tg=0.41, cv_diff=-0.011, cv_se=0.005),
        # B: symmetry and balancing hurts (agree); held-out diff +0.02 outside -0.001 +/- 1.96*0.002
        _rec("B", 0, "local-symmetry", raw=0.30, bal=0.31, tg=0.33, cv_diff=-0.001, cv_se=0.002, gqs=20.0),
        # C: symmetry but balancing helps (disagree)
        _rec("C", 0, "local-symmetry", raw=0.60, bal=0.50, tg=0.49, cv_diff=-0.01, cv_se=0.01),
    ]
    (tmp_path / "per_split.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n"
                                              + json.dumps({"dataset": "D", "split": 0, "error": "refused"}) + "\n")
    out = study.summarise(str(tmp_path))
    assert out["splits"] == 4 and out["datasets"] == 3 and out["errors"] == 1
    assert out["regime_split"]["agree"] == 3 and out["regime_split"]["n"] == 4
    assert out["regime_dataset"]["agree"] == 2 and out["regime_dataset"]["n"] == 3
    assert out["coverage"]["splits"] == 4 and out["coverage"]["inside"] == 3
    tb = out["size_selection"]["balance"]
    # per data set means of tg - balance: A -0.01, B +0.02, C -0.01
    assert tb["mean"] == pytest.approx((-0.01 + 0.02 - 0.01) / 3) and tb["tg_better"] == 2 and tb["n"] == 3
    assert out["generator"]["biased"]["splits"] == 1
    assert out["generator"]["biased"]["mean_gain"] == pytest.approx(0.31 - 0.33)
    regret = out["size_selection"]["regret vs oracle-in-hindsight"]["mean"]
    # the best candidate on the test part: tg - 0.001 on A and C, raw ERM (0.30 against tg 0.33) on B
    assert regret == pytest.approx(np.mean([0.001, 0.03, 0.001]))
    assert (tmp_path / "summary.md").read_text().count("|") > 20 and (tmp_path / "gain_vs_tsym.png").exists()


def test_wilson_interval(study):
    lo, hi = study._wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
