"""Test your own generator or estimator: contract checks, statistical checks and strategies.

* :mod:`synthaug.testing.checks`: :func:`check_generator`, :func:`check_sampler`,
  :func:`check_estimator`, :func:`parametrize_with_checks` (deterministic contracts).
* :mod:`synthaug.testing.stats`: :func:`check_unbiased`, :func:`check_rate`,
  :func:`check_calibrated_pvalues`, :func:`check_same_distribution`,
  :func:`check_generator_mismatch`, each with a stated false-failure rate ``alpha``
  (default 1e-4) and returning a :class:`StatCheckResult`.
* :mod:`synthaug.testing.strategies`: hypothesis strategies for imbalanced data
  (needs hypothesis: ``pip install "synthaug[testing]"``).
* :mod:`synthaug.testing.pytest_plugin`: fixtures, a marker and options for pytest. It is
  opt-in (no entry point): load it with ``pytest_plugins = ["synthaug.testing.pytest_plugin"]``
  in your ``conftest.py``.

Importing this package, :mod:`~synthaug.testing.checks` or :mod:`~synthaug.testing.stats`
needs neither pytest nor hypothesis, and the checks import JAX only when called (pytest is
needed only for :func:`parametrize_with_checks` and the plugin, hypothesis only for the
strategies).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "StatCheckResult": "synthaug.testing._result",
    "check_generator": "synthaug.testing.checks",
    "generator_checks": "synthaug.testing.checks",
    "check_sampler": "synthaug.testing.checks",
    "sampler_checks": "synthaug.testing.checks",
    "check_estimator": "synthaug.testing.checks",
    "estimator_checks": "synthaug.testing.checks",
    "parametrize_with_checks": "synthaug.testing.checks",
    "DEFAULT_ALPHA": "synthaug.testing.stats",
    "check_unbiased": "synthaug.testing.stats",
    "check_rate": "synthaug.testing.stats",
    "check_calibrated_pvalues": "synthaug.testing.stats",
    "check_same_distribution": "synthaug.testing.stats",
    "check_generator_mismatch": "synthaug.testing.stats",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
