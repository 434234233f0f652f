r"""Smoothed bootstrap: a kernel density estimate of the minority, sampled.

Each synthetic row is a minority row drawn uniformly with replacement plus
Gaussian kernel noise, :math:`\tilde x = x_I + H\varepsilon`,
:math:`\varepsilon \sim N(0, I_d)`, with the diagonal bandwidth
:math:`H = h\,\mathrm{diag}(s_1, \dots, s_d)`, :math:`s_j` the minority standard
deviation of column ``j`` (``ddof=1``) and Silverman's normal-reference rule

.. math:: h = \text{shrink} \cdot \Bigl(\frac{4}{(d + 2)\,n_1}\Bigr)^{1/(d + 4)}

(Silverman 1986, eq. 4.14). This is the generator behind ROSE (Menardi &
Torelli, DMKD 2014, whose default also uses this rule with ``shrink = 1``);
``shrink = 0`` is random oversampling. Columns with zero spread get no noise.

``bandwidth="imblearn"`` uses imbalanced-learn's rule instead (its
``RandomOverSampler(shrinkage=...)``): the same formula with :math:`n_1` replaced by
the number of rows of *all* classes, :math:`n = n_1 + n_0`, and the standard
deviations with ``ddof=0``. That kernel is narrower by
:math:`(n_1 / n)^{1/(d + 4)}` for a small class; it is not Silverman's rule for the
density being sampled (the minority's), which is why ``"class"`` is the default. The
``"imblearn"`` generator needs the other classes' rows for their count only
(``uses_majority=True``) and is not shape-bucketed.
Sampling from a KDE is exactly this two-stage draw. Registry names: ``"smoothed-bootstrap"``
and ``"kde"`` (the plain resampling generators are ``"random"`` and ``"bootstrap"``).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.buckets import masked_std
from synthaug.generators.basic import Generator

__all__ = ["smoothed_bootstrap", "silverman_factor"]


def silverman_factor(n1: int, d: int) -> float:
    r"""Silverman's multivariate normal-reference factor :math:`(4 / ((d + 2) n_1))^{1/(d + 4)}`."""
    return float((4.0 / ((d + 2) * n1)) ** (1.0 / (d + 4)))


@partial(jax.jit, static_argnames=("n",))
def _draw(key, X, n: int, h):
    kb, kn = jax.random.split(key)
    idx = jax.random.randint(kb, (n,), 0, X.shape[0])
    sd = jnp.std(X, axis=0, ddof=1)
    return X[idx] + h * sd * jax.random.normal(kn, (n, X.shape[1]), X.dtype)


@partial(jax.jit, static_argnames=("n",))
def _draw_total(key, X, n: int, h):
    kb, kn = jax.random.split(key)
    idx = jax.random.randint(kb, (n,), 0, X.shape[0])
    return X[idx] + h * jnp.std(X, axis=0) * jax.random.normal(kn, (n, X.shape[1]), X.dtype)


def smoothed_bootstrap(shrink: float = 1.0, bandwidth: str = "class", name: str = "smoothed-bootstrap") -> Generator:
    """Smoothed bootstrap with a normal-reference bandwidth times ``shrink`` (see the module docstring).

    Parameters
    ----------
    shrink : float, default=1.0
        Multiplier of the bandwidth; 0 is random oversampling.
    bandwidth : {"class", "imblearn"}, default="class"
        ``"class"``: Silverman's rule for the minority (its row count, ``ddof=1``);
        ``"imblearn"``: imbalanced-learn's rule (the row count of all classes,
        ``ddof=0``; the generator then takes ``X_majority`` for that count).
    name : str
        The generator's name.

    Returns
    -------
    Generator

    Examples
    --------
    >>> import jax
    >>> from synthaug.generators.kde import smoothed_bootstrap
    >>> X1 = jax.random.normal(jax.random.key(0), (12, 2))
    >>> X0 = jax.random.normal(jax.random.key(1), (40, 2))
    >>> smoothed_bootstrap()(jax.random.key(2), X1, 5).shape
    (5, 2)
    >>> smoothed_bootstrap(bandwidth="imblearn")(jax.random.key(2), X1, 5, X_majority=X0).shape
    (5, 2)
    """
    if not np.isfinite(shrink) or shrink < 0:
        raise ValueError(f"shrink must be a finite non-negative number; got {shrink}")
    if bandwidth not in ("class", "imblearn"):
        raise ValueError(f"bandwidth must be 'class' or 'imblearn'; got {bandwidth!r}")
    if bandwidth == "imblearn":
        def fn_total(key, X, n, X0):
            return _draw_total(key, X, n, shrink * silverman_factor(X.shape[0] + X0.shape[0], X.shape[1]))

        return Generator(name, fn_total, min_rows=1, uses_majority=True)

    def fn(key, X, n):
        return _draw(key, X, n, shrink * silverman_factor(X.shape[0], X.shape[1]))

    def padded(key, Xp, n_valid, n_out):
        d = Xp.shape[1]
        h = shrink * (4.0 / ((d + 2) * n_valid.astype(Xp.dtype))) ** (1.0 / (d + 4))
        kb, kn = jax.random.split(key)
        idx = jax.random.randint(kb, (n_out,), 0, n_valid)
        sd = masked_std(Xp, n_valid, ddof=1)
        return Xp[idx] + h * sd * jax.random.normal(kn, (n_out, d), Xp.dtype)

    return Generator(name, fn, min_rows=2, padded=padded)
