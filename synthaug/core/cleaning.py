r"""Data-cleaning rules as pure JAX functions: Tomek links and Wilson's edited nearest neighbours.

Both rules flag rows of a labelled sample ``(X, y)`` from their Euclidean nearest
neighbours, found by the shared exact kNN (:func:`synthaug.core.knn.knn`, each row excluded
from its own list; dense for small samples, blocked beyond 2**22 distances). ``y`` holds
integer class codes (``0 .. C-1``, e.g. ``np.unique(y, return_inverse=True)[1]``); codes in
the labels' sorted order make the ``"mode"`` tie rule below the same as imbalanced-learn's.

* **Tomek links** (Tomek, 1976 [1]_): rows ``i`` and ``j`` form a link when each is the other's
  nearest neighbour and their labels differ. :func:`tomek_links` flags every row that is
  part of a link; imbalanced-learn's :class:`~imblearn.under_sampling.TomekLinks` removes
  the flagged rows of the classes its ``sampling_strategy`` selects (``"all"``: both rows
  of every link, the setting of SMOTE + Tomek, Batista, Prati & Monard, 2004 [3]_).
* **Edited nearest neighbours** (ENN, Wilson, 1972 [2]_): :func:`enn_flags` flags a row whose
  ``n_neighbors`` nearest neighbours (default 3) disagree with its label. Two readings, as
  imbalanced-learn's ``kind_sel``: ``"all"`` (its default) flags a row unless *all* of its
  neighbours share its label; ``"mode"`` flags it when the most frequent neighbour label
  (ties to the smallest code, as :func:`scipy.stats.mode`) is not its label. ``"all"``
  removes more.

Concrete samples (NumPy arrays, as the samplers pass) are padded on the host to a row
bucket (:func:`synthaug.core.buckets.row_bucket`) while the dense search of the bucket fits
(at most 2048 rows): the padding rows are never neighbours (:func:`padded_self_neighbours`)
and their flags are dropped, so the flags are those of the unpadded search and the folds of
a cross-validation share one compiled program. Larger samples run the blocked search unpadded.

All flags are computed at once on the given sample (removal is simultaneous, as in
imbalanced-learn: removing one row does not change another's flag). Ties in distance are
broken by the lower row index on the dense path (:func:`synthaug.core.knn.knn`); scikit-learn
may break them otherwise, so results can differ from imbalanced-learn's only on exactly
equidistant neighbours (duplicate rows, for instance).

References
----------
.. [1] I. Tomek, "Two Modifications of CNN", IEEE Transactions on Systems, Man, and
   Cybernetics SMC-6(11), 769-772, 1976.
.. [2] D. L. Wilson, "Asymptotic Properties of Nearest Neighbor Rules Using Edited Data",
   IEEE Transactions on Systems, Man, and Cybernetics SMC-2(3), 408-421, 1972.
.. [3] G. E. A. P. A. Batista, R. C. Prati and M. C. Monard, "A Study of the Behavior of
   Several Methods for Balancing Machine Learning Training Data", SIGKDD Explorations
   6(1), 20-29, 2004.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

import numpy as np

from synthaug.core.buckets import pad_rows_host, row_bucket
from synthaug.core.knn import DENSE_MAX_ELEMENTS, _smallest_k, default_block_size, knn, sq_distances
from synthaug.core.validation import is_concrete

__all__ = ["KIND_SEL", "tomek_links", "tomek_links_from_neighbours", "enn_flags", "enn_flags_from_neighbours",
           "padded_self_neighbours"]

#: Accepted values of ``kind_sel`` (imbalanced-learn's names).
KIND_SEL = ("all", "mode")


def _check(X, y):
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (n_samples, n_features); got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one label per row of X ({X.shape[0]}); got shape {y.shape}")


def tomek_links_from_neighbours(nn, y):
    """Tomek-link flags from a nearest-neighbour index ``nn`` (shape (n,)) and integer labels ``y``.

    Parameters
    ----------
    nn : array of int, shape (n_samples,)
        Index of each row's nearest other row.
    y : array of int, shape (n_samples,)
        Class codes.

    Returns
    -------
    jax.Array of bool, shape (n_samples,)
        True for a row ``i`` with ``nn[nn[i]] == i`` and ``y[nn[i]] != y[i]``.

    See Also
    --------
    tomek_links : The same flags from the rows themselves.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.core.cleaning import tomek_links_from_neighbours
    >>> tomek_links_from_neighbours(jnp.array([1, 0, 1]), jnp.array([0, 1, 1])).tolist()
    [True, True, False]
    """
    nn = jnp.asarray(nn)
    y = jnp.asarray(y)
    return (y[nn] != y) & (nn[nn] == jnp.arange(nn.shape[0]))


def padded_self_neighbours(Xp, valid, k: int):
    """The ``k`` nearest other *real* rows of each row of a padded sample (dense; indices into ``Xp``).

    ``valid`` (bool, ``(b,)``) marks the real rows; the others (padding) get distance +inf,
    so they are never a neighbour while at least ``k + 1`` rows are real. The real rows
    keep their relative order, so ties resolve as in the dense :func:`~synthaug.core.knn.knn`
    of the unpadded rows (to the lower index), and the indices of real rows are theirs.
    """
    cols = jnp.arange(Xp.shape[0])
    d2 = sq_distances(Xp, Xp)
    d2 = jnp.where((cols[:, None] == cols[None, :]) | ~valid[None, :], jnp.inf, d2)
    return _smallest_k(d2, k)[1]


def _bucketable(X, y, k: int) -> bool:
    """A concrete sample whose padded dense search fits, with enough rows for ``k`` neighbours."""
    return (is_concrete(X, y) and np.ndim(X) == 2 and np.shape(X)[0] >= k + 1
            and row_bucket(np.shape(X)[0]) ** 2 <= DENSE_MAX_ELEMENTS)


def _padded_inputs(X, y):
    """``(Xp, yp, n)``: the rows and codes padded on the host to the row bucket of their count."""
    X, y = np.asarray(X), np.asarray(y)
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(jnp.result_type(float))
    b = row_bucket(X.shape[0])
    return pad_rows_host(X, b), pad_rows_host(y, b), np.int32(X.shape[0])


@jax.jit
def _tomek_padded(Xp, yp, n):
    nn = padded_self_neighbours(Xp, jnp.arange(Xp.shape[0]) < n, 1)[:, 0]
    return tomek_links_from_neighbours(nn, yp)


@partial(jax.jit, static_argnames=("n_neighbors", "kind_sel"))
def _enn_padded(Xp, yp, n, n_neighbors: int, kind_sel: str):
    nbrs = padded_self_neighbours(Xp, jnp.arange(Xp.shape[0]) < n, n_neighbors)
    return enn_flags_from_neighbours(nbrs, yp, kind_sel)


@jax.jit
def _tomek(X, y):
    _, nn = knn(X, 1, block_size=default_block_size(X.shape[0], X.shape[0]))
    return tomek_links_from_neighbours(nn[:, 0], y)


def tomek_links(X, y):
    """Rows that are part of a Tomek link (Tomek, 1976): mutual nearest neighbours of different classes.

    Parameters
    ----------
    X : array, shape (n_samples, n_features)
        The rows (Euclidean distance); at least 2.
    y : array of int, shape (n_samples,)
        Class codes.

    Returns
    -------
    jax.Array of bool, shape (n_samples,)
        True for both rows of every link. imbalanced-learn's ``TomekLinks`` removes the
        flagged rows of the classes its ``sampling_strategy`` selects (every class for
        ``"all"``). Runs under ``jit``/``vmap``.

    See Also
    --------
    enn_flags : Wilson's editing rule.
    synthaug.estimators.SMOTETomekSampler : SMOTE followed by this cleaning.

    References
    ----------
    .. [1] I. Tomek, "Two Modifications of CNN", IEEE Transactions on Systems, Man, and
       Cybernetics SMC-6(11), 769-772, 1976.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.core.cleaning import tomek_links
    >>> X = jnp.array([[0.0], [0.1], [1.0], [1.2], [5.0]])
    >>> y = jnp.array([0, 1, 1, 1, 0])
    >>> tomek_links(X, y).tolist()  # rows 0 and 1 are each other's nearest and differ in class
    [True, True, False, False, False]
    """
    if _bucketable(X, y, 1):
        _check(np.asarray(X), np.asarray(y))
        # concrete rows: padded to a row bucket, one compiled program per bucket (same flags)
        Xp, yp, n = _padded_inputs(X, y)
        return jax.device_put(np.asarray(_tomek_padded(Xp, yp, n))[:n])
    X = jnp.asarray(X)
    y = jnp.asarray(y)
    _check(X, y)
    if X.shape[0] < 2:
        raise ValueError(f"Tomek links need at least 2 rows; got {X.shape[0]}")
    return _tomek(X, y)


def enn_flags_from_neighbours(nbrs, y, kind_sel: str = "all"):
    """ENN flags from a neighbour table ``nbrs`` (shape (n, k), each row's own index excluded).

    Parameters
    ----------
    nbrs : array of int, shape (n_samples, k)
        Indices of each row's ``k`` nearest other rows.
    y : array of int, shape (n_samples,)
        Class codes.
    kind_sel : {"all", "mode"}, default="all"
        See :func:`enn_flags`.

    Returns
    -------
    jax.Array of bool, shape (n_samples,)
        True for the rows ENN removes.

    See Also
    --------
    enn_flags : The same flags from the rows themselves.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.core.cleaning import enn_flags_from_neighbours
    >>> nbrs = jnp.array([[1, 2], [0, 2], [0, 1]])
    >>> enn_flags_from_neighbours(nbrs, jnp.array([0, 0, 1])).tolist()
    [True, True, True]
    >>> enn_flags_from_neighbours(nbrs, jnp.array([0, 0, 1]), kind_sel="mode").tolist()
    [False, False, True]
    """
    if kind_sel not in KIND_SEL:
        raise ValueError(f"kind_sel must be one of {KIND_SEL}; got {kind_sel!r}")
    nbrs = jnp.asarray(nbrs)
    y = jnp.asarray(y)
    L = y[nbrs]  # (n, k) neighbour labels
    if kind_sel == "all":
        return jnp.any(L != y[:, None], axis=1)
    votes = jnp.sum(L[:, :, None] == L[:, None, :], axis=2)  # (n, k): count of each neighbour's label
    best = jnp.max(votes, axis=1, keepdims=True)
    big = jnp.iinfo(L.dtype).max if jnp.issubdtype(L.dtype, jnp.integer) else jnp.inf
    mode = jnp.min(jnp.where(votes == best, L, big), axis=1)  # most frequent label, ties to the smallest
    return mode != y


@partial(jax.jit, static_argnames=("n_neighbors", "kind_sel"))
def _enn(X, y, n_neighbors: int, kind_sel: str):
    _, nbrs = knn(X, n_neighbors, block_size=default_block_size(X.shape[0], X.shape[0]))
    return enn_flags_from_neighbours(nbrs, y, kind_sel)


def enn_flags(X, y, n_neighbors: int = 3, kind_sel: str = "all"):
    """Rows that Wilson's edited nearest neighbours rule removes (Wilson, 1972).

    Parameters
    ----------
    X : array, shape (n_samples, n_features)
        The rows (Euclidean distance); more than ``n_neighbors``.
    y : array of int, shape (n_samples,)
        Class codes.
    n_neighbors : int, default=3
        Neighbours that vote (each row excluded from its own list).
    kind_sel : {"all", "mode"}, default="all"
        ``"all"``: a row is flagged unless all its neighbours share its label;
        ``"mode"``: flagged when the most frequent neighbour label (ties to the smallest
        code) differs from its label. imbalanced-learn's ``EditedNearestNeighbours``
        semantics, whose default is ``"all"``.

    Returns
    -------
    jax.Array of bool, shape (n_samples,)
        True for the rows to remove (imbalanced-learn removes those of the classes its
        ``sampling_strategy`` selects). Runs under ``jit``/``vmap``.

    Raises
    ------
    ValueError
        If ``n_neighbors`` is not a positive integer below the number of rows, or
        ``kind_sel`` is not ``"all"`` or ``"mode"``.

    See Also
    --------
    tomek_links : Tomek's rule.
    synthaug.estimators.SMOTEENNSampler : SMOTE followed by this cleaning.

    References
    ----------
    .. [1] D. L. Wilson, "Asymptotic Properties of Nearest Neighbor Rules Using Edited
       Data", IEEE Transactions on Systems, Man, and Cybernetics SMC-2(3), 408-421, 1972.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.core.cleaning import enn_flags
    >>> X = jnp.array([[0.0], [0.1], [0.2], [0.3], [5.0], [5.1], [5.2]])
    >>> y = jnp.array([0, 0, 1, 0, 1, 1, 1])
    >>> enn_flags(X, y, n_neighbors=2).tolist()  # row 2 sits among class 0, and rows 0, 1, 3 have it as a neighbour
    [True, True, True, True, False, False, False]
    >>> enn_flags(X, y, n_neighbors=3, kind_sel="mode").tolist()
    [False, False, True, False, False, False, False]
    """
    from synthaug.core.validation import check_int

    n_neighbors = check_int(n_neighbors, "n_neighbors")
    if kind_sel not in KIND_SEL:
        raise ValueError(f"kind_sel must be one of {KIND_SEL}; got {kind_sel!r}")
    if _bucketable(X, y, n_neighbors):
        _check(np.asarray(X), np.asarray(y))
        Xp, yp, n = _padded_inputs(X, y)
        return jax.device_put(np.asarray(_enn_padded(Xp, yp, n, n_neighbors, kind_sel))[:n])
    X = jnp.asarray(X)
    y = jnp.asarray(y)
    _check(X, y)
    if X.shape[0] < n_neighbors + 1:
        raise ValueError(f"n_neighbors={n_neighbors} needs at least {n_neighbors + 1} rows; got {X.shape[0]}")
    return _enn(X, y, n_neighbors, kind_sel)
