"""Deprecated import path: ``synthaug.symmetry`` moved to ``synthaug.diagnosis.symmetry`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.diagnosis.symmetry")
