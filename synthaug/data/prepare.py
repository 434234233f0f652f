"""Data preparation: the one home shared by the Python API and the command line.

Two steps, each a function:

* :func:`prepare_table` turns a table with a target column (what ``synthaug
  diagnose data.csv --target y`` reads) into a feature table and a label vector:
  it checks the target, recodes it to 0/1 when a ``positive`` class is named,
  imputes missing values on request (column mean; the most frequent value for a
  categorical column) and one-hot encodes the non-numeric columns (first level
  dropped). It reports what it changed as notices.
* :func:`prepare_data` validates numeric ``(X, y)`` (a 2-D array or a DataFrame of
  numeric columns, exactly two labels of any type), finds the minority label (the
  rarer one unless ``minority=`` names it), standardises the features (mean 0, sd 1
  over all rows; an affine map that leaves linear models with an intercept unchanged
  up to the ridge) and splits the rows by class. :func:`~synthaug.diagnosis.diagnose`,
  :func:`~synthaug.diagnosis.select_size` and the bias-correction cross-validation
  start with it.

Constant columns, missing values, a single class, a minority that is not smaller
than the majority, more than two classes and mismatched lengths stop with a
``ValueError`` whose message says what to do.
"""

from __future__ import annotations

import dataclasses
import math
from typing import NamedTuple

import numpy as np

__all__ = ["PreparedData", "prepare_data", "PreparedTable", "prepare_table", "MAX_LEVELS"]


@dataclasses.dataclass
class PreparedData:
    """Validated, class-split data (the output of :func:`prepare_data`).

    Attributes
    ----------
    X0 : ndarray of shape (n0, n_features)
        Majority rows (float64, standardised unless ``standardize=False``).
    X1 : ndarray of shape (n1, n_features)
        Minority rows, on the same scale.
    majority_label, minority_label : object
        The two labels of ``y`` (Python scalars where ``y`` held NumPy scalars).
    feature_names : list of str
        Column names (``x0, x1, ...`` for an array).
    mean, scale : ndarray of shape (n_features,)
        The standardisation: ``X0 = (rows - mean) / scale`` (zeros and ones when
        not standardised).
    """

    X0: np.ndarray
    X1: np.ndarray
    majority_label: object
    minority_label: object
    feature_names: list
    mean: np.ndarray
    scale: np.ndarray


def _columns(mask, names) -> list:
    """The names of the columns flagged by the boolean vector ``mask``."""
    return [names[j] for j in np.nonzero(np.asarray(mask))[0]]


def _label(value) -> str:
    """A label as messages show it: ``1``, not ``np.int64(1)``; strings quoted."""
    return repr(_python_scalar(value))


def _python_scalar(value):
    return value.item() if hasattr(value, "item") else value


def _numeric_matrix(X):
    """``(X as a float array, column names or None)``; refuses non-numeric columns and arrays."""
    names = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        import pandas as pd

        names = [str(c) for c in X.columns]
        # pandas' own dtype tests: extension dtypes (string, category, nullable Int64 and
        # boolean) are not NumPy dtypes and must not reach np.dtype()
        bad = [f"{c} ({t})" for c, t in zip(names, X.dtypes)
               if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)]
        if bad:
            raise ValueError(
                f"non-numeric column(s) {', '.join(bad[:5])}{' …' if len(bad) > 5 else ''}: encode them first, "
                "e.g. with synthaug.data.prepare_table (one-hot encoding, as the command line does), or drop them"
            )
        X = X.to_numpy(dtype=float, na_value=np.nan)  # nullable integers: <NA> becomes NaN (refused below)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"X must be numeric; got dtype {X.dtype}")
    return X.astype(float), names


def _minority_index(labels, counts, minority) -> int:
    """Index (0 or 1) into ``labels`` of the minority class."""
    if minority is None:
        if counts[0] == counts[1]:
            raise ValueError(f"the classes are balanced ({counts[0]} rows each): there is nothing to oversample")
        return int(np.argmin(counts))
    matches = [i for i, lab in enumerate(labels.tolist()) if lab == minority or str(lab) == str(minority)]
    if not matches:
        raise ValueError(f"minority label {_label(minority)} is not in y (labels: {labels.tolist()})")
    m = matches[0]
    if counts[m] >= counts[1 - m]:
        raise ValueError(
            f"the class {_label(labels[m])} named as minority has {counts[m]} rows, not fewer than the other ({counts[1 - m]})"
        )
    return m


