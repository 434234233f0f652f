"""Majority-based bias correction of synthetic augmentation (Lyu, Ma, Zhang & Zhang, arXiv 2510.26046).

:mod:`~synthaug.bias_correction.method` (bias estimate, corrected objective, one-step and
safeguard, estimators, comparison), :mod:`~synthaug.bias_correction.extensions`
(multi-task, ATE) and :mod:`~synthaug.bias_correction.crossval` (the cross-validated
comparison behind ``synthaug bias-correct``). The scikit-learn classifier is
:class:`synthaug.estimators.BiasCorrectedClassifier`.
"""

from synthaug.bias_correction.method import (
    BiasEstimate,
    BCFit,
    block_layout,
    estimate_bias,
    psi_hat,
    augmented_design,
    corrected_design,
    correction_coefficient,
    corrected_objective,
    penalised_objective,
    one_step,
    unboundedness_check,
    fit_estimator,
    bias_corrected_fit,
    METHODS,
    COMPARE_METHODS,
    Comparison,
    compare_estimators,
    corrected_fit,
)

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
    "fit_estimator",
    "bias_corrected_fit",
    "METHODS",
    "COMPARE_METHODS",
    "Comparison",
    "compare_estimators",
    "corrected_fit",
]
