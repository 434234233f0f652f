"""The cleaning rules of :mod:`synthaug.core.cleaning` (Tomek links, Wilson's ENN).

Checked exactly: against a brute-force NumPy reference (full distance matrix, argsort) on
tie-free data, dense and blocked kNN paths, and against imbalanced-learn's ``TomekLinks`` /
``EditedNearestNeighbours`` (kept indices equal) on the same data. Data are continuous
Gaussians, so distance ties have probability zero.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks

from synthaug.core.cleaning import enn_flags, enn_flags_from_neighbours, tomek_links, tomek_links_from_neighbours


def _data(seed, n=(60, 30, 20), d=2, shift=1.0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(m, d)) + shift * c for c, m in enumerate(n)])
    y = np.concatenate([np.full(m, c) for c, m in enumerate(n)])
    return X, y


def _reference_neighbours(X, k):
    D = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    return np.argsort(D, axis=1, kind="stable")[:, :k]


def _reference_tomek(X, y):
    nn = _reference_neighbours(X, 1)[:, 0]
    return np.array([y[nn[i]] != y[i] and nn[nn[i]] == i for i in range(len(y))])


def _reference_enn(X, y, k, kind_sel):
    nb = _reference_neighbours(X, k)
    out = []
    for i in range(len(y)):
        labels = y[nb[i]]
        if kind_sel == "all":
            out.append(bool(np.any(labels != y[i])))
        else:
            values, counts = np.unique(labels, return_counts=True)  # sorted: ties go to the smallest
            out.append(values[np.argmax(counts)] != y[i])
    return np.array(out)


@pytest.mark.parametrize("seed", range(3))
def test_tomek_links_equal_the_brute_force_reference(seed):
    X, y = _data(seed)
    np.testing.assert_array_equal(np.asarray(tomek_links(X, y)), _reference_tomek(X, y))


@pytest.mark.parametrize("kind_sel", ["all", "mode"])
@pytest.mark.parametrize("k", [1, 3, 4])
def test_enn_flags_equal_the_brute_force_reference(k, kind_sel):
    for seed in range(3):
        X, y = _data(seed)
        np.testing.assert_array_equal(np.asarray(enn_flags(X, y, k, kind_sel)), _reference_enn(X, y, k, kind_sel))


def test_blocked_knn_path_gives_the_same_flags():
    X, y = _data(7, n=(1500, 400, 250), d=3)  # 2150**2 > 2**22 distances: the blocked kNN runs
    np.testing.assert_array_equal(np.asarray(tomek_links(X, y)), _reference_tomek(X, y))
    np.testing.assert_array_equal(np.asarray(enn_flags(X, y, 3, "mode")), _reference_enn(X, y, 3, "mode"))


@pytest.mark.parametrize("strategy", ["all", "auto", "majority"])
def test_tomek_links_agree_with_imbalanced_learn(strategy):
    from imblearn.utils import check_sampling_strategy

    for seed in range(3):
        X, y = _data(seed)
        ref = TomekLinks(sampling_strategy=strategy)
        ref.fit_resample(X, y)
        classes = list(check_sampling_strategy(strategy, y, "clean-sampling"))
        kept = np.flatnonzero(~(np.asarray(tomek_links(X, y)) & np.isin(y, classes)))
        np.testing.assert_array_equal(kept, ref.sample_indices_)


@pytest.mark.parametrize("kind_sel", ["all", "mode"])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_enn_agrees_with_imbalanced_learn(k, kind_sel):
    for seed in range(3):
        X, y = _data(seed)
        ref = EditedNearestNeighbours(sampling_strategy="all", n_neighbors=k, kind_sel=kind_sel)
        ref.fit_resample(X, y)
        flags = np.asarray(enn_flags(X, y, k, kind_sel))
        kept = np.concatenate([np.flatnonzero((y == c) & ~flags) for c in np.unique(y)])
        np.testing.assert_array_equal(kept, ref.sample_indices_)


def test_from_neighbour_tables():
    nn = jnp.array([1, 0, 3, 2, 2])
    y = jnp.array([0, 1, 1, 1, 0])
    assert tomek_links_from_neighbours(nn, y).tolist() == [True, True, False, False, False]
    nbrs = jnp.array([[1, 2, 3], [0, 2, 3], [3, 1, 0], [2, 1, 0], [0, 1, 2]])
    assert enn_flags_from_neighbours(nbrs, y, "all").tolist() == [True, True, True, True, True]
    # row 0: labels (1, 1, 1) -> mode 1 != 0; row 4: labels (0, 1, 1) -> mode 1 != 0; row 2: (1, 1, 0) -> 1
    assert enn_flags_from_neighbours(nbrs, y, "mode").tolist() == [True, False, False, False, True]
    # a 1-1-1 tie among three labels goes to the smallest label
    assert enn_flags_from_neighbours(jnp.array([[1, 2, 3]]*4), jnp.array([0, 0, 1, 2]), "mode").tolist()[0] is False


def test_runs_under_jit_and_vmap():
    X, y = _data(0)
    Xs = jnp.stack([jnp.asarray(X), jnp.asarray(X) * 2.0 + 1.0])  # a scaled copy: the same neighbours
    t = jax.jit(jax.vmap(tomek_links, in_axes=(0, None)))(Xs, y)
    e = jax.jit(jax.vmap(lambda x: enn_flags(x, y, 3, "all")))(Xs)
    np.testing.assert_array_equal(np.asarray(t[0]), _reference_tomek(X, y))
    np.testing.assert_array_equal(np.asarray(t[0]), np.asarray(t[1]))
    np.testing.assert_array_equal(np.asarray(e[1]), _reference_enn(X, y, 3, "all"))


def test_bad_input_names_the_parameter():
    X, y = _data(0)
    with pytest.raises(ValueError, match="kind_sel"):
        enn_flags(X, y, 3, "majority")
    with pytest.raises(ValueError, match="n_neighbors"):
        enn_flags(X, y, 0)
    with pytest.raises(ValueError, match="n_neighbors"):
        enn_flags(X[:3], y[:3], 3)
    with pytest.raises(ValueError, match="n_neighbors"):
        enn_flags(X, y, 2.5)
    with pytest.raises(ValueError, match="y must have one label per row"):
        tomek_links(X, y[:-1])
    with pytest.raises(ValueError, match="2-D"):
        tomek_links(X[:, 0], y)
    with pytest.raises(ValueError, match="at least 2 rows"):
        tomek_links(X[:1], y[:1])
    with pytest.raises(ValueError, match="kind_sel"):
        enn_flags_from_neighbours(jnp.zeros((2, 1), int), jnp.zeros(2, int), "any")
