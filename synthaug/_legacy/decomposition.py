"""Deprecated import path: ``synthaug.decomposition`` moved to ``synthaug.theory.decomposition`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.theory.decomposition")
