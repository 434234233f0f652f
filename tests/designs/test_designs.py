"""Statistical checks of the four designs at reduced scale.

Fixed seeds; every tolerance is a multiple of a Monte Carlo standard error
(4 MCSE for single comparisons: false-failure probability ≈ 6e-5 each under a
normal approximation) or a regression confidence interval; none was tuned.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from synthaug.simulate import RECORD_KEYS, SUMMARY_KEYS, run_design
from synthaug.designs import biased_aligned, realistic_aligned

pytestmark = pytest.mark.slow


def _rows(result, **where):
    return sorted(result.select(**where), key=lambda r: (r["n1"], r["gamma"] if r["gamma"] is not None else 0))


def _summary(result, **where):
    out = [s for s in result.summaries if all(s.get(k) == v for k, v in where.items())]
    assert out, where
    return out


@pytest.fixture(scope="module")
def biased():
    return run_design("biased-aligned", reps=50, seed=1, quick=True, progress=False)


def test_contract_keys(biased):
    d = biased.to_dict()
    assert set(d) >= {"design", "reps", "seed", "version", "records", "summaries"}
    for r in d["records"]:
        assert set(RECORD_KEYS) <= set(r)
    for s in d["summaries"]:
        assert set(SUMMARY_KEYS) <= set(s)


def test_biased_raw_is_inconsistent(biased):
    """Raw ERM's excess does not vanish: at the largest n1 it sits at the population floor (0.124)."""
    limit = _summary(biased, kind="limit", method="raw")[0]["estimate"]
    assert limit > 0.1
    last = _rows(biased, method="raw", metric="excess_risk")[-1]
    assert last["mean"] - 4 * last["mcse"] > 0.5 * limit


def test_biased_balance_plateaus(biased):
    """Balance levels off at its floor instead of decaying like 1/n1."""
    limit = _summary(biased, kind="limit", method="balance")[0]["estimate"]
    rows = _rows(biased, method="balance", metric="excess_risk")
    a, b = rows[-2], rows[-1]  # n1 = 400 and 1600
    assert b["mean"] - 4 * b["mcse"] > 0.5 * limit
    # Log-log slope between the two largest n1 with a delta-method standard error.
    slope = np.log(b["mean"] / a["mean"]) / np.log(b["n1"] / a["n1"])
    se = np.hypot(a["mcse"] / a["mean"], b["mcse"] / b["mean"]) / np.log(b["n1"] / a["n1"])
    assert slope - 4 * se > -0.5  # a parametric rate would give -1


def test_biased_theory_size_is_parametric(biased):
    """The cancelling size ñ* = 4·gap restores the rate: the log-log slope's 95% CI covers -1 and excludes 0."""
    s = [x for x in _summary(biased, kind="loglog_slope", method="theory") if x["n_points"] >= 3][0]
    assert s["ci_low"] <= -1.0 <= s["ci_high"]
    assert s["ci_high"] < -0.5
    ns = {r["n_synthetic"] / (r["n0"] - r["n1"]) for r in _rows(biased, method="theory", metric="excess_risk")}
    assert all(abs(g - 4.0) < 1e-3 for g in ns)


def test_realistic_theory_beats_balance():
    res = run_design("realistic-aligned", reps=30, seed=2, quick=True, progress=False)
    json.loads(res.to_json())  # NaN-free JSON (no finite cancelling size at n1 = 10 is null)
    theory = _summary(res, kind="theory_multiplier")
    by_n1 = {s["n1"]: s["estimate"] for s in theory}
    assert by_n1[10] is None  # no finite cancelling size at n1 = 10
    for n1, g in by_n1.items():
        if g is not None:
            a = realistic_aligned.a_n(n1)
            assert abs(g - realistic_aligned.cancelling_multiplier(a)) < 1e-8
    for n1 in (100, 500):
        bal = res.select(method="balance", metric="excess_risk", n1=n1)[0]
        th = res.select(method="theory", metric="excess_risk", n1=n1)[0]
        assert th["mean"] + 4 * np.hypot(th["mcse"], bal["mcse"]) < bal["mean"]
    # The data-driven rules (Ma & Zhang §5.2): both VTSS variants beat full balancing (paired gains).
    for rule in ("vtss", "tg-vtss"):
        for n1 in (100, 500):
            gain = _summary(res, kind="paired_gain", method=rule, n1=n1)[0]
            # 95 % interval of the paired gain above zero; with a 4-MCSE margin: lower end of a 4-MCSE interval.
            half = (gain["ci_high"] - gain["ci_low"]) / 2 / 1.96
            assert gain["estimate"] - 4 * half > 0, (rule, n1, gain)
    share = _summary(res, kind="share", y="local-asymmetry", n1=500)[0]
    assert share["estimate"] == 1.0  # g_phi = (4/3, 0) is far from zero at n1 = 500


def test_symmetry_test_design_size_and_power():
    res = run_design("symmetry-test", reps=400, seed=4, quick=True, progress=False)
    null = [r for r in res.records if r["metric"] == "rejection_rate" and r["part"] == "null" and r["n1"] == 250]
    assert len(null) == 1 and abs(null[0]["mean"] - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 400)
    power = {r["h"]: r for r in res.records if r["metric"] == "rejection_rate" and r["part"] == "power"}
    for h in (-3.0, 3.0):
        assert power[h]["mean"] - 4 * np.hypot(power[h]["mcse"], power[0.0]["mcse"]) > power[0.0]["mean"]
    ref = {r["h"]: r for r in res.records if r["metric"] == "reference_power"}
    assert abs(ref[0.0]["mean"] - 0.05) < 1e-9 and ref[3.0]["mean"] > 0.2


