"""Deprecated import path: ``synthaug._neighbours`` moved to ``synthaug.generators._neighbours`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators._neighbours")
