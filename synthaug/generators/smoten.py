r"""SMOTE-N: SMOTE for all-categorical data (Chawla, Bowyer, Hall & Kegelmeyer, JAIR 2002, §6.2).

**Input.** Every column is categorical and holds category codes: any finite numbers, of
which only equality matters (integer codes ``0, 1, …`` stored as floats in the array
protocol; :class:`synthaug.estimators.SMOTENSampler` maps strings to codes and back).
Synthetic rows only take values that the minority rows hold.

**Distance: the Value Difference Metric** (Stanfill & Waltz, 1986; Cost & Salzberg, 1993,
with exponents ``k = 1``, ``r = 2``, as imbalanced-learn's
:class:`~imblearn.metrics.pairwise.ValueDifferenceMetric`). With :math:`p(c \mid v_f)` the
share of class :math:`c` among the rows whose feature :math:`f` takes the value
:math:`v_f`,

.. math:: D(a, b) = \sum_f \Big( \sum_c \lvert p(c \mid a_f) - p(c \mid b_f) \rvert \Big)^2 .

The class-conditional frequencies need the other classes, so the generator declares
``uses_majority=True``: it sees two classes, the minority and the rest (one-vs-rest), and
then :math:`\sum_c \lvert\Delta p_c\rvert = 2 \lvert \Delta p_1 \rvert`, so
:math:`D(a, b) = \lVert q(a) - q(b) \rVert^2` with :math:`q_f(a) = 2\,p(1 \mid a_f)`: the
VDM neighbours are the Euclidean neighbours of the embedded rows, found by the shared
exact kNN (:func:`synthaug.core.knn.knn`). The frequencies are counted by sorting and
binary search (fixed shapes), so the generator runs under ``jit``/``vmap``. For more than
two classes the sampler passes the full table :math:`p(c \mid v_f)` of all classes
(:func:`smoten_from_probabilities`, a dense :math:`n_1 \times n_1` VDM), as
imbalanced-learn does; for two classes the sampler calls this generator itself.

**Draw.** A seed :math:`i` uniform on the minority; its ``k`` nearest other minority rows
under the VDM; each feature of the synthetic row is the value most frequent among the
seed *and* its ``k`` neighbours (Chawla et al.'s "majority vote of the feature vector
under consideration and its k nearest neighbours", which is also imbalanced-learn's
``SMOTEN``: it takes the mode over the ``k + 1`` rows its ``NearestNeighbors`` returns,
the seed first). Ties in the vote go to the smallest value (scipy's ``mode``, so the
smallest category in the encoder's sorted order). Ties in *distance* (frequent with
categories: duplicate rows, values with equal class frequencies) are broken uniformly at
random: the neighbour table is computed on the minority rows in a random order drawn from
the key (one order per call), so the law of the output does not depend on how the rows
are ordered. imbalanced-learn breaks them by scikit-learn's (row-order dependent) sort.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.knn import _smallest_k, default_block_size, knn
from synthaug.core.validation import check_int
from synthaug.generators.basic import Generator

__all__ = ["smoten", "smoten_from_probabilities", "vdm_embedding", "vdm_distances", "value_counts"]


def value_counts(reference, query):
    """How often each entry of ``query`` occurs in the same column of ``reference``.

    Parameters
    ----------
    reference : array, shape (m, d)
        Rows whose values are counted (``m`` may be 0).
    query : array, shape (n, d)
        Values to look up.

    Returns
    -------
    jax.Array of int, shape (n, d)
        ``out[i, f] = #{r : reference[r, f] == query[i, f]}``, by sorting and binary search
        (fixed shapes: runs under ``jit``/``vmap``).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.generators.smoten import value_counts
    >>> value_counts(jnp.array([[0.0], [1.0], [1.0]]), jnp.array([[1.0], [2.0]])).tolist()
    [[2], [0]]
    """
    ref = jnp.sort(jnp.asarray(reference), axis=0)
    query = jnp.asarray(query)

    def col(r, q):
        return jnp.searchsorted(r, q, side="right") - jnp.searchsorted(r, q, side="left")

    return jax.vmap(col, in_axes=(1, 1), out_axes=1)(ref, query)


def vdm_embedding(X1, X0):
    r"""The rows of ``X1`` embedded so that Euclidean distance is the two-class VDM.

    :math:`q_f(a) = 2\,p(1 \mid a_f)`, :math:`p(1 \mid v) = c_1(v) / (c_1(v) + c_0(v))`
    with :math:`c_1`, :math:`c_0` the counts of value :math:`v` in that column of ``X1``
    (the minority) and ``X0`` (the rest); then
    :math:`\lVert q(a) - q(b) \rVert^2 = \sum_f (\lvert \Delta p_1 \rvert + \lvert \Delta p_0 \rvert)^2`,
    the VDM with exponents 1 and 2 (see the module docstring).

    Parameters
    ----------
    X1 : array, shape (n1, d)
        Minority category codes.
    X0 : array, shape (n0, d)
        Codes of the other rows.

    Returns
    -------
    jax.Array, shape (n1, d)

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.generators.smoten import vdm_embedding
    >>> X1 = jnp.array([[0.0], [1.0]])
    >>> X0 = jnp.array([[1.0], [1.0], [1.0]])
    >>> vdm_embedding(X1, X0).tolist()  # value 0 only in the minority, value 1 one time in four
    [[2.0], [0.5]]
    """
    X1 = jnp.asarray(X1)
    c1 = value_counts(X1, X1).astype(X1.dtype)
    c0 = value_counts(jnp.asarray(X0, X1.dtype), X1).astype(X1.dtype)
    return 2.0 * c1 / (c1 + c0)  # c1 >= 1: every minority value occurs in the minority


def vdm_distances(P):
    r"""Dense VDM (exponents 1 and 2) between rows described by class-probability tables.

    Parameters
    ----------
    P : array, shape (n, d, C)
        ``P[i, f, c]`` is :math:`p(c \mid x_{if})`.

    Returns
    -------
    jax.Array, shape (n, n)
        :math:`D_{ij} = \sum_f (\sum_c \lvert P_{ifc} - P_{jfc} \rvert)^2`, accumulated one
        feature at a time (memory :math:`n^2 C`).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug.generators.smoten import vdm_distances
    >>> P = jnp.array([[[1.0, 0.0]], [[0.5, 0.5]]])
    >>> vdm_distances(P).tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    P = jnp.asarray(P)

    def step(D, Pf):  # Pf: (n, C)
        return D + jnp.sum(jnp.abs(Pf[:, None, :] - Pf[None, :, :]), axis=-1) ** 2, None

    D, _ = jax.lax.scan(step, jnp.zeros((P.shape[0], P.shape[0]), P.dtype), jnp.moveaxis(P, 1, 0))
    return D


