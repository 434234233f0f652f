r"""imbalanced-learn samplers for SVM-SMOTE and KMeans-SMOTE (drop-ins for ``SVMSMOTE`` / ``KMeansSMOTE``).

Both are :class:`~synthaug.estimators.base.GeneratorSampler` subclasses built like
:class:`~synthaug.estimators.oversamplers.BorderlineSMOTESampler`: imbalanced-learn's
parameter names and fitted attributes, neighbour estimators accepted in place of
integers, ``sampling_strategy`` / ``n_synthetic`` / ``gap_multiple``, pandas in → pandas
out. The draws are the pure-JAX functions of :mod:`synthaug.generators.svm_smote` and
:mod:`synthaug.generators.kmeans_smote`; only the SVM (and a scikit-learn clusterer or
neighbour estimator when one is given) runs on the host.

==================================  ===========================  ======================================
class                               generator (by name)          method
==================================  ===========================  ======================================
:class:`SVMSMOTESampler`            ``svm-smote``                Nguyen, Cooper & Kamei 2011
:class:`KMeansSMOTESampler`         ``kmeans-smote``             Douzas, Bacao & Last 2018
==================================  ===========================  ======================================
"""

from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp
import numpy as np
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import (
    GeneratorSampler,
    seed_from_random_state,
    set_params_from_init,
    warn_skipped_class,
)
from synthaug.estimators.oversamplers import _NEIGHBOURS, _is_int, neighbour_object
from synthaug.generators._neighbours import NoSeedRowsError, host_neighbours, neighbours_in_minority
from synthaug.generators.kmeans_smote import (
    AUTO_EXPONENTS,
    NoValidClusterError,
    _filter,
    kmeans,
    kmeans_smote_from_labels,
)
from synthaug.generators.basic import _bucketed_majority_call
from synthaug.generators.svm_smote import SPLITS, _check_no_seed, _majority_counts, svm_smote_from_tables

__all__ = ["SVMSMOTESampler", "KMeansSMOTESampler"]

_FALLBACKS = [StrOptions({"raise", "skip", "smote"})]


