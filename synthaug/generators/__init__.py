"""Synthetic minority generators: pure JAX, one protocol, one registry.

A generator is a :class:`Generator` called as ``generator(key, X_minority, n[, X_majority])``
(the protocol, in :mod:`~synthaug.generators.basic` next to the simplest generators);
:func:`make_generator` builds one by name from :data:`GENERATOR_FACTORIES` (each entry a
lazy ``"module:factory"`` string, so a generator module loads only when used), and returns
the same object for the same arguments. Adding a generator is one module plus one line in
:mod:`~synthaug.generators.registry`. Nothing in this package imports scikit-learn or
imbalanced-learn; the imbalanced-learn samplers over these generators are in
:mod:`synthaug.estimators`.

Modules: :mod:`~synthaug.generators.basic` (the protocol; oracle, fixed, Gaussian fit,
semi-oracle, SMOTE and global SMOTE, jitter, random oversampling, shrink, nested pools),
:mod:`~synthaug.generators.registry` (names, factories, the one generator cache),
:mod:`~synthaug.generators.borderline`, :mod:`~synthaug.generators.adasyn`,
:mod:`~synthaug.generators.smote_nc`, :mod:`~synthaug.generators.kde` (smoothed bootstrap),
:mod:`~synthaug.generators.mixture` (Gaussian mixture: the one EM),
:mod:`~synthaug.generators.gk_smote`, :mod:`~synthaug.generators.moms`,
:mod:`~synthaug.generators.leo_cvae`, :mod:`~synthaug.generators.adapters`.
(:mod:`~synthaug.generators.bias_study` is a deprecated alias module.)
"""

import importlib

_BASIC = ("Generator", "oracle", "fixed", "gaussian_fit", "semi_oracle", "smote", "smote_with_parents",
          "smote_global", "jitter", "random_oversampling", "bootstrap", "shrink", "nested_pool", "prefix_weights")
_REGISTRY = ("GENERATOR_NAMES", "GENERATOR_FACTORIES", "make_generator")

__all__ = [*_BASIC, *_REGISTRY]


def __getattr__(name):
    # Lazy: ``synthaug.generators.registry`` (the names) loads without JAX, so the command line
    # can check a generator name before importing it; the generators load on first use.
    if name in _BASIC:
        value = getattr(importlib.import_module("synthaug.generators.basic"), name)
    elif name in _REGISTRY:
        value = getattr(importlib.import_module("synthaug.generators.registry"), name)
    else:
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as err:
            if err.name != f"{__name__}.{name}":  # a real submodule whose own import failed
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
