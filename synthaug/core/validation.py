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
    if ok and not isinstance(value, (int, np.integer)):  # (np.isfinite refuses Python ints beyond int64)
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
        raise ValueError(f"{name} must be a non-negative integer; got {n}")
    return int(n)


#: Largest seed accepted by the entry points (``jax.random.key`` takes a signed 64-bit integer).
SEED_MAX = 2**63 - 1


def check_seed(seed, name: str = "seed") -> int:
    """``seed`` as a Python int in ``[0, 2**63 - 1]`` (what ``jax.random.key`` accepts), or ValueError."""
    try:
        return check_int(seed, name, 0, maximum=SEED_MAX)
    except ValueError:
        raise ValueError(f"{name} must be a non-negative integer (at most 2**63 - 1); got {plain(seed)}") from None


def check_bool(value, name: str) -> bool:
    """``value`` if it is a boolean (Python or NumPy), else ValueError naming ``name``.

    A truthy string such as ``"no"`` is refused rather than read as True.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {plain(value)}")
    return bool(value)


def check_real(value, name: str, minimum: float | None = None, maximum: float | None = None, *,
               open_low: bool = False, open_high: bool = False, allow_inf: bool = False) -> float:
    """``value`` as a finite Python float within the given bounds, or ValueError naming ``name``.

    Integers and floats (Python or NumPy) are accepted; booleans, strings, None and NaN
    are refused, and so is an infinite value unless ``allow_inf``.
    """
    ok = isinstance(value, (int, np.integer, float, np.floating)) and not isinstance(value, (bool, np.bool_))
    fin = "finite " if not allow_inf else ""
    if minimum == 0 and maximum is None:
        what = f"be positive (a {fin}number)" if open_low else f"be a {fin}non-negative number"
    elif minimum is not None or maximum is not None:
        lo = "-inf" if minimum is None else f"{minimum:g}"
        hi = "inf" if maximum is None else f"{maximum:g}"
        what = f"lie in {'(' if open_low or minimum is None else '['}{lo}, {hi}{')' if open_high or maximum is None else ']'}"
        what += f" (a {fin}number)"
    else:
        what = f"be a {fin}number"
    if ok:
        v = float(value)
        ok = not np.isnan(v) and (allow_inf or np.isfinite(v))
        if ok and minimum is not None:
            ok = v > minimum if open_low else v >= minimum
        if ok and maximum is not None:
            ok = v < maximum if open_high else v <= maximum
    if not ok:
        raise ValueError(f"{name} must {what}; got {plain(value)}")
    return float(value)


def check_multiple(value, name: str) -> float:
    """A finite non-negative multiple (of the class gap), or ValueError naming ``name``."""
    return check_real(value, name, 0.0)


def check_key(key, name: str = "key"):
    """``key`` unless it is None or not a JAX PRNG key (a typed key or a raw ``uint32[2]`` key)."""
    hint = "make one with jax.random.key(0) (or jax.random.key(seed) for another seed)"
    if key is None:
        raise ValueError(f"{name} is None; a JAX PRNG key is needed: {hint}")
    jax = _sys.modules.get("jax")
    if jax is not None and isinstance(key, jax.core.Tracer):
        return key
    dtype = getattr(key, "dtype", None)
    if jax is not None and dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        return key
    if isinstance(key, (int, float, str, bool)) or dtype is None or np.dtype(dtype) != np.uint32 or key.shape[-1:] != (2,):
        raise ValueError(f"{name} must be a JAX PRNG key; got {plain(key) if np.ndim(key) == 0 else type(key).__name__}: {hint}")
    return key


# --------------------------------------------------------------------------- magnitudes

def magnitude_limits(dtype) -> tuple[float, float]:
    """``(largest, smallest)`` column magnitudes refused by :func:`check_magnitudes` for ``dtype``.

    Sums of squares of ``n`` values of magnitude ``B`` overflow once ``n B**2`` passes the
    largest float, and squares of values near ``sqrt(tiny)`` underflow to zero. The limits
    keep a factor 1,000 of headroom: ``largest = sqrt(max) / 1e3`` (1.3e151 for float64,
    1.8e16 for float32) and ``smallest = sqrt(tiny) * 1e3`` (1.5e-151 / 1.1e-16).
    """
    info = np.finfo(np.dtype(dtype) if np.issubdtype(np.dtype(dtype), np.floating) else np.float64)
    return float(np.sqrt(info.max) / 1e3), float(np.sqrt(info.tiny) * 1e3)


def check_magnitudes(X, name: str = "X", names=None, dtype=None) -> None:
    """Refuse columns whose squares overflow or underflow, naming them.

    A column whose largest magnitude exceeds ``largest`` or is positive but below
    ``smallest`` (see :func:`magnitude_limits`; ``dtype`` defaults to ``X``'s floating
    dtype) makes variances, distances and Gram matrices infinite or zero. All-zero columns
    are left to the callers' constant-column checks.
    """
    arr = np.asarray(X)
    if arr.ndim != 2 or arr.size == 0:
        return
    dt = dtype if dtype is not None else (arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.float64)
    big, small = magnitude_limits(dt)
    with np.errstate(all="ignore"):
        top = np.max(np.abs(arr), axis=0).astype(float)
    names = list(names) if names is not None else list(range(arr.shape[1]))
    for bad, why in (
        (top > big, f"magnitudes above {big:.2g}, whose squares overflow {np.dtype(dt).name}"),
        ((top > 0) & (top < small), f"all magnitudes below {small:.2g}, whose squares underflow {np.dtype(dt).name} to zero"),
    ):
        if bad.any():
            cols = [names[j] for j in np.nonzero(bad)[0]]
            worst = ", ".join(f"{c}: {t:.3g}" for c, t in zip(cols[:5], top[bad][:5]))
            raise ValueError(
                f"{name} column(s) {cols[:5]}{' …' if len(cols) > 5 else ''} have {why} (largest |value| {worst}); "
                "rescale them first (e.g. divide by a power of ten, or standardise)"
            )


def check_finite_output(arr, what: str) -> None:
    """Raise ValueError if the concrete array ``arr`` (a generator's or solver's output) is not finite."""
    a = np.asarray(arr)
    if np.issubdtype(a.dtype, np.inexact) and not np.all(np.isfinite(a)):
        rows = np.unique(np.nonzero(~np.isfinite(a.reshape(a.shape[0], -1) if a.ndim else a.reshape(1, 1)))[0])
        raise ValueError(
            f"{what} returned NaN or infinite values ({rows.size} of {max(a.shape[0] if a.ndim else 1, 1)} row(s)); "
            "the data may be badly scaled (standardise them) or a parameter (a learning rate, a bandwidth) too large"
        )


# --------------------------------------------------------------------------- memory

#: Largest number of rows any synthetic draw may have: JAX indexes rows with 32-bit
#: integers unless 64-bit mode is on, and ADASYN/SMOTE draw row indices.
MAX_ROWS = 2**31 - 1

#: Fraction of the available memory one allocation may claim (see :func:`check_allocation`);
#: change it (``synthaug.core.validation.MEMORY_FRACTION = 0.8``) or set an absolute limit in
#: bytes with the environment variable ``SYNTHAUG_MAX_BYTES``.
MEMORY_FRACTION = 0.5


def available_memory() -> int:
    """Bytes of memory available to a new allocation (Linux ``MemAvailable``; else total RAM; else 16 GiB)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import os

        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 16 * 2**30