@fill_doc
class SVMSMOTESampler(GeneratorSampler):
    """SVM-SMOTE over-sampler (:mod:`synthaug.generators.svm_smote`).

    The minority support vectors of an SVM seed the synthetic rows: those with many
    majority neighbours (danger) interpolate towards minority neighbours, those with few
    (safe) extrapolate away from them, so the minority region grows towards the class
    border (Nguyen, Cooper & Kamei, 2011). A drop-in for imbalanced-learn's ``SVMSMOTE``.

    Parameters
    ----------
    {k_neighbors}

    m_neighbors : int or object, default=10
        Number of nearest neighbours among all rows that classify a support vector as
        noise (all majority: dropped), danger (at least half majority) or safe; or a
        neighbour estimator, used as for ``k_neighbors`` (fitted on all rows, first
        neighbour dropped). The fitted copy is ``nn_m_``.

    svm_estimator : estimator object or None, default=None
        The SVM whose support vectors seed the rows: any classifier exposing a fitted
        ``support_`` attribute (``RuntimeError`` otherwise, as in imbalanced-learn);
        ``None`` is ``sklearn.svm.SVC(gamma="scale", random_state=random_state)``. It is
        cloned and fitted on the host on all rows and labels (all classes at once, as
        imbalanced-learn does). The fitted copy is ``svm_estimator_``.

    out_step : float, default=0.5
        Largest extrapolation step of a safe support vector, >= 0: its rows are
        :math:`s - \\mathrm{out\\_step}\\,u\\,(x_j - s)`, :math:`u \\sim U(0, 1)`.

    fallback : {"raise", "skip", "smote"}, default="raise"
        What to do for a class whose support vectors are all noise: ``"raise"`` raises
        ``ValueError`` (imbalanced-learn's behaviour), ``"skip"`` adds no rows for it and
        warns, ``"smote"`` seeds plain SMOTE from every row of the class.

    split : {"beta", "uniform"}, default="beta"
        Rows per group: ``"beta"`` takes :math:`\\lfloor f (n + 1) \\rfloor` rows from the
        danger seeds, :math:`f \\sim \\mathrm{Beta}(10, 10)`, and the rest from the safe
        ones (imbalanced-learn's rule); ``"uniform"`` draws seeds uniformly over all kept
        support vectors.

    {sampler_parameters}

    Attributes
    ----------
    nn_k_ : estimator object
        The interpolation-partner neighbour estimator (see ``k_neighbors``).
    nn_m_ : estimator object
        The noise/danger neighbour estimator (see ``m_neighbors``).
    svm_estimator_ : estimator object
        The fitted SVM (see ``svm_estimator``).
    {sampler_attributes}

    See Also
    --------
    BorderlineSMOTESampler : Danger points found by neighbours alone.
    KMeansSMOTESampler : SMOTE within minority-rich clusters.
    synthaug.generators.svm_smote.svm_smote : The generator behind it.

    Notes
    -----
    Differences from imbalanced-learn's ``SVMSMOTE``: every class gets exactly the
    requested number of rows (where one group of seeds is empty, imbalanced-learn returns
    only the other group's share); the draws come from JAX keys, so the same
    ``random_state`` gives other, equally distributed rows.

    {synthetic_size}

    References
    ----------
    .. [1] H. M. Nguyen, E. W. Cooper and K. Kamei, "Borderline over-sampling for imbalanced
       data classification", International Journal of Knowledge Engineering and Soft Data
       Paradigms 3(1), 4-21, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SVMSMOTESampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = SVMSMOTESampler(k_neighbors=3, n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    >>> sampler.svm_estimator_.support_.size > 0
    True
    """

    _generator_name = "svm-smote"
    _generator_param_names = {"k_neighbors": "k", "m_neighbors": "m"}
    _sampler_only_parameters = ("svm_estimator",)
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k_neighbors": _NEIGHBOURS,
        "m_neighbors": _NEIGHBOURS,
        "svm_estimator": [HasMethods(["fit", "predict"]), None],
        "out_step": [Interval(numbers.Real, 0, None, closed="left")],
        "fallback": _FALLBACKS,
        "split": [StrOptions(set(SPLITS))],
    }

    def __init__(self, *, k_neighbors=5, m_neighbors=10, svm_estimator=None, out_step=0.5, fallback="raise",
                 split="beta", sampling_strategy="auto", n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _resample(self, X, y):
        from sklearn.svm import SVC

        self.nn_k_ = neighbour_object(self.k_neighbors)
        self.nn_m_ = neighbour_object(self.m_neighbors)
        self.svm_estimator_ = (SVC(gamma="scale", random_state=self.random_state) if self.svm_estimator is None
                               else clone(self.svm_estimator))
        self._svm_fitted = False
        return super()._resample(X, y)

    def _support(self, X, y):
        """Indices (rows of ``X``) of the SVM's support vectors, the SVM fitted once per ``fit_resample``."""
        if not self._svm_fitted:
            self.svm_estimator_.fit(X, y)
            self._svm_fitted = True
        support = getattr(self.svm_estimator_, "support_", None)
        if support is None:
            raise RuntimeError(
                "`svm_estimator` is required to exposed a `support_` fitted attribute. Such estimators are "
                f"sklearn.svm.SVC-like; got {type(self.svm_estimator_).__name__}."
            )
        return np.asarray(support)

    def _generate(self, key, X, y, cls, n):
        mask = y == cls
        X1, X0 = X[mask], X[~mask]
        n1 = X1.shape[0]
        support = self._support(X, y)
        position = np.cumsum(mask) - 1  # row of X -> row of X1
        sv = np.zeros(n1, bool)
        sv[position[support[mask[support]]]] = True
        if _is_int(self.m_neighbors) and _is_int(self.k_neighbors) and X.shape[0] >= int(self.m_neighbors) + 1:
            gen = self._generator()
            if gen.bucketed_majority(n1, X0.shape[0], n):
                # the JAX part (neighbour rules and draws) as one program per pair of row buckets
                try:
                    out = _bucketed_majority_call(gen, key, X1, n, X0, host=True, tables={"support": sv})
                except NoSeedRowsError as err:
                    warn_skipped_class(cls, err)
                    return None
                if out is not None:
                    return out[0]
        if _is_int(self.m_neighbors):
            m = int(self.m_neighbors)
            if X.shape[0] < m + 1:
                raise ValueError(f"SVM-SMOTE with m_neighbors={m} needs at least {m + 1} rows; got {X.shape[0]}")
            n_majority = np.asarray(_majority_counts(jnp.asarray(X1), jnp.asarray(X0), m))
        else:
            table = host_neighbours(self.nn_m_, X, X1)
            m = table.shape[1]
            n_majority = np.sum(y[table] != cls, axis=1)
        try:
            # the all-noise check first (as imbalanced-learn), then the class size
            _check_no_seed(sv, n_majority, m, self.fallback)
            if _is_int(self.k_neighbors):
                if n1 < self.k_neighbors + 1:
                    raise ValueError(f"class {cls!r} has {n1} rows; SVM-SMOTE with k_neighbors={self.k_neighbors} "
                                     f"needs at least {self.k_neighbors + 1}")
                nn_k = np.asarray(neighbours_in_minority(jnp.asarray(X1), int(self.k_neighbors)))
            else:
                nn_k = host_neighbours(self.nn_k_, X1, X1)
            return svm_smote_from_tables(key, X1, sv, n_majority, nn_k, n, m, self.out_step, self.fallback,
                                         self.split)[0]
        except NoSeedRowsError as err:
            warn_skipped_class(cls, err)
            return None


@fill_doc
class KMeansSMOTESampler(GeneratorSampler):
    """KMeans-SMOTE over-sampler (:mod:`synthaug.generators.kmeans_smote`).

    All rows are clustered by k-means; SMOTE runs inside the clusters where the class is
    well represented, each getting a share of the rows that grows with the sparsity of
    its minority rows (Douzas, Bacao & Last, 2018). A drop-in for imbalanced-learn's
    ``KMeansSMOTE``.

    Parameters
    ----------
    k_neighbors : int or object, default=2
        Number of nearest minority neighbours, within the seed's cluster, among which the
        interpolation partner is drawn (a kept cluster needs ``k_neighbors + 1`` rows of
        the class); or a neighbour estimator (an object with ``kneighbors`` and
        ``kneighbors_graph``) fitted on the host on each kept cluster's rows of the class,
        its first neighbour (the row itself) dropped, so ``NearestNeighbors(n_neighbors=3)``
        is ``k_neighbors=2``. The fitted copy is ``nn_k_``.

    kmeans_estimator : int, estimator object or None, default=None
        The clustering of all rows: an int is the number of clusters of synthaug's JAX
        k-means (k-means++ start, Lloyd iterations; ``None``: 8 clusters, the default of
        imbalanced-learn's ``MiniBatchKMeans``); an object with ``fit_predict`` and
        ``n_clusters`` (scikit-learn's ``KMeans`` or ``MiniBatchKMeans``) is cloned and
        fitted on the host instead. ``kmeans_estimator_`` is that clone, or for an int or
        ``None`` the equivalent ``MiniBatchKMeans(n_clusters=..., random_state=...)``
        configuration (not fitted: the JAX k-means is what runs).

    cluster_balance_threshold : "auto" or float, default="auto"
        Smallest share of the class among a cluster's rows for the cluster to be used.
        ``"auto"``: the class's share of all synthetic rows of this ``fit_resample``,
        halved (0.5 for a binary target), imbalanced-learn's rule. Ignored (every cluster
        qualifies) with a single cluster. ``RuntimeError`` when no cluster qualifies, as in
        imbalanced-learn (see ``fallback``).

    density_exponent : "auto" or float, default="auto"
        Exponent :math:`e` of the mean within-cluster distance in a cluster's sparsity
        :math:`\\bar d^{\\,e} / n_c`; ``"auto"`` follows ``auto_exponent``.

    auto_exponent : {"features", "imblearn"}, default="features"
        What ``density_exponent="auto"`` means: ``"features"`` is
        :math:`0.16 (\\log_{1.6} d)^{1.8}` for ``d`` features (what imbalanced-learn's
        documentation describes); ``"imblearn"`` is :math:`0.16 (\\log_{1.6} n_c)^{1.8}`
        with :math:`n_c` the cluster's rows of the class (what imbalanced-learn 0.14
        computes). The two weigh the clusters differently.

    fallback : {"raise", "skip", "smote"}, default="raise"
        What to do for a class with no qualifying cluster: ``"raise"`` raises
        :class:`~synthaug.generators.kmeans_smote.NoValidClusterError` (a ``RuntimeError``,
        imbalanced-learn's behaviour, and a ``ValueError``), ``"skip"`` adds no rows for
        it and warns, ``"smote"`` runs plain SMOTE on all rows of the class.

    {sampler_parameters}

    Attributes
    ----------
    nn_k_ : estimator object
        The neighbour estimator (see ``k_neighbors``).
    kmeans_estimator_ : estimator object
        The clusterer (see ``kmeans_estimator``).
    cluster_balance_threshold_ : float or "auto"
        The threshold used: ``cluster_balance_threshold``, or ``-inf`` with one cluster.
    labels_ : ndarray of int
        Cluster of each input row.
    {sampler_attributes}

    See Also
    --------
    SMOTESampler : KMeans-SMOTE with one cluster.
    SVMSMOTESampler : Seeds from an SVM's support vectors.
    synthaug.generators.kmeans_smote.kmeans_smote : The generator behind it.

    Notes
    -----
    Differences from imbalanced-learn's ``KMeansSMOTE``: the rows are split over the
    clusters by the largest-remainder rule, so exactly the requested number is added
    (imbalanced-learn rounds each cluster's share up, which can add a few more); the
    default clusterer is full-batch Lloyd k-means in JAX rather than ``MiniBatchKMeans``;
    ``density_exponent="auto"`` is the feature-based exponent unless
    ``auto_exponent="imblearn"``; the draws come from JAX keys. With one cluster and
    ``cluster_balance_threshold`` at most the class share, the rows equal
    :class:`SMOTESampler`'s for the same ``random_state``.

    {synthetic_size}

    References
    ----------
    .. [1] G. Douzas, F. Bacao and F. Last, "Improving imbalanced learning through a
       heuristic oversampling method based on k-means and SMOTE", Information Sciences
       465, 1-20, 2018.
    .. [2] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding",
       Proceedings of the 18th ACM-SIAM Symposium on Discrete Algorithms, 1027-1035, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import KMeansSMOTESampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 3.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = KMeansSMOTESampler(kmeans_estimator=2, n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    >>> sampler.kmeans_estimator_.n_clusters
    2
    """

    _generator_name = "kmeans-smote"
    _generator_param_names = {"k_neighbors": "k", "kmeans_estimator": "n_clusters"}
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k_neighbors": _NEIGHBOURS,
        "kmeans_estimator": [HasMethods(["fit", "predict"]), Interval(numbers.Integral, 1, None, closed="left"),
                             None],
        "cluster_balance_threshold": [StrOptions({"auto"}), numbers.Real],
        "density_exponent": [StrOptions({"auto"}), numbers.Real],
        "auto_exponent": [StrOptions(set(AUTO_EXPONENTS))],
        "fallback": _FALLBACKS,
    }

    def __init__(self, *, k_neighbors=2, kmeans_estimator=None, cluster_balance_threshold="auto",
                 density_exponent="auto", auto_exponent="features", fallback="raise", sampling_strategy="auto",
                 n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _generator_params(self) -> dict:
        params = super()._generator_params()
        if not (params["n_clusters"] is None or _is_int(params["n_clusters"])):
            params["n_clusters"] = int(self.kmeans_estimator.n_clusters)
        if not _is_int(params["k"]):
            params["k"] = int(getattr(self.k_neighbors, "n_neighbors", 6)) - 1
        return params

    def _resample(self, X, y):
        from sklearn.cluster import MiniBatchKMeans

        self.nn_k_ = neighbour_object(self.k_neighbors)
        if self.kmeans_estimator is None or _is_int(self.kmeans_estimator):
            n_clusters = 8 if self.kmeans_estimator is None else int(self.kmeans_estimator)
            self.kmeans_estimator_ = MiniBatchKMeans(n_clusters=n_clusters, random_state=self.random_state)
        else:
            self.kmeans_estimator_ = clone(self.kmeans_estimator)
        self._n_clusters = int(getattr(self.kmeans_estimator_, "n_clusters", 8))
        self.cluster_balance_threshold_ = self.cluster_balance_threshold if self._n_clusters != 1 else -np.inf
        self._total_synthetic = None
        self.labels_ = None
        return super()._resample(X, y)

    def _labels(self, key, X):
        """Cluster labels of all rows (computed once per ``fit_resample``, shared by the classes)."""
        if self.labels_ is None:
            if self.kmeans_estimator is None or _is_int(self.kmeans_estimator):
                # one clustering for every class, from the random_state (not the per-class key)
                ck = jax.random.fold_in(jax.random.key(seed_from_random_state(self.random_state)), 2**31 - 1)
                K = min(self._n_clusters, X.shape[0])
                self.labels_ = np.asarray(kmeans(ck, jnp.asarray(X), K)[1])
            else:
                labels = np.asarray(self.kmeans_estimator_.fit_predict(X))
                self._n_clusters = max(self._n_clusters, int(labels.max()) + 1)
                self.labels_ = labels.astype(np.int32)
        return self.labels_

    def _generate(self, key, X, y, cls, n):
        mask = y == cls
        X1 = X[mask]
        n1 = X1.shape[0]
        if self._total_synthetic is None:
            self._total_synthetic = max(sum(int(v) for v in self.sampling_strategy_.values()), 1)
        if self._n_clusters == 1:
            threshold = -np.inf
        elif isinstance(self.cluster_balance_threshold, str):
            threshold = n / self._total_synthetic / 2
        else:
            threshold = float(self.cluster_balance_threshold)
        if _is_int(self.k_neighbors):
            k = int(self.k_neighbors)
        else:
            k = int(getattr(self.nn_k_, "n_neighbors", 6)) - 1
        if n1 < k + 1:
            raise NoValidClusterError(f"class {cls!r} has {n1} rows; KMeans-SMOTE with k_neighbors={k} needs at "
                                      f"least {k + 1} rows of the class in a cluster")
        labels = self._labels(key, X)
        K = self._n_clusters
        sizes = np.bincount(labels, minlength=K)
        labels1 = labels[mask]
        nbrs = None
        if not _is_int(self.k_neighbors):
            valid = np.asarray(_filter(jnp.asarray(labels1), jnp.asarray(sizes), k, threshold)[0])
            nbrs = np.zeros((n1, k), np.int32)
            for c in np.flatnonzero(valid):
                rows = np.flatnonzero(labels1 == c)
                nbrs[rows] = rows[host_neighbours(self.nn_k_, X1[rows], X1[rows])[:, :k]]
        try:
            return kmeans_smote_from_labels(key, X1, labels1, sizes, n, k, threshold, self.density_exponent,
                                            self.auto_exponent, self.fallback, nbrs=nbrs)[0]
        except NoSeedRowsError as err:
            warn_skipped_class(cls, err)
            return None
