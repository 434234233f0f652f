"""SMOTE followed by a cleaning rule: :class:`SMOTETomekSampler` and :class:`SMOTEENNSampler`.

Drop-ins for imbalanced-learn's :class:`~imblearn.combine.SMOTETomek` and
:class:`~imblearn.combine.SMOTEENN` (Batista, Prati & Monard, 2004): the same parameters,
the same fitted attributes and the same contract, ``_sampling_type = "over-sampling"``:
``fit_resample`` runs the SMOTE step (synthaug's :class:`~synthaug.estimators.SMOTESampler`
by default, or any SMOTE-like sampler given as ``smote``) and then the cleaning rule on
the union of real and synthetic rows, which **also removes real rows**: a class can come
out smaller than it went in. The cleaning rules are the pure JAX functions of
:mod:`synthaug.core.cleaning`.

For the theory's estimators, which are defined on the real sample and must not lose real
rows, the same methods are registered as generators ``"smote-tomek"`` and ``"smote-enn"``
(:mod:`synthaug.generators.smote_cleaning`), which drop flagged synthetic rows only.
"""

from __future__ import annotations

import numbers
from collections import OrderedDict

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from imblearn.utils import check_sampling_strategy
from scipy import sparse
from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods

from synthaug.config import uses_x64
from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import _non_numeric_columns, _nullable_to_float, set_params_from_init

__all__ = ["SMOTETomekSampler", "SMOTEENNSampler"]

_SAMPLER = [HasMethods(["fit_resample"]), None]


def _codes(y):
    return np.unique(y, return_inverse=True)[1].astype(np.int32)


def _cleaned_classes(cleaner, y):
    """The classes a cleaning object may remove rows from (imbalanced-learn's "clean-sampling" strategy)."""
    return list(check_sampling_strategy(cleaner.sampling_strategy, y, "clean-sampling"))


