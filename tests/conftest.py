"""Shared test configuration: a small, deterministic hypothesis profile.

The "ci" profile (loaded by default; override with HYPOTHESIS_PROFILE) keeps the
property-based tests fast: few examples, no per-example deadline (the first
example of a new array shape pays JAX's compilation), and no too_slow health
check for the same reason. ``derandomize=True`` with no example database makes
every run, on every machine, explore the same examples, so a failure is reproducible.
"""

import os

# The CLI turns on JAX's persistent compilation cache; tests call the CLI in-process and
# must not leave it on for the rest of the session (or write to the user's cache).
os.environ["SYNTHAUG_NO_CACHE"] = "1"

from hypothesis import HealthCheck, settings

import synthaug.config  # noqa: E402

# The suite checks the theory in float64 and runs large vmapped programs: switch both on
# explicitly, before any test builds an array (importing synthaug changes nothing).
synthaug.config.cpu_workarounds()
synthaug.config.enable_x64()

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
def _no_persistent_compilation_cache(request):
    """Guard: no test may leave JAX's persistent compilation cache switched on."""
    yield
    if jax.config.jax_compilation_cache_dir is not None:
        jax.config.update("jax_compilation_cache_dir", None)
        pytest.fail(f"{request.node.nodeid} switched on the persistent compilation cache")


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
