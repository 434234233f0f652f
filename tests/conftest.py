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

import synthaug  # noqa: F401  (enables float64 before any test builds arrays)

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
