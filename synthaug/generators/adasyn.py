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
come grouped by seed, in minority-row order. ``rounding="imblearn"`` uses
imbalanced-learn's rule instead, :math:`c_i = \operatorname{rint}(n \hat r_i)`
(round half to even): the total :math:`\sum_i c_i` may then differ from ``n``
(by at most :math:`n_1 / 2`), as in imbalanced-learn's ``ADASYN``, so this option
needs concrete inputs (the output size depends on the data, which ``jit`` cannot
trace) and breaks the generator protocol's "exactly ``n`` rows".

**No minority row has a majority neighbour** (:math:`\sum r_i = 0`, the weights
are undefined): with ``fallback="raise"`` (default) a concrete call raises
``ValueError``; with ``fallback="smote"`` the weights become uniform
(:math:`\hat r_i = 1/n_1`, i.e. SMOTE with balanced seed counts). Under
``jit``/``vmap`` the ``"smote"`` fallback is used.

Both neighbour searches use the shared exact kNN (:mod:`synthaug.core.knn`), or come
from tables given by the caller (:func:`adasyn_from_tables`; the sampler builds them from
a neighbour estimator on the host).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.buckets import row_bucket
from synthaug.core.validation import check_int, is_concrete
from synthaug.generators._neighbours import (
    check_fallback,
    dense_fits,
    neighbours_in_all,
    neighbours_in_minority,
    padded_neighbours_in_all,
    padded_neighbours_in_minority,
    require_concrete_or_fallback,
)
from synthaug.generators.basic import PADDED_NO_SEED, PADDED_OK, PADDED_UNCERTIFIED, Generator

__all__ = ["ROUNDINGS", "adasyn", "adasyn_from_tables", "adasyn_with_parents", "adasyn_weights",
           "largest_remainder_counts"]

#: ``rounding=`` values: synthaug's exact-total rule and imbalanced-learn's ``np.rint``.
ROUNDINGS = ("largest-remainder", "imblearn")


def largest_remainder_counts(p, n: int):
    """Integer counts summing to ``n`` with ``|c_i - n p_i| < 1`` (Hamilton's rule; ``p`` sums to 1)."""
    q = p * n
    c = jnp.floor(q).astype(jnp.int32)
    left = n - jnp.sum(c)
    order = jnp.argsort(-(q - c), stable=True)
    rank = jnp.zeros_like(c).at[order].set(jnp.arange(c.shape[0], dtype=c.dtype))
    return c + (rank < left).astype(c.dtype)


def _weights_from_counts(n_majority, k: int, dtype):
    r = n_majority / k
    tot = jnp.sum(r)
    ok = tot > 0
    r_hat = jnp.where(ok, r / jnp.where(ok, tot, 1.0), 1.0 / n_majority.shape[0])
    return r_hat.astype(dtype), ok


@partial(jax.jit, static_argnames=("k",))
def adasyn_weights(X1, X0, k: int = 5):
    r"""``(r_hat, ok)``: normalised hardness :math:`\hat r_i` (uniform when undefined) and whether it was defined."""
    nn = neighbours_in_all(X1, X0, k)
    return _weights_from_counts(jnp.sum(nn >= X1.shape[0], axis=1), k, X1.dtype)


@partial(jax.jit, static_argnames=("n",))
def _draw_given_counts(key, X1, nn_k, counts, n: int):
    n1, k = nn_k.shape
    seeds = jnp.repeat(jnp.arange(n1), counts, total_repeat_length=n)
    k_nb, k_u = jax.random.split(key)
    z = nn_k[seeds, jax.random.randint(k_nb, (n,), 0, k)]
    u = jax.random.uniform(k_u, (n,), X1.dtype)
    return X1[seeds] + u[:, None] * (X1[z] - X1[seeds]), seeds, z, u


@partial(jax.jit, static_argnames=("n", "k"))
def _tables(X1, X0, n: int, k: int):
    r_hat, ok = adasyn_weights(X1, X0, k)
    return r_hat, ok, largest_remainder_counts(r_hat, n), neighbours_in_minority(X1, k)


