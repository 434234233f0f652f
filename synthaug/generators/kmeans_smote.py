r"""KMeans-SMOTE: SMOTE inside the sparse, minority-rich clusters (Douzas, Bacao & Last, 2018).

Douzas, Bacao & Last ("Improving imbalanced learning through a heuristic oversampling
method based on k-means and SMOTE", Information Sciences 465, 1-20, 2018) cluster the
whole input space, keep the clusters where the minority is well represented, give each
kept cluster a share of the synthetic rows that grows with its *sparsity*, and run SMOTE
within each kept cluster, so synthetic rows fill sparse minority regions and are not
generated in majority territory. synthaug's generator, all in JAX, for a minority ``X1``
(``n1`` rows) and a majority ``X0``:

1. **k-means** (:func:`kmeans`) on ``[X1; X0]``: ``n_clusters`` centres, k-means++
   initialisation (Arthur & Vassilvitskii, 2007: each new centre drawn with probability
   proportional to the squared distance to the nearest centre chosen so far), then Lloyd
   iterations until no centre moves by more than ``tol`` times the mean per-feature
   variance (squared) or ``max_iter`` iterations; an empty cluster keeps its centre. With
   ``n_init > 1`` the runs (vmapped over keys) are compared by inertia and the best kept.
   imbalanced-learn's default is scikit-learn's ``MiniBatchKMeans``; full-batch Lloyd on
   the same objective is what the paper describes.
2. **Filter.** A cluster is kept when its minority share is at least
   ``cluster_balance_threshold`` and it holds at least ``k + 1`` minority rows (so SMOTE
   has ``k`` neighbours inside it). The paper states the rule as an imbalance-ratio
   threshold, :math:`(\#\mathrm{maj} + 1)/(\#\mathrm{min} + 1) < \mathrm{irt}`; the share
   form is imbalanced-learn's. ``"auto"`` is imbalanced-learn's documented default: the
   class's share of all synthetic rows, halved (0.5 for a binary problem; the sampler
   computes the share when several classes are oversampled).
3. **Sparsity weights.** For a kept cluster :math:`c` with :math:`n_c` minority rows and
   mean pairwise Euclidean distance :math:`\bar d_c` between them, the density is
   :math:`n_c / \bar d_c^{\,e}` and the sparsity its inverse,
   :math:`s_c = \bar d_c^{\,e} / n_c`; cluster :math:`c` gets the share
   :math:`w_c = s_c / \sum s`. ``density_exponent`` gives :math:`e`; ``"auto"`` follows
   ``auto_exponent``:

   - ``"features"`` (default): :math:`e = 0.16\,(\log_{1.6} d)^{1.8}`, a function of the
     number of features ``d``, as imbalanced-learn's documentation describes ("a
     feature-length based exponent"; the paper's density uses the dimension as exponent);
   - ``"imblearn"``: :math:`e = 0.16\,(\log_{1.6} n_c)^{1.8}` with :math:`n_c` the cluster's
     minority row count, what imbalanced-learn 0.14's ``KMeansSMOTE`` computes. The two
     give different cluster weights, hence different generators.

   The weights are computed in log space (:math:`\log s_c = e \log\bar d_c - \log n_c`), so
   no power overflows.
4. **SMOTE in each cluster.** The ``n`` rows are split over the kept clusters by the
   largest-remainder rule (:func:`synthaug.generators.adasyn.largest_remainder_counts`:
   exactly ``n`` rows, :math:`|n_c^{syn} - n w_c| < 1`; imbalanced-learn rounds each
   :math:`n w_c` up, so its total can exceed ``n``), and each row is
   :math:`x_i + u (x_j - x_i)`, :math:`x_i` uniform among the cluster's minority rows,
   :math:`x_j` uniform among its ``k`` nearest minority rows *of the same cluster*,
   :math:`u \sim U(0, 1)`. Rows come grouped by cluster. With one cluster holding every
   minority row the draw is exactly :func:`synthaug.generators.basic.smote`'s (same key
   split, same neighbour table).

**No kept cluster**: ``fallback="raise"`` (default) raises :class:`NoValidClusterError`
(both a ``RuntimeError``, as imbalanced-learn raises, and a ``ValueError``), ``"skip"``
raises :class:`~synthaug.generators._neighbours.NoSeedRowsError` (a sampler skips the
class with a warning), ``"smote"`` runs plain SMOTE on the whole minority. Under
``jit``/``vmap`` the ``"smote"`` fallback is used.

The within-cluster neighbours and the mean distances come from one pass over the
minority's distance matrix, blocked (``jax.lax.map``) beyond 2**22 distances, so memory
stays bounded. :func:`kmeans_smote_from_labels` draws from given cluster labels (the
imbalanced-learn sampler uses it with a scikit-learn clusterer fitted on the host).
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.knn import DENSE_MAX_ELEMENTS, _smallest_k, auto_block_size, sq_distances
from synthaug.core.validation import check_int, check_real, is_concrete
from synthaug.generators._neighbours import NoSeedRowsError, check_fallback
from synthaug.generators.adasyn import largest_remainder_counts
from synthaug.generators.basic import Generator

__all__ = ["AUTO_EXPONENTS", "NoValidClusterError", "cluster_weights", "kmeans", "kmeans_smote",
           "kmeans_smote_from_labels", "kmeans_smote_with_parents"]

#: ``auto_exponent=`` values (what ``density_exponent="auto"`` means; see the module docstring).
AUTO_EXPONENTS = ("features", "imblearn")


class NoValidClusterError(RuntimeError, ValueError):
    """No cluster passed KMeans-SMOTE's filter (a ``RuntimeError`` as in imbalanced-learn, and a ``ValueError``)."""


