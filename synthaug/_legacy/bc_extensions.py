"""Deprecated import path: ``synthaug.bc_extensions`` moved to ``synthaug.bias_correction.extensions`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.bias_correction.extensions")