def memory_limit() -> int:
    """Largest allocation :func:`check_allocation` allows, in bytes.

    ``SYNTHAUG_MAX_BYTES`` (an integer number of bytes) when set, else
    :data:`MEMORY_FRACTION` of :func:`available_memory`.
    """
    import os

    env = os.environ.get("SYNTHAUG_MAX_BYTES", "").strip()
    if env:
        try:
            return int(float(env))
        except ValueError:
            raise ValueError(f"SYNTHAUG_MAX_BYTES must be a number of bytes; got {env!r}") from None
    return int(MEMORY_FRACTION * available_memory())


def _bytes(b: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{int(b)} bytes"


def check_allocation(n_rows, n_cols: int, name: str, *, itemsize: int = 8, copies: float = 4.0,
                     max_rows: int | None = MAX_ROWS) -> None:
    """Refuse, before anything is allocated, a size whose arrays would not fit in memory.

    The estimate is ``n_rows * n_cols * itemsize * copies`` bytes (``copies`` counts the
    working arrays alive at once: for a generator the output, the parent rows it
    interpolates and the draws). It is compared with :func:`memory_limit`; ``n_rows`` above
    ``max_rows`` (:data:`MAX_ROWS`, the 32-bit index limit) is refused too.

    Raises
    ------
    ValueError
        Naming ``name``, the estimated bytes and the limit.
    """
    n_rows = int(n_rows)
    n_cols = max(float(n_cols), 1.0)
    need = float(n_rows) * n_cols * int(itemsize) * float(copies)
    if max_rows is not None and n_rows > max_rows:
        raise ValueError(
            f"{name} = {n_rows} is too large: at most {max_rows} rows can be drawn at once (32-bit row indices), "
            f"and it would need about {_bytes(need)} of memory"
        )
    limit = memory_limit()
    if need > limit:
        raise ValueError(
            f"{name} = {n_rows} is too large: it would need about {_bytes(need)} of memory "
            f"({n_rows} rows x {n_cols:.4g} values x {itemsize} bytes x {copies:g} working copies), more than the "
            f"{_bytes(limit)} allowed ({MEMORY_FRACTION:g} of the available memory, or SYNTHAUG_MAX_BYTES)"
        )
