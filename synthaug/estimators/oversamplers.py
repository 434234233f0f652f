r"""imbalanced-learn samplers for synthaug's generators (one class per method).

Every class is a :class:`synthaug.estimators.base.GeneratorSampler`: ``fit_resample``,
``random_state``, ``n_synthetic`` / ``gap_multiple`` / ``sampling_strategy``
for the size, pandas in → pandas out, sparse in → sparse out, and each passes
imbalanced-learn's sampler checks (``tests/estimators/test_common.py``). For a class
being oversampled the generator sees that class as the minority and all other
rows as the majority (one-vs-rest).

==================================  ===========================  ======================================
class                               generator (by name)          method
==================================  ===========================  ======================================
:class:`SMOTESampler`               ``smote``                    Chawla et al. 2002
:class:`BorderlineSMOTESampler`     ``borderline-smote``         Han, Wang & Mao 2005, kinds 1 and 2
:class:`ADASYNSampler`              ``adasyn``                   He et al. 2008
:class:`SMOTENCSampler`             ``smote-nc``                 Chawla et al. 2002 §6.1 (mixed types)
:class:`SmoothedBootstrapSampler`   ``smoothed-bootstrap``       Gaussian KDE, Silverman bandwidth
:class:`GaussianMixtureSampler`     ``gmm``                      EM-fitted Gaussian mixture
:class:`RandomOversamplingSampler`  ``random``                   rows drawn with replacement
==================================  ===========================  ======================================

The numeric-only samplers (all but SMOTE-NC) reject non-numeric columns up
front with a ``ValueError`` naming them (pandas ``object``/``category``/string
columns, or an array whose entries are not numbers), instead of imbalanced-learn's
"could not convert string to float".
"""

from __future__ import annotations

import numbers

import jax.numpy as jnp
import numpy as np
from imblearn.utils import check_target_type
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import validate_data

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import (
    NON_NEGATIVE,
    POSITIVE_INT,
    GeneratorSampler,
    set_params_from_init,
    warn_skipped_class,
)
from synthaug.generators._neighbours import (
    NoSeedRowsError,
    host_neighbours,
    interpolate_from_table,
    neighbours_in_all,
    neighbours_in_minority,
)
from synthaug.generators.adasyn import ROUNDINGS, adasyn_from_tables
from synthaug.generators.basic import _bucketed_majority_call
from synthaug.generators.borderline import MAJORITY_STEPS, borderline_smote_from_tables, borderline_smote_with_parents
from synthaug.generators.mixture import COVARIANCE_TYPES
from synthaug.generators.smote_nc import check_categorical_features

