r"""Balanced risk: empirical, population and excess.

Following Ma & Zhang (arXiv 2601.16120, §1.3), performance is measured by the
*balanced* risk, the average of the two class risks,

.. math:: R_{bal}(\theta) = \tfrac12 R_0(\theta) + \tfrac12 R_1(\theta),\qquad
          R_y(\theta) = E_{P_y}\,\ell(\theta; X, y),

its minimiser :math:`\theta^*` (the balanced optimum) and the excess balanced risk
:math:`R_{bal}(\hat\theta) - R_{bal}(\theta^*)`. The empirical version averages
the losses within each class and then across classes; it is minimised by the
inverse-class-frequency weighted fit (weights :math:`1/(2n_0)`, :math:`1/(2n_1)`),
the "balanced pilot". Population quantities live on
:class:`synthaug.theory.populations.Population`.
"""

from __future__ import annotations

import jax.numpy as jnp

from synthaug.core.losses import Loss, values

__all__ = ["empirical_balanced_risk", "balanced_weights", "class_risks"]


def class_risks(loss: Loss, theta, X, y):
    """Empirical class risks ``(R0_hat, R1_hat)``: mean loss within each class."""
    y = jnp.asarray(y)
    lv = values(loss, theta, X, y)
    m1 = y > 0.5
    r1 = jnp.sum(jnp.where(m1, lv, 0.0)) / jnp.sum(m1)
    r0 = jnp.sum(jnp.where(m1, 0.0, lv)) / jnp.sum(~m1)
    return r0, r1


def empirical_balanced_risk(loss: Loss, theta, X, y):
    r"""Class-averaged empirical risk :math:`\tfrac12\hat R_0(\theta) + \tfrac12\hat R_1(\theta)`.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import empirical_balanced_risk, squared_loss
    >>> X = jnp.array([[0.0], [1.0], [2.0], [4.0]])
    >>> y = jnp.array([0, 0, 0, 1])
    >>> # theta = 0 predicts 0: class-0 risk 0, class-1 risk (1 - 0)^2 = 1, balanced risk 0.5
    >>> float(empirical_balanced_risk(squared_loss(), jnp.zeros(1), X, y))
    0.5
    """
    r0, r1 = class_risks(loss, theta, X, y)
    return 0.5 * r0 + 0.5 * r1


def balanced_weights(y, dtype=None):
    r"""Inverse-class-frequency weights :math:`1/(2 n_y)`: their weighted risk is the balanced risk.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from synthaug import balanced_weights
    >>> w = balanced_weights(jnp.array([0, 0, 0, 1]))
    >>> [round(float(v), 4) for v in w]  # 1/(2 n_0) for class 0, 1/(2 n_1) for class 1
    [0.1667, 0.1667, 0.1667, 0.5]
    >>> print(round(float(w.sum()), 6))
    1.0
    """
    y = jnp.asarray(y)
    m1 = y > 0.5
    n1 = jnp.sum(m1)
    n0 = y.shape[0] - n1
    w = jnp.where(m1, 0.5 / n1, 0.5 / n0)
    return w if dtype is None else w.astype(dtype)
