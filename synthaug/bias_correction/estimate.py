r"""The majority-based estimate :math:`\hat\psi` of the generator's loss bias.

Lyu, Ma, Zhang & Zhang (2025), *Bias-Corrected Data Synthesis for Imbalanced Learning*
(arXiv 2510.26046). The generator's loss bias :math:`\psi(\theta) = R_Q(\theta) - R_1(\theta)`
(Ma & Zhang, 2026, *Synthetic Augmentation in Imbalanced Learning*, arXiv 2601.16120) is
estimated by running the *same* generator (same settings) on blocks of majority rows of the
minority's size :math:`n_1` (``vmap`` over blocks with split keys), ``m`` synthetic rows per
block, and comparing synthetic-block losses with real majority losses at a proxy label
:math:`y^\dagger`:

* **paired** (default): :math:`\hat\psi(\theta) = B^{-1}\sum_b[\overline\ell(\theta;G(\text{block}_b),y^\dagger)
  - \overline\ell(\theta;\text{block}_b,y^\dagger)]`, ``B = floor(n0/n1)`` blocks cut from the whole
  (randomly permuted) majority;
* **held-out**: :math:`\hat\psi(\theta) = \overline{\ell}(\theta;\text{synthetic blocks},y^\dagger)
  - \overline{\ell}(\theta;\text{held-out majority},y^\dagger)`, ``B = floor((n0/2)/n1)`` blocks cut
  from one half of the permuted majority, the other half held out; optional cross-fitting swaps
  the halves and averages.

Either is a signed linear functional of per-row losses, stored as rows and coefficients
(:class:`BiasEstimate`, coefficients summing to zero), so
:math:`\hat\psi(\theta) = \sum_r a_r\,\ell(\theta; x_r, y^\dagger)` (:func:`psi_hat`). The
documented choices behind these defaults are listed in :mod:`synthaug.bias_correction`.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp

from synthaug.core.losses import Loss, values
from synthaug.core.validation import check_features, check_int, is_concrete
from synthaug.generators import Generator

__all__ = ["BiasEstimate", "block_layout", "estimate_bias", "psi_hat"]


class BiasEstimate(NamedTuple):
    r"""The bias estimate as signed rows: :math:`\hat\psi(\theta) = \sum_r a_r\,\ell(\theta; x_r, y^\dagger)`.

    Attributes
    ----------
    X
        rows (synthetic majority rows first, then reference rows), shape (r, d).
    coef
        coefficients :math:`a_r` (``+1/\#synthetic`` then ``-1/\#reference``; sum 0).
    label
        the proxy label :math:`y^\dagger` for every row, shape (r,).
    """

    X: jax.Array
    coef: jax.Array
    label: jax.Array


def block_layout(n0: int, block_size: int, method: str = "paired", n_blocks: int | None = None):
    """Static layout ``(n_blocks, n_pool)`` of the majority blocks; ``ValueError`` when impossible.

    ``n_pool`` is the number of majority rows the blocks are cut from (all of them
    for ``paired``, the first half for ``heldout``).
    """
    if method not in ("paired", "heldout"):
        raise ValueError(f"unknown bias estimate {method!r}; use 'paired' or 'heldout'")
    n0 = check_int(n0, "n0", 0)
    block_size = check_int(block_size, "block size (the minority size n1)", 1)
    n_pool = n0 if method == "paired" else n0 // 2
    most = n_pool // block_size
    if most < 1:
        need = block_size if method == "paired" else 2 * block_size
        raise ValueError(
            f"the {method} bias estimate needs at least {need} majority rows for one block of the minority's "
            f"size {block_size}; got {n0} majority rows"
        )
    if n_blocks is None:
        n_blocks = most
    n_blocks = check_int(n_blocks, f"n_blocks (for {n0} majority rows and blocks of {block_size})", 1, maximum=most)
    return n_blocks, n_pool


def _check_generator_block(generator: Generator, block_size: int):
    if block_size < generator.min_rows:
        raise ValueError(
            f"blocks of the minority's size {block_size} are smaller than generator {generator.name!r} needs "
            f"({generator.min_rows} rows); the bias cannot be estimated at this minority size"
        )


def _synthesise_blocks(generator, key, blocks, m, other):
    """Run the generator on each block (vmap over blocks, split keys): (B, m, d)."""
    keys = jax.random.split(key, blocks.shape[0])
    if generator.uses_majority:
        return jax.vmap(lambda k, b: generator(k, b, m, X_majority=other))(keys, blocks)
    return jax.vmap(lambda k, b: generator(k, b, m))(keys, blocks)


def estimate_bias(
    key,
    generator: Generator,
    X_majority,
    block_size: int,
    *,
    method: str = "paired",
    n_blocks: int | None = None,
    block_synthetic: int | None = None,
    cross_fit: bool = False,
    proxy_label: int = 1,
    X_minority=None,
) -> BiasEstimate:
    r"""The majority-based bias estimate :math:`\hat\psi` as signed rows (see module docstring).

    Parameters
    ----------
    key
        PRNG key (permutation of the majority and the generator keys).
    generator
        the generator used on the minority (same settings).
    X_majority
        majority rows, shape (n0, d).
    block_size
        the minority size :math:`n_1` (static int).
    method
        ``"paired"`` (default) or ``"heldout"``.
    n_blocks
        number of blocks ``B`` (default: as many as fit).
    block_synthetic
        synthetic rows per block ``m`` (default ``block_size``).
    cross_fit
        held-out only: also swap the halves and average.
    proxy_label
        :math:`y^\dagger \in \{0, 1\}`.
    X_minority
        the real minority rows, passed as the "opposite class" to
        generators with ``uses_majority`` (roles swapped).

    Returns
    -------
    BiasEstimate

    Raises
    ------
    ValueError
        When the majority cannot hold one block or the block is smaller than the
        generator needs.

    Examples
    --------
    >>> import jax
    >>> from synthaug import estimate_bias, make_generator
    >>> X0 = jax.random.normal(jax.random.key(0), (48, 2))
    >>> est = estimate_bias(jax.random.key(2), make_generator("smote"), X0, block_size=16)
    >>> est.X.shape[1], est.coef.shape == est.label.shape
    (2, True)
    >>> print(round(float(est.coef.sum()), 12))  # +1/#synthetic, then -1/#reference
    0.0
    """
    proxy_label = check_int(proxy_label, "proxy_label", 0, maximum=1)
    if is_concrete(X_majority):
        check_features(X_majority, "X_majority")
    X0 = jnp.asarray(X_majority)
    if not jnp.issubdtype(X0.dtype, jnp.floating):
        X0 = X0.astype(jnp.result_type(float))
    n0, d = X0.shape
    B, n_pool = block_layout(n0, block_size, method, n_blocks)
    _check_generator_block(generator, block_size)
    m = block_size if block_synthetic is None else check_int(block_synthetic, "block_synthetic", 1)
    if generator.uses_majority and X_minority is None:
        raise ValueError(f"generator {generator.name!r} uses the opposite class: pass X_minority")
    other = None if X_minority is None else jnp.asarray(X_minority, X0.dtype)
    return _estimate_bias(key, generator, X0, other, block_size, method, B, n_pool, m, bool(cross_fit),
                          proxy_label)


@functools.partial(jax.jit, static_argnames=("generator", "block_size", "method", "B", "n_pool", "m", "cross_fit",
                                             "proxy_label"))
def _estimate_bias(key, generator, X0, other, block_size, method, B, n_pool, m, cross_fit, proxy_label):
    n0, d = X0.shape
    kp, kg1, kg2 = jax.random.split(key, 3)
    Xp = X0[jax.random.permutation(kp, n0)]
    dtype = X0.dtype
    nb = B * block_size
    if method == "paired":
        blocks = Xp[:nb].reshape(B, block_size, d)
        syn = _synthesise_blocks(generator, kg1, blocks, m, other).reshape(B * m, d)
        X = jnp.concatenate([syn, Xp[:nb]])
        coef = jnp.concatenate([jnp.full(B * m, 1.0 / (B * m), dtype), jnp.full(nb, -1.0 / nb, dtype)])
    else:
        half_a, half_b = Xp[:n_pool], Xp[n_pool:]

        def one_way(k, gen_half, ref_half, scale):
            blocks = gen_half[:nb].reshape(B, block_size, d)
            syn = _synthesise_blocks(generator, k, blocks, m, other).reshape(B * m, d)
            c = jnp.concatenate([jnp.full(B * m, scale / (B * m), dtype),
                                 jnp.full(ref_half.shape[0], -scale / ref_half.shape[0], dtype)])
            return jnp.concatenate([syn, ref_half]), c

        if not cross_fit:
            X, coef = one_way(kg1, half_a, half_b, 1.0)
        else:
            if half_b.shape[0] < nb:  # odd n0: the second half has one more row, never fewer
                raise ValueError("cross-fitting needs both halves to hold the blocks")
            Xa, ca = one_way(kg1, half_a, half_b, 0.5)
            Xb, cb = one_way(kg2, half_b, half_a, 0.5)
            X, coef = jnp.concatenate([Xa, Xb]), jnp.concatenate([ca, cb])
    return BiasEstimate(X, coef, jnp.full(X.shape[0], float(proxy_label), dtype))


def psi_hat(loss: Loss, bias: BiasEstimate, theta):
    r""":math:`\hat\psi(\theta) = \sum_r a_r\,\ell(\theta; x_r, y^\dagger)`."""
    return jnp.dot(bias.coef, values(loss, theta, bias.X, bias.label))