_FALLBACK = [StrOptions({"raise", "smote"})]
#: An int, or a neighbour estimator as imbalanced-learn accepts one.
_NEIGHBOURS = [POSITIVE_INT, HasMethods(["kneighbors", "kneighbors_graph"])]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def neighbour_object(value):
    """imbalanced-learn's fitted neighbour attribute for a ``k_neighbors``-like parameter.

    ``NearestNeighbors(n_neighbors=value + 1)`` for an int (the configuration equivalent
    to synthaug's JAX search, which is what runs; it is not fitted), a clone of a
    neighbour estimator otherwise (fitted on the host by the sampler).
    """
    if _is_int(value):
        return NearestNeighbors(n_neighbors=int(value) + 1)
    return clone(value)


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

    Attributes
    ----------
    nn_k_ : estimator object
        The neighbour configuration (see ``k_neighbors``).

    {sampler_attributes}

    See Also
    --------
    BorderlineSMOTESampler : SMOTE seeded from the class border only.
    SMOTENCSampler : SMOTE for mixed numeric and categorical columns.
    synthaug.generators.smote : The pure JAX generator behind it.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
       Minority Over-sampling Technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SMOTESampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = SMOTESampler(k_neighbors=3, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)  # "auto": raise the minority to 48 rows
    >>> X_res.shape, np.bincount(y_res).tolist(), dict(sampler.sampling_strategy_)
    ((96, 2), [48, 48], {1: 32})
    >>> bool(np.array_equal(X_res[:64], X))  # the original rows come first, unchanged
    True
    >>> X_res, y_res = SMOTESampler(gap_multiple=0.5, random_state=0).fit_resample(X, y)  # half the gap
    >>> np.bincount(y_res).tolist()
    [48, 32]
    """

    _generator_name = "smote"
    _generator_param_names = {"k_neighbors": "k"}
    _parameter_constraints: dict = {**GeneratorSampler._parameter_constraints, "k_neighbors": _NEIGHBOURS}

    def __init__(self, *, k_neighbors=5, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        set_params_from_init(self, locals())

    def _resample(self, X, y):
        self.nn_k_ = neighbour_object(self.k_neighbors)
        return super()._resample(X, y)

    def _generate(self, key, X, y, cls, n):
        if _is_int(self.k_neighbors):
            return super()._generate(key, X, y, cls, n)
        X1 = X[y == cls]
        nbrs = host_neighbours(self.nn_k_, X1, X1)
        return interpolate_from_table(key, jnp.asarray(X1), jnp.asarray(nbrs), n)[0]


@fill_doc
class BorderlineSMOTESampler(GeneratorSampler):
    """Borderline-SMOTE over-sampler (:mod:`synthaug.generators.borderline`).

    Only the minority rows on the class border ("danger" points) seed synthetic rows
    (Han, Wang & Mao, 2005, "Borderline-SMOTE: A New Over-Sampling Method in
    Imbalanced Data Sets Learning", ICIC).

    Parameters
    ----------
    {k_neighbors}

    m_neighbors : int or object, default=10
        Number of nearest neighbours among all rows that decide whether a minority row
        is a danger point; or a neighbour estimator, used as for ``k_neighbors`` (fitted
        on all rows, first neighbour dropped). The fitted copy is ``nn_m_``.

    kind : {1, 2, "borderline-1", "borderline-2"}, default=1
        Kind 1 interpolates towards minority neighbours; kind 2 also towards majority
        neighbours, with the step given by ``majority_step``.

    fallback : {"skip", "raise", "smote"}, default="skip"
        What to do for a class with no danger point: ``"skip"`` generates no rows for it
        and warns (imbalanced-learn's behaviour), ``"raise"`` raises a ``ValueError``,
        ``"smote"`` seeds from every row of the class (plain SMOTE seeds).

    majority_step : {"paper", "imblearn"}, default="paper"
        Kind 2's interpolation weight towards a majority neighbour: ``"paper"`` draws
        :math:`u \\sim U(0, 0.5)` as Han et al. describe (mean 1/4); ``"imblearn"`` draws
        :math:`u_1 u_2`, :math:`u_1 \\sim U(0, 1)`, :math:`u_2 \\sim U(0, 0.5)`, as
        imbalanced-learn's ``BorderlineSMOTE`` does (mean 1/8). Ignored by kind 1.

    {sampler_parameters}

    Attributes
    ----------
    nn_k_ : estimator object
        The interpolation-partner neighbour estimator (see ``k_neighbors``).
    nn_m_ : estimator object
        The danger-test neighbour estimator (see ``m_neighbors``).
    in_danger_indices : dict of ndarray
        Class -> indices (rows of ``X``) of its danger points, for the classes that have
        some, as in imbalanced-learn.
    {sampler_attributes}

    See Also
    --------
    SMOTESampler : Every minority row seeds.
    ADASYNSampler : Seeds weighted by hardness.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] H. Han, W.-Y. Wang and B.-H. Mao, "Borderline-SMOTE: A New Over-Sampling Method in
       Imbalanced Data Sets Learning", Advances in Intelligent Computing (ICIC 2005),
       LNCS 3644, 878-887, 2005.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import BorderlineSMOTESampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = BorderlineSMOTESampler(k_neighbors=3, fallback="smote", n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """

    _generator_name = "borderline-smote"
    _generator_param_names = {"k_neighbors": "k", "m_neighbors": "m"}
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k_neighbors": _NEIGHBOURS,
        "m_neighbors": _NEIGHBOURS,
        "kind": [StrOptions({"borderline-1", "borderline-2"}), Interval(numbers.Integral, 1, 2, closed="both")],
        "fallback": [StrOptions({"skip", "raise", "smote"})],
        "majority_step": [StrOptions(set(MAJORITY_STEPS))],
    }

    def __init__(self, *, k_neighbors=5, m_neighbors=10, kind=1, fallback="skip", majority_step="paper",
                 sampling_strategy="auto", n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _kind(self) -> int:
        return int({"borderline-1": 1, "borderline-2": 2}.get(self.kind, self.kind))

    def _generator_params(self) -> dict:
        params = super()._generator_params()
        params["kind"] = self._kind()
        return params

    def _resample(self, X, y):
        self.nn_k_ = neighbour_object(self.k_neighbors)
        self.nn_m_ = neighbour_object(self.m_neighbors)
        self.in_danger_indices = {}
        return super()._resample(X, y)

    def _generate(self, key, X, y, cls, n):
        mask = y == cls
        X1, X0 = X[mask], X[~mask]
        kind = self._kind()
        try:
            if _is_int(self.k_neighbors) and _is_int(self.m_neighbors):
                if X1.shape[0] < self.k_neighbors + 1:
                    raise ValueError(f"class {cls!r} has {X1.shape[0]} rows; Borderline-SMOTE with "
                                     f"k_neighbors={self.k_neighbors} needs at least {self.k_neighbors + 1}")
                gen = self._generator()
                # one compiled program per pair of row buckets (the folds of a cross-validation share it)
                out = (_bucketed_majority_call(gen, key, X1, n, X0, host=True)
                       if gen.bucketed_majority(X1.shape[0], X0.shape[0], n) else None)
                if out is not None:
                    Xs, danger = out[0], out[1]["danger"]
                else:
                    Xs, _, _, _, danger = borderline_smote_with_parents(
                        key, X1, X0, n, int(self.k_neighbors), int(self.m_neighbors), kind, self.fallback,
                        self.majority_step)
            else:
                Xs, danger = self._generate_from_tables(key, X, y, cls, n, kind)
        except NoSeedRowsError as err:
            warn_skipped_class(cls, err)
            return None
        danger = np.asarray(danger)
        if danger.any():
            self.in_danger_indices[cls] = np.flatnonzero(mask)[danger]
        return Xs

    def _generate_from_tables(self, key, X, y, cls, n, kind):
        """Borderline-SMOTE with at least one neighbour estimator: tables on the host, draw in JAX."""
        mask = y == cls
        X1, X0 = X[mask], X[~mask]
        n1 = X1.shape[0]
        if _is_int(self.m_neighbors):
            m = int(self.m_neighbors)
            n_majority = np.asarray(jnp.sum(neighbours_in_all(jnp.asarray(X1), jnp.asarray(X0), m) >= n1, axis=1))
        else:
            table = host_neighbours(self.nn_m_, X, X1)
            m = table.shape[1]
            n_majority = np.sum(y[table] != cls, axis=1)
        if kind == 1:
            Xref, ref_majority = X1, np.zeros(n1, bool)
            nn_k = (np.asarray(neighbours_in_minority(jnp.asarray(X1), int(self.k_neighbors)))
                    if _is_int(self.k_neighbors) else host_neighbours(self.nn_k_, X1, X1))
        elif _is_int(self.k_neighbors):
            Xref = np.concatenate([X1, X0])
            ref_majority = np.arange(Xref.shape[0]) >= n1
            nn_k = np.asarray(neighbours_in_all(jnp.asarray(X1), jnp.asarray(X0), int(self.k_neighbors)))
        else:
            Xref, ref_majority = X, y != cls
            nn_k = host_neighbours(self.nn_k_, X, X1)
        Xs, _, _, _, danger = borderline_smote_from_tables(
            key, X1, Xref, n_majority, nn_k, ref_majority, n, m, kind, self.fallback, self.majority_step)
        return Xs, danger


@fill_doc
class ADASYNSampler(GeneratorSampler):
    """ADASYN over-sampler (:mod:`synthaug.generators.adasyn`).

    Minority rows with more majority neighbours seed more synthetic rows (He, Bai,
    Garcia & Li, 2008, "ADASYN: Adaptive Synthetic Sampling Approach for Imbalanced
    Learning", IJCNN).

    Parameters
    ----------
    n_neighbors : int or object, default=5
        Number of nearest neighbours for both the hardness ratio (among all rows) and
        the interpolation partners (among the minority); or, as in imbalanced-learn, a
        neighbour estimator (an object with ``kneighbors`` and ``kneighbors_graph``),
        cloned, fitted on the host on all rows and then on the class's rows, its first
        neighbour (the row itself) dropped. The fitted copy is ``nn_``.

    {fallback}

    rounding : {"largest-remainder", "imblearn"}, default="largest-remainder"
        How the shares :math:`n \\hat r_i` become per-seed counts: synthaug's
        largest-remainder rule (exactly ``n`` rows) or imbalanced-learn's ``np.rint``
        (a total that may differ from ``n`` by up to half the class size, as
        imbalanced-learn's ``ADASYN`` returns).

    {sampler_parameters}

    Attributes
    ----------
    nn_ : estimator object
        The neighbour estimator (see ``n_neighbors``).
    {sampler_attributes}

    See Also
    --------
    SMOTESampler : Uniform seeds.
    BorderlineSMOTESampler : Only danger points seed.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] H. He, Y. Bai, E. A. Garcia and S. Li, "ADASYN: Adaptive Synthetic Sampling Approach
       for Imbalanced Learning", IEEE International Joint Conference on Neural Networks
       (IJCNN), 1322-1328, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import ADASYNSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = ADASYNSampler(n_neighbors=3, fallback="smote", n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """

    _generator_name = "adasyn"
    _generator_param_names = {"n_neighbors": "k"}
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "n_neighbors": _NEIGHBOURS,
        "fallback": _FALLBACK,
        "rounding": [StrOptions(set(ROUNDINGS))],
    }

    def __init__(self, *, n_neighbors=5, fallback="raise", rounding="largest-remainder", sampling_strategy="auto",
                 n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _resample(self, X, y):
        self.nn_ = neighbour_object(self.n_neighbors)
        return super()._resample(X, y)

    def _generate(self, key, X, y, cls, n):
        if _is_int(self.n_neighbors):
            return super()._generate(key, X, y, cls, n)
        X1 = X[y == cls]
        n_majority = np.sum(y[host_neighbours(self.nn_, X, X1)] != cls, axis=1)
        nn_k = host_neighbours(self.nn_, X1, X1)
        return adasyn_from_tables(key, X1, n_majority, nn_k, n, self.fallback, self.rounding)[0]


@fill_doc
class SMOTENCSampler(GeneratorSampler):
    """SMOTE-NC over-sampler for mixed numeric and categorical data (:mod:`synthaug.generators.smote_nc`).

    SMOTE-NC of Chawla, Bowyer, Hall & Kegelmeyer (2002, "SMOTE: Synthetic Minority
    Over-sampling Technique", JAIR 16, §6.1). Categorical columns may hold any values
    (strings, booleans, pandas ``Categorical`` included): each is coded as the index of
    its value among the categories of ``categorical_encoder_``, and synthetic codes are
    mapped back, so synthetic rows only take values seen in that class. The other
    columns must be numeric or boolean (``ValueError`` naming the column otherwise). A
    pandas ``DataFrame`` is read column by column (never converted as a whole), and
    comes back with its own dtypes.

    Parameters
    ----------
    categorical_features : "auto" or array-like of int, str or bool
        The categorical columns: indices, column names (``DataFrame`` input), a boolean
        mask over the columns, or ``"auto"`` for the ``DataFrame`` columns of
        ``category`` dtype.

    categorical_encoder : estimator or None, default=None
        One-hot encoder whose fitted ``categories_`` define the categories of each
        categorical column (fitted on all rows; default
        ``OneHotEncoder(handle_unknown="ignore")``). It must keep one output column per
        category (``drop=`` is refused): the SMOTE-NC distance counts a mismatch on every
        categorical column, which a dropped column would hide. The fitted copy is
        ``categorical_encoder_``.

    {k_neighbors}

    {sampler_parameters}

    Attributes
    ----------
    categorical_features_ : ndarray of int
        Indices of the categorical columns, validated in ``fit_resample``.
    continuous_features_ : ndarray of int
        Indices of the other (numeric) columns.
    categorical_encoder_ : estimator
        The fitted encoder.
    median_std_ : dict
        Class -> ``Med``, the median of its numeric columns' standard deviations
        (``ddof=0``), the weight of a categorical mismatch, for each oversampled class.
    nn_k_ : estimator object
        See ``k_neighbors``.

    {sampler_attributes}

    See Also
    --------
    SMOTESampler : The numeric-only version.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
       Minority Over-sampling Technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002. Section 6.1 (SMOTE-NC).

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SMOTENCSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> colour = np.array(["red", "blue"], dtype=object)[rng.integers(0, 2, 64)]
    >>> X_mixed = np.column_stack([X.astype(object), colour])  # column 2 is categorical
    >>> sampler = SMOTENCSampler(categorical_features=[2], k_neighbors=3, n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X_mixed, y)
    >>> X_res.shape, sampler.categorical_features_.tolist()
    ((74, 3), [2])
    >>> set(X_res[64:, 2]) <= {"red", "blue"}  # synthetic categories are seen values
    True
    """

    _generator_name = "smote-nc"
    _generator_param_names = {"k_neighbors": "k"}
    _sampler_only_parameters = ("categorical_encoder",)
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
        "categorical_encoder": [HasMethods(["fit_transform", "inverse_transform"]), None],
        "k_neighbors": _NEIGHBOURS,
    }
    _numeric_only = False
    _float_input = False  # the categorical columns are coded in _fit_resample

    def __init__(self, categorical_features, *, categorical_encoder=None, k_neighbors=5, sampling_strategy="auto",
                 n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        self._categorical_columns_need_frame(X)
        if hasattr(X, "iloc") and hasattr(X, "dtypes"):  # a DataFrame is read column by column, as it is
            if X.shape[0] < 1:
                raise ValueError(f"Found array with {X.shape[0]} sample(s) while a minimum of 1 is required.")
            validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
            return X, np.asarray(y), binarize_y
        X, y = validate_data(self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"])
        return X, y, binarize_y

    def _generator_params(self) -> dict:
        return {**super()._generator_params(), "categorical_features": self.categorical_features_}

    def _categorical_columns_need_frame(self, X):
        """``"auto"`` reads the column dtypes: refuse anything but a DataFrame up front."""
        if isinstance(self.categorical_features, str) and self.categorical_features == "auto" and not (
                hasattr(X, "dtypes") and hasattr(X, "iloc")):
            raise ValueError(
                "categorical_features='auto' reads the column dtypes, so the input data should be a "
                f"pandas.DataFrame with 'category' columns; got {type(X).__name__}"
            )

    def _categorical_columns(self, X, d):
        from sklearn.utils._indexing import _get_column_indices

        if isinstance(self.categorical_features, str) and self.categorical_features == "auto":
            self._categorical_columns_need_frame(X)
            from pandas import CategoricalDtype

            cat = np.flatnonzero([isinstance(dt, CategoricalDtype) for dt in X.dtypes])
        else:
            spec = np.asarray(self.categorical_features)
            if spec.dtype.kind in "OUS" and not hasattr(X, "columns"):
                raise ValueError(f"categorical_features={list(spec)} names columns, which needs a pandas.DataFrame; "
                                 f"got {type(X).__name__}")
            try:
                cat = np.asarray(_get_column_indices(X, spec.tolist() if spec.dtype.kind != "b" else spec), dtype=int)
            except (ValueError, IndexError, KeyError) as err:
                raise ValueError(f"categorical_features={self.categorical_features!r}: {err}") from None
            cat = np.where(cat < 0, cat + d, cat)
        return check_categorical_features(cat, d) if cat.size else check_categorical_features(cat.astype(int), d)

    def _fit_resample(self, X, y):
        from scipy import sparse
        from sklearn.preprocessing import OneHotEncoder

        if sparse.issparse(X):
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        n, d = X.shape
        cat = self.categorical_features_ = self._categorical_columns(X, d)
        num = self.continuous_features_ = np.setdiff1d(np.arange(d), cat)
        if hasattr(X, "iloc"):
            Xo = np.empty((n, d), dtype=object)
            for j in range(d):
                Xo[:, j] = X.iloc[:, j].to_numpy()
        else:
            Xo = np.asarray(X)
        Xf = np.empty((n, d), dtype=Xo.dtype if np.issubdtype(Xo.dtype, np.floating) else float)
        for j in num:
            try:
                Xf[:, j] = Xo[:, j].astype(float)
            except (TypeError, ValueError):
                raise ValueError(
                    f"column {j} is not numeric; list it in categorical_features (categorical: {cat.tolist()})"
                ) from None
        for j in cat:
            col = Xo[:, j]
            if col.dtype.kind == "f" and not np.all(np.isfinite(col)):
                raise ValueError(f"categorical column {j} contains NaN or infinite values")
            if col.dtype == object and any(v is None or (isinstance(v, float) and np.isnan(v)) for v in col):
                raise ValueError(f"categorical column {j} contains missing values (None/NaN)")
        encoder = (OneHotEncoder(handle_unknown="ignore") if self.categorical_encoder is None
                   else clone(self.categorical_encoder))
        encoder.fit(Xo[:, cat])
        width = encoder.transform(Xo[:1, cat]).shape[1]
        categories = getattr(encoder, "categories_", None)
        if categories is None or width != sum(len(c) for c in categories):
            raise ValueError(
                "SMOTENC requires a one-hot encoding with one column per category: categorical_encoder="
                f"{self.categorical_encoder!r} gives {width} columns for "
                f"{'unknown' if categories is None else sum(len(c) for c in categories)} categories "
                "(do not set drop=)"
            )
        self.categorical_encoder_ = encoder
        for p, j in enumerate(cat):
            values, inverse = np.unique(Xo[:, j], return_inverse=True)
            position = {v: i for i, v in enumerate(categories[p])}
            Xf[:, j] = np.array([position[v] for v in values])[inverse]
        self.median_std_ = {}
        self.nn_k_ = neighbour_object(self.k_neighbors)
        Xr, yr = self._resample(Xf, y)
        out = np.empty(Xr.shape, dtype=Xo.dtype)
        out[:n] = Xo
        syn = Xr[n:]
        out[n:, num] = syn[:, num]
        for p, j in enumerate(cat):
            out[n:, j] = np.asarray(categories[p])[np.rint(syn[:, j]).astype(int)]
        return out, yr

    def _generate(self, key, X, y, cls, n):
        from synthaug.generators.smote_nc import median_std, smote_nc_with_parents

        X1 = X[y == cls]
        self.median_std_[cls] = median_std(X1[:, self.continuous_features_])
        if _is_int(self.k_neighbors):
            if X1.shape[0] < self.k_neighbors + 1:
                raise ValueError(f"class {cls!r} has {X1.shape[0]} rows; SMOTE-NC with k_neighbors={self.k_neighbors} "
                                 f"needs at least {self.k_neighbors + 1}")
            return smote_nc_with_parents(key, X1, n, self.categorical_features_, int(self.k_neighbors))[0]
        return smote_nc_with_parents(key, X1, n, self.categorical_features_, nn_estimator=self.nn_k_)[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags


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
        Multiplier of the bandwidth (``0`` is random oversampling).

    bandwidth : {"class", "imblearn"}, default="class"
        ``"class"``: Silverman's normal-reference rule for the class being sampled,
        :math:`(4 / ((d + 2) n_c))^{1/(d + 4)}` times the class's standard deviations
        (``ddof=1``). ``"imblearn"``: imbalanced-learn's rule
        (``RandomOverSampler(shrinkage=shrink)``), the same formula with the row count
        of all classes and ``ddof=0``, a narrower kernel for a small class.

    {sampler_parameters}

    Attributes
    ----------
    {sampler_attributes}

    See Also
    --------
    RandomOversamplingSampler : The same without kernel noise (``shrink=0``).
    GaussianMixtureSampler : A parametric density instead of a kernel one.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] B. W. Silverman, "Density Estimation for Statistics and Data Analysis", Chapman and
       Hall, 1986 (eq. 4.14, the bandwidth).
    .. [2] G. Menardi and N. Torelli, "Training and assessing classification rules with
       imbalanced data", Data Mining and Knowledge Discovery 28, 92-122, 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SmoothedBootstrapSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> X_res, y_res = SmoothedBootstrapSampler(shrink=0.5, n_synthetic=10, random_state=0).fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """

    _generator_name = "smoothed-bootstrap"
    _parameter_constraints: dict = {**GeneratorSampler._parameter_constraints, "shrink": [NON_NEGATIVE],
                                    "bandwidth": [StrOptions({"class", "imblearn"})]}

    def __init__(self, *, shrink=1.0, bandwidth="class", sampling_strategy="auto", n_synthetic=None,
                 gap_multiple=None, random_state=None):
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

    Attributes
    ----------
    {sampler_attributes}

    See Also
    --------
    SmoothedBootstrapSampler : A kernel density instead of a mixture.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum Likelihood from Incomplete Data
       via the EM Algorithm", Journal of the Royal Statistical Society B 39, 1-38, 1977.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import GaussianMixtureSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = GaussianMixtureSampler(n_components=1, max_iter=10, n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
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
    """Random oversampling: rows of the class drawn with replacement, optionally smoothed.

    With ``shrinkage=None`` (default) the rows are copied as they are, whatever their
    types: object, string, datetime and timedelta columns, NaN and infinite values, sparse
    matrices and ``DataFrame`` columns come back unchanged, as imbalanced-learn's
    ``RandomOverSampler`` copies them. With a shrinkage factor, each copied row gets
    Gaussian kernel noise, a smoothed bootstrap (Silverman, 1986, "Density Estimation
    for Statistics and Data Analysis", eq. 4.14; Menardi & Torelli, 2014, "Training and
    assessing classification rules with imbalanced data", DMKD 28), which needs numeric
    data. The same ``random_state`` draws the same rows whatever the shrinkage, so
    ``shrinkage=0`` is draw for draw ``shrinkage=None``.

    Parameters
    ----------
    shrinkage : float, dict or None, default=None
        ``None``: plain random oversampling. A float ``s >= 0``: the smoothed bootstrap
        with bandwidth ``s`` times the normal-reference bandwidth (``bandwidth``); a dict
        gives one factor per oversampled class (every such class must be listed).

    bandwidth : {"class", "imblearn"}, default="class"
        The normal-reference bandwidth of column ``j`` for a class of ``n_c`` rows in
        ``d`` columns: ``"class"`` is :math:`(4 / ((d + 2) n_c))^{1/(d + 4)}` times the
        class's standard deviation with ``ddof=1`` (Silverman's rule for the density
        being sampled, the class's); ``"imblearn"`` is imbalanced-learn's choice, the
        same formula with ``n_c`` replaced by the total number of rows ``n`` and
        ``ddof=0``, a narrower kernel (by :math:`(n_c / n)^{1/(d+4)}`) for a small class.

    {sampler_parameters}

    Attributes
    ----------
    shrinkage_ : dict or None
        Class -> shrinkage factor for the oversampled classes (``None`` when
        ``shrinkage`` is).
    sample_indices_ : ndarray of int
        Row of ``X`` behind each output row (the original rows first).
    {sampler_attributes}

    See Also
    --------
    SmoothedBootstrapSampler : Copies plus kernel noise.
    SMOTESampler : Interpolated rows.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] N. Japkowicz and S. Stephen, "The class imbalance problem: A systematic study",
       Intelligent Data Analysis 6(5), 429-449, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import RandomOversamplingSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> X_res, y_res = RandomOversamplingSampler(n_synthetic=10, random_state=0).fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    >>> bool(all((X[y == 1] == row).all(axis=1).any() for row in X_res[64:]))  # copies of minority rows
    True
    """

    _generator_name = "random"
    _sampler_only_parameters = ("shrinkage", "bandwidth")
    _numeric_only = False
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "shrinkage": [NON_NEGATIVE, dict, None],
        "bandwidth": [StrOptions({"class", "imblearn"})],
    }

    def __init__(self, *, shrinkage=None, bandwidth="class", sampling_strategy="auto", n_synthetic=None,
                 gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def fit_resample(self, X, y, **params):
        if self.shrinkage is not None:
            from synthaug.estimators.base import _non_numeric_columns

            bad = _non_numeric_columns(X)
            if bad:
                raise ValueError(
                    f"When shrinkage is not None, X needs to contain only numerical data to later generate a "
                    f"smoothed bootstrap sample; column(s) {bad} are not numeric (use shrinkage=None to copy rows)"
                )
        return super().fit_resample(X, y, **params)

    fit_resample.__doc__ = GeneratorSampler.fit_resample.__doc__

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if self.shrinkage is not None:
            X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=["csr", "csc"],
                                 dtype=[np.float64, np.float32])
        elif hasattr(X, "iloc") and hasattr(X, "dtypes"):  # rows are copied: the frame is kept as it is
            validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
            y = np.asarray(y)
        else:
            X, y = validate_data(self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"],
                                 ensure_all_finite=False)
        return X, y, binarize_y

    def _resolve_shrinkage(self, counts):
        if self.shrinkage is None:
            return None
        if isinstance(self.shrinkage, dict):
            missing = [c for c, n in counts.items() if c not in self.shrinkage]
            if missing:
                raise ValueError(
                    "`shrinkage` should contain a shrinkage factor for each class that will be resampled; "
                    f"classes {missing} are missing from shrinkage={self.shrinkage!r}"
                )
            for c, v in self.shrinkage.items():
                if not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
                    raise ValueError(f"The shrinkage factor needs to be >= 0 (and finite); got shrinkage[{c!r}]={v!r}")
            return {c: self.shrinkage[c] for c in counts}
        return {c: self.shrinkage for c in counts}

    def _fit_resample(self, X, y):
        from collections import OrderedDict

        import jax
        from sklearn.utils import _safe_indexing

        from synthaug.estimators.base import _in_class_order, key_from_random_state, synthetic_counts

        counts = synthetic_counts(y, self.sampling_strategy_, self.n_synthetic, self.gap_multiple)
        self.sampling_strategy_ = OrderedDict(counts)
        self.shrinkage_ = self._resolve_shrinkage(counts)
        key = key_from_random_state(self.random_state)
        n_all = y.shape[0]
        indices, noises = [np.arange(n_all)], []
        for i, (cls, n) in enumerate(_in_class_order(counts)):
            if n == 0:
                continue
            rows = np.flatnonzero(y == cls)
            pick, eps = _bootstrap_draw(jax.random.fold_in(key, i), rows.size, int(n), X.shape[1],
                                        noise=self.shrinkage_ is not None)
            indices.append(rows[np.asarray(pick)])
            if self.shrinkage_ is not None:
                noises.append(np.asarray(eps) * (self.shrinkage_[cls] * self._bandwidth(X, rows)))
        self.sample_indices_ = np.concatenate(indices)
        y_res = _safe_indexing(y, self.sample_indices_)
        if self.shrinkage_ is None:
            return _safe_indexing(X, self.sample_indices_), y_res
        from scipy import sparse

        dense = X.toarray() if sparse.issparse(X) else np.asarray(X)
        X_new = dense[self.sample_indices_[n_all:]] + (np.concatenate(noises) if noises else 0.0)
        X_res = np.vstack([dense, X_new.astype(dense.dtype)])
        return (type(X)(X_res) if sparse.issparse(X) else X_res), y_res

    def _bandwidth(self, X, rows):
        """Per-column kernel standard deviation (before the shrinkage factor) for the class ``rows``."""
        from scipy import sparse

        from synthaug.generators.kde import silverman_factor

        Xc = X[rows].toarray() if sparse.issparse(X) else np.asarray(X)[rows]
        n, d = X.shape
        if self.bandwidth == "imblearn":
            return silverman_factor(n, d) * np.std(Xc, axis=0)
        if rows.size < 2:
            raise ValueError(f"the smoothed bootstrap with bandwidth='class' needs at least 2 rows per class; a class "
                             f"has {rows.size} (use bandwidth='imblearn' or shrinkage=None)")
        return silverman_factor(rows.size, d) * np.std(Xc, axis=0, ddof=1)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self.shrinkage is None
        tags.input_tags.string = self.shrinkage is None
        tags.sampler_tags.sample_indices = True
        return tags


def _bootstrap_draw(key, n_rows: int, n: int, d: int, noise: bool = True):
    """Row picks (uniform on ``range(n_rows)``) and standard normal noise (n, d): independent sub-keys.

    The picks depend only on the first sub-key, so plain and smoothed bootstraps draw the
    same rows from the same key (``noise=False``, plain random oversampling, skips the
    noise and returns ``None`` for it). The size is rounded up to a bucket
    (:func:`synthaug.core.buckets.draw_size`) and the extra draws dropped, which leaves
    the first ``n`` unchanged (prefix-stable draws), so the folds of a cross-validation
    share one compiled program.
    """
    from synthaug.core.buckets import draw_size

    picks, eps = _bootstrap_programs()[bool(noise)](key, np.int32(n_rows), draw_size(n), d)
    return np.asarray(picks)[:n], (np.asarray(eps)[:n] if noise else None)


def _bootstrap_programs():
    """The jitted draws of :func:`_bootstrap_draw` (picks only, picks and noise), built on first use."""
    global _BOOTSTRAP_JIT
    if _BOOTSTRAP_JIT is None:
        import jax

        def draw(key, n_rows, n_out, d, noise):
            k_rows, k_noise = jax.random.split(key)
            picks = jax.random.randint(k_rows, (n_out,), 0, n_rows)
            return picks, (jax.random.normal(k_noise, (n_out, d)) if noise else None)

        _BOOTSTRAP_JIT = {
            noise: jax.jit(lambda key, n_rows, n_out, d, noise=noise: draw(key, n_rows, n_out, d, noise),
                           static_argnames=("n_out", "d"))
            for noise in (False, True)
        }
    return _BOOTSTRAP_JIT


_BOOTSTRAP_JIT = None


#: The samplers defined here, in definition order (the module's public names; there is no
#: hand-kept list: :func:`synthaug.estimators.all_estimators` finds every estimator).
OVERSAMPLER_CLASSES = tuple(
    obj for obj in list(globals().values())
    if isinstance(obj, type) and issubclass(obj, GeneratorSampler) and obj.__module__ == __name__
)
__all__ = [cls.__name__ for cls in OVERSAMPLER_CLASSES] + ["OVERSAMPLER_CLASSES"]
