"""SMOTE-N, the over-sampler for all-categorical data (:class:`SMOTENSampler`).

A thin imbalanced-learn facade over the pure JAX generator of
:mod:`synthaug.generators.smoten`: the columns are coded by an ordinal encoder (strings,
booleans, numbers, pandas ``Categorical`` alike), synthetic codes are drawn by the
generator and mapped back through the encoder, so pandas in gives pandas out with each
column's dtype (a ``category`` column stays ``category``, strings stay strings).
"""

from __future__ import annotations

import warnings

import jax.numpy as jnp
import numpy as np
from imblearn.utils import check_target_type
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import validate_data

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import GeneratorSampler, set_params_from_init
from synthaug.estimators.oversamplers import _NEIGHBOURS, _is_int, neighbour_object

__all__ = ["SMOTENSampler"]


@fill_doc
class SMOTENSampler(GeneratorSampler):
    """SMOTE-N over-sampler for categorical data (:func:`synthaug.generators.smoten.smoten`).

    SMOTE-N of Chawla, Bowyer, Hall & Kegelmeyer (2002, "SMOTE: Synthetic Minority
    Over-sampling Technique", JAIR 16, §6.2): every column is categorical. A synthetic
    row of class ``c`` takes a seed row of ``c`` uniformly, finds its ``k_neighbors``
    nearest rows of ``c`` under the Value Difference Metric (Stanfill & Waltz, 1986; Cost
    & Salzberg, 1993) and gives each column the value most frequent among the seed and
    those neighbours (ties to the smallest category in the encoder's sorted order). The
    VDM between two values is computed from their class frequencies over all rows and all
    classes, as in imbalanced-learn's :class:`~imblearn.over_sampling.SMOTEN`.

    Parameters
    ----------
    categorical_encoder : estimator or None, default=None
        Ordinal encoder mapping each column's values to codes ``0, 1, ...`` (fitted on all
        rows); default ``OrdinalEncoder(dtype=np.int32)``. It needs ``fit_transform``,
        ``inverse_transform`` and a fitted ``categories_``. The fitted copy is
        ``categorical_encoder_``.

    {sampling_strategy}

    {random_state}

    k_neighbors : int or object, default=5
        Nearest rows of the class (under the VDM) that vote with the seed. Or, as in
        imbalanced-learn, a neighbour estimator (an object with ``kneighbors`` and
        ``kneighbors_graph``), cloned, set to ``metric="precomputed"``, fitted on the host
        on the VDM distance matrix of the class; all of the ``n_neighbors`` rows it returns
        vote (the seed itself is normally the first), so ``NearestNeighbors(n_neighbors=6)``
        is ``k_neighbors=5``. The configuration is ``nn_k_``.

    {n_synthetic}

    {gap_multiple}

    Attributes
    ----------
    categorical_encoder_ : estimator
        The fitted encoder.
    nn_k_ : estimator object
        ``NearestNeighbors(n_neighbors=k_neighbors + 1, metric="precomputed")`` for an int
        (the configuration equivalent to the JAX search that runs; not fitted), the fitted
        clone of a neighbour estimator otherwise.

    {sampler_attributes}

    See Also
    --------
    SMOTENCSampler : Mixed numeric and categorical columns.
    SMOTESampler : Numeric columns.
    synthaug.generators.smoten.smoten : The pure JAX generator behind it.

    Notes
    -----
    Input: any 2-D array or ``DataFrame`` whose columns are categorical (object, string,
    ``category``, boolean or numeric columns: numbers are categories too, compared for
    equality only). Missing values (NaN, ``None``) are refused with a ``ValueError``. A
    sparse matrix is densified (with imbalanced-learn's ``DataConversionWarning``) and the
    result returned in its format.

    For two classes the sampler calls the registered generator ``"smoten"`` (which sees
    the class and the rest) on the codes; with more classes the VDM uses every class's
    frequencies (:func:`synthaug.generators.smoten.smoten_from_probabilities`), as
    imbalanced-learn does. Ties in distance are broken at random (see
    :mod:`synthaug.generators.smoten`); imbalanced-learn breaks them by scikit-learn's
    sort. Synthetic rows come from JAX keys, so the same ``random_state`` gives other
    (equally distributed) rows than imbalanced-learn.

    {synthetic_size}

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
       Minority Over-sampling Technique", Journal of Artificial Intelligence Research 16,
       321-357, 2002. Section 6.2 (SMOTE-N).
    .. [2] C. Stanfill and D. Waltz, "Toward Memory-Based Reasoning", Communications of
       the ACM 29(12), 1213-1228, 1986.
    .. [3] S. Cost and S. Salzberg, "A Weighted Nearest Neighbor Algorithm for Learning
       with Symbolic Features", Machine Learning 10, 57-78, 1993.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SMOTENSampler
    >>> rng = np.random.default_rng(0)
    >>> colour = np.array(["red", "green", "blue"], dtype=object)
    >>> X = np.column_stack([colour[rng.integers(0, 3, 64)], colour[rng.integers(0, 2, 64)]])
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = SMOTENSampler(k_neighbors=3, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((96, 2), [48, 48])
    >>> set(X_res[64:, 0]) <= set(X[y == 1, 0])  # synthetic values are values of the class
    True
    """

    _generator_name = "smoten"
    _generator_param_names = {"k_neighbors": "k"}
    _sampler_only_parameters = ("categorical_encoder",)
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "categorical_encoder": [HasMethods(["fit_transform", "inverse_transform"]), None],
        "k_neighbors": _NEIGHBOURS,
    }
    _numeric_only = False
    _float_input = False  # the columns are coded in _fit_resample

    def __init__(self, categorical_encoder=None, *, sampling_strategy="auto", random_state=None, k_neighbors=5,
                 n_synthetic=None, gap_multiple=None):
        set_params_from_init(self, locals())

    def _check_X_y(self, X, y, accept_sparse=None):
        # strings accepted (dtype=None), sparse too (densified in _fit_resample)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(self, X=X, y=y, reset=True, dtype=None, accept_sparse=["csr", "csc"])
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        from sklearn.preprocessing import OrdinalEncoder

        if sparse.issparse(X):
            warnings.warn("Passing a sparse matrix to SMOTEN is not really efficient since it is converted to a "
                          "dense array internally.", DataConversionWarning, stacklevel=3)
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        X = np.asarray(X)
        if X.dtype == object:
            missing = [j for j in range(X.shape[1])
                       if any(v is None or (isinstance(v, float) and np.isnan(v)) for v in X[:, j])]
            if missing:
                raise ValueError(f"X: column(s) {missing} contain missing values (None/NaN); SMOTEN needs a category "
                                 "in every entry (impute or drop them first)")
        elif np.issubdtype(X.dtype, np.number) and not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values; SMOTEN needs a category in every entry")
        encoder = (OrdinalEncoder(dtype=np.int32) if self.categorical_encoder is None
                   else clone(self.categorical_encoder))
        codes = np.asarray(encoder.fit_transform(X))
        categories = getattr(encoder, "categories_", None)
        if codes.shape != X.shape or categories is None or not np.all(np.isfinite(codes.astype(float))):
            raise ValueError(
                f"categorical_encoder={self.categorical_encoder!r} must be an ordinal encoder (one column of codes "
                "0, 1, ... per input column, with a fitted categories_); got output of shape "
                f"{codes.shape} for input of shape {X.shape}")
        self.categorical_encoder_ = encoder
        self.nn_k_ = neighbour_object(self.k_neighbors)
        self.nn_k_.set_params(metric="precomputed")
        self._classes, self._y_codes = np.unique(y, return_inverse=True)
        self._codes = codes.astype(np.int64)
        n = X.shape[0]
        try:
            Xr, yr = self._resample(codes.astype(float), y)
        finally:  # the per-fit tables are not kept on the estimator
            del self._classes, self._y_codes, self._codes
        syn = np.rint(Xr[n:]).astype(codes.dtype)
        if syn.shape[0] == 0:
            return X.copy(), yr
        X_new = encoder.inverse_transform(syn)
        return np.vstack([X, X_new]), yr

    def _generate(self, key, X, y, cls, n):
        from synthaug.generators.smoten import _np_probabilities, smoten_from_probabilities, vdm_distances

        rows = np.flatnonzero(y == cls)
        X1 = X[rows]
        if _is_int(self.k_neighbors) and rows.size < self.k_neighbors + 1:
            raise ValueError(f"class {cls!r} has {rows.size} rows; SMOTEN with k_neighbors={self.k_neighbors} needs at "
                             f"least {self.k_neighbors + 1}")
        if _is_int(self.k_neighbors) and self._classes.size == 2:
            return super()._generate(key, X, y, cls, n)  # the registered generator (class against the rest)
        P = _np_probabilities(self._codes, self._y_codes, self._classes.size, rows)
        if _is_int(self.k_neighbors):
            return smoten_from_probabilities(key, X1, P, n, int(self.k_neighbors))
        D = np.asarray(vdm_distances(jnp.asarray(P)))
        self.nn_k_.fit(D)
        table = np.asarray(self.nn_k_.kneighbors(D, return_distance=False))
        return smoten_from_probabilities(key, X1, P, n, table=table)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags
