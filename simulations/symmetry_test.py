"""Deprecated import path: ``simulations.symmetry_test`` moved to ``synthaug.designs.symmetry_test``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.symmetry_test")
