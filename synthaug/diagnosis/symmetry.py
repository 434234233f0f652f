r"""Balanced pilot fit and the local-symmetry Wald test (Ma & Zhang, arXiv 2601.16120, §2.1, §3.5).

**Pilot.** :math:`\hat\theta` minimises the balanced empirical risk
:math:`\tfrac12\hat R_0 + \tfrac12\hat R_1` (inverse-class-frequency weights).

**Shift gradient.** :math:`\hat g_\phi = \bar s_0 - \bar s_1`, the difference of the
class mean scores at :math:`\hat\theta`; at the population level
:math:`g_\phi = \nabla R_0(\theta^*) - \nabla R_1(\theta^*)`. Local symmetry is
:math:`g_\phi = 0`.

**Wald statistic.** Plugging in :math:`\hat\theta` instead of :math:`\theta^*`
changes the variance (delta method): with class mean Hessians :math:`\hat H_c`,
:math:`\hat H = \tfrac12(\hat H_0+\hat H_1)`, :math:`\hat G = \hat H_0 - \hat H_1`,

.. math::

   \hat g_\phi \approx A_0 \bar s_0(\theta^*) + A_1 \bar s_1(\theta^*),\quad
   A_0 = I - \tfrac12\hat G\hat H^{-1},\ A_1 = -I - \tfrac12\hat G\hat H^{-1},

   \hat V = A_0\hat\Sigma_0A_0^\top/n_0 + A_1\hat\Sigma_1A_1^\top/n_1,\qquad
   T_{\rm sym} = \hat g_\phi^\top\hat V^{+}\hat g_\phi ,

with :math:`\hat\Sigma_c` the score covariance in class :math:`c`. Under
:math:`H_0: g_\phi = 0`, :math:`T_{\rm sym}\to\chi^2_r` with :math:`r` the rank of
:math:`V` (:math:`r = p` in the regular case); under local alternatives
:math:`g_\phi = h/\sqrt{n_{\rm eff}}`, a non-central :math:`\chi^2_r(\lambda)` with
:math:`\lambda = g_\phi^\top V^{+} g_\phi`.

**Singular** :math:`\hat V` **(rank-aware statistic).** :math:`\hat V` is singular when
the model has directions the data cannot identify: a feature constant within the
minority (then :math:`\hat H_1 v = \hat\Sigma_1 v = 0` for
:math:`v = e_j - c\,e_{\rm intercept}`, so :math:`A_0 = \hat H_1\hat H^{-1}` and
:math:`A_1 = -\hat H_0\hat H^{-1}` both annihilate the direction and
:math:`v^\top\hat V v = 0` exactly), exactly duplicated features or a feature that is a
linear combination of others (every score is orthogonal to the dependence), and,
numerically, a pilot that (nearly) separates the classes (the scores and curvatures
vanish). In such a direction :math:`\hat g_\phi` holds no sampling information, only
the pilot's ridge term and rounding, so any regularised inverse
:math:`(\hat V + \epsilon I)^{-1}` makes :math:`T_{\rm sym}` a multiple of
:math:`1/\epsilon`. synthaug therefore computes the statistic on the identifiable
subspace: with the eigendecomposition :math:`\hat V = \sum_k \lambda_k u_k u_k^\top`
(:func:`synthaug.core.linalg.eigh`, plain-XLA Jacobi, safe under ``vmap``),

.. math::

   T_{\rm sym} = \sum_{k:\,\lambda_k > \tau} \frac{(u_k^\top \hat g_\phi)^2}{\lambda_k},\qquad
   r = \#\{k: \lambda_k > \tau\},\qquad
   \tau = \max(\mathrm{rtol},\ p\,\varepsilon)\,\lambda_{\max},

the generalised-inverse (Moore–Penrose) Wald statistic with :math:`r` degrees of
freedom (Moore, 1977, "Generalized inverses, Wald's method, and the construction of
chi-squared tests of fit", *JASA* 72, 131–137; Andrews, 1987, "Asymptotic results for
generalized Wald tests", *Econometric Theory* 3, 348–358: with a consistent rank
estimate, :math:`\hat g^\top\hat V^{+}\hat g \to \chi^2_r`). ``rtol`` defaults to
:math:`\varepsilon^{2/3}` rounded up to a power of ten, :math:`10^{-10}` in float64 and
:math:`10^{-4}` in float32 (:func:`rank_rtol`): eigenvalues produced by rounding alone
(about :math:`p\,\varepsilon\lambda_{\max}`) fall below it with a margin of about
:math:`\varepsilon^{-1/3}`, and genuine condition numbers up to :math:`1/\mathrm{rtol}`
are kept (breast-cancer's :math:`\hat V` has condition :math:`2.8\times10^{7}`, full
rank). Where :math:`\hat V` has full rank this is :math:`\hat g^\top\hat V^{-1}\hat g`
itself (to about :math:`10^{-9}` relative); the ridge value of earlier versions is kept
as :attr:`SymmetryTest.t_ridge` for comparison.

**Ridge inverses.** :func:`stable_solve` computes :math:`(M + \epsilon I)^{-1}b` with the
*relative* ridge :math:`\epsilon = 10^{-8}\,\mathrm{tr}(M)/p`; it is synthaug's own
choice (used for :math:`\hat G\hat H^{-1}`, where :math:`\hat H` is positive
semi-definite and shares its null space with :math:`\hat G`, and for the GQS). It is
not the authors' reference implementation, which adds the *absolute*
:math:`10^{-8}\max(1, \mathrm{tr}(M)/p)` and then takes a pseudo-inverse.

Everything here is a pure function of arrays (``jit``/``vmap``-able); the
p-value is computed on the host by :func:`wald_p_value` (scipy).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from synthaug.core.glm import glm_moments
from synthaug.core.linalg import platform_spd_solve
from synthaug.core.linalg import eigh

__all__ = ["SymmetryTest", "stable_solve", "rank_rtol", "pinv_quadratic_form", "pilot_fit", "pilot_scores",
           "symmetry_test", "wald_p_value", "wald_cutoff", "rank_wald_cutoff"]


class SymmetryTest(NamedTuple):
    """The local-symmetry Wald test at a pilot fit (a pytree).

    Attributes
    ----------
    g_phi
        :math:`\\hat g_\\phi` (p,).
    t_sym
        the rank-aware Wald statistic :math:`\\hat g^\\top\\hat V^{+}\\hat g` on the
        identifiable subspace (see the module docstring).
    df
        the number of local parameters ``p`` (a static int; the degrees of freedom when
        :math:`\\hat V` has full rank). The degrees of freedom of ``t_sym`` are ``rank``.
    cov
        :math:`\\hat V` (p, p).
    hessian
        :math:`\\hat H` (p, p).
    sigma0, sigma1
        class score covariances.
    rank
        the numerical rank :math:`r` of :math:`\\hat V` (an int array, traced under ``jit``):
        the degrees of freedom of ``t_sym``. ``rank < df`` flags a singular covariance.
    eigenvalues
        the eigenvalues of :math:`\\hat V`, ascending (p,).
    condition
        :math:`\\lambda_{\\max}/\\lambda_{\\min}` over the kept eigenvalues: the condition
        number of :math:`\\hat V` on the identifiable subspace (at most ``1/rtol``; inf if
        nothing is kept).
    t_ridge
        the ridge value :math:`\\hat g^\\top(\\hat V + \\epsilon I)^{-1}\\hat g` of
        :func:`stable_solve` that earlier versions reported (for comparison: it equals
        ``t_sym`` up to the ridge's bias where :math:`\\hat V` is well conditioned and is of
        order :math:`1/\\epsilon` where it is singular).
    """

    g_phi: jax.Array
    t_sym: jax.Array
    df: int
    cov: jax.Array
    hessian: jax.Array
    sigma0: jax.Array
    sigma1: jax.Array
    rank: jax.Array
    eigenvalues: jax.Array
    condition: jax.Array
    t_ridge: jax.Array


def stable_solve(M, b):
    r"""Solve :math:`(M + \epsilon I)x = b` with the relative ridge :math:`\epsilon = 10^{-8}\,\mathrm{tr}(M)/p`.

    synthaug's own regularised solve (not the authors' reference implementation, which
    adds the absolute :math:`10^{-8}\max(1, \mathrm{tr}(M)/p)` and takes a pseudo-inverse).
    It suits symmetric positive semi-definite ``M`` (every caller passes a Hessian or a
    covariance) whose null space ``b`` does not reach; for the Wald statistic, whose
    covariance may be singular in directions that ``b`` does reach, use
    :func:`pinv_quadratic_form`. The solve is a Cholesky factorisation of
    :math:`M + \epsilon I` (:func:`synthaug.core.linalg.platform_spd_solve`: plain XLA
    operations on CPU, where jaxlib 0.10's batched LAPACK solve can deadlock with several
    CPU devices; the vendor kernels elsewhere).
    """
    p = M.shape[-1]
    eps = 1e-8 * jnp.abs(jnp.trace(M)) / p + jnp.finfo(M.dtype).tiny
    return platform_spd_solve(M + eps * jnp.eye(p, dtype=M.dtype), b)


def rank_rtol(dtype) -> float:
    r"""Default relative eigenvalue tolerance of :func:`pinv_quadratic_form` for ``dtype``.

    :math:`\varepsilon^{2/3}` rounded up to a power of ten: ``1e-10`` for float64, ``1e-4``
    for float32. Eigenvalues that rounding alone produces in an exactly singular
    :math:`\hat V` (about :math:`p\,\varepsilon\lambda_{\max}`) lie a factor of about
    :math:`\varepsilon^{-1/3}` below it; genuine condition numbers up to ``1/rtol`` are
    kept (a float32 eigenvalue below :math:`10^{-4}\lambda_{\max}` has at most a few
    correct digits).

    Raises
    ------
    ValueError
        If ``dtype`` is not a floating type.
    """
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.floating):
        raise ValueError(f"rank_rtol needs a floating dtype; got {dt}")
    eps = float(np.finfo(dt).eps)
    return float(10.0 ** np.ceil(np.log10(eps ** (2.0 / 3.0))))


def _check_rtol(rtol, dtype) -> float:
    """``rtol`` as a float in [0, 1) (a static setting), default :func:`rank_rtol` of ``dtype``."""
    if rtol is None:
        return rank_rtol(dtype)
    if isinstance(rtol, bool):
        raise ValueError(f"rtol must be a number in [0, 1); got {rtol!r}")
    try:
        rtol = float(rtol)
    except (TypeError, ValueError, jax.errors.ConcretizationTypeError):
        raise ValueError(f"rtol must be a static number in [0, 1); got {rtol!r}") from None
    if not (0.0 <= rtol < 1.0):
        raise ValueError(f"rtol must be in [0, 1); got {rtol}")
    return rtol


def pinv_quadratic_form(M, b, rtol=None):
    r"""Rank-aware :math:`b^\top M^{+} b` of a symmetric positive semi-definite ``M``, and its rank.

    With :math:`M = \sum_k \lambda_k u_k u_k^\top` (:func:`synthaug.core.linalg.eigh`,
    cyclic Jacobi: no LAPACK call, so it is safe under ``vmap`` on CPU),

    .. math::

       q = \sum_{k:\,\lambda_k > \tau} \frac{(u_k^\top b)^2}{\lambda_k},\qquad
       r = \#\{k: \lambda_k > \tau\},\qquad
       \tau = \max(\mathrm{rtol},\ p\,\varepsilon)\,\max(\lambda_{\max}, 0),

    the quadratic form of the Moore–Penrose inverse of ``M`` truncated at its numerical
    rank, as in the generalised Wald tests of Moore (1977, *JASA* 72, 131–137) and
    Andrews (1987, *Econometric Theory* 3, 348–358), whose statistic is
    :math:`\chi^2_r` under the null when ``r`` estimates the rank of the population
    covariance consistently. For full-rank ``M`` it is :math:`b^\top M^{-1}b`.

    Parameters
    ----------
    M : array of shape (p, p)
        Symmetric positive semi-definite matrix (symmetrised first).
    b : array of shape (p,)
    rtol : float, optional
        Relative tolerance on the eigenvalues; default :func:`rank_rtol` of ``M``'s dtype.

    Returns
    -------
    q : scalar array
        The quadratic form (NaN when ``M`` or ``b`` is not finite).
    rank : int32 scalar array
        The number of kept eigenvalues.
    eigenvalues : array of shape (p,)
        The eigenvalues of ``M``, ascending.
    condition : scalar array
        Largest over smallest kept eigenvalue (inf when none is kept).

    Raises
    ------
    ValueError
        If ``M`` is not square, ``b`` does not match it, or ``rtol`` is not in [0, 1).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> M = jnp.array([[1.0, 1.0], [1.0, 1.0]])  # rank 1
    >>> q, r, _, _ = pinv_quadratic_form(M, jnp.array([1.0, 1.0]))
    >>> float(q), int(r)
    (1.0, 1)
    """
    M = jnp.asarray(M)
    b = jnp.asarray(b, M.dtype)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"M must be one square matrix; got shape {M.shape}")
    if b.shape != (M.shape[0],):
        raise ValueError(f"b must have shape ({M.shape[0]},) to match M; got {b.shape}")
    if not jnp.issubdtype(M.dtype, jnp.floating):
        M = M.astype(jnp.result_type(float))
        b = b.astype(M.dtype)
    rtol = _check_rtol(rtol, M.dtype)
    q, rank, w, condition, _ = _eig_quadratic_form(M, b, rtol)
    return q, rank, w, condition


def _eig_quadratic_form(M, b, rtol):
    """:func:`pinv_quadratic_form` on checked input, plus the coordinates ``U^T b`` in the eigenbasis."""
    p = M.shape[0]
    M = 0.5 * (M + M.T)
    w, U = eigh(M)
    top = jnp.maximum(w[-1], 0.0)
    tol = max(rtol, p * float(jnp.finfo(M.dtype).eps)) * top
    keep = w > tol
    c = U.T @ b
    safe = jnp.where(keep, w, 1.0)
    q = jnp.sum(jnp.where(keep, c * c / safe, 0.0))
    finite = jnp.all(jnp.isfinite(M)) & jnp.all(jnp.isfinite(b))
    q = jnp.where(finite, q, jnp.nan)
    rank = jnp.sum(keep).astype(jnp.int32)
    low = jnp.min(jnp.where(keep, w, jnp.inf))
    condition = jnp.where(jnp.any(keep), top / low, jnp.inf)
    return q, rank, w, jnp.where(finite, condition, jnp.nan), c


def pilot_fit(model, aux, key, X0, X1, w0=None, w1=None):
    """Balanced (inverse-frequency) pilot fit on ``X0`` (majority) and ``X1`` (minority).

    Optional 0/1 row masks ``w0``/``w1`` restrict each class (each class still gets
    total weight 1/2).
    """
    X = jnp.concatenate([X0, X1])
    y = jnp.concatenate([jnp.zeros(X0.shape[0], X.dtype), jnp.ones(X1.shape[0], X.dtype)])
    w0 = jnp.ones(X0.shape[0], X.dtype) if w0 is None else jnp.asarray(w0, X.dtype)
    w1 = jnp.ones(X1.shape[0], X.dtype) if w1 is None else jnp.asarray(w1, X.dtype)
    w = jnp.concatenate([0.5 * w0 / jnp.sum(w0), 0.5 * w1 / jnp.sum(w1)])
    return model.fit(aux, key, X, y, w)


def pilot_scores(model, aux, params, X, y):
    """Per-row scores (n, p) and Hessians (n, p, p) of ``model`` at ``params`` (its local GLM form).

    For linear models these are the exact scores and Hessians of the loss; for the MLP,
    those of its last layer with the hidden representation held fixed.
    """
    from synthaug.core.glm import glm_hessians, glm_scores

    loss, featurize, theta = model.local_glm(aux, params)
    Z = featurize(jnp.asarray(X))
    return glm_scores(loss, Z, theta, y), glm_hessians(loss, Z, theta, y)


def symmetry_test(model, aux, params, X0, X1, rtol=None) -> SymmetryTest:
    """The rank-aware Wald statistic of local symmetry at the pilot ``params`` (see the module docstring).

    Parameters
    ----------
    model, aux, params
        The model, its auxiliary state and the pilot parameters (:func:`pilot_fit`).
    X0, X1 : array of shape (n0, d) and (n1, d)
        Majority and minority rows.
    rtol : float, optional
        Relative eigenvalue tolerance of the rank (:func:`pinv_quadratic_form`); default
        :func:`rank_rtol` of the data's dtype.

    Returns
    -------
    SymmetryTest
        ``t_sym`` on ``rank`` degrees of freedom; ``rank < df`` (= p) when the score
        covariance is singular.
    """
    loss, featurize, theta = model.local_glm(aux, params)
    Z0, Z1 = featurize(X0), featurize(X1)
    n0, n1 = X0.shape[0], X1.shape[0]
    m0, S0, H0 = glm_moments(loss, Z0, theta, jnp.zeros(n0))
    m1, S1, H1 = glm_moments(loss, Z1, theta, jnp.ones(n1))
    g = m0 - m1
    p = g.shape[0]
    H = 0.5 * (H0 + H1)
    GHinv = stable_solve(H.T, (H0 - H1).T).T  # G H^{-1}
    eye = jnp.eye(p, dtype=g.dtype)
    A0 = eye - 0.5 * GHinv
    A1 = -eye - 0.5 * GHinv
    V = A0 @ S0 @ A0.T / n0 + A1 @ S1 @ A1.T / n1
    V = 0.5 * (V + V.T)
    rtol = _check_rtol(rtol, V.dtype)
    t, rank, w, condition, c = _eig_quadratic_form(V, g, rtol)
    # the ridge value (V + eps I)^{-1} of stable_solve, from the same eigendecomposition (no LAPACK solve)
    eps = 1e-8 * jnp.abs(jnp.sum(w)) / p + jnp.finfo(V.dtype).tiny
    t_ridge = jnp.sum(c * c / (w + eps))
    return SymmetryTest(g, t, p, V, H, S0, S1, rank, w, condition, t_ridge)


def wald_cutoff(df: int, alpha: float = 0.05) -> float:
    """The :math:`\\chi^2_{df}(1-\\alpha)` critical value (inf for ``df = 0``: nothing to test)."""
    if int(df) == 0:
        return float("inf")
    return float(stats.chi2.ppf(1.0 - alpha, df))


def rank_wald_cutoff(rank, p: int, alpha: float = 0.05):
    r"""The :math:`\chi^2_{\rm rank}(1-\alpha)` critical value for a traced ``rank`` in 0..``p``.

    A table of the ``p + 1`` quantiles (computed on the host, ``p`` and ``alpha`` static)
    indexed by ``rank``, so traced code such as a ``vmap`` over replications can compare
    :attr:`SymmetryTest.t_sym` with the cut-off of its own degrees of freedom
    (``t.t_sym > rank_wald_cutoff(t.rank, t.df, alpha)``); rank 0 gives inf.

    Raises
    ------
    ValueError
        If ``p`` is not a positive int or ``alpha`` is not in (0, 1).
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise ValueError(f"p must be a positive int (static); got {p!r}")
    alpha = float(alpha)
    if not (0.0 < alpha < 1.0):
        raise ValueError(f"alpha must be in (0, 1); got {alpha}")
    table = np.array([wald_cutoff(k, alpha) for k in range(int(p) + 1)])
    return jnp.asarray(table)[jnp.clip(jnp.asarray(rank), 0, int(p))]


def wald_p_value(t_sym, df):
    """Upper-tail :math:`\\chi^2_{df}` p-value (NumPy, vectorised); 1 where ``df = 0``."""
    t = np.asarray(t_sym, dtype=float)
    df = np.asarray(df)
    return np.where(df > 0, stats.chi2.sf(t, np.maximum(df, 1)), 1.0)
