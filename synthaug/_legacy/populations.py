"""Deprecated import path: ``synthaug.populations`` moved to ``synthaug.theory.populations`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.theory.populations")
