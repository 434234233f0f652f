r"""Borderline-SMOTE, kinds 1 and 2 (Han, Wang & Mao, ICIC 2005).

For each minority row :math:`p_i`, take its ``m`` nearest neighbours among *all*
training rows (minority and majority, itself excluded) and count the majority
rows among them, :math:`m'_i`. Then

* :math:`m'_i = m`: *noise* (every neighbour is majority) — never a seed;
* :math:`m/2 \le m'_i < m`: *danger* (on the class border) — the seeds;
* :math:`m'_i < m/2`: *safe* — never a seed.

Every synthetic row is :math:`\tilde x = p_i + u\,(q - p_i)` with :math:`p_i` a
danger point drawn uniformly (with replacement, so the total is exactly ``n``;
the paper gives each danger point the same number ``s`` of synthetic rows, which
uniform seeds match in expectation) and

* **kind 1**: :math:`q` uniform among the ``k`` nearest *minority* neighbours
  of :math:`p_i`, :math:`u \sim U(0, 1)`;
* **kind 2**: :math:`q` uniform among the ``k`` nearest neighbours of
  :math:`p_i` in the *whole* training set; :math:`u \sim U(0, 1)` when
  :math:`q` is minority and :math:`u \sim U(0, 0.5)` when :math:`q` is majority
  (the synthetic row stays nearer the minority point), as in the paper.

**No danger points** (a well separated or all-noise minority): with
``fallback="raise"`` (default) a concrete call raises ``ValueError``; with
``fallback="smote"`` every minority row becomes a seed (plain SMOTE seeds with
the kind's neighbour rule). Under ``jit``/``vmap`` the check cannot raise, and
the ``"smote"`` fallback is used.

Neighbours come from the shared exact kNN (:mod:`synthaug.core.knn`), blocked for
large inputs. Ties in the neighbour order are broken as there.
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

__all__ = ["borderline_smote", "borderline_smote2", "borderline_smote_with_parents", "danger_mask"]


@partial(jax.jit, static_argnames=("m",))
def danger_mask(X1, X0, m: int = 10):
    r"""``(danger, n_majority)``: the danger indicator and :math:`m'_i` per minority row."""
    nn = neighbours_in_all(X1, X0, m)
    n_maj = jnp.sum(nn >= X1.shape[0], axis=1)
    return (2 * n_maj >= m) & (n_maj < m), n_maj


@partial(jax.jit, static_argnames=("n", "k", "m", "kind"))
def _draw(key, X1, X0, n: int, k: int, m: int, kind: int):
    n1 = X1.shape[0]
    # one search among all rows serves both the danger test (first m) and kind 2's neighbours (first k)
    nn_all = neighbours_in_all(X1, X0, max(m, k) if kind == 2 else m)
    n_maj = jnp.sum(nn_all[:, :m] >= n1, axis=1)
    danger = (2 * n_maj >= m) & (n_maj < m)
    any_danger = jnp.any(danger)
    w = jnp.where(any_danger, danger.astype(X1.dtype), jnp.ones_like(danger, X1.dtype))
    k_seed, k_nb, k_u = jax.random.split(key, 3)
    # inverse-CDF draw, O(n log n1) (``random.categorical`` would draw n × n1 Gumbel variates)
    cdf = jnp.cumsum(w)
    seeds = jnp.searchsorted(cdf, jax.random.uniform(k_seed, (n,), cdf.dtype) * cdf[-1], side="right")
    seeds = jnp.minimum(seeds, n1 - 1)
    pick = jax.random.randint(k_nb, (n,), 0, k)
    u = jax.random.uniform(k_u, (n,), X1.dtype)
    if kind == 1:
        q = neighbours_in_minority(X1, k)[seeds, pick]
        Xq = X1[q]
    else:
        q = nn_all[:, :k][seeds, pick]
        Xall = jnp.concatenate([X1, X0])
        Xq = Xall[q]
        u = jnp.where(q >= n1, 0.5 * u, u)
    Xs = X1[seeds]
    return Xs + u[:, None] * (Xq - Xs), seeds, q, u, danger, any_danger


def borderline_smote_with_parents(key, X1, X0, n: int, k: int = 5, m: int = 10, kind: int = 1, fallback="raise"):
    """Borderline-SMOTE draws with their parents: ``(X_syn, seed, q, u, danger)``.

    ``seed`` indexes ``X1``; ``q`` indexes ``X1`` (kind 1) or ``[X1; X0]``
    (kind 2); ``u`` is the interpolation weight; ``danger`` the danger mask.
    """
    n1, n0 = X1.shape[0], X0.shape[0]
    if n1 < k + 1:  # kind 2 could do with fewer; both kinds ask for k + 1, like SMOTE
        raise ValueError(f"Borderline-SMOTE with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    if n1 + n0 < max(m, k) + 1:
        raise ValueError(f"Borderline-SMOTE with m={m}, k={k} needs at least {max(m, k) + 1} rows in all; got {n1 + n0}")
    Xs, seeds, q, u, danger, any_danger = _draw(key, X1, X0, n, k, m, kind)
    require_concrete_or_fallback(
        any_danger,
        fallback,
        f"Borderline-SMOTE found no danger points among {n1} minority rows (m={m}): every minority row is "
        "safe (fewer than m/2 majority neighbours) or noise (all m neighbours majority). "
        "Use fallback='smote' to seed from every minority row, or plain SMOTE.",
    )
    return Xs, seeds, q, u, danger


def borderline_smote(k: int = 5, m: int = 10, kind: int = 1, fallback: str = "raise", name: str | None = None) -> Generator:
    """Borderline-SMOTE generator (``uses_majority=True``); see the module docstring."""
    k = check_int(k, "k")
    m = check_int(m, "m")
    if kind not in (1, 2):
        raise ValueError(f"Borderline-SMOTE kind must be 1 or 2; got {kind!r}")
    fallback = check_fallback(fallback)

    def fn(key, X1, n, X0):
        return borderline_smote_with_parents(key, X1, X0, n, k, m, kind, fallback)[0]

    return Generator(name or f"borderline-smote-{kind}", fn, min_rows=k + 1, uses_majority=True)


def borderline_smote2(k: int = 5, m: int = 10, fallback: str = "raise", name: str | None = None) -> Generator:
    """Borderline-SMOTE kind 2 (see :func:`borderline_smote`)."""
    return borderline_smote(k=k, m=m, kind=2, fallback=fallback, name=name)
