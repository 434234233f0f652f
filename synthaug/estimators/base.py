r"""The one home of what synthaug's scikit-learn / imbalanced-learn estimators share.

:class:`GeneratorSampler` is the base of every generator-backed over-sampler, as
imbalanced-learn's ``over_sampling/_smote/base.py`` is for its SMOTE family. It validates
``(X, y)`` the imbalanced-learn way (so pandas in gives pandas out, sparse in gives sparse
out, and ``imblearn.pipeline.Pipeline`` works), refuses non-numeric columns with a clear
message, turns the requested synthetic size into a count per class, derives a JAX key from
``random_state`` and calls the pure generator (:class:`~synthaug.generators.Generator`)
once per class to oversample. Synthetic rows are appended after the original rows, in
class order (the labels' natural order: numeric for integer labels, so class 2 comes
before class 10), as imbalanced-learn's own samplers do. A class whose generator finds no
row to seed from (Borderline-SMOTE without danger points, ``fallback="skip"``) gets no
synthetic rows and a ``UserWarning``, as imbalanced-learn skips it. A subclass declares only the
name of its generator in the registry (``_generator_name``), its own parameters (in
``__init__`` and ``_parameter_constraints``) and, where a sampler parameter is named the
imbalanced-learn way, the factory parameter it feeds (``_generator_param_names``).

**Synthetic size.** Three ways; ``n_synthetic`` and ``gap_multiple`` exclude each other
(setting both raises ``ValueError``) and either one overrides ``sampling_strategy``:

* ``n_synthetic`` (int ≥ 0): that many synthetic rows of the minority class
  (binary problems only);
* ``gap_multiple`` (float ≥ 0): ``round(gap_multiple · (n0 − n1))`` rows, so
  ``1.0`` is full balancing and ``0.5`` half of it (binary only) — the scale
  on which Ma & Zhang's γ is expressed;
* otherwise imbalanced-learn's ``sampling_strategy`` (default ``"auto"``,
  every non-majority class raised to the majority count), multi-class allowed.

For a class ``c`` being oversampled, the generator sees the rows of ``c`` as the
minority and all other rows as the majority (one-vs-rest).

Shared by every estimator: :func:`seed_from_random_state` / :func:`key_from_random_state`
(``random_state`` to a seed or a JAX key), :func:`set_params_from_init` (the body of every
``__init__``) and :class:`DenseOverSampler` (float64 scope, sparse round trip, dense
float rows; also the base of :class:`~synthaug.estimators.vtss.VTSSSampler`).
:func:`as_sampler` wraps any :class:`~synthaug.generators.Generator` (or generator name)
as a sampler.
"""

from __future__ import annotations

import numbers
import warnings
from collections import OrderedDict

import jax
import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from synthaug.config import uses_x64
from synthaug.core.validation import check_allocation, check_finite_output, check_magnitudes
from synthaug.estimators._docs import fill_doc
from synthaug.generators import Generator, make_generator
from synthaug.generators._neighbours import NoSeedRowsError

# Public; the constraint constants, SAMPLER_PARAMETERS and set_params_from_init serve the
# estimator modules of this package.
__all__ = [
    "DenseOverSampler",
    "GeneratorSampler",
    "as_sampler",
    "key_from_random_state",
    "seed_from_random_state",
    "synthetic_counts",
]

#: ``_parameter_constraints`` entries shared by the estimators: an integer >= 1, a real >= 0.
POSITIVE_INT = Interval(numbers.Integral, 1, None, closed="left")
NON_NEGATIVE = Interval(numbers.Real, 0, None, closed="left")

#: Parameters of every generator-backed sampler that are not parameters of its generator.
SAMPLER_PARAMETERS = ("sampling_strategy", "n_synthetic", "gap_multiple", "random_state")


