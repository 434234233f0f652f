"""Explicit configuration: float64 and the XLA:CPU workarounds.

Importing synthaug changes nothing: no JAX setting, no environment variable, no
global state. What a computation needs is switched on by the caller, as numpyro
(``numpyro.enable_x64``) and optax (``x64_precision``) do:

* :func:`enable_x64` turns on JAX's 64-bit mode for the process, and
  :func:`x64` does so for a ``with`` block only (the previous setting is
  restored on exit). The theory checks (identities to 1e-10, rates over three
  decades of n) need float64; the command line, :func:`synthaug.run_design`, the
  diagnosis and the bias-correction comparison switch it on for the duration of
  their own call.
* :func:`cpu_workarounds` appends the XLA flags that avoid a hang of jaxlib's
  CPU runtime (see below) to ``XLA_FLAGS``. It only has an effect before JAX's
  CPU backend starts (the first JAX computation of the process), and only for
  the jaxlib versions that need it. The command line calls it first thing.
* :func:`cpu_devices` gives the process several CPU devices (before the first JAX
  computation), over which :func:`synthaug.core.montecarlo.run_replications` can shard
  its replications (``devices=``).
* :func:`distributed` joins a run of several processes (one per host, or several on one
  host) through :func:`jax.distributed.initialize`, before the first JAX computation;
  afterwards ``devices="all"`` lays replications out over the devices of every process
  and every process gets the whole records.
* :func:`compilation_cache` keeps compiled programs on disk between processes (JAX's
  persistent compilation cache), on by default: synthaug's entry points (the samplers'
  ``fit_resample``, the classifiers' ``fit``, :func:`synthaug.diagnose`,
  :func:`synthaug.run_design`, the command line) call :func:`ensure_compilation_cache`
  on their first use, never at import. The cache lives in ``$SYNTHAUG_CACHE_DIR`` or
  the user cache directory (``$XDG_CACHE_HOME/synthaug/jax``, by default
  ``~/.cache/synthaug/jax``); ``SYNTHAUG_NO_CACHE=1`` or ``compilation_cache(False)``
  turns it off, and a cache directory the user set in JAX is left alone.
* the compiled programs synthaug holds in memory are bounded (64 by default,
  :func:`synthaug.core.programs.set_max_programs` or ``SYNTHAUG_MAX_PROGRAMS``; 0 turns
  the bound off), checked when an entry point returns, so that a long-lived process
  meeting ever new data shapes keeps its memory maps and memory flat.
* :func:`resolve_dtype` maps a ``dtype=`` argument to a JAX float dtype and
  refuses float64 when 64-bit mode is off, instead of silently computing in
  float32.

The hang (jaxlib 0.10.x on CPU): a large vmapped program with several
independent branches can wedge while its result is materialised, every runtime
thread parked. It was reproduced with the mean-shift design (4 hangs in 4 runs)
and went away with XLA's concurrency-optimised scheduler switched off (5 runs,
no hang). Multi-threaded Eigen, blamed in a public report of the same symptom
(PyAutoLabs/PyAutoFit#1528), is switched off too; the cost is one core for
matrix products inside XLA.
"""

from __future__ import annotations

import functools
import os
import threading
import warnings

__all__ = [
    "enable_x64",
    "x64",
    "x64_enabled",
    "cpu_workarounds",
    "cpu_devices",
    "distributed",
    "compilation_cache",
    "ensure_compilation_cache",
    "cache_directory",
    "CPU_WORKAROUND_FLAGS",
    "default_float",
    "resolve_dtype",
    "uses_x64",
]

#: The XLA flags :func:`cpu_workarounds` adds (name -> value).
CPU_WORKAROUND_FLAGS = {
    "xla_cpu_enable_concurrency_optimized_scheduler": "false",
    "xla_cpu_multi_thread_eigen": "false",
}


def x64_enabled() -> bool:
    """Whether JAX's 64-bit mode is on (in this thread's context)."""
    import jax

    return bool(jax.config.jax_enable_x64)


