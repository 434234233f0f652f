r"""SVM-SMOTE: borderline over-sampling around the support vectors (Nguyen, Cooper & Kamei, 2011).

Nguyen, Cooper & Kamei ("Borderline over-sampling for imbalanced data classification",
Int. J. Knowledge Engineering and Soft Data Paradigms 3(1), 4-21, 2011) approximate the
class border by the minority *support vectors* of an SVM trained on all rows, and grow
the minority class from them: where a support vector has few majority neighbours the
minority region is expanded by *extrapolation*, where it has many the border is
consolidated by *interpolation*. synthaug's generator, for a minority ``X1`` and a
majority ``X0``:

1. **SVM** (on the host). A scikit-learn ``SVC(C=C, kernel=kernel, gamma=gamma)`` (RBF
   kernel, ``gamma="scale"``: imbalanced-learn's default estimator) is fitted on
   ``[X1; X0]`` with labels minority/majority; its support vectors that are minority rows
   are the candidate seeds. This is the one step that is not JAX: training a kernel SVM
   is a quadratic programme that libsvm solves exactly and quickly, and a JAX solver
   would only approximate the same support set. The generator is therefore
   ``traceable=False``: under ``jit``/``vmap`` it runs on the host through
   :func:`jax.pure_callback` (see :class:`~synthaug.generators.basic.Generator`).
2. **Neighbour rules** (JAX, shared exact kNN of :mod:`synthaug.core.knn`). For each
   minority support vector, :math:`m'` is the number of majority rows among its ``m``
   nearest rows of ``[X1; X0]`` (itself excluded). :math:`m' = m`: *noise*, dropped (as
   in imbalanced-learn; the paper has no such filter, and without it an isolated minority
   row among majority rows would extrapolate into the majority region);
   :math:`m/2 \le m' < m`: *danger*; :math:`m' < m/2`: *safe*.
3. **Draws** (JAX). Every synthetic row is :math:`s + \lambda\,(x_j - s)` with :math:`s`
   a seed support vector drawn uniformly within its group and :math:`x_j` uniform among
   its ``k`` nearest other minority rows; :math:`\lambda = u` (interpolation) for a danger
   seed and :math:`\lambda = -\,\mathrm{out\_step}\cdot u` (extrapolation away from the
   neighbour, past the seed) for a safe one, :math:`u \sim U(0, 1)`.

**How many rows from each group** (``split``):

* ``"beta"`` (default, imbalanced-learn's rule): :math:`\lfloor f\,(n + 1)\rfloor` rows from
  the danger seeds, :math:`f \sim \mathrm{Beta}(10, 10)` drawn once per call, and the rest
  from the safe seeds. Where one group is empty synthaug draws all ``n`` rows from the
  other; imbalanced-learn then returns only that group's share (fewer rows than asked
  for), which would break the protocol's "exactly ``n`` rows".
* ``"uniform"``: the seed is uniform over all kept support vectors, so each group
  contributes in proportion to its size (every support vector gets the same expected
  number of rows).

**No seed** (every minority support vector is noise, or there is none): ``fallback="raise"``
(default) raises ``ValueError`` (imbalanced-learn raises the same), ``"skip"`` raises
:class:`~synthaug.generators._neighbours.NoSeedRowsError` (a sampler then skips the class
with a warning), ``"smote"`` seeds plain SMOTE from every minority row. Under ``jit``/``vmap``
(the host callback) the ``"smote"`` fallback is used.

:func:`svm_smote_from_tables` is the same draw given the support-vector mask and the
neighbour tables (the imbalanced-learn sampler
:class:`~synthaug.estimators.smote_variants.SVMSMOTESampler` builds them from its own SVM
and neighbour estimators on the host).
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.buckets import row_bucket
from synthaug.core.validation import check_int, check_real, is_concrete
from synthaug.generators._neighbours import (
    NoSeedRowsError,
    check_fallback,
    dense_fits,
    neighbours_in_all,
    neighbours_in_minority,
    padded_neighbours_in_all,
    padded_neighbours_in_minority,
)
from synthaug.generators.basic import PADDED_NO_SEED, PADDED_OK, Generator

__all__ = ["SPLITS", "svm_smote", "svm_smote_from_tables", "svm_smote_with_parents", "svm_support_mask"]

#: ``split=`` values: imbalanced-learn's Beta(10, 10) share of danger rows, or seeds uniform over all kept ones.
SPLITS = ("beta", "uniform")

_NOISE_MESSAGE = ("All minority support vectors are noise (all {m} nearest neighbours of each are majority "
                  "rows), or the SVM found none: SVM-SMOTE is not adapted to your dataset. Try another SMOTE "
                  "variant (e.g. Borderline-SMOTE or plain SMOTE), or fallback='smote'.")


def svm_support_mask(X1, X0, C: float = 1.0, kernel: str = "rbf", gamma="scale"):
    """Which minority rows are support vectors of an SVC fitted on ``[X1; X0]`` (host, scikit-learn).

    Returns
    -------
    ndarray of bool, shape (n1,)
    """
    from sklearn.svm import SVC  # the host step; imported on use, so importing synthaug loads no sklearn

    X1, X0 = np.asarray(X1, np.float64), np.asarray(X0, np.float64)
    n1 = X1.shape[0]
    y = np.r_[np.ones(n1, np.int8), np.zeros(X0.shape[0], np.int8)]
    svc = SVC(C=C, kernel=kernel, gamma=gamma).fit(np.concatenate([X1, X0]), y)
    mask = np.zeros(n1, bool)
    support = np.asarray(svc.support_)
    mask[support[support < n1]] = True
    return mask


def _groups(sv, n_maj, m: int):
    noise = n_maj >= m
    kept = sv & ~noise
    danger = kept & (2 * n_maj >= m)
    safe = kept & (2 * n_maj < m)
    return danger, safe


def _interpolate(key, X1, nn_k, danger, safe, n1, n, n_out: int, out_step, split: str):
    """Seeds, partners and steps of the SVM-SMOTE draw; ``n_out`` rows, the Beta share set by ``n``.

    Shared by the unpadded draw (``n_out = n``, ``n1 = len(X1)``) and the padded one (``n1``
    the real row count, ``n_out`` the bucket): the same operations in the same order, so
    the first ``n`` rows agree bit for bit. Seeds from every real row (plain SMOTE) when no
    support vector is kept. Returns ``(rows, seeds, partners, steps, any_kept)``.
    """
    k = nn_k.shape[1]
    n_danger, n_safe = jnp.sum(danger), jnp.sum(safe)
    any_kept = (n_danger + n_safe) > 0
    k_frac, k_seed, k_nb, k_u = jax.random.split(key, 4)
    if split == "beta":
        f = jax.random.beta(k_frac, 10.0, 10.0, dtype=X1.dtype)
        n_int = jnp.minimum(jnp.floor(f * (n + 1)).astype(jnp.int32), n)
        n_int = jnp.where(n_safe == 0, n, jnp.where(n_danger == 0, 0, n_int))
        from_danger = jnp.arange(n_out) < n_int
        cdf_d = jnp.cumsum(danger.astype(X1.dtype))
        cdf_s = jnp.cumsum(safe.astype(X1.dtype))
        r = jax.random.uniform(k_seed, (n_out,), X1.dtype)
        seed_d = jnp.searchsorted(cdf_d, r * cdf_d[-1], side="right")
        seed_s = jnp.searchsorted(cdf_s, r * cdf_s[-1], side="right")
        seeds = jnp.where(from_danger, seed_d, seed_s)
    else:
        cdf = jnp.cumsum((danger | safe).astype(X1.dtype))
        seeds = jnp.searchsorted(cdf, jax.random.uniform(k_seed, (n_out,), X1.dtype) * cdf[-1], side="right")
    # no kept support vector: plain SMOTE seeds (uniform on the minority, interpolation)
    uniform_seeds = jnp.minimum((jax.random.uniform(k_seed, (n_out,), X1.dtype) * n1).astype(jnp.int32), n1 - 1)
    seeds = jnp.where(any_kept, jnp.minimum(seeds, n1 - 1), uniform_seeds)
    j = nn_k[seeds, jax.random.randint(k_nb, (n_out,), 0, k)]
    u = jax.random.uniform(k_u, (n_out,), X1.dtype)
    step = jnp.where(danger[seeds] | ~any_kept, u, -out_step * u)
    Xs = X1[seeds]
    return Xs + step[:, None] * (X1[j] - Xs), seeds, j, step, any_kept


@partial(jax.jit, static_argnames=("n", "m", "split"))
def _draw_from_tables(key, X1, sv, n_maj, nn_k, out_step, n: int, m: int, split: str):
    """The draw given the tables; seeds from every row (plain SMOTE) when no support vector is kept."""
    danger, safe = _groups(sv, n_maj, m)
    rows, seeds, j, step, any_kept = _interpolate(key, X1, nn_k, danger, safe, X1.shape[0], n, n, out_step, split)
    return rows, seeds, j, step, danger, safe, any_kept


def _padded_draw(key, X1p, n1, X0p, n0, n, n_out: int, k: int, m: int, out_step: float, split: str, fallback: str,
                 support):
    """:func:`_draw_from_tables` with the JAX tables, on classes padded to row buckets (``Generator.padded_majority``).

    ``support`` is the host SVM's support mask over ``X1p`` (False on the padding). The
    padding is never a neighbour (+inf distances), never a support vector, hence never a
    danger or safe seed; the uniform fallback seeds draw among the ``n1`` real rows. All
    draws are prefix-stable, and the Beta share uses the requested ``n``, so the first
    ``n`` of the ``n_out`` rows are the unpadded draw.
    """
    b1 = X1p.shape[0]
    n_maj = jnp.sum(padded_neighbours_in_all(X1p, n1, X0p, n0, m) >= b1, axis=1)
    nn_k = padded_neighbours_in_minority(X1p, n1, k)
    sv = support & (jnp.arange(b1) < n1)
    danger, safe = _groups(sv, n_maj, m)
    rows, _, _, _, any_kept = _interpolate(key, X1p, nn_k, danger, safe, n1, n, n_out, out_step, split)
    failed = ~any_kept & (fallback != "smote")
    return {"rows": rows, "status": jnp.where(failed, PADDED_NO_SEED, PADDED_OK).astype(jnp.int32), "danger": danger,
            "safe": safe}


@partial(jax.jit, static_argnames=("m",))
def _majority_counts(X1, X0, m: int):
    return jnp.sum(neighbours_in_all(X1, X0, m) >= X1.shape[0], axis=1)


def _check_no_seed(sv, n_maj, m: int, fallback: str):
    """Raise for ``fallback`` "raise"/"skip" when no support vector survives the noise filter (concrete only)."""
    if fallback == "smote" or not is_concrete(sv, n_maj):
        return
    danger, safe = _groups(np.asarray(sv), np.asarray(n_maj), m)
    if not (danger.any() or safe.any()):
        raise (NoSeedRowsError if fallback == "skip" else ValueError)(_NOISE_MESSAGE.format(m=m))


def _check_options(out_step, fallback, split):
    out_step = check_real(out_step, "out_step", 0.0)
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; got {split!r}")
    return out_step, check_fallback(fallback)


def svm_smote_from_tables(key, X1, support, n_majority, nn_k, n: int, m: int, out_step: float = 0.5,
                          fallback: str = "raise", split: str = "beta"):
    """SVM-SMOTE draws from given tables: ``(X_syn, seed, j, step, danger, safe)``.

    Parameters
    ----------
    key : jax.Array
        PRNG key (split into the Beta share, the seeds, the neighbours and the steps).
    X1 : array of shape (n1, d)
        Minority rows.
    support : array of bool, shape (n1,)
        Which minority rows are support vectors of the SVM.
    n_majority : array of int, shape (n1,)
        Number of majority rows among the ``m`` nearest rows (all classes) of each
        minority row.
    nn_k : array of int, shape (n1, k)
        The ``k`` nearest other minority rows of each minority row (indices into ``X1``).
    n : int
        Number of synthetic rows.
    m : int
        The neighbourhood size behind ``n_majority`` (noise: ``n_majority == m``; danger:
        ``n_majority >= m / 2``).
    out_step, fallback, split
        As in :func:`svm_smote`.

    Returns
    -------
    tuple
        ``X_syn`` (n, d); ``seed`` and ``j`` (n,) indices into ``X1``; ``step`` (n,) the
        signed interpolation weights (negative: extrapolation); the ``danger`` and
        ``safe`` masks over ``X1``.
    """
    out_step, fallback = _check_options(out_step, fallback, split)
    X1 = jnp.asarray(X1)
    support, n_majority = jnp.asarray(support, bool), jnp.asarray(n_majority)
    _check_no_seed(support, n_majority, m, fallback)
    out = _draw_from_tables(key, X1, support, n_majority, jnp.asarray(nn_k), jnp.asarray(out_step, X1.dtype),
                            n, m, split)
    return out[:6]


def svm_smote_with_parents(key, X1, X0, n: int, k: int = 5, m: int = 10, out_step: float = 0.5,
                           fallback: str = "raise", split: str = "beta", C: float = 1.0, kernel: str = "rbf",
                           gamma="scale"):
    """SVM-SMOTE draws with their parents: ``(X_syn, seed, j, step, danger, safe)``; see :func:`svm_smote`.

    The SVM is fitted on the host (:func:`svm_support_mask`), so ``X1`` and ``X0`` must be
    concrete. The all-noise check comes before the ``k + 1`` minority-rows check, as in
    imbalanced-learn.
    """
    out_step, fallback = _check_options(out_step, fallback, split)
    X1, X0 = jnp.asarray(X1), jnp.asarray(X0, jnp.asarray(X1).dtype)
    n1, n0 = X1.shape[0], X0.shape[0]
    if n0 < 1:
        raise ValueError("SVM-SMOTE needs majority rows to train its SVM; X_majority is empty")
    if n1 + n0 < m + 1:
        raise ValueError(f"SVM-SMOTE with m={m} needs at least m + 1 = {m + 1} rows in all; got {n1 + n0}")
    sv = svm_support_mask(np.asarray(X1), np.asarray(X0), C, kernel, gamma)
    n_maj = _majority_counts(X1, X0, m)
    _check_no_seed(sv, n_maj, m, fallback)
    if n1 < k + 1:
        raise ValueError(f"SVM-SMOTE with k={k} needs at least k + 1 = {k + 1} minority rows; got {n1}")
    nn_k = neighbours_in_minority(X1, k)
    out = _draw_from_tables(key, X1, jnp.asarray(sv), n_maj, nn_k, jnp.asarray(out_step, X1.dtype), n, m, split)
    return out[:6]


def svm_smote(k: int = 5, m: int = 10, out_step: float = 0.5, fallback: str = "raise", split: str = "beta",
              name: str = "svm-smote") -> Generator:
    """SVM-SMOTE generator (``uses_majority=True``, host SVM: ``traceable=False``); see the module docstring.

    Parameters
    ----------
    k : int, default=5
        Interpolation partners: the ``k`` nearest other minority rows of a seed.
    m : int, default=10
        Neighbourhood (all rows) that classifies a support vector as noise, danger or safe.
    out_step : float, default=0.5
        Largest extrapolation step of a safe seed, >= 0 (imbalanced-learn's ``out_step``).
    fallback : {"raise", "skip", "smote"}, default="raise"
        What to do when no support vector is kept (see the module docstring).
    split : {"beta", "uniform"}, default="beta"
        Rows per group: imbalanced-learn's Beta(10, 10) share, or uniform seeds.
    name : str, default="svm-smote"
        The generator's name.

    Returns
    -------
    Generator
        Needs ``k + 1`` minority rows. The SVM is ``SVC(C=1, kernel="rbf", gamma="scale")``
        (imbalanced-learn's default); :func:`svm_smote_with_parents` takes other ``C``,
        ``kernel`` and ``gamma``, and the sampler any SVM estimator.
    """
    k = check_int(k, "k")
    m = check_int(m, "m")
    out_step, fallback = _check_options(out_step, fallback, split)

    def fn(key, X1, n, X0):
        return svm_smote_with_parents(key, X1, X0, n, k, m, out_step, fallback, split)[0]

    def padded_majority(key, X1p, n1, X0p, n0, n, n_out, support):
        return _padded_draw(key, X1p, n1, X0p, n0, n, n_out, k, m, out_step, split, fallback, support)

    def padded_check(n1, n0, n):
        # the errors of svm_smote_with_parents come in its order (the all-noise check before the
        # k + 1 minority rows): sizes it refuses run it unpadded, so that it raises them
        if n0 < 1 or n1 + n0 < m + 1 or n1 < k + 1:
            return False
        return dense_fits(row_bucket(n1), row_bucket(n0))

    def padded_error(n1, n0, n):
        return (NoSeedRowsError if fallback == "skip" else ValueError)(_NOISE_MESSAGE.format(m=m))

    def padded_tables(X1, X0):
        return {"support": svm_support_mask(X1, X0)}

    # The SVM is fitted on the host (padded_tables); the neighbour rules and draws are one bucketed program.
    return Generator(name, fn, min_rows=k + 1, uses_majority=True, traceable=False,
                     padded_majority=padded_majority if k >= 1 and m >= 1 else None, padded_check=padded_check,
                     padded_error=padded_error, padded_tables=padded_tables)
