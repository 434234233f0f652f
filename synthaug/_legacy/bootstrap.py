"""Deprecated import path: ``synthaug.bootstrap`` moved to ``synthaug.generators.kde`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.kde")
