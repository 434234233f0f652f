r"""Fidelity metrics: how close is a synthetic sample to the real one?

Every function takes the *real* sample first and the *synthetic* one second,
each a 2-D array (rows are observations, columns features, same columns in
both). Conventions, stated once here because libraries (SDMetrics, synthcity,
the papers' own code) disagree on them:

**Kernel two-sample statistic (MMD).** Gaussian kernel
:math:`k(a, b) = \exp(-\lVert a-b\rVert^2 / (2h^2))` with bandwidth :math:`h`
(a length, not a precision). The default ``bandwidth=None`` is the *median
heuristic*: :math:`h` = the median Euclidean distance over all distinct pairs
of the pooled sample :math:`X \cup Y` (Gretton et al., JMLR 2012). The
statistic is the **unbiased** U-statistic

.. math::

   \widehat{\mathrm{MMD}}^2_u = \frac{1}{n(n-1)}\sum_{i\ne j} k(x_i,x_j)
      + \frac{1}{m(m-1)}\sum_{i\ne j} k(y_i,y_j) - \frac{2}{nm}\sum_{i,j} k(x_i,y_j),

which can be slightly negative when the two laws are equal (its mean is 0
there). :func:`mmd_test` adds a permutation p-value
:math:`(1 + \#\{b : T_b \ge T\}) / (1 + B)` over ``B`` random relabellings of
the pooled sample (an exact-level test; the pooled median bandwidth is
permutation invariant, so it is computed once). The permutations are one
``vmap`` over keys and reduce to matrix–vector products with the pooled kernel
matrix, :math:`O((n+m)^2)` memory.

**Per-column distances.** :func:`wasserstein1` is the exact 1-D
Wasserstein-1 distance :math:`\int |F_X - F_Y|` between the two empirical
laws of each column (unequal sizes handled by the empirical CDFs, no padding);
:func:`ks_statistic` is the two-sample Kolmogorov–Smirnov statistic
:math:`\sup_t |F_X(t) - F_Y(t)|` per column. Both agree with
``scipy.stats.wasserstein_distance`` and ``scipy.stats.ks_2samp(...).statistic``.

**Detection AUC.** :func:`detection_auc` trains a classifier (default:
standardised logistic regression) to tell real (label 0) from synthetic (label
1) rows, with stratified K-fold cross-validation and class-balanced training
weights, and returns the mean out-of-fold ROC-AUC (``auc``: 0.5 means
indistinguishable, 1 perfectly detected) and the normalised form
``normalised = 2·|auc − 0.5|`` in [0, 1] (0 = indistinguishable). The absolute
value counts a systematically *inverted* classifier as detection too; this
differs from SDMetrics, which reports ``1 − (2·max(auc, 0.5) − 1)`` (1 =
indistinguishable), i.e. one minus our score with AUCs below 0.5 clipped.

**Manifold precision and recall** (Kynkäänniemi et al., NeurIPS 2019).
The real manifold is the union of balls around each real row with radius the
distance to its ``k``-th nearest other real row; *precision* is the fraction
of synthetic rows inside it (are synthetic rows realistic?), *recall* the
fraction of real rows inside the synthetic manifold built the same way (is the
real support covered?). :func:`precision_recall` also returns Naeem et al.'s
(ICML 2020) *coverage*: the fraction of real rows whose own ball contains at
least one synthetic row. Distances are Euclidean on the features as given:
standardise first if the columns have different scales.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.validation import check_features, check_int
from synthaug.core.knn import knn, sq_distances

__all__ = [
    "median_bandwidth",
    "mmd2_unbiased",
    "mmd_test",
    "MMDResult",
    "wasserstein1",
    "ks_statistic",
    "detection_auc",
    "DetectionResult",
    "precision_recall",
    "PrecisionRecall",
    "heldout_fidelity",
]


def _pair(X, Y, min_rows=1):
    X = check_features(X, "real", min_rows=min_rows)
    Y = check_features(Y, "synthetic", min_rows=min_rows)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"real and synthetic must have the same columns; got {X.shape[1]} and {Y.shape[1]}")
    dt = jnp.result_type(float)
    return jnp.asarray(X, dt), jnp.asarray(Y, dt)


def _pow2_scale(Z):
    """A power of two near ``max |Z|`` (1 for an all-zero ``Z``).

    Dividing by it is exact in binary floating point, so every kernel statistic computed
    on ``Z / s`` with bandwidth ``h / s`` is bit for bit the one computed on ``Z`` with
    ``h`` wherever the latter does not overflow, and stays finite where squared distances
    of ``Z`` itself would overflow (entries near 1e300) or underflow (near 1e-300).
    """
    top = jnp.max(jnp.abs(Z))
    top = jnp.where(jnp.isfinite(top) & (top > 0), top, jnp.ones_like(top))
    _, exponent = jnp.frexp(top)
    return jnp.ldexp(jnp.ones_like(top), exponent)


def _median_offdiag_dist(Z):
    """Median Euclidean distance over the distinct pairs i < j of the rows of Z (scale-safe)."""
    n = Z.shape[0]
    iu = jnp.triu_indices(n, 1)
    s = _pow2_scale(Z)
    Zs = Z / s
    return jnp.median(jnp.sqrt(sq_distances(Zs, Zs)[iu])) * s


def median_bandwidth(X, Y=None):
    """Median heuristic: the median pairwise Euclidean distance in the pooled sample X ∪ Y."""
    Z = jnp.asarray(X) if Y is None else jnp.concatenate([jnp.asarray(X), jnp.asarray(Y)])
    if Z.shape[0] < 2:
        raise ValueError("the median heuristic needs at least 2 pooled rows")
    return _jit_median_offdiag_dist(Z)


_jit_median_offdiag_dist = jax.jit(_median_offdiag_dist)


def _scaled_kernel(Z, h):
    """The zero-diagonal Gaussian kernel matrix of the rows of ``Z`` (scale-safe, see :func:`_pow2_scale`)."""
    s = _pow2_scale(Z)
    Zs = Z / s
    hs = h / s
    return _gauss(sq_distances(Zs, Zs), hs) * (1.0 - jnp.eye(Z.shape[0], dtype=Z.dtype))


def _gauss(d2, h):
    return jnp.exp(-d2 / (2.0 * h * h))


def _mmd2_from_kernel(K0, s):
    """Unbiased MMD² from the zero-diagonal pooled kernel ``K0`` and 0/1 membership ``s`` of X."""
    t = 1.0 - s
    n = jnp.sum(s)
    m = jnp.sum(t)
    Ks = K0 @ s
    Kt = K0 @ t
    return s @ Ks / (n * (n - 1)) + t @ Kt / (m * (m - 1)) - 2.0 * (s @ Kt) / (n * m)


@jax.jit
def _mmd2(X, Y, h):
    Z = jnp.concatenate([X, Y])
    K0 = _scaled_kernel(Z, h)
    s = (jnp.arange(Z.shape[0]) < X.shape[0]).astype(Z.dtype)
    return _mmd2_from_kernel(K0, s)


def mmd2_unbiased(X, Y, bandwidth=None):
    """Unbiased MMD² between the rows of ``X`` (real) and ``Y`` (synthetic); Gaussian kernel.

    ``bandwidth``: the kernel's :math:`h` (> 0), or None for the pooled median
    heuristic. Needs at least 2 rows in each sample.
    """
    X, Y = _pair(X, Y, min_rows=2)
    h = median_bandwidth(X, Y) if bandwidth is None else _check_bandwidth(bandwidth)
    return _mmd2(X, Y, jnp.asarray(h, X.dtype))


def _check_bandwidth(h):
    h = float(h)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"bandwidth must be a positive finite number; got {h}")
    return h


class MMDResult(NamedTuple):
    """``mmd2``: unbiased MMD²; ``p_value``: permutation p-value; ``bandwidth``: the h used."""

    mmd2: jax.Array
    p_value: jax.Array
    bandwidth: jax.Array


@partial(jax.jit, static_argnames=("n_x", "n_permutations"))
def _mmd_perm(key, Z, h, n_x: int, n_permutations: int):
    N = Z.shape[0]
    K0 = _scaled_kernel(Z, h)
    s0 = (jnp.arange(N) < n_x).astype(Z.dtype)
    stat = _mmd2_from_kernel(K0, s0)
    keys = jax.random.split(key, n_permutations)
    perm_s = jax.vmap(lambda k: jax.random.permutation(k, s0))(keys)
    perm_stats = jax.vmap(lambda s: _mmd2_from_kernel(K0, s))(perm_s)
    p = (1.0 + jnp.sum(perm_stats >= stat)) / (1.0 + n_permutations)
    return stat, p


def mmd_test(key, X, Y, bandwidth=None, n_permutations: int = 500) -> MMDResult:
    """Unbiased MMD² with a permutation p-value (see the module docstring).

    Parameters
    ----------
    key
        JAX PRNG key for the permutations.
    X, Y
        real and synthetic rows, each at least 2.
    bandwidth
        Gaussian kernel h, or None for the pooled median heuristic.
    n_permutations
        B ≥ 1 random relabellings; the smallest attainable
        p-value is 1/(B + 1).
    """
    X, Y = _pair(X, Y, min_rows=2)
    n_permutations = check_int(n_permutations, "n_permutations")
    h = median_bandwidth(X, Y) if bandwidth is None else _check_bandwidth(bandwidth)
    h = jnp.asarray(h, X.dtype)
    stat, p = _mmd_perm(key, jnp.concatenate([X, Y]), h, int(X.shape[0]), int(n_permutations))
    return MMDResult(stat, p, h)


def _ecdf_grid(x, y):
    """Sorted pooled values and both empirical CDFs evaluated there (right-continuous)."""
    xs, ys = jnp.sort(x), jnp.sort(y)
    grid = jnp.sort(jnp.concatenate([x, y]))
    fx = jnp.searchsorted(xs, grid, side="right").astype(x.dtype) / x.shape[0]
    fy = jnp.searchsorted(ys, grid, side="right").astype(x.dtype) / y.shape[0]
    return grid, fx, fy


@jax.jit
def _w1_cols(X, Y):
    def col(x, y):
        grid, fx, fy = _ecdf_grid(x, y)
        return jnp.sum(jnp.abs(fx - fy)[:-1] * jnp.diff(grid))

    return jax.vmap(col, in_axes=(1, 1))(X, Y)


@jax.jit
def _ks_cols(X, Y):
    def col(x, y):
        _, fx, fy = _ecdf_grid(x, y)
        return jnp.max(jnp.abs(fx - fy))

    return jax.vmap(col, in_axes=(1, 1))(X, Y)


def wasserstein1(X, Y):
    """Exact Wasserstein-1 distance between the empirical laws of each column, shape (d,)."""
    X, Y = _pair(X, Y)
    return _w1_cols(X, Y)


def ks_statistic(X, Y):
    """Two-sample Kolmogorov–Smirnov statistic per column, shape (d,)."""
    X, Y = _pair(X, Y)
    return _ks_cols(X, Y)


class DetectionResult(NamedTuple):
    """``auc``: mean out-of-fold ROC-AUC; ``normalised``: ``2·|auc − 0.5|``; ``fold_aucs``: per fold."""

    auc: float
    normalised: float
    fold_aucs: np.ndarray


def detection_auc(key, X, Y, classifier=None, n_splits: int = 5) -> DetectionResult:
    """Cross-validated real-vs-synthetic detection AUC (see the module docstring).

    Parameters
    ----------
    key
        JAX key; seeds the fold shuffle.
    X, Y
        real and synthetic rows.
    classifier
        a scikit-learn classifier with ``predict_proba`` or
        ``decision_function`` accepting ``sample_weight`` in ``fit``. The default
        (None) is standardised logistic regression, i.e. scikit-learn's
        ``make_pipeline(StandardScaler(), LogisticRegression())``, computed as one
        vectorised JAX program over the folds (:func:`_detection_program`: the same
        folds, the same penalised objective solved to convergence by damped Newton,
        the same tie-aware ROC-AUC), which is about a hundred times cheaper than the
        scikit-learn loop on small data. Training rows are weighted so both groups
        carry equal total weight.
    n_splits
        stratified folds (each group needs at least ``n_splits`` rows).
    """
    n_splits = check_int(n_splits, "n_splits", 2)
    X, Y = _pair(X, Y, min_rows=n_splits)
    seed = int(jax.random.randint(key, (), 0, 2**31 - 1))
    return _detection_seeded(seed, np.asarray(X), np.asarray(Y), classifier, n_splits)


def _detection_seeded(seed: int, X, Y, classifier, n_splits: int) -> DetectionResult:
    """:func:`detection_auc` with the fold shuffle's ``random_state`` given (``X``, ``Y`` checked NumPy arrays)."""
    from sklearn.model_selection import StratifiedKFold

    Z = np.concatenate([X, Y])
    lab = np.r_[np.zeros(X.shape[0], int), np.ones(Y.shape[0], int)]
    w = np.where(lab == 1, 0.5 / Y.shape[0], 0.5 / X.shape[0]) * Z.shape[0]
    splits = list(StratifiedKFold(int(n_splits), shuffle=True, random_state=seed).split(Z, lab))
    if classifier is None:
        train = np.zeros((len(splits), Z.shape[0]), Z.dtype)
        test = np.zeros((len(splits), Z.shape[0]), Z.dtype)
        for f, (tr, te) in enumerate(splits):
            train[f, tr] = 1.0
            test[f, te] = 1.0
        aucs = np.asarray(_detection_program(jnp.asarray(Z), jnp.asarray(lab, Z.dtype), jnp.asarray(w, Z.dtype),
                                             jnp.asarray(train), jnp.asarray(test)))
    else:
        from sklearn.base import clone
        from sklearn.metrics import roc_auc_score

        aucs = []
        for tr, te in splits:
            clf = clone(classifier)
            if hasattr(clf, "steps"):
                clf.fit(Z[tr], lab[tr], **{f"{clf.steps[-1][0]}__sample_weight": w[tr]})
            else:
                clf.fit(Z[tr], lab[tr], sample_weight=w[tr])
            score = clf.predict_proba(Z[te])[:, 1] if hasattr(clf, "predict_proba") else clf.decision_function(Z[te])
            aucs.append(roc_auc_score(lab[te], score))
        aucs = np.asarray(aucs, dtype=float)
    auc = float(np.mean(aucs))
    return DetectionResult(auc, 2.0 * abs(auc - 0.5), aucs)


