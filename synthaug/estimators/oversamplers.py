r"""imbalanced-learn samplers for synthaug's generators (one class per method).

Every class is a :class:`synthaug.estimators.base.GeneratorSampler`: ``fit_resample``,
``random_state``, ``n_synthetic`` / ``gap_multiple`` / ``sampling_strategy``
for the size, pandas in → pandas out, sparse in → sparse out, and each passes
imbalanced-learn's sampler checks (``tests/estimators/test_common.py``). For a class
being oversampled the generator sees that class as the minority and all other
rows as the majority (one-vs-rest).

=================================  ===========================  ======================================
class                              generator (by name)          method
=================================  ===========================  ======================================
:class:`SMOTESampler`              ``smote``                    Chawla et al. 2002
:class:`BorderlineSMOTESampler`    ``borderline-smote``         Han, Wang & Mao 2005, kinds 1 and 2
:class:`ADASYNSampler`             ``adasyn``                   He et al. 2008
:class:`SMOTENCSampler`            ``smote-nc``                 Chawla et al. 2002 §6.1 (mixed types)
:class:`SmoothedBootstrapSampler`  ``smoothed-bootstrap``       Gaussian KDE, Silverman bandwidth
:class:`GaussianMixtureSampler`    ``gmm``                      EM-fitted Gaussian mixture
:class:`RandomOversamplingSampler` ``random``                   rows drawn with replacement
=================================  ===========================  ======================================

The numeric-only samplers (all but SMOTE-NC) reject non-numeric columns up
front with a ``ValueError`` naming them (pandas ``object``/``category``/string
columns, or an array whose entries are not numbers), instead of imbalanced-learn's
"could not convert string to float".
"""

from __future__ import annotations

import numbers

import numpy as np
from imblearn.utils import check_target_type
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import NON_NEGATIVE, POSITIVE_INT, GeneratorSampler, set_params_from_init
from synthaug.generators.mixture import COVARIANCE_TYPES
from synthaug.generators.smote_nc import check_categorical_features

_FALLBACK = [StrOptions({"raise", "smote"})]


@fill_doc
class SMOTESampler(GeneratorSampler):
    """SMOTE over-sampler (:func:`synthaug.generators.smote`).

    Each synthetic row is :math:`x_i + u (x_j - x_i)`, :math:`x_i` a uniform minority
    row, :math:`x_j` one of its ``k_neighbors`` nearest minority neighbours and
    :math:`u \\sim U(0, 1)` (Chawla, Bowyer, Hall & Kegelmeyer, 2002, "SMOTE: Synthetic
    Minority Over-sampling Technique", JAIR 16).

    Parameters
    ----------
    {k_neighbors}

    {sampler_parameters}
    """

    _generator_name = "smote"
    _generator_param_names = {"k_neighbors": "k"}
    _parameter_constraints: dict = {**GeneratorSampler._parameter_constraints, "k_neighbors": [POSITIVE_INT]}

    def __init__(self, *, k_neighbors=5, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        set_params_from_init(self, locals())


@fill_doc
class BorderlineSMOTESampler(GeneratorSampler):
    """Borderline-SMOTE over-sampler (:mod:`synthaug.generators.borderline`).

    Only the minority rows on the class border ("danger" points) seed synthetic rows
    (Han, Wang & Mao, 2005, "Borderline-SMOTE: A New Over-Sampling Method in
    Imbalanced Data Sets Learning", ICIC).

    Parameters
    ----------
    {k_neighbors}

    m_neighbors : int, default=10
        Number of nearest neighbours among all rows that decide whether a minority row
        is a danger point.

    kind : {1, 2, "borderline-1", "borderline-2"}, default=1
        Kind 1 interpolates towards minority neighbours; kind 2 also towards majority
        neighbours (with :math:`u \\sim U(0, 0.5)`).

    {fallback}

    {sampler_parameters}
    """

    _generator_name = "borderline-smote"
    _generator_param_names = {"k_neighbors": "k", "m_neighbors": "m"}
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k_neighbors": [POSITIVE_INT],
        "m_neighbors": [POSITIVE_INT],
        "kind": [StrOptions({"borderline-1", "borderline-2"}), Interval(numbers.Integral, 1, 2, closed="both")],
        "fallback": _FALLBACK,
    }

    def __init__(self, *, k_neighbors=5, m_neighbors=10, kind=1, fallback="raise", sampling_strategy="auto",
                 n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _generator_params(self) -> dict:
        params = super()._generator_params()
        params["kind"] = int({"borderline-1": 1, "borderline-2": 2}.get(self.kind, self.kind))
        return params


@fill_doc
class ADASYNSampler(GeneratorSampler):
    """ADASYN over-sampler (:mod:`synthaug.generators.adasyn`).

    Minority rows with more majority neighbours seed more synthetic rows (He, Bai,
    Garcia & Li, 2008, "ADASYN: Adaptive Synthetic Sampling Approach for Imbalanced
    Learning", IJCNN).

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of nearest neighbours for both the hardness ratio (among all rows) and
        the interpolation partners (among the minority).

    {fallback}

    {sampler_parameters}
    """

    _generator_name = "adasyn"
    _generator_param_names = {"n_neighbors": "k"}
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "n_neighbors": [POSITIVE_INT],
        "fallback": _FALLBACK,
    }

    def __init__(self, *, n_neighbors=5, fallback="raise", sampling_strategy="auto", n_synthetic=None,
                 gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())


