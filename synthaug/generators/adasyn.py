r"""ADASYN: adaptive synthetic sampling (He, Bai, Garcia & Li, IJCNN 2008).

For each minority row :math:`x_i`, let :math:`\Delta_i` be the number of
majority rows among its ``k`` nearest neighbours in the *whole* training set
(itself excluded), :math:`r_i = \Delta_i / k` and
:math:`\hat r_i = r_i / \sum_j r_j`. The paper generates
:math:`g_i = \hat r_i\,G` rows from :math:`x_i` (``G`` the total), each
:math:`x_i + u\,(x_{z} - x_i)` with :math:`x_z` uniform among the ``k``
nearest *minority* neighbours of :math:`x_i` and :math:`u \sim U(0, 1)`.

**Exact total.** The :math:`g_i` are not integers. synthaug rounds them by the
*largest-remainder* (Hamilton) rule: :math:`c_i = \lfloor n \hat r_i \rfloor`,
then the :math:`n - \sum_i c_i` rows left go one each to the rows with the
largest fractional parts :math:`n \hat r_i - c_i` (ties to the lower index).
So :math:`\sum_i c_i = n` exactly and :math:`|c_i - n \hat r_i| < 1`: no
randomness in the per-seed counts, unlike a multinomial draw. Synthetic rows
come grouped by seed, in minority-row order.

**No minority row has a majority neighbour** (:math:`\sum r_i = 0`, the weights
are undefined): with ``fallback="raise"`` (default) a concrete call raises
``ValueError``; with ``fallback="smote"`` the weights become uniform
(:math:`\hat r_i = 1/n_1`, i.e. SMOTE with balanced seed counts). Under
``jit``/``vmap`` the ``"smote"`` fallback is used.

Both neighbour searches use the shared exact kNN (:mod:`synthaug.core.knn`).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from synthaug.core.validation import check_int
from synthaug.generators._neighbours import (
    check_fallback,
    neighbours_in_all,
    neighbours_in_minority,
    require_concrete_or_fallback,
)
from synthaug.generators.basic import Generator

__all__ = ["adasyn", "adasyn_with_parents", "adasyn_weights", "largest_remainder_counts"]


def largest_remainder_counts(p, n: int):
    """Integer counts summing to ``n`` with ``|c_i - n p_i| < 1`` (Hamilton's rule; ``p`` sums to 1)."""
    q = p * n
    c = jnp.floor(q).astype(jnp.int32)
    left = n - jnp.sum(c)
    order = jnp.argsort(-(q - c), stable=True)
    rank = jnp.zeros_like(c).at[order].set(jnp.arange(c.shape[0], dtype=c.dtype))
    return c + (rank < left).astype(c.dtype)


@partial(jax.jit, static_argnames=("k",))
def adasyn_weights(X1, X0, k: int = 5):
    r"""``(r_hat, ok)``: normalised hardness :math:`\hat r_i` (uniform when undefined) and whether it was defined."""
    nn = neighbours_in_all(X1, X0, k)
    r = jnp.sum(nn >= X1.shape[0], axis=1) / k
    tot = jnp.sum(r)
    ok = tot > 0
    r_hat = jnp.where(ok, r / jnp.where(ok, tot, 1.0), 1.0 / X1.shape[0])
    return r_hat.astype(X1.dtype), ok


@partial(jax.jit, static_argnames=("n", "k"))
def _draw(key, X1, X0, n: int, k: int):
    n1 = X1.shape[0]
    r_hat, ok = adasyn_weights(X1, X0, k)
    counts = largest_remainder_counts(r_hat, n)
    seeds = jnp.repeat(jnp.arange(n1), counts, total_repeat_length=n)
    k_nb, k_u = jax.random.split(key)
    z = neighbours_in_minority(X1, k)[seeds, jax.random.randint(k_nb, (n,), 0, k)]
    u = jax.random.uniform(k_u, (n,), X1.dtype)
    return X1[seeds] + u[:, None] * (X1[z] - X1[seeds]), seeds, z, u, counts, ok


def adasyn_with_parents(key, X1, X0, n: int, k: int = 5, fallback: str = "raise"):
    """ADASYN draws with their parents: ``(X_syn, seed, z, u, counts)`` (indices into ``X1``)."""
    n1, n0 = X1.shape[0], X0.shape[0]
    if n1 < k + 1:
        raise ValueError(f"ADASYN with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    if n1 + n0 < k + 1:
        raise ValueError(f"ADASYN with k={k} needs at least {k + 1} rows in all; got {n1 + n0}")
    Xs, seeds, z, u, counts, ok = _draw(key, X1, X0, n, k)
    require_concrete_or_fallback(
        ok,
        fallback,
        f"ADASYN: no minority row has a majority row among its k={k} nearest neighbours, so the "
        "density weights r_i are all 0 and undefined. Use fallback='smote' for uniform weights, or plain SMOTE.",
    )
    return Xs, seeds, z, u, counts


def adasyn(k: int = 5, fallback: str = "raise", name: str = "adasyn") -> Generator:
    """ADASYN generator (``uses_majority=True``); see the module docstring."""
    k = check_int(k, "k")
    fallback = check_fallback(fallback)

    def fn(key, X1, n, X0):
        return adasyn_with_parents(key, X1, X0, n, k, fallback)[0]

    return Generator(name, fn, min_rows=k + 1, uses_majority=True)