@pytest.fixture(scope="module")
def mean_shift():
    return run_design("mean-shift-symmetry", reps=30, seed=3, quick=True, progress=False)


def test_mean_shift_oracle_decreases_realistic_increase(mean_shift):
    for s in _summary(mean_shift, kind="end_minus_start"):
        if s["generator"] == "oracle":
            assert s["ci_high"] < 0, s
        else:
            assert s["ci_low"] > 0, s


def test_mean_shift_common_start_and_order(mean_shift):
    for noise in mean_shift.settings["noises"]:
        starts = [r["mean"] for r in mean_shift.select(metric="excess_risk", noise=noise, n_synthetic=0)]
        assert np.ptp(starts) < 1e-12  # gamma = 0 is the same fit whatever the generator
        end = {r["generator"]: r for r in mean_shift.select(metric="excess_risk", noise=noise)
               if r["gamma"] == max(mean_shift.settings["gammas"])}
        for hi, lo in (("smote", "gaussian"), ("gaussian", "semi-oracle")):
            gap = end[hi]["mean"] - end[lo]["mean"]
            assert gap > 4 * np.hypot(end[hi]["mcse"], end[lo]["mcse"]), (noise, hi, lo)


def test_logistic_symmetry_direction():
    res = run_design("logistic-symmetry", reps=20, seed=4, quick=True, progress=False)
    for s in _summary(res, kind="end_minus_start"):
        if s["generator"] == "oracle":
            assert s["ci_high"] < 0, s
        else:
            assert s["ci_low"] > 0, s
    for s in _summary(res, kind="fits_converged"):
        assert s["estimate"] == 1.0
    assert res.settings["n1"] == 557 and res.settings["n0"] == 4443
    starts = [r["mean"] for r in res.select(metric="excess_risk", n_synthetic=0)]
    assert len(starts) == 3 and np.ptp(starts) < 1e-12  # coupled: same data for every generator


def test_biased_closed_form_theory_matches_module():
    dec, gamma = biased_aligned.theory()
    assert abs(gamma - 4.0) < 1e-10


def test_logistic_symmetry_float32_matches_float64_direction():
    """float32 runs end to end (dtype-aware tolerances) and agrees with float64 within MC error."""
    r32 = run_design("logistic-symmetry", reps=8, seed=5, quick=True, dtype="float32", progress=False)
    r64 = run_design("logistic-symmetry", reps=8, seed=5, quick=True, dtype="float64", progress=False)
    assert r32.settings["dtype"] == "float32"
    assert all(s["estimate"] == 1.0 for s in _summary(r32, kind="fits_converged"))
    # JAX draws different numbers in float32 and float64, so the two runs are different samples:
    # their curves agree within Monte Carlo error.
    for a in r32.select(metric="excess_risk"):
        b = r64.select(metric="excess_risk", generator=a["generator"], n_synthetic=a["n_synthetic"])[0]
        assert abs(a["mean"] - b["mean"]) <= 4 * np.hypot(a["mcse"], b["mcse"]), (a, b)


def test_nonsynthetic_design_runs_and_reweighting_beats_raw():
    """Quick MLP run: records for every method; reweighting beats raw ERM in balanced log-loss.

    Raw ERM on 8:1 data is badly calibrated for the minority (population gap of about 0.3 in
    balanced log-loss at this scale), far beyond 4 MCSE with two replications.
    """
    res = run_design("nonsynthetic", reps=2, seed=5, quick=True, generators="jitter", progress=False)
    methods = {(r["method"], r["generator"]) for r in res.records}
    assert methods == {("raw", None), ("reweight", None), ("cost-sensitive", None), ("tg-vtss", "jitter")}
    raw = res.select(method="raw")[0]
    rew = res.select(method="reweight")[0]
    assert rew["mean"] + 4 * np.hypot(rew["mcse"], raw["mcse"]) < raw["mean"]
    json.loads(res.to_json())


def _suptitle(fig):
    return fig._suptitle.get_text() if fig._suptitle is not None else ""


def test_design_figures_name_model_generators_and_bars(biased, mean_shift):
    """Every figure's title names the design, the model and the generators and says what the bars are."""
    import matplotlib

    matplotlib.use("Agg")
    for res in (biased, mean_shift):
        title = _suptitle(res.plot())
        gens = sorted({r["generator"] for r in res.records if r.get("generator")})
        assert res.design in title and "model: " in title and "bars: " in title, title
        assert all(g in title for g in gens), (gens, title)


def test_every_design_plot_goes_through_finish_figure():
    """``finish_figure`` requires ``model=``: a design whose plot ends there cannot leave it out."""
    import importlib
    import inspect

    from synthaug.designs import DESIGNS, design_module

    for name in DESIGNS:
        src = inspect.getsource(importlib.import_module(design_module(name)).plot)
        assert "finish_figure(" in src or "plot_end_to_end(" in src, name