def enable_x64(use: bool = True) -> None:
    """Switch JAX's 64-bit mode on (or off with ``use=False``) for the whole process.

    Parameters
    ----------
    use : bool, default=True
        ``True`` makes float64 the default float type of new JAX arrays.

    Notes
    -----
    This is a process-wide switch, like ``numpyro.enable_x64``; use :func:`x64`
    to switch it on for one block only.
    """
    import jax

    if not isinstance(use, bool):
        raise ValueError(f"use must be a boolean; got {use!r}")
    jax.config.update("jax_enable_x64", use)


def x64(use: bool = True):
    """Context manager: JAX's 64-bit mode inside the ``with`` block only.

    Examples
    --------
    >>> import synthaug as sa
    >>> with sa.config.x64():
    ...     res = sa.run_design("biased-aligned", quick=True, reps=4, progress=False)
    """
    import jax

    scope = getattr(jax, "enable_x64", None)
    if scope is None:  # JAX releases before the top-level context manager
        from jax.experimental import enable_x64 as scope
    return scope(bool(use))


def uses_x64(fn):
    """Decorator for entry points that compute in float64: run ``fn`` under :func:`x64`.

    The previous setting is restored when ``fn`` returns, so a caller's own JAX
    code is not affected. Every synthaug entry point that compiles goes through this
    decorator, so it is also where the persistent compilation cache is switched on
    (:func:`ensure_compilation_cache`: once per process, unless turned off) and where,
    when the outermost entry point returns, the compiled programs synthaug holds in
    memory are kept within their bound (:func:`synthaug.core.programs.evict`).
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        ensure_compilation_cache()
        _DEPTH.n = getattr(_DEPTH, "n", 0) + 1
        try:
            with x64(True):
                return fn(*args, **kwargs)
        finally:
            _DEPTH.n -= 1
            if _DEPTH.n == 0:
                from synthaug.core.programs import evict

                evict()

    return wrapper


#: Nesting depth of :func:`uses_x64` calls in this thread (eviction runs when the outermost returns).
_DEPTH = threading.local()


def in_entry_point() -> bool:
    """True while a synthaug entry point (a :func:`uses_x64` call) runs in this thread."""
    return getattr(_DEPTH, "n", 0) > 0


def _backend_started() -> bool:
    try:
        from jax._src import xla_bridge

        return bool(xla_bridge.backends_are_initialized())
    except Exception:  # pragma: no cover - private API moved: assume started (do nothing)
        return True


def _jaxlib_needs_workaround() -> bool:
    try:
        import jaxlib

        major, minor = (int(p) for p in jaxlib.__version__.split(".")[:2])
    except Exception:  # pragma: no cover
        return False
    # The hang was seen with jaxlib 0.10.2; 0.11 rewrote the CPU thunk runtime's
    # parallel paths. Versions before 0.10 were never run by this project.
    return (major, minor) == (0, 10)


def cpu_workarounds(*, force: bool = False) -> bool:
    """Add the XLA:CPU hang workaround flags to ``XLA_FLAGS`` when they are needed.

    Parameters
    ----------
    force : bool, default=False
        Apply the flags whatever the jaxlib version.

    Returns
    -------
    bool
        ``True`` if the flags are in effect for this process after the call.

    Notes
    -----
    XLA reads ``XLA_FLAGS`` once, when the CPU backend starts (the first JAX
    computation). Called later, this function changes nothing and warns. Flags the
    user already set (either value) are left as they are. The environment variable
    ``SYNTHAUG_KEEP_XLA_FLAGS=1`` makes this function a no-op.
    """
    if os.environ.get("SYNTHAUG_KEEP_XLA_FLAGS", "") not in ("", "0"):
        return False
    if not (force or _jaxlib_needs_workaround()):
        return False
    flags = os.environ.get("XLA_FLAGS", "")
    missing = [name for name in CPU_WORKAROUND_FLAGS if name not in flags]
    if not missing:
        return True
    if _backend_started():
        warnings.warn(
            "synthaug.config.cpu_workarounds() was called after JAX's backend started, so the XLA:CPU "
            "hang workaround is not in effect; call it before the first JAX computation",
            RuntimeWarning,
            stacklevel=2,
        )
        return False
    for name in missing:
        flags = f"{flags} --{name}={CPU_WORKAROUND_FLAGS[name]}".strip()
    os.environ["XLA_FLAGS"] = flags
    return True


def cpu_devices(n: int) -> None:
    """Give this process ``n`` CPU devices (JAX's ``jax_num_cpu_devices``), for sharded replications.

    Parameters
    ----------
    n : int
        Number of CPU devices (at least 1). They share the machine's cores; the Monte
        Carlo engine lays replications out over them with ``devices=`` (see
        :func:`synthaug.core.montecarlo.run_replications`).

    Raises
    ------
    ValueError
        If ``n`` is not a positive integer.
    RuntimeError
        If JAX's backend has already started (the device count is fixed then): call
        this before the first JAX computation.

    Examples
    --------
    >>> import synthaug.config
    >>> synthaug.config.cpu_devices(4)  # doctest: +SKIP
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"cpu_devices: n must be a positive integer, got {n!r}")
    import jax

    if _backend_started():
        if jax.config.jax_num_cpu_devices == n or (n == 1 and len(jax.devices("cpu")) == 1):
            return
        raise RuntimeError(
            f"synthaug.config.cpu_devices({n}) was called after JAX's backend started (with "
            f"{len(jax.devices('cpu'))} CPU device(s)); call it before the first JAX computation"
        )
    jax.config.update("jax_num_cpu_devices", n)


