"""Deprecated import path: ``synthaug.gk_smote`` moved to ``synthaug.generators.gk_smote`` (removed in 0.3)."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.generators.gk_smote", {'GKSMOTE': 'synthaug.estimators.recent:GKSMOTESampler'})