def seed_from_random_state(random_state, modulus: int = 2**32) -> int:
    """An integer seed from a scikit-learn ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        An int (not a bool) is used as it is, reduced modulo ``modulus``; otherwise a seed
        in ``[0, 2**31 - 1)`` is drawn from ``check_random_state(random_state)``.
    modulus : int, default=2**32
        Range of an integer seed.

    Returns
    -------
    int
        The seed.
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state) % modulus
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


def key_from_random_state(random_state):
    """A JAX key from a scikit-learn ``random_state`` (None, int or RandomState).

    Parameters
    ----------
    random_state : int, RandomState instance or None
        See :func:`seed_from_random_state`.

    Returns
    -------
    jax.Array
        A typed PRNG key, ``jax.random.key(seed)``.
    """
    return jax.random.key(seed_from_random_state(random_state))


def set_params_from_init(estimator, values: dict) -> None:
    """Store each ``__init__`` parameter of ``estimator`` under its own name.

    The body of every synthaug estimator's ``__init__`` (``set_params_from_init(self,
    locals())``): scikit-learn's contract is that ``__init__`` stores its arguments
    unchanged and does nothing else, and this is that rule in one place.

    Parameters
    ----------
    estimator : sklearn.base.BaseEstimator
        The estimator being constructed.
    values : dict
        The ``__init__``'s ``locals()``: a value for every parameter.
    """
    for name in type(estimator)._get_param_names():
        setattr(estimator, name, values[name])


def plain_label(label):
    """A class label as a plain Python value (``np.int64(1)`` -> ``1``, ``np.str_("a")`` -> ``"a"``).

    Parameters
    ----------
    label : object
        A label, e.g. an entry of ``np.unique(y)``.

    Returns
    -------
    object
        ``label.item()`` for a NumPy scalar, ``label`` itself otherwise.
    """
    return label.item() if isinstance(label, np.generic) else label


def synthetic_counts(y, sampling_strategy_, n_synthetic=None, gap_multiple=None) -> dict:
    """Synthetic rows to add per class (see the module docstring for the precedence).

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class labels.
    sampling_strategy_ : dict
        imbalanced-learn's resolved strategy (class -> rows to add).
    n_synthetic : int or None, default=None
        Rows to add to the minority class (binary targets).
    gap_multiple : float or None, default=None
        Rows to add as a multiple of the class gap (binary targets).

    Returns
    -------
    dict
        Class label -> number of synthetic rows, keyed by plain Python values (``int``,
        ``str``, ...) equal to the labels of ``y``, never by NumPy scalars.

    Raises
    ------
    ValueError
        If both ``n_synthetic`` and ``gap_multiple`` are given, or either is given for a
        target that is not binary.
    """
    if n_synthetic is not None and gap_multiple is not None:
        raise ValueError(
            f"give n_synthetic or gap_multiple, not both (got n_synthetic={n_synthetic}, gap_multiple={gap_multiple}): "
            "n_synthetic counts synthetic rows, gap_multiple expresses them as a multiple of the class gap"
        )
    if n_synthetic is None and gap_multiple is None:
        return _checked_counts({plain_label(c): int(n) for c, n in sampling_strategy_.items()})
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) != 2:
        raise ValueError(
            f"n_synthetic and gap_multiple need a binary target; got {len(classes)} classes "
            "(use sampling_strategy for multi-class problems)"
        )
    minority = plain_label(classes[np.argmin(counts)])
    gap = int(counts.max() - counts.min())
    if n_synthetic is not None:
        return _checked_counts({minority: int(n_synthetic)})
    return _checked_counts({minority: int(round(float(gap_multiple) * gap))})


def _checked_counts(counts: dict) -> dict:
    """``counts``, refused by the shared size check (:func:`synthaug.core.validation.check_allocation`)
    when a class's rows cannot be drawn; every sampler resolves its counts here, before drawing."""
    for cls, n in counts.items():
        check_allocation(n, 1, f"n (synthetic rows of class {cls!r})")
    return counts


def _in_class_order(counts: dict):
    """``counts.items()`` in the classes' natural order (numeric for numbers: 2 before 10)."""
    try:
        return sorted(counts.items(), key=lambda kv: kv[0])
    except TypeError:  # labels of mixed, incomparable types
        return sorted(counts.items(), key=lambda kv: str(kv[0]))


def warn_skipped_class(cls, err) -> None:
    """Warn that class ``cls`` gets no synthetic rows because its generator found no seed row."""
    warnings.warn(f"class {cls!r} gets no synthetic rows: {err} (fallback='skip')", UserWarning, stacklevel=4)


def _nullable_to_float(X):
    """A DataFrame's nullable numeric columns (``Int64``, ``Float64``, ...) as float64, others unchanged.

    Synthetic rows interpolate, so they are not integers: the output frame, rebuilt with the
    input's dtypes, could not hold them in an ``Int64`` column. Missing values become NaN
    (refused with the usual message).
    """
    if not (hasattr(X, "dtypes") and hasattr(X, "columns")):
        return X
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_extension_array_dtype, is_numeric_dtype

    # Sparse columns stay sparse (imbalanced-learn's pandas-sparse round trip): they are numeric
    # extension dtypes too, but hold plain floats.
    cols = [c for c, dt in X.dtypes.items() if is_extension_array_dtype(dt) and is_numeric_dtype(dt)
            and not is_bool_dtype(dt) and not isinstance(dt, pd.SparseDtype)]
    if not cols:
        return X
    return X.astype({c: "float64" for c in cols})


