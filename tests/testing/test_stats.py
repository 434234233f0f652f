"""Every statistical check passes a correct implementation and catches a broken one.

False-failure rates: each passing test runs its check at the default alpha = 1e-4 with a fixed seed,
so it is deterministic; over random seeds it would fail with probability ≤ 1e-4. The catching tests
use alpha = 1e-4 too and effects far beyond it (|t| > 7), so their power is ≈ 1 (measured in
benchmarks/testing_error_rates.py).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.generators import make_generator
from synthaug.generators.basic import oracle
from synthaug.testing import examples as E
from synthaug.testing import stats as S
from synthaug.testing import StatCheckResult

pytestmark = pytest.mark.synthaug_stat


def test_unbiased_pass_and_catch():
    ok = S.check_unbiased(E.mean_estimator, jnp.ones(2), 1, n_replications=200)
    assert isinstance(ok, StatCheckResult) and ok.passed and ok.alpha == S.DEFAULT_ALPHA
    ok.raise_if_failed()
    bad = S.check_unbiased(E.shrunk_mean_estimator, jnp.ones(2), 1, n_replications=200)
    assert not bad.passed and bad.p_value < 1e-4
    with pytest.raises(AssertionError, match="check_unbiased: FAILED"):
        bad.raise_if_failed()


def test_unbiased_catches_smote_augmented_fit():
    """Bias-correction design (d = 2, n1 = 100, κ = 20): the pooled SMOTE-augmented fit is biased away from θ*
    (about +0.12 on the slope, 10 MCSE at 200 replications)."""
    est = E.bc_naive_estimator(make_generator("smote", k=5), n1=100)
    res = S.check_unbiased(est, E.theta_star_shift(2), 1, n_replications=200)
    assert not res.passed
    assert res.details["bias"][0] > 0.05


def test_rate_pass_and_catch():
    ns = [16, 64, 256]
    ok = S.check_rate(E.squared_error_mean, ns, -1.0, 1, n_replications=200)
    assert ok.passed and ok.interval[0] < -1.0 < ok.interval[1]
    bad = S.check_rate(E.squared_error_subsampled, ns, -1.0, 1, n_replications=200)
    assert not bad.passed and bad.statistic > -0.75


def test_calibrated_pvalues_pass_and_catch():
    ok = S.check_calibrated_pvalues(E.t_test_pvalue, E.null_two_class, 1, n_replications=300)
    assert ok.passed
    bad = S.check_calibrated_pvalues(E.wald_oversampled_pvalue, E.null_two_class, 1, n_replications=300)
    assert not bad.passed and bad.statistic > 0.2  # over-rejects at level 0.05


def test_same_distribution_pass_and_catch():
    X1 = np.random.default_rng(0).normal(size=(20, 2))
    ok = S.check_same_distribution(E.normal_generator(1.0), E.normal_generator(1.0), X1, 1, n=200)
    assert ok.passed
    assert ok.details["permutations"] < 2000  # the sequential p-value stops early when the laws agree
    bad = S.check_same_distribution(E.normal_generator(1.0), E.normal_generator(1.8), X1, 1, n=200)
    assert not bad.passed and "MMD" in str(bad)
    assert bad.details["permutations"] == 40000 and bad.details["p_mmd"] == 1 / 40001  # runs to the end


def test_generator_mismatch_pass_and_catch():
    mu = jnp.zeros(2).at[0].set(1.5)
    sampler = lambda k, m: mu + jax.random.normal(k, (m, 2))  # noqa: E731
    ts = E.theta_star_shift(2)
    ok = S.check_generator_mismatch(oracle(lambda k, n, dt: sampler(k, n)), sampler, E.logistic_minority_loss, ts, 1)
    assert ok.passed and abs(ok.details["psi"]) < 5 * ok.details["psi_mcse"] + 1e-12
    bad = S.check_generator_mismatch(make_generator("shrink", c=0.7, noise=0.1), sampler, E.logistic_minority_loss,
                                     ts, 1)
    assert not bad.passed and "g_psi" in str(bad)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -1, 2])
def test_bad_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        S.check_unbiased(E.mean_estimator, jnp.ones(2), alpha=alpha)


def test_rate_needs_three_sizes():
    with pytest.raises(ValueError, match="ns"):
        S.check_rate(E.squared_error_mean, [10, 20], -1.0)
