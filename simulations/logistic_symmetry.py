"""Deprecated import path: ``simulations.logistic_symmetry`` moved to ``synthaug.designs.logistic_symmetry``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.logistic_symmetry")