def _padded_counts(r, tot, valid, n):
    """:func:`largest_remainder_counts` of ``r / tot`` over the real rows (``valid``), for a traced ``n``.

    The padding rows get no share and rank after every real row, so the real rows'
    counts are those of the unpadded rule at the same ``tot``.
    """
    r_hat = jnp.where(valid, r / tot, 0.0)
    q = r_hat * n
    c = jnp.floor(q).astype(jnp.int32)
    left = n - jnp.sum(c)
    frac = jnp.where(valid, q - c, -1.0)
    order = jnp.argsort(-frac, stable=True)
    rank = jnp.zeros_like(c).at[order].set(jnp.arange(c.shape[0], dtype=c.dtype))
    return c + ((rank < left) & valid).astype(c.dtype)


def _padded_draw(key, X1p, n1, X0p, n0, n, n_out: int, k: int, fallback: str):
    r"""ADASYN (largest-remainder rounding) on classes padded to row buckets (``Generator.padded_majority``).

    The neighbour counts and tables are those of the unpadded rows (padding at distance
    +inf, never a neighbour; padding rows have no share and seed nothing). One number is
    not reproducible bit for bit: :math:`\sum_i r_i`, whose floating-point sum XLA orders
    by the array's length. Both sums are within :math:`(n_1 - 1)\,\epsilon` (relative) of
    the exact one, so the program computes the counts at the two ends of the interval
    :math:`\mathrm{tot}\,(1 \pm 4 b_1 \epsilon)` that holds the unpadded sum, and at
    ``tot`` itself. Over that interval each floor :math:`\lfloor n r_i/t\rfloor` is monotone
    in :math:`t`, and with the floors fixed the order of two rows' remainders
    :math:`n (r_i - r_j)/t - (c_i - c_j)` changes sign at most once; so when the three
    agree the unpadded counts are the same, and the draw (prefix-stable uniforms and
    partners) equals the unpadded one. Otherwise the status is ``PADDED_UNCERTIFIED``
    and the caller runs the unpadded computation (a share that is an exact integer
    mathematically still agrees: below it the row's remainder is the largest and wins
    the row back). In float32 the interval is wider and that fallback more frequent.
    """
    b1 = X1p.shape[0]
    valid = jnp.arange(b1) < n1
    nn = padded_neighbours_in_all(X1p, n1, X0p, n0, k)
    n_maj = jnp.where(valid, jnp.sum(nn >= b1, axis=1), 0)
    r = n_maj / k
    tot = jnp.sum(r)
    ok = tot > 0
    eps = jnp.finfo(X1p.dtype).eps
    safe_tot = jnp.where(ok, tot, 1.0)
    counts = _padded_counts(r, safe_tot, valid, n)
    certified = jnp.array(True)
    for t in (safe_tot * (1 - 4 * b1 * eps), safe_tot * (1 + 4 * b1 * eps)):
        certified &= jnp.all(_padded_counts(r, t, valid, n) == counts)
    # no hardness (tot = 0): uniform shares 1 / n1 (fallback "smote"), exact on both paths
    uniform = _padded_counts(valid.astype(X1p.dtype), n1.astype(X1p.dtype), valid, n)
    counts = jnp.where(ok, counts, uniform)
    certified = certified | ~ok
    nn_k = padded_neighbours_in_minority(X1p, n1, k)
    seeds = jnp.repeat(jnp.arange(b1), counts, total_repeat_length=n_out)
    k_nb, k_u = jax.random.split(key)
    z = nn_k[seeds, jax.random.randint(k_nb, (n_out,), 0, k)]
    u = jax.random.uniform(k_u, (n_out,), X1p.dtype)
    status = jnp.where(~ok & (fallback != "smote"), PADDED_NO_SEED, jnp.where(certified, PADDED_OK, PADDED_UNCERTIFIED))
    return {"rows": X1p[seeds] + u[:, None] * (X1p[z] - X1p[seeds]), "status": status.astype(jnp.int32),
            "counts": counts}


