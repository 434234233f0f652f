"""VTSSSampler: an imbalanced-learn sampler that adds the TG-VTSS-selected number of rows.

See :func:`synthaug.diagnosis.diagnose` for the selection (Ma & Zhang, arXiv 2601.16120).
"""

from __future__ import annotations

import numbers

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from scipy import sparse
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from synthaug.config import uses_x64

__all__ = ["VTSSSampler"]


class VTSSSampler(BaseOverSampler):
    """Add the cross-validated number of synthetic minority rows (TG-VTSS or VTSS).

    ``fit_resample(X, y)`` runs :func:`synthaug.diagnose` on ``(X, y)`` (binary
    targets), then appends the refitted size's synthetic rows (mapped back to the
    original feature scale) after the original rows, so it drops into
    ``imblearn.pipeline.Pipeline`` in place of a fixed-ratio sampler. The
    diagnosis is kept in ``diagnosis_`` and the size in ``n_synthetic_``.

    Parameters:
      generator: a name, a synthaug ``Generator``, an imbalanced-learn over-sampler
        (e.g. ``SMOTE(k_neighbors=3)``) or a callable ``fn(X_minority, n, random_state)``.
      model: the model whose balanced validation loss selects the size
        (``"logistic"``, ``"rff-logistic"``, ``"mlp"``, …).
      method: ``"tg-vtss"`` (default) or ``"vtss"``.
      folds, repeats, crossfit_folds, alpha, tau, gammas, standardize: as in
        :func:`synthaug.diagnose`.
      random_state: integer seed (None draws one from NumPy's global state).

    ``sampling_strategy`` is fixed to ``"auto"`` (the size is chosen by
    validation, not by a ratio). Multi-class targets (documented extension; the
    theory is binary): each non-majority class is diagnosed as the minority
    against the majority class alone (one-vs-majority), and ``diagnosis_`` /
    ``n_synthetic_`` are dicts keyed by class. Classes as large as the majority
    are left alone.
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

    def __init__(
        self,
        generator="smote",
        model="logistic",
        *,
        method="tg-vtss",
        folds=5,
        repeats=1,
        crossfit_folds=3,
        alpha=0.05,
        tau=10.0,
        gammas=None,
        standardize=True,
        random_state=None,
    ):
        self.generator = generator
        self.model = model
        self.method = method
        self.folds = folds
        self.repeats = repeats
        self.crossfit_folds = crossfit_folds
        self.alpha = alpha
        self.tau = tau
        self.gammas = gammas
        self.standardize = standardize
        self.random_state = random_state

    @uses_x64
    def _fit_resample(self, X, y):
        from synthaug.diagnosis.api import diagnose

        if sparse.issparse(X):
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.floating):
            X = X.astype(float)
        classes, counts = np.unique(y, return_counts=True)
        majority = classes[np.argmax(counts)]
        seed = int(self.random_state) if isinstance(self.random_state, numbers.Integral) else int(
            check_random_state(self.random_state).randint(0, 2**31 - 1))
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
                seed=seed + i, fidelity=False, progress=False,
            )
            self.diagnosis_[cls] = d
            self.n_synthetic_[cls] = d.selected_size
            syn = np.asarray(d.synthetic) * d.data.scale + d.data.mean
            X_parts.append(syn.astype(X.dtype))
            y_parts.append(np.full(syn.shape[0], cls, dtype=y.dtype))
        if len(classes) == 2:  # binary: plain values rather than one-entry dicts
            self.diagnosis_ = next(iter(self.diagnosis_.values()), None)
            self.n_synthetic_ = next(iter(self.n_synthetic_.values()), 0)
        return np.concatenate(X_parts), np.concatenate(y_parts)