def _shuffled_table(key, n1: int, neighbours_of):
    """Neighbour table with distance ties broken at random: ``neighbours_of(perm)`` on the permuted
    rows, mapped back to the original indices (row ``perm[a]`` has neighbours ``perm[t[a]]``)."""
    perm = jax.random.permutation(key, n1).astype(jnp.int32)
    t = neighbours_of(perm)
    return jnp.zeros_like(t).at[perm].set(perm[t])


def _mode_rows(key, X1, table, n: int):
    """``n`` rows: a uniform seed, then per feature the most frequent value among ``X1[table[seed]]``."""
    i = jax.random.randint(key, (n,), 0, X1.shape[0])
    V = X1[table[i]]  # (n, k + 1, d)
    votes = jnp.sum(V[:, :, None, :] == V[:, None, :, :], axis=2)
    best = jnp.max(votes, axis=1, keepdims=True)
    return jnp.min(jnp.where(votes == best, V, jnp.inf), axis=1).astype(X1.dtype)


def _with_seed(nbrs):
    return jnp.concatenate([jnp.arange(nbrs.shape[0], dtype=nbrs.dtype)[:, None], nbrs], axis=1)


@partial(jax.jit, static_argnames=("n", "k"))
def _smoten_binary(key, X1, X0, n: int, k: int):
    k_perm, k_draw = jax.random.split(key)
    q = vdm_embedding(X1, X0)
    n1 = X1.shape[0]
    table = _shuffled_table(
        k_perm, n1, lambda perm: knn(q[perm], k, block_size=default_block_size(n1, n1))[1])
    return _mode_rows(k_draw, X1, _with_seed(table), n)


@partial(jax.jit, static_argnames=("n", "k"))
def _smoten_probabilities(key, X1, P, n: int, k: int):
    k_perm, k_draw = jax.random.split(key)
    n1 = X1.shape[0]

    def neighbours_of(perm):
        D = vdm_distances(P[perm])
        D = jnp.where(jnp.eye(n1, dtype=bool), jnp.inf, D)
        return _smallest_k(D, k)[1]

    return _mode_rows(k_draw, X1, _with_seed(_shuffled_table(k_perm, n1, neighbours_of)), n)


