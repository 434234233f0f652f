"""synthaug: theory, diagnostics and fast simulations for synthetic minority augmentation.

The theory core (pure JAX functions, explicit PRNG keys):

* :mod:`synthaug.losses` – squared and logistic losses, per-observation scores and Hessians;
* :mod:`synthaug.fit` – :func:`weighted_fit`, one vmappable weighted M-estimation entry point;
* :mod:`synthaug.risk` – empirical balanced risk and balanced weights;
* :mod:`synthaug.populations` – class laws with exact population risks, θ*;
* :mod:`synthaug.decomposition` – φ/ψ decomposition, theory size, predicted excess curves;
* :mod:`synthaug.generators` – oracle, fixed Q, Gaussian fit, semi-oracle, SMOTE, jitter, random;
* :mod:`synthaug.knn` – exact kNN (dense or blocked), the one neighbour primitive;
* :mod:`synthaug.oversamplers` – imbalanced-learn samplers: SMOTE, Borderline-SMOTE, ADASYN, SMOTE-NC,
  smoothed bootstrap, Gaussian mixture, random (generators in :mod:`synthaug.borderline`,
  :mod:`synthaug.adasyn`, :mod:`synthaug.smote_nc`, :mod:`synthaug.bootstrap`, :mod:`synthaug.gmm`);
* :mod:`synthaug.montecarlo` – vectorised replications, MCSEs, log–log slopes;
* :mod:`synthaug.simulate` – the simulation designs and their JSON contract.

The diagnosis (Ma & Zhang, arXiv 2601.16120):

* :mod:`synthaug.models` – logistic/squared GLMs, random Fourier features, a small MLP;
* :mod:`synthaug.symmetry` – balanced pilot and the local-symmetry Wald test;
* :mod:`synthaug.alignment` – cross-fitted mismatch, alignment, theory size, GQS;
* :mod:`synthaug.vtss` – VTSS and TG-VTSS cross-validated size selection;
* :mod:`synthaug.diagnosis` – :func:`diagnose`, :func:`select_size`;
* :mod:`synthaug.samplers` – imbalanced-learn samplers incl. :class:`VTSSResampler`;
* :mod:`synthaug.adapters` – imbalanced-learn samplers and callables as generators;
* :mod:`synthaug.datasets` – bundled offline datasets.

Generators beyond SMOTE and generator fidelity:

* :mod:`synthaug.fidelity` – MMD² with permutation p-value, per-column W1/KS, detection AUC,
  manifold precision/recall;
* :mod:`synthaug.gk_smote`, :mod:`synthaug.moms`, :mod:`synthaug.leo_cvae` – GK-SMOTE, MOMS and
  LEO-CVAE generators and samplers; :mod:`synthaug.kotaro` – the KOTARO classifier (these four load
  on first use: ``synthaug.GKSMOTE``, ``synthaug.MOMS``, ``synthaug.LEOCVAE``, ``synthaug.KOTAROClassifier``).

Bias correction:

* :mod:`synthaug.bias_correction` – majority-based bias correction (Lyu et al., reconstructed),
  with :mod:`synthaug.bc_extensions` (multi-task, ATE), :mod:`synthaug.bc_generators` and the
  scikit-learn :class:`~synthaug.bc_classifier.BiasCorrectedClassifier` (imported lazily).
"""

__version__ = "0.1.0"

from . import decomposition, fidelity, fit, generators, knn, losses, montecarlo, populations, risk, simulate  # noqa: E402
from .decomposition import decompose, expected_excess, theory_multiplier, theory_size  # noqa: E402
from .fit import FitResult, weighted_fit  # noqa: E402
from .generators import make_generator, nested_pool  # noqa: E402
from .losses import Loss, get_loss, logistic_loss, squared_loss  # noqa: E402
from .montecarlo import loglog_slope, mean_mcse, run_replications  # noqa: E402
from .risk import balanced_weights, empirical_balanced_risk  # noqa: E402
from .simulate import SimulationResult, get_design, list_designs, run_design  # noqa: E402
from .diagnosis import Diagnosis, diagnose, select_size  # noqa: E402
from .datasets import load_dataset  # noqa: E402
from . import bias_correction  # noqa: E402
from .bias_correction import bias_corrected_fit, compare_estimators, estimate_bias  # noqa: E402

__all__ = [
    "__version__",
    "Loss",
    "squared_loss",
    "logistic_loss",
    "get_loss",
    "weighted_fit",
    "FitResult",
    "balanced_weights",
    "empirical_balanced_risk",
    "decompose",
    "theory_size",
    "theory_multiplier",
    "expected_excess",
    "make_generator",
    "nested_pool",
    "run_replications",
    "mean_mcse",
    "loglog_slope",
    "run_design",
    "list_designs",
    "get_design",
    "SimulationResult",
    "diagnose",
    "select_size",
    "Diagnosis",
    "load_dataset",
    "VTSSResampler",
    "as_sampler",
    "fidelity",
    "GKSMOTE",
    "MOMS",
    "LEOCVAE",
    "KOTAROClassifier",
    "bias_corrected_fit",
    "compare_estimators",
    "estimate_bias",
    "BiasCorrectedClassifier",
]

# Heavier modules (scikit-learn, imbalanced-learn, optax) load on first attribute access.
_LAZY = {
    "GKSMOTE": "synthaug.gk_smote",
    "MOMS": "synthaug.moms",
    "LEOCVAE": "synthaug.leo_cvae",
    "KOTAROClassifier": "synthaug.kotaro",
    "VTSSResampler": "synthaug.samplers",
    "as_sampler": "synthaug.samplers",
    "BiasCorrectedClassifier": "synthaug.bc_classifier",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'synthaug' has no attribute {name!r}")
