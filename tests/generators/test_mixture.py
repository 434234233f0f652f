"""The one EM Gaussian mixture: both registry entries ("gmm", "gmm-em50") run on it.

``data/gmm_em50_reference.npz`` holds draws recorded from the former
``synthaug.generators.bias_study.gmm`` (its own EM, before the two EMs were merged) on a
fixed data set; ``"gmm-em50"`` must reproduce them bit for bit.
"""

from __future__ import annotations

import pathlib
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.generators import make_generator
from synthaug.generators.mixture import fit_gmm, gaussian_mixture, gmm_em50, sample_gmm

REFERENCE = pathlib.Path(__file__).parent / "data" / "gmm_em50_reference.npz"
# case: (n_components, covariance, n_iter, reg, key, float32), as recorded
CASES = {
    "full": (2, "full", 50, 1e-3, 7, False),
    "diag": (3, "diag", 50, 1e-3, 7, False),
    "full_k4": (4, "full", 20, 1e-2, 9, False),
    "full_float32": (2, "full", 50, 1e-3, 8, True),
    "full_k3_float32": (3, "full", 50, 1e-3, 8, True),
    "diag_float32": (2, "diag", 50, 1e-3, 10, True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gmm_em50_reproduces_the_former_bias_study_generator_exactly(case):
    ref = np.load(REFERENCE)
    K, cov, n_iter, reg, seed, f32 = CASES[case]
    X1 = ref["X1"].astype(np.float32) if f32 else ref["X1"]
    out = np.asarray(make_generator("gmm-em50", n_components=K, covariance=cov, n_iter=n_iter, reg=reg)(
        jax.random.key(seed), X1, 25))
    assert out.dtype == X1.dtype
    # The stored reference was written on another machine; XLA's CPU code differs with the CPU it
    # runs on (vector width, fused multiply-add) and 50 EM iterations amplify last-bit differences
    # (measured here against the stored rows: at most 5.6e-6 relative in float32, 5e-15 in
    # float64), so the reference is matched to rounding level; on one machine the two key forms
    # below agree exactly.
    np.testing.assert_allclose(out, ref[case], rtol=1e-4 if f32 else 1e-12, atol=1e-5 if f32 else 1e-13)
    # the raw (PRNGKey) form of the same key gives the same rows
    raw = np.asarray(gmm_em50(K, cov, n_iter, reg)(jax.random.PRNGKey(seed), X1, 25))
    np.testing.assert_array_equal(raw, out)


def test_both_registry_entries_share_one_em():
    # "gmm" is the k-means++ scheme and "gmm-em50" the random-rows scheme of the same fit_gmm
    ref = np.load(REFERENCE)
    X1 = jnp.asarray(ref["X1"])
    kf, ks = jax.random.split(jax.random.key(7))
    p, _, _ = fit_gmm(kf, X1, 2, "full", 50, None, 1e-3, em="random-rows")
    # rounding-level match to the reference written on another machine (see the test above)
    np.testing.assert_allclose(np.asarray(sample_gmm(ks, p, 25, "full")), ref["full"], rtol=1e-12, atol=1e-13)
    p, _, _ = fit_gmm(kf, X1, 2, "full", 100, 1e-6, 1e-6)
    mine = np.asarray(sample_gmm(ks, p, 25, "full"))
    np.testing.assert_array_equal(mine, np.asarray(gaussian_mixture()(jax.random.key(7), X1, 25)))
    assert not np.array_equal(mine, ref["full"])  # the two schemes are different fits


def test_fixed_step_count_and_early_stopping():
    X = jnp.asarray(np.random.default_rng(1).normal(size=(60, 2)))
    _, trace, it = fit_gmm(jax.random.key(0), X, 2, "diag", max_iter=7, tol=None)
    assert int(it) == 7 and np.isfinite(np.asarray(trace)).all()
    _, trace, it = fit_gmm(jax.random.key(0), X, 2, "diag", max_iter=500, tol=1e-3)
    assert 2 <= int(it) < 500 and np.isnan(np.asarray(trace)[int(it):]).all()


def test_bad_mixture_options():
    with pytest.raises(ValueError, match="em must be one of"):
        fit_gmm(jax.random.key(0), jnp.ones((5, 2)), 2, em="sklearn")
    with pytest.raises(ValueError, match="n_components must be a positive integer"):
        gmm_em50(0)
    with pytest.raises(ValueError, match="covariance_type"):
        gmm_em50(2, "spherical")
    with pytest.raises(ValueError, match="reg must be positive"):
        gmm_em50(2, "full", 50, 0.0)
    with pytest.raises(ValueError, match="n_iter must be a non-negative integer"):
        gmm_em50(2, "full", 2.5)


def test_old_bias_study_names_resolve_with_a_warning():
    from synthaug.generators import basic, bias_study, mixture

    for old, new in (("gmm", mixture.gmm_em50), ("shrink", basic.shrink), ("bootstrap", basic.bootstrap),
                     ("smote_global", basic.smote_global)):
        with pytest.warns(DeprecationWarning, match="synthaug.generators.(mixture|basic)"):
            assert getattr(bias_study, old) is new
    X1 = np.load(REFERENCE)["X1"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        logw, means, covs = bias_study.fit_gmm(jax.random.key(1), X1, 2, "diag")
        draws = np.asarray(bias_study.sample_gmm(jax.random.key(2), logw, means, covs, 10))
    assert covs.shape == (2, 3, 3) and np.allclose(np.exp(np.asarray(logw)).sum(), 1.0)
    assert draws.shape == (10, 3) and np.isfinite(draws).all()
    with pytest.warns(DeprecationWarning, match="fit_gmm"):
        bias_study.fit_gmm(jax.random.key(1), X1)
