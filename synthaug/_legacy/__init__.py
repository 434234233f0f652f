"""Deprecated import paths (see :mod:`synthaug._deprecations`); removed in synthaug 0.3."""
