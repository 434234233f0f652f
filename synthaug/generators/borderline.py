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
  :math:`q` is minority. When :math:`q` is majority the step depends on
  ``majority_step``:

  - ``"paper"`` (default): :math:`u \sim U(0, 0.5)`, so the synthetic row stays
    nearer the minority point, as Han et al. describe (mean step 1/4);
  - ``"imblearn"``: :math:`u = u_1 u_2` with :math:`u_1 \sim U(0, 1)` and
    :math:`u_2 \sim U(0, 0.5)` independent, the rule of imbalanced-learn's
    ``BorderlineSMOTE(kind="borderline-2")`` (mean step 1/8). The two are
    different generators in distribution.

**No danger points** (a well separated or all-noise minority): with
``fallback="skip"`` (default) a concrete call raises
:class:`~synthaug.generators._neighbours.NoSeedRowsError` (a ``ValueError``),
which :class:`~synthaug.estimators.oversamplers.BorderlineSMOTESampler` turns into
skipping that class with a warning, as imbalanced-learn does; ``fallback="raise"``
raises ``ValueError``; with ``fallback="smote"`` every minority row becomes a seed
(plain SMOTE seeds with the kind's neighbour rule). Under ``jit``/``vmap`` the check
cannot raise, and the ``"smote"`` fallback is used.

Neighbours come from the shared exact kNN (:mod:`synthaug.core.knn`), blocked for
large inputs (ties in the neighbour order are broken as there), or from tables given by
the caller (:func:`borderline_smote_from_tables`; the sampler builds them from a
neighbour estimator on the host).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from synthaug.core.buckets import row_bucket
from synthaug.core.validation import check_int
from synthaug.generators._neighbours import (
    NoSeedRowsError,
    check_fallback,
    dense_fits,
    neighbours_in_all,
    neighbours_in_minority,
    padded_neighbours_in_all,
    padded_neighbours_in_minority,
    padded_seed_cdf_draw,
    padded_valid,
    require_concrete_or_fallback,
)
from synthaug.generators.basic import PADDED_NO_SEED, PADDED_OK, Generator

__all__ = [
    "MAJORITY_STEPS",
    "borderline_smote",
    "borderline_smote2",
    "borderline_smote_from_tables",
    "borderline_smote_with_parents",
    "danger_mask",
]


@partial(jax.jit, static_argnames=("m",))
def danger_mask(X1, X0, m: int = 10):
    r"""``(danger, n_majority)``: the danger indicator and :math:`m'_i` per minority row."""
    nn = neighbours_in_all(X1, X0, m)
    n_maj = jnp.sum(nn >= X1.shape[0], axis=1)
    return (2 * n_maj >= m) & (n_maj < m), n_maj


MAJORITY_STEPS = ("paper", "imblearn")


def _majority_step(k_u, u, towards_majority, majority_step: str):
    """Borderline-2's shorter step towards a majority partner: half the step ("paper"), or ``u·v``,
    ``v ~ U(0, 0.5)`` drawn from ``fold_in(k_u, 1)`` ("imblearn"); shared by the padded and unpadded draws."""
    if majority_step == "paper":
        return jnp.where(towards_majority, 0.5 * u, u)
    v = jax.random.uniform(jax.random.fold_in(k_u, 1), u.shape, u.dtype, 0.0, 0.5)
    return jnp.where(towards_majority, u * v, u)


@partial(jax.jit, static_argnames=("n", "m", "kind", "majority_step"))
def _draw_from_tables(key, X1, Xref, n_maj, nn_k, ref_majority, n: int, m: int, kind: int, majority_step: str):
    """The draw given the tables: ``n_maj`` (n1,), ``nn_k`` (n1, k) indices into ``Xref``, ``ref_majority``."""
    n1 = X1.shape[0]
    danger = (2 * n_maj >= m) & (n_maj < m)
    any_danger = jnp.any(danger)
    w = jnp.where(any_danger, danger.astype(X1.dtype), jnp.ones_like(danger, X1.dtype))
    k_seed, k_nb, k_u = jax.random.split(key, 3)
    # inverse-CDF draw, O(n log n1) (``random.categorical`` would draw n × n1 Gumbel variates)
    cdf = jnp.cumsum(w)
    seeds = jnp.searchsorted(cdf, jax.random.uniform(k_seed, (n,), cdf.dtype) * cdf[-1], side="right")
    seeds = jnp.minimum(seeds, n1 - 1)
    pick = jax.random.randint(k_nb, (n,), 0, nn_k.shape[1])
    u = jax.random.uniform(k_u, (n,), X1.dtype)
    q = nn_k[seeds, pick]
    Xq = Xref[q]
    if kind == 2:
        u = _majority_step(k_u, u, ref_majority[q], majority_step)
    Xs = X1[seeds]
    return Xs + u[:, None] * (Xq - Xs), seeds, q, u, danger, any_danger


@partial(jax.jit, static_argnames=("n", "k", "m", "kind", "majority_step"))
def _draw(key, X1, X0, n: int, k: int, m: int, kind: int, majority_step: str = "paper"):
    n1 = X1.shape[0]
    # one search among all rows serves both the danger test (first m) and kind 2's neighbours (first k)
    nn_all = neighbours_in_all(X1, X0, max(m, k) if kind == 2 else m)
    n_maj = jnp.sum(nn_all[:, :m] >= n1, axis=1)
    if kind == 1:
        Xref, nn_k = X1, neighbours_in_minority(X1, k)
        ref_majority = jnp.zeros(n1, bool)
    else:
        Xref, nn_k = jnp.concatenate([X1, X0]), nn_all[:, :k]
        ref_majority = jnp.arange(Xref.shape[0]) >= n1
    return _draw_from_tables(key, X1, Xref, n_maj, nn_k, ref_majority, n, m, kind, majority_step)


def _padded_draw(key, X1p, n1, X0p, n0, n_out: int, k: int, m: int, kind: int, majority_step: str, fallback: str):
    """:func:`_draw` on classes padded to row buckets (``Generator.padded_majority``).

    The padding is never a neighbour (+inf distances, :mod:`~synthaug.generators._neighbours`),
    never a danger point and never a seed (weight 0; the uniform fallback weights only
    the real rows); kind 2's partners index ``[X1p; X0p]``, whose rows are those the
    unpadded indices point to. The draws are prefix-stable, so the first ``n`` of the
    ``n_out`` rows are the unpadded draw of ``n``.
    """
    b1 = X1p.shape[0]
    valid1 = jnp.arange(b1) < n1
    nn_all = padded_neighbours_in_all(X1p, n1, X0p, n0, max(m, k) if kind == 2 else m)
    n_maj = jnp.sum(nn_all[:, :m] >= b1, axis=1)
    if kind == 1:
        Xref, nn_k = X1p, padded_neighbours_in_minority(X1p, n1, k)
    else:
        Xref, nn_k = jnp.concatenate([X1p, X0p]), nn_all[:, :k]
    danger = (2 * n_maj >= m) & (n_maj < m) & valid1
    any_danger = jnp.any(danger)
    w = jnp.where(any_danger, danger, valid1).astype(X1p.dtype)
    k_seed, k_nb, k_u = jax.random.split(key, 3)
    seeds = padded_seed_cdf_draw(w, jax.random.uniform(k_seed, (n_out,), X1p.dtype))
    seeds = jnp.minimum(seeds, n1 - 1)
    pick = jax.random.randint(k_nb, (n_out,), 0, k)
    u = jax.random.uniform(k_u, (n_out,), X1p.dtype)
    q = nn_k[seeds, pick]
    Xq = Xref[q]
    if kind == 2:
        u = _majority_step(k_u, u, q >= b1, majority_step)
    Xs = X1p[seeds]
    failed = ~any_danger & (fallback != "smote")
    return {"rows": Xs + u[:, None] * (Xq - Xs), "status": jnp.where(failed, PADDED_NO_SEED, PADDED_OK).astype(jnp.int32),
            "danger": danger}


def _check_sizes(n1: int, n0: int, k: int, m: int):
    """The size errors of :func:`borderline_smote_with_parents`."""
    if n1 < k + 1:  # kind 2 could do with fewer; both kinds ask for k + 1, like SMOTE
        raise ValueError(f"Borderline-SMOTE with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    if n1 + n0 < max(m, k) + 1:
        raise ValueError(f"Borderline-SMOTE with m={m}, k={k} needs at least {max(m, k) + 1} rows in all; got {n1 + n0}")


def _no_danger_message(n1, m):
    return (
        f"Borderline-SMOTE found no danger points among {n1} minority rows (m={m}): every minority row is "
        "safe (fewer than m/2 majority neighbours) or noise (all m neighbours majority). "
        "Use fallback='smote' to seed from every minority row, or plain SMOTE."
    )


def _check_options(kind, fallback, majority_step):
    if kind not in (1, 2):
        raise ValueError(f"Borderline-SMOTE kind must be 1 or 2; got {kind!r}")
    if majority_step not in MAJORITY_STEPS:
        raise ValueError(f"majority_step must be one of {MAJORITY_STEPS}; got {majority_step!r}")
    return check_fallback(fallback)


def borderline_smote_with_parents(key, X1, X0, n: int, k: int = 5, m: int = 10, kind: int = 1, fallback="skip",
                                  majority_step: str = "paper"):
    """Borderline-SMOTE draws with their parents: ``(X_syn, seed, q, u, danger)``.

    ``seed`` indexes ``X1``; ``q`` indexes ``X1`` (kind 1) or ``[X1; X0]``
    (kind 2); ``u`` is the interpolation weight; ``danger`` the danger mask.
    """
    _check_options(kind, fallback, majority_step)
    n1, n0 = X1.shape[0], X0.shape[0]
    _check_sizes(n1, n0, k, m)
    Xs, seeds, q, u, danger, any_danger = _draw(key, X1, X0, n, k, m, kind, majority_step)
    require_concrete_or_fallback(any_danger, fallback, _no_danger_message(n1, m))
    return Xs, seeds, q, u, danger


def borderline_smote_from_tables(key, X1, Xref, n_majority, nn_k, ref_majority, n: int, m: int, kind: int = 1,
                                 fallback: str = "skip", majority_step: str = "paper"):
    """Borderline-SMOTE draws from given neighbour tables: ``(X_syn, seed, q, u, danger)``.

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    X1 : array of shape (n1, d)
        Minority rows.
    Xref : array of shape (n_ref, d)
        Rows the neighbour table ``nn_k`` points into (the minority for kind 1, all rows
        for kind 2).
    n_majority : array of int, shape (n1,)
        Number of majority rows among the ``m`` nearest neighbours of each minority row.
    nn_k : array of int, shape (n1, k)
        Interpolation partners, indices into ``Xref``.
    ref_majority : array of bool, shape (n_ref,)
        Which rows of ``Xref`` are majority rows (kind 2's step rule).
    n, m, kind, fallback, majority_step
        As in :func:`borderline_smote`.
    """
    _check_options(kind, fallback, majority_step)
    out = _draw_from_tables(key, jnp.asarray(X1), jnp.asarray(Xref, jnp.asarray(X1).dtype), jnp.asarray(n_majority),
                            jnp.asarray(nn_k), jnp.asarray(ref_majority, bool), n, m, kind, majority_step)
    Xs, seeds, q, u, danger, any_danger = out
    require_concrete_or_fallback(any_danger, fallback, _no_danger_message(X1.shape[0], m))
    return Xs, seeds, q, u, danger


def borderline_smote(k: int = 5, m: int = 10, kind: int = 1, fallback: str = "skip", majority_step: str = "paper",
                     name: str | None = None) -> Generator:
    """Borderline-SMOTE generator (``uses_majority=True``); see the module docstring.

    ``majority_step`` is kind 2's step towards a majority neighbour (``"paper"``: Han et
    al.'s :math:`U(0, 0.5)`; ``"imblearn"``: imbalanced-learn's product rule).
    """
    k = check_int(k, "k")
    m = check_int(m, "m")
    fallback = _check_options(kind, fallback, majority_step)

    def fn(key, X1, n, X0):
        return borderline_smote_with_parents(key, X1, X0, n, k, m, kind, fallback, majority_step)[0]

    def padded_majority(key, X1p, n1, X0p, n0, n, n_out):
        return _padded_draw(key, X1p, n1, X0p, n0, n_out, k, m, kind, majority_step, fallback)

    def padded_check(n1, n0, n):
        _check_sizes(n1, n0, k, m)
        return dense_fits(row_bucket(n1), row_bucket(n0))

    def padded_error(n1, n0, n):
        return (NoSeedRowsError if fallback == "skip" else ValueError)(_no_danger_message(n1, m))

    return Generator(name or f"borderline-smote-{kind}", fn, min_rows=k + 1, uses_majority=True,
                     padded_majority=padded_majority if k >= 1 and m >= 1 else None, padded_check=padded_check,
                     padded_error=padded_error)


def borderline_smote2(k: int = 5, m: int = 10, fallback: str = "skip", majority_step: str = "paper",
                      name: str | None = None) -> Generator:
    """Borderline-SMOTE kind 2 (see :func:`borderline_smote`)."""
    return borderline_smote(k=k, m=m, kind=2, fallback=fallback, majority_step=majority_step, name=name)
