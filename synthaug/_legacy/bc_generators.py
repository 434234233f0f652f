"""Deprecated import path: ``synthaug.bc_generators`` moved to ``synthaug.generators.bias_study`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.bias_study")
