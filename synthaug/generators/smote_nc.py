r"""SMOTE-NC: SMOTE for mixed numeric and categorical columns (Chawla et al., JAIR 2002, §6.1).

Let ``Med`` be the median of the standard deviations (``ddof=0``) of the
numeric columns of the minority. The distance between two minority rows is the
Euclidean distance on the numeric columns plus ``Med²`` for every categorical
column on which they differ:

.. math:: d(a, b)^2 = \sum_{j\,\text{numeric}} (a_j - b_j)^2 + \mathrm{Med}^2 \sum_{c\,\text{categorical}} [a_c \ne b_c].

synthaug computes it with the shared kNN (:mod:`synthaug.core.knn`) on numeric
columns next to one-hot columns scaled by :math:`\mathrm{Med}/\sqrt 2` (two
one-hot entries differ on a mismatch, :math:`2 (\mathrm{Med}/\sqrt2)^2 = \mathrm{Med}^2`).
A synthetic row takes a seed :math:`i` uniform on the minority and a neighbour
:math:`j` uniform among its ``k`` nearest; numeric columns are
:math:`x_i + u (x_j - x_i)`, :math:`u \sim U(0,1)` (one ``u`` per row, as in
SMOTE); each categorical column takes the value most frequent among the ``k``
nearest neighbours of :math:`i` (the seed itself not counted), ties to the
smallest value.

Input: one float array whose categorical columns hold category codes (any
finite numbers; :class:`synthaug.estimators.oversamplers.SMOTENCSampler` maps strings to
codes and back). The categorical encoding is done on the host, so this
generator needs concrete arrays (it cannot run under ``jit``/``vmap``). At
least one numeric column is required (all-categorical data is SMOTE-N's case,
not implemented).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.validation import check_int
from synthaug.core.validation import is_concrete
from synthaug.generators._neighbours import host_neighbours
from synthaug.generators.basic import Generator
from synthaug.core.knn import default_block_size, knn

__all__ = ["smote_nc", "smote_nc_with_parents", "check_categorical_features", "median_std"]


def check_categorical_features(categorical_features, d: int) -> np.ndarray:
    """Column indices (sorted, unique, in range) from indices or a boolean mask; ValueError otherwise."""
    cat = np.asarray(categorical_features)
    if cat.dtype == bool:
        if cat.shape != (d,):
            raise ValueError(f"a boolean categorical_features mask needs {d} entries; got {cat.shape}")
        cat = np.flatnonzero(cat)
    if cat.size == 0:
        raise ValueError(_NO_CATEGORICAL)
    if not np.issubdtype(cat.dtype, np.integer):
        raise ValueError(f"categorical_features must be column indices or a boolean mask; got {categorical_features!r}")
    if cat.min() < 0 or cat.max() >= d:
        raise ValueError(f"categorical_features {cat.tolist()} out of range: all features must be in [0, {d - 1}]")
    cat = np.unique(cat)
    if cat.size == d:
        raise ValueError(_ALL_CATEGORICAL.format(d=d))
    return cat


#: The two "wrong kind of columns" errors, worded as imbalanced-learn words them (plus what to do).
_NO_CATEGORICAL = ("categorical_features selects no column: SMOTE-NC is not designed to work only with numerical "
                   "features. It requires some categorical features; use SMOTE for numeric data")
_ALL_CATEGORICAL = ("categorical_features selects all {d} columns: SMOTE-NC is not designed to work only with "
                    "categorical features. It requires some numerical features (all-categorical data is SMOTE-N's case)")


def median_std(X_numeric) -> float:
    """``Med``: the median of the numeric columns' standard deviations (``ddof=0``)."""
    return float(np.median(np.std(np.asarray(X_numeric, dtype=float), axis=0)))


@partial(jax.jit, static_argnames=("n", "k"))
def _draw(key, Xnum, codes, nbrs, n: int, k: int):
    n1 = Xnum.shape[0]
    k_base, k_nb, k_u = jax.random.split(key, 3)
    i = jax.random.randint(k_base, (n,), 0, n1)
    j = nbrs[i, jax.random.randint(k_nb, (n,), 0, k)]
    u = jax.random.uniform(k_u, (n, 1), Xnum.dtype)
    num = Xnum[i] + u * (Xnum[j] - Xnum[i])
    V = codes[nbrs[i]]  # (n, k, c)
    votes = jnp.sum(V[:, :, None, :] == V[:, None, :, :], axis=2)  # (n, k, c)
    best = jnp.max(votes, axis=1, keepdims=True)
    big = jnp.iinfo(V.dtype).max
    cat = jnp.min(jnp.where(votes == best, V, big), axis=1)  # most frequent, ties to the smallest code
    return num, cat, i, j, u[:, 0]


def smote_nc_with_parents(key, X1, n: int, categorical_features, k: int = 5, nn_estimator=None):
    """SMOTE-NC draws with parents: ``(X_syn, i, j, u)`` (see the module docstring).

    With ``nn_estimator`` (an object with ``kneighbors``, e.g. a clone of
    ``NearestNeighbors(n_neighbors=k + 1)``), the neighbours are that estimator's on the
    same encoded matrix (numeric columns next to the scaled one-hot columns), fitted on
    the host, first neighbour dropped; ``k`` is then its width and the argument ``k`` is
    ignored.
    """
    if not is_concrete(X1):
        raise ValueError("SMOTE-NC encodes categories on the host and cannot run under jit/vmap; pass concrete arrays")
    X1 = np.asarray(X1)
    n1, d = X1.shape
    cat = check_categorical_features(categorical_features, d)
    if nn_estimator is None and n1 < k + 1:
        raise ValueError(f"SMOTE-NC with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    num = np.setdiff1d(np.arange(d), cat)
    Xnum = X1[:, num]
    med = median_std(Xnum)
    uniques, codes = [], np.empty((n1, cat.size), np.int32)
    onehots = []
    for c_pos, c in enumerate(cat):
        u_c, inv = np.unique(X1[:, c], return_inverse=True)
        uniques.append(u_c)
        codes[:, c_pos] = inv
        onehots.append(np.eye(u_c.size, dtype=X1.dtype)[inv] * (med / np.sqrt(2.0)))
    F = np.concatenate([Xnum, *onehots], axis=1)
    if nn_estimator is None:
        _, nbrs = knn(jnp.asarray(F), k, block_size=default_block_size(n1, n1))
    else:
        nbrs = jnp.asarray(host_neighbours(nn_estimator, F, F))
        k = nbrs.shape[1]
    num_s, cat_s, i, j, u = _draw(key, jnp.asarray(Xnum), jnp.asarray(codes), nbrs, n, k)
    out = np.empty((n, d), X1.dtype)
    out[:, num] = np.asarray(num_s)
    cat_s = np.asarray(cat_s)
    for c_pos, c in enumerate(cat):
        out[:, c] = uniques[c_pos][cat_s[:, c_pos]]
    return jnp.asarray(out), i, j, u


def smote_nc(categorical_features, k: int = 5, name: str = "smote-nc") -> Generator:
    """SMOTE-NC generator over columns ``categorical_features`` (indices or a boolean mask)."""
    k = check_int(k, "k")
    cat = np.asarray(categorical_features)
    if cat.size == 0:
        raise ValueError(_NO_CATEGORICAL)

    def fn(key, X1, n):
        return smote_nc_with_parents(key, X1, n, cat, k)[0]

    return Generator(name, fn, min_rows=k + 1, traceable=False)
