"""Deprecated import path: ``simulations.nonsynthetic`` moved to ``synthaug.designs.nonsynthetic``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.nonsynthetic")
