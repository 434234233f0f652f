"""Sphinx configuration of the synthaug API reference (offline: nothing is fetched at build time).

Build with ``make docs`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``).
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# The checkout's package (even when synthaug is not installed in the running interpreter)
# and this folder's local extension.
sys.path.insert(0, os.path.join(_HERE, ".."))
sys.path.insert(0, os.path.join(_HERE, "_ext"))

import synthaug  # noqa: E402  (changes nothing on import: no JAX setting, no computation)
import synthaug_docs  # noqa: E402

project = "synthaug"
author = "synthaug developers"
copyright = "synthaug developers, MIT licence"
version = release = synthaug.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "synthaug_docs",  # docs/_ext: the generator table, the member filters
]

templates_path = ["_templates"]
exclude_patterns = ["_build"]
root_doc = "index"
html_theme = "alabaster"
html_static_path: list[str] = []
html_show_sourcelink = False

# Offline build: no intersphinx (it would download inventories); MathJax is loaded by the
# reader's browser when a page with formulas is opened, nothing is fetched at build time.

# autosummary writes one page per module, class and function under api/generated/.
autosummary_generate = True
autosummary_imported_members = False  # a re-exported name is documented once, in its home module
autosummary_ignore_module_all = False  # __all__ decides what a module documents ...
# ... but a package's __all__ also lists what it re-exports: the module template keeps only the
# names a module defines itself (``own_names``, from synthaug_docs.own_names), so every object has one page.
autosummary_context = {"own_names": synthaug_docs.own_names(os.path.join(_HERE, "api"))}

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc "Parameters" sections carry the types
autodoc_default_options = {"show-inheritance": True}

# numpydoc renders the "Parameters", "Returns", ... sections; no validation (the goal is a
# clean -W build), and the class template lists the members itself.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
