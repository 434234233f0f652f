"""Shape bucketing and padding: compile once per bucket of sizes, not once per size.

A jitted function with a static size (rows of a pool, length of a candidate vector)
recompiles for every new value. Rounding the size up to a coarse grid and padding the
arrays (with masks, zero weights, or a repeated entry that leaves the result unchanged)
makes nearby sizes share one compilation. This module is the one home of those rules;
the diagnosis stages, the VTSS candidate vectors and the MOMS networks use it, and so do
the generators called on concrete data (the samplers' ``fit_resample``): their input rows
are padded to :func:`row_bucket` rows (the padding masked out of every statistic and never
drawn) and their output size rounded up to :func:`draw_size`, with the extra rows dropped,
so the folds of a cross-validation share one compiled program per bucket. Generators that
use the majority (Borderline-SMOTE, ADASYN, SVM-SMOTE, SMOTE + Tomek links / ENN) pad both
classes to their row buckets (``Generator.padded_majority``): the padding rows are at
distance +inf in every neighbour search, never seeds and never counted, and the indices of
the concatenated padded classes map back by :func:`synthaug.generators._neighbours.unpad_index`;
the cleaning rules pad the whole sample the same way (:mod:`synthaug.core.cleaning`).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

__all__ = ["bucket", "round_up", "pad_rows", "pad_with_first", "prefix_stable_draws", "draw_size", "row_bucket",
           "pad_rows_host", "row_mask", "masked_mean", "masked_std", "masked_cov"]


def bucket(n: int, *, relative: int = 3, min_step: int = 1, minimum: int = 16) -> int:
    r"""``n`` rounded up to a multiple of :math:`\max(\text{min\_step}, 2^{\lfloor\log_2 n\rfloor-\text{relative}})`.

    Parameters
    ----------
    n : int
        The size to round (a static Python int).
    relative : int, default=3
        The step is :math:`2^{-\text{relative}}` of the leading power of two, so a bucket is at
        most :math:`2^{-\text{relative}}` above ``n`` (12.5 % with the default) once the step
        exceeds ``min_step``.
    min_step : int, default=1
        Smallest step of the grid.
    minimum : int, default=16
        Smallest bucket returned (``n <= 0`` gives ``minimum``).

    Returns
    -------
    int
        The bucket, ``>= max(n, minimum)``; there are :math:`O(2^{\text{relative}}\log n)`
        buckets up to ``n``.
    """
    n = int(n)
    if n <= 0:
        return int(minimum)
    step = max(int(min_step), 1 << max(n.bit_length() - 1 - int(relative), 0))
    return max(int(minimum), round_up(n, step))


def round_up(n: int, multiple: int) -> int:
    """The smallest multiple of ``multiple`` that is ``>= n``."""
    return -(-int(n) // int(multiple)) * int(multiple)


def pad_rows(X, size: int):
    """``X`` (n, d) with zero rows appended up to ``size`` rows (mask them by ``arange(size) < n``)."""
    return jnp.concatenate([X, jnp.zeros((size - X.shape[0],) + X.shape[1:], X.dtype)])


def pad_with_first(x, length: int):
    """``x`` (m,) extended to ``length`` by repeating ``x[0]`` (a minimum or arg-min over it is unchanged)."""
    x = jnp.asarray(x)
    return jnp.concatenate([x, jnp.broadcast_to(x[:1], (length - x.shape[0],) + x.shape[1:])])


def prefix_stable_draws() -> bool:
    """Whether a draw of ``N`` values starts with the draw of ``n < N`` values from the same key.

    True under JAX's partitionable Threefry (``jax_threefry_partitionable``, the default
    since JAX 0.5): every value is a function of the key and its own index. Only then can
    a synthetic size be rounded up to a bucket and the extra rows dropped without
    changing the first ``n``.
    """
    import jax

    return bool(jax.config.jax_threefry_partitionable)


def draw_size(n: int) -> int:
    """The number of rows to draw for ``n`` requested: :func:`bucket` when draws are prefix-stable, else ``n``."""
    n = int(n)
    return bucket(n, minimum=8) if prefix_stable_draws() else n


def row_bucket(n: int) -> int:
    """The padded row count for an input of ``n`` rows (at most 12.5 % above ``n``, at least 8)."""
    return bucket(int(n), minimum=8)


def pad_rows_host(X, size: int):
    """NumPy ``X`` (n, d) with zero rows appended up to ``size`` rows (no JAX program is compiled)."""
    X = np.asarray(X)
    if X.shape[0] == size:
        return X
    return np.concatenate([X, np.zeros((size - X.shape[0],) + X.shape[1:], X.dtype)])


def row_mask(size: int, n_valid, dtype):
    """``(size, 1)`` 0/1 column: row ``i`` is real iff ``i < n_valid`` (``n_valid`` may be traced)."""
    return (jnp.arange(size) < n_valid).astype(dtype)[:, None]


def masked_mean(Xp, n_valid):
    """Column means of the first ``n_valid`` rows of the padded ``Xp`` (padding rows are zero)."""
    return jnp.sum(Xp, axis=0) / n_valid


def masked_std(Xp, n_valid, ddof: int = 0):
    """Column standard deviations of the first ``n_valid`` rows of ``Xp`` (``jnp.std`` of the unpadded rows)."""
    m = masked_mean(Xp, n_valid)
    dev = (Xp - m) * row_mask(Xp.shape[0], n_valid, Xp.dtype)
    return jnp.sqrt(jnp.sum(dev * dev, axis=0) / (n_valid - ddof))


def masked_cov(Xp, n_valid):
    """Unbiased covariance (d, d) of the first ``n_valid`` rows of ``Xp`` (``jnp.cov(X, rowvar=False)``)."""
    m = masked_mean(Xp, n_valid)
    dev = (Xp - m) * row_mask(Xp.shape[0], n_valid, Xp.dtype)
    return dev.T @ dev / (n_valid - 1)
