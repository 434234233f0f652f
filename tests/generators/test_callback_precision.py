"""Host-side generators (imbalanced-learn samplers, plain callables, non-traceable generators) keep
float64 exact under a scoped ``synthaug.config.x64()``, where the callback thread's own 64-bit mode
is off. Runs in a fresh interpreter: the suite itself switches float64 on for the whole process."""

import os
import subprocess
import sys

SCRIPT = r"""
import numpy as np, jax
import synthaug.config
from synthaug.generators.adapters import from_callable
seen = []
def copy_first_rows(X_minority, n, random_state):
    seen.append(X_minority.dtype.name)
    return X_minority[np.arange(n) % X_minority.shape[0]] * (1.0 + 2.0**-40)
gen = from_callable(copy_first_rows)
X1 = np.random.default_rng(0).normal(size=(9, 3)) + 1e-12
X0 = np.random.default_rng(1).normal(size=(30, 3))
with synthaug.config.x64():
    traced = np.asarray(jax.jit(lambda k, x, x0: gen(k, x, 20, X_majority=x0))(jax.random.key(0), X1, X0))
    eager = np.asarray(gen(jax.random.key(0), X1, 20, X_majority=X0))
want = X1[np.arange(20) % 9] * (1.0 + 2.0**-40)
assert traced.dtype == eager.dtype == np.float64, (traced.dtype, eager.dtype)
assert np.array_equal(traced, want) and np.array_equal(eager, want)
# inside the diagnosis (a scoped x64 block; the callbacks run on XLA's threads there)
from synthaug import diagnose
rng = np.random.default_rng(0)
X = np.r_[rng.normal(size=(90, 3)), rng.normal(size=(40, 3)) + 0.8]
y = np.r_[np.zeros(90, int), np.ones(40, int)]
d = diagnose(X, y, generator=gen, folds=3, crossfit_folds=2, method="vtss", gammas=[1.0], progress=False)
assert np.isfinite(d.t_sym) and d.synthetic.dtype == np.float64
assert set(seen) == {"float64"}, seen
print("ok")
"""


def test_float64_is_exact_through_the_callback():
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    env["SYNTHAUG_NO_CACHE"] = "1"
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]
