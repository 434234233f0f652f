"""Deprecated import path: ``simulations.smote_bias`` moved to ``synthaug.designs.smote_bias``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.smote_bias")
