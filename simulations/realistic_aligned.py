"""Deprecated import path: ``simulations.realistic_aligned`` moved to ``synthaug.designs.realistic_aligned``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.realistic_aligned")
