"""The one place where imbalanced-learn's over-sampler names become synthaug's.

The test modules of this folder are imbalanced-learn's own over-sampling tests (MIT
licence, see ``LICENSE`` here), with ``from imblearn.over_sampling import X`` replaced by
``from imblearn_shim import X``. Every name below is the synthaug sampler a user of
imbalanced-learn would reach for; the constructor arguments are imbalanced-learn's names
(``k_neighbors``, ``m_neighbors``, ``n_neighbors``, ``kind``, ``categorical_features``,
``categorical_encoder``, ``shrinkage``, ``sampling_strategy``, ``random_state``), which
synthaug's samplers take under the same names, so no argument needs renaming;
:data:`ARGUMENT_NAMES` would list any that did. A sampler synthaug does not have is a
placeholder whose use skips the test with that reason (:func:`_missing`).
"""

from __future__ import annotations

import pytest
from sklearn.base import BaseEstimator

import synthaug.estimators as _est

#: imbalanced-learn class name -> synthaug sampler class name.
CLASS_NAMES = {
    "SMOTE": "SMOTESampler",
    "BorderlineSMOTE": "BorderlineSMOTESampler",
    "ADASYN": "ADASYNSampler",
    "SMOTENC": "SMOTENCSampler",
    "RandomOverSampler": "RandomOversamplingSampler",
    "SVMSMOTE": "SVMSMOTESampler",
    "KMeansSMOTE": "KMeansSMOTESampler",
    "SMOTEN": "SMOTENSampler",
}

#: imbalanced-learn argument name -> synthaug argument name, per class (none differ).
ARGUMENT_NAMES: dict = {}


def _missing(imblearn_name: str, synthaug_name: str):
    """A stand-in for a sampler synthaug lacks: constructing it works, using it skips the test."""

    def skip(self, *args, **kwargs):
        pytest.skip(f"synthaug has no {synthaug_name} (imbalanced-learn's {imblearn_name}) yet")

    return type(imblearn_name, (BaseEstimator,), {
        "__init__": lambda self, **kwargs: None,
        "fit_resample": skip, "fit": skip, "set_params": skip,
        "__getattr__": lambda self, name: skip(self) if not name.startswith("__") else None,
    })


def _resolve(imblearn_name: str):
    synthaug_name = CLASS_NAMES[imblearn_name]
    cls = getattr(_est, synthaug_name, None)
    return cls if cls is not None else _missing(imblearn_name, synthaug_name)


SMOTE = _resolve("SMOTE")
BorderlineSMOTE = _resolve("BorderlineSMOTE")
ADASYN = _resolve("ADASYN")
SMOTENC = _resolve("SMOTENC")
RandomOverSampler = _resolve("RandomOverSampler")
SVMSMOTE = _resolve("SVMSMOTE")
KMeansSMOTE = _resolve("KMeansSMOTE")
SMOTEN = _resolve("SMOTEN")
