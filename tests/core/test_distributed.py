"""Replications over the devices of two processes (``jax.distributed``) give the records of one device.

Two fresh interpreters join one run on the loopback address (:func:`synthaug.config.distributed`),
each with two CPU devices, so the mesh has four devices of which each process holds two. Both
make the same calls (JAX's multi-controller model); each must get the whole records, equal to a
one-device run in the same process up to floating-point reassociation, and equal between the two
processes. The rest of the suite keeps its single device.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import synthaug.config as config
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    config.cpu_workarounds(); config.enable_x64()
    config.distributed(f"127.0.0.1:{port}", 2, pid, local_cpu_devices=2, timeout_s=120)
    import jax, jax.numpy as jnp, numpy as np
    from synthaug import run_design
    from synthaug.core.montecarlo import run_replications
    from synthaug.core.fit import weighted_fit
    from synthaug.core.losses import logistic_loss

    def rep(key):  # a Newton fit: a while_loop that stops at a key-dependent step
        kx, ky = jax.random.split(key)
        X = jax.random.normal(kx, (60, 3))
        y = (jax.random.uniform(ky, (60,)) < jax.nn.sigmoid(X @ jnp.array([1.0, -0.5, 0.2]))).astype(X.dtype)
        return weighted_fit(logistic_loss(), X, y, jnp.ones(60), ridge=1e-6).theta

    key = jax.random.key(11)
    out = {"pid": pid, "processes": jax.process_count(), "devices": len(jax.devices()),
           "local": len(jax.local_devices())}
    # 13 replications in chunks of 5, rounded up to 8 on 4 devices: two chunks, the last one padded
    many = run_replications(rep, key, 13, batch_size=5, progress=False, devices="all")
    one = run_replications(rep, key, 13, batch_size=5, progress=False, devices=jax.local_devices()[:1])
    out["fit_shape"] = list(many.shape)
    out["fit_diff"] = float(np.max(np.abs(many - one)))
    out["fit"] = many.tolist()
    # legacy uint32 keys travel as they are
    legacy = run_replications(lambda k: jax.random.normal(k, (2,)), jax.random.PRNGKey(3), 6, progress=False,
                              devices="all")
    ref = run_replications(lambda k: jax.random.normal(k, (2,)), jax.random.PRNGKey(3), 6, progress=False)
    out["legacy_equal"] = bool(np.array_equal(legacy, ref))
    a = run_design("bc-ate", reps=4, quick=True, progress=False, seed=2)
    b = run_design("bc-ate", reps=4, quick=True, progress=False, seed=2, devices="all")
    out["design_keys_equal"] = [(x["metric"], x["method"], x["n1"]) for x in a.records] == \\
        [(y["metric"], y["method"], y["n1"]) for y in b.records]
    out["design_max_abs_diff"] = max(abs(x["mean"] - y["mean"]) for x, y in zip(a.records, b.records)
                                     if x["mean"] is not None)
    out["design_means"] = [y["mean"] for y in b.records]
    print("RESULT " + json.dumps(out), flush=True)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_give_the_one_device_records():
    port = _free_port()
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(i), str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in (0, 1)]
    outs = []
    try:
        for p in procs:
            stdout, stderr = p.communicate(timeout=420)
            assert p.returncode == 0, stderr[-3000:]
            line = [ln for ln in stdout.splitlines() if ln.startswith("RESULT ")][-1]
            outs.append(json.loads(line[len("RESULT "):]))
    finally:
        for p in procs:  # a process whose peer failed waits for it: stop both
            if p.poll() is None:
                p.kill()
                p.communicate()
    for i, out in enumerate(outs):
        assert out["pid"] == i and out["processes"] == 2 and out["devices"] == 4 and out["local"] == 2
        assert out["fit_shape"] == [13, 3]
        # the same programs on the same keys: equal up to reassociation (measured: 0)
        assert out["fit_diff"] <= 1e-12, out["fit_diff"]
        assert out["legacy_equal"]
        assert out["design_keys_equal"] and out["design_max_abs_diff"] <= 1e-12, out["design_max_abs_diff"]
    # every process holds the whole records, and they are the same
    assert outs[0]["fit"] == outs[1]["fit"]
    assert outs[0]["design_means"] == outs[1]["design_means"]


@pytest.mark.parametrize("address, message", [("localhost", "HOST:PORT"), ("h:0", "1..65535"), (":80", "HOST:PORT"),
                                              (80, "HOST:PORT")])
def test_distributed_refuses_bad_addresses(address, message):
    from synthaug.config import distributed

    with pytest.raises(ValueError, match=message):
        distributed(address, 2, 0)


@pytest.mark.parametrize("n, i, message", [(0, 0, "num_processes"), (2, 2, "below num_processes"),
                                           (2, -1, "process_id"), (True, 0, "num_processes")])
def test_distributed_refuses_bad_ranks(n, i, message):
    from synthaug.config import distributed

    with pytest.raises(ValueError, match=message):
        distributed("127.0.0.1:7650", n, i)
