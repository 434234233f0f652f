"""Deprecated import path: ``synthaug.leo_cvae`` moved to ``synthaug.generators.leo_cvae`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.leo_cvae", {'LEOCVAE': 'synthaug.estimators.recent:LEOCVAESampler'})
