"""Deprecated import path: ``synthaug.bc_classifier`` moved to ``synthaug.estimators.bias_corrected`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.estimators.bias_corrected")
