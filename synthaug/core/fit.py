r"""Weighted M-estimation: one entry point for every fit in synthaug.

Minimises the weight-normalised empirical risk plus a ridge penalty

.. math::

   F(\theta) = \frac{1}{W}\sum_{i=1}^n w_i\,\ell(\theta; x_i, y_i) + \lambda\lVert\theta\rVert_2^2,
   \qquad W = \sum_i w_i,

so the solution is invariant to permuting rows and to multiplying all weights by
a positive constant. (scikit-learn's ``C`` corresponds to
:math:`\lambda = 1/(2 C W)`; the intercept, when present, is penalised too, which
at the default :math:`\lambda = 10^{-8}` is immaterial but keeps separable
problems well posed.)

* Quadratic (squared) loss: exact solution of the normal equations
  :math:`(Z^\top W Z / W + \lambda I)\theta = Z^\top W t / W` by Cholesky.
* Logistic loss: damped Newton (Armijo backtracking on :math:`F`), warm-startable,
  stopping when :math:`\max_j|\Delta\theta_j| \le \mathrm{tol}\,(1 + \max_j|\theta_j|)`.
  On perfectly separable data the unpenalised minimiser does not exist; the ridge
  (never below ``min_ridge``) keeps the minimiser finite and
  :attr:`FitResult.separable` reports the separation. A non-finite iterate is
  never returned: the last finite iterate is kept and ``converged`` is False.

The objective, its gradient and Hessian are those of :mod:`synthaug.core.glm`.
Everything is a pure function of arrays, so fits ``jax.vmap`` across
replications and candidate sizes (pass a batch of weight vectors over one pooled
design matrix to fit all nested synthetic sizes at once) and ``jax.jit``.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.glm import (
    hessian_from_curvatures,
    objective_terms,
    penalised_gradient,
    penalised_objective,
    weighted_gram,
)
from synthaug.core.losses import Loss
from synthaug.core.linalg import platform_cho_solve, platform_cholesky
from synthaug.core.validation import (
    check_features,
    check_int,
    check_labels,
    check_magnitudes,
    check_real,
    check_size,
    check_weights,
    is_concrete,
)

#: The penalised, weight-normalised objective :math:`F(\theta)` minimised here
#: (:func:`synthaug.core.glm.penalised_objective`, re-exported under its historical name).
objective = penalised_objective

__all__ = ["FitResult", "weighted_fit", "objective", "fit_gram", "fit_nested", "fit_prefixes"]


class FitResult(NamedTuple):
    """Result of :func:`weighted_fit` (a pytree; batched under ``vmap``).

    Attributes
    ----------
    theta
        fitted parameter, shape (p,).
    converged
        the stopping rule was met (always True for the quadratic loss).
    n_iter
        Newton iterations used (1 for the quadratic loss).
    grad_norm
        max-norm of the gradient of the penalised objective at ``theta``.
    separable
        logistic only: every positively weighted row is classified
        correctly at ``theta`` (the classes are perfectly separated, so the
        estimate is determined by the ridge).

    Examples
    --------
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from synthaug import FitResult, squared_loss, weighted_fit
    >>> X = jax.random.normal(jax.random.key(0), (60, 2))
    >>> y = (X[:, 0] > 1.0).astype(jnp.int32)
    >>> res = weighted_fit(squared_loss(intercept=True), X, y)
    >>> isinstance(res, FitResult), int(res.n_iter), bool(res.converged)
    (True, 1, True)
    """

    theta: jax.Array
    converged: jax.Array
    n_iter: jax.Array
    grad_norm: jax.Array
    separable: jax.Array


def _spd_solve(H, g):
    return platform_cho_solve(platform_cholesky(H), g)


def fit_gram(gram, moment, ridge):
    r"""Quadratic-loss fit from normalised sufficient statistics.

    Solves :math:`(G + \lambda I)\theta = b` with :math:`G = Z^\top W Z / W` and
    :math:`b = Z^\top W t / W` (for nested synthetic sizes, accumulate prefix sums
    of :math:`z z^\top` and :math:`t z` once and call this per size).
    """
    p = gram.shape[-1]
    return _spd_solve(gram + ridge * jnp.eye(p, dtype=gram.dtype), moment)


def _fit_quadratic(loss, Z, y, wn, ridge):
    t = jnp.where(y > 0.5, loss.labels[1], loss.labels[0]).astype(Z.dtype)
    theta = fit_gram(weighted_gram(Z, wn), Z.T @ (wn * t), ridge)
    g = penalised_gradient(loss, theta, Z, y, wn, ridge)  # gradient only: no Hessian needed here
    finite = jnp.all(jnp.isfinite(theta))
    theta = jnp.where(finite, theta, jnp.zeros_like(theta))
    return FitResult(theta, finite, jnp.asarray(1), jnp.max(jnp.abs(g)), jnp.asarray(False))


class LineSearchState(NamedTuple):
    """Carry of the Armijo backtracking loop of :func:`_fit_newton`.

    Attributes
    ----------
    t
        step length (halved until the Armijo condition holds).
    value
        objective :math:`F` at the trial point ``theta - t * step``.
    grad
        gradient of :math:`F` at the trial point.
    curvature
        per-row curvatures :math:`f''(\\eta_i, y_i)` at the trial point.
    """

    t: jax.Array
    value: jax.Array
    grad: jax.Array
    curvature: jax.Array


class Iterate(NamedTuple):
    """A Newton iterate with its objective terms (:func:`synthaug.core.glm.objective_terms`).

    Attributes
    ----------
    theta
        the parameter.
    value, grad
        objective :math:`F` and its gradient at ``theta``.
    curvature
        per-row curvatures :math:`f''(\\eta_i, y_i)` at ``theta`` (the Hessian's weights).
    """

    theta: jax.Array
    value: jax.Array
    grad: jax.Array
    curvature: jax.Array


class ReuseState(NamedTuple):
    """Carry of the inner loop of :func:`_fit_newton`: Newton steps reusing one Hessian factor.

    Attributes
    ----------
    point
        the current :class:`Iterate`.
    chol
        lower Cholesky factor of the Hessian, computed when the loop was entered.
    done
        stop the whole solver (converged, or no finite progress possible).
    n_steps
        steps taken with this factor.
    last_step
        max-norm of the previous step (for the contraction ratio).
    ratio
        contraction ratio of the last step (``inf`` after a damped step); above 0.3 it
        sends control back to a fresh Hessian.
    converged
        the last step met the stopping rule.
    """

    point: Iterate
    chol: jax.Array
    done: jax.Array
    n_steps: jax.Array
    last_step: jax.Array
    ratio: jax.Array
    converged: jax.Array


class NewtonState(NamedTuple):
    """Carry of the outer loop of :func:`_fit_newton` (one fresh Hessian per pass).

    Attributes
    ----------
    point
        the current :class:`Iterate`.
    n_iter
        Newton steps taken so far (all inner steps counted).
    done
        stop (converged, or no finite progress possible).
    converged
        the stopping rule was met.
    """

    point: Iterate
    n_iter: jax.Array
    done: jax.Array
    converged: jax.Array


def _fit_newton(loss, Z, y, wn, ridge, theta0, max_iter, tol, max_reuse: int = 8, fast_kernels: bool = False,
                Zt=None):
    """Damped Newton with a lagged Hessian (Shamanskii-type), all in ``lax.while_loop``.

    Outer loop (:class:`NewtonState`): factor the Hessian at the current iterate.
    Inner loop (:class:`ReuseState`): reuse that factor for up to ``max_reuse``
    steps, leaving early on convergence or when the steps stop contracting fast
    (ratio > 0.3), which sends control back to a fresh Hessian. Each step evaluates
    objective, gradient and curvature weights at the trial point in one pass over
    the data (:func:`synthaug.core.glm.objective_terms`: one ``exp`` per row for the
    logistic loss), so an accepted step costs two matrix–vector products; near the
    solution of a warm-started fit a fit is one Hessian plus a few such steps. Steps
    are damped by Armijo backtracking on F (:class:`LineSearchState`); at the
    rounding floor of F, where Armijo cannot be resolved, the full step is taken.
    Convergence is declared only on an undamped step with
    max|step| <= tol (1 + max|theta|). (Starting each candidate of
    :func:`fit_nested` from the previous candidate's Hessian factor as well was
    tried and was slower: the stale factor costs more steps than the fresh Hessian
    it saves.) ``fast_kernels=True`` evaluates the same terms with :func:`_fast_kernels`
    (``Zt``: ``Z.T`` formed by the caller, e.g. once for several fits on the same rows).
    """
    eps = jnp.finfo(Z.dtype).eps
    if fast_kernels:
        hess_chol, terms = _fast_kernels(loss, Z, y, wn, ridge, Zt)
    else:
        def hess_chol(point: Iterate):
            return platform_cholesky(hessian_from_curvatures(Z, wn, point.curvature, ridge))

        def terms(th):
            return objective_terms(loss, th, Z, y, wn, ridge)

    def evaluate(th) -> Iterate:
        return Iterate(th, *terms(th))

    def inner_cond(s: ReuseState):
        return (~s.done) & (s.n_steps < max_reuse) & (s.ratio <= 0.3)

    def inner_body(s: ReuseState) -> ReuseState:
        theta, f, g = s.point.theta, s.point.value, s.point.grad
        step = platform_cho_solve(s.chol, g)
        slope = jnp.dot(g, step)
        at_floor = 0.5 * jnp.abs(slope) <= 16 * eps * (1.0 + jnp.abs(f))

        def ls_cond(ls: LineSearchState):
            bad = jnp.logical_or(~jnp.isfinite(ls.value), ls.value > f - 1e-4 * ls.t * slope)
            return bad & (ls.t > 1e-10) & ~at_floor

        def ls_body(ls: LineSearchState) -> LineSearchState:
            t = 0.5 * ls.t
            return LineSearchState(t, *terms(theta - t * step))

        ls = jax.lax.while_loop(ls_cond, ls_body, LineSearchState(jnp.asarray(1.0, Z.dtype), *terms(theta - step)))
        t = ls.t
        new = theta - t * step
        ok = jnp.all(jnp.isfinite(new)) & jnp.isfinite(ls.value) & jnp.all(jnp.isfinite(ls.grad))
        size = jnp.max(jnp.abs(step))
        conv = ok & (t == 1.0) & (size <= tol * (1.0 + jnp.max(jnp.abs(theta))))
        stuck = ~ok | (t <= 1e-10)
        ratio = jnp.where(s.n_steps == 0, 0.0, size / jnp.maximum(s.last_step, 1e-300))
        ratio = jnp.where(t < 1.0, jnp.inf, ratio)  # damped: refresh the Hessian
        keep = lambda a, b: jnp.where(ok, a, b)
        point = Iterate(keep(new, theta), keep(ls.value, f), keep(ls.grad, g), keep(ls.curvature, s.point.curvature))
        return ReuseState(
            point=point,
            chol=s.chol,
            done=conv | stuck,
            n_steps=s.n_steps + 1,
            last_step=size,
            ratio=ratio,
            converged=conv,
        )

    def outer_cond(state: NewtonState):
        return (state.n_iter < max_iter) & ~state.done

    def outer_body(state: NewtonState) -> NewtonState:
        init = ReuseState(
            point=state.point,
            chol=hess_chol(state.point),
            done=jnp.asarray(False),
            n_steps=jnp.asarray(0),
            last_step=jnp.asarray(jnp.inf, Z.dtype),
            ratio=jnp.asarray(0.0, Z.dtype),
            converged=jnp.asarray(False),
        )
        s = jax.lax.while_loop(inner_cond, inner_body, init)
        return NewtonState(s.point, state.n_iter + s.n_steps, s.done, s.converged)

    state = NewtonState(evaluate(theta0), jnp.asarray(0), jnp.asarray(False), jnp.asarray(False))
    final = jax.lax.while_loop(outer_cond, outer_body, state)
    theta = final.point.theta
    converged = final.converged & jnp.all(jnp.isfinite(theta))
    margin = (2.0 * y - 1.0) * (Z @ theta)
    separable = jnp.all(jnp.where(wn > 0, margin > 0, True))
    return FitResult(theta, converged, final.n_iter, jnp.max(jnp.abs(final.point.grad)), separable)


def _fast_kernels(loss, Z, y, wn, ridge, Zt=None):
    """Hessian factor and objective terms of :func:`_fit_newton` in the layouts XLA:CPU runs fastest.

    The same algebra as :func:`synthaug.core.glm.objective_terms` and
    :func:`~synthaug.core.glm.hessian_from_curvatures`, evaluated in another order: the
    gradient as ``(w f') @ Z`` (a row-major matrix-vector product; ``Z.T @ (w f')``
    materialises the transpose and ran 7-8x slower for 12,772 x 20 float64 rows) and the
    Hessian as ``Z^T (Z * w f'')`` with ``Z^T`` formed once per fit (about 2x faster than
    ``(Z * w f'').T @ Z``). Results agree with the default kernels to rounding.
    """
    Zt = Z.T if Zt is None else Zt  # loop-invariant: formed once, outside the Newton loops
    eye = 2.0 * ridge * jnp.eye(Z.shape[1], dtype=Z.dtype)

    def hess_chol(point: Iterate):
        return platform_cholesky(Zt @ (Z * (wn * point.curvature)[:, None]) + eye)

    def terms(th):
        value, d1, d2 = loss.link_all(Z @ th, y)
        f = jnp.dot(wn, value) + ridge * jnp.dot(th, th)
        return f, (wn * d1) @ Z + 2.0 * ridge * th, d2

    return hess_chol, terms


@partial(jax.jit, static_argnames=("loss", "max_iter"))
def _fit(loss, X, y, w, ridge, theta0, max_iter, tol):
    Z = loss.features(X)
    y = jnp.asarray(y, Z.dtype)
    wn = w / jnp.sum(w)
    if loss.quadratic:
        return _fit_quadratic(loss, Z, y, wn, ridge)
    return _fit_newton(loss, Z, y, wn, ridge, theta0, max_iter, tol)


def weighted_fit(
    loss: Loss,
    X,
    y,
    w=None,
    *,
    ridge: float = 1e-8,
    theta0=None,
    max_iter: int = 100,
    tol: float | None = None,
    min_ridge: float = 1e-12,
) -> FitResult:
    """Fit :math:`\\theta` by minimising the weighted penalised risk (see module docstring).

    Parameters
    ----------
    loss
        a :class:`~synthaug.core.losses.Loss`.
    X
        features, shape (n, d).
    y
        class indices in {0, 1}, shape (n,).
    w
        non-negative (or, for bias correction, signed) weights with positive sum;
        default all ones. Zero weights switch rows off, which is how nested
        synthetic pools are fitted at every candidate size.
    ridge
        :math:`\\lambda`; raised to ``min_ridge`` for the logistic loss.
    theta0
        Newton starting point (default zeros).
    max_iter
        Newton iteration cap.
    tol
        step tolerance; default 1e-10 in float64, 1e-5 in float32.

    Returns
    -------
    FitResult
        Works under ``jax.vmap`` and ``jax.jit``.

    Raises
    ------
    ValueError
        On bad concrete input (validated before tracing).

    Examples
    --------
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from synthaug import logistic_loss, weighted_fit
    >>> X = jax.random.normal(jax.random.key(0), (60, 2))
    >>> y = (X[:, 0] + 0.5 * jax.random.normal(jax.random.key(1), (60,)) > 1.0).astype(jnp.int32)
    >>> fit = weighted_fit(logistic_loss(intercept=True), X, y)
    >>> bool(fit.converged), fit.theta.shape
    (True, (3,))
    >>> bool(fit.theta[0] > 0)  # the first feature raises the odds of class 1
    True
    """
    concrete = is_concrete(X, y, w)
    if concrete:
        Xc = check_features(X)
        check_labels(y, Xc.shape[0])
        if w is not None:
            check_weights(w, Xc.shape[0])
    if is_concrete(ridge):
        check_real(ridge, "ridge", 0.0)
    max_iter = check_int(max_iter, "max_iter")
    if tol is not None and is_concrete(tol):
        check_real(tol, "tol", 0.0, open_low=True)
    X = jnp.asarray(X)
    if not jnp.issubdtype(X.dtype, jnp.floating):
        X = X.astype(jnp.result_type(float))
    dtype = X.dtype
    if concrete:
        # the objective's Gram matrix and Newton steps square the features
        check_magnitudes(Xc, "X", dtype=dtype)
    if w is None:
        w = jnp.ones(X.shape[0], dtype)
    w = jnp.asarray(w, dtype)
    p = loss.dim(X.shape[-1])
    if theta0 is not None and is_concrete(theta0):
        t0 = np.asarray(theta0)
        if t0.shape != (p,) or not np.issubdtype(t0.dtype, np.number):
            raise ValueError(f"theta0 must be a numeric vector of shape ({p},) for {X.shape[-1]} features; got "
                             f"shape {t0.shape}, dtype {t0.dtype}")
        if not np.all(np.isfinite(t0)):
            raise ValueError("theta0 contains NaN or infinite values; pass a finite starting point (or None for zeros)")
    theta0 = jnp.zeros(p, dtype) if theta0 is None else jnp.asarray(theta0, dtype)
    if tol is None:
        tol = 1e-10 if dtype == jnp.float64 else 1e-5
    if not loss.quadratic:
        ridge = jnp.maximum(ridge, min_ridge)
    return _fit(loss, X, y, w, jnp.asarray(ridge, dtype), theta0, max_iter, jnp.asarray(tol, dtype))


def prefix_sums(A, sizes):
    """Cumulative sums ``sum(A[:s])`` for each static size ``s`` (any order), by segments.

    Costs one pass over ``A[:max(sizes)]`` however many sizes there are.
    """
    sizes = [int(s) for s in sizes]
    order = sorted(set(sizes))
    acc = jnp.zeros(A.shape[1:], A.dtype)
    out, prev = {}, 0
    for s in order:
        acc = acc + jnp.sum(A[prev:s], axis=0)
        out[s], prev = acc, s
    return jnp.stack([out[s] for s in sizes])


def prefix_grams(Z, sizes):
    """Prefix Gram matrices ``Z[:s].T @ Z[:s]`` for static sizes, one matmul per segment."""
    sizes = [int(s) for s in sizes]
    acc = jnp.zeros((Z.shape[1], Z.shape[1]), Z.dtype)
    out, prev = {}, 0
    for s in sorted(set(sizes)):
        seg = Z[prev:s]
        acc = acc + seg.T @ seg
        out[s], prev = acc, s
    return jnp.stack([out[s] for s in sizes])


def fit_nested(loss: Loss, X, y, pool, sizes, *, ridge: float = 1e-8, max_iter: int = 100, tol=None,
               n_buckets: int = 1, fast_kernels: bool = False) -> FitResult:
    """Fit the pooled augmented ERM for every candidate size over one nested pool.

    The training set for size ``s`` is the real rows ``(X, y)`` plus the first
    ``s`` rows of ``pool`` labelled 1 (minority), all with weight 1 (plain
    pooled ERM, Ma & Zhang §1.4). ``sizes`` must be static Python ints.

    * Quadratic loss: prefix sums of :math:`z z^\\top` and :math:`t z` over the pool
      (one pass), then one small solve per size.
    * Logistic loss: ``lax.scan`` over the sizes in the given order, each fit
      warm-started at the previous size's estimate (sort the sizes for best
      effect) by the lagged-Hessian Newton method of :func:`weighted_fit`, pool
      rows beyond the prefix switched off by zero weights.

    Parameters
    ----------
    loss
        a :class:`~synthaug.core.losses.Loss`.
    X, y
        real rows, shapes (n, d) and (n,).
    pool
        synthetic rows (minority), shape (m, d) with ``m >= max(sizes)``.
    sizes
        static candidate sizes (Python ints, any order).
    ridge, max_iter, tol
        as in :func:`weighted_fit` (``tol`` defaults to 1e-10 in float64, 1e-5 in float32).
    n_buckets
        logistic loss: split the sizes (in the given order) into this many consecutive
        runs; each run is fitted on the real rows plus the first ``max(run)`` pool rows
        only (a static slice), so pool rows that every fit of the run switches off are
        never multiplied. The warm start still passes from run to run. Each run is one
        more compiled solver (compile time grows about linearly); the estimates are
        those of ``n_buckets=1`` up to rounding (zero-weight rows contribute exactly 0).
    fast_kernels
        logistic loss: evaluate gradient and Hessian in the layouts XLA:CPU runs fastest
        (:func:`_fast_kernels`; the same algebra as the default kernels, equal to rounding).

    Returns
    -------
    FitResult
        batched over sizes (leading axis ``len(sizes)``).
    """
    if len(sizes) == 0:
        raise ValueError("fit_nested needs at least one candidate size")
    sizes = [check_size(s, "synthetic size") for s in sizes]
    if is_concrete(X, y, pool):
        Xc = check_features(X)
        check_labels(y, Xc.shape[0])
        if np.asarray(pool).shape[0]:
            check_features(pool, "pool")
    if max(sizes) > pool.shape[0]:
        raise ValueError(f"largest size {max(sizes)} exceeds the pool of {pool.shape[0]} rows")
    X = jnp.asarray(X)
    dtype = X.dtype
    y = jnp.asarray(y, dtype)
    Z = loss.features(X)
    Zp = loss.features(pool[: max(sizes)])
    n = Z.shape[0]
    tol = (1e-10 if dtype == jnp.float64 else 1e-5) if tol is None else tol
    total = n + jnp.asarray(sizes, dtype)
    if loss.quadratic:
        t = jnp.where(y > 0.5, loss.labels[1], loss.labels[0]).astype(dtype)
        G = Z.T @ Z
        b = Z.T @ t
        Gp = prefix_grams(Zp, sizes)
        bp = prefix_sums(loss.labels[1] * Zp, sizes)
        thetas = jax.vmap(fit_gram, in_axes=(0, 0, None))(
            (G + Gp) / total[:, None, None], (b + bp) / total[:, None], jnp.asarray(ridge, dtype)
        )
        ones = jnp.ones(len(sizes), bool)
        # Gradient check of the quadratic objective at the solution.
        grads = jax.vmap(lambda th, Gs, bs: jnp.max(jnp.abs(2 * (Gs @ th - bs) + 2 * ridge * th)))(
            thetas, (G + Gp) / total[:, None, None], (b + bp) / total[:, None]
        )
        finite = jnp.all(jnp.isfinite(thetas), axis=1)
        return FitResult(thetas, finite, ones.astype(int), grads, ~ones)
    Zall = jnp.concatenate([Z, Zp])
    yall = jnp.concatenate([y, jnp.ones(Zp.shape[0], dtype)])
    ridge = jnp.maximum(jnp.asarray(ridge, dtype), 1e-12)
    tol = jnp.asarray(tol, dtype)
    groups = _size_groups(sizes, n_buckets)
    theta = jnp.zeros(Z.shape[1], dtype)  # the warm start, passed from fit to fit and bucket to bucket
    results = []
    for group in groups:
        rows = n + max(group)  # static: pool rows beyond the bucket's largest prefix are never touched
        Zg, yg = Zall[:rows], yall[:rows]
        pool_index = jnp.arange(rows) - n  # negative on the real rows, which are always on
        Zgt = Zg.T if fast_kernels else None  # transposed once per bucket, not once per fit

        def step(theta0, s, Zg=Zg, yg=yg, pool_index=pool_index, Zgt=Zgt):
            w = (pool_index < s).astype(dtype) / (n + s).astype(dtype)
            res = _fit_newton(loss, Zg, yg, w, ridge, theta0, max_iter, tol, fast_kernels=fast_kernels, Zt=Zgt)
            return res.theta, res

        if len(group) == 1:
            theta, res = step(theta, jnp.asarray(group[0]))
            res = jax.tree_util.tree_map(lambda a: a[None], res)
        else:
            theta, res = jax.lax.scan(step, theta, jnp.asarray(group))
        results.append(res)
    if len(results) == 1:
        return results[0]
    return jax.tree_util.tree_map(lambda *a: jnp.concatenate(a), *results)


def _size_groups(sizes, n_buckets):
    """Split the candidate sizes, in their given order, into at most ``n_buckets`` consecutive runs of equal length."""
    k = max(1, min(int(n_buckets), len(sizes)))
    bounds = [round(i * len(sizes) / k) for i in range(k + 1)]
    return [list(sizes[a:b]) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def fit_prefixes(loss: Loss, X, y, pool, sizes, *, ridge=1e-8, max_iter: int = 100, tol=None, base_weights=None) -> FitResult:
    """Like :func:`fit_nested`, but ``sizes`` may be a traced integer array.

    Used where the candidate sizes are themselves data-dependent (TG-VTSS picks its
    grid from a test on the same data), so the whole selection can run under
    ``jit``/``vmap``. The pool has a static number of rows; size ``s`` switches on
    its first ``s`` rows (sizes above the pool are clipped to it). Real rows get
    ``base_weights`` (default 1), synthetic rows weight 1, and the objective is
    normalised by the total weight.

    * Quadratic loss: one masked Gram matrix per size (cost ``len(sizes)·m·p²``).
    * Logistic loss: ``lax.scan`` over sizes in the given order with warm starts.
    """
    X = jnp.asarray(X)
    dtype = X.dtype
    y = jnp.asarray(y, dtype)
    Z = loss.features(X)
    Zp = loss.features(jnp.asarray(pool, dtype))
    n, m = Z.shape[0], Zp.shape[0]
    w0 = jnp.ones(n, dtype) if base_weights is None else jnp.asarray(base_weights, dtype)
    sizes = jnp.clip(jnp.asarray(sizes), 0, m)
    tol = jnp.asarray((1e-10 if dtype == jnp.float64 else 1e-5) if tol is None else tol, dtype)
    ridge = jnp.asarray(ridge, dtype)
    on = (jnp.arange(m)[None, :] < sizes[:, None]).astype(dtype)  # (C, m)
    total = jnp.sum(w0) + jnp.sum(on, axis=1)
    if loss.quadratic:
        t = jnp.where(y > 0.5, loss.labels[1], loss.labels[0]).astype(dtype)
        G = weighted_gram(Z, w0)
        b = Z.T @ (w0 * t)
        Gp = jnp.einsum("cm,mi,mj->cij", on, Zp, Zp)
        bp = loss.labels[1] * on @ Zp
        grams = (G + Gp) / total[:, None, None]
        moms = (b + bp) / total[:, None]
        thetas = jax.vmap(fit_gram, in_axes=(0, 0, None))(grams, moms, ridge)
        grads = jnp.max(jnp.abs(2 * (jnp.einsum("cij,cj->ci", grams, thetas) - moms) + 2 * ridge * thetas), axis=1)
        finite = jnp.all(jnp.isfinite(thetas), axis=1)
        c = sizes.shape[0]
        return FitResult(thetas, finite, jnp.ones(c, int), grads, jnp.zeros(c, bool))
    Zall = jnp.concatenate([Z, Zp])
    yall = jnp.concatenate([y, jnp.ones(m, dtype)])
    ridge = jnp.maximum(ridge, 1e-12)

    def step(theta0, args):
        mask, tot = args
        res = _fit_newton(loss, Zall, yall, jnp.concatenate([w0, mask]) / tot, ridge, theta0, max_iter, tol)
        return res.theta, res

    _, res = jax.lax.scan(step, jnp.zeros(Z.shape[1], dtype), (on, total))
    return res
