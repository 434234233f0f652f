"""Classify what a public entry point does with one input: the fuzz suite's one judge.

Every call ends in one of these outcome classes:

``clear-error``
    a ``ValueError`` raised by synthaug's own code (its message names the problem);
``input-validation``
    a ``ValueError`` raised by scikit-learn's or imbalanced-learn's own input validation
    (``sklearn.utils`` / ``imblearn.utils``: parameter constraints, ``check_array``), the
    messages those libraries give on purpose;
``result``
    a return value that passed the case's output check (finite, rightly sized, ...).

and these are failures:

``deep-error``
    a ``ValueError`` raised from inside NumPy, JAX, SciPy, pandas or scikit-learn internals
    (a raw traceback the user cannot act on);
``unclear-error``
    any other exception type (``TypeError``, ``IndexError``, a JAX runtime error, ...);
``bad-output``
    a return value that fails the output check (non-finite, wrongly sized, ...);
``mutated-input``
    the call changed one of its inputs in place;
``crash``
    the process died (only observable for cases run in a subprocess).
"""

from __future__ import annotations

import collections
import copy
import traceback

import numpy as np

#: Outcome classes that pass, and those that fail a case.
PASSING = ("clear-error", "input-validation", "result")
FAILING = ("deep-error", "unclear-error", "bad-output", "mutated-input", "crash")

#: Every classified outcome of this session: class -> count (reported at the end of the run).
TALLY: collections.Counter = collections.Counter()
#: Failing cases of this session: (case id, class, detail).
FAILURES: list = []

_VALIDATION_ORIGINS = ("/sklearn/utils/", "/imblearn/utils/", "/imblearn/base.py", "/sklearn/base.py")


class OneLineError(ValueError):
    """A command-line case that ended in one ``synthaug: error: ...`` line with exit status 2 (a clear error)."""


def _origin(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return frames[-1].filename.replace("\\", "/") if frames else ""


def _snapshot(obj):
    try:
        return copy.deepcopy(obj)
    except Exception:  # noqa: BLE001 - an object that cannot be copied is not compared
        return None


def _same(a, b) -> bool:
    if a is None or b is None:
        return True
    if hasattr(a, "equals") and hasattr(a, "dtypes"):  # pandas
        return bool(a.equals(b)) and list(getattr(a, "dtypes", [])) == list(getattr(b, "dtypes", []))
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    return True


def classify(case_id: str, call, *, inputs=(), check=None):
    """Run ``call()`` and return ``(outcome class, detail)``; the outcome is also tallied.

    Parameters
    ----------
    case_id : str
        Names the case in failure reports.
    call : callable
        The entry point applied to the case's input (no arguments).
    inputs : sequence
        The arrays / frames passed to ``call``: compared with a copy taken before the call.
    check : callable, optional
        ``check(result) -> str or None``: a problem with the result, or None when it is right.
    """
    before = [_snapshot(x) for x in inputs]
    try:
        out = call()
    except ValueError as err:
        where = _origin(err)
        msg = str(err)
        if isinstance(err, OneLineError) or ("/synthaug/" in where and msg.strip()):
            outcome, detail = "clear-error", msg
        elif any(part in where for part in _VALIDATION_ORIGINS) and msg.strip():
            outcome, detail = "input-validation", msg
        else:
            outcome, detail = "deep-error", f"{type(err).__name__} from {where}: {msg[:300]}"
    except Exception as err:  # noqa: BLE001 - classifying every exception is the point
        outcome, detail = "unclear-error", f"{type(err).__name__} from {_origin(err)}: {str(err)[:300]}"
    else:
        problem = check(out) if check is not None else None
        outcome, detail = ("bad-output", problem) if problem else ("result", "")
    if outcome in PASSING and not all(_same(b, a) for b, a in zip(before, inputs)):
        outcome, detail = "mutated-input", "an input changed during the call"
    TALLY[outcome] += 1
    if outcome in FAILING:
        FAILURES.append((case_id, outcome, detail))
    return outcome, detail


def finite_array(shape=None):
    """An output check: a finite float array, of ``shape`` when given."""

    def check(out):
        a = np.asarray(out)
        if shape is not None and a.shape != tuple(shape):
            return f"shape {a.shape}, expected {tuple(shape)}"
        if not np.issubdtype(a.dtype, np.floating):
            return f"dtype {a.dtype}, expected a float"
        if not np.all(np.isfinite(a)):
            return "non-finite values"
        return None

    return check


def all_finite(values) -> bool:
    """Every number in a nested structure of dicts/lists/arrays/scalars is finite (None allowed)."""
    if values is None or isinstance(values, (str, bool)):
        return True
    if isinstance(values, dict):
        return all(all_finite(v) for v in values.values())
    if isinstance(values, (list, tuple)):
        return all(all_finite(v) for v in values)
    try:
        a = np.asarray(values)
    except Exception:  # noqa: BLE001
        return True
    if np.issubdtype(a.dtype, np.number):
        return bool(np.all(np.isfinite(a)))
    return True
