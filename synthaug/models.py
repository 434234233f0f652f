r"""Models for the diagnosis and VTSS: one small protocol, three families.

The diagnosis (Ma & Zhang, arXiv 2601.16120, §2.3, §3.4–3.5) needs, for a model
fitted by weighted ERM, per-observation scores and Hessians at a pilot fit; VTSS
(§4) needs the model refitted at many synthetic sizes and its validation loss.
Every model here offers the same pure functions (all ``jit``/``vmap``-able):

* ``prepare(key, X) -> aux`` – data-dependent fixed parts (e.g. the random
  Fourier feature map); an empty tuple when there are none;
* ``fit(aux, key, X, y, w) -> params`` – weighted ERM (weights normalised);
* ``fit_sizes(aux, key, X, y, pool, sizes, base_weights=None) -> params`` – the pooled
  fit for each candidate size (prefixes of the synthetic ``pool``; ``sizes`` may
  be traced), batched along a leading axis;
* ``loss_values(aux, params, X, y)`` – per-row loss (log-loss or squared error);
* ``decision(aux, params, X)`` – the linear predictor / logit;
* ``local_glm(aux, params) -> (loss, featurize, theta)`` – the model written
  locally as a generalised linear loss :math:`\ell = f(\theta^\top z(x), y)`, from
  which scores :math:`f'(\eta)z` and Hessians :math:`f''(\eta)zz^\top` follow
  (:func:`synthaug.core.glm.glm_moments`).

Families:

* :class:`LinearModel` – a :class:`~synthaug.core.losses.Loss` (squared or logistic,
  with or without intercept) on the raw features, or on ``rff`` random Fourier
  features :math:`z(x) = \sqrt{2/D}\cos(W^\top x + b)`, :math:`W_{jk}\sim N(0, 2\gamma)`,
  :math:`b\sim U(0, 2\pi)`, approximating the RBF kernel
  :math:`e^{-\gamma\lVert x-x'\rVert^2}` with :math:`\gamma = 1/(d\,\widehat{\mathrm{Var}}(X))`
  by default (scikit-learn's ``gamma="scale"``; the note's §5.5(b) design).
* :class:`MLPModel` – a small multilayer perceptron classifier (ReLU hidden
  layers, logistic output) trained full batch with AdamW (optax), as in the
  note's non-synthetic comparison (§5.6). Its scores and Hessians are those of the
  **last layer** with the hidden representation frozen at the pilot (the
  "last-layer linearisation"; documented choice: the full parameter vector has
  thousands of coordinates, for which neither the Wald test nor GQS is
  estimable at minority sizes of a few hundred).

:func:`get_model` builds them by name: ``logistic`` (with intercept, the default),
``logistic-nointercept``, ``squared`` (0/1 targets, intercept), ``rff-logistic``,
``mlp``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable, Protocol, runtime_checkable

import jax
import jax.numpy as jnp

from synthaug.core.fit import fit_prefixes, weighted_fit
from synthaug.core.glm import glm_hessians, glm_moments, glm_scores  # re-exported: their home is synthaug.core.glm
from synthaug.core.losses import Loss, logistic_loss, squared_loss

__all__ = ["Model", "LinearModel", "MLPModel", "MODELS", "get_model", "MODEL_NAMES", "glm_moments", "glm_scores", "glm_hessians"]


# ----------------------------------------------------------------------------- linear models


@dataclasses.dataclass(frozen=True)
class LinearModel:
    """A GLM loss on raw features or on random Fourier features.

    Attributes
    ----------
    loss
        the :class:`~synthaug.core.losses.Loss`.
    ridge
        :math:`\\lambda` of :func:`~synthaug.core.fit.weighted_fit` (on the normalised loss).
    rff
        number of random Fourier features (0: use the raw features).
    rff_gamma
        RBF bandwidth :math:`\\gamma`; ``None`` for ``1/(d·Var X)``.
    name
        short name.
    """

    loss: Loss = dataclasses.field(default_factory=lambda: logistic_loss(intercept=True))
    ridge: float = 1e-4
    rff: int = 0
    rff_gamma: float | None = None
    name: str = "logistic"

    def __post_init__(self):
        if not (math.isfinite(self.ridge) and self.ridge >= 0):
            raise ValueError(f"ridge must be a finite non-negative number; got {self.ridge}")
        if int(self.rff) != self.rff or self.rff < 0:
            raise ValueError(f"rff must be a non-negative integer; got {self.rff}")
        if self.rff_gamma is not None and not (math.isfinite(self.rff_gamma) and self.rff_gamma > 0):
            raise ValueError(f"rff_gamma must be positive; got {self.rff_gamma}")

    def prepare(self, key, X):
        if not self.rff:
            return ()
        X = jnp.asarray(X)
        d = X.shape[1]
        gamma = self.rff_gamma if self.rff_gamma is not None else 1.0 / (d * jnp.maximum(jnp.var(X), 1e-12))
        kw, kb = jax.random.split(key)
        W = jnp.sqrt(2.0 * gamma) * jax.random.normal(kw, (d, self.rff), X.dtype)
        b = jax.random.uniform(kb, (self.rff,), X.dtype, 0.0, 2.0 * jnp.pi)
        return (W, b)

    def featurize(self, aux, X):
        X = jnp.asarray(X)
        if not self.rff:
            return X
        W, b = aux
        return jnp.sqrt(2.0 / self.rff) * jnp.cos(X @ W + b)

    def fit(self, aux, key, X, y, w=None, theta0=None):
        del key
        return weighted_fit(self.loss, self.featurize(aux, X), y, w, ridge=self.ridge, theta0=theta0).theta

    def fit_sizes(self, aux, key, X, y, pool, sizes, base_weights=None):
        del key
        F, Fp = self.featurize(aux, X), self.featurize(aux, pool)
        return fit_prefixes(self.loss, F, y, Fp, sizes, ridge=self.ridge, base_weights=base_weights).theta

    def decision(self, aux, params, X):
        return self.loss.features(self.featurize(aux, X)) @ params

    def loss_values(self, aux, params, X, y):
        eta = self.decision(aux, params, X)
        return self.loss.link(eta, jnp.asarray(y, eta.dtype))

    def local_glm(self, aux, params):
        return self.loss, (lambda X: self.featurize(aux, X)), params


# ----------------------------------------------------------------------------- MLP


@dataclasses.dataclass(frozen=True)
class MLPModel:
    """Multilayer perceptron classifier trained full batch with AdamW (optax).

    ``hidden`` ReLU layers, one logistic output; He-normal initial weights, zero
    biases; ``epochs`` full-batch AdamW steps on the weight-normalised log-loss
    (``learning_rate``, decoupled ``weight_decay``). Defaults follow Ma & Zhang's
    non-synthetic comparison (§5.6): (64, 32), 2e-3, 1e-3, 120 epochs.
    """

    hidden: tuple[int, ...] = (64, 32)
    learning_rate: float = 2e-3
    weight_decay: float = 1e-3
    epochs: int = 120
    name: str = "mlp"

    def __post_init__(self):
        if not self.hidden or any(int(h) != h or h < 1 for h in self.hidden):
            raise ValueError(f"hidden must be a non-empty tuple of positive integers; got {self.hidden}")
        if int(self.epochs) != self.epochs or self.epochs < 1:
            raise ValueError(f"epochs must be a positive integer; got {self.epochs}")
        if not (self.learning_rate > 0 and self.weight_decay >= 0):
            raise ValueError("learning_rate must be positive and weight_decay non-negative")

    def prepare(self, key, X):
        return ()

    def init(self, key, d, dtype):
        sizes = (d,) + tuple(int(h) for h in self.hidden) + (1,)
        keys = jax.random.split(key, len(sizes) - 1)
        return [
            (jax.random.normal(k, (a, b), dtype) * jnp.sqrt(2.0 / a).astype(dtype), jnp.zeros(b, dtype))
            for k, a, b in zip(keys, sizes[:-1], sizes[1:])
        ]

    @staticmethod
    def hidden_features(params, X):
        h = jnp.asarray(X)
        for W, b in params[:-1]:
            h = jax.nn.relu(h @ W + b)
        return h

    def decision(self, aux, params, X):
        W, b = params[-1]
        return (self.hidden_features(params, X) @ W + b)[:, 0]

    def loss_values(self, aux, params, X, y):
        eta = self.decision(aux, params, X)
        return jax.nn.softplus(eta) - jnp.asarray(y, eta.dtype) * eta

    def fit(self, aux, key, X, y, w=None, theta0=None):
        X = jnp.asarray(X)
        w = jnp.ones(X.shape[0], X.dtype) if w is None else jnp.asarray(w, X.dtype)
        wn = w / jnp.sum(w)
        import optax  # only the MLP needs it

        params = self.init(key, X.shape[1], X.dtype) if theta0 is None else theta0
        opt = optax.adamw(self.learning_rate, weight_decay=self.weight_decay)

        def objective(p):
            return jnp.dot(wn, self.loss_values(aux, p, X, y))

        def epoch(carry, _):
            p, state = carry
            g = jax.grad(objective)(p)
            updates, state = opt.update(g, state, p)
            return (optax.apply_updates(p, updates), state), None  # noqa: F821

        (params, _), _ = jax.lax.scan(epoch, (params, opt.init(params)), None, length=self.epochs)
        return params

    def fit_sizes(self, aux, key, X, y, pool, sizes, base_weights=None):
        X = jnp.asarray(X)
        pool = jnp.asarray(pool, X.dtype)
        m = pool.shape[0]
        Xall = jnp.concatenate([X, pool])
        yall = jnp.concatenate([jnp.asarray(y, X.dtype), jnp.ones(m, X.dtype)])
        w0 = jnp.ones(X.shape[0], X.dtype) if base_weights is None else jnp.asarray(base_weights, X.dtype)

        def one(s):  # the same initialisation for every size (common random numbers)
            w = jnp.concatenate([w0, (jnp.arange(m) < s).astype(X.dtype)])
            return self.fit(aux, key, Xall, yall, w)

        return jax.vmap(one)(jnp.asarray(sizes))

    def local_glm(self, aux, params):
        W, b = params[-1]
        theta = jnp.concatenate([W[:, 0], b])
        return logistic_loss(intercept=True), (lambda X: self.hidden_features(params, X)), theta


@runtime_checkable
class Model(Protocol):
    """The contract of a diagnosis / VTSS model (see the module docstring).

    Models are hashable (frozen dataclasses), because the jitted stages take them as
    static arguments; every method is pure and ``jit``/``vmap``-able.

    Attributes
    ----------
    name : str
        Short name, reported in results.
    """

    name: str

    def prepare(self, key, X):
        """Data-dependent fixed parts ``aux`` (an empty tuple when there are none)."""

    def fit(self, aux, key, X, y, w=None, theta0=None):
        """Weighted ERM (weights normalised); returns ``params``."""

    def fit_sizes(self, aux, key, X, y, pool, sizes, base_weights=None):
        """Fits with the first ``sizes[j]`` rows of ``pool`` added, batched along a leading axis."""

    def loss_values(self, aux, params, X, y):
        """Per-row loss."""

    def decision(self, aux, params, X):
        """Linear predictor / logit per row."""

    def local_glm(self, aux, params):
        """``(loss, featurize, theta)``: the model written locally as a GLM."""


def _logistic(**params) -> LinearModel:
    """Logistic regression with intercept (the default model)."""
    return LinearModel(logistic_loss(intercept=True), name="logistic", **params)


def _logistic_nointercept(**params) -> LinearModel:
    """Logistic regression without intercept."""
    return LinearModel(logistic_loss(intercept=False), name="logistic-nointercept", **params)


def _squared(**params) -> LinearModel:
    """Least squares on 0/1 targets, with intercept."""
    return LinearModel(squared_loss(intercept=True), name="squared", **params)


def _rff_logistic(**params) -> LinearModel:
    """Logistic regression on random Fourier features (100 unless ``rff=`` says otherwise)."""
    params.setdefault("rff", 100)
    return LinearModel(logistic_loss(intercept=True), name="rff-logistic", **params)


def _mlp(**params) -> MLPModel:
    """The multilayer perceptron (:class:`MLPModel`)."""
    return MLPModel(**params)


#: Model name -> factory ``factory(**params) -> Model``. Adding a model is one class
#: (following :class:`Model`) plus one line here; :func:`get_model`, the CLI's
#: ``--model`` help and the tests read this table.
MODELS: dict[str, Callable[..., Model]] = {
    "logistic": _logistic,
    "logistic-nointercept": _logistic_nointercept,
    "squared": _squared,
    "rff-logistic": _rff_logistic,
    "mlp": _mlp,
}
MODEL_NAMES = tuple(MODELS)


def get_model(name, **params) -> Model:
    """A model by name, or a model object passed through.

    Parameters
    ----------
    name : str or Model
        A key of :data:`MODELS`, or an object following :class:`Model`.
    **params
        Keyword arguments of the model's factory (only with a name), e.g. ``ridge``.

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        For an unknown name, parameters given with a model object, or an object that
        lacks a method of :class:`Model`.
    """
    if not isinstance(name, str):
        if params:
            raise ValueError("model parameters can only be given with a model name")
        if not isinstance(name, Model):
            missing = [m for m in ("name", "prepare", "fit", "fit_sizes", "loss_values", "decision", "local_glm")
                       if not hasattr(name, m)]
            raise ValueError(f"{name!r} is not a model: it lacks {', '.join(missing)} (see synthaug.models.Model)")
        return name
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")
    return MODELS[name](**params)
