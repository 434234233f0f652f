r"""Small dense symmetric linear algebra in plain XLA operations (no LAPACK custom calls).

Why this module exists. On CPU, ``jnp.linalg.eigh``, ``eigvalsh``, ``solve`` and
``cholesky`` lower to LAPACK custom calls. In jaxlib 0.10.x a *batched* call (any call
under ``vmap``) splits its batch over XLA's intra-op thread pool and blocks until the
pieces finish. When the program runs as many such calls concurrently as the pool has
threads (two on a 2-core machine), every pool thread waits for pieces that no free
thread can run, and the process hangs at 0 % CPU. We captured exactly this with gdb in
the ``bias-correction`` design at d = 10 (one pool thread in ``dsyevd`` from
``eigvalsh``, the other in ``dgetrf`` from ``solve``, both in
``jax::ParallelBatchMap``/``BlockingCounter::Wait``); pinning the process to one core
(a one-thread pool) made the same cell finish. Later jaxlib releases build this path out,
but 0.10.2 is the newest available here.

The functions below compute the same quantities with loops of element-wise operations
and small matrix products, which XLA runs without a thread-pool hand-off, so they cannot
take part in that deadlock. They are meant for the small matrices of this package
(a model's parameter count: tens, at most a few hundred) inside ``vmap``/``jit``:

* :func:`cholesky` — lower Cholesky factor :math:`L L^\top = A`, column by column
  (:math:`O(p^3)`); a non-positive pivot gives NaN in that column and after it, as
  LAPACK's ``potrf`` reports failure.
* :func:`cho_solve` / :func:`spd_solve` — forward and back substitution with that factor.
* :func:`eigh` — cyclic Jacobi eigenvalue algorithm (Golub & Van Loan, *Matrix
  Computations*, 4th ed., §8.5): sweeps of plane rotations, each zeroing one
  off-diagonal entry, until the off-diagonal Frobenius norm is at most
  :math:`\varepsilon\lVert A\rVert_F` (quadratic convergence; 6–10 sweeps for the sizes
  here) or ``max_sweeps`` is reached. Eigenvalues ascending, eigenvectors as columns,
  like ``jnp.linalg.eigh``. Jacobi is backward stable and its eigenvalues are accurate
  to :math:`O(\varepsilon\lVert A\rVert)`.
* :func:`eigvalsh` — the eigenvalues alone.

* :func:`platform_cholesky` / :func:`platform_cho_solve` / :func:`platform_spd_solve` — the functions to call in library
  code: the plain-XLA :func:`cholesky`/:func:`cho_solve` when the program is lowered for
  CPU, and XLA's own (LAPACK on CPU, cuSOLVER/cuBLAS on GPU) elsewhere, chosen per platform
  at lowering (``jax.lax.platform_dependent``), so a GPU run keeps the vendor kernels and a
  CPU run cannot deadlock, whatever the number of CPU devices.

All functions take one matrix; use ``jax.vmap`` for batches. They are jitted (compiled
once per shape when called eagerly, inlined when called inside another traced function). Symmetric input is
symmetrised (:math:`\tfrac12(A + A^\top)`) as ``jnp.linalg.eigh`` does.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import jax.scipy.linalg
import numpy as np

__all__ = ["cholesky", "cho_solve", "spd_solve", "platform_cholesky", "platform_cho_solve", "platform_spd_solve", "eigh", "eigvalsh"]


def _check_square(A):
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"expected one square matrix (use jax.vmap for batches); got shape {A.shape}")


@jax.jit
def cholesky(A):
    """Lower Cholesky factor of a symmetric positive definite matrix (NaN where it is not)."""
    A = jnp.asarray(A)
    _check_square(A)
    p = A.shape[0]
    idx = jnp.arange(p)

    def column(j, L):
        s = A[:, j] - L @ L[j]  # columns >= j of L are still zero
        d = jnp.sqrt(s[j])
        col = jnp.where(idx > j, s / d, 0.0)
        return L.at[:, j].set(col.at[j].set(d))

    return jax.lax.fori_loop(0, p, column, jnp.zeros_like(A))


@jax.jit
def cho_solve(L, b):
    r"""Solve :math:`L L^\top x = b` for a lower factor ``L``; ``b`` is a vector or a matrix of columns."""
    L = jnp.asarray(L)
    b = jnp.asarray(b)
    _check_square(L)
    p = L.shape[0]
    if b.shape[0] != p:
        raise ValueError(f"right-hand side has {b.shape[0]} rows, the factor is {p} x {p}")

    def forward(i, y):
        return y.at[i].set((b[i] - L[i] @ y) / L[i, i])

    y = jax.lax.fori_loop(0, p, forward, jnp.zeros_like(b))

    def backward(k, x):
        i = p - 1 - k
        return x.at[i].set((y[i] - L[:, i] @ x) / L[i, i])

    return jax.lax.fori_loop(0, p, backward, jnp.zeros_like(y))


@jax.jit
def spd_solve(A, b):
    """Solve ``A x = b`` for symmetric positive definite ``A`` (Cholesky); NaN if ``A`` is not."""
    return cho_solve(cholesky(A), b)


def _xla_cho_solve(L, b):
    return jax.scipy.linalg.cho_solve((L, True), b)


def platform_cholesky(A):
    r"""Lower Cholesky factor: :func:`cholesky` on CPU, ``jnp.linalg.cholesky`` on other platforms.

    On CPU the LAPACK kernel behind ``jnp.linalg.cholesky`` deadlocks in jaxlib 0.10 when
    it is batched (under ``vmap``) and several such calls run at once, as they do with
    several CPU devices (``synthaug.config.cpu_devices``): each device program waits in
    ``lapack_dpotrf`` for pieces of its batch that no free pool thread can run. The
    plain-XLA factor has no such hand-off. Elsewhere the vendor kernel is used. The two
    agree to rounding; a matrix that is not positive definite gives NaN in both.

    Parameters
    ----------
    A : array of shape (p, p)
        Symmetric positive definite matrix (one matrix; ``vmap`` for batches).

    Returns
    -------
    array of shape (p, p)
        ``L`` lower triangular with :math:`L L^\top = A`.

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> L = platform_cholesky(jnp.array([[4.0, 2.0], [2.0, 3.0]]))
    >>> bool(jnp.allclose(L @ L.T, jnp.array([[4.0, 2.0], [2.0, 3.0]])))
    True
    """
    return jax.lax.platform_dependent(A, cpu=cholesky, default=jnp.linalg.cholesky)


def platform_cho_solve(L, b):
    r"""Solve :math:`L L^\top x = b` with :func:`cho_solve` on CPU and XLA's triangular solves elsewhere.

    See :func:`platform_cholesky` for why the CPU path avoids the LAPACK custom calls.

    Parameters
    ----------
    L : array of shape (p, p)
        Lower Cholesky factor.
    b : array of shape (p,) or (p, k)
        Right-hand side(s).

    Returns
    -------
    array of the shape of ``b``

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> A = jnp.array([[4.0, 2.0], [2.0, 3.0]])
    >>> x = platform_cho_solve(platform_cholesky(A), jnp.array([1.0, 2.0]))
    >>> bool(jnp.allclose(A @ x, jnp.array([1.0, 2.0])))
    True
    """
    return jax.lax.platform_dependent(L, b, cpu=cho_solve, default=_xla_cho_solve)


def platform_spd_solve(A, b):
    """Solve ``A x = b`` for symmetric positive definite ``A``: :func:`platform_cho_solve` of :func:`platform_cholesky`.

    Parameters
    ----------
    A : array of shape (p, p)
        Symmetric positive definite matrix (NaN results where it is not).
    b : array of shape (p,) or (p, k)
        Right-hand side(s); ``jnp.eye(p)`` gives the inverse.

    Returns
    -------
    array of the shape of ``b``

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> A = jnp.array([[2.0, 1.0], [1.0, 2.0]])
    >>> bool(jnp.allclose(platform_spd_solve(A, jnp.eye(2)) @ A, jnp.eye(2), atol=1e-6))
    True
    """
    return platform_cho_solve(platform_cholesky(A), b)


@functools.lru_cache(maxsize=64)
def _pairs(p: int):
    i, j = np.triu_indices(p, k=1)  # row-cyclic order (0,1), (0,2), ..., (p-2,p-1)
    return i.astype(np.int32), j.astype(np.int32)


@functools.partial(jax.jit, static_argnames=("max_sweeps",))
def eigh(A, *, max_sweeps: int = 30):
    """Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi."""
    A = jnp.asarray(A)
    _check_square(A)
    p = A.shape[0]
    A = 0.5 * (A + A.T)
    V0 = jnp.eye(p, dtype=A.dtype)
    if p == 1:
        return jnp.diagonal(A), V0
    I, J = (jnp.asarray(x) for x in _pairs(p))
    eps = jnp.finfo(A.dtype).eps
    fro = jnp.sqrt(jnp.sum(A * A))
    offdiag = 1.0 - jnp.eye(p, dtype=A.dtype)

    def rotate(k, carry):
        M, V = carry
        i, j = I[k], J[k]
        aii, ajj, aij = M[i, i], M[j, j], M[i, j]
        zero = aij == 0.0
        tau = (ajj - aii) / (2.0 * jnp.where(zero, 1.0, aij))
        big = jnp.abs(tau) > min(1e150, float(np.sqrt(np.finfo(A.dtype).max)) / 4)  # tau**2 stays finite
        root = jnp.sqrt(1.0 + jnp.where(big, 0.0, tau) ** 2)
        t = jnp.where(big, 0.5 / tau, jnp.where(tau >= 0, 1.0, -1.0) / (jnp.abs(tau) + root))
        c = jnp.where(zero, 1.0, 1.0 / jnp.sqrt(1.0 + t * t))
        s = jnp.where(zero, 0.0, t * c)
        ci, cj = M[:, i], M[:, j]
        M = M.at[:, i].set(c * ci - s * cj).at[:, j].set(s * ci + c * cj)
        ri, rj = M[i, :], M[j, :]
        M = M.at[i, :].set(c * ri - s * rj).at[j, :].set(s * ri + c * rj)
        vi, vj = V[:, i], V[:, j]
        V = V.at[:, i].set(c * vi - s * vj).at[:, j].set(s * vi + c * vj)
        return M, V

    def off(M):
        return jnp.sqrt(jnp.sum((M * offdiag) ** 2))

    def cond(state):
        M, _, sweep = state
        return (sweep < max_sweeps) & (off(M) > eps * fro) & jnp.all(jnp.isfinite(M))

    def sweep(state):
        M, V, k = state
        M, V = jax.lax.fori_loop(0, I.shape[0], rotate, (M, V))
        return M, V, k + 1

    M, V, _ = jax.lax.while_loop(cond, sweep, (A, V0, jnp.asarray(0)))
    w = jnp.diagonal(M)
    order = jnp.argsort(w)
    return w[order], V[:, order]


@functools.partial(jax.jit, static_argnames=("max_sweeps",))
def eigvalsh(A, *, max_sweeps: int = 30):
    """Eigenvalues (ascending) of a symmetric matrix by cyclic Jacobi (see :func:`eigh`)."""
    return eigh(A, max_sweeps=max_sweeps)[0]
