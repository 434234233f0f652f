"""The former single module of the bias correction, kept as a stable import path.

The implementation is split by concept into :mod:`~synthaug.bias_correction.estimate`,
:mod:`~synthaug.bias_correction.objective`, :mod:`~synthaug.bias_correction.safeguard`,
:mod:`~synthaug.bias_correction.fit` and :mod:`~synthaug.bias_correction.compare`; the method
and its documented choices are described in :mod:`synthaug.bias_correction`. This module
re-exports the public names of the package (the very same objects), so
``from synthaug.bias_correction.method import compare_estimators`` keeps working; new code
imports from :mod:`synthaug.bias_correction`.
"""

import synthaug.bias_correction as _package

__all__ = list(_package.__all__)
globals().update({name: getattr(_package, name) for name in __all__})
