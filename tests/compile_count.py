"""Compile-once checks: how many compiled programs a ``jax.jit`` function holds.

``compiled(fn)`` is the number of entries in the jit cache of ``fn`` (one per distinct
static configuration and argument shape/dtype that has been traced and compiled). A test
calls ``fn.clear_cache()`` (or notes the count), runs the public entry point on inputs that
share one shape bucket, and asserts the count grew by at most one: this fails when a
change makes a function recompile per call or per size.
"""

from __future__ import annotations


def compiled(fn) -> int:
    """Entries in the compilation cache of the jitted ``fn`` (raises if ``fn`` is not jitted)."""
    size = getattr(fn, "_cache_size", None)
    if size is None:
        raise AssertionError(f"{fn!r} is not a jax.jit function (no compilation cache to count)")
    return int(size())


class traces:
    """Context manager collecting the jaxpr traces that run inside it (``with traces() as t: ...``; ``t.events``).

    A second cross-validation on shapes of the same buckets must trace nothing: ``t.events == []``.
    """

    def __enter__(self):
        import jax

        self.events = []
        jax.monitoring.register_event_duration_secs_listener(
            lambda event, duration, **kw: self.events.append(event)
            if event == "/jax/core/compile/jaxpr_trace_duration" else None)
        return self

    def __exit__(self, *exc):
        import jax

        jax.monitoring.clear_event_listeners()
        return False
