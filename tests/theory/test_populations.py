"""Population.theta_star: a concrete, cached array wherever it is first read."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.core.losses import logistic_loss, squared_loss
from synthaug.theory.populations import GaussianLaw, Population, ShiftNoiseLaw


def _logistic_population():
    return Population(logistic_loss(intercept=True), GaussianLaw([0.0, 0.0]), GaussianLaw([1.0, 0.5], np.diag([2.0, 0.5])))


@pytest.mark.parametrize("make", [
    _logistic_population,
    lambda: Population(squared_loss(labels=(-1.0, 1.0)), ShiftNoiseLaw([-0.5, 0.0]), ShiftNoiseLaw([0.5, 1.0])),
])
def test_theta_star_read_first_inside_jit_is_concrete_afterwards(make):
    reference = np.asarray(make().theta_star)  # first read outside any trace
    pop = make()

    @jax.jit
    def excess_at(theta):
        return pop.balanced_risk(theta) - pop.balanced_risk(pop.theta_star)  # first read: inside the trace

    theta = jnp.asarray(reference) + 0.1
    inside = float(excess_at(theta))
    assert not isinstance(pop.__dict__.get("_theta_star"), jax.core.Tracer)  # a tracer is never cached
    after = pop.theta_star  # read outside: a concrete array (cached from now on)
    assert isinstance(after, jax.Array) and not isinstance(after, jax.core.Tracer)
    assert pop.theta_star is after
    np.testing.assert_array_equal(np.asarray(after), reference)  # the same optimum as an eager first read
    assert np.isclose(inside, float(pop.balanced_risk(theta) - pop.balanced_risk(after)), rtol=1e-12, atol=1e-15)
    assert inside > 0  # θ* is the minimiser


def test_theta_star_is_stationary():
    pop = _logistic_population()
    g = jax.grad(pop.balanced_risk)(pop.theta_star)
    assert np.max(np.abs(np.asarray(g))) < 1e-10


def test_score_covariance_default_key_is_the_documented_stream():
    # the default key is jax.random.key(20260122); its raw PRNGKey form draws the same stream
    pop = _logistic_population()
    theta = jnp.asarray([0.2, -0.1, 0.3])
    default = pop.score_covariance(pop.p1, theta, 1, n=2000)
    raw = pop.score_covariance(pop.p1, theta, 1, key=jax.random.PRNGKey(20260122), n=2000)
    np.testing.assert_array_equal(np.asarray(default), np.asarray(raw))
    assert not np.array_equal(np.asarray(default), np.asarray(pop.score_covariance(pop.p1, theta, 1, key=jax.random.key(1), n=2000)))