_NEWTON_STEPS = 50
_STEP_SIZES = 0.5 ** np.arange(12)


def _standardised_logistic(Z, lab, s, train, C: float = 1.0):
    r"""Weights of ``StandardScaler`` + ``LogisticRegression(C)`` fitted on the rows with ``train == 1``.

    Minimises :math:`\sum_i t_i s_i \ell_i + \lVert\beta\rVert^2/(2C)` (the intercept
    unpenalised, as in scikit-learn) on the columns standardised by the training rows'
    mean and (population) standard deviation, by damped Newton: each step tries the
    step sizes :data:`_STEP_SIZES` at once and keeps the best, for
    :data:`_NEWTON_STEPS` steps (the objective is strictly convex: that is converged to
    rounding for the data sizes of a fidelity check). Returns ``(mean, scale, beta)``,
    ``beta`` with the intercept last.
    """
    nt = jnp.sum(train)
    mu = (train @ Z) / nt
    sd = jnp.sqrt((train @ (Z - mu) ** 2) / nt)
    sd = jnp.where(sd > 0, sd, 1.0)  # StandardScaler leaves constant columns unscaled
    F = jnp.concatenate([(Z - mu) / sd, jnp.ones((Z.shape[0], 1), Z.dtype)], axis=1)
    c = train * s
    pen = jnp.concatenate([jnp.full(Z.shape[1], 1.0 / C, Z.dtype), jnp.zeros(1, Z.dtype)])

    def objective(b):
        eta = F @ b
        return c @ (jax.nn.softplus(eta) - lab * eta) + 0.5 * jnp.sum(pen * b * b)

    def step(b, _):
        eta = F @ b
        p = jax.nn.sigmoid(eta)
        g = F.T @ (c * (p - lab)) + pen * b
        H = (F * (c * p * (1.0 - p))[:, None]).T @ F + jnp.diag(pen)
        H = H + 1e-12 * jnp.trace(H) * jnp.eye(H.shape[0], dtype=H.dtype)
        direction = jnp.linalg.solve(H, g)
        tries = b[None, :] - jnp.asarray(_STEP_SIZES, Z.dtype)[:, None] * direction[None, :]
        vals = jax.vmap(objective)(tries)
        best = jnp.argmin(vals)
        return jnp.where(vals[best] < objective(b), tries[best], b), None

    beta, _ = jax.lax.scan(step, jnp.zeros(F.shape[1], Z.dtype), None, length=_NEWTON_STEPS)
    return F, beta


