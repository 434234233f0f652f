"""synthaug's oversamplers: shapes, determinism, geometry, Borderline danger seeds, imblearn checks, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from synthaug.estimators.oversamplers import (
    ADASYNSampler,
    BorderlineSMOTESampler,
    GaussianMixtureSampler,
    RandomOversamplingSampler,
    SMOTENCSampler,
    SMOTESampler,
    SmoothedBootstrapSampler,
)


# ----------------------------------------------------------------------------- helpers

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import pandas as pd  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from synthaug.generators.adasyn import adasyn_weights, adasyn_with_parents, largest_remainder_counts  # noqa: E402
from synthaug.generators.borderline import borderline_smote_with_parents, danger_mask  # noqa: E402
from synthaug.generators.kde import silverman_factor  # noqa: E402
from synthaug.generators import GENERATOR_FACTORIES, Generator, make_generator, smote_with_parents  # noqa: E402
from synthaug.generators.mixture import fit_gmm, sample_gmm  # noqa: E402
from synthaug.core.knn import auto_block_size, knn  # noqa: E402
from synthaug.generators.smote_nc import smote_nc_with_parents  # noqa: E402
from synthaug.testing import check_same_distribution, parametrize_with_checks  # noqa: E402

ALL_SAMPLERS = {
    "smote": lambda **kw: SMOTESampler(**kw),
    "borderline-1": lambda **kw: BorderlineSMOTESampler(fallback="smote", **kw),
    "borderline-2": lambda **kw: BorderlineSMOTESampler(kind=2, fallback="smote", **kw),
    "adasyn": lambda **kw: ADASYNSampler(fallback="smote", **kw),
    "smote-nc": lambda **kw: SMOTENCSampler(categorical_features=[0], **kw),
    "smoothed-bootstrap": lambda **kw: SmoothedBootstrapSampler(**kw),
    "gmm": lambda **kw: GaussianMixtureSampler(**kw),
    "random": lambda **kw: RandomOversamplingSampler(**kw),
}
SEGMENT_SAMPLERS = ("smote", "borderline-1", "adasyn")  # every synthetic row on a minority–minority segment


def _overlapping(n0=90, n1=24, d=3, seed=0, shift=1.0):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(size=(n0, d)), rng.normal(size=(n1, d)) + shift]
    return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]


def _brute_nn(Q, R, k, exclude_diag=False):
    d2 = ((Q[:, None, :] - R[None, :, :]) ** 2).sum(-1)
    if exclude_diag:
        d2[np.arange(Q.shape[0]), np.arange(Q.shape[0])] = np.inf
    return np.argsort(d2, axis=1, kind="stable")[:, :k], d2


def _on_some_segment(S, P, tol=1e-9):
    """For each row of S: is it on a segment between two rows of P (or equal to a row)?"""
    ok = np.zeros(len(S), bool)
    for a in range(len(P)):
        D = P - P[a]  # directions to every other parent
        V = S - P[a]
        dd = np.einsum("jd,jd->j", D, D)
        t = np.clip(V @ D.T / np.where(dd > 0, dd, 1.0), 0.0, 1.0)  # (n, m)
        resid = np.linalg.norm(V[:, None, :] - t[..., None] * D[None, :, :], axis=2)
        ok |= (resid < tol * (1 + np.abs(S).max())).any(axis=1)
    return ok


# ----------------------------------------------------------------------------- sizes, determinism


# Counts (sampling_strategy_ and n_synthetic), originals kept in order, finiteness, determinism under
# random_state and dependence on it, the pandas round trip: synthaug.testing.check_sampler checks every
# sampler's default configuration by discovery (tests/estimators/test_samplers.py); here the one
# configuration with a different code path that discovery does not build.
@parametrize_with_checks([BorderlineSMOTESampler(kind=2, random_state=0)], ids=["borderline-2"])
def test_sampler_variant_contract(obj, check):
    check()


def test_smote_draws_from_imbalanced_learns_law():
    """synthaug's SMOTE against the reference implementation (imbalanced-learn's SMOTE, k = 5): the same law
    given the same minority, by synthaug.testing.check_same_distribution (false-failure rate 1e-4; fixed key).
    The control (a contraction toward the minority mean, shrink c = 0.7, against SMOTE) must fail at the
    same level."""
    from imblearn.over_sampling import SMOTE

    from synthaug.generators.adapters import as_generator

    X, y = _overlapping(seed=11)
    X1, X0 = X[y == 1], X[y == 0]
    reference = as_generator(SMOTE(k_neighbors=5))
    same = check_same_distribution(make_generator("smote", k=5), reference, X1, 0, n=400, X_majority=X0)
    assert same.passed, same
    other = check_same_distribution(make_generator("shrink", c=0.7, noise=0.1), reference, X1, 0, n=400,
                                    X_majority=X0)
    assert not other.passed, other


@pytest.mark.parametrize("name", list(GENERATOR_FACTORIES))
def test_registry_builds_every_generator(name):
    params = {"categorical_features": [0]} if name == "smote-nc" else {}
    gen = make_generator(name, **params)
    assert isinstance(gen, Generator)
    # The methods that look at the majority class (all others see only the minority).
    uses_majority = ("borderline-smote", "borderline-smote-2", "adasyn", "gk-smote", "moms", "leo-cvae")
    uses_majority += ("smoten", "smote-tomek", "smote-enn")  # VDM frequencies; cleaning on real + synthetic rows
    uses_majority += ("svm-smote", "kmeans-smote")  # the SVM and the clustering see every class
    assert gen.uses_majority == (name in uses_majority)


# ----------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("name", SEGMENT_SAMPLERS)
def test_smote_family_rows_lie_on_minority_segments(name):
    X, y = _overlapping(seed=1)
    Xr, _ = ALL_SAMPLERS[name](random_state=0, n_synthetic=37).fit_resample(X, y)
    S, P = Xr[len(X):], X[y == 1]
    assert _on_some_segment(S, P).all()
    # a control that must fail: rows off every segment are detected
    assert not _on_some_segment(S + 0.05, P).any()


def test_smote_parents_are_k_nearest_neighbours():
    X1 = np.random.default_rng(2).normal(size=(30, 4))
    Xs, i, j, u = (np.asarray(a) for a in smote_with_parents(jax.random.key(0), jnp.asarray(X1), 200, 5))
    nn, _ = _brute_nn(X1, X1, 5, exclude_diag=True)
    assert all(j[t] in nn[i[t]] for t in range(200))
    np.testing.assert_allclose(Xs, X1[i] + u[:, None] * (X1[j] - X1[i]), atol=1e-12)


def _brute_danger(X1, X0, m):
    Xall = np.r_[X1, X0]
    nn, _ = _brute_nn(X1, Xall, m, exclude_diag=True)
    n_maj = (nn >= len(X1)).sum(1)
    return (2 * n_maj >= m) & (n_maj < m)


@pytest.mark.parametrize("kind", [1, 2])
def test_borderline_seeds_only_from_danger_points(kind):
    X, y = _overlapping(seed=3, shift=1.2)
    X1, X0 = X[y == 1], X[y == 0]
    danger = _brute_danger(X1, X0, 10)
    assert 0 < danger.sum() < len(X1)  # the test data has safe/noise points too
    np.testing.assert_array_equal(np.asarray(danger_mask(jnp.asarray(X1), jnp.asarray(X0), 10)[0]), danger)
    Xs, seeds, q, u, _ = (np.asarray(a) for a in borderline_smote_with_parents(
        jax.random.key(1), jnp.asarray(X1), jnp.asarray(X0), 400, 5, 10, kind))
    assert danger[seeds].all()
    assert set(np.unique(seeds)) == set(np.flatnonzero(danger))  # every danger point used (400 draws)
    Xall = np.r_[X1, X0]
    if kind == 1:
        nn, _ = _brute_nn(X1, X1, 5, exclude_diag=True)
        Q = X1[q]
        assert np.all(u <= 1)
    else:
        nn, _ = _brute_nn(X1, Xall, 5, exclude_diag=True)
        Q = Xall[q]
        assert np.all(u[q >= len(X1)] <= 0.5) and (q >= len(X1)).any() and (q < len(X1)).any()
    assert all(q[t] in nn[seeds[t]] for t in range(len(seeds)))
    np.testing.assert_allclose(Xs, X1[seeds] + u[:, None] * (Q - X1[seeds]), atol=1e-12)


def test_borderline_without_danger_points_skips_raises_or_falls_back():
    X, y = _overlapping(seed=4, shift=25.0)  # far apart: every minority point is safe
    with pytest.warns(UserWarning, match="danger"):  # the default, as imbalanced-learn: no rows, a warning
        Xs, ys = BorderlineSMOTESampler(random_state=0, n_synthetic=37).fit_resample(X, y)
    np.testing.assert_array_equal(Xs, X)
    np.testing.assert_array_equal(ys, y)
    with pytest.raises(ValueError, match="no danger points"):
        BorderlineSMOTESampler(random_state=0, n_synthetic=37, fallback="raise").fit_resample(X, y)
    Xr, yr = BorderlineSMOTESampler(fallback="smote", random_state=0, n_synthetic=37).fit_resample(X, y)
    assert np.bincount(yr).tolist() == [90, 61]
    assert _on_some_segment(Xr[len(X):], X[y == 1]).all()


def test_adasyn_counts_exact_and_follow_hardness():
    X, y = _overlapping(seed=5, shift=0.8)
    X1, X0 = X[y == 1], X[y == 0]
    nn, _ = _brute_nn(X1, np.r_[X1, X0], 5, exclude_diag=True)
    r = (nn >= len(X1)).sum(1) / 5
    r_hat = r / r.sum()
    np.testing.assert_allclose(np.asarray(adasyn_weights(jnp.asarray(X1), jnp.asarray(X0), 5)[0]), r_hat, atol=1e-12)
    for n in (37, 333):
        Xs, seeds, z, u, counts = (np.asarray(a) for a in adasyn_with_parents(
            jax.random.key(n), jnp.asarray(X1), jnp.asarray(X0), n, 5))
        assert Xs.shape == (n, 3) and counts.sum() == n
        assert np.all(np.abs(counts - n * r_hat) < 1)
        np.testing.assert_array_equal(np.bincount(seeds, minlength=len(X1)), counts)
        assert np.all(counts[r == 0] == 0) or n < np.sum(r > 0)
    nn_min, _ = _brute_nn(X1, X1, 5, exclude_diag=True)
    assert all(z[t] in nn_min[seeds[t]] for t in range(len(seeds)))


def test_largest_remainder_rule():
    c = np.asarray(largest_remainder_counts(jnp.array([0.5, 0.3, 0.2]), 7))  # 3.5, 2.1, 1.4 -> 4, 2, 1
    assert c.tolist() == [4, 2, 1]
    c = np.asarray(largest_remainder_counts(jnp.full(4, 0.25), 6))  # ties to the lower index
    assert c.tolist() == [2, 2, 1, 1]


def test_adasyn_without_majority_neighbours_raises():
    X, y = _overlapping(seed=6, shift=25.0)
    with pytest.raises(ValueError, match="no minority row has a majority"):
        ADASYNSampler(random_state=0, n_synthetic=37).fit_resample(X, y)
    _, yr = ADASYNSampler(fallback="smote", random_state=0, n_synthetic=37).fit_resample(X, y)
    assert np.bincount(yr).tolist() == [90, 61]


def test_smote_nc_vote_and_metric():
    rng = np.random.default_rng(7)
    n1 = 40
    X1 = np.c_[rng.normal(size=(n1, 2)), rng.integers(0, 3, n1), rng.integers(5, 7, n1)].astype(float)
    Xs, i, j, u = (np.asarray(a) for a in smote_nc_with_parents(jax.random.key(0), jnp.asarray(X1), 300, [2, 3], 5))
    med = np.median(X1[:, :2].std(axis=0))
    d2 = ((X1[:, None, :2] - X1[None, :, :2]) ** 2).sum(-1) + med**2 * (X1[:, None, 2:] != X1[None, :, 2:]).sum(-1)
    np.fill_diagonal(d2, np.inf)
    nn = np.argsort(d2, axis=1, kind="stable")[:, :5]
    assert all(j[t] in nn[i[t]] for t in range(300))
    np.testing.assert_allclose(Xs[:, :2], X1[i, :2] + u[:, None] * (X1[j, :2] - X1[i, :2]), atol=1e-12)
    for t in range(300):
        for c in (2, 3):
            vals, cnt = np.unique(X1[nn[i[t]], c], return_counts=True)
            assert Xs[t, c] == vals[np.argmax(cnt)]  # most frequent, ties to the smallest value


def test_smote_nc_sampler_strings_round_trip():
    X, y = _overlapping(seed=8)
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"a": X[:, 0], "colour": rng.choice(["red", "green"], len(X)), "b": X[:, 1]})
    Xr, yr = SMOTENCSampler(categorical_features=[1], random_state=0).fit_resample(df, pd.Series(y))
    assert list(Xr.columns) == ["a", "colour", "b"] and len(Xr) == 180
    new = Xr.iloc[len(X):]
    assert set(new["colour"]) <= set(df["colour"][y == 1])
    assert _on_some_segment(new[["a", "b"]].to_numpy(float), X[y == 1][:, [0, 1]]).all()


# ----------------------------------------------------------------------------- smoothed bootstrap, GMM (fixed-seed statistics)


def test_smoothed_bootstrap_variance_inflation():
    rng = np.random.default_rng(9)
    X1 = rng.normal(size=(50, 2)) * [1.0, 3.0]
    n = 40_000
    S = np.asarray(make_generator("smoothed-bootstrap")(jax.random.key(0), X1, n))
    h = silverman_factor(50, 2)
    expected = X1.var(axis=0) + h**2 * X1.var(axis=0, ddof=1)  # mixture variance of the KDE
    # sampling sd of a variance from n draws of a near-Gaussian mixture ~ var * sqrt(2 / n); allow 5 sd
    np.testing.assert_allclose(S.var(axis=0), expected, rtol=5 * np.sqrt(2 / n) * 1.5)
    S0 = np.asarray(make_generator("smoothed-bootstrap", shrink=0.0)(jax.random.key(0), X1, 100))
    assert all(any(np.array_equal(s, x) for x in X1) for s in S0)  # shrink 0 = random oversampling


@pytest.mark.parametrize("cov", ["full", "diag"])
def test_gmm_em_is_monotone_and_recovers_clusters(cov):
    rng = np.random.default_rng(10)
    X = np.r_[rng.normal(size=(150, 2)) * 0.5 + [-4.0, 0.0], rng.normal(size=(100, 2)) * 0.5 + [4.0, 1.0]]
    p, trace, it = fit_gmm(jax.random.key(3), jnp.asarray(X), 2, cov, max_iter=200, tol=1e-10)
    tr = np.asarray(trace)[: int(it)]
    assert np.all(np.diff(tr) >= -1e-9)  # EM never lowers the likelihood
    order = np.argsort(np.asarray(p.means)[:, 0])
    means, w = np.asarray(p.means)[order], np.asarray(p.weights)[order]
    # component means are sample means of ~100-150 points with sd 0.5: se <= 0.05; allow 5 se
    np.testing.assert_allclose(means, [[-4.0, 0.0], [4.0, 1.0]], atol=0.25)
    np.testing.assert_allclose(w, [0.6, 0.4], atol=1e-3)
    S = np.asarray(sample_gmm(jax.random.key(4), p, 20_000, cov))
    frac_left = np.mean(S[:, 0] < 0)
    assert abs(frac_left - 0.6) < 5 * np.sqrt(0.24 / 20_000)


# ----------------------------------------------------------------------------- kNN primitive


@pytest.mark.parametrize("k", [1, 5, 11, 20])
def test_blocked_knn_matches_brute_force_at_scale(k):
    rng = np.random.default_rng(k)
    R = rng.normal(size=(3000, 5))
    Q = rng.normal(size=(301, 5))
    d2, idx = knn(jnp.asarray(R), k, jnp.asarray(Q), block_size=64)
    nn, D = _brute_nn(Q, R, k)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idx), nn))
    np.testing.assert_allclose(np.asarray(d2), np.take_along_axis(D, nn, 1), rtol=1e-9, atol=1e-9)
    # self-query with exclusion, auto blocks
    d2s, idxs = knn(jnp.asarray(R[:700]), k, block_size="auto")
    nn, _ = _brute_nn(R[:700], R[:700], k, exclude_diag=True)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idxs), nn))


def _certificate(X, k, Q=None, exclude_self=True):
    """Run the float32 stage of the mixed-precision kNN on one block; return (sq_dist, idx, certified)."""
    from synthaug.core.knn import _candidate_count, _mixed_candidates, _prepare_mixed

    X = jnp.asarray(X)
    Qb = X if Q is None else jnp.asarray(Q)
    kc = _candidate_count(k, X.shape[0] - int(exclude_self))
    Rp32, rr32, c, s = _prepare_mixed(X, k, kc)
    return _mixed_candidates(Qb, X, Rp32, rr32, c, s, k, kc, 0, exclude_self, X.shape[0])


@pytest.mark.parametrize("scale", [1.0, 1e-8, 1e8])
def test_mixed_precision_knn_is_certified_and_exact_on_continuous_data(scale):
    # float64 input on the blocked path: float32 candidates + float64 re-ranking must give the float64 answer,
    # and on continuous data (no near ties) the certificate must hold, so the fast branch is really the one used.
    rng = np.random.default_rng(7)
    R = rng.normal(size=(2000, 20)) * scale + 3.0 * scale
    Q = rng.normal(size=(257, 20)) * scale + 3.0 * scale
    d2, idx, ok = _certificate(R, 5, Q, exclude_self=False)
    assert bool(ok)
    nn, D = _brute_nn(Q, R, 5)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idx), nn))
    np.testing.assert_allclose(np.asarray(d2), np.take_along_axis(D, nn, 1), rtol=1e-12)
    d2a, idxa = knn(jnp.asarray(R), 5, jnp.asarray(Q), block_size=64)  # precision="auto" -> mixed
    d2e, idxe = knn(jnp.asarray(R), 5, jnp.asarray(Q), block_size=64, precision="exact")
    np.testing.assert_array_equal(np.asarray(idxa), np.asarray(idxe))
    np.testing.assert_allclose(np.asarray(d2a), np.asarray(d2e), rtol=1e-9, atol=1e-12 * scale**2)


def test_mixed_precision_knn_near_duplicates_and_outliers():
    rng = np.random.default_rng(8)
    base = rng.normal(size=(150, 6))
    # ten copies of each row, perturbed far below float32 resolution: the 5 nearest are copies, the 14th
    # candidate is another point, so the certificate holds and the float64 re-ranking orders the copies exactly
    R = np.repeat(base, 10, axis=0) + 1e-12 * rng.normal(size=(1500, 6))
    d2, idx, ok = _certificate(R, 5)
    assert bool(ok)
    nn, D = _brute_nn(R, R, 5, exclude_diag=True)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idx), nn))
    # twenty copies: the k-th and the k'-th candidates are both copies (a near tie): not certified, so the
    # block is recomputed in float64 and the answer is that of precision="exact"
    R20 = np.repeat(base[:75], 20, axis=0) + 1e-12 * rng.normal(size=(1500, 6))
    assert not bool(_certificate(R20, 5)[2])
    d2a, idxa = knn(jnp.asarray(R20), 5, block_size=128)
    d2e, idxe = knn(jnp.asarray(R20), 5, block_size=128, precision="exact")
    np.testing.assert_array_equal(np.asarray(idxa), np.asarray(idxe))
    # one extreme outlier squeezes the other rows into a tiny float32 range: certificate fails, answer stays exact
    R2 = rng.normal(size=(1500, 6))
    R2[0] *= 1e9
    assert not bool(_certificate(R2, 5)[2])
    d2, idx = knn(jnp.asarray(R2), 5, block_size=128)
    nn, _ = _brute_nn(R2, R2, 5, exclude_diag=True)
    assert all(set(a) == set(b) for a, b in zip(np.asarray(idx), nn))


def test_knn_rejects_unknown_precision():
    with pytest.raises(ValueError, match="precision"):
        knn(jnp.ones((10, 2)), 2, block_size=4, precision="half")


def test_auto_block_bounds_memory():
    assert auto_block_size(100_000, 100_000) * 100_000 <= 64 * 100_000  # 64 rows at most when n_ref is large
    assert auto_block_size(100_000, 1_000) * 1_000 <= 2**20
    assert auto_block_size(10, 100_000) == 64 or auto_block_size(10, 100_000) == 10


# ----------------------------------------------------------------------------- hypothesis: every sampler, one test


@st.composite
def imbalanced_datasets(draw):
    """Binary data sets: majority 40 rows, minority 8 or 12, d = 2, any separation, scale and seed.

    Shapes come from a small set so the jitted programs compile once per shape.
    """
    n1 = draw(st.sampled_from([8, 12]))
    d = 2
    seed = draw(st.integers(0, 2**31 - 1))
    shift = draw(st.floats(0.0, 6.0))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal(size=(40, d)), rng.normal(size=(n1, d)) + shift] * scale
    X[:, 0] = np.round(X[:, 0] / scale)  # a column with repeated values (categorical for SMOTE-NC)
    return X, np.r_[np.zeros(40, int), np.ones(n1, int)]


@pytest.mark.parametrize("name", list(ALL_SAMPLERS))
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=imbalanced_datasets(), n_syn=st.sampled_from([0, 17]))
def test_every_sampler_on_hypothesis_data(name, data, n_syn):
    X, y = data
    Xr, yr = ALL_SAMPLERS[name](random_state=0, n_synthetic=n_syn).fit_resample(X, y)
    n1 = int(y.sum())
    assert Xr.shape == (len(X) + n_syn, X.shape[1]) and np.bincount(yr, minlength=2).tolist() == [40, n1 + n_syn]
    np.testing.assert_array_equal(Xr[: len(X)], X)
    S, P = Xr[len(X):], X[y == 1]
    assert np.all(np.isfinite(S))
    if name in SEGMENT_SAMPLERS + ("random",):  # inside the minority's bounding box
        span = P.max(0) - P.min(0)
        assert np.all(S >= P.min(0) - 1e-9 * (1 + span)) and np.all(S <= P.max(0) + 1e-9 * (1 + span))


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "make, k",
    [
        (lambda: SMOTESampler(k_neighbors=5), 5),
        (lambda: BorderlineSMOTESampler(k_neighbors=5), 5),
        (lambda: BorderlineSMOTESampler(k_neighbors=5, kind=2), 5),
        (lambda: ADASYNSampler(n_neighbors=5), 5),
        (lambda: SMOTENCSampler([0], k_neighbors=5), 5),
    ],
)
def test_too_few_minority_rows(make, k):
    X, y = _overlapping(n0=30, n1=k)  # n_minority == k
    with pytest.raises(ValueError, match=f"at least {k + 1}"):
        make().fit_resample(X, y)


# Plain random oversampling (shrinkage=None) copies rows, so like imbalanced-learn's it takes any
# column and NaN: see test_random_oversampling_copies_any_column.
@pytest.mark.parametrize("name", [n for n in ALL_SAMPLERS if n not in ("smote-nc", "random")])
def test_numeric_only_samplers_reject_categorical_columns(name):
    X, y = _overlapping()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["c"] = np.where(X[:, 2] > 0, "hi", "lo")
    with pytest.raises(ValueError, match=r"numeric columns only.*\['c'\]"):
        ALL_SAMPLERS[name]().fit_resample(df, y)
    with pytest.raises(ValueError, match=r"numeric columns only.*\[2\]"):
        ALL_SAMPLERS[name]().fit_resample(df.to_numpy(), y)


@pytest.mark.parametrize("name", [n for n in ALL_SAMPLERS if n != "random"])
def test_nan_is_rejected(name):
    X, y = _overlapping()
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ALL_SAMPLERS[name]().fit_resample(X, y)


def test_random_oversampling_copies_any_column():
    X, y = _overlapping()
    X[3, 1] = np.nan
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["c"] = np.where(X[:, 2] > 0, "hi", "lo")
    Xr, yr = RandomOversamplingSampler(random_state=0).fit_resample(df, y)
    pd.testing.assert_frame_equal(Xr.iloc[: len(df)], df)
    new = Xr.iloc[len(df):]
    # every synthetic row is a copy of a minority row (NaN and strings included)
    minority = {tuple(map(str, r)) for r in df[y == 1].itertuples(index=False)}
    assert {tuple(map(str, r)) for r in new.itertuples(index=False)} <= minority
    with pytest.raises(ValueError, match="NaN"):  # smoothing needs numbers
        RandomOversamplingSampler(shrinkage=0.5, random_state=0).fit_resample(X, y)


def test_bad_parameters():
    X, y = _overlapping()
    with pytest.raises(ValueError):
        BorderlineSMOTESampler(kind=3).fit_resample(X, y)
    with pytest.raises(ValueError, match="requires some numerical features"):
        SMOTENCSampler([0, 1, 2]).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"categorical_features=\[7\]: all features must be in"):
        SMOTENCSampler([7]).fit_resample(X, y)
    with pytest.raises(ValueError, match="covariance_type"):
        make_generator("gmm", covariance_type="spherical")
    with pytest.raises(ValueError, match="fallback"):
        make_generator("adasyn", fallback="ignore")


def test_smoothed_bootstrap_imblearn_bandwidth():
    """``bandwidth="imblearn"``: the total row count and ddof=0 (imbalanced-learn's rule), here with
    the mixture variance it implies, and the sampler against imbalanced-learn's smoothed
    RandomOverSampler (same rule, different streams: compared in distribution)."""
    from imblearn.over_sampling import RandomOverSampler

    rng = np.random.default_rng(11)
    X1 = rng.normal(size=(30, 2)) * [1.0, 2.0]
    X0 = rng.normal(size=(170, 2))
    n = 40_000
    S = np.asarray(make_generator("smoothed-bootstrap", bandwidth="imblearn")(jax.random.key(0), X1, n, X_majority=X0))
    h = silverman_factor(200, 2)
    expected = X1.var(axis=0) * (1 + h**2)
    # sd of a sample variance from n near-Gaussian draws ~ var * sqrt(2 / n) (1.5 for the mixture's
    # kurtosis); 5 sd per column: false-failure rate below 1e-6
    np.testing.assert_allclose(S.var(axis=0), expected, rtol=5 * np.sqrt(2 / n) * 1.5)
    assert silverman_factor(200, 2) < silverman_factor(30, 2)  # narrower than the class rule
    with pytest.raises(ValueError, match="bandwidth must be 'class' or 'imblearn'"):
        make_generator("smoothed-bootstrap", bandwidth="total")
    # the sampler with the option against imbalanced-learn, pooled over seeds: per-column
    # variances of the synthetic rows agree within 5 MC standard errors (Bonferroni-safe at 2 columns)
    X = np.r_[X0, X1]
    y = np.r_[np.zeros(170, int), np.ones(30, int)]
    ours = np.concatenate([SmoothedBootstrapSampler(bandwidth="imblearn", random_state=s).fit_resample(X, y)[0][200:]
                           for s in range(60)])
    theirs = np.concatenate([RandomOverSampler(shrinkage=1.0, random_state=s).fit_resample(X, y)[0][200:]
                             for s in range(60)])
    m = len(ours)
    np.testing.assert_allclose(ours.var(axis=0), theirs.var(axis=0), rtol=5 * np.sqrt(4 / m) * 1.5)
    np.testing.assert_allclose(ours.var(axis=0), expected, rtol=5 * np.sqrt(2 / m) * 1.5)
