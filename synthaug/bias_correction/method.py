r"""Bias-corrected data synthesis (Lyu, Ma, L. Zhang & A. R. Zhang, arXiv 2510.26046): a reconstruction.

The paper's body could not be read; this module implements the reconstruction in
``../shared/research/lyu_bias_correction.md`` (§1.5–1.9). Every choice the paper
does not pin down is listed under *Reconstruction choices* below (and in the README
section "Bias correction (reconstruction choices)") so it can be checked later.

Setting (class indices: 0 = majority, 1 = minority). Majority rows
:math:`X^0_{1..n_0}`, minority rows :math:`X^1_{1..n_1}`, :math:`\tilde n` synthetic
minority rows :math:`\tilde X = G(X^1)`. Augmented loss (pooled weighting)

.. math:: L^{aug}(\theta) = \frac1N\Big[\sum_j \ell(\theta;X^0_j,0) + \sum_i \ell(\theta;X^1_i,1)
          + \sum_k \ell(\theta;\tilde X_k,1)\Big],\quad N = n_0+n_1+\tilde n,

whose expectation is :math:`R_{bal} + a\,\varphi + b\,\psi` with :math:`b = \tilde n/N` and
:math:`\psi = R_Q - R_1` (Ma & Zhang, arXiv 2601.16120). In the class-balanced weighting
(each class half the weight; real and synthetic minority rows share the minority half
equally) the expectation is :math:`R_{bal} + b\,\psi` with :math:`b = \tilde n / (2(n_1+\tilde n))`.

**Bias estimate from the majority** (:func:`estimate_bias`). The majority is cut into
``B`` blocks of the minority's size :math:`n_1`; the *same* generator (same settings) runs
on every block (``vmap`` over blocks with split keys), producing ``m`` rows per block:

* held-out version: :math:`\hat\psi(\theta) = \overline{\ell}(\theta;\text{synthetic blocks},y^\dagger)
  - \overline{\ell}(\theta;\text{held-out majority},y^\dagger)` with the blocks cut from one half
  of the (randomly permuted) majority and the other half held out; optional cross-fitting
  swaps the halves and averages;
* paired version: :math:`\hat\psi(\theta) = B^{-1}\sum_b[\overline\ell(\theta;G(\text{block}_b),y^\dagger)
  - \overline\ell(\theta;\text{block}_b,y^\dagger)]`, blocks cut from the whole majority.

Either is a signed linear functional of per-row losses, stored as rows and coefficients
(:class:`BiasEstimate`, coefficients summing to zero), so :math:`\hat\psi(\theta) = \sum_r a_r\,
\ell(\theta; x_r, y^\dagger)`.

**Corrected loss** :math:`L^{bc} = L^{aug} - \beta\hat\psi` with :math:`\beta = b` by default.
It is *one* weighted ERM (:func:`corrected_design`): the augmented rows with their
non-negative weights (sum 1) followed by the bias rows with weights :math:`-\beta a_r`
(sum 0), so the weights are signed with sum 1 and :func:`synthaug.core.fit.weighted_fit`
(which requires only a positive sum) minimises exactly :math:`L^{bc} + \lambda\lVert\theta\rVert^2`.

**Two corrections** (``correction=``):

* ``"one-step"`` (**the default**): one Newton step of the full penalised objective
  :math:`F^{bc}` from the naive estimate,
  :math:`\hat\theta^{os} = \hat\theta^{aug} - [\nabla^2 F^{bc}(\hat\theta^{aug})]^{-1}\nabla F^{bc}(\hat\theta^{aug})`.
  When :math:`\nabla^2 F^{bc}(\hat\theta^{aug})` is not positive definite the augmented
  Hessian :math:`\nabla^2 F^{aug}(\hat\theta^{aug})` (always positive definite) is used
  instead — the note's §1.9 formula — and ``negative_curvature`` is set. It never
  optimises a non-convex objective, is always finite, and has the same first-order
  expansion as the full minimiser (:math:`-H^{-1}\beta\nabla\hat\psi` at the naive
  estimate), which is why it is the default; the team's pilot (note §7) found it at
  least as accurate as the full minimisation and always stable.
* ``"full"``: minimise :math:`F^{bc}` by :func:`~synthaug.core.fit.weighted_fit` warm-started
  at :math:`\hat\theta^{aug}`. With negative weights :math:`F^{bc}` is a difference of
  convex functions: it may be non-convex, and its unpenalised part may be unbounded
  below. A *safeguard* (:func:`unboundedness_check`) inspects the result: Newton not
  converged, Hessian not positive definite at the returned point (negative curvature),
  a diverging norm (:math:`\lVert\hat\theta-\hat\theta^{aug}\rVert > ` ``max_step`` ·
  :math:`(1+\lVert\hat\theta^{aug}\rVert)`), or a *recession direction*: a unit direction
  :math:`v` with :math:`F_\infty(v) = \lim_{t\to\infty} F_0(\theta + t v)/t < 0` (logistic;
  :math:`F_0` the unpenalised objective, :math:`F_\infty(v) = \sum_i w_i[\max(v^\top z_i,0) - y_i v^\top z_i]`)
  or a negative eigenvalue of the weighted Gram matrix (squared loss), in which case the
  unpenalised objective decreases without bound (with the ridge it is bounded but its
  minimiser sits at a norm of order :math:`1/\lambda`). Probed directions: the
  coordinate axes, the fitted point and the step from the naive estimate, and the two
  lowest-curvature eigenvectors of :math:`\nabla^2 F^{bc}(\hat\theta^{aug})`, each with
  both signs; the probe is sufficient, not necessary. When anything is flagged and
  ``fallback=True`` (default) the returned ``theta`` is the one-step estimate and
  ``fallback_used`` says so; the full solver's own iterate stays in ``theta_full``.

Estimators on equal terms (:func:`fit_estimator`): ``raw`` (pooled ERM on real data),
``reweight`` (class-balanced weights), ``naive`` (augmented), ``bc`` (corrected) — all
one call of :func:`~synthaug.core.fit.weighted_fit` on a weight vector.

Reconstruction choices (not pinned down by the readable parts of the paper)
--------------------------------------------------------------------------
1. :math:`L^{aug}` is pooled ERM (note §1.4); a class-balanced variant is available
   (``weighting="balanced"``). The correction coefficient is the exact coefficient of
   :math:`\psi` in :math:`E L^{aug}`: :math:`\beta = \tilde n/N` (pooled; equal to
   :math:`(n_0-n_1)/(2n_0)` at full balancing) or :math:`\tilde n/(2(n_1+\tilde n))`
   (balanced); ``beta=`` overrides it.
2. Block size = :math:`n_1` (the generator's bias depends on its input size).
   Held-out: majority randomly permuted, split in halves; ``B = floor((n_0/2)/n_1)``
   blocks from the first half, the second half held out. Paired:
   ``B = floor(n_0/n_1)`` blocks from the whole majority (no held-out set needed).
   Leftover rows are unused by the bias estimate; *all* majority rows still enter
   the label-0 term.
3. Synthetic rows per block ``m`` default to :math:`n_1` (one block's worth), so the
   synthetic majority has about as many rows as the majority used for blocks.
4. Proxy label :math:`y^\dagger = 1` (the loss branch being corrected); ``proxy_label=0``
   is available.
5. No alignment or re-centring of the majority toward the minority (the note's
   "aligned" pilot variant is not the default).
6. Cross-fitting (held-out version only): swap the halves and average the two estimates;
   for the paired version it does not apply (all rows are already used) and is ignored.
7. Generators that use the majority (``uses_majority``) receive, when run on a majority
   block, the real *minority* rows as the opposite class (roles swapped).
8. ``correction="one-step"`` by default (see above); ``"full"`` with the safeguard and a
   one-step fallback.
9. Ridge :math:`\lambda\lVert\theta\rVert^2` (intercept included) as in
   :func:`~synthaug.core.fit.weighted_fit`; the same ridge for every estimator.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core import linalg as smalllinalg
from synthaug.core.validation import check_features, check_size, is_concrete
from synthaug.core.fit import FitResult, weighted_fit
from synthaug.generators.basic import Generator
from synthaug.core.losses import Loss, values

__all__ = [
    "BiasEstimate",
    "BCFit",
    "block_layout",
    "estimate_bias",
    "psi_hat",
    "augmented_design",
    "corrected_design",
    "correction_coefficient",
    "corrected_objective",
    "penalised_objective",
    "one_step",
    "unboundedness_check",
    "fit_estimator",
    "bias_corrected_fit",
    "METHODS",
    "COMPARE_METHODS",
    "Comparison",
    "compare_estimators",
    "corrected_fit",
]

METHODS = ("raw", "reweight", "naive", "bc")


class BiasEstimate(NamedTuple):
    r"""The bias estimate as signed rows: :math:`\hat\psi(\theta) = \sum_r a_r\,\ell(\theta; x_r, y^\dagger)`.

    Attributes:
      X: rows (synthetic majority rows first, then reference rows), shape (r, d).
      coef: coefficients :math:`a_r` (``+1/\#synthetic`` then ``-1/\#reference``; sum 0).
      label: the proxy label :math:`y^\dagger` for every row, shape (r,).
    """

    X: jax.Array
    coef: jax.Array
    label: jax.Array


class BCFit(NamedTuple):
    """Result of :func:`bias_corrected_fit` (a pytree; batched under ``vmap``).

    Attributes:
      theta: the corrected estimate (one-step, full, or the one-step fallback).
      theta_naive: the naive augmented estimate :math:`\\hat\\theta^{aug}`.
      theta_onestep: the one-step estimate.
      theta_full: the full solver's iterate (equal to ``theta_onestep`` for ``"one-step"``).
      converged: the naive fit converged and (``"full"``) the full solver converged.
      unbounded: a recession direction or a diverging norm was found (``"full"`` only).
      negative_curvature: the corrected Hessian was not positive definite (at the
        naive estimate for ``"one-step"``, at the returned point for ``"full"``).
      fallback_used: ``"full"`` was flagged and ``theta`` is the one-step estimate.
      min_eig: smallest eigenvalue of the corrected penalised Hessian at the full
        iterate (``"full"``) or at the naive estimate (``"one-step"``).
      recession: smallest probed recession slope :math:`F_\\infty(v)` (negative:
        unbounded below without the ridge).
      beta: the correction coefficient used.
      psi_naive: :math:`\\hat\\psi(\\hat\\theta^{aug})`.
    """

    theta: jax.Array
    theta_naive: jax.Array
    theta_onestep: jax.Array
    theta_full: jax.Array
    converged: jax.Array
    unbounded: jax.Array
    negative_curvature: jax.Array
    fallback_used: jax.Array
    min_eig: jax.Array
    recession: jax.Array
    beta: jax.Array
    psi_naive: jax.Array


# ---------------------------------------------------------------------------------------------
# Bias estimate
# ---------------------------------------------------------------------------------------------


def block_layout(n0: int, block_size: int, method: str = "paired", n_blocks: int | None = None):
    """Static layout ``(n_blocks, n_pool)`` of the majority blocks; ``ValueError`` when impossible.

    ``n_pool`` is the number of majority rows the blocks are cut from (all of them
    for ``paired``, the first half for ``heldout``).
    """
    if method not in ("paired", "heldout"):
        raise ValueError(f"unknown bias estimate {method!r}; use 'paired' or 'heldout'")
    n0 = check_size(n0, "n0")
    block_size = check_size(block_size, "block size")
    if block_size < 1:
        raise ValueError("block size (the minority size n1) must be at least 1")
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
    n_blocks = check_size(n_blocks, "n_blocks")
    if not 1 <= n_blocks <= most:
        raise ValueError(f"n_blocks must lie in [1, {most}] for {n0} majority rows and blocks of {block_size}; "
                         f"got {n_blocks}")
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

    Args:
      key: PRNG key (permutation of the majority and the generator keys).
      generator: the generator used on the minority (same settings).
      X_majority: majority rows, shape (n0, d).
      block_size: the minority size :math:`n_1` (static int).
      method: ``"paired"`` (default) or ``"heldout"``.
      n_blocks: number of blocks ``B`` (default: as many as fit).
      block_synthetic: synthetic rows per block ``m`` (default ``block_size``).
      cross_fit: held-out only: also swap the halves and average.
      proxy_label: :math:`y^\dagger \in \{0, 1\}`.
      X_minority: the real minority rows, passed as the "opposite class" to
        generators with ``uses_majority`` (roles swapped).

    Returns:
      :class:`BiasEstimate`. Raises ``ValueError`` when the majority cannot hold one
      block or the block is smaller than the generator needs.
    """
    if proxy_label not in (0, 1):
        raise ValueError(f"proxy_label must be 0 or 1; got {proxy_label!r}")
    if is_concrete(X_majority):
        check_features(X_majority, "X_majority")
    X0 = jnp.asarray(X_majority)
    if not jnp.issubdtype(X0.dtype, jnp.floating):
        X0 = X0.astype(jnp.result_type(float))
    n0, d = X0.shape
    B, n_pool = block_layout(n0, block_size, method, n_blocks)
    _check_generator_block(generator, block_size)
    m = block_size if block_synthetic is None else check_size(block_synthetic, "block_synthetic")
    if m < 1:
        raise ValueError("block_synthetic must be at least 1")
    if generator.uses_majority and X_minority is None:
        raise ValueError(f"generator {generator.name!r} uses the opposite class: pass X_minority")
    other = None if X_minority is None else jnp.asarray(X_minority, X0.dtype)
    return _estimate_bias(key, generator, X0, other, block_size, method, B, n_pool, m, bool(cross_fit),
                          int(proxy_label))


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


# ---------------------------------------------------------------------------------------------
# Weighted designs (every estimator is one weighted ERM)
# ---------------------------------------------------------------------------------------------


def _weighting_check(weighting):
    if weighting not in ("pooled", "balanced"):
        raise ValueError(f"unknown weighting {weighting!r}; use 'pooled' or 'balanced'")


def augmented_design(X0, X1, X_syn=None, weighting: str = "pooled"):
    r"""Rows, class indices and weights (sum 1) of the augmented ERM.

    ``pooled``: every row weight :math:`1/N`; ``balanced``: majority rows
    :math:`1/(2n_0)`, minority rows (real and synthetic alike) :math:`1/(2(n_1+\tilde n))`.
    With no synthetic rows these are raw ERM and class-reweighted ERM.
    """
    _weighting_check(weighting)
    X0, X1 = jnp.asarray(X0), jnp.asarray(X1)
    dtype = X0.dtype
    d = X0.shape[1]
    X_syn = jnp.zeros((0, d), dtype) if X_syn is None else jnp.asarray(X_syn, dtype)
    n0, n1, ns = X0.shape[0], X1.shape[0], X_syn.shape[0]
    X = jnp.concatenate([X0, X1, X_syn])
    y = jnp.concatenate([jnp.zeros(n0, dtype), jnp.ones(n1 + ns, dtype)])
    if weighting == "pooled":
        w = jnp.full(n0 + n1 + ns, 1.0 / (n0 + n1 + ns), dtype)
    else:
        w = jnp.concatenate([jnp.full(n0, 0.5 / n0, dtype), jnp.full(n1 + ns, 0.5 / (n1 + ns), dtype)])
    return X, y, w


def correction_coefficient(n0: int, n1: int, n_synthetic: int, weighting: str = "pooled") -> float:
    r"""The coefficient :math:`b` of :math:`\psi` in :math:`E L^{aug}` (the default :math:`\beta`)."""
    _weighting_check(weighting)
    if weighting == "pooled":
        return n_synthetic / (n0 + n1 + n_synthetic)
    return n_synthetic / (2.0 * (n1 + n_synthetic))


def corrected_design(X0, X1, X_syn, bias: BiasEstimate, beta, weighting: str = "pooled"):
    r"""One weighted ERM for :math:`L^{bc} = L^{aug} - \beta\hat\psi`: signed weights with sum 1."""
    X, y, w = augmented_design(X0, X1, X_syn, weighting)
    dtype = X.dtype
    Xc = jnp.concatenate([X, jnp.asarray(bias.X, dtype)])
    yc = jnp.concatenate([y, jnp.asarray(bias.label, dtype)])
    wc = jnp.concatenate([w, -jnp.asarray(beta, dtype) * jnp.asarray(bias.coef, dtype)])
    return Xc, yc, wc


def penalised_objective(loss: Loss, theta, X, y, w, ridge):
    r""":math:`\sum_i w_i\ell(\theta;x_i,y_i)/\sum_i w_i + \lambda\lVert\theta\rVert^2` (as in :func:`~synthaug.core.fit.weighted_fit`)."""
    w = jnp.asarray(w)
    return jnp.dot(w / jnp.sum(w), values(loss, theta, X, y)) + ridge * jnp.dot(theta, theta)


def corrected_objective(loss: Loss, theta, X0, X1, X_syn, bias: BiasEstimate, beta, ridge,
                        weighting: str = "pooled"):
    r"""Direct form :math:`L^{aug}(\theta) - \beta\hat\psi(\theta) + \lambda\lVert\theta\rVert^2` (for checks)."""
    X, y, w = augmented_design(X0, X1, X_syn, weighting)
    return penalised_objective(loss, theta, X, y, w, ridge) - beta * psi_hat(loss, bias, theta)


def _hessian(loss, theta, Z, y, wn, ridge):
    _, d2 = loss.link_derivatives(Z @ theta, y)
    return (Z * (wn * d2)[:, None]).T @ Z + 2.0 * ridge * jnp.eye(Z.shape[1], dtype=Z.dtype)


def _gradient(loss, theta, Z, y, wn, ridge):
    d1, _ = loss.link_derivatives(Z @ theta, y)
    return Z.T @ (wn * d1) + 2.0 * ridge * theta


def one_step(loss: Loss, theta_naive, X_aug, y_aug, w_aug, X_bc, y_bc, w_bc, ridge):
    r"""One Newton step of the corrected penalised objective from ``theta_naive``.

    Uses the corrected Hessian when it is positive definite, else the augmented one
    (always positive definite). Returns ``(theta, negative_curvature, min_eig)``.
    The eigenvalue and the solve use :mod:`synthaug.core.linalg` (plain XLA, no LAPACK
    custom call), which avoids a jaxlib 0.10 thread-pool deadlock of batched LAPACK calls.
    """
    Za, Zb = loss.features(X_aug), loss.features(X_bc)
    wa = w_aug / jnp.sum(w_aug)
    wb = w_bc / jnp.sum(w_bc)
    g = _gradient(loss, theta_naive, Zb, y_bc, wb, ridge)
    Hb = _hessian(loss, theta_naive, Zb, y_bc, wb, ridge)
    Ha = _hessian(loss, theta_naive, Za, y_aug, wa, ridge)
    min_eig = smalllinalg.eigvalsh(Hb)[0]
    scale = jnp.max(jnp.abs(jnp.diag(Hb)))
    pd = min_eig > 1e-10 * scale
    H = jnp.where(pd, Hb, Ha)
    step = smalllinalg.spd_solve(H, g)
    return theta_naive - step, ~pd, min_eig


def _recession_slopes(loss: Loss, V, Z, y, wn):
    """Logistic recession slopes :math:`F_\\infty(v) = \\sum w_i[\\max(v^\\top z_i, 0) - y_i v^\\top z_i]` per row of V."""
    S = Z @ V.T  # (n, k)
    r = jnp.maximum(S, 0.0) - y[:, None] * S
    return wn @ r


def unboundedness_check(loss: Loss, theta, theta_naive, X, y, w, ridge, *, max_step: float = 100.0):
    r"""Safeguard diagnostics of a fit of a signed-weight objective (see module docstring).

    Returns ``(unbounded, negative_curvature, min_eig, recession)``:
    ``unbounded`` is a recession direction with negative slope (logistic), a
    negative eigenvalue of the weighted Gram (squared), or a diverging norm.
    """
    Z = loss.features(X)
    y = jnp.asarray(y, Z.dtype)
    wn = w / jnp.sum(w)
    p = Z.shape[1]
    H = _hessian(loss, theta, Z, y, wn, ridge)
    evals = smalllinalg.eigvalsh(H)
    scale = jnp.maximum(jnp.max(jnp.abs(jnp.diag(H))), 1e-300)
    negative_curvature = evals[0] <= 1e-10 * scale
    big = jnp.linalg.norm(theta - theta_naive) > max_step * (1.0 + jnp.linalg.norm(theta_naive))
    nonfinite = ~jnp.all(jnp.isfinite(theta))
    if loss.quadratic:
        G = (Z * wn[:, None]).T @ Z
        rec = smalllinalg.eigvalsh(G)[0]
        unb = rec < -1e-12 * jnp.maximum(jnp.max(jnp.abs(jnp.diag(G))), 1e-300)
        return unb | big | nonfinite, negative_curvature, evals[0], rec
    H0 = _hessian(loss, theta_naive, Z, y, wn, ridge)
    _, vecs = smalllinalg.eigh(H0)

    def unit(v):
        n = jnp.linalg.norm(v)
        return jnp.where(n > 0, v / jnp.maximum(n, 1e-300), jnp.zeros_like(v))

    th = jnp.where(jnp.isfinite(theta), theta, 0.0)
    cand = jnp.concatenate([jnp.eye(p, dtype=Z.dtype), unit(th)[None], unit(th - theta_naive)[None],
                            vecs[:, :2].T], axis=0)
    V = jnp.concatenate([cand, -cand])
    slopes = _recession_slopes(loss, V, Z, y, wn)
    norms = jnp.linalg.norm(V, axis=1)
    slopes = jnp.where(norms > 0.5, slopes, jnp.inf)
    rec = jnp.min(slopes)
    return (rec < -1e-12) | big | nonfinite, negative_curvature, evals[0], rec


# ---------------------------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------------------------


def fit_estimator(loss: Loss, method: str, X0, X1, X_syn=None, bias: BiasEstimate | None = None, beta=None, *,
                  ridge: float = 1e-8, weighting: str = "pooled", theta0=None, max_iter: int = 100,
                  tol=None) -> FitResult:
    """Raw, reweighted, naive or (full) corrected estimator, each as one :func:`~synthaug.core.fit.weighted_fit` call.

    ``raw``: pooled ERM on real rows; ``reweight``: class-balanced ERM on real rows;
    ``naive``: augmented ERM (``weighting``); ``bc``: the corrected weighted ERM
    (needs ``bias`` and ``beta``; no safeguard here — see :func:`bias_corrected_fit`).
    """
    if method == "raw":
        X, y, w = augmented_design(X0, X1, None, "pooled")
    elif method == "reweight":
        X, y, w = augmented_design(X0, X1, None, "balanced")
    elif method == "naive":
        X, y, w = augmented_design(X0, X1, X_syn, weighting)
    elif method == "bc":
        if bias is None or beta is None:
            raise ValueError("the corrected estimator needs a bias estimate and beta")
        X, y, w = corrected_design(X0, X1, X_syn, bias, beta, weighting)
    else:
        raise ValueError(f"unknown estimator {method!r}; choose one of {METHODS}")
    return weighted_fit(loss, X, y, w, ridge=ridge, theta0=theta0, max_iter=max_iter, tol=tol)


def _validate_fit_inputs(X0, X1, generator, n_synthetic, method, correction, weighting, proxy_label):
    if correction not in ("one-step", "full"):
        raise ValueError(f"unknown correction {correction!r}; use 'one-step' or 'full'")
    if method not in ("paired", "heldout"):
        raise ValueError(f"unknown bias estimate {method!r}; use 'paired' or 'heldout'")
    _weighting_check(weighting)
    if proxy_label not in (0, 1):
        raise ValueError(f"proxy_label must be 0 or 1; got {proxy_label!r}")
    if not isinstance(generator, Generator):
        raise ValueError(f"generator must be a synthaug Generator; got {type(generator).__name__}")
    check_size(n_synthetic, "n_synthetic")
    if is_concrete(X0, X1):
        A = check_features(X0, "X_majority")
        Bm = check_features(X1, "X_minority", min_rows=generator.min_rows if n_synthetic else 1)
        if A.shape[1] != Bm.shape[1]:
            raise ValueError(f"X_majority has {A.shape[1]} columns but X_minority has {Bm.shape[1]}")


def bias_corrected_fit(
    loss: Loss,
    key,
    generator: Generator,
    X_majority,
    X_minority,
    n_synthetic: int | None = None,
    *,
    method: str = "paired",
    correction: str = "one-step",
    weighting: str = "pooled",
    beta: float | None = None,
    ridge: float = 1e-8,
    n_blocks: int | None = None,
    block_synthetic: int | None = None,
    cross_fit: bool = False,
    proxy_label: int = 1,
    fallback: bool = True,
    max_step: float = 100.0,
    max_iter: int = 100,
    tol: float | None = None,
) -> BCFit:
    r"""The bias-corrected estimator (see the module docstring for every step).

    Args:
      loss: a :class:`~synthaug.core.losses.Loss`.
      key: PRNG key (split for the minority synthesis and the bias estimate).
      generator: a :class:`~synthaug.generators.basic.Generator`.
      X_majority, X_minority: real rows of class 0 and class 1.
      n_synthetic: :math:`\tilde n` (default :math:`n_0 - n_1`, full balancing). With
        :math:`\tilde n = 0` the result is the raw (pooled) or reweighted (balanced) fit.
      method: ``"paired"`` or ``"heldout"`` bias estimate.
      correction: ``"one-step"`` (default) or ``"full"``.
      weighting: ``"pooled"`` (default) or ``"balanced"`` augmented loss.
      beta: correction coefficient (default the exact coefficient of ψ).
      fallback: for ``"full"``, return the one-step estimate when the safeguard fires.

    Works under ``jit``/``vmap`` (all size arguments static); validates concrete input.
    """
    _validate_fit_inputs(X_majority, X_minority, generator, 1 if n_synthetic is None else n_synthetic,
                         method, correction, weighting, proxy_label)
    X0 = jnp.asarray(X_majority)
    if not jnp.issubdtype(X0.dtype, jnp.floating):
        X0 = X0.astype(jnp.result_type(float))
    X1 = jnp.asarray(X_minority, X0.dtype)
    n0, n1 = X0.shape[0], X1.shape[0]
    if n_synthetic is None:
        if n0 < n1:
            raise ValueError(f"the majority ({n0} rows) is smaller than the minority ({n1} rows): swap the classes "
                             "or pass n_synthetic explicitly")
        n_synthetic = n0 - n1
    n_synthetic = check_size(n_synthetic, "n_synthetic")
    b = correction_coefficient(n0, n1, n_synthetic, weighting) if beta is None else float(beta)
    if not np.isfinite(b):
        raise ValueError(f"beta must be finite; got {beta}")
    if n_synthetic > 0 or b != 0.0:
        block_layout(n0, n1, method, n_blocks)  # clear errors before tracing
        _check_generator_block(generator, n1)
    return _bc_fit(loss, key, generator, X0, X1, n_synthetic, method, correction, weighting,
                   jnp.asarray(b, X0.dtype), jnp.asarray(ridge, X0.dtype), n_blocks, block_synthetic, cross_fit,
                   proxy_label, fallback, float(max_step), max_iter, tol)


@functools.partial(jax.jit, static_argnames=("loss", "generator", "n_synthetic", "method", "correction",
                                             "weighting", "n_blocks", "block_synthetic", "cross_fit",
                                             "proxy_label", "fallback", "max_step", "max_iter", "tol"))
def _bc_fit(loss, key, generator, X0, X1, n_synthetic, method, correction, weighting, beta, ridge, n_blocks,
            block_synthetic, cross_fit, proxy_label, fallback, max_step, max_iter, tol):
    dtype = X0.dtype
    k_syn, k_bias, _ = jax.random.split(key, 3)  # the same keys as compare_estimators (paired estimate)
    n1, d = X1.shape
    X_syn = (generator(k_syn, X1, n_synthetic, X_majority=X0) if n_synthetic > 0
             else jnp.zeros((0, d), dtype))
    if n_synthetic > 0:
        bias = estimate_bias(k_bias, generator, X0, n1, method=method, n_blocks=n_blocks,
                             block_synthetic=block_synthetic, cross_fit=cross_fit, proxy_label=proxy_label,
                             X_minority=X1)
    else:  # no synthetic rows: nothing to correct unless beta is forced; keep a shape-stable empty estimate
        bias = BiasEstimate(jnp.zeros((0, d), dtype), jnp.zeros(0, dtype), jnp.zeros(0, dtype))
    Xa, ya, wa = augmented_design(X0, X1, X_syn, weighting)
    return corrected_fit(loss, Xa, ya, wa, bias, beta, ridge=ridge, correction=correction, fallback=fallback,
                         max_step=max_step, max_iter=max_iter, tol=tol)


def corrected_fit(loss: Loss, X_aug, y_aug, w_aug, bias: BiasEstimate, beta, *, ridge=1e-8,
                  correction: str = "one-step", fallback: bool = True, max_step: float = 100.0,
                  max_iter: int = 100, tol=None) -> BCFit:
    r"""Naive fit of a given augmented design, then its correction by a given bias estimate.

    The generic core of :func:`bias_corrected_fit`, used directly by the extensions
    (:mod:`synthaug.bias_correction.extensions`: multi-task and treatment effects), where the augmented
    rows and the bias rows come from elsewhere. ``y_aug`` and ``bias.label`` may be soft
    labels in [0, 1] (logistic cross-entropy) — the extensions synthesise (x, y) pairs.
    Pure; call under ``jit``.
    """
    if correction not in ("one-step", "full"):
        raise ValueError(f"unknown correction {correction!r}; use 'one-step' or 'full'")
    dtype = X_aug.dtype
    beta = jnp.asarray(beta, dtype)
    Xb = jnp.concatenate([X_aug, jnp.asarray(bias.X, dtype)])
    yb = jnp.concatenate([jnp.asarray(y_aug, dtype), jnp.asarray(bias.label, dtype)])
    wb = jnp.concatenate([w_aug, -beta * jnp.asarray(bias.coef, dtype)])
    naive = weighted_fit(loss, X_aug, y_aug, w_aug, ridge=ridge, max_iter=max_iter, tol=tol)
    th_os, neg_os, eig_os = one_step(loss, naive.theta, X_aug, y_aug, w_aug, Xb, yb, wb, ridge)
    psi0 = psi_hat(loss, bias, naive.theta)
    false = jnp.asarray(False)
    if correction == "one-step":
        rec = jnp.asarray(jnp.inf, dtype)
        return BCFit(th_os, naive.theta, th_os, th_os, naive.converged, false, neg_os, false, eig_os, rec, beta,
                     psi0)
    full = weighted_fit(loss, Xb, yb, wb, ridge=ridge, theta0=naive.theta, max_iter=max_iter, tol=tol)
    unb, neg, eig, rec = unboundedness_check(loss, full.theta, naive.theta, Xb, yb, wb, ridge, max_step=max_step)
    flagged = unb | neg | ~full.converged
    use_fb = flagged & fallback
    theta = jnp.where(use_fb, th_os, full.theta)
    theta = jnp.where(jnp.all(jnp.isfinite(theta)), theta, naive.theta)
    return BCFit(theta, naive.theta, th_os, full.theta, naive.converged & full.converged, unb, neg, use_fb, eig,
                 rec, beta, psi0)


# ---------------------------------------------------------------------------------------------
# All estimators on one data set (used by the designs)
# ---------------------------------------------------------------------------------------------

#: Method names of :func:`compare_estimators`, in output order.
COMPARE_METHODS = ("raw", "reweight", "naive", "bc-heldout", "bc-paired", "bc-onestep")


class Comparison(NamedTuple):
    """Estimates of :data:`COMPARE_METHODS` on one data set.

    Attributes:
      theta: (6, p) estimates in the order of :data:`COMPARE_METHODS`.
      flagged: (6,) the safeguard fired (full corrections only; the returned estimate is
        then the one-step fallback of the same bias estimate).
      unbounded: (6,) a recession direction or a diverging norm was found.
    """

    theta: jax.Array
    flagged: jax.Array
    unbounded: jax.Array


def compare_estimators(loss: Loss, key, generator: Generator, X0, X1, n_synthetic: int, *, ridge: float = 1e-8,
                       weighting: str = "pooled", cross_fit: bool = False, max_step: float = 100.0,
                       max_iter: int = 100, tol=None) -> Comparison:
    r"""Raw, reweighted, naive and the three corrected estimators on one data set (pure; jit/vmap-able).

    ``bc-heldout``: full correction with the held-out bias estimate; ``bc-paired``: full
    correction with the paired estimate; ``bc-onestep``: one-step correction with the paired
    estimate. The synthetic minority rows are shared by naive and every correction; all
    fits are :func:`~synthaug.core.fit.weighted_fit` calls. Sizes are static. Full
    corrections that trip the safeguard fall back to the one-step estimate of the same ψ̂.
    """
    dtype = X0.dtype
    n0, n1 = X0.shape[0], X1.shape[0]
    k_syn, k_p, k_h = jax.random.split(key, 3)
    X_syn = generator(k_syn, X1, n_synthetic, X_majority=X0)
    beta = jnp.asarray(correction_coefficient(n0, n1, n_synthetic, weighting), dtype)
    b_p = estimate_bias(k_p, generator, X0, n1, method="paired", X_minority=X1)
    b_h = estimate_bias(k_h, generator, X0, n1, method="heldout", cross_fit=cross_fit, X_minority=X1)
    # One design holding every row; each estimator is a weight vector over it (zero weights switch
    # rows off), so a single vmapped weighted_fit serves all of them (one compiled Newton solver).
    Xa, ya, wa = augmented_design(X0, X1, X_syn, weighting)
    rh, rp = b_h.X.shape[0], b_p.X.shape[0]
    X = jnp.concatenate([Xa, b_h.X, b_p.X])
    y = jnp.concatenate([ya, b_h.label, b_p.label])
    na, n_real = Xa.shape[0], n0 + n1
    z = lambda k: jnp.zeros(k, dtype)
    w_raw = jnp.concatenate([jnp.full(n_real, 1.0 / n_real, dtype), z(na - n_real + rh + rp)])
    w_rew = jnp.concatenate([jnp.full(n0, 0.5 / n0, dtype), jnp.full(n1, 0.5 / n1, dtype), z(na - n_real + rh + rp)])
    w_naive = jnp.concatenate([wa, z(rh + rp)])
    w_h = jnp.concatenate([wa, -beta * b_h.coef, z(rp)])
    w_p = jnp.concatenate([wa, z(rh), -beta * b_p.coef])
    fit = lambda w, t0: weighted_fit(loss, X, y, w, ridge=ridge, theta0=t0, max_iter=max_iter, tol=tol)
    p = loss.dim(X.shape[1])
    first = jax.vmap(fit)(jnp.stack([w_raw, w_rew, w_naive]), jnp.zeros((3, p), dtype))
    th_naive = first.theta[2]
    W = jnp.stack([w_h, w_p])
    full = jax.vmap(fit)(W, jnp.stack([th_naive, th_naive]))
    th_os = jax.vmap(lambda w: one_step(loss, th_naive, X, y, w_naive, X, y, w, ridge)[0])(W)
    unb, neg, _, _ = jax.vmap(lambda th, w: unboundedness_check(loss, th, th_naive, X, y, w, ridge,
                                                                 max_step=max_step))(full.theta, W)
    flag = unb | neg | ~full.converged
    th_bc = jnp.where(flag[:, None], th_os, full.theta)
    thetas = jnp.concatenate([first.theta, th_bc, th_os[1:]])
    false = jnp.zeros(3, bool)
    return Comparison(thetas, jnp.concatenate([false, flag, false[:1]]), jnp.concatenate([false, unb, false[:1]]))
