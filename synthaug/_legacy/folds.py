"""Deprecated import path: ``synthaug.folds`` moved to ``synthaug.core.folds`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.core.folds")
