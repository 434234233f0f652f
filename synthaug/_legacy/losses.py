"""Deprecated import path: ``synthaug.losses`` moved to ``synthaug.core.losses`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.core.losses")
