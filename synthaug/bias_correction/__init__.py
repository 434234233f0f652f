r"""Majority-based bias correction of synthetic augmentation.

Implements the bias-corrected estimator of Lyu, Ma, Zhang & Zhang (2025),
*Bias-Corrected Data Synthesis for Imbalanced Learning* (arXiv 2510.26046). The
generator's loss bias :math:`\psi = R_Q - R_1` (Ma & Zhang, 2026, *Synthetic Augmentation
in Imbalanced Learning*, arXiv 2601.16120) is estimated by running the same generator on
majority blocks of the minority's size, and the augmented loss is corrected by
:math:`L^{bc} = L^{aug} - \beta\hat\psi`, which is one weighted ERM with signed weights.
Class indices: 0 = majority, 1 = minority.

One concept per module:

* :mod:`~synthaug.bias_correction.estimate` – the bias estimate :math:`\hat\psi`
  (:func:`estimate_bias`, :class:`BiasEstimate`, :func:`block_layout`, :func:`psi_hat`);
* :mod:`~synthaug.bias_correction.objective` – augmented and corrected designs and objectives
  (:func:`augmented_design`, :func:`corrected_design`, :func:`correction_coefficient`,
  :func:`corrected_objective`);
* :mod:`~synthaug.bias_correction.safeguard` – the one-step correction and the safeguard of the
  full correction (:func:`one_step`, :func:`unboundedness_check`);
* :mod:`~synthaug.bias_correction.fit` – the estimators and the bias-corrected fit
  (:func:`fit_estimator`, :func:`bias_corrected_fit`, :func:`corrected_fit`, :class:`BCFit`);
* :mod:`~synthaug.bias_correction.compare` – every estimator on one data set
  (:func:`compare_estimators`, :data:`COMPARE_METHODS`);
* :mod:`~synthaug.bias_correction.extensions` (multi-task, average treatment effect) and
  :mod:`~synthaug.bias_correction.crossval` (the cross-validated comparison behind
  ``synthaug bias-correct``).

The penalised objective, its gradient and Hessian live in :mod:`synthaug.core.glm`
(:func:`penalised_objective` is re-exported here). The scikit-learn classifier is
:class:`synthaug.estimators.BiasCorrectedClassifier`.

Documented choices
------------------
The method follows the paper's description; the choices below are not pinned down by it
and are this implementation's own (each is a parameter where it can be):

1. :math:`L^{aug}` is pooled ERM over real and synthetic rows; a class-balanced variant is
   available (``weighting="balanced"``). The correction coefficient is the exact coefficient
   of :math:`\psi` in :math:`E L^{aug}`: :math:`\beta = \tilde n/N` (pooled; equal to
   :math:`(n_0-n_1)/(2n_0)` at full balancing) or :math:`\tilde n/(2(n_1+\tilde n))`
   (balanced); ``beta=`` overrides it.
2. Block size = :math:`n_1` (the generator's bias depends on its input size). Held-out:
   majority randomly permuted, split in halves; ``B = floor((n_0/2)/n_1)`` blocks from the
   first half, the second half held out. Paired (the default): ``B = floor(n_0/n_1)`` blocks
   from the whole majority (no held-out set needed). Leftover rows are unused by the bias
   estimate; *all* majority rows still enter the label-0 term.
3. Synthetic rows per block ``m`` default to :math:`n_1` (one block's worth), so the
   synthetic majority has about as many rows as the majority used for blocks.
4. Proxy label :math:`y^\dagger = 1` (the loss branch being corrected); ``proxy_label=0``
   is available.
5. No alignment or re-centring of the majority toward the minority.
6. Cross-fitting (held-out version only): swap the halves and average the two estimates;
   for the paired version it does not apply (all rows are already used) and is ignored.
7. Generators that use the majority (``uses_majority``) receive, when run on a majority
   block, the real *minority* rows as the opposite class (roles swapped).
8. ``correction="one-step"`` by default; ``"full"`` with the safeguard and a one-step
   fallback.
9. Ridge :math:`\lambda\lVert\theta\rVert^2` (intercept included) as in
   :func:`~synthaug.core.fit.weighted_fit`; the same ridge for every estimator.
"""

from synthaug.bias_correction.compare import COMPARE_METHODS, Comparison, compare_estimators
from synthaug.bias_correction.estimate import BiasEstimate, block_layout, estimate_bias, psi_hat
from synthaug.bias_correction.fit import METHODS, BCFit, bias_corrected_fit, corrected_fit, fit_estimator
from synthaug.bias_correction.objective import (
    augmented_design,
    corrected_design,
    corrected_objective,
    correction_coefficient,
)
from synthaug.bias_correction.safeguard import UnstableCorrectionWarning, one_step, unboundedness_check
from synthaug.core.glm import penalised_objective

__all__ = [
    "BiasEstimate",
    "BCFit",
    "block_layout",
    "estimate_bias",
    "psi_hat",
    "augmented_design",
    "corrected_design",
    "correction_coefficient",
    "corrected_objective",
    "penalised_objective",
    "one_step",
    "unboundedness_check",
    "UnstableCorrectionWarning",
    "fit_estimator",
    "bias_corrected_fit",
    "METHODS",
    "COMPARE_METHODS",
    "Comparison",
    "compare_estimators",
    "corrected_fit",
]
