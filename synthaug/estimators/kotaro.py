r"""KOTARO: a density-adaptive kernel classifier for imbalanced binary problems.

Nishimura, Sakumura & Ikeda, "Adaptive kernel-density approach for imbalanced
binary classification", arXiv 2510.04046 (2025). KOTARO is a *classifier*, not
a sampler: a kernel-interpolation (RBF-network) discriminant whose Gaussian
width adapts to the local sample density, narrow where points are dense
(usually the majority) and wide where they are sparse (usually the minority),
which moves the decision boundary towards the majority.

Model (the paper's core equations, as given in a secondary summary of it; the choices
that summary leaves open are listed below):

* :math:`d_i` = distance from training point :math:`x_i` to its ``n_neighbors``-th
  nearest neighbour (self excluded);
* kernel of centre :math:`i`: :math:`k_i(x) = \exp(-\gamma_i \lVert x - x_i\rVert^2)`
  with :math:`\gamma_i = 1/d_i` (``bandwidth_from="dist"``, the formula as
  summarised) or :math:`\gamma_i = 1/d_i^2` (``"sqdist"``, dimensionally
  consistent);
* :math:`f(x) = \sum_i w_i k_i(x)` with :math:`(K + \alpha I)\,w = y`,
  :math:`K_{ji} = k_i(x_j)` (not symmetric: each column has its own width),
  labels coded :math:`y_i = +1` for ``classes_[1]`` and :math:`-1` for
  ``classes_[0]``. With ``alpha=0`` the network interpolates the training
  labels exactly, :math:`f(x_j) = y_j`.

Choices the summary leaves open (❓), each a parameter:

* neighbours for :math:`d_i` from all training points (``neighbors_from="all"``,
  default, "local sample density") or the same class (``"same_class"``);
* ``n_neighbors`` default 5 (❓ unknown in the paper);
* ``alpha`` default ``1e-8`` (a ridge safety net for near-duplicate points;
  ``0`` is the paper's exact interpolation; the diagonal of :math:`K` is 1);
* decision :math:`f(x) - \text{threshold}`, ``threshold=0`` by default (the
  "threshold adjustment" of the name is read as the adaptive boundary itself);
* features standardised inside ``fit`` when ``standardize=True`` (default;
  the method is scale sensitive);
* :math:`d_i` floored at ``1e-12`` times the median :math:`d` (exact duplicates).

``predict_proba`` returns :math:`\sigma(2(f(x) - \text{threshold}))` for
``classes_[1]``: a monotone map of the decision function consistent with
``predict`` (0.5 at the threshold, about 0.88 at an interpolated +1 label), **not
a calibrated probability**.

Cost: :math:`O(n^2)` memory and :math:`O(n^3)` time for the solve (float64,
LAPACK via SciPy); intended for n up to a few thousand. Prediction builds the
test-by-train kernel in blocks of 2048 rows. The classifier is written in
NumPy/SciPy rather than JAX on purpose: a scikit-learn estimator is refitted
on many data shapes (cross-validation, grid search), and every new shape would
cost a JAX compilation while the work itself is one LAPACK solve. Binary targets only (a multi-class target raises
``ValueError``).
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import NON_NEGATIVE, POSITIVE_INT, set_params_from_init


__all__ = ["KOTAROClassifier", "adaptive_gammas"]


def _sq_dist(Q, R):
    qq = np.sum(Q * Q, axis=1)[:, None]
    rr = np.sum(R * R, axis=1)[None, :]
    return np.maximum(qq + rr - 2.0 * Q @ R.T, 0.0)


def _kth_neighbor_sq(X, k):
    """Squared distance from each row to its k-th nearest other row (blocks of 2048 query rows)."""
    out = np.empty(X.shape[0])
    for s in range(0, X.shape[0], 2048):
        d2 = _sq_dist(X[s : s + 2048], X)
        rows = np.arange(d2.shape[0])
        d2[rows, rows + s] = np.inf  # self excluded
        out[s : s + 2048] = np.partition(d2, k - 1, axis=1)[:, k - 1]
    return out


def adaptive_gammas(X, y=None, n_neighbors: int = 5, *, bandwidth_from: str = "dist", neighbors_from: str = "all"):
    r"""Per-point kernel precisions :math:`\gamma_i` (and radii :math:`d_i`) of KOTARO.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The (standardised) training rows.
    y : array-like of shape (n_samples,) or None, default=None
        Class labels; needed for ``neighbors_from="same_class"``.
    n_neighbors : int, default=5
        The neighbour whose distance :math:`d_i` sets the width of centre ``i``.
    bandwidth_from : {"dist", "sqdist"}, default="dist"
        :math:`\gamma_i = 1/d_i` or :math:`\gamma_i = 1/d_i^2`.
    neighbors_from : {"all", "same_class"}, default="all"
        The rows among which the ``n_neighbors``-th neighbour is found.

    Returns
    -------
    gamma, d : ndarray of shape (n_samples,)
        The precisions and the neighbour distances (floored at ``1e-12`` times their
        median).

    Raises
    ------
    ValueError
        If ``bandwidth_from`` or ``neighbors_from`` is not one of its allowed values,
        ``y`` is missing for ``neighbors_from="same_class"``, or there are no more rows
        (per class for ``"same_class"``) than ``n_neighbors``.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug.estimators.kotaro import adaptive_gammas
    >>> X = np.array([[0.0], [1.0], [3.0]])
    >>> gamma, d = adaptive_gammas(X, n_neighbors=1)
    >>> d.tolist(), gamma.tolist()
    ([1.0, 1.0, 2.0], [1.0, 1.0, 0.5])
    """
    if bandwidth_from not in ("dist", "sqdist"):
        raise ValueError(f"bandwidth_from must be 'dist' or 'sqdist'; got {bandwidth_from!r}")
    if neighbors_from not in ("all", "same_class"):
        raise ValueError(f"neighbors_from must be 'all' or 'same_class'; got {neighbors_from!r}")
    X = np.asarray(X, np.float64)
    n = X.shape[0]
    if neighbors_from == "same_class" and y is None:
        raise ValueError("neighbors_from='same_class' needs the labels y; got y=None")
    if neighbors_from == "all":
        if n <= n_neighbors:
            raise ValueError(f"n_neighbors={n_neighbors} needs more than {n_neighbors} rows; got {n}")
        d2 = _kth_neighbor_sq(X, n_neighbors)
    else:
        y = np.asarray(y)
        d2 = np.empty(n)
        for c in np.unique(y):
            idx = np.flatnonzero(y == c)
            if idx.size <= n_neighbors:
                raise ValueError(
                    f"neighbors_from='same_class' with n_neighbors={n_neighbors} needs more than "
                    f"{n_neighbors} rows per class; class {c!r} has {idx.size}"
                )
            d2[idx] = _kth_neighbor_sq(X[idx], n_neighbors)
    d = np.sqrt(d2)
    d = np.maximum(d, 1e-12 * max(float(np.median(d)), 1e-300))
    gamma = 1.0 / d if bandwidth_from == "dist" else 1.0 / (d * d)
    return gamma, d


@fill_doc
class KOTAROClassifier(ClassifierMixin, BaseEstimator):
    """KOTARO density-adaptive kernel classifier (binary); see the module docstring.

    Nishimura, Sakumura & Ikeda (2025), "Adaptive kernel-density approach for
    imbalanced binary classification", arXiv 2510.04046.

    Parameters
    ----------
    n_neighbors : int, default=5
        The neighbour whose distance :math:`d_i` sets the kernel width of centre ``i``.

    alpha : float, default=1e-8
        Ridge added to the kernel matrix (``0`` is exact interpolation).

    threshold : float, default=0.0
        Decision threshold on :math:`f` (labels coded :math:`\\pm 1`).

    bandwidth_from : {"dist", "sqdist"}, default="dist"
        :math:`\\gamma_i = 1/d_i` or :math:`\\gamma_i = 1/d_i^2`.

    neighbors_from : {"all", "same_class"}, default="all"
        The rows among which the ``n_neighbors``-th neighbour is found.

    {standardize}

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The class labels.
    X_fit_ : ndarray of shape (n_samples, n_features)
        The (standardised) training rows, the kernel centres.
    gamma_ : ndarray of shape (n_samples,)
        The kernel precisions :math:`\\gamma_i`.
    radius_ : ndarray of shape (n_samples,)
        The neighbour distances :math:`d_i`.
    dual_coef_ : ndarray of shape (n_samples,)
        The kernel weights :math:`w`.
    mean_, scale_ : ndarray of shape (n_features,)
        The standardisation (zeros and ones when ``standardize=False``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Column names seen in ``fit``; set only when ``X`` has string column names.

    See Also
    --------
    adaptive_gammas : The kernel precisions and radii.
    BiasCorrectedClassifier : Another classifier for imbalanced binary problems.

    Notes
    -----
    Binary targets only. Cost :math:`O(n^2)` memory and :math:`O(n^3)` time (one dense
    solve); ``predict_proba`` is a monotone score, not a calibrated probability.

    References
    ----------
    .. [1] Nishimura, Sakumura and Ikeda, "Adaptive kernel-density approach for imbalanced
       binary classification", arXiv 2510.04046, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import KOTAROClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> clf = KOTAROClassifier(n_neighbors=5).fit(X, y)
    >>> clf.classes_.tolist(), clf.gamma_.shape
    ([0, 1], (64,))
    >>> clf.predict(X[:3]).shape, clf.predict_proba(X[:3]).shape
    ((3,), (3, 2))
    >>> print(round(clf.score(X, y), 3))  # near interpolation of the training labels
    1.0
    """

    _parameter_constraints: dict = {
        "n_neighbors": [POSITIVE_INT],
        "alpha": [NON_NEGATIVE],
        "threshold": [Interval(numbers.Real, None, None, closed="neither")],
        "bandwidth_from": [StrOptions({"dist", "sqdist"})],
        "neighbors_from": [StrOptions({"all", "same_class"})],
        "standardize": ["boolean"],
    }

    def __init__(self, n_neighbors=5, *, alpha=1e-8, threshold=0.0, bandwidth_from="dist", neighbors_from="all",
                 standardize=True):
        set_params_from_init(self, locals())

    def fit(self, X, y):
        from synthaug.estimators.base import _non_numeric_columns, check_single_target

        self._validate_params()
        check_single_target(y, "KOTAROClassifier")
        bad = _non_numeric_columns(X)
        if bad:
            raise ValueError(f"KOTAROClassifier works on numeric columns only, but column(s) {bad} are categorical "
                             "or non-numeric; encode them first (e.g. one-hot)")
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) != 2:
            raise ValueError(
                f"Only binary classification is supported by KOTAROClassifier; got {len(self.classes_)} "
                f"class(es) ({type_of_target(y)} target)"
            )
        n = X.shape[0]
        if n <= self.n_neighbors:
            raise ValueError(f"KOTARO with n_neighbors={self.n_neighbors} needs more than {self.n_neighbors} rows; got {n}")
        if self.standardize:
            self.mean_ = X.mean(axis=0)
            sd = X.std(axis=0)
            self.scale_ = np.where(sd > 0, sd, 1.0)
        else:
            self.mean_, self.scale_ = np.zeros(X.shape[1]), np.ones(X.shape[1])
        Z = (X - self.mean_) / self.scale_
        gamma, d = adaptive_gammas(
            Z, y_idx, self.n_neighbors, bandwidth_from=self.bandwidth_from, neighbors_from=self.neighbors_from
        )
        K = np.exp(-gamma[None, :] * _sq_dist(Z, Z))
        K[np.diag_indices(n)] += self.alpha
        try:
            w = scipy.linalg.solve(K, 2.0 * y_idx - 1.0, check_finite=False)
        except np.linalg.LinAlgError as e:
            raise ValueError("the kernel system is singular (duplicate rows?); use alpha > 0") from e
        if not np.all(np.isfinite(w)):
            raise ValueError("the kernel system is singular (duplicate rows?); use alpha > 0")
        self.X_fit_, self.gamma_, self.radius_, self.dual_coef_ = Z, gamma, d, w
        return self

    def _f(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Z = (X - self.mean_) / self.scale_
        out = [
            np.exp(-self.gamma_[None, :] * _sq_dist(Z[s : s + 2048], self.X_fit_)) @ self.dual_coef_
            for s in range(0, Z.shape[0], 2048)
        ]
        return np.concatenate(out) if out else np.zeros(0)

    def decision_function(self, X):
        """:math:`f(x) - \\text{threshold}`; positive values predict ``classes_[1]``."""
        return self._f(X) - self.threshold

    def predict(self, X):
        f = self.decision_function(X)
        return self.classes_[(f > 0).astype(int)]

    def predict_proba(self, X):
        """Monotone score σ(2·decision), columns in ``classes_`` order (not calibrated)."""
        p1 = 1.0 / (1.0 + np.exp(-2.0 * self.decision_function(X)))
        return np.column_stack([1.0 - p1, p1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
