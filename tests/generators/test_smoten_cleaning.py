"""The generators ``"smoten"``, ``"smote-tomek"`` and ``"smote-enn"`` beyond the registry contract.

Exact checks: the VDM against imbalanced-learn's ``ValueDifferenceMetric``; SMOTE-N rows
against a NumPy reference that uses the same seeds (tie-free data); the cleaned SMOTE pool
against a brute-force NumPy cleaning of the same pool. One statistical check: the number of
synthetic rows the cleaning removes agrees in distribution with imbalanced-learn's
``SMOTETomek`` / ``SMOTEENN`` on the same data (Welch t on 40 + 40 seeds, Bonferroni over
the 2 rules at family level 1e-3, so a correct implementation fails with probability below
1e-3).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from imblearn.metrics.pairwise import ValueDifferenceMetric
from scipy import stats

from synthaug.generators import make_generator
from synthaug.generators.basic import _smote_draw
from synthaug.generators.smote_cleaning import cleaned_smote_pool
from synthaug.generators.smoten import _np_probabilities, value_counts, vdm_distances, vdm_embedding


def categorical(seed=0, n1=40, n0=120, d=4, m=4, classes=2):
    """Codes with class-dependent category laws: rows of class 1 first, then the others."""
    rng = np.random.default_rng(seed)
    laws = rng.dirichlet(np.ones(m), size=(classes, d))
    sizes = [n1] + [n0 // (classes - 1)] * (classes - 1)
    X = [np.stack([rng.choice(m, s, p=laws[c, f]) for f in range(d)], 1) for c, s in enumerate(sizes)]
    labels = [1, 0, *range(2, classes)]  # the first block is class 1
    y = np.concatenate([np.full(s, labels[c]) for c, s in enumerate(sizes)])
    return np.vstack(X), y


def _vdm(X, y):
    return ValueDifferenceMetric(n_categories=X.max(0) + 1).fit(X, y)


def test_value_counts_match_numpy():
    rng = np.random.default_rng(0)
    R, Q = rng.integers(0, 4, (30, 3)).astype(float), rng.integers(0, 5, (10, 3)).astype(float)
    want = np.array([[np.sum(R[:, f] == Q[i, f]) for f in range(3)] for i in range(10)])
    np.testing.assert_array_equal(np.asarray(value_counts(R, Q)), want)
    assert np.asarray(value_counts(np.zeros((0, 3)), Q)).sum() == 0  # no reference rows


def test_two_class_embedding_is_imbalanced_learns_vdm():
    X, y = categorical()
    X1, X0 = X[y == 1], X[y == 0]
    q = np.asarray(vdm_embedding(X1.astype(float), X0.astype(float)))
    D = ((q[:, None] - q[None]) ** 2).sum(-1)
    np.testing.assert_allclose(D, _vdm(X, y).pairwise(X1), rtol=1e-12, atol=1e-12)


def test_multiclass_vdm_is_imbalanced_learns():
    X, y = categorical(classes=3)
    classes, codes = np.unique(y, return_inverse=True)
    rows = np.flatnonzero(y == 1)
    P = _np_probabilities(X, codes, classes.size, rows)
    np.testing.assert_allclose(np.asarray(vdm_distances(jnp.asarray(P))), _vdm(X, y).pairwise(X[rows]),
                               rtol=1e-12, atol=1e-12)


def _ambiguous_ties(X1, D, k):
    """Rows whose k-th neighbour distance is tied with a row outside the k that holds other values."""
    bad = 0
    for i in range(len(X1)):
        d = D[i].copy()
        d[i] = -1.0
        order = np.argsort(d, kind="stable")
        tied = np.flatnonzero(np.abs(d - d[order[k]]) < 1e-12)
        if set(tied) - set(order[1:k + 1]) and len({tuple(X1[j]) for j in tied}) > 1:
            bad += 1
    return bad


def test_smoten_rows_equal_a_numpy_reference():
    X, y = categorical()
    X1, X0 = X[y == 1].astype(float), X[y == 0].astype(float)
    k, n = 5, 300
    D = _vdm(X, y).pairwise(X[y == 1])
    assert _ambiguous_ties(X1, D, k) == 0  # precondition: the neighbour *values* do not depend on tie-breaking
    assert len({tuple(r) for r in X1}) < len(X1)  # duplicate rows are present (distance-0 ties)
    key = jax.random.key(3)
    out = np.asarray(make_generator("smoten", k=k)(key, X1, n, X_majority=X0))
    seeds = np.asarray(jax.random.randint(jax.random.split(key)[1], (n,), 0, X1.shape[0]))
    want = np.empty((n, X1.shape[1]))
    for r, i in enumerate(seeds):
        d = D[i].copy()
        d[i] = -1.0  # the seed votes first
        votes = X1[np.argsort(d, kind="stable")[:k + 1]]
        for f in range(X1.shape[1]):
            values, counts = np.unique(votes[:, f], return_counts=True)
            want[r, f] = values[np.argmax(counts)]  # most frequent, ties to the smallest value
    np.testing.assert_array_equal(out, want)


def test_smoten_vote_ties_go_to_the_smallest_value_and_the_seed_votes():
    # one feature; k=1: the seed and its one neighbour vote, a 1-1 tie -> the smaller value
    X1 = np.array([[2.0], [5.0]])
    X0 = np.array([[2.0], [5.0], [5.0]])
    out = np.asarray(make_generator("smoten", k=1)(jax.random.key(0), X1, 50, X_majority=X0))
    np.testing.assert_array_equal(out, 2.0)
    # k=2 with three rows: the seed's value wins only when it is one of two equal values
    X1 = np.array([[1.0], [1.0], [7.0]])
    out = np.asarray(make_generator("smoten", k=2)(jax.random.key(1), X1, 50, X_majority=X0))
    np.testing.assert_array_equal(out, 1.0)


def test_smoten_values_are_minority_values_and_it_traces():
    X, y = categorical(d=3, m=5)
    X1, X0 = X[y == 1].astype(float), X[y == 0].astype(float)
    gen = make_generator("smoten", k=3)
    out = np.asarray(gen(jax.random.key(0), X1, 200, X_majority=X0))
    for f in range(3):
        assert set(out[:, f]) <= set(X1[:, f])
    batched = jax.jit(jax.vmap(lambda k: gen(k, X1, 200, X_majority=X0)))(jax.random.split(jax.random.key(0), 2))
    np.testing.assert_array_equal(np.asarray(batched[0]), np.asarray(gen(jax.random.split(jax.random.key(0), 2)[0],
                                                                        X1, 200, X_majority=X0)))


def _gauss(seed=0, n1=30, n0=90, d=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n1, d)) + 1.0, rng.normal(size=(n0, d))


def _reference_flags(U, yU, rule, k=3):
    D = ((U[:, None] - U[None]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    nb = np.argsort(D, axis=1, kind="stable")
    if rule == "tomek":
        nn = nb[:, 0]
        return (yU[nn] != yU) & (nn[nn] == np.arange(len(yU)))
    return np.any(yU[nb[:, :k]] != yU[:, None], axis=1)


@pytest.mark.parametrize("rule", ["tomek", "enn"])
def test_cleaned_pool_equals_a_brute_force_cleaning(rule):
    X1, X0 = _gauss()
    n, key = 60, jax.random.key(5)
    gen = make_generator("smote-tomek" if rule == "tomek" else "smote-enn", k=5)
    out = np.asarray(gen(key, X1, n, X_majority=X0))
    pool = np.asarray(_smote_draw(jax.random.split(key)[0], jnp.asarray(X1), n, 5)[0])
    U = np.vstack([X1, X0, pool])
    yU = np.r_[np.ones(len(X1), int), np.zeros(len(X0), int), np.ones(n, int)]
    keep = ~_reference_flags(U, yU, rule)[len(X1) + len(X0):]
    s = int(keep.sum())
    assert 0 < s < n  # the rule removed some but not all synthetic rows
    np.testing.assert_array_equal(out[:s], pool[keep])  # the survivors first, in pool order
    survivors = {tuple(r) for r in pool[keep]}
    assert all(tuple(r) in survivors for r in out[s:])  # then survivors resampled
    assert int(cleaned_smote_pool(key, X1, X0, n, 5, rule)[1]) == s


def _entangled():
    X1 = np.linspace(0.0, 5.0, 6)[:, None]
    X0 = np.arange(-1.0, 6.0, 0.001)[:, None]  # a majority row every 0.001 along the minority's range
    return X1, X0


@pytest.mark.parametrize("name", ["smote-tomek", "smote-enn"])
def test_no_survivor_raises_when_concrete_and_gives_nan_when_traced(name):
    X1, X0 = _entangled()
    gen = make_generator(name, k=3)
    with pytest.raises(ValueError, match="removed all 3 synthetic rows"):
        gen(jax.random.key(0), X1, 3, X_majority=X0)
    traced = jax.jit(lambda k: gen(k, X1, 3, X_majority=X0))(jax.random.key(0))
    assert np.all(np.isnan(np.asarray(traced)))
    assert np.asarray(gen(jax.random.key(0), X1, 0, X_majority=X0)).shape == (0, 1)


def test_bad_parameters_name_the_parameter():
    with pytest.raises(ValueError, match="kind_sel"):
        make_generator("smote-enn", kind_sel="majority")
    with pytest.raises(ValueError, match="n_neighbors"):
        make_generator("smote-enn", n_neighbors=0)
    for name in ("smoten", "smote-tomek", "smote-enn"):
        with pytest.raises(ValueError, match="k"):
            make_generator(name, k=0)
    with pytest.raises(ValueError, match="rule"):
        cleaned_smote_pool(jax.random.key(0), *_gauss(), 5, rule="cnn")
    with pytest.raises(ValueError, match="needs the majority"):
        make_generator("smoten")(jax.random.key(0), np.zeros((8, 2)), 3)


def test_removed_synthetic_rows_agree_with_imbalanced_learn_in_distribution():
    """Synthetic rows removed: the generator's pool against imbalanced-learn's combined samplers.

    Same data (30 minority, 90 majority rows), 40 seeds each; Welch t on the mean count
    removed, two rules, Bonferroni at family level 1e-3.
    """
    from imblearn.combine import SMOTEENN, SMOTETomek

    X1, X0 = _gauss(seed=1)
    X = np.vstack([X0, X1])
    y = np.r_[np.zeros(len(X0), int), np.ones(len(X1), int)]
    n, n_real, reps, alpha = len(X0) - len(X1), len(y), 40, 1e-3
    for rule, cls, attr in (("tomek", SMOTETomek, "tomek_"), ("enn", SMOTEENN, "enn_")):
        ours = np.array([n - int(cleaned_smote_pool(jax.random.key(s), X1, X0, n, 5, rule)[1]) for s in range(reps)])
        theirs = []
        for s in range(reps):
            sampler = cls(random_state=s)
            sampler.fit_resample(X, y)
            theirs.append(n - int(np.sum(getattr(sampler, attr).sample_indices_ >= n_real)))
        p = stats.ttest_ind(ours, np.array(theirs), equal_var=False).pvalue
        assert p > alpha / 2, (rule, ours.mean(), np.mean(theirs), p)
