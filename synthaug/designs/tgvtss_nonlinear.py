r"""Design ``tgvtss-nonlinear`` (Ma & Zhang, arXiv 2601.16120, §5.5(b)): RFF logistic + jitter, anti-aligned mismatch.

* :math:`d = 5`. Majority: 70/30 mixture :math:`0.7\,N(0, \Sigma) + 0.3\,N(1.5e_1, \Sigma)`,
  :math:`\Sigma` with unit variances and correlation 0.5 between coordinates 1 and 2
  (our reading of "correlated Gaussians shifted by 1.5 in coordinate 1"; documented
  choice). Minority: a noisy ring in coordinates 1–2, centre (4.8, 0), radius
  :math:`2.2 + N(0, 0.12^2)`, plus :math:`N(0, 0.08^2)` noise in every coordinate.
* :math:`n_1 = 200`, :math:`n_0 = 4000`; generator: bootstrap + :math:`N(0, 1)` jitter.
* Model: logistic regression on 100 random Fourier RBF features,
  :math:`\gamma_{\rm rbf} = 1/(d\,\widehat{\rm Var} X)` on the training rows, ridge
  :math:`1/(2Cn)` with C = 2 and n = 4200 (scikit-learn's C on our normalised loss).
* 5-fold CV selection; GQS and the mismatch by 5-fold cross-fitting; plain VTSS on
  γ ∈ [0.5, 1.5] in steps of 0.05 (21 points: the RFF fits are the expensive part).
* Balanced test set of 10,000 rows per class; balanced log-loss; the test curve
  over γ ∈ {0, 0.05, …, 2}; theory candidates clipped at 2·gap.

Expected: anti-aligned mismatch (cos < 0), a generator flagged as biased
(GQS ≫ τ), a test-loss minimum below full balancing, and TG-VTSS choosing sizes
below balance (the sign rule).
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.generators.basic import jitter
from synthaug.core.losses import logistic_loss
from synthaug.models import LinearModel
from synthaug.simulate import Design
from synthaug.diagnosis.vtss import WIDE_GRID

from synthaug.designs._tgvtss import end_to_end_replication, plot_end_to_end, run_end_to_end

NAME = "tgvtss-nonlinear"
DESCRIPTION = "§5.5(b): end-to-end TG-VTSS, logistic on 100 random Fourier features + jitter (anti-aligned)"
GENERATORS = ("jitter",)
DEFAULT_GENERATORS = ("jitter",)
D, N0, N1, N_TEST = 5, 4000, 200, 10_000
N_FEATURES = 100
MAX_MULTIPLE = 2.0
VTSS_COARSE = np.round(np.linspace(0.5, 1.5, 21), 10)
MODEL = LinearModel(logistic_loss(intercept=True), ridge=1.0 / (2 * 2.0 * (N0 + N1)), rff=N_FEATURES,
                    name="rff-logistic")


def sample_majority(key, n, dtype):
    kc, kz = jax.random.split(key)
    L = jnp.linalg.cholesky(jnp.eye(D, dtype=dtype).at[0, 1].set(0.5).at[1, 0].set(0.5))
    shift = jnp.where(jax.random.bernoulli(kc, 0.3, (n,)), 1.5, 0.0).astype(dtype)
    return jax.random.normal(kz, (n, D), dtype) @ L.T + shift[:, None] * jnp.eye(D, dtype=dtype)[0]


def sample_minority(key, n, dtype):
    ka, kr, kn = jax.random.split(key, 3)
    ang = jax.random.uniform(ka, (n,), dtype, 0.0, 2 * jnp.pi)
    rad = 2.2 + 0.12 * jax.random.normal(kr, (n,), dtype)
    X = 0.08 * jax.random.normal(kn, (n, D), dtype)
    return X.at[:, 0].add(4.8 + rad * jnp.cos(ang)).at[:, 1].add(rad * jnp.sin(ang))


@functools.lru_cache(maxsize=None)
def replication(dtype, quick):
    return end_to_end_replication(MODEL, jitter(1.0), sample_majority, sample_minority, N0, N1,
                                  2000 if quick else N_TEST, dtype, cv_folds=5, holdout=False, crossfit_folds=5,
                                  max_multiple=MAX_MULTIPLE, vtss_gammas=VTSS_COARSE[::4] if quick else VTSS_COARSE,
                                  curve_gammas=WIDE_GRID)


def run(key, reps, generators, *, quick, progress, dtype, batch_size):
    records, summaries = run_end_to_end(NAME, "jitter", replication(dtype, quick), key, reps,
                                        8.0 * (N_FEATURES + 1) * (N0 + N1 + MAX_MULTIPLE * (N0 - N1)) * 12, n0=N0,
                                        n1=N1, curve_gammas=WIDE_GRID, progress=progress, batch_size=batch_size)
    settings = dict(d=D, n0=N0, n1=N1, n_test_per_class=2000 if quick else N_TEST, selection="5-fold CV",
                    crossfit_folds=5, ridge=MODEL.ridge, rff_features=N_FEATURES, jitter_sd=1.0,
                    max_multiple=MAX_MULTIPLE, curve_gammas=list(WIDE_GRID),
                    vtss_grid="0.5..1.5 step 0.2" if quick else "0.5..1.5 step 0.05")
    return records, summaries, settings


def plot(result):
    return plot_end_to_end(result, "RFF logistic + jitter (§5.5b): balanced test log-loss",
                           f"logistic regression on {N_FEATURES} random Fourier features")


#: The old single-object form of the protocol (kept for ``simulations.*`` imports).
DESIGN = Design.from_module(__name__)