def _check_sizes(n1: int, n0: int, k: int):
    """The size errors of :func:`adasyn_with_parents`."""
    if n1 < k + 1:
        raise ValueError(f"ADASYN with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    if n1 + n0 < k + 1:
        raise ValueError(f"ADASYN with k={k} needs at least {k + 1} rows in all; got {n1 + n0}")


def _no_hardness_message(k: int) -> str:
    return (f"ADASYN: no minority row has a majority row among its k={k} nearest neighbours, so the "
            "density weights r_i are all 0 and undefined. Use fallback='smote' for uniform weights, or plain SMOTE.")


def _imblearn_counts(r_hat, n: int):
    if not is_concrete(r_hat):
        raise ValueError("ADASYN with rounding='imblearn' draws a data-dependent number of rows and cannot run under "
                         "jit/vmap; pass concrete arrays or use rounding='largest-remainder'")
    counts = np.rint(np.asarray(r_hat) * n).astype(np.int32)
    return jnp.asarray(counts), int(counts.sum())


def _finish(key, X1, nn_k, r_hat, ok, counts, n, k, fallback, rounding):
    require_concrete_or_fallback(ok, fallback, _no_hardness_message(k))
    if rounding == "imblearn":
        counts, n = _imblearn_counts(r_hat, n)
    Xs, seeds, z, u = _draw_given_counts(key, X1, nn_k, counts, n)
    return Xs, seeds, z, u, counts


def _check_options(fallback, rounding):
    if rounding not in ROUNDINGS:
        raise ValueError(f"rounding must be one of {ROUNDINGS}; got {rounding!r}")
    return check_fallback(fallback, ("raise", "smote"))


def adasyn_with_parents(key, X1, X0, n: int, k: int = 5, fallback: str = "raise", rounding: str = "largest-remainder"):
    """ADASYN draws with their parents: ``(X_syn, seed, z, u, counts)`` (indices into ``X1``)."""
    _check_options(fallback, rounding)
    n1, n0 = X1.shape[0], X0.shape[0]
    _check_sizes(n1, n0, k)
    r_hat, ok, counts, nn_k = _tables(X1, X0, n, k)
    return _finish(key, X1, nn_k, r_hat, ok, counts, n, k, fallback, rounding)


def adasyn_from_tables(key, X1, n_majority, nn_k, n: int, fallback: str = "raise",
                       rounding: str = "largest-remainder"):
    """ADASYN draws from given neighbour tables: ``(X_syn, seed, z, u, counts)``.

    ``n_majority`` (n1,) counts the majority rows among the ``k`` nearest neighbours of
    each minority row in all rows; ``nn_k`` (n1, k) are the interpolation partners
    (indices into ``X1``). ``k`` is ``nn_k.shape[1]``; ``fallback`` and ``rounding`` as
    in :func:`adasyn`.
    """
    _check_options(fallback, rounding)
    X1 = jnp.asarray(X1)
    nn_k = jnp.asarray(nn_k)
    k = nn_k.shape[1]
    r_hat, ok = _weights_from_counts(jnp.asarray(n_majority), k, X1.dtype)
    counts = largest_remainder_counts(r_hat, n)
    return _finish(key, X1, nn_k, r_hat, ok, counts, n, k, fallback, rounding)


def adasyn(k: int = 5, fallback: str = "raise", rounding: str = "largest-remainder", name: str = "adasyn") -> Generator:
    """ADASYN generator (``uses_majority=True``); see the module docstring.

    ``rounding`` turns the per-seed shares into counts: ``"largest-remainder"`` (exactly
    ``n`` rows) or ``"imblearn"`` (imbalanced-learn's ``np.rint``, a total near ``n``).
    """
    k = check_int(k, "k")
    fallback = _check_options(fallback, rounding)

    def fn(key, X1, n, X0):
        return adasyn_with_parents(key, X1, X0, n, k, fallback, rounding)[0]

    def padded_majority(key, X1p, n1, X0p, n0, n, n_out):
        return _padded_draw(key, X1p, n1, X0p, n0, n, n_out, k, fallback)

    def padded_check(n1, n0, n):
        _check_sizes(n1, n0, k)
        return dense_fits(row_bucket(n1), row_bucket(n0))

    def padded_error(n1, n0, n):
        return ValueError(_no_hardness_message(k))

    # rounding="imblearn" draws a data-dependent number of rows: no fixed output bucket, not bucketed
    return Generator(name, fn, min_rows=k + 1, uses_majority=True,
                     padded_majority=padded_majority if rounding == "largest-remainder" and k >= 1 else None,
                     padded_check=padded_check, padded_error=padded_error)
