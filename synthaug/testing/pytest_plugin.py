"""pytest plugin of :mod:`synthaug.testing`: fixtures, a marker and options (opt-in).

The plugin is not registered as a ``pytest11`` entry point (pytest would then rewrite the
assertions of every synthaug module it imports, in every suite on the machine). Load it in
the ``conftest.py`` at the root of your tests::

    pytest_plugins = ["synthaug.testing.pytest_plugin"]

(or once on the command line: ``pytest -p synthaug.testing.pytest_plugin``). Importing it
loads pytest only; JAX is imported when the ``synthaug_key`` fixture is first used.

Options (nothing changes for a suite that does not use them):

``--synthaug-seed=INT``
    seed of the :func:`synthaug_key` fixture (default 0).
``--synthaug-false-failure-budget=FLOAT``
    global false-failure budget of the suite's statistical checks: the
    :func:`synthaug_alpha` fixture returns ``budget / number of collected tests marked
    synthaug_stat`` (Bonferroni), so the whole suite fails spuriously with probability at
    most ``budget``. Without the option it returns 1e-4 per check.
``--synthaug-hypothesis-ci``
    load the hypothesis profile ``synthaug-ci`` (derandomised, no database, no deadline;
    needs hypothesis: ``pip install "synthaug[testing]"``).

Marker: ``@pytest.mark.synthaug_stat`` counts a test as one statistical check.
"""

from __future__ import annotations

import pytest

DEFAULT_ALPHA = 1e-4


def pytest_addoption(parser):
    g = parser.getgroup("synthaug", "synthaug.testing")
    g.addoption("--synthaug-seed", type=int, default=0, help="seed of the synthaug_key fixture (default 0)")
    g.addoption("--synthaug-false-failure-budget", type=float, default=None,
                help="false-failure budget shared by all tests marked synthaug_stat (per check: budget / count)")
    g.addoption("--synthaug-hypothesis-ci", action="store_true", default=False,
                help="load the derandomised hypothesis profile 'synthaug-ci'")


def pytest_configure(config):
    config.addinivalue_line("markers", "synthaug_stat: a statistical check sharing the suite's false-failure budget")
    if config.getoption("--synthaug-hypothesis-ci", default=False):
        from hypothesis import HealthCheck, settings

        settings.register_profile("synthaug-ci", derandomize=True, database=None, deadline=None,
                                  max_examples=25, suppress_health_check=[HealthCheck.too_slow])
        settings.load_profile("synthaug-ci")


def pytest_collection_modifyitems(session, config, items):
    config._synthaug_n_stat = sum(1 for it in items if it.get_closest_marker("synthaug_stat") is not None)


def per_check_alpha(budget, n_checks) -> float:
    """Bonferroni share of a suite's false-failure budget: ``budget / max(n_checks, 1)``."""
    if budget is None:
        return DEFAULT_ALPHA
    b = float(budget)
    if not 0.0 < b < 1.0:
        raise ValueError(f"the false-failure budget must lie in (0, 1); got {budget!r}")
    return b / max(int(n_checks), 1)


@pytest.fixture
def synthaug_alpha(request):
    """Per-check false-failure rate: the suite budget divided by the number of ``synthaug_stat`` tests."""
    cfg = request.config
    return per_check_alpha(cfg.getoption("--synthaug-false-failure-budget"), getattr(cfg, "_synthaug_n_stat", 1))


@pytest.fixture
def synthaug_key(request):
    """A JAX PRNG key from ``--synthaug-seed`` folded with the test's node id (stable across runs)."""
    import zlib

    import jax

    seed = request.config.getoption("--synthaug-seed")
    return jax.random.fold_in(jax.random.key(seed), zlib.crc32(request.node.nodeid.encode()) & 0x7FFFFFFF)