# --------------------------------------------------------------------------- k-means


def _kmeanspp(key, X, n_clusters: int):
    """k-means++ centres: the first uniform, each next with probability ∝ squared distance to the chosen ones."""
    N = X.shape[0]
    keys = jax.random.split(key, n_clusters)
    first = X[jax.random.randint(keys[0], (), 0, N)]
    centres = jnp.zeros((n_clusters, X.shape[1]), X.dtype).at[0].set(first)
    d2 = jnp.sum((X - first) ** 2, axis=1)

    def body(c, state):
        centres, d2 = state
        cdf = jnp.cumsum(d2)
        total = cdf[-1]
        r = jax.random.uniform(keys[c], (), X.dtype)
        # all rows on the chosen centres (total 0): a uniform row
        idx = jnp.where(total > 0, jnp.searchsorted(cdf, r * total, side="right"), (r * N).astype(jnp.int32))
        x = X[jnp.minimum(idx, N - 1)]
        return centres.at[c].set(x), jnp.minimum(d2, jnp.sum((X - x) ** 2, axis=1))

    centres, _ = jax.lax.fori_loop(1, n_clusters, body, (centres, d2))
    return centres


def _assign(X, centres):
    d2 = sq_distances(X, centres)
    labels = jnp.argmin(d2, axis=1).astype(jnp.int32)
    return labels, jnp.sum(jnp.take_along_axis(d2, labels[:, None], axis=1))


def _lloyd(key, X, n_clusters: int, max_iter: int, tol):
    centres = _kmeanspp(key, X, n_clusters)
    threshold = tol * jnp.mean(jnp.var(X, axis=0))

    def step(centres):
        labels, _ = _assign(X, centres)
        one_hot = jax.nn.one_hot(labels, n_clusters, dtype=X.dtype)
        counts = jnp.sum(one_hot, axis=0)
        sums = one_hot.T @ X
        return jnp.where(counts[:, None] > 0, sums / jnp.maximum(counts, 1)[:, None], centres)

    def cond(state):
        i, _, shift = state
        return (i < max_iter) & (shift > threshold)

    def body(state):
        i, centres, _ = state
        new = step(centres)
        return i + 1, new, jnp.sum((new - centres) ** 2)

    _, centres, _ = jax.lax.while_loop(cond, body, (0, centres, jnp.asarray(jnp.inf, X.dtype)))
    labels, inertia = _assign(X, centres)
    return centres, labels, inertia