def _masked_auc(score, lab, test):
    """ROC-AUC of ``score`` on the rows with ``test == 1`` (ties count 1/2, as ``roc_auc_score``)."""
    pos = test * lab
    neg = test * (1.0 - lab)
    diff = score[:, None] - score[None, :]  # (positive candidate, negative candidate)
    wins = (diff > 0).astype(score.dtype) + 0.5 * (diff == 0).astype(score.dtype)
    return pos @ wins @ neg / (jnp.sum(pos) * jnp.sum(neg))


@jax.jit
def _detection_program(Z, lab, s, train, test):
    """Out-of-fold AUCs of the default detection classifier, one per fold (vmapped over the fold masks)."""

    def one(tr, te):
        F, beta = _standardised_logistic(Z, lab, s, tr)
        return _masked_auc(F @ beta, lab, te)

    return jax.vmap(one)(train, test)


class PrecisionRecall(NamedTuple):
    """Manifold ``precision`` and ``recall`` (Kynkäänniemi et al. 2019) and ``coverage`` (Naeem et al. 2020)."""

    precision: jax.Array
    recall: jax.Array
    coverage: jax.Array


@partial(jax.jit, static_argnames=("k",))
def _prc(X, Y, k: int):
    rX = knn(X, k)[0][:, k - 1]  # squared radius: k-th nearest other real row
    rY = knn(Y, k)[0][:, k - 1]
    D = sq_distances(Y, X)  # (m, n)
    in_real = jnp.any(D <= rX[None, :], axis=1)  # synthetic row inside the real manifold
    in_syn = jnp.any(D <= rY[:, None], axis=0)  # real row inside the synthetic manifold
    covered = jnp.any(D <= rX[None, :], axis=0)  # real ball holds a synthetic row
    dt = X.dtype
    return PrecisionRecall(jnp.mean(in_real.astype(dt)), jnp.mean(in_syn.astype(dt)), jnp.mean(covered.astype(dt)))


