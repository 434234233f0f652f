"""Simulation designs of synthaug, one module per design.

Each module exposes ``DESIGN`` (a :class:`synthaug.simulate.Design`); run them with
``synthaug simulate NAME`` or :func:`synthaug.run_design`. The engine (losses,
fits, generators, replications) lives in :mod:`synthaug`; these modules only
declare the populations, grids, size rules, metrics and figures.
"""