def check_single_target(y, estimator_name: str) -> None:
    """Refuse a 2-D ``y`` of several columns (multilabel / multioutput) before any other check.

    A column vector of shape (n, 1) is left to scikit-learn's validation (which ravels it
    with a warning). The message starts with imbalanced-learn's wording, so code and
    checks written against its classifiers see the same error.

    Raises
    ------
    ValueError
        Naming the estimator and the shape of ``y``.
    """
    shape = getattr(y, "shape", None)
    if shape is None:
        try:
            shape = np.asarray(y).shape  # __array__, not the array-function protocol
        except (TypeError, ValueError):  # ragged or odd input: left to scikit-learn's validation
            return
    if len(shape) == 2 and shape[1] > 1:
        raise ValueError(f"Multilabel and multioutput targets are not supported. {estimator_name} is a binary "
                         f"classifier: y must be one label per row (1-D), got shape {tuple(shape)}")


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
        except ValueError:  # strings; other objects (a dict) get scikit-learn's own TypeError
            bad.append(j)
        except TypeError:
            pass
    return bad


class DenseOverSampler(BaseOverSampler):
    """An imbalanced-learn over-sampler that resamples dense rows under float64.

    ``fit_resample`` runs under :func:`synthaug.config.uses_x64`; a sparse ``X`` is
    densified, resampled and returned in its own sparse format; the rows reach
    :meth:`_resample` as a dense ndarray, converted to float unless ``_float_input`` is
    False (SMOTE-NC codes its categorical columns first). Subclasses implement
    :meth:`_resample`.
    """

    #: Convert the rows to a floating dtype before :meth:`_resample`.
    _float_input = True

    @uses_x64
    def fit_resample(self, X, y, **params):
        return super().fit_resample(X, y, **params)

    fit_resample.__doc__ = BaseOverSampler.fit_resample.__doc__

    def _fit_resample(self, X, y):
        if sparse.issparse(X):
            # The resampling works on dense rows; the result goes back to the input's sparse format.
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        X = np.asarray(X)
        if self._float_input and not np.issubdtype(X.dtype, np.floating):
            X = X.astype(float)
        return self._resample(X, y)

    def _resample(self, X, y):  # pragma: no cover - abstract
        raise NotImplementedError


