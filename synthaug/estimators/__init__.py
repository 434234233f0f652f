"""scikit-learn and imbalanced-learn estimators: the only layer that imports them at module level.

Every sampler is an imbalanced-learn over-sampler named ``<Method>Sampler`` and is a thin
facade over a pure JAX generator of :mod:`synthaug.generators`; the classifiers follow
scikit-learn's estimator contract. :func:`all_estimators` lists them all (the common
tests run every one of them through scikit-learn's and imbalanced-learn's checks).

Modules: :mod:`~synthaug.estimators.base` (the shared sampler base and helpers),
:mod:`~synthaug.estimators._docs` (the shared parameter documentation),
:mod:`~synthaug.estimators.oversamplers` (SMOTE family and classical oversamplers),
:mod:`~synthaug.estimators.smote_variants` (SVM-SMOTE, KMeans-SMOTE),
:mod:`~synthaug.estimators.smoten` (:class:`SMOTENSampler`, categorical features only),
:mod:`~synthaug.estimators.combined` (:class:`SMOTETomekSampler`, :class:`SMOTEENNSampler`:
SMOTE followed by a cleaning rule on the real and synthetic rows),
:mod:`~synthaug.estimators.recent` (GK-SMOTE, MOMS, LEO-CVAE),
:mod:`~synthaug.estimators.vtss` (:class:`VTSSSampler`),
:mod:`~synthaug.estimators.kotaro` (:class:`KOTAROClassifier`),
:mod:`~synthaug.estimators.bias_corrected` (:class:`BiasCorrectedClassifier`).
"""

from __future__ import annotations

from synthaug._deprecations import deprecated_aliases
from synthaug.estimators.base import (
    DenseOverSampler,
    GeneratorSampler,
    as_sampler,
    key_from_random_state,
    synthetic_counts,
)
from synthaug.estimators.bias_corrected import BiasCorrectedClassifier
from synthaug.estimators.kotaro import KOTAROClassifier
from synthaug.estimators.oversamplers import (
    ADASYNSampler,
    BorderlineSMOTESampler,
    GaussianMixtureSampler,
    RandomOversamplingSampler,
    SMOTENCSampler,
    SMOTESampler,
    SmoothedBootstrapSampler,
)
from synthaug.estimators.recent import GKSMOTESampler, LEOCVAESampler, MOMSSampler
from synthaug.estimators.combined import SMOTEENNSampler, SMOTETomekSampler
from synthaug.estimators.smote_variants import KMeansSMOTESampler, SVMSMOTESampler
from synthaug.estimators.smoten import SMOTENSampler
from synthaug.estimators.vtss import VTSSSampler

# The base classes and helpers for writing an estimator (DenseOverSampler,
# seed_from_random_state, ...) are in synthaug.estimators.base.
__all__ = [
    "GeneratorSampler",
    "as_sampler",
    "key_from_random_state",
    "synthetic_counts",
    "SMOTESampler",
    "BorderlineSMOTESampler",
    "ADASYNSampler",
    "SMOTENCSampler",
    "SMOTENSampler",
    "SMOTETomekSampler",
    "SMOTEENNSampler",
    "SmoothedBootstrapSampler",
    "GaussianMixtureSampler",
    "RandomOversamplingSampler",
    "GKSMOTESampler",
    "MOMSSampler",
    "LEOCVAESampler",
    "SVMSMOTESampler",
    "KMeansSMOTESampler",
    "VTSSSampler",
    "KOTAROClassifier",
    "BiasCorrectedClassifier",
    "all_estimators",
]

#: Base classes: estimators only through their subclasses (not listed by all_estimators).
_BASES = (DenseOverSampler, GeneratorSampler)

#: Old class names, kept for now (a DeprecationWarning names the new one).
_RENAMED = {
    "GKSMOTE": "synthaug.estimators.recent:GKSMOTESampler",
    "MOMS": "synthaug.estimators.recent:MOMSSampler",
    "LEOCVAE": "synthaug.estimators.recent:LEOCVAESampler",
    "VTSSResampler": "synthaug.estimators.vtss:VTSSSampler",
}
__getattr__ = deprecated_aliases(__name__, _RENAMED)


def all_estimators(type_filter: str | None = None) -> list[tuple[str, type]]:
    """Every public synthaug estimator class, as ``(name, class)`` pairs sorted by name.

    Parameters
    ----------
    type_filter : {"sampler", "classifier"} or None, default=None
        Keep only imbalanced-learn samplers or only scikit-learn classifiers.

    Returns
    -------
    list of (str, type)
        Found by walking this package's public names (nothing is kept by hand), like
        ``sklearn.utils.all_estimators``.

    Examples
    --------
    >>> from synthaug import all_estimators
    >>> [name for name, _ in all_estimators("classifier")]
    ['BiasCorrectedClassifier', 'KOTAROClassifier']
    >>> "SMOTESampler" in dict(all_estimators("sampler"))
    True
    """
    from imblearn.base import SamplerMixin
    from sklearn.base import BaseEstimator, ClassifierMixin

    if type_filter not in (None, "sampler", "classifier"):
        raise ValueError(f"type_filter must be None, 'sampler' or 'classifier'; got {type_filter!r}")
    found = []
    for name in __all__:
        obj = globals()[name]
        if not (isinstance(obj, type) and issubclass(obj, BaseEstimator)) or obj in _BASES:
            continue
        kind = "sampler" if issubclass(obj, SamplerMixin) else "classifier" if issubclass(obj, ClassifierMixin) else None
        if type_filter is None or kind == type_filter:
            found.append((name, obj))
    return sorted(found)
