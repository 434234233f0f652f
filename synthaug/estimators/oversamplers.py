r"""imbalanced-learn samplers for synthaug's generators (one class per method).

Every class is a :class:`synthaug.estimators.base.GeneratorSampler`: ``fit_resample``,
``random_state``, ``n_synthetic`` / ``gap_multiple`` / ``sampling_strategy``
for the size, pandas in → pandas out, sparse in → sparse out, and each passes
imbalanced-learn's sampler checks (``tests/test_oversamplers.py``). For a class
being oversampled the generator sees that class as the minority and all other
rows as the majority (one-vs-rest).

=============================  ===========================  ======================================
class                          generator (by name)          method
=============================  ===========================  ======================================
:class:`SMOTESampler`          ``smote``                    Chawla et al. 2002
:class:`BorderlineSMOTESampler` ``borderline-smote`` (-2)   Han, Wang & Mao 2005, kinds 1 and 2
:class:`ADASYNSampler`         ``adasyn``                   He et al. 2008
:class:`SMOTENCSampler`        ``smote-nc``                 Chawla et al. 2002 §6.1 (mixed types)
:class:`SmoothedBootstrapSampler` ``smoothed-bootstrap``    Gaussian KDE, Silverman bandwidth
:class:`GaussianMixtureSampler` ``gmm``                     EM-fitted Gaussian mixture
:class:`RandomOversamplingSampler` ``random``               rows drawn with replacement
=============================  ===========================  ======================================

The numeric-only samplers (all but SMOTE-NC) reject non-numeric columns up
front with a ``ValueError`` naming them (pandas ``object``/``category``/string
columns, or an array whose entries are not numbers), instead of imbalanced-learn's
"could not convert string to float".
"""

from __future__ import annotations

import numbers

from synthaug.config import uses_x64
import numpy as np
from scipy import sparse
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data
from imblearn.utils import check_target_type

from synthaug.generators.adasyn import adasyn
from synthaug.generators.kde import smoothed_bootstrap
from synthaug.generators.borderline import borderline_smote
from synthaug.generators.basic import random_oversampling, smote
from synthaug.generators.mixture import COVARIANCE_TYPES, gaussian_mixture
from synthaug.estimators.base import GeneratorSampler
from synthaug.generators.smote_nc import check_categorical_features, smote_nc

__all__ = [
    "SMOTESampler",
    "BorderlineSMOTESampler",
    "ADASYNSampler",
    "SMOTENCSampler",
    "SmoothedBootstrapSampler",
    "GaussianMixtureSampler",
    "RandomOversamplingSampler",
    "OVERSAMPLER_CLASSES",
]

_K = Interval(numbers.Integral, 1, None, closed="left")


def _non_numeric_columns(X):
    """Names/indices of columns that are not numeric (pandas dtypes, or array entries that are not numbers)."""
    if hasattr(X, "dtypes") and hasattr(X, "columns"):
        from pandas.api.types import is_bool_dtype, is_numeric_dtype

        return [c for c, dt in X.dtypes.items() if not (is_numeric_dtype(dt) or is_bool_dtype(dt))]
    if sparse.issparse(X):
        return []
    arr = np.asarray(X)
    if arr.ndim != 2 or np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
        return []
    bad = []
    for j in range(arr.shape[1]):
        try:
            arr[:, j].astype(float)
        except (TypeError, ValueError):
            bad.append(j)
    return bad


class _NumericOnly:
    @uses_x64
    def fit_resample(self, X, y, **params):
        bad = _non_numeric_columns(X)
        if bad:
            raise ValueError(
                f"{type(self).__name__} works on numeric columns only, but column(s) {bad} are categorical or "
                "non-numeric; use SMOTENCSampler(categorical_features=...) for mixed data, or encode them first"
            )
        return super().fit_resample(X, y, **params)


class SMOTESampler(_NumericOnly, GeneratorSampler):
    """SMOTE (:func:`synthaug.generators.basic.smote`) with ``k_neighbors`` minority neighbours."""

    _parameter_constraints: dict = {**GeneratorSampler._parameter_constraints, "k_neighbors": [_K]}

    def __init__(self, *, k_neighbors=5, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        super().__init__(sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple,
                         random_state=random_state)
        self.k_neighbors = k_neighbors

    def _generator(self):
        return smote(self.k_neighbors)


class BorderlineSMOTESampler(_NumericOnly, GeneratorSampler):
    """Borderline-SMOTE (:mod:`synthaug.generators.borderline`): ``m_neighbors`` find danger points, ``k_neighbors`` interpolate.

    ``kind`` is 1 or 2 (``"borderline-1"``/``"borderline-2"`` are accepted too);
    ``fallback`` is ``"raise"`` (no danger points → ValueError) or ``"smote"``
    (then every minority row seeds).
    """

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k_neighbors": [_K],
        "m_neighbors": [_K],
        "kind": [StrOptions({"borderline-1", "borderline-2"}), Interval(numbers.Integral, 1, 2, closed="both")],
        "fallback": [StrOptions({"raise", "smote"})],
    }

    def __init__(self, *, k_neighbors=5, m_neighbors=10, kind=1, fallback="raise", sampling_strategy="auto",
                 n_synthetic=None, gap_multiple=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple,
                         random_state=random_state)
        self.k_neighbors = k_neighbors
        self.m_neighbors = m_neighbors
        self.kind = kind
        self.fallback = fallback

    def _generator(self):
        kind = {"borderline-1": 1, "borderline-2": 2}.get(self.kind, self.kind)
        return borderline_smote(self.k_neighbors, self.m_neighbors, int(kind), self.fallback)


