"""Reduced-scale statistical checks of the bias-correction designs (slow).

Fixed seeds; tolerances are 4 Monte Carlo standard errors (paired differences where the
comparison is within replications); none was tuned.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from synthaug.designs import bias_correction as bc
from synthaug.designs import smote_bias as sb
from synthaug.bias_correction import COMPARE_METHODS
from synthaug.core.montecarlo import mean_mcse, run_replications

pytestmark = pytest.mark.slow

IDX = {m: j for j, m in enumerate(COMPARE_METHODS)}


@pytest.fixture(scope="module")
def shrink_cell():
    one = bc.replication(2, 100, "shrink", "float64")
    return run_replications(one, jax.random.PRNGKey(123), 40, progress=False)


def test_correction_beats_naive_for_biased_generator(shrink_cell):
    """Shrink generator (c = 0.7): the one-step and paired corrections have smaller squared error than naive."""
    err = shrink_cell[0]
    for m in ("bc-onestep", "bc-paired"):
        diff = err[:, IDX[m]] - err[:, IDX["naive"]]
        mean, se = mean_mcse(diff)
        assert mean + 4 * se < 0, (m, mean, se)


def test_naive_is_worse_than_reweighting(shrink_cell):
    """Note §8.13: naive augmentation with a biased generator is clearly worse than class reweighting."""
    err = shrink_cell[0]
    mean, se = mean_mcse(err[:, IDX["naive"]] - err[:, IDX["reweight"]])
    assert mean - 4 * se > 0


def test_metrics_are_consistent(shrink_cell):
    err, exc, ba, flagged, unb = shrink_cell
    assert np.all(np.isfinite(err)) and np.all(np.isfinite(exc)) and np.all(exc >= -1e-12)
    assert np.all((ba > 0.5) & (ba <= bc.balanced_accuracy(np.r_[1.5, 0.0, -1.125], np.r_[1.5, 0.0]) + 1e-12))
    assert not np.any(flagged[:, [IDX["raw"], IDX["reweight"], IDX["naive"], IDX["bc-onestep"]]])


def test_global_smote_variance_ratio_is_exact():
    """k = n1 - 1: E[ratio] = 2/3 - 1/(3(n1 - 1)) exactly (derivation in synthaug.designs.smote_bias)."""
    ratio, _ = run_replications(sb.replication(2, 25, "smote-global", "float64"), jax.random.PRNGKey(7), 200,
                                progress=False)
    mean, se = mean_mcse(ratio)
    assert abs(mean - sb.predicted_ratio("smote-global", 25)) < 4 * se, (mean, se)


def test_smote_k5_contraction_decays_in_n1():
    """k = 5: the contraction shrinks as n1 grows (rate (k/n1)^(2/d)); global partner does not."""
    c25, _ = run_replications(sb.replication(2, 25, "smote", "float64"), jax.random.PRNGKey(8), 100, progress=False)
    c200, _ = run_replications(sb.replication(2, 200, "smote", "float64"), jax.random.PRNGKey(9), 100,
                               progress=False)
    (m25, s25), (m200, s200) = mean_mcse(1 - c25), mean_mcse(1 - c200)
    assert m25 - m200 > 4 * np.hypot(s25, s200)
    assert m200 > 0  # still contracted at n1 = 200


def test_ate_aipw_raw_is_unbiased_and_covers():
    """bc-ate, n1 = 50: AIPW with raw models is (nearly) unbiased and its 95 % CI covers at about the nominal rate."""
    from synthaug.designs import bc_ate
    from synthaug.bias_correction.extensions import ATE_METHODS

    tau, se = run_replications(bc_ate.replication(50, "smote", "float64"), jax.random.PRNGKey(21), 40,
                               progress=False)
    truth = bc_ate.true_ate(950, 50)
    assert np.all(np.isfinite(tau)) and np.all(se > 0)
    j = ATE_METHODS.index("aipw-raw")
    b, b_se = mean_mcse(tau[:, j] - truth)
    assert abs(b) < 4 * b_se
    cover, cover_se = mean_mcse((np.abs(tau[:, j] - truth) <= 1.96 * se[:, j]).astype(float))
    assert cover > 0.95 - 4 * max(cover_se, np.sqrt(0.95 * 0.05 / 40))


def test_assemble_refuses_an_incomplete_grid():
    """Merging per-process cells (paper/bias_correction_grid.py) names the first missing cell."""
    with pytest.raises(ValueError, match=r"1 cell\(s\) missing.*\(2, 'shrink', 50\)"):
        bc.assemble({(2, "shrink", 25): dict(records=[], summaries=[])}, (2,), (25, 50), ("shrink",))


def test_run_cell_rejects_an_unknown_generator():
    with pytest.raises(ValueError, match="unknown generator 'gan'"):
        bc.run_cell(jax.random.PRNGKey(0), 2, 25, "gan", 4)