@fill_doc
class SMOTENCSampler(GeneratorSampler):
    """SMOTE-NC over-sampler for mixed numeric and categorical data (:mod:`synthaug.generators.smote_nc`).

    SMOTE-NC of Chawla, Bowyer, Hall & Kegelmeyer (2002, "SMOTE: Synthetic Minority
    Over-sampling Technique", JAIR 16, §6.1). Categorical columns may hold any values
    (strings included): each is coded as the index of its value among the column's
    sorted unique values, and synthetic codes are mapped back, so synthetic rows only
    take values seen in that class. The other columns must be numeric (``ValueError``
    naming the column otherwise).

    Parameters
    ----------
    categorical_features : array-like of int or bool
        Indices of the categorical columns, or a boolean mask over the columns.

    {k_neighbors}

    {sampler_parameters}

    Attributes
    ----------
    categorical_features_ : ndarray of int
        Indices of the categorical columns, validated in ``fit_resample``.
    """

    _generator_name = "smote-nc"
    _generator_param_names = {"k_neighbors": "k"}
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "categorical_features": ["array-like"],
        "k_neighbors": [POSITIVE_INT],
    }
    _numeric_only = False
    _float_input = False  # the categorical columns are coded in _resample

    def __init__(self, categorical_features, *, k_neighbors=5, sampling_strategy="auto", n_synthetic=None,
                 gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"],
                             ensure_all_finite=False)
        return X, y, binarize_y

    def _generator_params(self) -> dict:
        return {**super()._generator_params(), "categorical_features": self.categorical_features_}

    def _resample(self, X, y):
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
        Xr, yr = super()._resample(Xf, y)
        out = np.empty(Xr.shape, dtype=X.dtype)
        out[:n] = X
        syn = Xr[n:]
        num = np.setdiff1d(np.arange(d), cat)
        out[n:, num] = syn[:, num]
        for j in cat:
            out[n:, j] = uniques[j][np.rint(syn[:, j]).astype(int)]
        return out, yr


@fill_doc
class SmoothedBootstrapSampler(GeneratorSampler):
    """Smoothed bootstrap over-sampler (:mod:`synthaug.generators.kde`).

    A minority row drawn with replacement plus Gaussian kernel noise with Silverman's
    bandwidth (Silverman, 1986, "Density Estimation for Statistics and Data Analysis",
    eq. 4.14), the generator behind ROSE (Menardi & Torelli, 2014, "Training and
    assessing classification rules with imbalanced data", DMKD 28).

    Parameters
    ----------
    shrink : float, default=1.0
        Multiplier of Silverman's bandwidth (``0`` is random oversampling).

    {sampler_parameters}
    """

    _generator_name = "smoothed-bootstrap"
    _parameter_constraints: dict = {**GeneratorSampler._parameter_constraints, "shrink": [NON_NEGATIVE]}

    def __init__(self, *, shrink=1.0, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        set_params_from_init(self, locals())


@fill_doc
class GaussianMixtureSampler(GeneratorSampler):
    """Gaussian-mixture over-sampler (:mod:`synthaug.generators.mixture`).

    A Gaussian mixture is fitted by EM to each oversampled class (Dempster, Laird &
    Rubin, 1977, "Maximum Likelihood from Incomplete Data via the EM Algorithm", JRSS B
    39), then sampled.

    Parameters
    ----------
    n_components : int, default=2
        Number of mixture components.

    covariance_type : {"full", "diag"}, default="full"
        Full or diagonal component covariances.

    max_iter : int, default=100
        Maximum number of EM iterations.

    tol : float, default=1e-6
        EM stops when the mean log-likelihood changes by less than ``tol``.

    reg_covar : float, default=1e-6
        Ridge added to each covariance, relative to the mean column variance.

    {sampler_parameters}
    """

    _generator_name = "gmm"
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "n_components": [POSITIVE_INT],
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "max_iter": [POSITIVE_INT],
        "tol": [NON_NEGATIVE],
        "reg_covar": [NON_NEGATIVE],
    }

    def __init__(self, *, n_components=2, covariance_type="full", max_iter=100, tol=1e-6, reg_covar=1e-6,
                 sampling_strategy="auto", n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())


@fill_doc
class RandomOversamplingSampler(GeneratorSampler):
    """Random oversampling (minority rows drawn with replacement), on the generator protocol.

    Parameters
    ----------
    {sampler_parameters}
    """

    _generator_name = "random"


#: The samplers defined here, in definition order (the module's public names; there is no
#: hand-kept list: :func:`synthaug.estimators.all_estimators` finds every estimator).
OVERSAMPLER_CLASSES = tuple(
    obj for obj in list(globals().values())
    if isinstance(obj, type) and issubclass(obj, GeneratorSampler) and obj.__module__ == __name__
)
__all__ = [cls.__name__ for cls in OVERSAMPLER_CLASSES] + ["OVERSAMPLER_CLASSES"]