def prepare_data(X, y, *, minority=None, standardize: bool = True) -> PreparedData:
    """Validate ``(X, y)``, find the minority label, standardise and split the rows by class.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Numeric features (a DataFrame must have numeric, non-boolean columns; encode
        categorical ones first, e.g. with :func:`prepare_table`). No missing or
        infinite values, no constant column.
    y : array-like or Series of shape (n_samples,)
        Exactly two distinct labels of any type, none missing.
    minority : object, default=None
        The minority label (compared as given and as a string); default: the rarer
        label. It must be strictly rarer than the other.
    standardize : bool, default=True
        Z-score every column over all rows first.

    Returns
    -------
    PreparedData
        The class-split rows and the standardisation used.

    Raises
    ------
    ValueError
        On any of the problems listed in the module docstring.
    """
    from synthaug.core.validation import check_bool, check_magnitudes  # (lazy: this module imports no JAX)

    standardize = check_bool(standardize, "standardize")
    X, names = _numeric_matrix(X)
    names = names or [f"x{j}" for j in range(X.shape[1])]
    if X.shape[0] == 0:
        raise ValueError(f"X has no data rows (shape {X.shape})")
    y_arr = np.asarray(getattr(y, "values", y))
    if y_arr.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {y_arr.shape}")
    if y_arr.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y_arr.shape[0]} labels")
    if X.shape[1] == 0:
        raise ValueError("X has no feature columns")
    missing_y = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in y_arr.tolist()])
    if missing_y.any():
        raise ValueError(f"y has {int(missing_y.sum())} missing label(s); drop or label those rows")
    nan_cols = _columns(~np.all(np.isfinite(X), axis=0), names)
    if nan_cols:
        all_nan = _columns(np.all(np.isnan(X), axis=0), names)
        what = f"all-missing column(s) {all_nan[:5]}" if all_nan else f"missing or infinite values in {nan_cols[:5]}"
        raise ValueError(f"X has {what}; drop or impute them (prepare_table(..., impute='mean') imputes column means)")
    const = _columns(np.ptp(X, axis=0) == 0, names)
    if const:
        raise ValueError(f"constant column(s) {const[:5]}{' …' if len(const) > 5 else ''}: drop them (no information, singular Hessian)")
    labels, inverse = np.unique(y_arr, return_inverse=True)
    if labels.size == 1:
        raise ValueError(f"y has a single class ({_label(labels[0])}); two classes are needed")
    if labels.size > 2:
        raise ValueError(
            f"y has {labels.size} classes; a binary target is needed: recode y to the class of interest vs the rest "
            "(prepare_table(..., positive=LABEL) does it)"
        )
    m = _minority_index(labels, np.bincount(inverse, minlength=2), minority)
    if standardize:
        mean, scale, Z = _standardise(X)
    else:
        # on the raw scale the generators and fits square the values: refuse what overflows
        check_magnitudes(X, "X", names)
        mean, scale, Z = np.zeros(X.shape[1]), np.ones(X.shape[1]), X
    return PreparedData(Z[inverse != m], Z[inverse == m], _python_scalar(labels[1 - m]), _python_scalar(labels[m]),
                        names, mean, scale)


def _standardise(X):
    """``(mean, sd, (X - mean) / sd)`` per column, computed scale-safely.

    Each column is first divided by its largest magnitude, so the sums of squares neither
    overflow (values of 1e300) nor underflow (values of 1e-300); the mean and sd are then
    scaled back, and are finite whenever the data are.
    """
    top = np.max(np.abs(X), axis=0)
    top = np.where(top > 0, top, 1.0)
    U = X / top
    mu, sd = U.mean(axis=0), U.std(axis=0)
    if np.any(sd == 0):  # distinct values that the unit-scale copy cannot tell apart
        raise ValueError("a column's values differ by less than the float64 resolution of its magnitude; "
                         "it is constant to machine precision: drop it")
    return mu * top, sd * top, (U - mu) / sd


class PreparedTable(NamedTuple):
    """The output of :func:`prepare_table`.

    Attributes
    ----------
    X : DataFrame of shape (n_samples, n_features)
        Numeric feature columns (imputed and one-hot encoded where asked / needed).
    y : Series of shape (n_samples,)
        The target: as given, or, when a positive class was named, the strings
        ``str(positive)`` and ``"not <positive>"`` (so reports keep the user's label).
    positive : object
        The label of the class of interest in ``y`` (``str(positive)`` after recoding), or None.
    notices : list of str
        One line per change made to the features (imputation, encoding).
    """

    X: object
    y: object
    positive: object
    notices: list


#: Most distinct values a non-numeric column may have before :func:`prepare_table` refuses to
#: one-hot encode it (an ID or free-text column would become one feature per row).
MAX_LEVELS = 50


