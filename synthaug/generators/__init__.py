"""Synthetic minority generators: pure JAX, one protocol, one registry.

A generator is a :class:`Generator` called as ``generator(key, X_minority, n[, X_majority])``;
:func:`make_generator` builds one by name from :data:`GENERATOR_FACTORIES` (each entry a
lazy ``"module:factory"`` string, so a generator module loads only when used). Nothing in
this package imports scikit-learn or imbalanced-learn; the imbalanced-learn samplers over
these generators are in :mod:`synthaug.estimators`.

Modules: :mod:`~synthaug.generators.basic` (the protocol, the registry, oracle, fixed,
Gaussian fit, semi-oracle, SMOTE, jitter, random oversampling, nested pools),
:mod:`~synthaug.generators.borderline`, :mod:`~synthaug.generators.adasyn`,
:mod:`~synthaug.generators.smote_nc`, :mod:`~synthaug.generators.kde` (smoothed bootstrap),
:mod:`~synthaug.generators.mixture` (Gaussian mixture by EM),
:mod:`~synthaug.generators.bias_study` (the generators of the bias-correction designs),
:mod:`~synthaug.generators.gk_smote`, :mod:`~synthaug.generators.moms`,
:mod:`~synthaug.generators.leo_cvae`, :mod:`~synthaug.generators.adapters`.
"""

from synthaug.generators.basic import (
    Generator,
    oracle,
    fixed,
    gaussian_fit,
    semi_oracle,
    smote,
    smote_with_parents,
    jitter,
    random_oversampling,
    nested_pool,
    prefix_weights,
    GENERATOR_NAMES,
    GENERATOR_FACTORIES,
    make_generator,
)

__all__ = [
    "Generator",
    "oracle",
    "fixed",
    "gaussian_fit",
    "semi_oracle",
    "smote",
    "smote_with_parents",
    "jitter",
    "random_oversampling",
    "nested_pool",
    "prefix_weights",
    "GENERATOR_NAMES",
    "GENERATOR_FACTORIES",
    "make_generator",
]
