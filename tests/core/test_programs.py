"""The bound on compiled programs held in memory (long-lived processes, issue: memory maps).

Each XLA:CPU executable maps its code into memory; a process resampling data of ever new
shapes used to gain about 140 memory maps per shape until it met ``vm.max_map_count``
and crashed. The checks run in a fresh interpreter so that the counts are this test's
own; they use the suite's persistent compilation cache, so most programs load instead of
compiling.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.core import programs

LOOP = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    from synthaug import SMOTESampler
    from synthaug.core import programs

    def maps():
        with open("/proc/self/maps") as f:
            return sum(1 for _ in f)

    bound, d_first, shapes = (int(a) for a in sys.argv[1:4])
    programs.set_max_programs(bound)
    rng = np.random.default_rng(0)
    out = {"maps": [], "programs": []}
    for i in range(shapes):
        d = d_first + i  # a new column count: a new program every call
        X = rng.normal(size=(80, d))
        y = np.r_[np.zeros(60, int), np.ones(20, int)]
        SMOTESampler(random_state=i).fit_resample(X, y)
        out["maps"].append(maps())
        out["programs"].append(programs.compiled_programs())
    print(json.dumps(out))
    """
)


def _run_loop(bound: int, d_first: int, shapes: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", LOOP, str(bound), str(d_first), str(shapes)],
                          capture_output=True, text=True, timeout=600, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="memory maps are counted through Linux's /proc")
def test_memory_maps_stay_bounded_over_many_shapes():
    shapes = 20
    free = _run_loop(0, 2, shapes)       # no bound: the behaviour before
    bounded = _run_loop(8, 30, shapes)   # at most 8 programs kept
    # Without a bound every new shape keeps its program: the count rises by one per call and
    # the maps grow with it (about 140 per program on XLA:CPU).
    assert free["programs"][-1] - free["programs"][9] == shapes - 10
    grow_free = free["maps"][-1] - free["maps"][9]
    # With the bound the programs never exceed 8 after a call, and the maps stop growing:
    # from the 10th shape on they move within what 8 programs map, whereas unbounded they
    # grew by 10 programs' worth.
    assert max(bounded["programs"]) <= 8
    per_program = grow_free / (shapes - 10)
    assert per_program > 20, free  # the measurement sees the growth it is meant to bound
    grow_bounded = max(bounded["maps"][10:]) - bounded["maps"][9]
    assert grow_bounded <= 8 * per_program, (bounded, per_program)
    assert grow_bounded < 0.8 * grow_free


def test_eviction_keeps_results_and_spares_user_functions():
    from synthaug import SMOTESampler

    @jax.jit
    def users_own(x):
        return x * 2.0

    for n in (3, 4, 5):
        users_own(jnp.ones(n))
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 4))
    y = np.r_[np.zeros(35, int), np.ones(15, int)]
    before = SMOTESampler(random_state=3).fit_resample(X, y)[0]
    SMOTESampler(random_state=3).fit_resample(X[:, :3], y)  # a second program
    assert programs.compiled_programs() >= 2
    dropped = programs.evict(bound=1)
    assert dropped >= 2 and programs.compiled_programs() == 0
    assert users_own._cache_size() == 3  # a user's jitted function is never cleared
    after = SMOTESampler(random_state=3).fit_resample(X, y)[0]
    np.testing.assert_array_equal(before, after)  # a cleared program compiles (or loads) to the same rows


def test_bound_setting_and_environment(monkeypatch):
    with pytest.raises(ValueError, match="non-negative integer"):
        programs.set_max_programs(-1)
    with pytest.raises(ValueError, match="non-negative integer"):
        programs.set_max_programs(True)
    monkeypatch.setenv("SYNTHAUG_MAX_PROGRAMS", "12")
    assert programs.max_programs() == 12
    monkeypatch.setenv("SYNTHAUG_MAX_PROGRAMS", "lots")
    with pytest.raises(ValueError, match="SYNTHAUG_MAX_PROGRAMS"):
        programs.max_programs()
    monkeypatch.delenv("SYNTHAUG_MAX_PROGRAMS")
    assert programs.max_programs() == programs.DEFAULT_MAX_PROGRAMS
    monkeypatch.setenv("SYNTHAUG_MAX_PROGRAMS", "0")
    programs.set_max_programs(5)
    try:
        assert programs.max_programs() == 5
        assert programs.evict(bound=0) == 0  # 0: no bound
    finally:
        programs.set_max_programs(None)


def test_too_many_maps_clears_every_program(monkeypatch):
    from synthaug import SMOTESampler

    if programs.memory_maps() is None:
        pytest.skip("memory maps are counted through Linux's /proc")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 3))
    y = np.r_[np.zeros(28, int), np.ones(12, int)]
    SMOTESampler(random_state=0).fit_resample(X[:, :2], y)
    assert programs.compiled_programs() >= 1
    monkeypatch.setenv("SYNTHAUG_MAX_PROGRAMS", str(10**6))  # a bound far away: only the maps can evict
    monkeypatch.setattr(programs, "_map_limit", lambda: 4)  # any process is past a quarter of 4
    monkeypatch.setitem(programs._SETTING, "last_total", 0)  # as if the programs were new
    SMOTESampler(random_state=0).fit_resample(X[:, :2], y)  # the entry point evicts on return
    assert programs.compiled_programs() == 0
