"""Numerical precision.

synthaug's theory checks are done in float64 (identities to 1e-10, rates over
three decades of n), so importing synthaug switches on JAX's 64-bit mode
(``jax_enable_x64``). This does not change the dtype of arrays you pass in:
float32 inputs stay float32, and the Monte Carlo engine takes ``dtype=`` to run
whole simulations in float32. Set the environment variable
``SYNTHAUG_NO_X64=1`` before importing synthaug to leave JAX's setting alone.
"""

from __future__ import annotations

import os

# XLA:CPU (jaxlib 0.10.2) can wedge -- every runtime thread parked, no progress --
# while materialising the result of a large vmapped program with several
# independent branches. We reproduced it on the 2-core machine with the
# mean-shift design (4 generators in one program, 34 replications per chunk: 4
# hangs in 4 runs, with and without single-threaded Eigen) and it went away with
# the concurrency-optimised scheduler off (5 runs, 0 hangs). A related upstream
# report points at the multi-threaded Eigen pool, so that is switched off as
# well. Flags must be in XLA_FLAGS before the CPU backend starts (the first JAX
# computation); set SYNTHAUG_KEEP_XLA_FLAGS=1 to leave XLA_FLAGS untouched.
_XLA_SAFE_FLAGS = {
    "xla_cpu_enable_concurrency_optimized_scheduler": "false",
    "xla_cpu_multi_thread_eigen": "false",
}
if os.environ.get("SYNTHAUG_KEEP_XLA_FLAGS", "") in ("", "0"):
    _flags = os.environ.get("XLA_FLAGS", "")
    for _name, _value in _XLA_SAFE_FLAGS.items():
        if _name not in _flags:
            _flags = f"{_flags} --{_name}={_value}".strip()
    os.environ["XLA_FLAGS"] = _flags

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

if os.environ.get("SYNTHAUG_NO_X64", "") in ("", "0"):
    jax.config.update("jax_enable_x64", True)


def default_float():
    """The float dtype synthaug uses when none is given (float64 under x64)."""
    return jnp.float64 if jax.config.jax_enable_x64 else jnp.float32


def resolve_dtype(dtype):
    """Map ``None``/``"float32"``/``"float64"``/a dtype to a JAX float dtype."""
    if dtype is None:
        return default_float()
    dt = jnp.dtype(dtype)
    if dt not in (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    if dt == jnp.dtype(jnp.float64) and not jax.config.jax_enable_x64:
        raise ValueError("float64 requested but JAX 64-bit mode is off (unset SYNTHAUG_NO_X64)")
    return dt
