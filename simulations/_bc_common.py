"""Deprecated import path: ``simulations._bc_common`` moved to ``synthaug.designs._bc_common``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs._bc_common")