def smoten_from_probabilities(key, X1, P, n: int, k: int = 5, table=None):
    r"""SMOTE-N rows of ``X1`` given the class-probability table of its values (any number of classes).

    Parameters
    ----------
    key : jax.Array
        PRNG key (split into the tie-breaking order and the seeds).
    X1 : array, shape (n1, d)
        Category codes of the class being oversampled.
    P : array, shape (n1, d, C)
        ``P[i, f, c]`` is :math:`p(c \mid X1_{if})` over all rows of all ``C`` classes.
    n : int
        Rows to draw.
    k : int, default=5
        Neighbours of a seed (the seed itself votes too: ``k + 1`` rows).
    table : array of int, shape (n1, m) or None, default=None
        A precomputed table of the rows that vote for each seed (the seed included, e.g.
        from a scikit-learn ``NearestNeighbors(metric="precomputed")`` on
        :func:`vdm_distances`); when given, ``P`` and ``k`` are not used.

    Returns
    -------
    jax.Array, shape (n, d)

    See Also
    --------
    smoten : The generator (two classes: minority and rest).

    Examples
    --------
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from synthaug.generators.smoten import smoten_from_probabilities
    >>> X1 = jnp.array([[0.0], [0.0], [1.0]])
    >>> P = jnp.array([[[0.2, 0.8]], [[0.2, 0.8]], [[0.9, 0.1]]])
    >>> smoten_from_probabilities(jax.random.key(0), X1, P, 4, k=1).tolist()
    [[0.0], [0.0], [0.0], [0.0]]
    """
    X1 = jnp.asarray(X1)
    if table is not None:
        k_draw = jax.random.split(key)[1]
        return _mode_rows(k_draw, X1, jnp.asarray(table), n)
    k = check_int(k, "k")
    if X1.shape[0] < k + 1:
        raise ValueError(f"SMOTE-N with k={k} needs at least k + 1 = {k + 1} rows; got {X1.shape[0]}")
    P = jnp.asarray(P, X1.dtype)
    return _smoten_probabilities(key, X1, P, n, k)


def smoten(k: int = 5, name: str = "smoten") -> Generator:
    r"""SMOTE-N generator for all-categorical data (see the module docstring).

    Parameters
    ----------
    k : int, default=5
        Nearest minority neighbours (under the VDM) that vote with the seed.
    name : str, default="smoten"
        The generator's name.

    Returns
    -------
    Generator
        ``uses_majority=True`` (the VDM needs the class-conditional frequencies), needs
        ``k + 1`` minority rows, runs under ``jit``/``vmap``. Its output values are
        values of the minority rows, column by column.

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer.

    See Also
    --------
    synthaug.estimators.SMOTENSampler : The imbalanced-learn sampler.
    synthaug.generators.smote_nc.smote_nc : Mixed numeric and categorical columns.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
       Minority Over-sampling Technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002, §6.2.
    .. [2] C. Stanfill and D. Waltz, "Toward Memory-Based Reasoning", Communications of
       the ACM 29(12), 1213-1228, 1986.
    .. [3] S. Cost and S. Salzberg, "A Weighted Nearest Neighbor Algorithm for Learning
       with Symbolic Features", Machine Learning 10, 57-78, 1993.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug import make_generator
    >>> rng = np.random.default_rng(0)
    >>> X1 = rng.integers(0, 3, size=(20, 4)).astype(float)  # category codes
    >>> X0 = rng.integers(0, 3, size=(60, 4)).astype(float)
    >>> rows = make_generator("smoten", k=3)(jax.random.key(0), X1, 5, X_majority=X0)
    >>> rows.shape, bool(np.isin(np.asarray(rows), [0.0, 1.0, 2.0]).all())
    ((5, 4), True)
    """
    k = check_int(k, "k")

    def fn(key, X1, n, X0):
        return _smoten_binary(key, X1, X0, n, k)

    return Generator(name, fn, min_rows=k + 1, uses_majority=True)


def _np_probabilities(codes, y_codes, n_classes: int, rows):
    """Host helper of the sampler: ``P[i, f, c] = p(c | codes[rows[i], f])`` over all rows (NumPy)."""
    n, d = codes.shape
    out = np.empty((len(rows), d, n_classes))
    for f in range(d):
        m = int(codes[:, f].max()) + 1
        counts = np.zeros((m, n_classes))
        np.add.at(counts, (codes[:, f], y_codes), 1.0)
        probs = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
        out[:, f, :] = probs[codes[rows, f]]
    return out
