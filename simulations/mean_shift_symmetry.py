"""Deprecated import path: ``simulations.mean_shift_symmetry`` moved to ``synthaug.designs.mean_shift_symmetry``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.mean_shift_symmetry")
