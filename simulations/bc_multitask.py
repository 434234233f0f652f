"""Deprecated import path: ``simulations.bc_multitask`` moved to ``synthaug.designs.bc_multitask``."""

from synthaug._deprecations import moved_module

__getattr__, __dir__ = moved_module(__name__, "synthaug.designs.bc_multitask")
