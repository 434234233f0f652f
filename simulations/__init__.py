"""Deprecated: the designs moved to :mod:`synthaug.designs` and the studies to ``paper/studies/``.

This folder is not installed; it keeps old ``simulations.*`` imports of a repository checkout working for now.
"""
