"""Deprecated import path: ``synthaug.adasyn`` moved to ``synthaug.generators.adasyn`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.adasyn")
