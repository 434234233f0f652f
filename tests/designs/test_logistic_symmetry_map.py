"""The ``logistic-symmetry`` replication runs sequentially under ``vmap`` with unchanged values."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import synthaug  # noqa: F401  (float64)
from synthaug.core.montecarlo import run_replications
from synthaug.core.montecarlo import sequential_under_vmap


def _halvings(key):
    """A data-dependent ``while_loop`` (trip count differs per key), as in the Newton solver."""
    x = 1.0 + 100.0 * jax.random.uniform(key, dtype=jnp.float64)
    n, x = jax.lax.while_loop(lambda c: c[1] > 1.0, lambda c: (c[0] + 1, 0.5 * c[1]), (0, x))
    return {"n": n, "x": x, "v": jax.random.normal(key, (3,), jnp.float64)}


def test_sequential_under_vmap_matches_unbatched_calls():
    fn = sequential_under_vmap(_halvings)
    keys = jax.random.split(jax.random.PRNGKey(3), 7)
    batched = jax.jit(jax.vmap(fn))(keys)
    for i in range(7):
        one = jax.jit(_halvings)(keys[i])
        for k in one:
            np.testing.assert_array_equal(batched[k][i], one[k])
    assert len(set(np.asarray(batched["n"]).tolist())) > 1  # the trip counts really differ
    # run_replications (chunks, padding of the last chunk) gives the same stacked values.
    out = run_replications(fn, jax.random.PRNGKey(3), 7, batch_size=3, progress=False)
    for k in batched:
        np.testing.assert_array_equal(out[k], np.asarray(batched[k]))


def test_sequential_under_vmap_unbatched_call_is_plain():
    fn = sequential_under_vmap(_halvings)
    key = jax.random.PRNGKey(4)
    a, b = jax.jit(fn)(key), jax.jit(_halvings)(key)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
