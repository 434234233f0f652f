"""Deprecated import path: ``simulations._size_rules`` moved to ``synthaug.designs._size_rules``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs._size_rules")
