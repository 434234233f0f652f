"""VTSSSampler: an imbalanced-learn sampler that adds the TG-VTSS-selected number of rows.

See :func:`synthaug.diagnosis.diagnose` for the selection (Ma & Zhang, 2026, "Synthetic
Augmentation in Imbalanced Learning: When It Helps, When It Hurts, and How Much to Add",
arXiv 2601.16120).
"""

from __future__ import annotations

import numbers
from collections import OrderedDict

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import DenseOverSampler, plain_label, seed_from_random_state, set_params_from_init

__all__ = ["VTSSSampler"]


@fill_doc
class VTSSSampler(DenseOverSampler):
    """Add the cross-validated number of synthetic minority rows (TG-VTSS or VTSS).

    ``fit_resample(X, y)`` runs :func:`synthaug.diagnose` on ``(X, y)`` (binary
    targets), then appends the refitted size's synthetic rows (mapped back to the
    original feature scale) after the original rows, so it drops into
    ``imblearn.pipeline.Pipeline`` in place of a fixed-ratio sampler.

    ``sampling_strategy`` is fixed to ``"auto"`` (the size is chosen by
    validation, not by a ratio). Multi-class targets (documented extension; the
    theory is binary): each non-majority class is diagnosed as the minority
    against the majority class alone (one-vs-majority), and ``diagnosis_`` /
    ``n_synthetic_`` are dicts keyed by class. Classes as large as the majority
    are left alone.

    Randomness: an integer ``random_state=s`` runs ``diagnose(..., seed=s)``, so on a
    binary target ``VTSSSampler(random_state=s)`` selects exactly the size (and draws
    exactly the rows) of ``synthaug.diagnose(X, y, seed=s)``; for a multi-class target,
    class ``c`` (position ``i`` in the sorted labels) uses ``seed=s + i``.

    Parameters
    ----------
    generator : str, Generator, imbalanced-learn sampler or callable, default="smote"
        A generator name, a synthaug ``Generator``, an imbalanced-learn over-sampler
        (e.g. ``SMOTE(k_neighbors=3)``) or a callable ``fn(X_minority, n, random_state)``.

    model : str or Model, default="logistic"
        The model whose balanced validation loss selects the size (``"logistic"``,
        ``"rff-logistic"``, ``"mlp"``, ...).

    method : {"tg-vtss", "vtss"}, default="tg-vtss"
        Candidate sizes from the symmetry test and the generator's quality score
        (``"tg-vtss"``), or the grid ``gammas`` times the class gap (``"vtss"``).

    folds : int, default=5
        Stratified K-fold cross-validation of the size selection.

    repeats : int, default=1
        Repeats of that cross-validation.

    crossfit_folds : int, default=3
        Folds of the cross-fitted mismatch estimate and of the quality score.

    alpha : float, default=0.05
        Level of the local-symmetry Wald test, in (0, 1).

    tau : float, default=10.0
        Quality-score threshold between a "realistic" and a "biased" generator.

    gammas : array-like of float or None, default=None
        The VTSS grid in multiples of the gap (``method="vtss"``); default 0.5 to 1.5.

    {standardize}

    {random_state}

    Attributes
    ----------
    diagnosis_ : Diagnosis, dict or None
        The :class:`~synthaug.diagnosis.Diagnosis` (binary targets; ``None`` when the
        classes are balanced), or a dict of them keyed by oversampled class (multi-class).
    n_synthetic_ : int or dict
        The selected number of synthetic rows (binary targets; 0 when the classes are
        balanced), or a dict of them keyed by oversampled class (multi-class).
    sampling_strategy_ : OrderedDict
        Class label -> number of synthetic rows actually added (``n_synthetic_`` per
        class, not imbalanced-learn's ``"auto"`` target). Keyed, like ``diagnosis_`` and
        ``n_synthetic_``, by plain Python labels (``int``, ``str``, ...).

    {n_features_in_}

    {feature_names_in_}

    See Also
    --------
    synthaug.diagnose : The diagnosis and size selection it runs.
    synthaug.select_size : Plain VTSS size selection.
    SMOTESampler : A fixed-ratio sampler (``gap_multiple``, ``n_synthetic``).

    Notes
    -----
    The synthetic size is chosen by cross-validated balanced loss (VTSS), with the
    candidate sizes of TG-VTSS taken from the local-symmetry test and the generator's
    quality score [1]_. Unlike the fixed-ratio samplers, it has no ``n_synthetic`` or
    ``gap_multiple`` parameter, and ``sampling_strategy`` is fixed to ``"auto"``.

    References
    ----------
    .. [1] Ma and Zhang, "Synthetic Augmentation in Imbalanced Learning: When It Helps,
       When It Hurts, and How Much to Add", arXiv 2601.16120, 2026.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import VTSSSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = VTSSSampler(method="vtss", gammas=[0.5, 1.0], folds=2, crossfit_folds=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)  # the cross-validated size: 16 or 32 rows
    >>> sampler.n_synthetic_ in (16, 32), X_res.shape[0] == 64 + sampler.n_synthetic_
    (True, True)
    >>> dict(sampler.sampling_strategy_) == {1: sampler.n_synthetic_}
    True
    """

    sampling_strategy = "auto"

    _parameter_constraints: dict = {
        "generator": "no_validation",
        "model": "no_validation",
        "method": [StrOptions({"tg-vtss", "vtss"})],
        "folds": [Interval(numbers.Integral, 2, None, closed="left")],
        "repeats": [Interval(numbers.Integral, 1, None, closed="left")],
        "crossfit_folds": [Interval(numbers.Integral, 2, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, 1, closed="neither")],
        "tau": [Interval(numbers.Real, 0, None, closed="neither")],
        "gammas": ["array-like", None],
        "standardize": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, generator="smote", model="logistic", *, method="tg-vtss", folds=5, repeats=1, crossfit_folds=3,
                 alpha=0.05, tau=10.0, gammas=None, standardize=True, random_state=None):
        set_params_from_init(self, locals())

    def _resample(self, X, y):
        from synthaug.diagnosis.api import diagnose

        classes, counts = np.unique(y, return_counts=True)
        majority = classes[np.argmax(counts)]
        seed = seed_from_random_state(self.random_state)
        self.diagnosis_, self.n_synthetic_ = {}, {}
        X_parts, y_parts = [X], [y]
        for i, cls in enumerate(classes):
            if cls == majority or counts[i] == counts.max():
                continue
            keep = (y == cls) | (y == majority)
            d = diagnose(
                X[keep], np.where(y[keep] == cls, 1, 0), generator=self.generator, model=self.model,
                method=self.method, folds=self.folds, repeats=self.repeats, crossfit_folds=self.crossfit_folds,
                alpha=self.alpha, tau=self.tau, gammas=self.gammas, minority=1, standardize=self.standardize,
                seed=seed if len(classes) == 2 else seed + i, fidelity=False, progress=False,
            )
            self.diagnosis_[plain_label(cls)] = d
            self.n_synthetic_[plain_label(cls)] = int(d.selected_size)
            syn = np.asarray(d.synthetic) * d.data.scale + d.data.mean
            X_parts.append(syn.astype(X.dtype))
            y_parts.append(np.full(syn.shape[0], cls, dtype=y.dtype))
        # The rows actually added per class, not imbalanced-learn's "auto" target.
        self.sampling_strategy_ = OrderedDict(self.n_synthetic_)
        if len(classes) == 2:  # binary: plain values rather than one-entry dicts
            self.diagnosis_ = next(iter(self.diagnosis_.values()), None)
            self.n_synthetic_ = next(iter(self.n_synthetic_.values()), 0)
        return np.concatenate(X_parts), np.concatenate(y_parts)
