"""Deprecated import path: ``simulations._common`` moved to ``synthaug.designs._common``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs._common")
