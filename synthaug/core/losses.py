r"""Per-observation losses :math:`\ell(\theta; x, y)` for linear models.

Every loss here is a *generalised linear* loss: it depends on the parameter only
through the linear predictor :math:`\eta = \theta^\top z`, where
:math:`z = x` (no intercept) or :math:`z = (x, 1)` (intercept last). Class labels
are always passed as the class index :math:`y \in \{0, 1\}`, with 0 the majority
and 1 the minority (Ma & Zhang, arXiv 2601.16120, §1.1); the loss maps the class
to its own target coding.

* **Squared loss** with targets :math:`t_y` (``labels=(t_0, t_1)``, e.g. ``(0, 1)``
  or ``(-1, 1)``):

  .. math:: \ell(\theta; x, y) = (t_y - \theta^\top z)^2 .

* **Logistic loss** (log-loss of :math:`P(Y = 1 \mid x) = \sigma(\eta)`):

  .. math:: \ell(\theta; x, y) = \log(1 + e^{\eta}) - y\,\eta .

Scores :math:`s = \nabla_\theta \ell` and Hessians :math:`\nabla^2_\theta \ell`
come from automatic differentiation (:func:`scores`, :func:`hessians`); the
fitting code uses the equivalent GLM forms :math:`s = f'(\eta) z`,
:math:`\nabla^2 \ell = f''(\eta) z z^\top` with :math:`f'`, :math:`f''` also by
autodiff of the scalar link loss :math:`f(\eta, y)`.

A :class:`Loss` is a frozen (hashable) dataclass, so it can be passed as a static
argument to :func:`jax.jit`.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import jax
import jax.numpy as jnp

__all__ = ["Loss", "squared_loss", "logistic_loss", "get_loss", "values", "scores", "hessians"]


@dataclasses.dataclass(frozen=True)
class Loss:
    """A linear-predictor loss.

    Attributes
    ----------
    kind
        ``"squared"`` or ``"logistic"``.
    intercept
        append a constant feature (last coordinate of ``theta``).
    labels
        targets ``(t_0, t_1)`` of the squared loss for class 0 and 1
        (ignored by the logistic loss, whose coding is fixed to {0, 1}).

    Examples
    --------
    >>> from synthaug.core.losses import Loss
    >>> loss = Loss("logistic", intercept=True)
    >>> loss.dim(3)  # three features and the intercept
    4
    >>> import jax.numpy as jnp
    >>> print(round(float(loss(jnp.zeros(4), jnp.ones(3), 1)), 4))  # log(2) at theta = 0
    0.6931
    """

    kind: Literal["squared", "logistic"] = "logistic"
    intercept: bool = False
    labels: tuple[float, float] = (0.0, 1.0)

    def __post_init__(self):
        if self.kind not in ("squared", "logistic"):
            raise ValueError(f"unknown loss kind {self.kind!r}; use 'squared' or 'logistic'")

    @property
    def quadratic(self) -> bool:
        """True when the loss is quadratic in theta (exact one-step fit)."""
        return self.kind == "squared"

    def dim(self, d: int) -> int:
        """Number of parameters for ``d`` features."""
        return d + int(self.intercept)

    def features(self, x):
        """Design vector(s) :math:`z` from raw features ``x`` (..., d) -> (..., p)."""
        x = jnp.asarray(x)
        if not self.intercept:
            return x
        return jnp.concatenate([x, jnp.ones(x.shape[:-1] + (1,), x.dtype)], axis=-1)

    def link(self, eta, y):
        r"""Scalar link loss :math:`f(\eta, y)` so that :math:`\ell = f(\theta^\top z, y)`."""
        if self.kind == "squared":
            t = jnp.where(y > 0.5, self.labels[1], self.labels[0])
            return (t - eta) ** 2
        return jax.nn.softplus(eta) - y * eta

    def link_derivatives(self, eta, y):
        r"""First and second derivatives :math:`(f'(\eta, y), f''(\eta, y))`, elementwise."""
        if self.kind == "squared":
            t = jnp.where(y > 0.5, self.labels[1], self.labels[0])
            return 2.0 * (eta - t), jnp.full_like(eta, 2.0)
        p = jax.nn.sigmoid(eta)
        return p - y, p * (1.0 - p)

    def link_all(self, eta, y):
        """``(f, f', f'')`` elementwise in one pass (the logistic forms share one ``exp``)."""
        if self.kind == "squared":
            t = jnp.where(y > 0.5, self.labels[1], self.labels[0])
            r = eta - t
            return r * r, 2.0 * r, jnp.full_like(eta, 2.0)
        e = jnp.exp(-jnp.abs(eta))
        inv = 1.0 / (1.0 + e)
        p = jnp.where(eta >= 0, inv, e * inv)
        value = jnp.maximum(eta, 0.0) + jnp.log1p(e) - y * eta
        return value, p - y, p * (1.0 - p)

    def __call__(self, theta, x, y):
        """Loss of one observation: ``theta`` (p,), ``x`` (d,), ``y`` scalar class."""
        return self.link(jnp.dot(self.features(x), theta), y)


def squared_loss(intercept: bool = False, labels: tuple[float, float] = (0.0, 1.0)) -> Loss:
    """Squared loss :math:`(t_y - \\theta^\\top z)^2` with targets ``labels``.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import squared_loss
    >>> loss = squared_loss(labels=(-1.0, 1.0))
    >>> float(loss(jnp.array([0.5, 0.0]), jnp.array([1.0, 2.0]), 1))  # (1 - 0.5)**2
    0.25
    """
    return Loss("squared", intercept, (float(labels[0]), float(labels[1])))


def logistic_loss(intercept: bool = False) -> Loss:
    """Logistic log-loss with class 1 (minority) as the positive class.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import logistic_loss
    >>> loss = logistic_loss(intercept=True)
    >>> loss.kind, loss.intercept
    ('logistic', True)
    >>> print(round(float(loss(jnp.zeros(3), jnp.ones(2), 0)), 4))
    0.6931
    """
    return Loss("logistic", intercept)


def get_loss(name: str) -> Loss:
    """Loss by name: ``squared``, ``squared-pm1``, ``squared-intercept``, ``logistic``, ``logistic-intercept``.

    Examples
    --------
    >>> from synthaug import get_loss
    >>> get_loss("squared-pm1")
    Loss(kind='squared', intercept=False, labels=(-1.0, 1.0))
    >>> get_loss("logistic-intercept").intercept
    True
    """
    table = {
        "squared": squared_loss(),
        "squared-pm1": squared_loss(labels=(-1.0, 1.0)),
        "squared-intercept": squared_loss(intercept=True),
        "logistic": logistic_loss(),
        "logistic-intercept": logistic_loss(intercept=True),
    }
    if name not in table:
        raise ValueError(f"unknown loss {name!r}; choose one of {sorted(table)}")
    return table[name]


def values(loss: Loss, theta, X, y):
    """Per-observation losses, shape (n,)."""
    eta = loss.features(X) @ theta
    return loss.link(eta, jnp.asarray(y, eta.dtype))


def scores(loss: Loss, theta, X, y):
    r"""Per-observation scores :math:`\nabla_\theta \ell(\theta; x_i, y_i)`, shape (n, p), by autodiff."""
    return jax.vmap(jax.grad(loss), in_axes=(None, 0, 0))(theta, jnp.asarray(X), jnp.asarray(y, theta.dtype))


def hessians(loss: Loss, theta, X, y):
    r"""Per-observation Hessians :math:`\nabla^2_\theta \ell(\theta; x_i, y_i)`, shape (n, p, p), by autodiff."""
    return jax.vmap(jax.hessian(loss), in_axes=(None, 0, 0))(theta, jnp.asarray(X), jnp.asarray(y, theta.dtype))