def _parse_address(address) -> tuple[str, int]:
    if not isinstance(address, str) or address.count(":") != 1:
        raise ValueError(f"coordinator_address must be 'HOST:PORT' (e.g. '10.0.0.5:1234'); got {address!r}")
    host, port = address.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"coordinator_address must be 'HOST:PORT' with a port in 1..65535; got {address!r}")
    return host, int(port)


def distributed(coordinator_address: str, num_processes: int, process_id: int, *,
                local_cpu_devices: int | None = None, timeout_s: int = 300) -> None:
    """Join a multi-process JAX run (:func:`jax.distributed.initialize`), for replications over several hosts.

    Every process of the run calls this with the same ``coordinator_address`` and
    ``num_processes`` and its own ``process_id``, before its first JAX computation, and
    then runs the same program (JAX's multi-controller model). Afterwards
    ``jax.devices()`` lists the devices of every process, and
    :func:`synthaug.core.montecarlo.run_replications` (hence :func:`synthaug.run_design`)
    with ``devices="all"`` lays each chunk of replications out over all of them; each
    process gets the whole records (the same in every process, and the same as a
    one-device run up to floating-point reassociation). Write outputs from one process
    (``jax.process_index() == 0``). On CPU the cross-process gather uses JAX's Gloo
    collectives (the default of jaxlib 0.10).

    Parameters
    ----------
    coordinator_address : str
        ``"HOST:PORT"`` of process 0, reachable from every process (``"127.0.0.1:PORT"``
        for several processes on one machine).
    num_processes : int
        Number of processes in the run (at least 1).
    process_id : int
        This process's rank, in ``0 .. num_processes - 1``; process 0 hosts the coordinator.
    local_cpu_devices : int or None, default=None
        CPU devices of this process (:func:`cpu_devices`); ``None`` keeps JAX's default (one).
    timeout_s : int, default=300
        Seconds to wait for every process to join before raising.

    Raises
    ------
    ValueError
        For a malformed address or an impossible rank.
    RuntimeError
        If JAX's backend has already started in this process.

    Examples
    --------
    Two processes on one machine, each with two CPU devices (four in all)::

        # process 0                                  # process 1
        synthaug.config.distributed("127.0.0.1:7650", 2, 0, local_cpu_devices=2)
                                                     synthaug.config.distributed("127.0.0.1:7650", 2, 1,
                                                                                 local_cpu_devices=2)
        res = synthaug.run_design("symmetry-test", devices="all")   # in both

    The command line does the same with ``synthaug simulate DESIGN --coordinator HOST:PORT
    --num-processes N --process-id I``.
    """
    _parse_address(coordinator_address)
    for value, name, low in ((num_processes, "num_processes", 1), (process_id, "process_id", 0),
                             (timeout_s, "timeout_s", 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}")
    if process_id >= num_processes:
        raise ValueError(f"process_id must be below num_processes={num_processes}; got {process_id}")
    if _backend_started():
        raise RuntimeError("synthaug.config.distributed() was called after JAX's backend started; call it "
                           "before the first JAX computation of the process")
    if local_cpu_devices is not None:
        cpu_devices(local_cpu_devices)
    import jax

    jax.distributed.initialize(coordinator_address=coordinator_address, num_processes=num_processes,
                               process_id=process_id, initialization_timeout=timeout_s)


def _cache_max_bytes() -> int | None:
    """``SYNTHAUG_CACHE_MAX_BYTES`` as a positive int (an opt-in size bound of the cache), or None."""
    raw = os.environ.get("SYNTHAUG_CACHE_MAX_BYTES", "").strip()
    if not raw:
        return None
    try:
        value = int(float(raw))
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(f"SYNTHAUG_CACHE_MAX_BYTES must be a positive number of bytes; got {raw!r}")
    return value


_CACHE_CHOICE: dict = {"enabled": None, "path": None, "set_by_synthaug": None}


def cache_directory() -> str:
    """Where synthaug keeps compiled programs: ``$SYNTHAUG_CACHE_DIR``, else the user cache directory.

    The user cache directory is ``$XDG_CACHE_HOME/synthaug/jax`` (``~/.cache/synthaug/jax``
    when ``XDG_CACHE_HOME`` is unset; ``%LOCALAPPDATA%\\synthaug\\jax`` on Windows).
    """
    path = os.environ.get("SYNTHAUG_CACHE_DIR")
    if path:
        return path
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if os.name == "nt" else None) or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "synthaug", "jax")


