"""Fidelity metrics: MMD calibration and power, per-column W1/KS against scipy, detection AUC, precision/recall."""

import jax
import numpy as np
import pytest
import scipy.stats

import synthaug  # noqa: F401
from synthaug import fidelity as fd


def _mmd2_bruteforce(X, Y, h):
    def k(a, b):
        return np.exp(-np.sum((a[:, None] - b[None]) ** 2, -1) / (2 * h * h))

    n, m = len(X), len(Y)
    Kxx, Kyy, Kxy = k(X, X), k(Y, Y), k(X, Y)
    return (
        (Kxx.sum() - np.trace(Kxx)) / (n * (n - 1))
        + (Kyy.sum() - np.trace(Kyy)) / (m * (m - 1))
        - 2 * Kxy.mean()
    )


def test_mmd2_matches_definition_and_median_bandwidth():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(5, 3)) + 0.3
    Z = np.r_[X, Y]
    d = np.sqrt(((Z[:, None] - Z[None]) ** 2).sum(-1))[np.triu_indices(12, 1)]
    h = np.median(d)
    np.testing.assert_allclose(float(fd.median_bandwidth(X, Y)), h, rtol=1e-12)
    np.testing.assert_allclose(float(fd.mmd2_unbiased(X, Y)), _mmd2_bruteforce(X, Y, h), rtol=1e-10)
    np.testing.assert_allclose(float(fd.mmd2_unbiased(X, Y, bandwidth=0.7)), _mmd2_bruteforce(X, Y, 0.7), rtol=1e-10)
    res = fd.mmd_test(jax.random.key(0), X, Y, n_permutations=9)
    np.testing.assert_allclose(float(res.mmd2), _mmd2_bruteforce(X, Y, h), rtol=1e-10)


@pytest.mark.parametrize("scale", [2.0 ** 900, 2.0 ** -900, 1e300, 1e-300])
def test_mmd_is_scale_safe(scale):
    # The Gaussian-kernel MMD with the median bandwidth is invariant under a common
    # rescaling of both samples; at 1e300 the squared distances themselves overflow
    # (the statistic was NaN before) and at 1e-300 they underflow to 0. A power of two
    # rescales exactly in binary floating point, so those cases must agree bit for bit.
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(9, 3)), rng.normal(size=(8, 3)) + 0.5
    ref_h = float(fd.median_bandwidth(X, Y))
    ref = float(fd.mmd2_unbiased(X, Y))
    ref_test = fd.mmd_test(jax.random.key(3), X, Y, n_permutations=19)
    h = float(fd.median_bandwidth(X * scale, Y * scale))
    got = float(fd.mmd2_unbiased(X * scale, Y * scale))
    got_given = float(fd.mmd2_unbiased(X * scale, Y * scale, bandwidth=ref_h * scale))
    got_test = fd.mmd_test(jax.random.key(3), X * scale, Y * scale, n_permutations=19)
    exact = np.log2(scale).is_integer()
    rtol = 0.0 if exact else 1e-12
    np.testing.assert_allclose(h, ref_h * scale, rtol=rtol)
    for value in (got, got_given, float(got_test.mmd2)):
        assert np.isfinite(value)
        np.testing.assert_allclose(value, ref, rtol=rtol if exact else 1e-10, atol=0 if exact else 1e-14)
    assert float(got_test.p_value) == float(ref_test.p_value)


def test_mmd_null_near_zero_and_pvalues_calibrated():
    # Under H0 (both samples N(0, I_2)) the U-statistic has mean 0 and the permutation
    # p-value is uniform on {1/(B+1), ..., 1}, so P(p <= a) = a exactly for a*(B+1) integer.
    R, B, n = 300, 199, 15
    rng = np.random.default_rng(12345)
    keys = jax.random.split(jax.random.key(7), R)
    stats, pvals = np.empty(R), np.empty(R)
    for r in range(R):
        X, Y = rng.normal(size=(n, 2)), rng.normal(size=(n, 2))
        res = fd.mmd_test(keys[r], X, Y, n_permutations=B)
        stats[r], pvals[r] = float(res.mmd2), float(res.p_value)
    # mean of MMD²_u is 0: |mean| within 4 Monte Carlo standard errors
    assert abs(stats.mean()) < 4 * stats.std(ddof=1) / np.sqrt(R)
    for a in (0.05, 0.2, 0.5):
        se = np.sqrt(a * (1 - a) / R)
        assert abs(np.mean(pvals <= a) - a) < 4 * se, (a, np.mean(pvals <= a))
    # whole distribution: KS against U(0, 1) (discreteness 1/200 is far below the KS tolerance)
    assert scipy.stats.kstest(pvals, "uniform").pvalue > 1e-3


