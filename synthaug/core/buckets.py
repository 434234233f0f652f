"""Shape bucketing and padding: compile once per bucket of sizes, not once per size.

A jitted function with a static size (rows of a pool, length of a candidate vector)
recompiles for every new value. Rounding the size up to a coarse grid and padding the
arrays (with masks, zero weights, or a repeated entry that leaves the result unchanged)
makes nearby sizes share one compilation. This module is the one home of those rules;
the diagnosis stages, the VTSS candidate vectors and the MOMS networks use it.
"""

from __future__ import annotations

import jax.numpy as jnp

__all__ = ["bucket", "round_up", "pad_rows", "pad_with_first"]


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
