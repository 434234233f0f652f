"""Deprecated import path: ``synthaug.datasets`` moved to ``synthaug.data.datasets`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.data.datasets")
