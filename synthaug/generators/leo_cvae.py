r"""LEO-CVAE: entropy-guided conditional-VAE oversampling.

Zare et al., "Uncertainty-Aware Generative Oversampling Using an Entropy-Guided
Conditional Variational Autoencoder", arXiv 2509.25334. Training and generation
are both tilted towards minority rows in class-overlap regions, measured by the
label entropy of each row's neighbourhood (the algorithm as described in the
paper and the authors' reference implementation, re-implemented here in JAX; the
documented choices and deviations are listed below).

1. **Local entropy score** (:func:`local_entropy`): with the ``k`` (15) nearest
   neighbours of :math:`x_i` among all rows (Euclidean, self excluded),
   :math:`p_c = k_c/k` and :math:`H_i = -\sum_c p_c \log_2 p_c \in [0, \log_2 C]`
   (0 in a pure neighbourhood, 1 bit at a 50/50 two-class boundary).
2. **Class weights** :math:`w_c = n/(C\,n_c)` ("balanced").
3. **CVAE**: encoder :math:`[x, e_y] \to h \to h/2 \to (\mu, \log\sigma^2)\in\mathbb R^{L}`,
   decoder :math:`[z, e_y] \to h/2 \to h \to d` (linear output), LeakyReLU(0.2)
   and dropout 0.1 after each hidden layer, :math:`e_y` the one-hot label.
4. **Entropy-weighted loss** (LEWL), over a minibatch :math:`B`:

   .. math::

      L = \frac1{|B|}\sum_{i\in B} w_{y_i}(1+H_i)^\gamma \lVert x_i-\hat x_i\rVert^2
          + \beta\max\big(\overline{\mathrm{KL}}, \kappa\big),\quad
      \overline{\mathrm{KL}} = \frac1{|B|}\sum_{i\in B} -\tfrac12\sum_j
          (1+\log\sigma^2_{ij}-\mu^2_{ij}-\sigma^2_{ij}),

   defaults :math:`\gamma = 2.5`, :math:`\beta = 4`, :math:`\kappa = 0.1`
   (``weighting="entropy"`` drops :math:`w_y`, ``"none"`` drops both factors).
5. **Training**: a stratified ``val_fraction`` (20 %) split of the rows given
   to the generator — the *training* data of whatever model is being fitted;
   nothing else is seen — is held out for early stopping.
   ``optax.chain(clip_by_global_norm(1.0), add_decayed_weights(1e-5), adam(lr))``
   (decay before Adam = torch's L2-style ``weight_decay``), batch 32, one
   jitted ``lax.scan`` over the shuffled minibatches per epoch, at most
   ``epochs`` epochs, stop after ``patience`` epochs without a lower
   validation LEWL; the **best** parameters are kept (the reference keeps the
   last ones by accident).
6. **Entropy-guided generation**: seeds drawn from the minority with
   replacement, :math:`P(i) \propto (1+H_i)^\gamma`; encode
   :math:`(x_i, \text{minority})`, :math:`z = \mu + \sigma\odot\varepsilon`,
   decode with the minority label (``generation="seed"``, the paper). The
   ablation ``generation="prior"`` decodes :math:`z \sim N(0, I)` instead.

Documented choices and deviations:

* Binary, one-vs-rest: the generator sees the minority (label 1) and the
  majority (label 0); the sampler calls it once per oversampled class.
* Features are standardised with the mean and sd of the non-held-out rows
  before training and the output is mapped back (the reference standardises
  only after oversampling, which leaves the CVAE on raw scales). Mean and sd are
  computed in float64, and a column whose sd is at most 1e-6·max(1, max|x|) over
  those rows counts as constant (scale 1). Without this a column that is constant
  in the training split (e.g. a rare one-hot level whose only non-zero row fell in
  the validation split) got the float32 rounding noise of its sd (~1e-8) as its
  scale. The held-out rows were then ~1e9 in that column, so the validation loss
  overflowed, training never improved on its initial weights, and some
  generated rows were NaN (KEEL flare-F).
* Training whose validation loss is never finite raises ``ValueError``, and so
  does a generated sample with a non-finite value; neither is returned silently.
* Seeds are drawn from all minority rows given (training split and held-out
  split); the number generated is the requested ``n`` (the reference counts
  it on the 80 % split).
* Validation LEWL is computed without dropout and with :math:`z = \mu`.
  ``val_fraction=0`` disables the split and monitors that loss on the
  training rows instead.
* Float32 throughout; row counts are padded to size buckets (zero-weight rows)
  so nearby sizes share one compilation.
* Defaults ``hidden=64``, ``latent=16`` (the reference configuration);
  ``epochs=200`` (reference 500) keeps training time in seconds on 2 cores.
* Training uses Python-side early stopping, so the generator needs concrete
  arrays (it cannot run inside ``jit``/``vmap``; a clear error says so).
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.flatten_util import ravel_pytree

from synthaug.core.buckets import pad_rows, round_up
from synthaug.core.knn import knn
from synthaug.core.validation import check_int, is_concrete
from synthaug.generators._training import factory_params
from synthaug.generators.basic import Generator
from synthaug.generators.moms import bucket

__all__ = ["leo_cvae", "leo_cvae_fit", "leo_cvae_generate", "LEOCVAEState", "local_entropy", "seed_probabilities"]


@partial(jax.jit, static_argnames=("k", "n_classes"))
def _entropy(X, y, k: int, n_classes: int):
    _, nb = knn(X, k, block_size=2048 if X.shape[0] > 4096 else None)
    counts = jax.nn.one_hot(y[nb], n_classes, dtype=X.dtype).sum(axis=1)  # (n, C)
    p = counts / k
    return -jnp.sum(jnp.where(p > 0, p * jnp.log2(jnp.where(p > 0, p, 1.0)), 0.0), axis=1)


def local_entropy(X, y, k: int = 15):
    """Local entropy score (bits) of every row: label entropy among its ``k`` nearest other rows.

    ``y`` holds integer class indices 0..C−1. Needs more than ``k`` rows.
    """
    X = jnp.asarray(X)
    y = np.asarray(y)
    k = check_int(k, "k")
    if X.shape[0] <= k:
        raise ValueError(f"local entropy with k={k} needs more than k rows; got {X.shape[0]}")
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ValueError("y must be a 1-D array of non-negative integer class indices, one per row of X")
    return _entropy(X, jnp.asarray(y), k, int(y.max()) + 1)


def seed_probabilities(H, gamma: float = 2.5):
    r"""Seed-selection probabilities :math:`\propto (1+H_i)^\gamma`."""
    w = (1.0 + jnp.asarray(H)) ** gamma
    return w / jnp.sum(w)


class LEOCVAEState(NamedTuple):
    """A trained CVAE: ``params``, standardisation ``mean``/``scale``, per-epoch ``train_losses`` and
    ``val_losses``, and ``best_epoch`` (0-based) whose parameters were kept."""

    params: dict
    mean: jax.Array
    scale: jax.Array
    train_losses: np.ndarray
    val_losses: np.ndarray
    best_epoch: int


def _init(key, d, n_classes, hidden, latent, dtype):
    h2 = max(hidden // 2, 1)
    shapes = {
        "e1": (d + n_classes, hidden), "e2": (hidden, h2), "mu": (h2, latent), "lv": (h2, latent),
        "d1": (latent + n_classes, h2), "d2": (h2, hidden), "out": (hidden, d),
    }  # fmt: skip
    total = sum(a * b for a, b in shapes.values())
    z = jax.random.normal(key, (total,), dtype)
    params, off = {}, 0
    for name, (a, b) in shapes.items():
        params[name] = {"w": z[off : off + a * b].reshape(a, b) * jnp.sqrt(1.0 / a).astype(dtype), "b": jnp.zeros(b, dtype)}
        off += a * b
    return params


def _lin(p, x):
    return x @ p["w"] + p["b"]


def _dropout(key, x, rate, train):
    if not train:
        return x
    keep = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(keep, x / (1.0 - rate), 0.0)


def _encode(p, x, e, key=None, rate=0.1):
    train = key is not None
    k1, k2 = jax.random.split(key) if train else (None, None)
    a = _dropout(k1, jax.nn.leaky_relu(_lin(p["e1"], jnp.concatenate([x, e], -1)), 0.2), rate, train)
    a = _dropout(k2, jax.nn.leaky_relu(_lin(p["e2"], a), 0.2), rate, train)
    return _lin(p["mu"], a), _lin(p["lv"], a)


def _decode(p, z, e, key=None, rate=0.1):
    train = key is not None
    k1, k2 = jax.random.split(key) if train else (None, None)
    a = _dropout(k1, jax.nn.leaky_relu(_lin(p["d1"], jnp.concatenate([z, e], -1)), 0.2), rate, train)
    a = _dropout(k2, jax.nn.leaky_relu(_lin(p["d2"], a), 0.2), rate, train)
    return _lin(p["out"], a)


def _lewl(p, key, x, e, rw, real, beta, kl_floor, train: bool):
    """LEWL over rows with ``real`` = 1 (padding rows have ``real`` = 0); ``rw`` = w_y (1+H)^γ."""
    if train:
        k_e, k_z, k_d = jax.random.split(key, 3)
        mu, lv = _encode(p, x, e, k_e)
        z = mu + jnp.exp(0.5 * lv) * jax.random.normal(k_z, mu.shape, mu.dtype)
        xh = _decode(p, z, e, k_d)
    else:
        mu, lv = _encode(p, x, e)
        xh = _decode(p, mu, e)
    nb = jnp.maximum(jnp.sum(real), 1.0)
    rec = jnp.sum(real * rw * jnp.sum((x - xh) ** 2, -1)) / nb
    kl = jnp.sum(real * (-0.5) * jnp.sum(1.0 + lv - mu**2 - jnp.exp(lv), -1)) / nb
    return rec + beta * jnp.maximum(kl, kl_floor)


@partial(jax.jit, static_argnames=("unravel", "opt", "batch"))
def _epoch(flat, opt_state, key, Xtr, Etr, RWtr, Rtr, Xva, Eva, RWva, Rva, beta, kl_floor, *, unravel, opt, batch):
    n = Xtr.shape[0]
    k_perm, k_steps = jax.random.split(key)
    perm = jax.random.permutation(k_perm, n).reshape(-1, batch)
    keys = jax.random.split(k_steps, perm.shape[0])
    grad = jax.value_and_grad(lambda f, *a: _lewl(unravel(f), *a, True))

    def step(carry, inp):
        f, s = carry
        idx, k = inp
        loss, g = grad(f, k, Xtr[idx], Etr[idx], RWtr[idx], Rtr[idx], beta, kl_floor)
        upd, s = opt.update(g, s, f)
        return (optax.apply_updates(f, upd), s), loss * jnp.sum(Rtr[idx])

    (flat, opt_state), losses = jax.lax.scan(step, (flat, opt_state), (perm, keys))
    val = _lewl(unravel(flat), None, Xva, Eva, RWva, Rva, beta, kl_floor, False)
    return flat, opt_state, jnp.sum(losses) / jnp.sum(Rtr), val


def _stratified_split(rng, y, val_fraction):
    val = np.zeros(y.shape[0], bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        n_val = int(round(val_fraction * idx.size))
        n_val = min(max(n_val, 1), idx.size - 1) if val_fraction > 0 else 0
        val[rng.permutation(idx)[:n_val]] = True
    return val


def _check_inputs(X1, X0, k):
    if not is_concrete(X1, X0):
        raise ValueError("LEO-CVAE trains with Python-side early stopping and cannot run inside jit/vmap")
    if X1.shape[0] <= k:
        raise ValueError(f"LEO-CVAE with k={k} needs more than k minority rows (n_minority > k); got {X1.shape[0]}")
    if X0.shape[0] < 2:
        raise ValueError(f"LEO-CVAE needs at least 2 majority rows; got {X0.shape[0]}")


_OPTS: dict = {}


def _optimizer(lr: float, weight_decay: float):
    # one optimiser object per setting, so the jitted epoch (static on it) is reused
    key = (float(lr), float(weight_decay))
    if key not in _OPTS:
        _OPTS[key] = optax.chain(optax.clip_by_global_norm(1.0), optax.add_decayed_weights(weight_decay), optax.adam(lr))
    return _OPTS[key]


_UNRAVEL: dict = {}


def _standardiser(X_fit):
    """Column means and scales in float64; a column with sd <= 1e-6 max(1, max|x|) is constant (scale 1)."""
    X_fit = np.asarray(X_fit, np.float64)
    mean = X_fit.mean(0)
    sd = X_fit.std(0)
    constant = sd <= 1e-6 * np.maximum(np.abs(X_fit).max(0), 1.0)
    return mean, np.where(constant, 1.0, sd)


def leo_cvae_fit(key, X1, X0, **params):
    """Train the entropy-weighted CVAE on minority ``X1`` (label 1) and majority ``X0`` (label 0).

    Parameters
    ----------
    key : jax.Array
        PRNG key (validation split, initial weights, training).
    X1, X0 : arrays of shape (n1, d), (n0, d)
        Minority and majority rows (concrete: training stops early on the host).
    **params
        The hyperparameters of :func:`leo_cvae` except ``generation`` (same names,
        defaults and checks).

    Returns
    -------
    state : LEOCVAEState
        The trained CVAE (best validation epoch).
    H1 : jax.Array of shape (n1,)
        The minority rows' local entropies.

    Raises
    ------
    ValueError
        For invalid hyperparameters, traced or too few rows, or a training whose
        validation loss is never finite.
    """
    cfg = _config(params, exclude=("name", "generation"))
    k, gamma, beta, kl_floor = cfg["k"], cfg["gamma"], cfg["beta"], cfg["kl_floor"]
    hidden, latent, epochs, patience = cfg["hidden"], cfg["latent"], cfg["epochs"], cfg["patience"]
    lr, weight_decay, batch_size = cfg["lr"], cfg["weight_decay"], cfg["batch_size"]
    val_fraction, weighting = cfg["val_fraction"], cfg["weighting"]
    _check_inputs(X1, X0, k)
    X1 = np.asarray(X1, np.float32)
    X0 = np.asarray(X0, np.float32)
    n1, n0, d = X1.shape[0], X0.shape[0], X1.shape[1]
    X = np.concatenate([X1, X0])
    y = np.r_[np.ones(n1, int), np.zeros(n0, int)]
    H = np.asarray(local_entropy(X, y, k), np.float32)
    k_split, k_init, k_train = jax.random.split(key, 3)
    rng = np.random.default_rng(int(jax.random.randint(k_split, (), 0, 2**31 - 1)))
    val = _stratified_split(rng, y, val_fraction)
    tr = ~val
    mean, scale = _standardiser(X[tr])
    Z = ((X - mean) / scale).astype(np.float32)
    mean, scale = mean.astype(np.float32), scale.astype(np.float32)
    counts = np.bincount(y[tr], minlength=2).astype(np.float32)
    wc = tr.sum() / (2.0 * counts)
    rw = np.ones_like(H)
    if weighting != "none":
        rw = (1.0 + H) ** gamma
    if weighting == "class*entropy":
        rw = rw * wc[y]
    E = np.eye(2, dtype=np.float32)[y]

    def padded(mask, mult):
        m = int(mask.sum())
        size = round_up(bucket(max(m, 1)), mult)
        return tuple(
            pad_rows(jnp.asarray(A), size)
            for A in (Z[mask], E[mask], rw[mask].astype(np.float32), np.ones(m, np.float32))
        )

    train_arrays = padded(tr, batch_size)
    val_arrays = padded(val, 1) if val.any() else train_arrays
    params = _init(k_init, d, 2, int(hidden), int(latent), jnp.float32)
    flat, unravel = ravel_pytree(params)
    ukey = (d, int(hidden), int(latent))
    unravel = _UNRAVEL.setdefault(ukey, unravel)  # same static function object -> jitted epoch reused
    opt = _optimizer(lr, weight_decay)
    opt_state = opt.init(flat)
    best, best_val, best_epoch, wait = flat, np.inf, 0, 0
    train_losses, val_losses = [], []
    for epoch in range(int(epochs)):
        k_train, k_ep = jax.random.split(k_train)
        flat, opt_state, tl, vl = _epoch(
            flat, opt_state, k_ep, *train_arrays, *val_arrays, jnp.float32(beta), jnp.float32(kl_floor),
            unravel=unravel, opt=opt, batch=int(batch_size),
        )  # fmt: skip
        tl, vl = float(tl), float(vl)
        train_losses.append(tl)
        val_losses.append(vl)
        if vl < best_val:
            best, best_val, best_epoch, wait = flat, vl, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                break
    if not np.isfinite(best_val):
        raise ValueError(
            "LEO-CVAE training diverged: the validation loss was never finite "
            f"(first epochs: {val_losses[:3]}); check the input for extreme values or lower lr"
        )
    state = LEOCVAEState(unravel(best), jnp.asarray(mean), jnp.asarray(scale), np.asarray(train_losses), np.asarray(val_losses), best_epoch)
    return state, jnp.asarray(H[:n1])


@partial(jax.jit, static_argnames=("n", "prior"))
def _generate(key, params, mean, scale, X1s, p_seed, n: int, prior: bool):
    k_s, k_z = jax.random.split(key)
    e = jnp.zeros((n, 2), X1s.dtype).at[:, 1].set(1.0)
    latent = params["mu"]["w"].shape[1]
    eps = jax.random.normal(k_z, (n, latent), X1s.dtype)
    if prior:
        z, seeds = eps, jnp.zeros(n, jnp.int32)
    else:
        seeds = jax.random.choice(k_s, X1s.shape[0], (n,), p=p_seed)
        mu, lv = _encode(params, X1s[seeds], e)
        z = mu + jnp.exp(0.5 * lv) * eps
    return _decode(params, z, e) * scale + mean, seeds


def leo_cvae_generate(key, state: LEOCVAEState, X1, H1, n: int, *, gamma: float = 2.5, generation: str = "seed"):
    """``n`` synthetic minority rows from a trained CVAE; returns ``(X_syn, seed_idx)``.

    ``generation="seed"``: stochastic reconstructions of minority seeds drawn with
    probability ∝ (1+H)^γ; ``"prior"``: decode z ~ N(0, I) (seed indices are then 0).
    """
    if generation not in ("seed", "prior"):
        raise ValueError(f"generation must be 'seed' or 'prior'; got {generation!r}")
    X1s = (jnp.asarray(X1, jnp.float32) - state.mean) / state.scale
    return _generate(key, state.params, state.mean, state.scale, X1s, seed_probabilities(H1, gamma), int(n), generation == "prior")


def leo_cvae(
    k: int = 15,
    gamma: float = 2.5,
    beta: float = 4.0,
    kl_floor: float = 0.1,
    hidden: int = 64,
    latent: int = 16,
    epochs: int = 200,
    patience: int = 25,
    lr: float = 1e-3,
    batch_size: int = 32,
    val_fraction: float = 0.2,
    weighting: str = "class*entropy",
    generation: str = "seed",
    name: str = "leo-cvae",
    *,
    weight_decay: float = 1e-5,
) -> Generator:
    r"""LEO-CVAE as a :class:`~synthaug.generators.basic.Generator` (``uses_majority=True``): trains, then generates.

    This signature is the one list of LEO-CVAE's hyperparameters and defaults
    (:func:`leo_cvae_fit` and :class:`synthaug.estimators.LEOCVAESampler` take the same).

    Parameters
    ----------
    k : int, default=15
        Neighbours of the local entropy score (``n_minority > k`` is required).
    gamma : float, default=2.5
        Exponent of the entropy weight :math:`(1+H)^\gamma` (training and seed choice).
    beta : float, default=4.0
        Weight of the KL term.
    kl_floor : float, default=0.1
        Floor :math:`\kappa` of the mean KL term.
    hidden, latent : int, default=64, 16
        Hidden width (>= 2) and latent dimension of the CVAE.
    epochs, patience : int, default=200, 25
        Most epochs, and epochs without a lower validation loss before stopping.
    lr : float, default=1e-3
        Adam learning rate.
    batch_size : int, default=32
        Minibatch size.
    val_fraction : float, default=0.2
        Stratified held-out fraction for early stopping, in [0, 1).
    weighting : {"class*entropy", "entropy", "none"}, default="class*entropy"
        Row weights of the reconstruction term.
    generation : {"seed", "prior"}, default="seed"
        Decode stochastic encodings of entropy-weighted minority seeds, or prior draws.
    name : str, default="leo-cvae"
        The generator's name.
    weight_decay : float, default=1e-5
        L2-style decay added to the gradient before Adam.

    Returns
    -------
    Generator
        Trains the CVAE on every call (host-side early stopping, so ``traceable=False``:
        under ``jit``/``vmap`` it runs through a host callback), then decodes ``n`` rows.

    Raises
    ------
    ValueError
        For a parameter outside the ranges above, or a non-finite generated row.
    """
    params = dict(locals())
    name = params.pop("name")
    generation = params.pop("generation")
    if generation not in ("seed", "prior"):
        raise ValueError(f"generation must be 'seed' or 'prior'; got {generation!r}")
    cfg = _config(params, exclude=("name", "generation"))

    def fn(key, X1, n, X0):
        k_fit, k_gen = jax.random.split(key)
        state, H1 = leo_cvae_fit(k_fit, X1, X0, **cfg)
        out, _ = leo_cvae_generate(k_gen, state, X1, H1, n, gamma=cfg["gamma"], generation=generation)
        if not bool(jnp.all(jnp.isfinite(out))):
            bad = int(jnp.sum(~jnp.all(jnp.isfinite(out), axis=1)))
            raise ValueError(f"LEO-CVAE generated {bad} of {n} rows with non-finite values; refusing to return them")
        return out.astype(X1.dtype)

    return Generator(name, fn, min_rows=cfg["k"] + 1, uses_majority=True, traceable=False)


def _config(params: dict, exclude) -> dict:
    """The hyperparameters of :func:`leo_cvae` (minus ``exclude``), completed with its defaults and checked."""
    cfg = factory_params(leo_cvae, params, exclude)
    for nm, lo in (("k", 1), ("hidden", 2), ("latent", 1), ("epochs", 1), ("patience", 1), ("batch_size", 1)):
        cfg[nm] = check_int(cfg[nm], nm, lo)
    for nm in ("gamma", "beta", "kl_floor", "lr", "weight_decay"):
        if not np.isfinite(cfg[nm]) or cfg[nm] < 0:
            raise ValueError(f"{nm} must be a finite number >= 0; got {cfg[nm]}")
    if not 0.0 <= cfg["val_fraction"] < 1.0:
        raise ValueError(f"val_fraction must lie in [0, 1); got {cfg['val_fraction']}")
    if cfg["weighting"] not in ("class*entropy", "entropy", "none"):
        raise ValueError(f"weighting must be 'class*entropy', 'entropy' or 'none'; got {cfg['weighting']!r}")
    return cfg