class _SMOTEThenClean(BaseSampler):
    """SMOTE, then a cleaning rule on the union of real and synthetic rows (the shared machinery).

    A :class:`imblearn.base.BaseSampler` with ``_sampling_type = "over-sampling"``, as
    imbalanced-learn's combined samplers: not a ``BaseOverSampler``, since the output need
    not contain at least the input's rows of every class.
    """

    _sampling_type = "over-sampling"
    _cleaner_param: str = ""

    @uses_x64
    def fit_resample(self, X, y, **params):
        bad = _non_numeric_columns(X)
        if bad:
            raise ValueError(
                f"{type(self).__name__} works on numeric columns only (SMOTE interpolates and the cleaning measures "
                f"Euclidean distances), but column(s) {bad} are categorical or non-numeric; encode them first"
            )
        return super().fit_resample(_nullable_to_float(X), y, **params)

    fit_resample.__doc__ = BaseSampler.fit_resample.__doc__

    def _fit_resample(self, X, y):
        if sparse.issparse(X):  # cleaned on dense rows, returned in the input's sparse format
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.floating):
            X = X.astype(float)
        return self._resample(X, y)

    def _default_cleaner(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _jax_clean(self, cleaner, X, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _validate_estimator(self):
        from synthaug.estimators.oversamplers import SMOTESampler

        self.smote_ = (clone(self.smote) if self.smote is not None
                       else SMOTESampler(sampling_strategy=self.sampling_strategy, random_state=self.random_state))
        given = getattr(self, self._cleaner_param)
        setattr(self, self._cleaner_param + "_", clone(given) if given is not None else self._default_cleaner())

    def _resample(self, X, y):
        self._validate_estimator()
        X_s, y_s = self.smote_.fit_resample(X, y)
        X_s, y_s = np.asarray(X_s), np.asarray(y_s)
        self.sampling_strategy_ = OrderedDict(getattr(self.smote_, "sampling_strategy_", {}))
        cleaner = getattr(self, self._cleaner_param + "_")
        out = self._jax_clean(cleaner, X_s, y_s)
        if out is None:  # another cleaning object: its own fit_resample, on the host
            X_c, y_c = cleaner.fit_resample(X_s, y_s)
            return np.asarray(X_c), np.asarray(y_c)
        return X_s[out], y_s[out]


_NOTES = """\
    ``fit_resample`` follows imbalanced-learn's ``imblearn.combine`` contract: the SMOTE
    step oversamples (``smote_``, fitted on the input), then the cleaning rule, computed
    on the union of real and synthetic rows, removes rows of the classes its own
    ``sampling_strategy`` selects (``"all"`` by default), **real rows included**, so a
    class can come out smaller than it went in. Pandas in gives pandas out (with the
    input's dtypes), sparse in gives sparse out.

    **As a generator.** synthaug's estimators (the balanced risk, the φ/ψ decomposition,
    :math:`T_{\\mathrm{sym}}`) are defined on the real sample, and removing real rows
    changes the estimand. For :func:`synthaug.diagnose` the method is therefore the
    registered generator ``"{generator}"`` (:mod:`synthaug.generators.smote_cleaning`):
    SMOTE's synthetic rows after the cleaning removed the synthetic rows it flags
    (flags computed on the union of real and synthetic rows; real rows are never removed).
    It returns exactly the ``n`` rows asked for: a pool of ``n`` SMOTE rows is cleaned,
    its survivors come first and the remaining slots are filled by survivors drawn with
    replacement (fixed shapes, so it runs under ``jit``); it raises ``ValueError`` when no
    synthetic row survives.

    Differences from imbalanced-learn: the cleaning runs in JAX (:mod:`synthaug.core.cleaning`)
    when ``{param}_`` is imbalanced-learn's ``{cls}`` with an integer neighbour count;
    any other cleaning object is used through its own ``fit_resample``. The fitted
    ``{param}_`` is then a configuration, not fitted itself. ``sampling_strategy_`` holds
    the rows added per class by the SMOTE step (imbalanced-learn stores the
    ``sampling_strategy`` parameter itself). Equidistant neighbours (duplicate rows) are
    broken by the lower row index, scikit-learn's order may differ; and the SMOTE rows
    come from JAX keys, so the same ``random_state`` gives other (equally distributed)
    rows than imbalanced-learn."""


class SMOTETomekSampler(_SMOTEThenClean):
    """SMOTE over-sampling followed by Tomek-link cleaning (imbalanced-learn's ``SMOTETomek``).

    SMOTE (Chawla et al., 2002) adds synthetic rows; then both rows of every Tomek link
    (Tomek, 1976: mutual nearest neighbours of different classes,
    :func:`synthaug.core.cleaning.tomek_links`) in the classes selected by the cleaning's
    ``sampling_strategy`` are removed (Batista, Prati & Monard, 2004).

    Parameters
    ----------
    {sampling_strategy}
        Passed to the default SMOTE step (ignored when ``smote`` is given).

    {random_state}
        Passed to the default SMOTE step (ignored when ``smote`` is given).

    smote : sampler object or None, default=None
        The SMOTE step: any over-sampler with ``fit_resample`` (synthaug's
        :class:`~synthaug.estimators.SMOTESampler` or another synthaug sampler,
        imbalanced-learn's ``SMOTE``, ...), cloned. Default
        ``SMOTESampler(sampling_strategy=sampling_strategy, random_state=random_state)``.

    tomek : sampler object or None, default=None
        The cleaning step, cloned: imbalanced-learn's
        :class:`~imblearn.under_sampling.TomekLinks` (computed in JAX with its
        ``sampling_strategy``) or any other object with ``fit_resample`` (used as it is).
        Default ``TomekLinks(sampling_strategy="all", n_jobs=n_jobs)``.

    n_jobs : int or None, default=None
        Passed to the default ``TomekLinks`` (accepted for compatibility; the JAX cleaning
        does not use it).

    Attributes
    ----------
    smote_ : sampler object
        The fitted SMOTE step.
    tomek_ : sampler object
        The cleaning configuration (see Notes).

    {sampler_attributes}

    See Also
    --------
    SMOTEENNSampler : SMOTE followed by edited nearest neighbours.
    synthaug.core.cleaning.tomek_links : The cleaning rule.
    synthaug.generators.smote_cleaning.smote_tomek : The generator form (keeps real rows).

    Notes
    -----
%NOTES%

    References
    ----------
    .. [1] G. E. A. P. A. Batista, R. C. Prati and M. C. Monard, "A Study of the Behavior
       of Several Methods for Balancing Machine Learning Training Data", SIGKDD
       Explorations 6(1), 20-29, 2004.
    .. [2] I. Tomek, "Two Modifications of CNN", IEEE Transactions on Systems, Man, and
       Cybernetics SMC-6(11), 769-772, 1976.
    .. [3] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
       Minority Over-sampling Technique", JAIR 16, 321-357, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SMOTETomekSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = SMOTETomekSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> dict(sampler.sampling_strategy_)  # rows added by SMOTE
    {1: 32}
    >>> bool(np.all(np.bincount(y_res) <= [48, 48]))  # Tomek links removed rows of both classes
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "smote": _SAMPLER,
        "tomek": _SAMPLER,
        "n_jobs": [numbers.Integral, None],
    }
    _cleaner_param = "tomek"

    def __init__(self, *, sampling_strategy="auto", random_state=None, smote=None, tomek=None, n_jobs=None):
        set_params_from_init(self, locals())

    def _default_cleaner(self):
        return TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)

    def _jax_clean(self, cleaner, X, y):
        from synthaug.core.cleaning import tomek_links

        if type(cleaner) is not TomekLinks:
            return None
        classes = _cleaned_classes(cleaner, y)
        flags = np.asarray(tomek_links(X, _codes(y)))
        return np.flatnonzero(~(flags & np.isin(y, classes)))  # survivors in their order, as TomekLinks


class SMOTEENNSampler(_SMOTEThenClean):
    """SMOTE over-sampling followed by edited-nearest-neighbours cleaning (imbalanced-learn's ``SMOTEENN``).

    SMOTE (Chawla et al., 2002) adds synthetic rows; then Wilson's editing rule (Wilson,
    1972, :func:`synthaug.core.cleaning.enn_flags`) removes the rows whose nearest
    neighbours disagree with their label, in the classes selected by the cleaning's
    ``sampling_strategy`` (Batista, Prati & Monard, 2004).

    Parameters
    ----------
    {sampling_strategy}
        Passed to the default SMOTE step (ignored when ``smote`` is given).

    {random_state}
        Passed to the default SMOTE step (ignored when ``smote`` is given).

    smote : sampler object or None, default=None
        The SMOTE step: any over-sampler with ``fit_resample``, cloned. Default
        ``SMOTESampler(sampling_strategy=sampling_strategy, random_state=random_state)``.

    enn : sampler object or None, default=None
        The cleaning step, cloned: imbalanced-learn's
        :class:`~imblearn.under_sampling.EditedNearestNeighbours` (computed in JAX with
        its ``sampling_strategy``, integer ``n_neighbors`` and ``kind_sel``) or any other
        object with ``fit_resample`` (used as it is, e.g. an ENN whose ``n_neighbors`` is a
        neighbour estimator). Default ``EditedNearestNeighbours(sampling_strategy="all",
        n_jobs=n_jobs)``: 3 neighbours, ``kind_sel="all"``.

    n_jobs : int or None, default=None
        Passed to the default ``EditedNearestNeighbours`` (accepted for compatibility;
        the JAX cleaning does not use it).

    Attributes
    ----------
    smote_ : sampler object
        The fitted SMOTE step.
    enn_ : sampler object
        The cleaning configuration (see Notes).

    {sampler_attributes}

    See Also
    --------
    SMOTETomekSampler : SMOTE followed by Tomek links.
    synthaug.core.cleaning.enn_flags : The cleaning rule.
    synthaug.generators.smote_cleaning.smote_enn : The generator form (keeps real rows).

    Notes
    -----
%NOTES%

    The rows come out grouped by class, in the labels' sorted order (each class's rows in
    their order), as imbalanced-learn's ``EditedNearestNeighbours`` returns them.

    References
    ----------
    .. [1] G. E. A. P. A. Batista, R. C. Prati and M. C. Monard, "A Study of the Behavior
       of Several Methods for Balancing Machine Learning Training Data", SIGKDD
       Explorations 6(1), 20-29, 2004.
    .. [2] D. L. Wilson, "Asymptotic Properties of Nearest Neighbor Rules Using Edited
       Data", IEEE Transactions on Systems, Man, and Cybernetics SMC-2(3), 408-421, 1972.
    .. [3] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
       Minority Over-sampling Technique", JAIR 16, 321-357, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import SMOTEENNSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = SMOTEENNSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> dict(sampler.sampling_strategy_), sampler.enn_.n_neighbors, sampler.enn_.kind_sel
    ({1: 32}, 3, 'all')
    >>> bool(len(y_res) < 96)  # ENN removed real and synthetic rows
    True
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "smote": _SAMPLER,
        "enn": _SAMPLER,
        "n_jobs": [numbers.Integral, None],
    }
    _cleaner_param = "enn"

    def __init__(self, *, sampling_strategy="auto", random_state=None, smote=None, enn=None, n_jobs=None):
        set_params_from_init(self, locals())

    def _default_cleaner(self):
        return EditedNearestNeighbours(sampling_strategy="all", n_jobs=self.n_jobs)

    def _jax_clean(self, cleaner, X, y):
        from synthaug.core.cleaning import enn_flags
        from synthaug.estimators.oversamplers import _is_int

        if type(cleaner) is not EditedNearestNeighbours or not _is_int(cleaner.n_neighbors):
            return None
        if cleaner.kind_sel not in ("all", "mode"):
            raise ValueError(f"enn.kind_sel must be 'all' or 'mode'; got {cleaner.kind_sel!r}")
        if cleaner.n_neighbors < 1 or X.shape[0] < cleaner.n_neighbors + 1:
            raise ValueError(f"enn.n_neighbors={cleaner.n_neighbors} needs an integer >= 1 and at least "
                             f"{cleaner.n_neighbors + 1} rows after SMOTE; got {X.shape[0]}")
        classes = _cleaned_classes(cleaner, y)
        remove = np.asarray(enn_flags(X, _codes(y), int(cleaner.n_neighbors), cleaner.kind_sel)) & np.isin(y, classes)
        # grouped by class in sorted label order, as EditedNearestNeighbours returns them
        return np.concatenate([np.flatnonzero((y == c) & ~remove) for c in np.unique(y)])


for _cls, _gen, _param, _clean in ((SMOTETomekSampler, "smote-tomek", "tomek", "TomekLinks"),
                                   (SMOTEENNSampler, "smote-enn", "enn", "EditedNearestNeighbours")):
    _cls.__doc__ = _cls.__doc__.replace("%NOTES%", _NOTES.replace("{generator}", _gen).replace("{param}", _param).replace("{cls}", _clean))
    fill_doc(_cls)
del _cls, _gen, _param, _clean
