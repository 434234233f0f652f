r"""Stratified K-fold splits with static shapes, so folds can be ``vmap``-ped.

Each class is shuffled (explicit key) and cut into ``K`` validation blocks of
:math:`m_c = \lfloor n_c / K \rfloor` rows; fold ``k`` validates on block ``k``
and trains on every other row of the class. When :math:`K` does not divide
:math:`n_c`, the :math:`n_c \bmod K` left-over rows (a random set, fresh for each
repeat) are in the training part of every fold and in no validation part.
This is the documented price of identical shapes in all folds: nothing is
dropped from training, each validation block has exactly :math:`m_c` rows, and
all folds run as one vectorised program. Repeats draw fresh permutations.

Indices refer to the rows of each class separately (``X0`` and ``X1``).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from synthaug.core.validation import check_int

__all__ = ["Folds", "stratified_folds", "check_folds"]


class Folds(NamedTuple):
    """Row indices per fold (leading axis: fold). ``train0`` (F, n0 − m0), ``valid0`` (F, m0); same for class 1."""

    train0: jax.Array
    valid0: jax.Array
    train1: jax.Array
    valid1: jax.Array


def check_folds(n0: int, n1: int, folds: int, repeats: int = 1) -> None:
    """ValueError unless every fold has at least one row of each class in each part."""
    folds = check_int(folds, "folds", 2)
    repeats = check_int(repeats, "repeats", 1)
    if n1 < folds:
        raise ValueError(
            f"the minority class has {n1} rows, fewer than the {folds} folds; use fewer folds (at most {n1})"
        )
    if n0 < folds:
        raise ValueError(f"the majority class has {n0} rows, fewer than the {folds} folds")


def _class_folds(key, n: int, K: int):
    m = n // K
    perm = jax.random.permutation(key, n)

    def one(k):
        rolled = jnp.roll(perm, -k * m)
        return rolled[m:], rolled[:m]

    return jax.vmap(one)(jnp.arange(K))


def stratified_folds(key, n0: int, n1: int, folds: int, repeats: int = 1) -> Folds:
    """``repeats`` × ``folds`` stratified splits (fold axis of length ``repeats·folds``)."""
    check_folds(n0, n1, folds, repeats)
    keys = jax.random.split(key, repeats)
    parts = []
    for r in range(repeats):
        k0, k1 = jax.random.split(keys[r])
        tr0, va0 = _class_folds(k0, n0, folds)
        tr1, va1 = _class_folds(k1, n1, folds)
        parts.append(Folds(tr0, va0, tr1, va1))
    return jax.tree.map(lambda *a: jnp.concatenate(a), *parts)