@partial(jax.jit, static_argnames=("n_clusters", "max_iter", "n_init"))
def kmeans(key, X, n_clusters: int = 8, max_iter: int = 100, tol=1e-4, n_init: int = 1):
    """k-means in JAX: k-means++ start, Lloyd iterations (see the module docstring).

    Parameters
    ----------
    key : jax.Array
        PRNG key (the k-means++ draws; split over the ``n_init`` runs).
    X : array of shape (N, d)
        Rows to cluster.
    n_clusters : int, default=8
        Number of clusters (static).
    max_iter : int, default=100
        Most Lloyd iterations per run.
    tol : float, default=1e-4
        Stop when the centres' total squared shift is at most ``tol`` times the mean
        per-feature variance of ``X``.
    n_init : int, default=1
        Runs from independent starts (vmapped); the one of least inertia is returned.

    Returns
    -------
    centres : array of shape (n_clusters, d)
    labels : array of int32, shape (N,)
    inertia : scalar
        Sum of squared distances of the rows to their centres.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug.generators.kmeans_smote import kmeans
    >>> X = np.r_[np.zeros((5, 2)), np.full((5, 2), 10.0)] + np.arange(10)[:, None] * 0.01
    >>> centres, labels, inertia = kmeans(jax.random.key(0), X, n_clusters=2)
    >>> len(set(np.asarray(labels[:5]).tolist())), bool(labels[0] != labels[9])
    (1, True)
    """
    X = jnp.asarray(X)
    keys = jax.random.split(key, n_init)
    centres, labels, inertia = jax.vmap(lambda k: _lloyd(k, X, n_clusters, max_iter, tol))(keys)
    best = jnp.argmin(inertia)
    return centres[best], labels[best], inertia[best]


# --------------------------------------------------------------------------- cluster filter and weights


def _within_cluster_pass(X1, labels_nb, labels_sum, k: int):
    """``(nbrs, row_sums)``: the k nearest minority rows of each row within its ``labels_nb`` cluster,
    and each row's summed Euclidean distance to the other minority rows of its ``labels_sum`` cluster."""
    n1 = X1.shape[0]
    cols = jnp.arange(n1)

    def block(args):
        Q, lab_nb, lab_sum, rows = args
        d2 = sq_distances(Q, X1)
        other = rows[:, None] != cols[None, :]
        same_sum = (lab_sum[:, None] == labels_sum[None, :]) & other
        row_sums = jnp.sum(jnp.where(same_sum, jnp.sqrt(d2), 0.0), axis=1)
        masked = jnp.where((lab_nb[:, None] == labels_nb[None, :]) & other, d2, jnp.inf)
        return _smallest_k(masked, k)[1], row_sums

    if n1 * n1 <= DENSE_MAX_ELEMENTS:
        return block((X1, labels_nb, labels_sum, cols))
    b = auto_block_size(n1, n1)
    pad = (-n1) % b
    Qp = jnp.concatenate([X1, jnp.zeros((pad, X1.shape[1]), X1.dtype)]).reshape(-1, b, X1.shape[1])
    # padding rows: label -1 (no cluster), row index n1 (no self match); their results are dropped
    lab_nb = jnp.concatenate([labels_nb, jnp.full(pad, -1, labels_nb.dtype)]).reshape(-1, b)
    lab_sum = jnp.concatenate([labels_sum, jnp.full(pad, -1, labels_sum.dtype)]).reshape(-1, b)
    rows = jnp.concatenate([cols, jnp.full(pad, n1, cols.dtype)]).reshape(-1, b)
    nbrs, sums = jax.lax.map(block, (Qp, lab_nb, lab_sum, rows))
    return nbrs.reshape(-1, k)[:n1], sums.reshape(-1)[:n1]


def _log_exponent(rule: str, d: int, n_minority, dtype):
    if rule == "features":
        e = 0.16 * (math.log(d) / math.log(1.6)) ** 1.8 if d > 1 else 0.0
        return jnp.full(n_minority.shape, e, dtype)
    return 0.16 * (jnp.log(jnp.maximum(n_minority, 1).astype(dtype)) / math.log(1.6)) ** 1.8