def compilation_cache(enable: bool = True, path: str | None = None) -> str | None:
    """Switch synthaug's persistent compilation cache on (default) or off for this process.

    JAX compiles a program for every new shape; the persistent cache stores the compiled
    program on disk, so a later process (the next cross-validation script, the next
    ``synthaug diagnose``) loads it instead of compiling again. synthaug's entry points
    turn it on by themselves (:func:`ensure_compilation_cache`); call this to choose
    first: ``compilation_cache(False)`` keeps it off for the rest of the process.

    Parameters
    ----------
    enable : bool, default=True
        ``True`` turns the cache on (every compiled program is persisted, however short
        its compilation); ``False`` turns off a cache that synthaug turned on and stops
        the entry points from turning it on again.
    path : str, optional
        Cache directory (default :func:`cache_directory`).

    Returns
    -------
    str or None
        The cache directory in effect, or ``None`` when off.

    Notes
    -----
    This sets JAX's ``jax_compilation_cache_dir`` and
    ``jax_persistent_cache_min_compile_time_secs`` (0: every program). The directory is
    not bounded (JAX's default): a few kB to a few MB per program; delete it to reclaim
    the space. ``SYNTHAUG_CACHE_MAX_BYTES`` sets a bound (JAX's ``jax_compilation_cache_max_size``:
    least recently used entries are evicted, writes take a file lock and needs the
    ``filelock`` package), at a cost: JAX then reads the access time of every entry on
    each write, which was measured to slow this project's test suite down (6,800 entries).
    Processes sharing an unbounded directory are safe: an entry read while another
    process writes it fails to load, JAX warns and compiles instead. A cache
    directory set by the user (JAX option or ``JAX_COMPILATION_CACHE_DIR``) is never
    replaced by the default one. The cached programs depend on the jaxlib version, the
    CPU and ``XLA_FLAGS``; JAX keys its entries by all three, so a stale entry is never
    used.

    Examples
    --------
    >>> import synthaug.config
    >>> synthaug.config.compilation_cache(False)  # doctest: +SKIP
    """
    import jax

    if not isinstance(enable, bool):
        raise ValueError(f"enable must be a boolean; got {enable!r}")
    current = jax.config.jax_compilation_cache_dir
    if not enable:
        _CACHE_CHOICE["enabled"] = False
        if current and current == _CACHE_CHOICE["set_by_synthaug"]:
            jax.config.update("jax_compilation_cache_dir", None)
            _reset_jax_cache()
        _CACHE_CHOICE["set_by_synthaug"] = _CACHE_CHOICE["path"] = None
        return None
    _CACHE_CHOICE["enabled"] = True
    if path is None and current and current != _CACHE_CHOICE["set_by_synthaug"]:
        _CACHE_CHOICE["path"] = current
        return current  # the user's own cache
    path = str(path or cache_directory())
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as err:
        warnings.warn(f"synthaug: compilation cache directory {path!r} is not usable ({err}); compiling without it",
                      RuntimeWarning, stacklevel=2)
        return None
    if current != path:
        jax.config.update("jax_compilation_cache_dir", path)
        limit = _cache_max_bytes()
        if limit is not None and jax.config.jax_compilation_cache_max_size == -1:
            # opt-in bound: JAX then evicts least recently used entries and writes under a file
            # lock, but scans the whole directory on every write (O(entries) per compilation)
            try:
                import filelock  # noqa: F401  (JAX needs it for a bounded cache)
            except ImportError:
                raise ValueError("SYNTHAUG_CACHE_MAX_BYTES needs the filelock package (pip install filelock)") from None
            jax.config.update("jax_compilation_cache_max_size", limit)
            _add_missing_access_times(path)
        _reset_jax_cache()
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    _CACHE_CHOICE["set_by_synthaug"] = _CACHE_CHOICE["path"] = path
    return path


