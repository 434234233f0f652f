"""Replications sharded over several devices give the records of one device.

Each case runs in a fresh interpreter with four CPU host devices
(:func:`synthaug.config.cpu_devices`, which must come before JAX's backend starts), so the
rest of the suite keeps its single device.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

import jax

from synthaug.core.montecarlo import resolve_devices, run_replications, use_devices

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import synthaug.config as config
    config.cpu_workarounds(); config.enable_x64(); config.cpu_devices(4)
    import jax, jax.numpy as jnp, numpy as np
    from synthaug import run_design
    from synthaug.core.montecarlo import run_replications
    from synthaug.core.fit import weighted_fit
    from synthaug.core.losses import logistic_loss

    def rep(key):  # a Newton fit (a while_loop that converges at a key-dependent step)
        kx, ky = jax.random.split(key)
        X = jax.random.normal(kx, (60, 3))
        y = (jax.random.uniform(ky, (60,)) < jax.nn.sigmoid(X @ jnp.array([1.0, -0.5, 0.2]))).astype(X.dtype)
        return weighted_fit(logistic_loss(), X, y, jnp.ones(60), ridge=1e-6).theta

    key = jax.random.key(11)
    out = {"n_devices": len(jax.devices())}
    one = run_replications(rep, key, 13, batch_size=5, progress=False)
    # 13 replications in chunks of 5 rounded up to 6 on 3 devices: the last chunk is padded.
    many = run_replications(rep, key, 13, batch_size=5, progress=False, devices=3)
    out["fit_3"] = float(np.max(np.abs(many - one)))
    # run_design(devices=) reaches every run_replications call of a design (use_devices)
    a = run_design("bc-ate", reps=4, quick=True, progress=False, seed=2)
    b = run_design("bc-ate", reps=4, quick=True, progress=False, seed=2, devices="all")
    diffs = [abs(x["mean"] - y["mean"]) for x, y in zip(a.records, b.records) if x["mean"] is not None]
    out["design_keys_equal"] = [(x["metric"], x["method"], x["n1"]) for x in a.records] == \\
        [(y["metric"], y["method"], y["n1"]) for y in b.records]
    out["design_max_abs_diff"] = max(diffs)
    out["design_records"] = len(a.records)
    print(json.dumps(out))
    """
)


def test_four_host_devices_give_the_one_device_records():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n_devices"] == 4
    # Replication r keeps its key whatever the device count, so the fits are the same
    # programs on the same data: equal up to reassociation (measured: 0 here, 1.1e-16 for
    # the logistic-symmetry fits).
    assert out["fit_3"] <= 1e-12, out
    assert out["design_keys_equal"] and out["design_records"] > 0
    assert out["design_max_abs_diff"] <= 1e-12, out


def test_resolve_devices_and_errors():
    assert resolve_devices(None) == (jax.devices()[0],)
    assert resolve_devices(1) == (jax.devices()[0],)
    assert resolve_devices("all") == tuple(jax.devices())
    assert resolve_devices(jax.devices()[:1]) == (jax.devices()[0],)
    for bad, message in ((0, "at least 1"), (len(jax.devices()) + 1, "cpu_devices"), ("two", "'all'"),
                         (True, "an int"), ([], "at least one jax.Device"), ([1], "nothing else")):
        with pytest.raises(ValueError, match=message):
            resolve_devices(bad)


def test_use_devices_scopes_the_default():
    f = lambda k: jax.random.normal(k, (2,))  # noqa: E731
    key = jax.random.key(0)
    with use_devices(1):
        inside = run_replications(f, key, 5, progress=False)
    assert (inside == run_replications(f, key, 5, progress=False)).all()
    with pytest.raises(ValueError, match="at least 1"):
        with use_devices(0):
            pass


def test_cpu_devices_after_start_refuses():
    import synthaug.config as config

    jax.numpy.zeros(1).block_until_ready()  # the backend is running
    with pytest.raises(RuntimeError, match="before the first JAX computation"):
        config.cpu_devices(len(jax.devices("cpu")) + 1)
    config.cpu_devices(len(jax.devices("cpu")))  # asking for what is there is fine
    with pytest.raises(ValueError, match="positive integer"):
        config.cpu_devices(0)


BATCHED_FITS = textwrap.dedent(
    """
    import json
    import synthaug.config as config
    config.cpu_workarounds(); config.enable_x64(); config.cpu_devices(2)
    import jax, jax.numpy as jnp, numpy as np
    from synthaug.core.montecarlo import run_replications
    from synthaug.core.fit import weighted_fit
    from synthaug.core.glm import sandwich_cov
    from synthaug.core.losses import logistic_loss

    def rep(key):  # Newton fits with a 100 x 100 Hessian, batched on each device
        kx, ky = jax.random.split(key)
        X = jax.random.normal(kx, (120, 100))
        y = (jax.random.uniform(ky, (120,)) < jax.nn.sigmoid(X @ jnp.linspace(-1, 1, 100) / 10)).astype(X.dtype)
        fit = weighted_fit(logistic_loss(), X, y, jnp.ones(120), ridge=1e-2)
        return fit.theta, sandwich_cov(logistic_loss(), fit.theta, X, y, jnp.ones(120), 1e-2)

    key = jax.random.key(5)
    one = run_replications(rep, key, 8, batch_size=4, progress=False)
    two = run_replications(rep, key, 8, batch_size=4, progress=False, devices=2)
    print(json.dumps({"n_devices": len(jax.devices()),
                      "diff": max(float(np.max(np.abs(a - b))) for a, b in zip(one, two))}))
    """
)


def test_batched_newton_fits_on_two_cpu_devices_do_not_deadlock():
    # With jaxlib 0.10's LAPACK Cholesky (batched under vmap) both device programs sat in
    # lapack_dpotrf at 0 % CPU on a 2-core machine (the tgvtss-nonlinear design with
    # devices=2); the fits now factor their Hessians with plain XLA operations on CPU
    # (synthaug.core.linalg.platform_cholesky). Before that change this script hung
    # (checked: 0 % CPU after its one-device half; 40 x 40 Hessians did not hang): the
    # timeout is the failure.
    proc = subprocess.run([sys.executable, "-c", BATCHED_FITS], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n_devices"] == 2
    assert out["diff"] <= 1e-12, out