def precision_recall(X, Y, k: int = 5) -> PrecisionRecall:
    """k-NN manifold precision, recall and coverage of synthetic ``Y`` against real ``X``.

    Each sample needs more than ``k`` rows. Memory is O(n·m) (one distance matrix).
    """
    k = check_int(k, "k")
    X, Y = _pair(X, Y)
    if min(X.shape[0], Y.shape[0]) <= k:
        raise ValueError(f"precision/recall with k={k} needs more than k rows in each sample; got {X.shape[0]} and {Y.shape[0]}")
    return _prc(X, Y, int(k))


#: Default cap on the held-out rows compared by :func:`heldout_fidelity` (memory and time bound).
MAX_COMPARED = 1000


@partial(jax.jit, static_argnames=("generator", "half", "n_held", "n_permutations", "k"))
def _heldout_program(generator, key, X1, X0, half: int, n_held: int, n_permutations: int, k: int):
    """The JAX part of :func:`heldout_fidelity` as one program: split, draw and every metric but detection.

    Returns the scalar metrics, the detection fold seed, whether the draw is finite, and
    the held-out and synthetic rows.
    """
    kp, kg, km, kd = jax.random.split(key, 4)
    perm = jax.random.permutation(kp, X1.shape[0])
    train, held = X1[perm[:half]], X1[perm[half:half + n_held]]
    syn = generator(kg, train, n_held, X_majority=X0)
    Z = jnp.concatenate([held, syn])
    h = _median_offdiag_dist(Z)
    mmd2, p = _mmd_perm.__wrapped__(km, Z, h, n_held, n_permutations)
    pr = _prc.__wrapped__(held, syn, k)
    out = {"mmd2": mmd2, "mmd_p_value": p,
           "wasserstein1_mean": jnp.mean(_w1_cols.__wrapped__(held, syn)),
           "ks_max": jnp.max(_ks_cols.__wrapped__(held, syn)),
           "precision": pr.precision, "recall": pr.recall, "coverage": pr.coverage}
    seed = jax.random.randint(kd, (), 0, 2**31 - 1)
    return out, seed, jnp.all(jnp.isfinite(syn)), held, syn