def cluster_weights(X1, labels1, cluster_sizes, k: int, threshold, density_exponent=None,
                    auto_exponent: str = "features"):
    """``(valid, weights)``: which clusters pass the filter and their sparsity shares (see the module docstring).

    Parameters
    ----------
    X1 : array of shape (n1, d)
        Minority rows.
    labels1 : array of int, shape (n1,)
        Cluster of each minority row, in ``[0, n_clusters)``.
    cluster_sizes : array of int, shape (n_clusters,)
        Rows of all classes in each cluster.
    k : int
        SMOTE's neighbours: a kept cluster needs ``k + 1`` minority rows.
    threshold : float
        Smallest minority share of a kept cluster.
    density_exponent : float or None, default=None
        The exponent :math:`e`; ``None`` for the ``auto_exponent`` rule.
    auto_exponent : {"features", "imblearn"}, default="features"
        The rule for :math:`e` when ``density_exponent`` is None.

    Returns
    -------
    valid : array of bool, shape (n_clusters,)
    weights : array of shape (n_clusters,)
        Zero outside ``valid``; sums to 1 when any cluster is valid.
    """
    X1 = jnp.asarray(X1)
    labels1 = jnp.asarray(labels1, jnp.int32)
    valid, _ = _filter(labels1, jnp.asarray(cluster_sizes), k, threshold)
    _, sums = _within_cluster_pass(X1, labels1, labels1, 1)
    return valid, _weights(X1, labels1, valid, sums, density_exponent, auto_exponent)


def _filter(labels1, cluster_sizes, k, threshold):
    K = cluster_sizes.shape[0]
    n_min = jnp.zeros(K, jnp.int32).at[labels1].add(1)
    share = n_min / jnp.maximum(cluster_sizes, 1)
    return (cluster_sizes > 0) & (share >= threshold) & (n_min >= k + 1), n_min


def _weights(X1, labels1, valid, row_sums, density_exponent, auto_exponent):
    K = valid.shape[0]
    dtype = X1.dtype
    n_min = jnp.zeros(K, jnp.int32).at[labels1].add(1)
    pair_sum = jnp.zeros(K, dtype).at[labels1].add(row_sums)
    pairs = (n_min * (n_min - 1)).astype(dtype)
    mean_d = pair_sum / jnp.maximum(pairs, 1)
    if density_exponent is None:
        e = _log_exponent(auto_exponent, X1.shape[1], n_min, dtype)
    else:
        e = jnp.full(K, density_exponent, dtype)
    # log s_c = e log(mean distance) - log n_c; 0**0 = 1 as in imbalanced-learn
    log_mean = jnp.where(mean_d > 0, jnp.log(jnp.where(mean_d > 0, mean_d, 1.0)), -jnp.inf)
    log_pow = jnp.where(e == 0, 0.0, e * log_mean)
    log_s = jnp.where(valid, log_pow - jnp.log(jnp.maximum(n_min, 1).astype(dtype)), -jnp.inf)
    top = jnp.max(log_s)
    # every kept cluster with zero spread (duplicate rows): equal shares among the kept ones
    log_s = jnp.where(jnp.isfinite(top), log_s, jnp.where(valid, 0.0, -jnp.inf))
    top = jnp.max(log_s)
    w = jnp.where(valid, jnp.exp(log_s - jnp.where(jnp.isfinite(top), top, 0.0)), 0.0)
    return w / jnp.where(jnp.sum(w) > 0, jnp.sum(w), 1.0)


@partial(jax.jit, static_argnames=("n", "k", "auto_exponent", "host_table"))
def _draw_from_labels(key, X1, labels1, cluster_sizes, threshold, density_exponent, nbrs_given, n: int, k: int,
                      auto_exponent: str, host_table: bool):
    n1 = X1.shape[0]
    K = cluster_sizes.shape[0]
    valid, _ = _filter(labels1, cluster_sizes, k, threshold)
    any_valid = jnp.any(valid)
    # no kept cluster: plain SMOTE on the whole minority, as one cluster
    labels_eff = jnp.where(any_valid, labels1, 0)
    nbrs, sums = _within_cluster_pass(X1, labels_eff, labels1, k)
    if host_table:
        nbrs = nbrs_given
    w = _weights(X1, labels1, valid, sums, density_exponent, auto_exponent)
    w = jnp.where(any_valid, w, (jnp.arange(K) == 0).astype(w.dtype))
    counts = largest_remainder_counts(w, n)
    cl = jnp.repeat(jnp.arange(K), counts, total_repeat_length=n)
    size = jnp.zeros(K, jnp.int32).at[labels_eff].add(1)
    start = jnp.cumsum(size) - size
    order = jnp.argsort(labels_eff, stable=True)
    k_base, k_nb, k_u = jax.random.split(key, 3)
    i = order[start[cl] + jax.random.randint(k_base, (n,), 0, jnp.maximum(size[cl], 1))]
    j = nbrs[i, jax.random.randint(k_nb, (n,), 0, k)]
    u = jax.random.uniform(k_u, (n, 1), X1.dtype)
    return X1[i] + u * (X1[j] - X1[i]), i, j, u[:, 0], cl, valid, w, any_valid