def prepare_table(frame, target, *, positive=None, impute=None, drop=(), max_levels: int = MAX_LEVELS,
                  source=None) -> PreparedTable:
    """Split a table into numeric features and a binary target (the CLI's input step).

    Parameters
    ----------
    frame : DataFrame
        The table, the target among its columns; it is not modified.
    target : str
        Name of the target column (no missing values).
    positive : object, default=None
        The class of interest (compared as a string). When given, the target is
        recoded to ``str(positive)`` for it and ``"not <positive>"`` for every other
        value (the user's label stays visible in reports), so a target with more than
        two values is allowed; otherwise the target must have at most two values.
    impute : {None, "mean"}, default=None
        ``"mean"`` fills missing numeric values with the column mean and missing
        categorical values with the most frequent value; None refuses missing values.
    drop : sequence of str, default=()
        Columns to leave out (ID columns, free text), checked to exist.
    max_levels : int, default=50 (:data:`MAX_LEVELS`)
        A non-numeric column with more distinct values than this is refused instead of
        one-hot encoded: an ID or free-text column would add one feature per value (a
        1,484-row table with such a column becomes ~1,800 features, and every fit slows
        down accordingly) and carries no information a generator can use. Drop the
        column (``drop=``, the CLI's ``--drop``) or raise the limit.
    source : str, default=None
        What the table was read from (a path), for the error messages.

    Returns
    -------
    PreparedTable
        ``(X, y, positive, notices)``; pass ``X``, ``y`` and ``minority=positive`` on to
        :func:`prepare_data` (or :func:`~synthaug.diagnosis.diagnose`).
    """
    import pandas as pd

    if impute not in (None, "mean"):
        raise ValueError(f"impute must be None or 'mean'; got {impute!r}")
    where = "the table" if source is None else repr(source)
    if len(frame.columns) == 0:
        raise ValueError(f"{where} has no columns (an empty file?)")
    if target not in frame.columns:
        raise ValueError(f"target column {target!r} not in {where} (columns: {', '.join(map(str, frame.columns[:10]))})")
    drop = [drop] if isinstance(drop, str) else list(drop)
    unknown = [c for c in drop if c not in frame.columns]
    if unknown:
        raise ValueError(f"cannot drop {unknown}: not columns of {where}")
    if target in drop:
        raise ValueError(f"the target column {target!r} cannot be dropped")
    if len(frame) == 0:
        raise ValueError(f"{where} has no data rows (only a header with {len(frame.columns)} column(s))")
    from synthaug.core.validation import check_int  # (lazy: this module imports no JAX)

    max_levels = check_int(max_levels, "max_levels")
    df = frame.drop(columns=[target, *drop])
    y = frame[target]
    if y.isna().any():
        raise ValueError(f"the target column has {int(y.isna().sum())} missing value(s); drop those rows")
    values = pd.unique(y.astype(str))
    if positive is not None:
        if str(positive) not in set(values):
            raise ValueError(f"the positive class {positive!r} is not a value of {target!r} "
                             f"(values: {', '.join(values[:10])})")
        positive = str(positive)
        rest = f"not {positive}"
        while rest in set(values):  # a value literally called "not <positive>": keep the two apart
            rest = f"not ({rest})"
        y = y.astype(str).where(y.astype(str) == positive, rest).rename(target)
    elif len(values) > 2:
        raise ValueError(f"the target {target!r} has {len(values)} values; name the class of interest with "
                         "--positive (positive= in Python)")
    if df.shape[1] == 0:
        raise ValueError(f"{where} has no feature columns besides the target")
    names = [str(c) for c in df.columns]
    isna = df.isna().to_numpy()
    all_missing = _columns(isna.all(axis=0), names)
    if all_missing:
        raise ValueError(f"all-missing column(s) {all_missing[:5]}: drop them")
    notices = []
    cols = _columns(isna.any(axis=0), names)
    if cols:
        if impute != "mean":
            raise ValueError(f"missing values in column(s) {cols[:5]}; drop those rows or pass --impute mean "
                             "(impute='mean' in Python)")
        for c in df.columns:
            if df[c].isna().any():
                numeric = pd.api.types.is_numeric_dtype(df[c])
                df[c] = df[c].fillna(df[c].mean() if numeric else df[c].mode().iloc[0])
        notices.append(f"imputed missing values in {len(cols)} column(s): {', '.join(cols[:5])}")
    categorical = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
    if categorical:
        levels = {str(c): int(df[c].nunique()) for c in categorical}
        wide = {c: k for c, k in levels.items() if k > max_levels}
        if wide:
            listed = ", ".join(f"{c!r} ({k} distinct values in {len(df)} rows)" for c, k in list(wide.items())[:5])
            raise ValueError(
                f"non-numeric column(s) {listed} look like an ID or free text: one-hot encoding would add "
                f"{sum(wide.values()) - len(wide)} feature columns. Drop them (--drop COLUMN on the command line, "
                f"drop=[...] in Python) or allow more levels (--max-levels / max_levels=, now {max_levels})"
            )
        df = pd.get_dummies(df, columns=categorical, drop_first=True, dtype=float)
        notices.append(f"one-hot encoded {len(categorical)} non-numeric column(s) "
                       f"({', '.join(map(str, categorical[:5]))}); {df.shape[1]} feature columns now")
        notices.append("categorical columns are present: interpolating generators (smote, gaussian) put "
                       "fractional values into their one-hot columns; for resampling mixed data use "
                       "SMOTENCSampler (generator 'smote-nc'), which keeps categories whole")
    return PreparedTable(df, y, positive, notices)