@fill_doc
class GeneratorSampler(DenseOverSampler):
    """Base class of synthaug's generator-backed over-samplers.

    A subclass sets ``_generator_name`` (its generator in
    :data:`synthaug.generators.GENERATOR_FACTORIES`), lists its own parameters in
    ``__init__`` (whose body is ``set_params_from_init(self, locals())``) and in
    ``_parameter_constraints``, and maps the parameters named the imbalanced-learn way to
    the factory's names in ``_generator_param_names`` (e.g. ``{"k_neighbors": "k"}``).
    Every other parameter but :data:`SAMPLER_PARAMETERS` is passed to the factory under
    its own name, and the generator comes from :func:`synthaug.generators.make_generator`
    (one object per configuration).

    Parameters
    ----------
    {sampler_parameters}

    Attributes
    ----------
    {sampler_attributes}

    See Also
    --------
    as_sampler : A sampler for any generator.
    synthaug.estimators.SMOTESampler : A subclass.

    Notes
    -----
    {synthetic_size}
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "n_synthetic": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "gap_multiple": [NON_NEGATIVE, None],
    }

    #: Name of the generator in the registry (None: the subclass overrides :meth:`_generator`).
    _generator_name: str | None = None
    #: Sampler parameter -> factory parameter, for the parameters whose names differ.
    _generator_param_names: dict = {}
    #: Parameters the sampler itself resolves (e.g. per class), not passed to the factory.
    _sampler_only_parameters: tuple = ()
    #: Refuse non-numeric columns up front with a message naming them.
    _numeric_only = True

    def __init__(self, *, sampling_strategy="auto", n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())

    def _generator_params(self) -> dict:
        """The factory's keyword arguments, from this sampler's generator parameters."""
        return {
            self._generator_param_names.get(name, name): value
            for name, value in self.get_params(deep=False).items()
            if name not in SAMPLER_PARAMETERS and name not in self._sampler_only_parameters
        }

    def _generator(self) -> Generator:
        if self._generator_name is None:  # pragma: no cover - a subclass forgot to declare it
            raise NotImplementedError(f"{type(self).__name__} sets no _generator_name")
        return make_generator(self._generator_name, **self._generator_params())

    def fit_resample(self, X, y, **params):
        if self._numeric_only:
            bad = _non_numeric_columns(X)
            if bad:
                raise ValueError(
                    f"{type(self).__name__} works on numeric columns only, but column(s) {bad} are categorical or "
                    "non-numeric; use SMOTENCSampler(categorical_features=...) for mixed data, or encode them first"
                )
            X = _nullable_to_float(X)
        return super().fit_resample(X, y, **params)

    fit_resample.__doc__ = BaseOverSampler.fit_resample.__doc__

    def _resample(self, X, y):
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values; impute or drop them before resampling")
        counts = synthetic_counts(y, self.sampling_strategy_, self.n_synthetic, self.gap_multiple)
        # The shared checks of the generator call path, before anything is drawn (a subclass's
        # _generate may not go through Generator.__call__): sizes that cannot be allocated,
        # columns whose squares overflow.
        for cls, n in counts.items():
            check_allocation(int(n), X.shape[1], f"n (synthetic rows of class {cls!r})", itemsize=X.dtype.itemsize)
        check_magnitudes(X, "X", getattr(self, "feature_names_in_", None))
        # The rows actually added per class (n_synthetic / gap_multiple override the strategy).
        self.sampling_strategy_ = OrderedDict(counts)
        key = key_from_random_state(self.random_state)
        X_parts, y_parts = [X], [y]
        for i, (cls, n) in enumerate(_in_class_order(counts)):
            if n == 0:
                continue
            X_new = self._generate(jax.random.fold_in(key, i), X, y, cls, int(n))
            if X_new is None:  # the generator found nothing to seed from: class skipped (warned)
                self.sampling_strategy_[cls] = 0
                continue
            X_new = np.asarray(X_new, dtype=X.dtype)
            check_finite_output(X_new, type(self).__name__)
            self.sampling_strategy_[cls] = int(X_new.shape[0])
            X_parts.append(X_new)
            y_parts.append(np.full(X_new.shape[0], cls, dtype=y.dtype))
        return np.concatenate(X_parts), np.concatenate(y_parts)

    def _generate(self, key, X, y, cls, n):
        """``n`` synthetic rows of class ``cls`` (``None``: skip the class), from the generator.

        The rows of ``cls`` are the minority, all others the majority. A generator that
        raises :class:`~synthaug.generators._neighbours.NoSeedRowsError` (``fallback="skip"``:
        e.g. Borderline-SMOTE with no danger point) gets the class skipped with a
        ``UserWarning``, as imbalanced-learn skips it. Subclasses that build neighbour
        tables or record fitted attributes override this.
        """
        gen = self._generator()
        mask = y == cls
        X1, X0 = X[mask], X[~mask]
        if X1.shape[0] < gen.min_rows:
            raise ValueError(
                f"class {cls!r} has {X1.shape[0]} rows; generator {gen.name!r} needs at least {gen.min_rows}"
            )
        try:
            return gen.host_rows(key, X1, n, X_majority=X0)
        except NoSeedRowsError as err:
            warn_skipped_class(cls, err)
            return None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


@fill_doc
class _NamedGeneratorSampler(GeneratorSampler):
    """Over-sampler for a generator given by name or as a :class:`~synthaug.generators.Generator`.

    Parameters
    ----------
    {generator}

    {generator_params}

    {sampler_parameters}
    """

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "generator": [str, Generator],
        "generator_params": [dict, None],
    }
    # Any generator may be wrapped, mixed-type ones included: the columns are not screened.
    _numeric_only = False

    def __init__(
        self,
        generator="smote",
        *,
        generator_params=None,
        sampling_strategy="auto",
        n_synthetic=None,
        gap_multiple=None,
        random_state=None,
    ):
        set_params_from_init(self, locals())

    def _generator(self) -> Generator:
        if isinstance(self.generator, Generator):
            return self.generator
        return make_generator(self.generator, **(self.generator_params or {}))


def as_sampler(generator="smote", **kwargs) -> GeneratorSampler:
    """An imbalanced-learn sampler drawing from ``generator`` (a name or a :class:`~synthaug.generators.Generator`).

    Parameters
    ----------
    generator : str or Generator, default="smote"
        The generator.
    **kwargs
        ``generator_params``, ``sampling_strategy``, ``n_synthetic``, ``gap_multiple``,
        ``random_state``.

    Returns
    -------
    GeneratorSampler
        The sampler.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import as_sampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = as_sampler("gaussian", n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """
    return _NamedGeneratorSampler(generator, **kwargs)
