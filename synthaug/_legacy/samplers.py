"""Deprecated import path: ``synthaug.samplers`` moved to ``synthaug.estimators.base`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.estimators.base", {'VTSSResampler': 'synthaug.estimators.vtss:VTSSSampler'})
