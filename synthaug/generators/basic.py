r"""Synthetic minority generators, one protocol for all.

A generator is a callable ``generator(key, X_minority, n) -> X_synthetic`` with
``X_minority`` of shape (n1, d), ``n`` a static Python int and output shape
(n, d). Methods that also look at the majority class (Borderline-SMOTE, ADASYN,
GK-SMOTE, …) declare ``uses_majority=True`` and are called as
``generator(key, X_minority, n, X_majority=X0)``; callers that hold the majority
(the diagnosis, VTSS, the bias correction) always pass it, and a generator that
does not use it ignores it. Generators are pure: the same key gives the same rows.
Each is a :class:`Generator` (a small frozen dataclass with a ``name``), built by a
factory:

======================= =====================================================================
``oracle(sample_p1)``   fresh draws from the true minority law :math:`P_1` (ignores the data)
``fixed(sample_q)``     draws from a fixed (possibly biased) law :math:`Q` (ignores the data)
``gaussian_fit(s)``     :math:`N(\bar x, S_s)`, :math:`S_s = (1-s)S + s\,(\mathrm{tr}\,S/d) I`
``semi_oracle(noise)``  :math:`\bar x + \xi` with :math:`\xi` from the *true* noise law
``smote(k)``            :math:`x_i + u (x_j - x_i)`, :math:`j` among the k NN of :math:`i`, :math:`u\sim U(0,1)`
``smote_global()``      SMOTE with :math:`k = n_1 - 1`, the neighbour drawn exactly (no kNN search)
``jitter(scale)``       bootstrap row plus :math:`N(0, \mathrm{scale}^2)` noise per coordinate
``random_oversampling`` bootstrap rows (sampling with replacement); ``bootstrap()`` is the same
                        generator under the name the bias-correction designs use
``shrink(c, noise)``    :math:`\bar x + c\,(x_I - \bar x) + \sigma\varepsilon`: a deliberately biased
                        contraction toward the sample mean
======================= =====================================================================

The name registry (:func:`~synthaug.generators.registry.make_generator`) is in
:mod:`synthaug.generators.registry`; the smoothed bootstrap (a kernel density estimate)
is :mod:`synthaug.generators.kde`, not ``bootstrap()``.

The shift ψ = R_Q − R1 each one induces, and whether it vanishes, is what the
theory of Ma & Zhang (arXiv 2601.16120, §2.2) is about: the oracle has
:math:`g_\psi = 0`; fitted generators have a random :math:`g_\psi` of order
:math:`n_1^{-1/2}` (or a bias that does not vanish, e.g. SMOTE's variance
contraction at fixed k, Gaussian-fit shrinkage); ``fixed`` has a constant one.

**Nested pools.** Curves over the synthetic size ñ must be coupled: draw the
largest size once (:func:`nested_pool`) and use prefixes for each candidate
(:func:`prefix_weights` turns sizes into 0/1 row weights over the pool, so all
candidates are fitted by one vmapped weighted fit).
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from synthaug._deprecations import deprecated_aliases
from synthaug.core.buckets import (
    draw_size,
    masked_cov,
    masked_mean,
    masked_std,
    pad_rows_host,
    row_bucket,
)
from synthaug.config import in_entry_point
from synthaug.core.knn import _smallest_k, default_block_size, knn, sq_distances
from synthaug.core.linalg import platform_cholesky
from synthaug.core.programs import evict as evict_programs
from synthaug.core.validation import (
    check_allocation,
    check_features,
    check_finite_output,
    check_int,
    check_key,
    check_magnitudes,
    check_bool,
    check_real,
    check_size,
    is_concrete,
)


# The registry moved to synthaug.generators.registry (one home of the names and the cache).
__getattr__ = deprecated_aliases(
    __name__,
    {name: f"synthaug.generators.registry:{name}" for name in ("GENERATOR_NAMES", "GENERATOR_FACTORIES", "make_generator")},
)


@dataclasses.dataclass(frozen=True, eq=False)
class Generator:
    """A named generator ``(key, X_minority, n[, X_majority]) -> X_synthetic``.

    Attributes
    ----------
    name
        short name (used in records and error messages).
    fn
        ``fn(key, X_minority, n)``, or ``fn(key, X_minority, n, X_majority)``
        when ``uses_majority``.
    min_rows
        the smallest minority sample the method accepts.
    uses_majority
        the method needs the majority rows too.
    traceable
        ``fn`` runs under ``jit``/``vmap``. A generator that needs concrete
        arrays (e.g. Python-side early stopping) sets False; called on traced inputs it
        then runs on the host through :func:`jax.pure_callback` (one call per
        vmapped instance), so it still works inside the diagnosis and the designs.
    padded
        Optional ``padded(key, X_padded, n_valid, n_out) -> (n_out, d)``: the same
        method on a minority padded with zero rows to a bucket size
        (:func:`synthaug.core.buckets.row_bucket`), of which only the first ``n_valid``
        (traced) rows are real, drawing ``n_out`` (static) rows. Its first ``n`` rows
        must equal ``fn(key, X, n)`` for every ``n <= n_out`` (the draws are
        prefix-stable under JAX's partitionable Threefry) and the padding rows must
        never be drawn or enter a statistic. A concrete call (arrays, not tracers)
        uses it, jitted once per ``(generator, row bucket, size bucket)``: the folds
        of a cross-validation, whose sizes differ by a few rows, share one compiled
        program instead of compiling one per fold. Traced calls (inside the
        diagnosis and the designs, which bucket their own shapes) use ``fn``.
    padded_max_rows
        Largest minority for which ``padded`` is used (``None``: any size). The
        kNN-based generators stop at 2048 rows, where ``fn`` switches to the
        memory-bounded blocked kNN (and one compilation per shape is paid back by
        the work anyway).
    padded_majority
        The bucketed form of a generator that uses the majority (``uses_majority``):
        ``padded_majority(key, X1p, n1, X0p, n0, n, n_out) -> dict`` with both classes
        padded with zero rows to their row buckets, ``n1``/``n0`` (traced) the real rows
        of each, ``n`` (traced) the requested size and ``n_out`` (static) the rows drawn.
        The dict holds ``"rows"`` (n_out, d), whose first ``n`` rows must equal
        ``fn(key, X1, n, X0)``, ``"status"`` (an int32 scalar: :data:`PADDED_OK`,
        :data:`PADDED_NO_SEED` for the no-seed case that a ``fallback`` turns into an
        error, or :data:`PADDED_UNCERTIFIED` when the program cannot vouch that its
        result equals the unpadded one, and the unpadded ``fn`` then runs), and any
        per-minority-row arrays (length ``n1`` padded, e.g. a danger mask) the samplers
        record. Padding rows are never neighbours, never drawn and never counted.
    padded_check
        ``padded_check(n1, n0, n) -> bool``: raises the size errors ``fn`` raises for ``n1``
        minority and ``n0`` majority rows and ``n`` synthetic ones (the bucketed call skips ``fn``), and says
        whether ``padded_majority`` is used at these sizes (the kNN generators: while the
        dense all-rows kNN of the row buckets holds, at most 2**22 distances; beyond it
        ``fn`` runs the blocked kNN unpadded). ``None``: always used.
    padded_error
        ``padded_error(n1, n0, n) -> Exception``: what a concrete call raises when
        ``padded_majority`` returns :data:`PADDED_NO_SEED` (the error ``fn`` raises).
    padded_tables
        ``padded_tables(X1, X0) -> dict`` of per-minority-row NumPy arrays computed on the
        host before the program (SVM-SMOTE's support vectors: the SVM is fitted by
        scikit-learn); each is padded with zeros (False) to the minority's bucket and
        passed to ``padded_majority`` as a keyword argument. ``None``: no host tables.
    """

    name: str
    fn: Callable
    min_rows: int = 1
    uses_majority: bool = False
    traceable: bool = True
    padded: Callable | None = None
    padded_max_rows: int | None = None
    padded_majority: Callable | None = None
    padded_check: Callable | None = None
    padded_error: Callable | None = None
    padded_tables: Callable | None = None

    def __call__(self, key, X_minority, n: int, X_majority=None):
        return self._call(key, X_minority, n, X_majority, host=False)

    def host_rows(self, key, X_minority, n: int, X_majority=None) -> np.ndarray:
        """The rows of ``self(key, X_minority, n, X_majority)`` as a NumPy array, for concrete inputs.

        The samplers' ``fit_resample`` uses it: on the bucketed path the rows stay in the
        host buffer the program wrote (no copy back into a new device array), which keeps
        a sampler's peak memory down by the size of its output.
        """
        return np.asarray(self._call(key, X_minority, n, X_majority, host=True))

    def _call(self, key, X_minority, n, X_majority, host: bool):
        n = check_size(n, "n")
        check_key(key)
        concrete = is_concrete(key, X_minority, X_majority)
        X_host = None  # the concrete rows on the host: checked and padded there, sent to the device once
        if concrete:
            check_features(X_minority, "X_minority", min_rows=self.min_rows)
            X_host = np.asarray(X_minority)
            if not np.issubdtype(X_host.dtype, np.floating):
                X_host = X_host.astype(jnp.result_type(float))
            # jax.device_put, not jnp.asarray: the latter compiles a copy program for every new shape
            X_minority = jax.device_put(X_host)
        else:
            X_minority = jnp.asarray(X_minority)
            if not jnp.issubdtype(X_minority.dtype, jnp.floating):
                X_minority = X_minority.astype(jnp.result_type(float))
        # One shared size check, before anything is allocated (the samplers call this too).
        check_allocation(n, X_minority.shape[-1], "n (synthetic rows)", itemsize=X_minority.dtype.itemsize)
        if not self.traceable and not concrete:
            return self._host_call(key, X_minority, n, X_majority)
        if concrete:
            check_magnitudes(X_host, "X_minority")
        if X_minority.shape[0] < self.min_rows:
            raise ValueError(
                f"generator {self.name!r} needs at least {self.min_rows} minority rows; got {X_minority.shape[0]}"
            )
        if not self.uses_majority:
            if concrete and self.padded is not None and (
                    self.padded_max_rows is None or row_bucket(X_minority.shape[0]) <= self.padded_max_rows):
                return self._checked(_bucketed_call(self, key, X_host, n, host), concrete)
            return self._checked(self.fn(key, X_minority, n), concrete)
        if X_majority is None:
            raise ValueError(f"generator {self.name!r} needs the majority rows: pass X_majority")
        X0_host = None
        if concrete:
            check_features(X_majority, "X_majority")
            check_magnitudes(X_majority, "X_majority")
            X0_host = np.asarray(X_majority, X_minority.dtype)
            X_majority = jax.device_put(X0_host)
        else:
            X_majority = jnp.asarray(X_majority, X_minority.dtype)
        if X_majority.ndim != 2 or X_majority.shape[1] != X_minority.shape[1]:
            raise ValueError(
                f"X_majority must have {X_minority.shape[1]} columns like X_minority; got shape {X_majority.shape}"
            )
        if concrete and self.bucketed_majority(X_minority.shape[0], X_majority.shape[0], n):
            out = _bucketed_majority_call(self, key, X_host, n, X0_host, host)
            if out is not None:
                return self._checked(out[0], concrete)
        return self._checked(self.fn(key, X_minority, n, X_majority), concrete)

    def bucketed_majority(self, n1: int, n0: int, n: int) -> bool:
        """Whether a concrete call with ``n1`` minority, ``n0`` majority rows and ``n`` synthetic ones runs ``padded_majority``.

        Raises
        ------
        ValueError
            The size errors of ``fn`` (through ``padded_check``).
        """
        return self.uses_majority and self.padded_majority is not None and (
            self.padded_check is None or bool(self.padded_check(int(n1), int(n0), int(n))))

    def _checked(self, out, concrete: bool):
        """``out``, refused with a ValueError when a concrete call produced non-finite rows.

        Traced calls (inside ``jit``/``vmap``) are checked by their callers on the host:
        :func:`finite_flag` is the flag they return with the rows."""
        if concrete and is_concrete(out):
            check_finite_output(out, f"generator {self.name!r}")
            if not in_entry_point():  # a direct call: keep the compiled programs within their bound
                evict_programs()
        return out

    def _host_call(self, key, X_minority, n, X_majority):
        X_minority = jnp.asarray(X_minority)
        if not jnp.issubdtype(X_minority.dtype, jnp.floating):
            X_minority = X_minority.astype(jnp.result_type(float))
        typed = jnp.issubdtype(jnp.asarray(key).dtype, jax.dtypes.prng_key)
        args = (jax.random.key_data(key) if typed else jnp.asarray(key), X_minority)
        if self.uses_majority:
            if X_majority is None:
                raise ValueError(f"generator {self.name!r} needs the majority rows: pass X_majority")
            args = args + (jnp.asarray(X_majority, X_minority.dtype),)
        impl = jax.random.key_impl(key) if typed else None

        dtype = X_minority.dtype

        def host(kd, x1, *x0):
            k = jax.random.wrap_key_data(np.asarray(kd), impl=impl) if typed else jnp.asarray(kd)
            out = self(k, np.asarray(x1), n, X_majority=np.asarray(x0[0]) if x0 else None)
            return host_encode(np.asarray(out, dtype=dtype))

        return pure_callback_rows(host, (n, X_minority.shape[1]), dtype, *args)

    def __repr__(self):
        return f"Generator({self.name!r})"


def host_encode(rows: np.ndarray) -> np.ndarray:
    """Host rows as the callback returns them: float64 as uint32 pairs (see :func:`pure_callback_rows`)."""
    rows = np.ascontiguousarray(rows)
    return rows.view(np.uint32).reshape(rows.shape + (2,)) if rows.dtype == np.float64 else rows


def pure_callback_rows(host, shape, dtype, *args):
    """``jax.pure_callback`` for a host function returning rows of ``dtype``, exact in float64.

    JAX canonicalises a callback's arguments and result under the 64-bit setting of the
    thread that runs it, which need not be the caller's: inside ``synthaug.config.x64()``
    (a thread-local setting) the host function would see float64 inputs as float32 (their
    precision lost) and a float64 result would fail ("Incorrect output dtype"). float64
    arrays therefore cross as pairs of uint32 words, which no canonicalisation touches:
    the arguments are bit-cast here and viewed back as float64 before ``host`` sees them,
    ``host`` returns :func:`host_encode` of its rows, and those are bit-cast back. ``host``
    also runs under the caller's 64-bit setting, so JAX code inside it computes in the
    caller's precision. The values are exact.
    """
    from synthaug.config import x64, x64_enabled

    dtype = jnp.dtype(dtype)
    wide = tuple(jnp.asarray(a).dtype == jnp.float64 for a in args)
    sent = [jax.lax.bitcast_convert_type(a, jnp.uint32) if w else a for a, w in zip(args, wide)]
    use_x64 = x64_enabled()

    def wrapped(*xs):
        xs = [np.ascontiguousarray(x).view(np.float64).reshape(np.shape(x)[:-1]) if w else x
              for x, w in zip(xs, wide)]
        with x64(use_x64):
            return host(*xs)

    if dtype == jnp.float64:
        spec = jax.ShapeDtypeStruct(tuple(shape) + (2,), jnp.uint32)
        words = jax.pure_callback(wrapped, spec, *sent, vmap_method="sequential")
        return jax.lax.bitcast_convert_type(words, jnp.float64)
    return jax.pure_callback(wrapped, jax.ShapeDtypeStruct(tuple(shape), dtype), *sent, vmap_method="sequential")


@partial(jax.jit, static_argnames=("generator", "n_out"))
def _padded_program(generator, key, X_padded, n_valid, n_out):
    return generator.padded(key, X_padded, n_valid, n_out)


def _bucketed_call(generator: Generator, key, X, n: int, host: bool = False):
    """``generator.fn(key, X, n)`` computed by ``generator.padded`` on bucketed shapes (see :class:`Generator`).

    The rows are padded on the host and the extra output rows dropped on the host, so no
    shape-specific program is compiled besides the one per bucket. ``host=True`` returns
    the NumPy view of the program's output (no copy).
    """
    X = np.asarray(X)
    if n == 0:
        empty = np.zeros((0, X.shape[1]), X.dtype)
        return empty if host else jax.device_put(empty)
    n1 = X.shape[0]
    Xp = pad_rows_host(X, row_bucket(n1))
    out = _padded_program(generator, key, Xp, np.int32(n1), draw_size(n))
    rows = np.asarray(out)[:n]
    return rows if host else jax.device_put(rows)


#: ``padded_majority`` statuses: the result stands; no seed row (the ``fallback`` decides);
#: the program cannot vouch for equality with the unpadded computation (run that instead).
PADDED_OK, PADDED_NO_SEED, PADDED_UNCERTIFIED = 0, 1, 2


@partial(jax.jit, static_argnames=("generator", "n_out"))
def _padded_majority_program(generator, key, X1p, n1, X0p, n0, n, n_out, tables):
    return generator.padded_majority(key, X1p, n1, X0p, n0, n, n_out, **tables)


def _bucketed_majority_call(generator: Generator, key, X1, n: int, X0, host: bool = False, tables=None):
    """``generator.fn(key, X1, n, X0)`` computed by ``generator.padded_majority`` on bucketed shapes.

    Both classes are padded on the host to their row buckets (:func:`row_bucket`), the
    program draws :func:`draw_size` rows and the extra rows are dropped on the host, so
    the folds of a cross-validation share one compiled program per pair of buckets.

    ``tables`` (per-minority-row host arrays, unpadded) replaces ``generator.padded_tables(X1, X0)``
    (a sampler that fitted its own SVM passes its support mask).

    Returns
    -------
    tuple or None
        ``(rows, extras)``: the ``n`` rows (NumPy when ``host``, else a device array) and
        the program's per-minority-row arrays cut to the ``n1`` real rows; ``None`` when
        the program returned :data:`PADDED_UNCERTIFIED` (the caller runs ``fn``).

    Raises
    ------
    Exception
        ``generator.padded_error(n1, n0, n)`` when the program found no seed row.
    """
    X1 = np.asarray(X1)
    if not np.issubdtype(X1.dtype, np.floating):
        X1 = X1.astype(jnp.result_type(float))
    X0 = np.asarray(X0, X1.dtype)
    n1, n0 = X1.shape[0], X0.shape[0]
    if tables is None:
        tables = generator.padded_tables(X1, X0) if generator.padded_tables is not None else {}
    b1 = row_bucket(n1)
    tables = {name: pad_rows_host(np.asarray(value), b1) for name, value in tables.items()}
    out = _padded_majority_program(generator, key, pad_rows_host(X1, b1), np.int32(n1),
                                   pad_rows_host(X0, row_bucket(n0)), np.int32(n0), np.int32(n), draw_size(max(n, 1)),
                                   tables)
    status = int(out["status"])
    if status == PADDED_UNCERTIFIED:
        return None
    if status == PADDED_NO_SEED:
        raise generator.padded_error(n1, n0, n)
    rows = np.asarray(out["rows"])[:n]
    extras = {name: np.asarray(value)[:n1] for name, value in out.items() if name not in ("rows", "status")}
    return (rows if host else jax.device_put(rows)), extras


def oracle(sample_p1: Callable, name: str = "oracle") -> Generator:
    """Fresh independent draws from the true minority law: ``sample_p1(key, n, dtype)``."""
    return Generator(name, lambda key, X, n: sample_p1(key, n, X.dtype))


def fixed(sample_q: Callable, name: str = "fixed") -> Generator:
    """Draws from a fixed law :math:`Q` that ignores the data: ``sample_q(key, n, dtype)``."""
    return Generator(name, lambda key, X, n: sample_q(key, n, X.dtype))


def gaussian_fit(shrinkage: float = 0.1, name: str = "gaussian") -> Generator:
    r"""Gaussian fit: sample mean and covariance, covariance shrunk toward a scaled identity.

    :math:`S_s = (1-s) S + s\,(\operatorname{tr} S / d)\,I` with :math:`s` = ``shrinkage``
    (the designs of Ma & Zhang use :math:`s = 0.1`); :math:`S` is the unbiased
    sample covariance. A relative jitter of 1e-10·tr(S)/d keeps the Cholesky
    factor defined when n1 ≤ d and ``shrinkage = 0``.
    """
    shrinkage = check_real(shrinkage, "shrinkage", 0.0, 1.0)

    def fn(key, X, n):
        d = X.shape[1]
        m = jnp.mean(X, axis=0)
        S = jnp.cov(X, rowvar=False).reshape(d, d)
        scale = jnp.trace(S) / d
        # the floor is the dtype's smallest normal number: 1e-300 is zero in float32, and the
        # Cholesky factor of identical rows (S = 0) would be NaN
        floor = jnp.finfo(X.dtype).tiny
        S = (1.0 - shrinkage) * S + (shrinkage * scale + 1e-10 * scale + floor) * jnp.eye(d, dtype=X.dtype)
        L = platform_cholesky(S)
        return m + jax.random.normal(key, (n, d), X.dtype) @ L.T

    def padded(key, Xp, n_valid, n_out):
        d = Xp.shape[1]
        m = masked_mean(Xp, n_valid)
        S = masked_cov(Xp, n_valid)
        scale = jnp.trace(S) / d
        floor = jnp.finfo(Xp.dtype).tiny
        S = (1.0 - shrinkage) * S + (shrinkage * scale + 1e-10 * scale + floor) * jnp.eye(d, dtype=Xp.dtype)
        return m + jax.random.normal(key, (n_out, d), Xp.dtype) @ platform_cholesky(S).T

    return Generator(name, fn, min_rows=2, padded=padded)


def semi_oracle(sample_noise: Callable, name: str = "semi-oracle") -> Generator:
    r"""Sample mean of the real minority plus noise from the *true* centred noise law.

    ``sample_noise(key, n, dtype)`` must draw the minority's centred noise
    :math:`\xi` (so :math:`P_1 = \mu_1 + \xi`); the generator is
    :math:`Q = \bar x_1 + \xi`, isolating the error of the estimated mean.
    """
    return Generator(name, lambda key, X, n: jnp.mean(X, axis=0) + sample_noise(key, n, X.dtype))


def smote_with_parents(key, X, n: int, k: int = 5):
    r"""SMOTE draws with their parents: ``(X_syn, i, j, u)``.

    For each synthetic row: a base row :math:`i` uniform on the minority, a
    neighbour :math:`j` uniform among the ``k`` nearest other minority rows of
    :math:`i` (exact kNN), :math:`u \sim U(0, 1)`, and
    :math:`\tilde x = x_i + u (x_j - x_i)` (Chawla et al., 2002).

    Neighbours come from the shared exact kNN (:func:`synthaug.core.knn.knn`):
    dense for small minorities (and inside ``vmap``), blocked beyond 2**22
    distances (:func:`synthaug.core.knn.default_block_size`), so memory stays
    bounded at any ``n1``. The draw is jitted per ``(n, k)`` and input shape.
    """
    n1 = X.shape[0]
    if k < 1:
        raise ValueError(f"SMOTE needs k >= 1; got {k}")
    if n1 < k + 1:
        raise ValueError(f"SMOTE with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    return _smote_draw(key, X, n, k)


@partial(jax.jit, static_argnames=("n", "k"))
def _smote_draw(key, X, n: int, k: int):
    n1 = X.shape[0]
    _, nbrs = knn(X, k, block_size=default_block_size(n1, n1))
    k_base, k_nb, k_u = jax.random.split(key, 3)
    i = jax.random.randint(k_base, (n,), 0, n1)
    j = nbrs[i, jax.random.randint(k_nb, (n,), 0, k)]
    u = jax.random.uniform(k_u, (n, 1), X.dtype)
    return X[i] + u * (X[j] - X[i]), i, j, u[:, 0]


def smote(k: int = 5, name: str = "smote") -> Generator:
    """SMOTE with ``k`` nearest neighbours (see :func:`smote_with_parents`)."""
    k = check_int(k, "k")

    def padded(key, Xp, n_valid, n_out):
        # the dense kNN of smote_with_parents, with the padding rows at distance +inf
        cols = jnp.arange(Xp.shape[0])
        d2 = sq_distances(Xp, Xp)
        d2 = jnp.where((cols[:, None] == cols[None, :]) | (cols[None, :] >= n_valid), jnp.inf, d2)
        _, nbrs = _smallest_k(d2, k)
        k_base, k_nb, k_u = jax.random.split(key, 3)
        i = jax.random.randint(k_base, (n_out,), 0, n_valid)
        j = nbrs[i, jax.random.randint(k_nb, (n_out,), 0, k)]
        u = jax.random.uniform(k_u, (n_out, 1), Xp.dtype)
        return Xp[i] + u * (Xp[j] - Xp[i])

    return Generator(name, lambda key, X, n: smote_with_parents(key, X, n, k)[0], min_rows=k + 1,
                     padded=padded if k >= 1 else None, padded_max_rows=_PADDED_KNN_MAX_ROWS)


#: Largest padded minority for the kNN generators' bucketed path: the dense kNN of
#: :func:`synthaug.core.knn.knn` (2**22 distances); beyond it the blocked kNN runs unpadded.
_PADDED_KNN_MAX_ROWS = 2048


def smote_global(name: str = "smote-global") -> Generator:
    r"""SMOTE with k = n1 − 1 (every other row is a neighbour), sampled directly.

    With k = n1 − 1 the neighbour of base row :math:`i` is uniform over the other rows, so
    :math:`j = (i + U\{1, n_1-1\}) \bmod n_1` draws it exactly without a kNN search
    (the same law as :func:`smote` with ``k = n1 - 1``).
    """

    def fn(key, X, n):
        n1 = X.shape[0]
        kb, kj, ku = jax.random.split(key, 3)
        i = jax.random.randint(kb, (n,), 0, n1)
        j = (i + jax.random.randint(kj, (n,), 1, n1)) % n1
        u = jax.random.uniform(ku, (n, 1), X.dtype)
        return X[i] + u * (X[j] - X[i])

    def padded(key, Xp, n_valid, n_out):
        kb, kj, ku = jax.random.split(key, 3)
        i = jax.random.randint(kb, (n_out,), 0, n_valid)
        j = (i + jax.random.randint(kj, (n_out,), 1, n_valid)) % n_valid
        u = jax.random.uniform(ku, (n_out, 1), Xp.dtype)
        return Xp[i] + u * (Xp[j] - Xp[i])

    return Generator(name, fn, min_rows=2, padded=padded)


def jitter(scale: float = 1.0, per_feature: bool = False, name: str = "jitter") -> Generator:
    r"""Bootstrap plus Gaussian noise: :math:`x_{I} + \sigma \varepsilon`.

    ``scale`` is :math:`\sigma` (an absolute standard deviation), or, with
    ``per_feature=True``, a multiplier of each feature's minority standard
    deviation.
    """
    scale = check_real(scale, "jitter scale", 0.0)
    per_feature = check_bool(per_feature, "per_feature")

    def fn(key, X, n):
        kb, kn = jax.random.split(key)
        idx = jax.random.randint(kb, (n,), 0, X.shape[0])
        sd = scale * (jnp.std(X, axis=0, ddof=1) if per_feature else 1.0)
        return X[idx] + sd * jax.random.normal(kn, (n, X.shape[1]), X.dtype)

    def padded(key, Xp, n_valid, n_out):
        kb, kn = jax.random.split(key)
        idx = jax.random.randint(kb, (n_out,), 0, n_valid)
        sd = scale * (masked_std(Xp, n_valid, ddof=1) if per_feature else 1.0)
        return Xp[idx] + sd * jax.random.normal(kn, (n_out, Xp.shape[1]), Xp.dtype)

    return Generator(name, fn, min_rows=2 if per_feature else 1, padded=padded)


def random_oversampling(name: str = "random") -> Generator:
    """Random oversampling: rows drawn with replacement from the minority."""

    def fn(key, X, n):
        return X[jax.random.randint(key, (n,), 0, X.shape[0])]

    def padded(key, Xp, n_valid, n_out):
        return Xp[jax.random.randint(key, (n_out,), 0, n_valid)]

    return Generator(name, fn, padded=padded)


def bootstrap(name: str = "bootstrap") -> Generator:
    r"""Random oversampling (:func:`random_oversampling`) under the name the bias-correction designs use.

    It is the "unbiased for fixed θ" reference there: for the paired bias estimate,
    :math:`E\hat\psi(\theta) = 0` exactly. (The *smoothed* bootstrap, rows plus kernel
    noise, is :func:`synthaug.generators.kde.smoothed_bootstrap`.)
    """
    return random_oversampling(name)


def shrink(c: float = 0.7, noise: float = 0.1, name: str = "shrink") -> Generator:
    r"""A deliberately biased contraction toward the sample mean.

    :math:`\tilde x = \bar x + c\,(x_I - \bar x) + \sigma\varepsilon` with :math:`x_I` a
    bootstrap row and :math:`\varepsilon \sim N(0, I)`. Its covariance is
    :math:`c^2\hat\Sigma + \sigma^2 I`: a systematic contraction that does not vanish as
    :math:`n_1` grows, which gives the bias-correction designs a clean naive plateau.

    Parameters
    ----------
    c : float, default=0.7
        Contraction factor in [0, 1] (1 with ``noise=0`` is random oversampling).
    noise : float, default=0.1
        Standard deviation :math:`\sigma` of the added Gaussian noise, >= 0.
    name : str, default="shrink"
        The generator's name.

    Returns
    -------
    Generator
        Needs one minority row; keys split into (bootstrap rows, noise).

    Raises
    ------
    ValueError
        If ``c`` is outside [0, 1] or ``noise`` is negative or not finite.
    """
    c = check_real(c, "c", 0.0, 1.0)
    noise = check_real(noise, "noise", 0.0)

    def fn(key, X, n):
        kb, kn = jax.random.split(key)
        m = jnp.mean(X, axis=0)
        idx = jax.random.randint(kb, (n,), 0, X.shape[0])
        return m + c * (X[idx] - m) + noise * jax.random.normal(kn, (n, X.shape[1]), X.dtype)

    def padded(key, Xp, n_valid, n_out):
        kb, kn = jax.random.split(key)
        m = masked_mean(Xp, n_valid)
        idx = jax.random.randint(kb, (n_out,), 0, n_valid)
        return m + c * (Xp[idx] - m) + noise * jax.random.normal(kn, (n_out, Xp.shape[1]), Xp.dtype)

    return Generator(name, fn, padded=padded)


def finite_flag(rows):
    """True where every value of ``rows`` is finite: the flag a traced caller returns with a
    generator's output so that its host-side facade can raise (:func:`Generator.__call__`
    raises itself on concrete calls)."""
    return jnp.all(jnp.isfinite(rows))


def nested_pool(generator: Generator, key, X_minority, sizes, X_majority=None):
    """Draw the largest candidate size once; every candidate uses a prefix.

    Returns ``(pool, weights)`` with ``pool`` of shape (max(sizes), d) and
    ``weights`` of shape (len(sizes), max(sizes)), the 0/1 prefix indicators from
    :func:`prefix_weights`.

    Examples
    --------
    >>> import jax
    >>> from synthaug import make_generator, nested_pool
    >>> X1 = jax.random.normal(jax.random.key(0), (10, 2))
    >>> pool, weights = nested_pool(make_generator("smote", k=3), jax.random.key(1), X1, [2, 5])
    >>> pool.shape, weights.shape
    ((5, 2), (2, 5))
    >>> weights.tolist()  # candidate size 2 uses the first two rows of the pool
    [[1.0, 1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0]]
    """
    sizes = [check_size(s, "synthetic size") for s in np.atleast_1d(np.asarray(sizes)).tolist()]
    m = max(sizes) if sizes else 0
    pool = generator(key, X_minority, m, X_majority=X_majority)
    return pool, prefix_weights(sizes, m, pool.dtype)


def prefix_weights(sizes, pool_size: int, dtype=None):
    """0/1 weights (len(sizes), pool_size): row j is on for size s iff j < s."""
    sizes = jnp.asarray(sizes)
    dtype = dtype or jnp.result_type(float)
    return (jnp.arange(pool_size)[None, :] < sizes[:, None]).astype(dtype)


#: Every public generator, factory and helper defined here (the package re-exports them all).
__all__ = [n for n, v in list(globals().items()) if getattr(v, "__module__", None) == __name__ and not n.startswith("_")]
