"""Deprecated import path: ``synthaug.smalllinalg`` moved to ``synthaug.core.linalg`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.core.linalg")
