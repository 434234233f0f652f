"""The opt-in pytest plugin, and the import contract of synthaug.testing (no pytest, no hypothesis needed)."""

import os
import subprocess
import sys
import textwrap

import pytest

from synthaug.testing.pytest_plugin import per_check_alpha

# A meta-path finder that makes pytest and hypothesis look uninstalled in a fresh interpreter.
_BLOCK = textwrap.dedent("""
    import sys

    class _Uninstalled:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in ("pytest", "_pytest", "hypothesis"):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
            return None

    sys.meta_path.insert(0, _Uninstalled())
""")


def _run(code):
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout.strip()


def test_importable_and_usable_without_pytest_and_hypothesis():
    out = _run(_BLOCK + textwrap.dedent("""
        try:
            import pytest
        except ImportError:
            pass
        else:
            raise SystemExit("the blocker does not work")
        import jax, jax.numpy as jnp
        import synthaug.testing, synthaug.testing.checks, synthaug.testing.stats
        from synthaug.testing import check_unbiased, check_generator, StatCheckResult
        res = check_unbiased(lambda k: 1.0 + jax.random.normal(k, (2,)), jnp.ones(2), 0, n_replications=50)
        assert isinstance(res, StatCheckResult) and res.passed, res
        try:
            import synthaug.testing.strategies
        except ImportError as err:
            assert "synthaug[testing]" in str(err), err
        else:
            raise SystemExit("strategies imported without hypothesis")
        print(sorted(m for m in ("pytest", "_pytest", "hypothesis") if m in sys.modules))
    """))
    assert out == "[]"


def test_plugin_imports_no_jax():
    assert _run("import sys; import synthaug.testing.pytest_plugin; print('jax' in sys.modules)") == "False"


def test_per_check_alpha():
    assert per_check_alpha(None, 7) == 1e-4
    assert per_check_alpha(0.01, 4) == 0.0025
    with pytest.raises(ValueError, match="budget"):
        per_check_alpha(1.5, 2)


def test_fixtures_and_options_once_loaded_from_conftest(tmp_path):
    """A user suite loads the plugin with ``pytest_plugins``; without it the options do not exist."""
    (tmp_path / "test_x.py").write_text(textwrap.dedent("""
        import jax, pytest

        @pytest.mark.synthaug_stat
        def test_a(synthaug_alpha, synthaug_key, pytestconfig):
            assert synthaug_alpha == 0.01 / 2
            assert jax.dtypes.issubdtype(synthaug_key.dtype, jax.dtypes.prng_key)
            assert pytestconfig.getoption("--synthaug-seed") == 3

        @pytest.mark.synthaug_stat
        def test_b(synthaug_alpha):
            assert synthaug_alpha == 0.005

        def test_c():  # not a statistical check: does not count
            pass
    """))
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error::pytest.PytestUnknownMarkWarning",
            str(tmp_path), "--synthaug-false-failure-budget=0.01", "--synthaug-seed=3"]
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    r = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode != 0 and "unrecognized arguments: --synthaug" in r.stderr, r.stdout + r.stderr  # not loaded
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["synthaug.testing.pytest_plugin"]\n')
    r = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0 and "3 passed" in r.stdout, r.stdout + r.stderr


def test_this_suite_loads_the_plugin(pytestconfig, synthaug_alpha):
    assert pytestconfig.pluginmanager.has_plugin("synthaug.testing.pytest_plugin")
    assert synthaug_alpha == 1e-4  # no budget option given
