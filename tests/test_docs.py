"""The API reference cannot silently miss a public name (no Sphinx build; Sphinx not needed)."""

from __future__ import annotations

import ast
import pathlib
import re

import synthaug

API = pathlib.Path(__file__).resolve().parents[1] / "docs" / "api"


def _api_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(API.glob("*.rst")))


def _listed(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def test_every_public_name_is_in_the_reference():
    text = _api_text()
    missing = [name for name in synthaug._PUBLIC if not _listed(name, text)]
    assert not missing, f"add these synthaug._PUBLIC names to docs/api/*.rst: {missing}"


def test_every_exported_estimator_class_is_in_the_reference():
    # Read synthaug.estimators' __all__ from its source (importing it loads scikit-learn and
    # JAX, seconds); its classes are the CamelCase names, its functions are snake_case.
    source = (API.parents[1] / "synthaug" / "estimators" / "__init__.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    exported = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets)
    )
    text = _api_text()
    classes = [n for n in exported if n[:1].isupper()]
    assert classes
    missing = [n for n in classes if not _listed(n, text)]
    assert not missing, f"add these synthaug.estimators classes to docs/api/*.rst: {missing}"


def test_every_design_module_is_in_the_reference():
    from synthaug.designs import DESIGNS

    text = _api_text()
    missing = [m for m in DESIGNS.values() if not _listed(m, text)]
    assert not missing, f"add these design modules to docs/api/designs.rst: {missing}"
