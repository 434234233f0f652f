"""Every public object of synthaug has a numpydoc ``Examples`` section, and it runs.

The objects are discovered from ``synthaug.__all__`` (subpackages and ``__version__``
excluded), so a new public function or class without an example fails here with its name.
Each ``Examples`` section is run with :mod:`doctest` (``ELLIPSIS`` and
``NORMALIZE_WHITESPACE``), in float64 as everywhere in the suite (``tests/conftest.py``
calls :func:`synthaug.config.enable_x64`), in a fresh namespace per object: an example
imports what it uses, so it can be copied as it stands.

The examples are sized so that the whole file runs in about a minute on a 2-core machine
(JAX's compilation dominates; they share data shapes so that compiled programs are reused).
"""

from __future__ import annotations

import doctest
import re

import pytest

import synthaug

#: The public objects: synthaug.__all__ less the subpackages and the version string.
PUBLIC_OBJECTS = [
    name for name in synthaug.__all__ if name not in ("__version__", "config", *synthaug._SUBPACKAGES)
]

#: The only objects whose example may use ``# doctest: +SKIP``, and why (at most two).
SKIPPED = {
    # Even quick=True with reps=2 runs a whole design: every design compiles its vmapped
    # replication programs for each cell of its grid (about a minute on 2 cores).
    "run_design": "runs a whole simulation design (about a minute of JAX compilation)",
    # Six estimators, two of them the full (iterative, safeguarded) corrections: about 30 s
    # of compilation of programs that no other example shares.
    "compare_estimators": "compiles six estimators (about 30 s) that no other example shares",
}

_HEADING = re.compile(r"^(?P<indent>[ \t]*)Examples[ \t]*\n(?P=indent)-{8,}[ \t]*$", re.MULTILINE)
_NEXT_HEADING = re.compile(r"^[ \t]*[A-Z][A-Za-z ]+[ \t]*\n[ \t]*-{3,}[ \t]*$", re.MULTILINE)
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def examples_section(doc: str | None) -> str | None:
    """The text of the numpydoc ``Examples`` section of ``doc`` (None when there is none)."""
    if not doc:
        return None
    head = _HEADING.search(doc)
    if head is None:
        return None
    body = doc[head.end():]
    nxt = _NEXT_HEADING.search(body)
    return body[: nxt.start()] if nxt else body


def test_public_objects_are_discovered():
    assert len(PUBLIC_OBJECTS) >= 40
    assert "SMOTESampler" in PUBLIC_OBJECTS and "diagnose" in PUBLIC_OBJECTS
    assert not any(name in synthaug._SUBPACKAGES for name in PUBLIC_OBJECTS)


def test_examples_section_parser():
    doc = "Summary.\n\n    Parameters\n    ----------\n    x : int\n\n    Examples\n    --------\n" \
          "    >>> 1 + 1\n    2\n\n    See Also\n    --------\n    other\n"
    assert examples_section(doc).strip() == ">>> 1 + 1\n    2"
    assert examples_section("Summary only.") is None
    assert examples_section(None) is None


def test_every_public_object_has_examples():
    missing = [name for name in PUBLIC_OBJECTS if not examples_section(getattr(synthaug, name).__doc__)]
    assert not missing, f"these public objects have no numpydoc 'Examples' section: {missing}"


def test_skips_are_few_and_explained():
    assert len(SKIPPED) <= 2 and set(SKIPPED) <= set(PUBLIC_OBJECTS)
    skipping = [name for name in PUBLIC_OBJECTS if "+SKIP" in (examples_section(getattr(synthaug, name).__doc__) or "")]
    assert set(skipping) <= set(SKIPPED), f"examples skipped without a reason in SKIPPED: {set(skipping) - set(SKIPPED)}"


@pytest.mark.parametrize("name", PUBLIC_OBJECTS)
def test_examples_run(name):
    assert synthaug.config.x64_enabled(), "tests/conftest.py switches float64 on"
    obj = getattr(synthaug, name)
    text = examples_section(obj.__doc__)
    if text is None:
        pytest.fail(f"synthaug.{name} has no numpydoc 'Examples' section")
    test = doctest.DocTestParser().get_doctest(text, {}, f"synthaug.{name}", getattr(obj, "__module__", None), 0)
    assert test.examples, f"the 'Examples' section of synthaug.{name} holds no '>>>' line"
    runner = doctest.DocTestRunner(optionflags=_FLAGS)
    report = []
    runner.run(test, out=report.append)
    test.globs.clear()
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"synthaug.{name}: {result.failed} failing example(s)\n" + "".join(report)
