"""Deprecated import path: ``simulations.tgvtss_linear`` moved to ``synthaug.designs.tgvtss_linear``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.tgvtss_linear")