def _add_missing_access_times(path: str) -> None:
    """Give entries written without eviction (no access-time file) one, so eviction can run.

    JAX's size-bounded cache keeps an access-time file next to every entry and fails every
    later write ("Error writing persistent compilation cache entry ... -atime") when one is
    missing, as it is for entries written by an unbounded cache (earlier synthaug versions,
    or JAX with the default settings). Such entries get the current time.
    """
    try:
        from jax._src.lru_cache import _ATIME_SUFFIX, _CACHE_SUFFIX
    except Exception:  # pragma: no cover - private layout moved: leave the directory alone
        return
    import time

    try:
        names = set(os.listdir(path))
        stamp = time.time_ns().to_bytes(8, "little")
        for name in names:
            if name.endswith(_CACHE_SUFFIX):
                atime = name[: -len(_CACHE_SUFFIX)] + _ATIME_SUFFIX
                if atime not in names:
                    with open(os.path.join(path, atime), "wb") as fh:
                        fh.write(stamp)
    except OSError:  # pragma: no cover - unreadable directory: JAX reports its own errors
        pass


def _reset_jax_cache() -> None:
    try:
        from jax._src import compilation_cache as _cc

        _cc.reset_cache()
    except Exception:  # pragma: no cover - private API moved: JAX re-reads the option itself
        pass


def ensure_compilation_cache() -> str | None:
    """Turn the persistent compilation cache on unless it was turned off; called by the entry points.

    Off when ``SYNTHAUG_NO_CACHE`` is set (to anything but ``0``) or after
    :func:`compilation_cache` ``(False)``; a cache directory the user set in JAX is
    kept. Cheap after the first call.

    Returns
    -------
    str or None
        The cache directory in effect, or ``None``.
    """
    if _CACHE_CHOICE["enabled"] is False:
        return None
    if _CACHE_CHOICE["enabled"] is True and _CACHE_CHOICE["path"] is not None:
        return _CACHE_CHOICE["path"]
    if os.environ.get("SYNTHAUG_NO_CACHE", "") not in ("", "0"):
        _CACHE_CHOICE["enabled"] = False
        return None
    return compilation_cache(True)


def default_float():
    """The float dtype used when none is given: float64 under 64-bit mode, else float32."""
    import jax.numpy as jnp

    return jnp.float64 if x64_enabled() else jnp.float32


def resolve_dtype(dtype):
    """Map ``None``, ``"float32"``, ``"float64"`` or a dtype to a JAX float dtype.

    Raises
    ------
    ValueError
        If the dtype is not float32/float64, or float64 is asked for while JAX's
        64-bit mode is off (call :func:`enable_x64` or use :func:`x64`).
    """
    import jax.numpy as jnp

    if dtype is None:
        return default_float()
    try:
        dt = jnp.dtype(dtype)
    except TypeError:
        raise ValueError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    if dt == jnp.dtype(jnp.float64) and not x64_enabled():
        raise ValueError(
            "float64 requested but JAX's 64-bit mode is off: call synthaug.config.enable_x64() "
            "first, or run inside `with synthaug.config.x64():`"
        )
    return dt
