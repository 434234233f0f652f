"""Deprecated import path: ``synthaug.smote_nc`` moved to ``synthaug.generators.smote_nc`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.smote_nc")
