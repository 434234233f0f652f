"""A tiny design for the scale-out tests (not registered): three cells of small least-squares fits.

With the environment variable ``SYNTHAUG_TINY_HANG_ONCE=PATH``, the first execution of the
n = 60 cell (whichever process runs it) creates ``PATH`` and then hangs, as a deadlocked
XLA program would; later executions find ``PATH`` and run normally.
"""

import os
import time

import jax
import jax.numpy as jnp

from synthaug.core.montecarlo import mean_mcse, run_replications
from synthaug.simulate import record

NAME = "tiny"
DESCRIPTION = "three cells of least-squares fits (tests only)"
GENERATORS = ("none",)
DEFAULT_GENERATORS = GENERATORS
N_GRID = (40, 60, 80)


def _hang_once():
    path = os.environ["SYNTHAUG_TINY_HANG_ONCE"]
    try:
        with open(path, "x"):
            pass
    except FileExistsError:
        return
    time.sleep(3600)


def _replication(n, dtype):
    def one(key):  # least squares on n noisy rows: cheap to compile, float results to compare
        kx, ke = jax.random.split(key)
        X = jax.random.normal(kx, (n, 3), dtype)
        y = X @ jnp.array([1.0, -0.5, 0.25], dtype) + jax.random.normal(ke, (n,), dtype)
        if n == 60 and os.environ.get("SYNTHAUG_TINY_HANG_ONCE"):
            jax.debug.callback(_hang_once)
        return jnp.linalg.solve(X.T @ X + 1e-6 * jnp.eye(3, dtype=dtype), X.T @ y)

    return one


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    records = []
    for n in N_GRID:
        theta = run_replications(_replication(n, dtype), jax.random.fold_in(key, n), reps, batch_size=batch_size,
                                 progress=progress, desc=f"tiny n={n}")
        m, se = mean_mcse(theta[:, 0])
        records.append(record(NAME, "fit", "none", None, n, 0, None, "theta0", float(m), float(se), reps))
    return records, [], dict(n_grid=list(N_GRID))


def plot(result):  # pragma: no cover - not drawn by the tests
    raise NotImplementedError
