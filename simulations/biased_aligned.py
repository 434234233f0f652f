"""Deprecated import path: ``simulations.biased_aligned`` moved to ``synthaug.designs.biased_aligned``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.biased_aligned")
