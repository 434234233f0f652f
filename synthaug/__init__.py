"""synthaug: theory, diagnostics and fast simulations for synthetic minority augmentation.

Importing synthaug changes nothing: no JAX setting, no environment variable. Float64
and the XLA:CPU workaround are switched on explicitly (:mod:`synthaug.config`); the
public names below load their module on first use.

Subpackages, one concept each:

* :mod:`synthaug.core` – losses, weighted fits, risks, small linear algebra, kNN, folds,
  Monte Carlo (JAX/NumPy only);
* :mod:`synthaug.theory` – populations with exact risks, the φ/ψ decomposition;
* :mod:`synthaug.generators` – pure JAX generators, one protocol and one registry;
* :mod:`synthaug.models` – the models of the diagnosis (GLMs, random features, MLP);
* :mod:`synthaug.diagnosis` – the local-symmetry test, alignment, GQS, TG-VTSS, :func:`diagnose`;
* :mod:`synthaug.bias_correction` – majority-based bias correction and its comparison;
* :mod:`synthaug.fidelity` – generator fidelity metrics;
* :mod:`synthaug.data` – bundled datasets;
* :mod:`synthaug.estimators` – every scikit-learn / imbalanced-learn estimator (the only
  layer that imports them);
* :mod:`synthaug.designs` and :mod:`synthaug.simulate` – the simulation designs, their
  registry and JSON contract; :mod:`synthaug.cli` – the command line.
"""

from __future__ import annotations

import importlib
import os as _os

from synthaug import config

__version__ = "0.1.0"

# Old import paths (synthaug.fit, synthaug.oversamplers, ...) live in _legacy/ as
# deprecation shims; they are found after the real subpackages (see synthaug._deprecations).
__path__.append(_os.path.join(_os.path.dirname(__file__), "_legacy"))  # noqa: F821

#: public name -> module that defines it (loaded on first access).
_PUBLIC = {
    "Loss": "synthaug.core.losses",
    "squared_loss": "synthaug.core.losses",
    "logistic_loss": "synthaug.core.losses",
    "get_loss": "synthaug.core.losses",
    "weighted_fit": "synthaug.core.fit",
    "FitResult": "synthaug.core.fit",
    "balanced_weights": "synthaug.core.risk",
    "empirical_balanced_risk": "synthaug.core.risk",
    "run_replications": "synthaug.core.montecarlo",
    "mean_mcse": "synthaug.core.montecarlo",
    "loglog_slope": "synthaug.core.montecarlo",
    "decompose": "synthaug.theory.decomposition",
    "theory_size": "synthaug.theory.decomposition",
    "theory_multiplier": "synthaug.theory.decomposition",
    "expected_excess": "synthaug.theory.decomposition",
    "make_generator": "synthaug.generators",
    "nested_pool": "synthaug.generators",
    "run_design": "synthaug.simulate",
    "list_designs": "synthaug.simulate",
    "get_design": "synthaug.simulate",
    "SimulationResult": "synthaug.simulate",
    "diagnose": "synthaug.diagnosis",
    "select_size": "synthaug.diagnosis",
    "Diagnosis": "synthaug.diagnosis",
    "load_dataset": "synthaug.data",
    "bias_corrected_fit": "synthaug.bias_correction",
    "compare_estimators": "synthaug.bias_correction",
    "estimate_bias": "synthaug.bias_correction",
    "as_sampler": "synthaug.estimators",
    "all_estimators": "synthaug.estimators",
    "SMOTESampler": "synthaug.estimators",
    "BorderlineSMOTESampler": "synthaug.estimators",
    "ADASYNSampler": "synthaug.estimators",
    "SMOTENCSampler": "synthaug.estimators",
    "SMOTENSampler": "synthaug.estimators",
    "SMOTETomekSampler": "synthaug.estimators",
    "SMOTEENNSampler": "synthaug.estimators",
    "SmoothedBootstrapSampler": "synthaug.estimators",
    "GaussianMixtureSampler": "synthaug.estimators",
    "RandomOversamplingSampler": "synthaug.estimators",
    "GKSMOTESampler": "synthaug.estimators",
    "MOMSSampler": "synthaug.estimators",
    "LEOCVAESampler": "synthaug.estimators",
    "SVMSMOTESampler": "synthaug.estimators",
    "KMeansSMOTESampler": "synthaug.estimators",
    "VTSSSampler": "synthaug.estimators",
    "KOTAROClassifier": "synthaug.estimators",
    "BiasCorrectedClassifier": "synthaug.estimators",
}
_SUBPACKAGES = (
    "core", "theory", "generators", "models", "diagnosis", "bias_correction", "fidelity", "data",
    "estimators", "designs", "simulate", "cli",
)
#: Renamed top-level names (old -> new home), kept for now with a DeprecationWarning.
_RENAMED = {
    "GKSMOTE": "synthaug.estimators.recent:GKSMOTESampler",
    "MOMS": "synthaug.estimators.recent:MOMSSampler",
    "LEOCVAE": "synthaug.estimators.recent:LEOCVAESampler",
    "VTSSResampler": "synthaug.estimators.vtss:VTSSSampler",
}

__all__ = ["__version__", "config", *_SUBPACKAGES, *_PUBLIC]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f"synthaug.{name}")
    if name in _RENAMED:
        from synthaug._deprecations import deprecated_aliases

        return deprecated_aliases(__name__, _RENAMED)(name)
    raise AttributeError(f"module 'synthaug' has no attribute {name!r}")


def __dir__():
    return sorted(set(__all__) | set(globals()))
