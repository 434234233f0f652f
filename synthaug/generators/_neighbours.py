"""Helpers shared by the SMOTE-family generators (private)."""

from __future__ import annotations

import jax.numpy as jnp

from synthaug.core.validation import is_concrete
from synthaug.core.knn import default_block_size, knn

FALLBACKS = ("raise", "smote")


def check_fallback(fallback: str) -> str:
    if fallback not in FALLBACKS:
        raise ValueError(f"fallback must be one of {FALLBACKS}; got {fallback!r}")
    return fallback


def neighbours_in_all(X1, X0, k: int):
    """Indices of the ``k`` nearest rows of ``[X1; X0]`` to each minority row (itself excluded).

    Index ``< n1`` is a minority row, ``>= n1`` a majority row (``n1 + idx`` of ``X0``).
    """
    Xall = jnp.concatenate([X1, X0])
    return knn(Xall, k, X1, exclude_self=True, block_size=default_block_size(X1.shape[0], Xall.shape[0]))[1]


def neighbours_in_minority(X1, k: int):
    """Indices of the ``k`` nearest other minority rows of each minority row."""
    return knn(X1, k, block_size=default_block_size(X1.shape[0], X1.shape[0]))[1]


def require_concrete_or_fallback(flag, fallback: str, message: str):
    """Raise ``ValueError(message)`` when ``flag`` is concretely False and ``fallback == "raise"``.

    Under ``jit``/``vmap`` the flag is a tracer and cannot be inspected: the
    generator then always uses the ``"smote"`` fallback where ``flag`` is False.
    """
    if fallback == "raise" and is_concrete(flag) and not bool(flag):
        raise ValueError(message)
