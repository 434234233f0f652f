"""Design cells computed elsewhere (thread/process pools, a Dask cluster, a cache) give the in-process records.

The fault-tolerance cases use a tiny unregistered design (``tests/_support``) of three
cells; one real design checks the plan/replay split end to end. Services are started by
the tests on the loopback address and stopped by them.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import pathlib
import threading
import time

import pytest

import synthaug.parallel as parallel
from synthaug import run_design
from synthaug.parallel import CellError, CellSpec, run_design_cells

SUPPORT = str(pathlib.Path(__file__).parent / "_support")
TINY = CellSpec("tiny", 6, 3, ("none",), False, "float64", None, module="synthaug_tiny_design")


@pytest.fixture(autouse=True)
def _support_on_path(monkeypatch):
    monkeypatch.syspath_prepend(SUPPORT)
    # worker processes (spawned pools, Dask workers) find the tiny design too
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (SUPPORT, os.environ.get("PYTHONPATH")) if p))
    parallel._PLANS.clear()


def _in_process(spec=TINY):
    import jax

    import synthaug_tiny_design as tiny

    return tiny.run(jax.random.PRNGKey(spec.seed), spec.reps, spec.generators, quick=False, progress=False,
                    dtype=jax.numpy.float64, batch_size=None)


def test_real_design_through_cells_and_cache(tmp_path):
    plain = run_design("bc-multitask", reps=2, quick=True, progress=False, seed=1)
    cached = run_design("bc-multitask", reps=2, quick=True, progress=False, seed=1, cache_dir=tmp_path)
    assert cached.records == plain.records and cached.summaries == plain.summaries
    assert len(list(tmp_path.glob("bc-multitask-*.npz"))) == 2  # one file per cell


def test_cache_resumes_and_detects_corruption(tmp_path, monkeypatch):
    first = run_design_cells(TINY, cache_dir=tmp_path, progress=False)
    assert first == _in_process()
    files = sorted(tmp_path.glob("tiny-*.npz"))
    assert len(files) == 3

    def no_compute(*args):
        raise AssertionError("a cached cell was recomputed")

    monkeypatch.setattr(parallel, "_worker", no_compute)
    assert run_design_cells(TINY, cache_dir=tmp_path, progress=False) == first  # nothing recomputed
    monkeypatch.undo()
    monkeypatch.syspath_prepend(SUPPORT)
    import numpy as np

    with np.load(files[1]) as z:  # the stored arrays change, the stored checksum does not
        stored = {k: z[k] for k in z.files}
    stored["leaf0"] = stored["leaf0"] + 1e-3
    with open(files[1], "wb") as fh:
        np.savez(fh, **stored)
    with pytest.warns(RuntimeWarning, match="corrupt"):
        again = run_design_cells(TINY, cache_dir=tmp_path, progress=False)
    assert again == first


def test_failing_cell_is_reported_and_the_others_finish(tmp_path, monkeypatch):
    real = parallel._worker

    def fail_at_60(spec, index, signature):
        if index == 1:
            raise RuntimeError("deliberate failure at n = 60")
        return real(spec, index, signature)

    monkeypatch.setattr(parallel, "_worker", fail_at_60)
    with pytest.raises(CellError, match=r"cell 1 \(tiny n=60\): RuntimeError: deliberate failure at n = 60") as err:
        run_design_cells(TINY, cache_dir=tmp_path, progress=False, retries=1)
    assert set(err.value.failures) == {1}
    assert len(list(tmp_path.glob("tiny-*.npz"))) == 2  # the two good cells are kept


def test_executor_timeout_retries_then_succeeds(monkeypatch):
    calls = {"n": 0}
    real = parallel._worker
    lock = threading.Lock()

    def slow_first(spec, index, signature, *piece):
        with lock:
            calls["n"] += 1
            first = calls["n"] == 1
        if first:
            time.sleep(5.0)  # the first attempt of the first cell overruns the timeout
        return real(spec, index, signature, *piece)

    with cf.ThreadPoolExecutor(2) as ex:
        # Warm: the threads share this process's compiled programs, so a cell then takes
        # milliseconds and only the deliberately slow attempt can overrun the timeout.
        warm = run_design_cells(TINY, executor=ex, progress=False)
        monkeypatch.setattr(parallel, "_remote_worker", slow_first)
        out = run_design_cells(TINY, executor=ex, timeout=2.0, retries=1, progress=False)
    assert out == warm == _in_process()
    assert calls["n"] == 4  # three cells plus one resubmission


def test_process_pool_restarts_on_a_hung_cell_and_gives_identical_records(tmp_path, monkeypatch):
    # The first run of one cell hangs in its worker process; after the timeout the pool is
    # replaced and the unfinished cells resubmitted.
    flag = tmp_path / "hung-once"
    monkeypatch.setenv("SYNTHAUG_TINY_HANG_ONCE", str(flag))
    out = run_design_cells(TINY, executor="processes", workers=2, timeout=30, retries=1, progress=False)
    assert flag.exists()
    monkeypatch.delenv("SYNTHAUG_TINY_HANG_ONCE")
    assert out == _in_process()


def test_dask_cluster_loses_no_cell_when_a_worker_is_killed():
    pytest.importorskip("distributed")
    from synthaug.parallel import local_dask_client

    with local_dask_client(2) as client:
        # Kill one worker process while the run is under way (its nanny restarts it): Dask
        # reschedules its cells and the records equal the in-process ones.
        pids = list(client.run(os.getpid).values())
        result = {}
        runner = threading.Thread(target=lambda: result.update(out=run_design_cells(TINY, executor=client,
                                                                                    progress=False)))
        runner.start()
        time.sleep(2.0)
        os.kill(pids[0], 9)
        runner.join(600)
        assert not runner.is_alive()
        assert result["out"] == _in_process()
        client.cluster.close()


def test_cells_cut_into_replication_slices_give_identical_records(tmp_path):
    """``split_reps`` cuts each cell at its chunk boundaries; every slice computes its chunks as the whole
    cell does, so the records are bit-identical, on a pool and in process; a cut cell is cached whole."""
    import dataclasses

    spec = dataclasses.replace(TINY, reps=10, batch_size=4)  # chunks [0:4) [4:8) [8:10) (padded to 4)
    whole = _in_process(spec)
    with cf.ThreadPoolExecutor(2) as ex:
        assert run_design_cells(spec, executor=ex, split_reps=4, progress=False) == whole  # 3 slices per cell
        assert run_design_cells(spec, executor=ex, split_reps=5, progress=False) == whole  # rounded to one chunk
    assert run_design_cells(spec, split_reps=8, cache_dir=tmp_path, progress=False) == whole  # in process
    assert len(list(tmp_path.glob("tiny-*.npz"))) == 3  # one file per cell, not per slice
    # a cell computed in one chunk is not cut
    from synthaug.core.cells import CellCall, slices

    call = CellCall(0, None, None, 10, None, "x", "")
    assert slices(call, 3) == [(0, 10)]
    assert slices(dataclasses.replace(call, batch_size=4), 3) == [(0, 4), (4, 8), (8, 10)]
    assert slices(dataclasses.replace(call, batch_size=4), None) == [(0, 10)]
    with pytest.raises(ValueError, match="split_reps must be a positive integer"):
        run_design_cells(spec, split_reps=0)


def test_replication_slice_is_bit_identical_and_checks_boundaries():
    import jax
    import numpy as np

    from synthaug.core.montecarlo import run_replication_slice, run_replications

    def fn(k):
        return {"a": jax.random.normal(k, (3,)), "b": jax.random.uniform(k, ())}

    key = jax.random.key(5)
    whole = run_replications(fn, key, 11, batch_size=3, progress=False)
    for start, stop in ((0, 3), (3, 9), (9, 11), (0, 11)):
        part = run_replication_slice(fn, key, 11, start, stop, batch_size=3)
        assert all(np.array_equal(part[k], whole[k][start:stop]) for k in whole)
    for start, stop, message in ((1, 3, "chunk boundaries"), (0, 4, "chunk boundaries"), (3, 3, "start < stop"),
                                 (0, 12, "stop <= reps")):
        with pytest.raises(ValueError, match=message):
            run_replication_slice(fn, key, 11, start, stop, batch_size=3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="executor must be"):
        run_design_cells(TINY, executor="threads")
    with pytest.raises(ValueError, match="retries"):
        run_design_cells(TINY, retries=-1)
    with pytest.raises(ValueError, match="timeout"):
        run_design_cells(TINY, timeout=0)
