r"""MOMS: a learned majority-to-minority map trained with MMD and a triplet loss.

Cha & Kim, "Learning Majority-to-Minority Transformations with MMD and Triplet
Loss for Imbalanced Classification", arXiv 2509.11511. Instead of interpolating
minority points, MOMS trains a network :math:`T_\theta` that carries majority
rows onto the minority distribution and uses :math:`T_\theta(\text{majority})`
as the synthetic minority (the algorithm as described in the paper and the
authors' reference implementation, re-implemented here in JAX; the documented
choices and deviations are listed below).

**Sets** (in standardised features, see below):

* *danger* minority :math:`D`: minority rows whose ``k`` nearest neighbours
  among all rows (self excluded) contain more than ``k/2`` but not all majority
  rows (Borderline-SMOTE's DANGER rule);
* *safe* majority :math:`S`: majority rows whose distance to the nearest
  minority row exceeds the ``safe_quantile`` (0.75) quantile of those distances.

**Loss** (full batch over the training sources :math:`X_s`):

.. math::

   L(\theta) = \mathrm{MMD}^2_b(T_\theta(X_s), X_1) + \lambda\,\frac1{|X_s|}\sum_i
   \mathrm{ReLU}\big(\min_{p\in D}\lVert t_i-p\rVert - \min_{q\in S}\lVert t_i-q\rVert
   + m + \alpha\,\overline{d}(D)\big),

with the biased (V-statistic) MMD² of a Gaussian kernel
:math:`\exp(-\lVert a-b\rVert^2/(2h^2))`, :math:`h` = the median distance
between the current outputs :math:`t_i` and the minority rows, recomputed each
step under ``stop_gradient`` (median heuristic), and :math:`\overline d(D)` the
mean pairwise distance within :math:`D`. Without danger points the triplet term
is dropped (MMD only), as in the reference.

**Network** (residual encoder–decoder): encoder layers
:math:`a_l = \mathrm{GELU}(\mathrm{LN}(W_l a_{l-1}))`, latent
:math:`z = \mathrm{LN}(W_z a_L)`; decoder :math:`b_L = \mathrm{GELU}(V_L z + a_L)`,
:math:`b_{l} = \mathrm{GELU}(V_l b_{l+1} + a_l)`, output :math:`W_o b_1`.

**Training**: ``optax.chain(clip_by_global_norm(0.5), adamw(cosine_decay(lr, epochs),
weight_decay=1e-4))``, one full-batch step per epoch, all epochs in one jitted
loop (``lax.fori_loop`` with a traced epoch count, so changing ``epochs`` does
not recompile).

Documented deviations and choices:

* **LayerNorm instead of BatchNorm** (BatchNorm state is awkward in a pure
  function, and full-batch BN differs between train and eval anyway).
* **Capped widths**: hidden :math:`[\min(2d,w), \min(4d,w), \min(8d,w),
  \min(16d,w)]` and latent :math:`\min(32d, 2w)` with ``max_width`` :math:`w =
  64` (paper: uncapped :math:`[2d,\dots,16d]`, latent :math:`32d`); default
  ``epochs=300`` (paper 1000) and ``lr=1e-2`` (paper's main configuration).
  Together these keep training in seconds on 2 CPU cores for KEEL-sized data.
* Training and the map run in **float32** (outputs are cast back to the input
  dtype), and row counts are padded to size buckets (:func:`bucket`, masks
  keep the padding out of every statistic) so that nearby data sizes share one
  compilation (compiling the training program takes seconds on 2 cores).
* ``n_minority > k`` is required (clear ``ValueError`` otherwise), as for the
  SMOTE family, so that the danger rule has room to apply.
* Features are standardised with the pooled mean and sd of majority ∪ minority
  (the paper standardises the whole data set); outputs are mapped back.
* **Training sources** are ``min(n0, max_train_rows)`` majority rows drawn
  without replacement (the paper trains on the :math:`n_0 - n_1` rows it
  transforms); the ``n`` rows to transform are drawn from the majority without
  replacement when ``n ≤ n0`` and with replacement otherwise (the paper always
  has ``n = n0 − n1 ≤ n0``).
* The "median" bandwidth is over the output–minority cross distances (❓ the
  reference's exact pool of pairs).

Everything is pure JAX with fixed shapes (masks for the danger and safe sets),
so the generator also runs under ``jit``/``vmap``; the cost is
:math:`O(\text{epochs}\cdot(|X_s| + n_1)^2)`.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from synthaug.core.buckets import bucket as _bucket, pad_rows
from synthaug.core.knn import sq_distances
from synthaug.core.validation import check_int, check_magnitudes, check_real, is_concrete
from synthaug.generators._training import factory_params
from synthaug.generators.basic import Generator

__all__ = ["moms", "moms_fit", "moms_transform", "MOMSState", "danger_safe_sets", "layer_widths"]


class MOMSState(NamedTuple):
    """A trained map: network ``params``, standardisation ``mean``/``scale``, per-epoch ``losses``."""

    params: dict
    mean: jax.Array
    scale: jax.Array
    losses: jax.Array


def layer_widths(d: int, max_width: int = 64):
    """Hidden widths and latent width of the capped MOMS network for ``d`` features."""
    hidden = tuple(min(m * d, max_width) for m in (2, 4, 8, 16))
    return hidden, min(32 * d, 2 * max_width)


def bucket(n: int) -> int:
    """Padded size for ``n`` rows: a multiple of max(32, 2^(⌊log2 n⌋ − 2)) (≤ 25 % padding beyond 32 rows).

    Shapes are padded to buckets (with masks) so nearby data sizes share one compilation
    (:func:`synthaug.core.buckets.bucket` with ``relative=2, min_step=32``).
    """
    return _bucket(n, relative=2, min_step=32, minimum=0)


def danger_safe_sets(X1, X0, k: int = 5, safe_quantile: float = 0.75, m1=None, m0=None):
    """Masks ``(danger, safe)`` over the minority rows and the majority rows (see the module docstring).

    ``m1``/``m0``: optional row masks marking real (not padding) rows.
    """
    n1, n0 = X1.shape[0], X0.shape[0]
    m1 = jnp.ones(n1, bool) if m1 is None else m1
    m0 = jnp.ones(n0, bool) if m0 is None else m0
    Z = jnp.concatenate([X1, X0])
    real = jnp.concatenate([m1, m0])
    d2 = sq_distances(Z, Z)
    d2 = jnp.where(real[None, :] & ~jnp.eye(n1 + n0, dtype=bool), d2, jnp.inf)
    # k passes of masked argmin (small k; see synthaug.core.knn)
    n_maj = jnp.zeros(n1 + n0, jnp.int32)
    cols = jnp.arange(n1 + n0)
    for _ in range(k):
        j = jnp.argmin(d2, axis=1)
        n_maj = n_maj + (j >= n1)
        d2 = jnp.where(cols[None, :] == j[:, None], jnp.inf, d2)
    n_maj = n_maj[:n1]
    danger = (n_maj > k / 2) & (n_maj < k) & m1
    dmin = jnp.sqrt(jnp.min(jnp.where(m1[None, :], sq_distances(X0, X1), jnp.inf), axis=1))
    thr = jnp.nanquantile(jnp.where(m0, dmin, jnp.nan), safe_quantile)
    safe = (dmin > thr) & m0
    return danger, safe


def _init(key, d, hidden, latent, dtype):
    """He-normal weights, zero biases, unit LayerNorm gains; one random draw for all weights
    (separate draws per layer multiply the compiled random-bit code)."""
    enc_dims = list(zip((d,) + hidden[:-1], hidden))
    dec_dims = list(zip((latent,) + tuple(reversed(hidden))[:-1], tuple(reversed(hidden))))
    shapes = enc_dims + [(hidden[-1], latent)] + dec_dims + [(hidden[0], d)]
    total = sum(a * b for a, b in shapes)
    z = jax.random.normal(key, (total,), dtype)
    ws, off = [], 0
    for a, b in shapes:
        ws.append(z[off : off + a * b].reshape(a, b) * jnp.sqrt(2.0 / a).astype(dtype))
        off += a * b
    ones, zeros = (lambda m: jnp.ones(m, dtype)), (lambda m: jnp.zeros(m, dtype))  # noqa: E731
    L = len(hidden)
    enc = [{"w": ws[i], "b": zeros(b), "g": ones(b), "beta": zeros(b)} for i, (_, b) in enumerate(enc_dims)]
    zl = {"w": ws[L], "b": zeros(latent), "g": ones(latent), "beta": zeros(latent)}
    dec = [{"w": ws[L + 1 + i], "b": zeros(b)} for i, (_, b) in enumerate(dec_dims)]
    return {"enc": enc, "z": zl, "dec": dec, "out": {"w": ws[-1], "b": zeros(d)}}


def _ln(x, g, b):
    m = jnp.mean(x, -1, keepdims=True)
    v = jnp.var(x, -1, keepdims=True)
    return (x - m) / jnp.sqrt(v + 1e-5) * g + b


def _apply(params, x):
    acts, a = [], x
    for layer in params["enc"]:
        a = jax.nn.gelu(_ln(a @ layer["w"] + layer["b"], layer["g"], layer["beta"]))
        acts.append(a)
    b = _ln(a @ params["z"]["w"] + params["z"]["b"], params["z"]["g"], params["z"]["beta"])
    for layer, skip in zip(params["dec"], reversed(acts)):
        b = jax.nn.gelu(b @ layer["w"] + layer["b"] + skip)
    return b @ params["out"]["w"] + params["out"]["b"]


def _wmean(K, a, b):
    return a @ K @ b / (jnp.sum(a) * jnp.sum(b))


def _loss(params, Xs, ms, X1, m1, danger, safe_pts, safe, lam, margin, alpha_pd):
    T = _apply(params, Xs)
    dTM = sq_distances(T, X1)
    valid = ms[:, None] & m1[None, :]
    h = jax.lax.stop_gradient(jnp.sqrt(jnp.nanmedian(jnp.where(valid, dTM, jnp.nan))))
    h = jnp.maximum(h, 1e-6)
    g = lambda d2: jnp.exp(-d2 / (2 * h * h))  # noqa: E731
    fs, f1 = ms.astype(T.dtype), m1.astype(T.dtype)
    mmd = _wmean(g(sq_distances(T, T)), fs, fs) + _wmean(g(sq_distances(X1, X1)), f1, f1) - 2 * _wmean(g(dTM), fs, f1)
    big = jnp.asarray(jnp.inf, T.dtype)
    to_d = jnp.sqrt(jnp.min(jnp.where(danger[None, :], dTM, big), axis=1) + 1e-12)
    to_s = jnp.sqrt(jnp.min(jnp.where(safe[None, :], sq_distances(T, safe_pts), big), axis=1) + 1e-12)
    has_d = jnp.any(danger)
    trip = jnp.sum(fs * jax.nn.relu(jnp.where(has_d, to_d, 0.0) - to_s + margin + alpha_pd)) / jnp.sum(fs)
    return mmd + jnp.where(has_d, lam, 0.0) * trip, mmd


@partial(jax.jit, static_argnames=("trace_len", "hidden", "latent", "n_train", "k"))
def _fit(key, X1, m1, X0, m0, lam, margin, alpha, lr, safe_quantile, epochs, *, trace_len, hidden, latent, n_train, k):
    dtype = X1.dtype
    f1, f0 = m1.astype(dtype), m0.astype(dtype)
    cnt = jnp.sum(f1) + jnp.sum(f0)
    mean = (f1 @ X1 + f0 @ X0) / cnt
    var = (f1 @ (X1 - mean) ** 2 + f0 @ (X0 - mean) ** 2) / cnt
    sd = jnp.sqrt(var)
    scale = jnp.where(sd > 0, sd, 1.0)
    S1, S0 = (X1 - mean) / scale, (X0 - mean) / scale
    danger, safe = danger_safe_sets(S1, S0, k, safe_quantile, m1, m0)
    dD = jnp.sqrt(sq_distances(S1, S1) + 1e-12)
    pair = danger[:, None] & danger[None, :] & ~jnp.eye(S1.shape[0], dtype=bool)
    mean_pd = jnp.sum(jnp.where(pair, dD, 0.0)) / jnp.maximum(jnp.sum(pair), 1)
    k_src, k_init = jax.random.split(key)
    # training sources: the first n_train of a random order of the real majority rows
    order = jnp.argsort(jnp.where(m0, jax.random.uniform(k_src, m0.shape), 2.0))[:n_train]
    Xs, ms = S0[order], m0[order]
    # One flat parameter vector: the optimiser then works on a single array (far fewer ops to compile).
    flat, unravel = ravel_pytree(_init(k_init, S1.shape[1], hidden, latent, dtype))
    # cosine decay from lr to 0 over `epochs` steps; `epochs` is a traced value so that changing it
    # does not recompile (the loop is a fori_loop; the loss trace is a buffer of static length)
    sched = lambda t: lr * 0.5 * (1.0 + jnp.cos(jnp.pi * jnp.minimum(t, epochs) / epochs))  # noqa: E731
    opt = optax.chain(optax.clip_by_global_norm(0.5), optax.adamw(sched, weight_decay=1e-4))
    state = opt.init(flat)
    grad = jax.value_and_grad(lambda f, *a: _loss(unravel(f), *a), has_aux=True)

    def step(t, carry):
        p, s, trace = carry
        (loss, mmd), g = grad(p, Xs, ms, S1, m1, danger, S0, safe, lam, margin, alpha * mean_pd)
        upd, s = opt.update(g, s, p)
        return optax.apply_updates(p, upd), s, trace.at[t].set(loss)

    trace = jnp.full(trace_len, jnp.nan, dtype)
    flat, _, losses = jax.lax.fori_loop(0, epochs, step, (flat, state, trace))
    return MOMSState(unravel(flat), mean, scale, losses)


def _check_fit_args(X1, X0, k):
    if X1.shape[0] <= k:
        raise ValueError(f"MOMS with k={k} needs more than k minority rows (n_minority > k); got {X1.shape[0]}")
    if X1.shape[0] + X0.shape[0] <= k:
        raise ValueError(f"MOMS with k={k} needs more than k rows in all; got {X1.shape[0] + X0.shape[0]}")
    if X0.shape[0] < 1:
        raise ValueError("MOMS needs at least one majority row")


def moms_fit(key, X1, X0, **params) -> MOMSState:
    """Train the majority-to-minority map (see the module docstring for the loss and choices).

    Parameters
    ----------
    key : jax.Array
        PRNG key (training sources, then initial weights).
    X1, X0 : arrays of shape (n1, d), (n0, d)
        Minority and majority rows.
    **params
        The hyperparameters of :func:`moms` (same names, defaults and checks).

    Returns
    -------
    MOMSState
        The trained map, with one loss per epoch.

    Raises
    ------
    ValueError
        For invalid hyperparameters or too few rows.
    """
    cfg = _config(**params)
    if is_concrete(X1, X0):  # the map is trained in float32: refuse what float32 cannot square
        check_magnitudes(X1, "X_minority", dtype=np.float32)
        check_magnitudes(X0, "X_majority", dtype=np.float32)
    X1 = jnp.asarray(X1, jnp.float32)
    X0 = jnp.asarray(X0, jnp.float32)
    k, epochs = cfg["k"], cfg["epochs"]
    _check_fit_args(X1, X0, k)
    hidden, latent = layer_widths(X1.shape[1], cfg["max_width"])
    n1, n0 = X1.shape[0], X0.shape[0]
    b1, b0 = bucket(n1), bucket(n0)
    n_train = min(b0, bucket(cfg["max_train_rows"]))
    state = _fit(
        key, pad_rows(X1, b1), jnp.arange(b1) < n1, pad_rows(X0, b0), jnp.arange(b0) < n0,
        cfg["lam"], cfg["margin"], cfg["alpha"], cfg["lr"], cfg["safe_quantile"], epochs,
        trace_len=max(1024, 1 << (epochs - 1).bit_length()), hidden=hidden, latent=latent, n_train=n_train, k=k,
    )  # fmt: skip
    return state._replace(losses=state.losses[:epochs])


@jax.jit
def _transform(state, X):
    return _apply(state.params, (X - state.mean) / state.scale) * state.scale + state.mean


def moms_transform(state: MOMSState, X):
    """Apply a trained map to rows ``X`` (original feature scale in and out; computed in float32)."""
    X = jnp.asarray(X)
    n = X.shape[0]
    out = _transform(state, pad_rows(X.astype(jnp.float32), bucket(max(n, 1))))[:n]
    return out.astype(X.dtype if jnp.issubdtype(X.dtype, jnp.floating) else jnp.float32)


def moms(
    lam: float = 0.01,
    margin: float = 1.0,
    alpha: float = 0.3,
    k: int = 5,
    epochs: int = 300,
    lr: float = 1e-2,
    safe_quantile: float = 0.75,
    max_width: int = 64,
    max_train_rows: int = 1024,
    name: str = "moms",
) -> Generator:
    """MOMS as a :class:`~synthaug.generators.basic.Generator` (``uses_majority=True``): trains, then maps ``n`` majority rows.

    This signature is the one list of MOMS's hyperparameters and defaults
    (:func:`moms_fit` and :class:`synthaug.estimators.MOMSSampler` take the same).

    Parameters
    ----------
    lam : float, default=0.01
        Weight of the triplet term, >= 0.
    margin : float, default=1.0
        Triplet margin m, >= 0.
    alpha : float, default=0.3
        Multiplier of the mean pairwise danger distance added to the margin, >= 0.
    k : int, default=5
        Neighbours of the danger rule (``n_minority > k`` is required).
    epochs : int, default=300
        Full-batch training steps.
    lr : float, default=1e-2
        Peak learning rate of the cosine schedule, >= 0.
    safe_quantile : float, default=0.75
        Quantile of the majority-to-minority distances above which a majority row is safe.
    max_width : int, default=64
        Width cap of the network (:func:`layer_widths`).
    max_train_rows : int, default=1024
        Most majority rows used as training sources (>= 2).
    name : str, default="moms"
        The generator's name.

    Returns
    -------
    Generator
        Trains a map on every call (float32, padded to size buckets) and returns it
        applied to ``n`` majority rows; traceable.

    Raises
    ------
    ValueError
        For a parameter outside the ranges above.
    """
    params = dict(locals())
    name = params.pop("name")
    cfg = _config(**params)

    def fn(key, X1, n, X0):
        k_fit, k_src = jax.random.split(key)
        state = moms_fit(k_fit, X1, X0, **cfg)
        if is_concrete(state.losses):
            losses = np.asarray(state.losses)
            if not np.all(np.isfinite(losses)):
                epoch = int(np.argmax(~np.isfinite(losses)))
                raise ValueError(
                    f"MOMS training diverged: the loss became NaN or infinite at epoch {epoch + 1} of "
                    f"{losses.size} (lr={cfg['lr']:g}); lower lr or standardise the features"
                )
        n0 = X0.shape[0]
        if n <= n0:
            idx = jax.random.permutation(k_src, n0)[:n]
        else:
            idx = jax.random.randint(k_src, (n,), 0, n0)
        return moms_transform(state, X0[idx])

    return Generator(name, fn, min_rows=cfg["k"] + 1, uses_majority=True)


def _config(**params) -> dict:
    """The hyperparameters of :func:`moms`, completed with its defaults and checked."""
    cfg = factory_params(moms, params)
    for nm, lo in (("k", 1), ("epochs", 1), ("max_width", 1), ("max_train_rows", 2)):
        cfg[nm] = check_int(cfg[nm], nm, lo)
    for nm in ("lam", "margin", "alpha", "lr"):
        cfg[nm] = check_real(cfg[nm], nm, 0.0)
    cfg["safe_quantile"] = check_real(cfg["safe_quantile"], "safe_quantile", 0.0, 1.0)
    return cfg
