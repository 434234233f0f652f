"""Deprecated import path: ``simulations.bias_correction`` moved to ``synthaug.designs.bias_correction``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.bias_correction")
