"""Deprecated import path: ``simulations._tgvtss`` moved to ``synthaug.designs._tgvtss``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs._tgvtss")
