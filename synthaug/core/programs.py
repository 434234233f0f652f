"""A bound on the compiled programs a long-lived process keeps in memory.

Every ``jax.jit`` function keeps each program it compiled (one per static configuration
and input shape) for the life of the function. XLA:CPU maps each executable's code into
memory (about 140 memory maps for one SMOTE program, about 2,200 for the dozen programs
of one :func:`synthaug.diagnose` call), so a process that resamples or diagnoses data of
ever new shapes (a notebook left open, a service, a sweep over data sets) grows without
limit until it meets Linux's ``vm.max_map_count`` (65,530 by default), where XLA's
compiler fails to allocate and the process dies.

Shape buckets (:mod:`synthaug.core.buckets`) make nearby shapes share one program; this
module bounds what is left. After each call of a synthaug entry point
(:func:`synthaug.config.uses_x64`), :func:`evict` counts the programs held by synthaug's
own module-level jitted functions and, when there are more than
:func:`max_programs` (64 by default), clears the caches of the functions holding the most
until at most half the bound remain. Programs differ in size (a diagnosis program maps
several hundred regions), so on Linux the process's memory maps are counted too: past a
quarter of ``vm.max_map_count`` every program synthaug holds is cleared. A program needed again is then reloaded from the
persistent compilation cache (:func:`synthaug.config.compilation_cache`), or compiled
again when that is off. The user's own jitted functions are never touched.

The count uses the ``_cache_size()`` method of JAX's jitted functions (JAX's C++ ``jit``
has it since 0.4); where it is missing nothing is counted and nothing evicted.

Configure the bound with :func:`set_max_programs` or the environment variable
``SYNTHAUG_MAX_PROGRAMS`` (0 turns the bound off).
"""

from __future__ import annotations

import os
import sys

__all__ = ["max_programs", "set_max_programs", "jitted_functions", "compiled_programs", "memory_maps", "evict",
           "DEFAULT_MAX_PROGRAMS"]

#: The bound used when neither :func:`set_max_programs` nor ``SYNTHAUG_MAX_PROGRAMS`` sets one.
DEFAULT_MAX_PROGRAMS = 64

_SETTING: dict = {"max": None, "scan": (None, ()), "last_total": 0}


def max_programs() -> int:
    """The bound in force: :func:`set_max_programs`, else ``SYNTHAUG_MAX_PROGRAMS``, else 64 (0: no bound).

    Raises
    ------
    ValueError
        If ``SYNTHAUG_MAX_PROGRAMS`` is not a non-negative integer.
    """
    if _SETTING["max"] is not None:
        return _SETTING["max"]
    raw = os.environ.get("SYNTHAUG_MAX_PROGRAMS", "").strip()
    if not raw:
        return DEFAULT_MAX_PROGRAMS
    if not raw.isdigit():
        raise ValueError(f"SYNTHAUG_MAX_PROGRAMS must be a non-negative integer (0 = no bound); got {raw!r}")
    return int(raw)


def set_max_programs(n: int | None) -> None:
    """Set the bound on synthaug's compiled programs held in memory (None: back to the default rule).

    Parameters
    ----------
    n : int or None
        At most this many programs are kept after an entry point returns; 0 keeps every
        program (no bound). None restores ``SYNTHAUG_MAX_PROGRAMS`` / the default.

    Raises
    ------
    ValueError
        If ``n`` is not None or a non-negative integer.

    Examples
    --------
    >>> from synthaug.core import programs
    >>> programs.set_max_programs(32)
    >>> programs.max_programs()
    32
    >>> programs.set_max_programs(None)
    """
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
        raise ValueError(f"the bound on compiled programs must be a non-negative integer or None; got {n!r}")
    _SETTING["max"] = n


def _is_jitted(obj) -> bool:
    return callable(getattr(obj, "clear_cache", None)) and callable(getattr(obj, "_cache_size", None))


def jitted_functions() -> tuple:
    """synthaug's module-level jitted functions (of the modules imported so far)."""
    names = tuple(sorted(m for m in sys.modules if m == "synthaug" or m.startswith("synthaug.")))
    cached_names, found = _SETTING["scan"]
    if names == cached_names:
        return found
    seen, out = set(), []
    for name in names:
        module = sys.modules.get(name)
        for value in list(vars(module).values()) if module is not None else ():
            if id(value) not in seen and _is_jitted(value):
                seen.add(id(value))
                out.append(value)
    _SETTING["scan"] = (names, tuple(out))
    return tuple(out)


def _size(fn) -> int:
    try:
        return int(fn._cache_size())
    except Exception:  # pragma: no cover - private API changed: count nothing
        return 0


def _map_limit() -> int | None:
    try:
        with open("/proc/sys/vm/max_map_count") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def memory_maps() -> int | None:
    """The number of memory maps of this process (Linux ``/proc/self/maps``), or None elsewhere."""
    try:
        with open("/proc/self/maps", "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return None


def _too_many_maps() -> bool:
    """True past a quarter of ``vm.max_map_count`` (Linux only; False where it cannot be read)."""
    limit = _map_limit()
    if not limit:
        return False
    count = memory_maps()
    return count is not None and count > limit // 4


def compiled_programs() -> int:
    """How many compiled programs synthaug's jitted functions hold now.

    Examples
    --------
    >>> from synthaug.core import programs
    >>> programs.compiled_programs() >= 0
    True
    """
    return sum(_size(f) for f in jitted_functions())


def evict(bound: int | None = None) -> int:
    """Clear program caches when synthaug holds more than ``bound`` programs; returns how many were dropped.

    The functions holding the most programs are cleared first, until at most half the
    bound remain (so eviction runs once per ``bound / 2`` new programs, not on every
    call).

    Parameters
    ----------
    bound : int, optional
        Default :func:`max_programs`; 0 means no bound.

    Returns
    -------
    int
        The number of programs dropped (0 when within the bound).

    Examples
    --------
    >>> from synthaug.core import programs
    >>> programs.evict(bound=10**6)
    0
    """
    bound = max_programs() if bound is None else bound
    if bound <= 0:
        return 0
    sizes = [(_size(f), i, f) for i, f in enumerate(jitted_functions())]
    total = sum(s for s, _, _ in sizes)
    keep = bound // 2
    if total <= bound:
        # the maps grow only when a program was added: read them only then
        grew, _SETTING["last_total"] = total > _SETTING["last_total"], total
        if total == 0 or not grew or not _too_many_maps():
            return 0
        keep = 0
    dropped = 0
    for size, _, fn in sorted(sizes, key=lambda t: (-t[0], t[1])):
        if total - dropped <= keep or size == 0:
            break
        fn.clear_cache()
        dropped += size
    _SETTING["last_total"] = total - dropped
    return dropped