def heldout_fidelity(generator, key, X_minority, X_majority=None, *, n_permutations: int = 200, k: int = 5,
                     max_compared: int = MAX_COMPARED):
    """Fidelity of a generator: its synthetic rows against held-out real minority rows.

    A random half of ``X_minority`` trains the generator (with ``X_majority`` as the
    context a neighbourhood generator may use); it draws as many rows as the other half
    has (at most ``max_compared``: the first ``max_compared`` held-out rows of the random
    order are compared), and the two samples are compared by every metric of this
    module: the unbiased MMD² with the median-heuristic bandwidth and its permutation
    p-value, the mean per-column Wasserstein-1 and the largest per-column KS statistic,
    the detection AUC (the default standardised logistic regression,
    :func:`detection_auc`) and its normalised form, and manifold precision, recall and
    coverage. This is the fidelity block of :func:`synthaug.diagnosis.diagnose` (the
    diagnosis of Ma & Zhang, arXiv 2601.16120), reported next to the GQS.

    Everything but the detection folds runs as one compiled program per data shape
    (:func:`_heldout_program`), and the detection AUC as a second one
    (:func:`_detection_program`), so the block costs two compilations, both kept by the
    persistent compilation cache.

    Parameters
    ----------
    generator : Generator
        A generator of :mod:`synthaug.generators`.
    key : jax.Array
        PRNG key (split into the half-split, the draw, the permutations and the folds).
    X_minority : array-like of shape (n1, d)
        The real minority rows.
    X_majority : array-like of shape (n0, d), default=None
        The majority rows passed to the generator as context.
    n_permutations : int, default=200
        Permutations of the MMD test.
    k : int, default=5
        Neighbours of the manifold metrics (lowered to the compared size minus one).
    max_compared : int, default=1000
        Cap on the held-out (and synthetic) rows compared. The MMD and the manifold
        metrics hold pairwise matrices of the compared rows, so the cap bounds memory
        (about ``40 * max_compared**2`` bytes in float64) and time whatever the data size.

    Returns
    -------
    dict or None
        ``mmd2``, ``mmd_p_value``, ``wasserstein1_mean``, ``ks_max``,
        ``detection_auc`` and ``detection_normalised`` (absent when the detection
        classifier cannot be cross-validated), ``precision``, ``recall``, ``coverage``
        and ``n_compared``; None when the minority is too small to split (each half
        needs 6 rows, and the training half the generator's ``min_rows``).

    Raises
    ------
    ValueError
        When the generator draws non-finite rows, or for an invalid option.
    """
    n_permutations = check_int(n_permutations, "n_permutations")
    k = check_int(k, "k")
    max_compared = check_int(max_compared, "max_compared", 6)
    X1 = np.asarray(X_minority)
    if not np.issubdtype(X1.dtype, np.floating):
        X1 = X1.astype(jnp.result_type(float))
    X1 = jax.device_put(X1)  # transfers only: no eager program
    n1 = X1.shape[0]
    half = n1 // 2
    if half < max(generator.min_rows, 6) or n1 - half < 6:
        return None
    n_held = min(n1 - half, int(max_compared))
    context = None if X_majority is None else jax.device_put(np.asarray(X_majority, X1.dtype))
    vals, seed, finite, held, syn = _heldout_program(generator, key, X1, context, half, n_held,
                                                     int(n_permutations), min(int(k), n_held - 1))
    vals, seed, finite = jax.device_get((vals, seed, finite))
    if not bool(finite):
        from synthaug.core.validation import check_finite_output

        check_finite_output(np.asarray(syn), f"generator {generator.name!r}")
    out = {key_: float(vals[key_]) for key_ in ("mmd2", "mmd_p_value", "wasserstein1_mean", "ks_max")}
    if n_held >= 5:  # the default 5 detection folds need 5 rows of each group
        det = _detection_seeded(int(seed), np.asarray(held), np.asarray(syn), None, 5)
        out["detection_auc"] = float(det.auc)
        out["detection_normalised"] = float(det.normalised)
    out.update(precision=float(vals["precision"]), recall=float(vals["recall"]), coverage=float(vals["coverage"]))
    out["n_compared"] = int(n_held)
    return out