_NO_CLUSTER = ("KMeans-SMOTE found no cluster with a minority share of at least {t:g} and at least k + 1 = {k1} "
               "minority rows among {K} clusters: lower cluster_balance_threshold, use more clusters, or "
               "fallback='smote'.")


def _check_options(fallback, auto_exponent, density_exponent):
    if auto_exponent not in AUTO_EXPONENTS:
        raise ValueError(f"auto_exponent must be one of {AUTO_EXPONENTS}; got {auto_exponent!r}")
    if density_exponent is not None and not (isinstance(density_exponent, str) and density_exponent == "auto"):
        density_exponent = check_real(density_exponent, "density_exponent")
    else:
        density_exponent = None
    return check_fallback(fallback), density_exponent


def _threshold(threshold):
    if isinstance(threshold, str) and threshold == "auto":
        return 0.5
    return check_real(threshold, "cluster_balance_threshold", allow_inf=True)


def kmeans_smote_from_labels(key, X1, labels1, cluster_sizes, n: int, k: int = 2, cluster_balance_threshold=0.5,
                             density_exponent="auto", auto_exponent: str = "features", fallback: str = "raise",
                             nbrs=None):
    """KMeans-SMOTE draws given cluster labels: ``(X_syn, i, j, u, cluster, valid, weights)``.

    Parameters
    ----------
    key : jax.Array
        PRNG key (split as :func:`synthaug.generators.basic.smote` splits it).
    X1 : array of shape (n1, d)
        Minority rows.
    labels1 : array of int, shape (n1,)
        Cluster of each minority row, in ``[0, n_clusters)``.
    cluster_sizes : array of int, shape (n_clusters,)
        Rows of all classes in each cluster.
    n : int
        Number of synthetic rows.
    k : int, default=2
        SMOTE's neighbours within a cluster.
    cluster_balance_threshold : float or "auto", default=0.5
        Smallest minority share of a kept cluster (``"auto"``: 0.5, the binary case).
    density_exponent : float or "auto", default="auto"
        The sparsity exponent (``"auto"``: the ``auto_exponent`` rule).
    auto_exponent : {"features", "imblearn"}, default="features"
        See the module docstring.
    fallback : {"raise", "skip", "smote"}, default="raise"
        What to do when no cluster is kept.
    nbrs : array of int, shape (n1, k), optional
        Within-cluster neighbour table (indices into ``X1``) computed elsewhere (the
        sampler's neighbour estimator); by default the exact JAX search.

    Returns
    -------
    tuple
        Synthetic rows (n, d); base rows ``i`` and partners ``j`` (indices into ``X1``);
        steps ``u``; the cluster of each row; the kept-cluster mask and the weights.
    """
    fallback, density_exponent = _check_options(fallback, auto_exponent, density_exponent)
    k = check_int(k, "k")
    t = _threshold(cluster_balance_threshold)
    X1 = jnp.asarray(X1)
    labels1 = jnp.asarray(labels1, jnp.int32)
    sizes = jnp.asarray(cluster_sizes, jnp.int32)
    if X1.shape[0] < 2:
        raise ValueError(f"KMeans-SMOTE needs at least 2 minority rows; got {X1.shape[0]}")
    kk = min(k, X1.shape[0] - 1)
    host = nbrs is not None
    table = jnp.asarray(nbrs, jnp.int32) if host else jnp.zeros((X1.shape[0], kk), jnp.int32)
    if host:
        kk = table.shape[1]
    e = jnp.asarray(0.0 if density_exponent is None else density_exponent, X1.dtype)
    out = _draw_from_labels(key, X1, labels1, sizes, jnp.asarray(t, X1.dtype),
                            None if density_exponent is None else e, table, n, kk, auto_exponent, host)
    if kk < k:  # fewer than k + 1 minority rows: no cluster qualifies (the fallback's SMOTE uses n1 - 1)
        out = out[:7] + (jnp.asarray(False),)
    any_valid = out[7]
    if fallback != "smote" and is_concrete(any_valid) and not bool(any_valid):
        message = _NO_CLUSTER.format(t=t, k1=k + 1, K=int(sizes.shape[0]))
        raise (NoSeedRowsError if fallback == "skip" else NoValidClusterError)(message)
    return out[:7]


