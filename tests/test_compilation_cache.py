"""The persistent compilation cache: on by default for the Python API (not at import), reused
by a second process, off with SYNTHAUG_NO_CACHE or compilation_cache(False), and never in
place of a cache directory the user chose. Each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, os, sys
import jax
events = {}
jax.monitoring.register_event_listener(lambda e, **kw: events.__setitem__(e, events.get(e, 0) + 1))
import numpy as np
import synthaug, synthaug.config
before = jax.config.jax_compilation_cache_dir
mode = sys.argv[1]
if mode == "off":
    synthaug.config.compilation_cache(False)
if mode == "user":
    jax.config.update("jax_compilation_cache_dir", sys.argv[2])
rng = np.random.default_rng(0)
X = rng.normal(size=(70, 3)); y = np.r_[np.zeros(60, int), np.ones(10, int)]
synthaug.SMOTESampler(random_state=0).fit_resample(X, y)
print(json.dumps({"at_import": before, "after": jax.config.jax_compilation_cache_dir,
                  "hits": events.get("/jax/compilation_cache/cache_hits", 0),
                  "misses": events.get("/jax/compilation_cache/cache_misses", 0)}))
"""


def _run(tmp_path, mode="default", *extra, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHAUG_")}
    env["SYNTHAUG_CACHE_DIR"] = str(tmp_path / "cache")
    env.update(env_extra or {})
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode, *extra], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _entries(path):
    return [f for f in os.listdir(path) if f.endswith("-cache")] if os.path.isdir(path) else []


def test_second_process_loads_what_the_first_compiled(tmp_path):
    first = _run(tmp_path)
    assert first["at_import"] is None  # importing synthaug changes nothing
    assert first["after"] == str(tmp_path / "cache")
    assert first["misses"] > 0 and first["hits"] == 0
    n_entries = len(_entries(tmp_path / "cache"))
    assert n_entries >= first["misses"] > 0
    second = _run(tmp_path)
    assert second["hits"] == first["misses"] and second["misses"] == 0
    assert len(_entries(tmp_path / "cache")) == n_entries


@pytest.mark.parametrize("how", ["env", "call"])
def test_switched_off(tmp_path, how):
    res = _run(tmp_path, "off" if how == "call" else "default",
               env_extra={"SYNTHAUG_NO_CACHE": "1"} if how == "env" else None)
    assert res["after"] is None and res["hits"] == 0
    assert _entries(tmp_path / "cache") == []


def test_the_users_own_cache_directory_is_kept(tmp_path):
    mine = tmp_path / "mine"
    res = _run(tmp_path, "user", str(mine))
    assert res["after"] == str(mine)
    assert _entries(tmp_path / "cache") == []


def test_a_cache_written_without_eviction_keeps_working_when_bounded(tmp_path):
    """Entries of an unbounded cache (the default, earlier versions, plain JAX) have no access-time
    file; a bounded cache (SYNTHAUG_CACHE_MAX_BYTES) would fail every later write on them unless
    they get one."""
    pytest.importorskip("filelock")  # in the test extra; JAX needs it for a bounded cache
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "jit_old-0123456789abcdef-cache").write_bytes(b"not a real executable")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHAUG_")}
    env["SYNTHAUG_CACHE_DIR"] = str(cache)
    env["SYNTHAUG_CACHE_MAX_BYTES"] = str(2**30)
    out = subprocess.run([sys.executable, "-c", SCRIPT, "default"], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Error writing persistent compilation cache" not in out.stderr
    assert (cache / "jit_old-0123456789abcdef-atime").exists()
    assert len(_entries(cache)) > 1
    assert all((cache / (name[: -len("-cache")] + "-atime")).exists() for name in _entries(cache))


def test_unbounded_by_default_and_a_bad_bound_is_refused(tmp_path):
    res = _run(tmp_path)
    assert not any(f.endswith("-atime") for f in os.listdir(tmp_path / "cache"))  # no eviction bookkeeping
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNTHAUG_")}
    env.update(SYNTHAUG_CACHE_DIR=str(tmp_path / "c2"), SYNTHAUG_CACHE_MAX_BYTES="lots")
    out = subprocess.run([sys.executable, "-c", SCRIPT, "default"], capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode != 0 and "SYNTHAUG_CACHE_MAX_BYTES must be a positive number of bytes" in out.stderr
    assert res["misses"] > 0
