"""SVM-SMOTE and KMeans-SMOTE generators: the rules of each method, exactly, and their laws.

Stochastic tests use fixed keys; each tolerance is a multiple of a Monte Carlo standard error
derived in the test, with the false-failure rate stated (all below 1e-5).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.spatial.distance import pdist
from scipy.stats import norm

from synthaug.config import x64
from synthaug.generators import make_generator
from synthaug.generators._neighbours import NoSeedRowsError, neighbours_in_all, neighbours_in_minority
from synthaug.generators.basic import smote
from synthaug.generators.kmeans_smote import (
    NoValidClusterError,
    cluster_weights,
    kmeans,
    kmeans_smote,
    kmeans_smote_from_labels,
    kmeans_smote_with_parents,
)
from synthaug.generators.svm_smote import (
    svm_smote,
    svm_smote_from_tables,
    svm_smote_with_parents,
    svm_support_mask,
)


@pytest.fixture(autouse=True)
def _float64():
    with x64():
        yield


def _overlap(seed=0, n1=30, n0=90):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n1, 2)) + 1.0, rng.normal(size=(n0, 2))


# --------------------------------------------------------------------------- SVM-SMOTE


def test_svm_smote_rows_follow_the_rules():
    X1, X0 = _overlap()
    n, k, m, out_step = 400, 5, 10, 0.5
    Xs, seed, j, step, danger, safe = map(np.asarray, svm_smote_with_parents(jax.random.key(0), X1, X0, n, k, m, out_step))
    sv = svm_support_mask(X1, X0)
    n_maj = np.sum(np.asarray(neighbours_in_all(jnp.asarray(X1), jnp.asarray(X0), m)) >= len(X1), axis=1)
    # the groups: support vectors, noise (all m neighbours majority) dropped, danger >= m/2
    np.testing.assert_array_equal(danger, sv & (n_maj < m) & (2 * n_maj >= m))
    np.testing.assert_array_equal(safe, sv & (2 * n_maj < m))
    assert danger.any() and safe.any()
    # every row: seed + step * (partner - seed); partner among the seed's k minority neighbours
    np.testing.assert_allclose(Xs, X1[seed] + step[:, None] * (X1[j] - X1[seed]), rtol=1e-12, atol=1e-12)
    nn = np.asarray(neighbours_in_minority(jnp.asarray(X1), k))
    assert all(jj in nn[s] for s, jj in zip(seed, j))
    # danger seeds interpolate (step in [0, 1)), safe seeds extrapolate (step in (-out_step, 0])
    assert np.all(danger[seed] | safe[seed])
    assert np.all((step[danger[seed]] >= 0) & (step[danger[seed]] < 1))
    assert np.all((step[safe[seed]] <= 0) & (step[safe[seed]] > -out_step))
    # "beta" split: the danger rows come first
    first_safe = np.argmax(safe[seed])
    assert np.all(danger[seed[:first_safe]]) and np.all(safe[seed[first_safe:]])


def _tables():
    X1, X0 = _overlap()
    sv = svm_support_mask(X1, X0)
    n_maj = np.sum(np.asarray(neighbours_in_all(jnp.asarray(X1), jnp.asarray(X0), 10)) >= len(X1), axis=1)
    nn = np.asarray(neighbours_in_minority(jnp.asarray(X1), 5))
    return X1, sv, n_maj, nn


def _danger_share(split, reps=400, n=50):
    X1, sv, n_maj, nn = _tables()
    from synthaug.generators.svm_smote import _draw_from_tables

    keys = jax.random.split(jax.random.key(1), reps)
    draw = jax.vmap(lambda k: _draw_from_tables(k, jnp.asarray(X1), jnp.asarray(sv), jnp.asarray(n_maj),
                                                jnp.asarray(nn), 0.5, n, 10, split)[1])
    seeds = np.asarray(draw(keys))
    danger = sv & (n_maj < 10) & (2 * n_maj >= 10)
    safe = sv & (2 * n_maj < 10)
    return danger[seeds].mean(axis=1), danger.sum() / (danger.sum() + safe.sum())


def test_beta_split_share():
    # floor(f (n + 1)) danger rows, f ~ Beta(10, 10): E = (0.5 (n + 1) - 1/2) / n = 0.5 up to the floor's
    # average, sd(f) = sqrt(1/84) = 0.109; over 400 calls SE = 0.0055; 5 SE: false-failure rate 6e-7
    shares, _ = _danger_share("beta")
    assert abs(shares.mean() - 0.5) < 5 * np.sqrt(1 / 84 / len(shares)) + 0.5 / 50
    assert 0.01 < shares.std() < 0.2  # one share per call, not per row


def test_uniform_split_share():
    # seeds uniform over the kept support vectors: each row is a danger row w.p. p = n_danger / n_kept;
    # 400 x 50 Bernoulli(p) rows, SE = sqrt(p (1 - p) / 20000) <= 0.0036; 5 SE: false-failure rate 6e-7
    shares, p = _danger_share("uniform")
    assert abs(shares.mean() - p) < 5 * np.sqrt(p * (1 - p) / shares.size / 50)


def test_one_group_empty_gives_all_rows_from_the_other():
    X1, sv, n_maj, nn = _tables()
    only_danger = np.where(2 * n_maj >= 10, n_maj, 5)  # every kept support vector made a danger point
    Xs, seed, j, step, danger, safe = map(np.asarray, svm_smote_from_tables(
        jax.random.key(2), X1, sv, np.minimum(only_danger, 9), nn, 60, 10))
    assert Xs.shape == (60, 2) and not safe.any() and np.all(step >= 0)
    Xs, seed, j, step, danger, safe = map(np.asarray, svm_smote_from_tables(
        jax.random.key(2), X1, sv, np.zeros_like(n_maj), nn, 60, 10))
    assert Xs.shape == (60, 2) and not danger.any() and np.all(step <= 0)


def test_all_noise_fallbacks():
    X1, sv, n_maj, nn = _tables()
    noise = np.full_like(n_maj, 10)
    with pytest.raises(ValueError, match="SVM-SMOTE is not adapted to your dataset"):
        svm_smote_from_tables(jax.random.key(0), X1, sv, noise, nn, 10, 10)
    with pytest.raises(NoSeedRowsError):
        svm_smote_from_tables(jax.random.key(0), X1, sv, noise, nn, 10, 10, fallback="skip")
    Xs, seed, j, step, _, _ = map(np.asarray, svm_smote_from_tables(jax.random.key(0), X1, sv, noise, nn, 200, 10,
                                                                    fallback="smote"))
    assert np.all((step >= 0) & (step < 1)) and len(set(seed.tolist())) > 20  # plain SMOTE from every row


def test_svm_smote_under_jit_uses_the_host():
    X1, X0 = _overlap()
    gen = make_generator("svm-smote")
    assert not gen.traceable and gen.uses_majority
    eager = np.asarray(gen(jax.random.key(3), X1, 20, X_majority=X0))
    jitted = np.asarray(jax.jit(lambda k: gen(k, X1, 20, X_majority=X0))(jax.random.key(3)))
    np.testing.assert_array_equal(eager, jitted)


@pytest.mark.parametrize("params,word", [
    (dict(out_step=-0.1), "out_step"), (dict(out_step="big"), "out_step"), (dict(split="half"), "split"),
    (dict(fallback="ignore"), "fallback"), (dict(k=0), "k"), (dict(m=0), "m"),
])
def test_svm_smote_bad_parameters(params, word):
    with pytest.raises(ValueError, match=word):
        svm_smote(**params)


def test_svm_smote_sizes():
    X1, X0 = _overlap()
    with pytest.raises(ValueError, match="k \\+ 1"):
        svm_smote_with_parents(jax.random.key(0), X1[:4], X0, 5, k=5)
    with pytest.raises(ValueError, match="majority"):
        svm_smote_with_parents(jax.random.key(0), X1, X0[:0], 5)


# --------------------------------------------------------------------------- KMeans-SMOTE


def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    return np.concatenate([c + rng.normal(size=(40, 2)) for c in centres]), np.repeat(np.arange(3), 40)


def test_kmeans_finds_separated_blobs():
    X, truth = _blobs()
    for s in range(5):  # k-means++ on three far-apart blobs: one centre each (fixed keys)
        centres, labels, inertia = kmeans(jax.random.key(s), X, 3)
        labels = np.asarray(labels)
        assert all(len(set(labels[truth == b])) == 1 for b in range(3)) and len(set(labels)) == 3
        np.testing.assert_allclose(np.sort(np.asarray(centres)[:, 0]),
                                   np.sort([X[truth == b, 0].mean() for b in range(3)]), atol=1e-9)
        assert float(inertia) == pytest.approx(sum(((X[truth == b] - X[truth == b].mean(0)) ** 2).sum()
                                                   for b in range(3)))
    a = np.asarray(kmeans(jax.random.key(0), X, 3, n_init=3)[1])
    assert np.array_equal(a, np.asarray(kmeans(jax.random.key(0), X, 3, n_init=3)[1]))  # deterministic


def test_kmeans_identical_rows():
    centres, labels, inertia = kmeans(jax.random.key(0), np.ones((10, 3)), 4)
    assert np.all(np.isfinite(np.asarray(centres))) and float(inertia) == 0.0


def test_one_cluster_is_smote():
    X1, X0 = _overlap()
    key = jax.random.key(4)
    rows = kmeans_smote_with_parents(key, X1, X0, 50, k=5, n_clusters=1, cluster_balance_threshold=-np.inf)[0]
    np.testing.assert_array_equal(np.asarray(rows), np.asarray(smote(5)(jax.random.split(key)[1], X1, 50)))


def _clustered():
    """Three minority groups with given labels: dense (0), sparse (1), too small for k = 2 (2); cluster 3 majority."""
    rng = np.random.default_rng(5)
    X1 = np.concatenate([rng.normal(size=(20, 3)) * 0.5, 20 + rng.normal(size=(10, 3)) * 2.0, 40 + rng.normal(size=(2, 3))])
    labels1 = np.r_[np.zeros(20, int), np.ones(10, int), np.full(2, 2)]
    sizes = np.array([30, 15, 2, 50])  # all rows per cluster (minority shares 2/3, 2/3, 1, 0)
    return X1, labels1, sizes


@pytest.mark.parametrize("rule,exponent", [("features", None), ("imblearn", None), ("features", 3.0)])
def test_cluster_weights_match_the_formula(rule, exponent):
    X1, labels1, sizes = _clustered()
    valid, w = map(np.asarray, cluster_weights(X1, labels1, sizes, 2, 0.5, exponent, rule))
    np.testing.assert_array_equal(valid, [True, True, False, False])  # cluster 2 has 2 < k + 1 rows
    sparsity = []
    for c in (0, 1):
        rows = X1[labels1 == c]
        nc = len(rows)
        e = exponent if exponent is not None else (
            0.16 * (np.log(3) / np.log(1.6)) ** 1.8 if rule == "features" else 0.16 * (np.log(nc) / np.log(1.6)) ** 1.8)
        sparsity.append(pdist(rows).mean() ** e / nc)
    np.testing.assert_allclose(w[:2], np.array(sparsity) / sum(sparsity), rtol=1e-10)
    assert w[2] == w[3] == 0


def test_threshold_filters_clusters():
    X1, labels1, sizes = _clustered()
    valid, _ = cluster_weights(X1, labels1, sizes, 2, 0.7)
    assert not np.asarray(valid).any()  # shares 2/3 < 0.7; cluster 2 (share 1) too small
    valid, _ = cluster_weights(X1, labels1, np.array([30, 40, 2, 50]), 2, 0.5)
    np.testing.assert_array_equal(np.asarray(valid), [True, False, False, False])  # 10/40 < 0.5


def test_rows_stay_in_their_cluster_with_exact_counts():
    X1, labels1, sizes = _clustered()
    n = 301
    Xs, i, j, u, cl, valid, w = map(np.asarray, kmeans_smote_from_labels(jax.random.key(6), X1, labels1, sizes, n))
    assert Xs.shape == (n, 3)
    counts = np.bincount(cl, minlength=4)
    assert counts.sum() == n and np.all(np.abs(counts - n * w) < 1)  # largest remainder: exact total
    np.testing.assert_array_equal(labels1[i], cl)  # the base row is in the row's cluster
    np.testing.assert_array_equal(labels1[j], cl)  # and so is its partner
    assert np.all(np.diff(cl) >= 0)  # grouped by cluster
    np.testing.assert_allclose(Xs, X1[i] + u[:, None] * (X1[j] - X1[i]), rtol=1e-12, atol=1e-12)


def test_base_rows_uniform_within_a_cluster():
    # 20 000 rows in cluster 0 (20 rows): each base row has p = 1/20; a chi-square over the 20 counts
    # with 19 degrees of freedom exceeds its 1 - 1e-6 quantile (62.4) with probability 1e-6
    X1, labels1, sizes = _clustered()
    i, cl = map(np.asarray, kmeans_smote_from_labels(jax.random.key(7), X1, labels1, np.array([30, 40, 2, 50]),
                                                     20000)[1::3])
    counts = np.bincount(i, minlength=20)[:20]
    assert np.all(cl == 0)
    assert ((counts - 1000) ** 2 / 1000).sum() < 62.4


def test_no_valid_cluster_fallbacks():
    X1, labels1, sizes = _clustered()
    with pytest.raises(NoValidClusterError) as err:
        kmeans_smote_from_labels(jax.random.key(0), X1, labels1, sizes, 10, cluster_balance_threshold=0.9)
    assert isinstance(err.value, RuntimeError) and isinstance(err.value, ValueError)
    with pytest.raises(NoSeedRowsError):
        kmeans_smote_from_labels(jax.random.key(0), X1, labels1, sizes, 10, cluster_balance_threshold=0.9,
                                 fallback="skip")
    Xs, i, j, u, cl, valid, w = map(np.asarray, kmeans_smote_from_labels(
        jax.random.key(0), X1, labels1, sizes, 100, cluster_balance_threshold=0.9, fallback="smote"))
    nn = np.asarray(neighbours_in_minority(jnp.asarray(X1), 2))
    assert all(jj in nn[ii] for ii, jj in zip(i, j))  # plain SMOTE over the whole minority
    assert len(set(labels1[i].tolist())) > 1


def test_kmeans_smote_generator_under_vmap():
    X1, X0 = _overlap()
    X1 = X1 + 3.0  # a minority-rich region for some cluster
    gen = make_generator("kmeans-smote", n_clusters=3)
    assert gen.traceable and gen.uses_majority and gen.min_rows == 3
    keys = jax.random.split(jax.random.key(8), 3)
    batched = np.asarray(jax.jit(jax.vmap(lambda k: gen(k, X1, 30, X_majority=X0)))(keys))
    for b in range(3):
        np.testing.assert_allclose(batched[b], np.asarray(gen(keys[b], X1, 30, X_majority=X0)), atol=1e-12)


def test_kmeans_smote_accepts_numbers_for_auto_parameters():
    gen = make_generator("kmeans-smote", cluster_balance_threshold=0.2, density_exponent=2.0)
    X1, X0 = _overlap()
    X1 = X1 + 3.0
    assert gen(jax.random.key(0), X1, 7, X_majority=X0).shape == (7, 2)


@pytest.mark.parametrize("params,word", [
    (dict(density_exponent="big"), "density_exponent"), (dict(cluster_balance_threshold=float("nan")),
                                                          "cluster_balance_threshold"),
    (dict(auto_exponent="rows"), "auto_exponent"), (dict(fallback="none"), "fallback"), (dict(k=0), "k"),
    (dict(n_clusters=0), "n_clusters"),
])
def test_kmeans_smote_bad_parameters(params, word):
    with pytest.raises(ValueError, match=word):
        kmeans_smote(**params)


def test_normal_quantile_sanity():
    # the z used for the Bonferroni bounds of the sampler tests (documented there)
    assert norm.isf(1e-5 / 8) == pytest.approx(4.71, abs=0.01)