def kmeans_smote_with_parents(key, X1, X0, n: int, k: int = 2, n_clusters: int = 8, cluster_balance_threshold=0.5,
                              density_exponent="auto", auto_exponent: str = "features", fallback: str = "raise",
                              max_iter: int = 100, n_init: int = 1):
    """KMeans-SMOTE draws with their parents: ``(X_syn, i, j, u, cluster, valid, weights)``; see :func:`kmeans_smote`.

    The key is split in two: one half clusters ``[X1; X0]`` (:func:`kmeans`), the other
    draws (:func:`kmeans_smote_from_labels`).
    """
    k_cluster, k_draw = jax.random.split(key)
    X1 = jnp.asarray(X1)
    Xall = jnp.concatenate([X1, jnp.asarray(X0, X1.dtype)])
    n_clusters = min(n_clusters, Xall.shape[0])
    _, labels, _ = kmeans(k_cluster, Xall, n_clusters, max_iter, 1e-4, n_init)
    sizes = jnp.zeros(n_clusters, jnp.int32).at[labels].add(1)
    return kmeans_smote_from_labels(k_draw, X1, labels[: X1.shape[0]], sizes, n, k, cluster_balance_threshold,
                                    density_exponent, auto_exponent, fallback)


def kmeans_smote(k: int = 2, n_clusters=None, cluster_balance_threshold="auto", density_exponent="auto",
                 auto_exponent: str = "features", fallback: str = "raise", name: str = "kmeans-smote") -> Generator:
    """KMeans-SMOTE generator (``uses_majority=True``, pure JAX); see the module docstring.

    Parameters
    ----------
    k : int, default=2
        SMOTE's neighbours within a cluster (imbalanced-learn's default ``k_neighbors``).
    n_clusters : int or None, default=None
        k-means clusters of all rows; ``None`` is 8 (the default of imbalanced-learn's
        ``MiniBatchKMeans``). Capped at the number of rows. k-means runs once
        (``n_init=1``) for at most 100 Lloyd iterations; :func:`kmeans_smote_with_parents`
        takes other values.
    cluster_balance_threshold : float or "auto", default="auto"
        Smallest minority share of a kept cluster; ``"auto"`` is 0.5 (imbalanced-learn's
        rule for one oversampled class).
    density_exponent : float or "auto", default="auto"
        The sparsity exponent; ``"auto"``: the ``auto_exponent`` rule.
    auto_exponent : {"features", "imblearn"}, default="features"
        See the module docstring.
    fallback : {"raise", "skip", "smote"}, default="raise"
        What to do when no cluster is kept.
    name : str, default="kmeans-smote"
        The generator's name.

    Returns
    -------
    Generator
        Needs ``k + 1`` minority rows; traceable.
    """
    k = check_int(k, "k")
    n_clusters = 8 if n_clusters is None else check_int(n_clusters, "n_clusters")
    _threshold(cluster_balance_threshold)
    fallback, _ = _check_options(fallback, auto_exponent, density_exponent)

    def fn(key, X1, n, X0):
        return kmeans_smote_with_parents(key, X1, X0, n, k, n_clusters, cluster_balance_threshold, density_exponent,
                                         auto_exponent, fallback)[0]

    return Generator(name, fn, min_rows=k + 1, uses_majority=True)
