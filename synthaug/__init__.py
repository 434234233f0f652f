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
"""

from . import _config  # noqa: F401  (switches on float64; see synthaug._config)

__version__ = "0.1.0"

from . import decomposition, fit, generators, knn, losses, montecarlo, populations, risk, simulate  # noqa: E402
from .decomposition import decompose, expected_excess, theory_multiplier, theory_size  # noqa: E402
from .fit import FitResult, weighted_fit  # noqa: E402
from .generators import make_generator, nested_pool  # noqa: E402
from .losses import Loss, get_loss, logistic_loss, squared_loss  # noqa: E402
from .montecarlo import loglog_slope, mean_mcse, run_replications  # noqa: E402
from .risk import balanced_weights, empirical_balanced_risk  # noqa: E402
from .simulate import SimulationResult, get_design, list_designs, run_design  # noqa: E402

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
]