def test_mmd_detects_mean_shift():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 2))
    Y = rng.normal(size=(60, 2)) + np.array([1.0, 0.0])
    res = fd.mmd_test(jax.random.key(1), X, Y, n_permutations=199)
    assert float(res.p_value) == pytest.approx(1 / 200)  # no permutation reaches the observed value
    same = fd.mmd2_unbiased(X, rng.normal(size=(60, 2)))
    assert float(res.mmd2) > 10 * abs(float(same))


@pytest.mark.parametrize("n, m, seed", [(5, 5, 0), (7, 4, 1), (13, 20, 2)])
def test_w1_and_ks_match_scipy(n, m, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    Y = rng.exponential(size=(m, 3))
    Y[0, 1] = X[0, 1]  # a tie across the samples
    w1 = np.asarray(fd.wasserstein1(X, Y))
    ks = np.asarray(fd.ks_statistic(X, Y))
    for j in range(3):
        np.testing.assert_allclose(w1[j], scipy.stats.wasserstein_distance(X[:, j], Y[:, j]), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ks[j], scipy.stats.ks_2samp(X[:, j], Y[:, j]).statistic, rtol=1e-12)


def test_detection_auc_and_normalisation():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 2))
    far = fd.detection_auc(jax.random.key(0), X, rng.normal(size=(100, 2)) + 4.0)
    assert far.auc > 0.99 and far.normalised == pytest.approx(2 * abs(far.auc - 0.5))
    same = fd.detection_auc(jax.random.key(0), X, rng.normal(size=(100, 2)))
    assert len(same.fold_aucs) == 5 and 0.0 <= same.normalised < 0.3


def test_precision_recall_coverage():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 2))
    # synthetic rows collapsed on a small part of the real support: precise but low recall
    Y = rng.normal(size=(300, 2)) * 0.1
    pr = fd.precision_recall(X, Y, k=5)
    assert float(pr.precision) > 0.95 and float(pr.recall) < 0.3 and float(pr.coverage) < 0.5
    pr_same = fd.precision_recall(X, rng.normal(size=(300, 2)), k=5)
    assert float(pr_same.precision) > 0.8 and float(pr_same.recall) > 0.8 and float(pr_same.coverage) > 0.8
    far = fd.precision_recall(X, rng.normal(size=(50, 2)) + 20.0, k=5)
    assert float(far.precision) == 0.0 and float(far.recall) == 0.0


def test_bad_input():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="same columns"):
        fd.mmd2_unbiased(X, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        fd.wasserstein1(X, np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match="bandwidth"):
        fd.mmd2_unbiased(X, X + 1, bandwidth=0.0)
    with pytest.raises(ValueError, match="more than k"):
        fd.precision_recall(X, X[:3], k=5)


def test_default_detection_equals_the_scikit_learn_pipeline():
    # the default classifier is computed in JAX; it must give scikit-learn's pipeline's AUCs
    # (the same folds; scikit-learn solved to a tight tolerance, so both are the exact optimum)
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from synthaug.config import x64

    rng = np.random.default_rng(5)
    ref = make_pipeline(StandardScaler(), LogisticRegression(tol=1e-12, max_iter=10_000))
    with x64():
        for shift, (n, m) in ((0.0, (60, 45)), (0.5, (80, 80)), (3.0, (40, 70))):
            X, Y = rng.normal(size=(n, 4)), rng.normal(size=(m, 4)) * 1.3 + shift
            got = fd.detection_auc(jax.random.key(2), X, Y)
            want = fd.detection_auc(jax.random.key(2), X, Y, classifier=ref)
            np.testing.assert_allclose(got.fold_aucs, want.fold_aucs, rtol=0, atol=1e-12)


def test_heldout_fidelity_caps_the_compared_rows_and_compiles_once():
    from compile_count import compiled

    from synthaug.generators import make_generator

    rng = np.random.default_rng(6)
    X1, X0 = rng.normal(size=(80, 3)), rng.normal(size=(120, 3))
    gen = make_generator("smote", k=3)
    full = fd.heldout_fidelity(gen, jax.random.key(0), X1, X0, n_permutations=19)
    assert full["n_compared"] == 40 and set(full) >= {"mmd2", "detection_auc", "precision", "coverage"}
    capped = fd.heldout_fidelity(gen, jax.random.key(0), X1, X0, n_permutations=19, max_compared=25)
    assert capped["n_compared"] == 25 and np.isfinite(capped["mmd2"])
    # a cap at least the held-out size changes nothing
    same = fd.heldout_fidelity(gen, jax.random.key(0), X1, X0, n_permutations=19, max_compared=40)
    assert same == full
    fd._heldout_program.clear_cache()
    for s in range(3):
        fd.heldout_fidelity(gen, jax.random.key(s), X1, X0, n_permutations=19)
    assert compiled(fd._heldout_program) == 1
