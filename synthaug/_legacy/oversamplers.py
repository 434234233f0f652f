"""Deprecated import path: ``synthaug.oversamplers`` moved to ``synthaug.estimators.oversamplers`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.estimators.oversamplers")
