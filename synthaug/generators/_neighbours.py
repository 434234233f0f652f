"""Helpers shared by the SMOTE-family generators (private).

Neighbour tables come from the shared exact JAX kNN (:mod:`synthaug.core.knn`), or, when
a sampler is given a neighbour estimator (any object with ``kneighbors`` and
``kneighbors_graph``, as in imbalanced-learn: scikit-learn's ``NearestNeighbors``, a
faiss or cuML wrapper), from that estimator fitted on the host (:func:`host_neighbours`);
either way the draws themselves are the same pure-JAX functions of the tables.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.knn import DENSE_MAX_ELEMENTS, _smallest_k, default_block_size, knn, sq_distances
from synthaug.core.validation import is_concrete

#: ``fallback=`` values: ``"skip"`` (no seed rows: raise :class:`NoSeedRowsError`, which a
#: sampler turns into skipping that class with a warning), ``"raise"`` (``ValueError``),
#: ``"smote"`` (every minority row seeds).
FALLBACKS = ("skip", "raise", "smote")


class NoSeedRowsError(ValueError):
    """A generator found no row to seed from (e.g. Borderline-SMOTE without danger points)."""


def check_fallback(fallback: str, allowed=FALLBACKS) -> str:
    if fallback not in allowed:
        raise ValueError(f"fallback must be one of {allowed}; got {fallback!r}")
    return fallback


def is_neighbours_estimator(obj) -> bool:
    """True for an object with ``kneighbors`` and ``kneighbors_graph`` (imbalanced-learn's rule)."""
    return hasattr(obj, "kneighbors") and hasattr(obj, "kneighbors_graph")


def host_neighbours(estimator, X_fit, X_query):
    """Neighbour table of ``X_query`` in ``X_fit`` from a neighbour estimator, first column dropped.

    ``estimator`` is fitted on ``X_fit`` (in place: pass a clone) and asked for the
    neighbours of ``X_query``; as in imbalanced-learn the first neighbour returned (the
    query row itself when ``X_query`` rows are rows of ``X_fit``) is dropped, so an
    estimator with ``n_neighbors = k + 1`` gives ``k`` neighbours.

    Returns
    -------
    ndarray of int32, shape (n_query, k)
    """
    estimator.fit(np.asarray(X_fit))
    idx = np.asarray(estimator.kneighbors(np.asarray(X_query), return_distance=False))
    if idx.ndim != 2 or idx.shape[1] < 2:
        raise ValueError(
            f"the neighbour estimator {estimator!r} must return at least 2 neighbours per row (the row itself "
            f"and one neighbour); got an array of shape {idx.shape}"
        )
    return idx[:, 1:].astype(np.int32)


def neighbours_in_all(X1, X0, k: int):
    """Indices of the ``k`` nearest rows of ``[X1; X0]`` to each minority row (itself excluded).

    Index ``< n1`` is a minority row, ``>= n1`` a majority row (``n1 + idx`` of ``X0``).
    """
    Xall = jnp.concatenate([X1, X0])
    return knn(Xall, k, X1, exclude_self=True, block_size=default_block_size(X1.shape[0], Xall.shape[0]))[1]


def neighbours_in_minority(X1, k: int):
    """Indices of the ``k`` nearest other minority rows of each minority row."""
    return knn(X1, k, block_size=default_block_size(X1.shape[0], X1.shape[0]))[1]


@partial(jax.jit, static_argnames=("n",))
def interpolate_from_table(key, X, nbrs, n: int):
    r"""SMOTE draws given a neighbour table: ``(X_syn, i, j, u)``.

    :math:`i` uniform on the rows of ``X``, :math:`j` uniform in row :math:`i` of ``nbrs``
    (indices into ``X``), :math:`u \sim U(0, 1)`, :math:`x_i + u (x_j - x_i)`. The key is
    split as in :func:`synthaug.generators.basic.smote_with_parents`, so the same key and
    the same table give the same rows.
    """
    n1, k = nbrs.shape
    k_base, k_nb, k_u = jax.random.split(key, 3)
    i = jax.random.randint(k_base, (n,), 0, n1)
    j = nbrs[i, jax.random.randint(k_nb, (n,), 0, k)]
    u = jax.random.uniform(k_u, (n, 1), X.dtype)
    return X[i] + u * (X[j] - X[i]), i, j, u[:, 0]


def require_concrete_or_fallback(flag, fallback: str, message: str):
    """Raise when ``flag`` is concretely False and ``fallback`` is ``"raise"`` or ``"skip"``.

    ``"skip"`` raises :class:`NoSeedRowsError` (a ``ValueError``), ``"raise"`` a plain
    ``ValueError``. Under ``jit``/``vmap`` the flag is a tracer and cannot be inspected:
    the generator then always uses the ``"smote"`` fallback where ``flag`` is False.
    """
    if fallback in ("raise", "skip") and is_concrete(flag) and not bool(flag):
        raise (NoSeedRowsError if fallback == "skip" else ValueError)(message)


# --- padded (bucketed) tables ---------------------------------------------------------------
#
# The bucketed calls of the generators that use the majority (``Generator.padded_majority``)
# see both classes padded with zero rows: ``X1p`` (b1 rows, the first ``n1`` real) and ``X0p``
# (b0 rows, the first ``n0`` real). Neighbours are searched in ``[X1p; X0p]``, whose column
# ``c`` is real iff ``c < n1`` or ``b1 <= c < b1 + n0``; padding columns get distance +inf,
# so they are never among the ``k`` nearest while the real rows number at least ``k`` (the
# generators' own size checks). The real columns keep their relative order (minority, then
# majority), so the dense search's ties (to the lower index) resolve as on the unpadded
# ``[X1; X0]``; a padded index ``c`` is the unpadded index ``c`` when ``c < b1`` and
# ``c - b1 + n1`` otherwise (:func:`unpad_index`). The distances are the dense ones of
# :func:`synthaug.core.knn.knn` (the unpadded calls are dense at these sizes: see
# :func:`dense_fits`), entry by entry the same formula.


def dense_fits(b1: int, b0: int) -> bool:
    """Whether the padded all-rows search (``b1`` queries against ``b1 + b0`` rows) stays dense.

    The unpadded search then is dense too (fewer distances), so both run the same path.
    """
    return int(b1) * (int(b1) + int(b0)) <= DENSE_MAX_ELEMENTS


def padded_valid(b1: int, n1, b0: int = 0, n0=0):
    """``(b1 + b0,)`` bool: which rows of ``[X1p; X0p]`` are real."""
    c = jnp.arange(b1 + b0)
    return (c < n1) | ((c >= b1) & (c < b1 + n0))


def unpad_index(idx, b1: int, n1):
    """Indices into ``[X1p; X0p]`` mapped to indices into the unpadded ``[X1; X0]``."""
    return jnp.where(idx < b1, idx, idx - b1 + n1)


def padded_neighbours_in_all(X1p, n1, X0p, n0, k: int):
    """``neighbours_in_all`` on padded classes: ``(k)`` nearest real rows of ``[X1p; X0p]`` per minority row.

    Returns indices into ``[X1p; X0p]`` (majority iff ``>= X1p.shape[0]``); rows of the
    padding queries are meaningless and must be masked by the caller.
    """
    b1 = X1p.shape[0]
    Xall = jnp.concatenate([X1p, X0p])
    cols = jnp.arange(Xall.shape[0])
    d2 = sq_distances(X1p, Xall)
    d2 = jnp.where((jnp.arange(b1)[:, None] == cols[None, :]) | ~padded_valid(b1, n1, X0p.shape[0], n0)[None, :],
                   jnp.inf, d2)
    return _smallest_k(d2, k)[1]


def padded_neighbours_in_minority(X1p, n1, k: int):
    """``neighbours_in_minority`` on a padded minority: the ``k`` nearest other real rows (indices into ``X1p``)."""
    b1 = X1p.shape[0]
    cols = jnp.arange(b1)
    d2 = sq_distances(X1p, X1p)
    d2 = jnp.where((cols[:, None] == cols[None, :]) | (cols[None, :] >= n1), jnp.inf, d2)
    return _smallest_k(d2, k)[1]


def padded_seed_cdf_draw(w, u):
    """Inverse-CDF draw of indices with weights ``w`` (zero on the padding) at uniforms ``u`` (clipped to the last real row).

    The cumulative sums of 0/1 weights are exact integers, so appending zero weights changes
    no value of the CDF below the last real row: the draws are those on the unpadded weights.
    """
    cdf = jnp.cumsum(w)
    return jnp.searchsorted(cdf, u * cdf[-1], side="right")
