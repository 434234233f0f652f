r"""Correct and deliberately broken implementations used to show that every check can fail.

Used by synthaug's own tests (``tests/testing``) and by
``benchmarks/testing_error_rates.py`` (measured false-failure rates and powers).
All are pure and traceable functions of a PRNG key.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax.scipy.special import ndtr

from synthaug.generators.basic import Generator

__all__ = ["mean_estimator", "shrunk_mean_estimator", "squared_error_mean", "squared_error_subsampled",
           "t_test_pvalue", "wald_oversampled_pvalue", "null_two_class", "normal_generator",
           "theta_star_shift", "bc_naive_estimator", "logistic_minority_loss", "ignores_key", "short_by_one",
           "nan_on_duplicates", "mutating_generator", "reads_majority_undeclared"]


# ---- check_unbiased
def mean_estimator(key, n: int = 20, d: int = 2):
    """Sample mean of n draws of N(1, I_d): unbiased for the vector of ones."""
    return jnp.mean(1.0 + jax.random.normal(key, (n, d)), axis=0)


def shrunk_mean_estimator(key, n: int = 20, d: int = 2):
    """0.9 × the sample mean: biased by −0.1 per coordinate."""
    return 0.9 * mean_estimator(key, n, d)


# ---- check_rate
def squared_error_mean(key, n: int):
    """‖x̄ − μ‖² for n draws of N(0, 1): mean exactly 1/n (slope −1)."""
    return jnp.mean(jax.random.normal(key, (n,))) ** 2


def squared_error_subsampled(key, n: int):
    """The same error when only √n rows are used (mean 1/√n, slope −0.5; claims −1)."""
    m = max(1, int(round(n**0.5)))
    return jnp.mean(jax.random.normal(key, (m,))) ** 2


# ---- check_calibrated_pvalues
N1, KAPPA = 50, 20


def null_two_class(key, n1: int = N1, kappa: int = KAPPA):
    """One feature, same law N(0, 1) in both classes (the null of no effect); n0 = κ n1."""
    n0 = kappa * n1
    x = jax.random.normal(key, (n0 + n1,))
    y = jnp.concatenate([jnp.zeros(n0), jnp.ones(n1)])
    return x, y


def t_test_pvalue(data, n1: int = N1):
    """Two-sided pooled two-sample t-test of the feature between classes (exact under the null)."""
    x, y = data
    n = x.shape[0]
    n0 = n - n1
    m1 = jnp.sum(x * y) / n1
    m0 = jnp.sum(x * (1 - y)) / n0
    ss = jnp.sum((x - jnp.where(y > 0, m1, m0)) ** 2)
    s2 = ss / (n - 2)
    t = (m1 - m0) / jnp.sqrt(s2 * (1 / n0 + 1 / n1))
    df = n - 2
    return jax.scipy.special.betainc(df / 2, 0.5, df / (df + t**2))  # exact two-sided Student-t p-value


def _logistic_wald(x, y, w):
    Z = jnp.stack([x, jnp.ones_like(x)], 1)

    def step(th, _):
        p = jax.nn.sigmoid(Z @ th)
        g = Z.T @ (w * (y - p))
        H = (Z * (w * p * (1 - p))[:, None]).T @ Z
        return th + jnp.linalg.solve(H, g), None

    th, _ = jax.lax.scan(step, jnp.zeros(2, x.dtype), None, length=25)
    p = jax.nn.sigmoid(Z @ th)
    H = (Z * (w * p * (1 - p))[:, None]).T @ Z
    se = jnp.sqrt(jnp.linalg.inv(H)[0, 0])
    return 2 * ndtr(-jnp.abs(th[0] / se))


def wald_oversampled_pvalue(data, n1: int = N1, key=None):
    """Wald test of the logistic slope after random oversampling to balance (n1 = 50, κ = 20), treating the
    duplicated minority rows as real observations: the minority information is counted κ times, so
    the test over-rejects (anti-conservative)."""
    x, y = data
    n0 = x.shape[0] - n1
    w = jnp.where(y > 0, n0 / n1, 1.0)  # balancing by duplication ≡ integer weights κ on the minority rows
    return _logistic_wald(x, y, w)


# ---- check_same_distribution
def normal_generator(scale: float = 1.0, name: str = "normal") -> Generator:
    """Fresh draws of N(mean of the minority, scale² I): ``scale`` changes only the variance."""
    return Generator(name, lambda key, X, n: jnp.mean(X, 0) + scale * jax.random.normal(key, (n, X.shape[1]), X.dtype))


# ---- check_unbiased on the bias-correction design (SMOTE-augmented naive fit) and check_generator_mismatch
def theta_star_shift(d: int = 2):
    """θ* of the bias-correction design: P0 = N(0, I), P1 = N(1.5 e1, I), logistic with intercept: (1.5 e1, −1.125)."""
    return jnp.concatenate([jnp.zeros(d).at[0].set(1.5), jnp.array([-1.125])])


def bc_naive_estimator(generator, n1: int = 100, ratio: int = 20, d: int = 2, n_raw: bool = False):
    """The design's pooled estimator: fit logistic regression on real rows plus ñ = n0 − n1 synthetic minority
    rows from ``generator`` (``n_raw=True``: no augmentation, reweighted to balance, which is consistent)."""
    from synthaug.core.fit import weighted_fit
    from synthaug.core.losses import logistic_loss

    loss = logistic_loss(intercept=True)
    n0 = ratio * n1
    mu = jnp.zeros(d).at[0].set(1.5)

    def est(key):
        k0, k1, kg = jax.random.split(key, 3)
        X0 = jax.random.normal(k0, (n0, d))
        X1 = mu + jax.random.normal(k1, (n1, d))
        if n_raw:
            X = jnp.concatenate([X0, X1])
            y = jnp.concatenate([jnp.zeros(n0), jnp.ones(n1)])
            w = jnp.concatenate([jnp.ones(n0), jnp.full(n1, n0 / n1)])
        else:
            Xs = generator(kg, X1, n0 - n1)
            X = jnp.concatenate([X0, X1, Xs])
            y = jnp.concatenate([jnp.zeros(n0), jnp.ones(n1 + n0 - n1)])
            w = None
        return weighted_fit(loss, X, y, w, ridge=1e-6).theta

    return est


def logistic_minority_loss(theta, X):
    """Per-row logistic loss of class-1 rows with intercept last: log(1 + exp(−(Xw + b)))."""
    return jax.nn.softplus(-(X @ theta[:-1] + theta[-1]))


# ---- broken generators for check_generator
def _jitter(key, X, n, scale=0.3):
    k1, k2 = jax.random.split(key)
    i = jax.random.randint(k1, (n,), 0, X.shape[0])
    return X[i] + scale * jax.random.normal(k2, (n, X.shape[1]), X.dtype)


def ignores_key() -> Generator:
    """Jittered bootstrap with a hard-coded key: ignores the key it is given."""
    return Generator("ignores-key", lambda key, X, n: _jitter(jax.random.key(0), X, n))


def short_by_one() -> Generator:
    """Jittered bootstrap that returns n − 1 rows."""
    return Generator("short-by-one", lambda key, X, n: _jitter(key, X, n)[: n - 1])


class nan_on_duplicates:  # noqa: N801 - mimics a factory
    """Bootstrap on standardised columns: emits NaN when a column has zero spread (duplicated rows).

    A plain callable rather than a :class:`Generator` (whose own output guard would turn the
    NaN into a ``ValueError``), so it shows that ``check_generator`` itself finds the NaN."""

    name = "nan-on-duplicates"
    min_rows = 1
    uses_majority = False
    traceable = True

    def __call__(self, key, X, n):
        X = jnp.asarray(X)
        m, s = X.mean(0), X.std(0)
        return m + s * _jitter(key, (X - m) / s, n)


class mutating_generator:  # noqa: N801 - mimics a factory
    """A plain callable that centres its NumPy input in place (mutates X_minority)."""

    name = "mutating"
    min_rows = 1
    uses_majority = False
    traceable = False

    def __call__(self, key, X, n):
        import numpy as np

        X -= X.mean(0)  # in place
        return np.asarray(_jitter(key, jnp.asarray(X), n))


class reads_majority_undeclared:  # noqa: N801
    """Moves synthetic rows away from the majority mean, but declares ``uses_majority=False``."""

    name = "reads-majority"
    min_rows = 1
    uses_majority = False
    traceable = True

    def __call__(self, key, X, n, X_majority=None):
        out = _jitter(key, jnp.asarray(X), n)
        if X_majority is not None:
            out = out + 0.1 * (jnp.mean(X, 0) - jnp.mean(jnp.asarray(X_majority), 0))
        return out


def jittered_bootstrap(scale: float = 0.3) -> Generator:
    """A correct user-written generator: bootstrap row plus N(0, scale²) noise."""
    return Generator("jittered-bootstrap", lambda key, X, n: _jitter(key, X, n, scale))