class ADASYNSampler(_NumericOnly, GeneratorSampler):
    """ADASYN (:mod:`synthaug.generators.adasyn`) with ``n_neighbors`` for both the hardness ratio and interpolation."""

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "n_neighbors": [_K],
        "fallback": [StrOptions({"raise", "smote"})],
    }

    def __init__(self, *, n_neighbors=5, fallback="raise", sampling_strategy="auto", n_synthetic=None,
                 gap_multiple=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple,
                         random_state=random_state)
        self.n_neighbors = n_neighbors
        self.fallback = fallback

    def _generator(self):
        return adasyn(self.n_neighbors, self.fallback)


class SmoothedBootstrapSampler(_NumericOnly, GeneratorSampler):
    """Smoothed bootstrap (:mod:`synthaug.generators.kde`): Silverman bandwidth times ``shrink``."""

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "shrink": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(self, *, shrink=1.0, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        super().__init__(sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple,
                         random_state=random_state)
        self.shrink = shrink

    def _generator(self):
        return smoothed_bootstrap(self.shrink)


class GaussianMixtureSampler(_NumericOnly, GeneratorSampler):
    """Gaussian mixture fitted by EM per class (:mod:`synthaug.generators.mixture`), then sampled."""

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "n_components": [_K],
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "max_iter": [_K],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "reg_covar": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(self, *, n_components=2, covariance_type="full", max_iter=100, tol=1e-6, reg_covar=1e-6,
                 sampling_strategy="auto", n_synthetic=None, gap_multiple=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple,
                         random_state=random_state)
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.max_iter = max_iter
        self.tol = tol
        self.reg_covar = reg_covar

    def _generator(self):
        return gaussian_mixture(self.n_components, self.covariance_type, self.max_iter, self.tol, self.reg_covar)


class RandomOversamplingSampler(_NumericOnly, GeneratorSampler):
    """Random oversampling (rows drawn with replacement), on the generator protocol."""

    def _generator(self):
        return random_oversampling()


class SMOTENCSampler(GeneratorSampler):
    """SMOTE-NC (:mod:`synthaug.generators.smote_nc`) for mixed data.

    ``categorical_features``: column indices or a boolean mask. Categorical
    columns may hold any values (strings included): each is coded as the index of
    its value among the column's sorted unique values, and synthetic codes are
    mapped back, so synthetic rows only take values seen in that class. The other
    columns must be numeric (``ValueError`` naming the column otherwise).
    """

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "categorical_features": ["array-like"],
        "k_neighbors": [_K],
    }

    def __init__(self, categorical_features, *, k_neighbors=5, sampling_strategy="auto", n_synthetic=None,
                 gap_multiple=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple,
                         random_state=random_state)
        self.categorical_features = categorical_features
        self.k_neighbors = k_neighbors

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"],
                             ensure_all_finite=False)
        return X, y, binarize_y

    def _generator(self):
        return smote_nc(self.categorical_features_, self.k_neighbors)

    @uses_x64
    def _fit_resample(self, X, y):
        if sparse.issparse(X):
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        X = np.asarray(X)
        n, d = X.shape
        self.categorical_features_ = check_categorical_features(self.categorical_features, d)
        cat = self.categorical_features_
        Xf = np.empty((n, d), dtype=X.dtype if np.issubdtype(X.dtype, np.floating) else float)
        for j in np.setdiff1d(np.arange(d), cat):
            try:
                Xf[:, j] = X[:, j].astype(float)
            except (TypeError, ValueError):
                raise ValueError(
                    f"column {j} is not numeric; list it in categorical_features (categorical: {cat.tolist()})"
                ) from None
        uniques = {}
        for j in cat:
            col = X[:, j]
            if col.dtype.kind == "f" and not np.all(np.isfinite(col)):
                raise ValueError(f"categorical column {j} contains NaN or infinite values")
            if col.dtype == object and any(v is None or (isinstance(v, float) and np.isnan(v)) for v in col):
                raise ValueError(f"categorical column {j} contains missing values (None/NaN)")
            uniques[j], Xf[:, j] = np.unique(col, return_inverse=True)
        Xr, yr = super()._fit_resample(Xf, y)
        out = np.empty(Xr.shape, dtype=X.dtype)
        out[:n] = X
        syn = Xr[n:]
        num = np.setdiff1d(np.arange(d), cat)
        out[n:, num] = syn[:, num]
        for j in cat:
            out[n:, j] = uniques[j][np.rint(syn[:, j]).astype(int)]
        return out, yr


OVERSAMPLER_CLASSES = (
    SMOTESampler,
    BorderlineSMOTESampler,
    ADASYNSampler,
    SMOTENCSampler,
    SmoothedBootstrapSampler,
    GaussianMixtureSampler,
    RandomOversamplingSampler,
)
