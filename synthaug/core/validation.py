"""Input checks shared by the public entry points.

Checks run only on concrete arrays: inside ``jit``/``vmap`` the arguments are
tracers and the checks are skipped (the public functions validate before they
trace).
"""

from __future__ import annotations

import sys as _sys

import numpy as np


def is_concrete(*arrays) -> bool:
    """No argument is a JAX tracer (JAX is looked up, not imported: this module loads without it,
    so the command line can check its input before importing JAX)."""
    jax = _sys.modules.get("jax")
    return jax is None or not any(isinstance(a, jax.core.Tracer) for a in arrays)


def check_features(X, name: str = "X", *, min_rows: int = 1) -> np.ndarray:
    """2-D finite float array with at least ``min_rows`` rows, or ValueError."""
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (n_samples, n_features); got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be numeric; got dtype {arr.dtype}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} row(s); got {arr.shape[0]}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} has no feature columns")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.unique(np.nonzero(bad)[0])
        kind = "NaN" if np.isnan(arr).any() else "infinite"
        raise ValueError(f"{name} contains {kind} values (first bad row {rows[0]}, {rows.size} bad row(s) in all)")
    return arr


def check_labels(y, n: int, name: str = "y") -> np.ndarray:
    """Class indices in {0, 1} of length n, both classes present."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D; got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {n} rows but {name} has {arr.shape[0]} labels (lengths must match)")
    if not np.all(np.isfinite(arr.astype(float))):
        raise ValueError(f"{name} contains NaN or infinite values")
    vals = np.unique(arr)
    if not np.all(np.isin(vals, [0, 1])):
        raise ValueError(f"{name} must hold class indices 0 (majority) and 1 (minority); got values {vals[:5].tolist()}")
    if vals.size < 2:
        raise ValueError(f"{name} has a single class ({vals.tolist()}); two classes are needed")
    return arr


def check_weights(w, n: int) -> np.ndarray:
    arr = np.asarray(w, dtype=float)
    if arr.shape != (n,):
        raise ValueError(f"weights must have shape ({n},); got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("weights contain NaN or infinite values")
    if arr.sum() <= 0:
        raise ValueError("weights must have a positive sum")
    return arr


def check_int(value, name: str, minimum: int = 1, *, maximum: int | None = None) -> int:
    """``value`` as a Python int, or ValueError naming ``name`` and the allowed range.

    The message reads "``name`` must be a positive integer; got …" (``minimum=1``), "… a
    non-negative integer …" (``minimum=0``) or "… an integer >= m …". Integers and
    integer-valued floats (``5.0``) are accepted; booleans, strings, NaN,
    non-integral floats and values outside ``[minimum, maximum]`` are refused. The one
    home of the integer-parameter check used by the generators, samplers and entry points.
    """
    if maximum is not None:
        bound = f"an integer in [{minimum}, {maximum}]"
    else:
        bound = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum, f"an integer >= {minimum}")
    ok = isinstance(value, (int, np.integer, float, np.floating)) and not isinstance(value, (bool, np.bool_))
    if ok:
        ok = bool(np.isfinite(value)) and float(value).is_integer()
    if ok:
        ok = minimum <= value and (maximum is None or value <= maximum)
    if not ok:
        raise ValueError(f"{name} must be {bound}; got {plain(value)}")
    return int(value)


def plain(value) -> str:
    """``value`` as an error message shows it: NumPy scalars as Python ones (``1``, not
    ``np.int64(1)``), strings quoted and named as such (``'5' (a string)``)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return f"{value!r} (a string)"
    return repr(value)


def check_size(n, name: str = "n") -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
        if isinstance(n, (float, np.floating)) and float(n).is_integer():
            n = int(n)
        else:
            raise ValueError(f"{name} must be a non-negative integer; got {n!r}")
    if n < 0:
        raise ValueError(f"{name} must be non-negative; got {n}")
    return int(n)
