"""Deprecated import path: ``synthaug.moms`` moved to ``synthaug.generators.moms`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.moms", {'MOMS': 'synthaug.estimators.recent:MOMSSampler'})
