"""Shared test configuration: a small, deterministic hypothesis profile.

The "ci" profile (loaded by default; override with HYPOTHESIS_PROFILE) keeps the
property-based tests fast: few examples, no per-example deadline (the first
example of a new array shape pays JAX's compilation), and no too_slow health
check for the same reason. ``derandomize=True`` with no example database makes
every run, on every machine, explore the same examples, so a failure is reproducible.
"""

import os

import tempfile

# synthaug's entry points turn on JAX's persistent compilation cache (in the user's cache
# directory). The suite uses one of its own instead, shared by the pytest-xdist workers and
# the command-line subprocesses (same XLA flags, so the same programs): a program compiled
# once is loaded, not recompiled, after the per-module cache clearing below. Tests of the
# cache itself run subprocesses with their own directory. SYNTHAUG_TEST_CACHE_DIR moves it.
os.environ.pop("SYNTHAUG_NO_CACHE", None)
SUITE_CACHE_DIR = os.environ.get("SYNTHAUG_TEST_CACHE_DIR") or os.path.join(
    tempfile.gettempdir(), f"synthaug-pytest-jax-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}")
os.environ["SYNTHAUG_CACHE_DIR"] = SUITE_CACHE_DIR
# The bound on compiled programs held in memory (synthaug.core.programs) is off for the
# suite: tests that count compilations in-process would otherwise see a program evicted by
# an unrelated test's call; the suite clears JAX's caches per module instead (below).
# tests/core/test_programs.py sets bounds explicitly.
os.environ["SYNTHAUG_MAX_PROGRAMS"] = "0"

from hypothesis import HealthCheck, settings

import synthaug.config  # noqa: E402

# The suite checks the theory in float64 and runs large vmapped programs: switch both on
# explicitly, before any test builds an array (importing synthaug changes nothing).
synthaug.config.cpu_workarounds()
synthaug.config.enable_x64()
synthaug.config.compilation_cache(True, SUITE_CACHE_DIR)

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=25,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


import jax  # noqa: E402
import pytest  # noqa: E402

# synthaug.testing's fixtures, marker and options (opt-in: the plugin has no entry point).
pytest_plugins = ["synthaug.testing.pytest_plugin"]


@pytest.fixture(autouse=True)
def _suite_compilation_cache(request):
    """Guard: every test leaves the suite's compilation cache as it found it."""
    yield
    if jax.config.jax_compilation_cache_dir != SUITE_CACHE_DIR:
        synthaug.config.compilation_cache(True, SUITE_CACHE_DIR)
        pytest.fail(f"{request.node.nodeid} changed the persistent compilation cache directory")


@pytest.fixture(autouse=True, scope="module")
def _release_compiled_programs():
    """Free compiled programs after each test module.

    Every XLA:CPU executable maps its code into memory; a whole-suite session compiles
    thousands of programs and would pass the kernel's per-process limit on memory maps
    (vm.max_map_count, 65530 by default), at which point XLA's compiler crashes
    (seen as a segfault or abort while compiling). Clearing JAX's caches per module
    keeps the count near one module's worth.
    """
    yield
    import gc

    jax.clear_caches()
    gc.collect()
