r"""Statistical property checks with a stated false-failure rate.

Every check runs a user function over independent PRNG keys (``jax.vmap`` under one
``jit``, :func:`synthaug.core.montecarlo.run_replications`; :func:`check_rate` runs one
such vmapped batch per sample size, and :func:`check_same_distribution` vmaps its
permutation null over explicit keys), tests a null hypothesis
that holds for a correct implementation, and returns a
:class:`~synthaug.testing.StatCheckResult`. ``alpha`` is the false-failure rate: the
probability that a *correct* implementation fails (default :data:`DEFAULT_ALPHA` =
1e-4, so a suite of 20 checks fails spuriously about once in 500 runs). Multiple
comparisons inside one check are Bonferroni-controlled, so the stated rate is an upper
bound (up to the normal approximation of a mean of ``n_replications`` draws).

Summaries follow simulation-study practice (Morris, White & Crowther, *Stat. Med.* 38,
2019): every mean carries its Monte Carlo standard error. The mismatch check is in the
φ/ψ language of Ma & Zhang (arXiv 2601.16120, §2.2):
:math:`\psi(\theta) = R_Q(\theta) - R_1(\theta)`. The two-sample check uses the
maximum mean discrepancy of Gretton et al. (*JMLR* 13, 2012) with a permutation null.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from synthaug.testing._result import StatCheckResult

__all__ = [
    "DEFAULT_ALPHA",
    "check_unbiased",
    "check_rate",
    "check_calibrated_pvalues",
    "check_same_distribution",
    "check_generator_mismatch",
]

#: Default false-failure rate of every statistical check.
DEFAULT_ALPHA = 1e-4


def _alpha(alpha) -> float:
    a = float(alpha)
    if not (0.0 < a < 1.0):
        raise ValueError(f"alpha must lie in (0, 1); got {alpha!r}")
    return a


def _reps(n, name="n_replications", minimum=2) -> int:
    from synthaug.core.validation import check_int

    return check_int(n, name, minimum)


def _key(key):
    import jax

    if key is None:
        return jax.random.key(0)
    if isinstance(key, (int, np.integer)):
        return jax.random.key(int(key))
    return key


def _replicate(fn, key, reps, batch_size=None):
    from synthaug.core.montecarlo import run_replications

    return run_replications(fn, key, reps, batch_size=batch_size, progress=False)


def _mean_test(samples, target, alpha):
    """Bonferroni t-tests of ``E[samples] == target`` per coordinate; returns pieces of a result."""
    from scipy import stats

    x = np.asarray(samples, float).reshape(samples.shape[0], -1)
    target = np.broadcast_to(np.asarray(target, float).ravel(), x.shape[1:])
    R, p = x.shape
    if not np.all(np.isfinite(x)):
        bad = int(np.sum(~np.all(np.isfinite(x), axis=1)))
        return dict(finite=False, bad=bad, mean=np.nanmean(x, 0), mcse=np.full(p, np.nan))
    mean = x.mean(0)
    mcse = x.std(0, ddof=1) / math.sqrt(R)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (mean - target) / mcse
    t = np.where(mcse > 0, t, np.where(mean == target, 0.0, np.inf))
    pj = 2 * stats.t.sf(np.abs(t), df=R - 1)
    p_adj = float(min(1.0, p * pj.min()))
    q = stats.t.isf(alpha / (2 * p), df=R - 1)
    return dict(finite=True, mean=mean, mcse=mcse, t=t, p_coord=pj, p_value=p_adj,
                interval=(mean - q * mcse, mean + q * mcse))


def check_unbiased(estimator: Callable, truth, key=None, *, n_replications: int = 200,
                   alpha: float = DEFAULT_ALPHA, batch_size: int | None = None) -> StatCheckResult:
    r"""Check that ``E[estimator(key)] == truth`` over independent replications.

    Each coordinate :math:`j` of the estimate gets a one-sample t-test of
    :math:`H_0: E\hat\theta_j = \theta_j` on ``n_replications`` independent draws;
    the p-values are Bonferroni-combined, so a correct (unbiased) estimator fails
    with probability at most ``alpha`` (t approximation to the mean; accurate once
    the estimate has finite variance and ``n_replications`` is in the hundreds).

    Parameters
    ----------
    estimator
        pure, traceable ``estimator(key) -> array`` (draws its own data from ``key``).
    truth
        the target, broadcastable to the estimate.
    key
        PRNG key or int seed (default 0).
    n_replications
        number of independent replications (≥ 2).
    alpha
        false-failure rate (default 1e-4).
    batch_size
        replications per vmapped chunk (memory bound).

    Returns
    -------
    StatCheckResult
        ``statistic`` is the mean estimate, ``interval`` the simultaneous
        :math:`1-\alpha` intervals, ``mcse`` the per-coordinate MCSE.
    """
    alpha = _alpha(alpha)
    R = _reps(n_replications)
    est = _replicate(estimator, _key(key), R, batch_size)
    est = np.asarray(est, float).reshape(R, -1)
    out = _mean_test(est, truth, alpha)
    if not out["finite"]:
        return StatCheckResult("check_unbiased", False, out["mean"], 0.0, None, alpha, R, out["mcse"],
                               f"{out['bad']} of {R} replications gave non-finite estimates")
    bias = out["mean"] - np.broadcast_to(np.asarray(truth, float).ravel(), out["mean"].shape)
    worst = int(np.argmax(np.abs(out["t"])))
    msg = (f"mean - truth = {bias[worst]:.4g} at coordinate {worst} "
           f"(t = {out['t'][worst]:.3g}, Bonferroni over {bias.size} coordinates)")
    return StatCheckResult("check_unbiased", out["p_value"] > alpha, out["mean"], out["p_value"], out["interval"],
                           alpha, R, out["mcse"], msg, dict(bias=bias, p_coordinates=out["p_coord"]))


def check_rate(estimator_error: Callable, ns, expected_slope: float, key=None, *, n_replications: int = 200,
               alpha: float = DEFAULT_ALPHA, batch_size: int | None = None) -> StatCheckResult:
    r"""Check that the mean error decays like :math:`n^{\text{expected\_slope}}`.

    For each ``n`` in ``ns``, ``estimator_error(key, n)`` (``n`` a static int) is
    averaged over ``n_replications`` independent keys, giving :math:`\bar e_n` with
    MCSE :math:`s_n`. The log–log least-squares slope
    :math:`\hat b = \sum_i c_i \log \bar e_{n_i}`, :math:`c_i = (x_i - \bar x)/\sum (x_i-\bar x)^2`,
    :math:`x_i = \log n_i`, has (delta method, independent cells) standard error
    :math:`\{\sum_i c_i^2 (s_{n_i}/\bar e_{n_i})^2\}^{1/2}`; the check is the z-test of
    :math:`H_0: b = ` ``expected_slope``. The interval therefore comes from the
    replications, not from a tuned tolerance.

    The null is that the *finite-n* mean error follows the power law exactly over
    ``ns``; choose ``ns`` where higher-order terms are negligible (e.g. the squared
    error of a mean, exactly :math:`\sigma^2/n`), or the check (correctly) fails.

    Parameters
    ----------
    estimator_error
        pure, traceable ``estimator_error(key, n) -> scalar`` (a non-negative error).
    ns
        at least 3 distinct sizes.
    expected_slope
        the stated rate, e.g. -1 for a squared error of a root-n estimator.
    key, n_replications, alpha, batch_size
        as in :func:`check_unbiased`.
    """
    from functools import partial

    import jax

    alpha = _alpha(alpha)
    R = _reps(n_replications)
    ns = [int(n) for n in ns]
    if len(set(ns)) < 3 or min(ns) < 1:
        raise ValueError(f"ns must hold at least 3 distinct positive sizes; got {ns}")
    key = _key(key)
    means, mcses = [], []
    for i, n in enumerate(ns):
        e = np.asarray(_replicate(partial(estimator_error, n=n), jax.random.fold_in(key, i), R, batch_size), float)
        if not np.all(np.isfinite(e)) or np.any(e.mean() <= 0):
            return StatCheckResult("check_rate", False, np.nan, 0.0, None, alpha, R, np.nan,
                                   f"errors at n = {n} are non-finite or not positive")
        means.append(e.mean())
        mcses.append(e.std(ddof=1) / math.sqrt(R))
    means, mcses = np.asarray(means), np.asarray(mcses)
    return _rate_decision(ns, means, mcses, expected_slope, alpha, R)


def _rate_decision(ns, means, mcses, expected_slope, alpha, R):
    from scipy import stats

    x = np.log(ns)
    c = (x - x.mean()) / np.sum((x - x.mean()) ** 2)
    slope = float(c @ np.log(means))
    se = float(np.sqrt(np.sum(c**2 * (mcses / means) ** 2)))
    z = (slope - expected_slope) / se if se > 0 else (0.0 if slope == expected_slope else np.inf)
    p = float(2 * stats.norm.sf(abs(z)))
    q = stats.norm.isf(alpha / 2)
    msg = f"log-log slope {slope:.3f} vs expected {expected_slope:g} (z = {z:.3g}) over n = {ns}"
    return StatCheckResult("check_rate", p > alpha, slope, p, (slope - q * se, slope + q * se), alpha, R, se, msg,
                           dict(ns=np.asarray(ns), mean_error=means, mcse_error=mcses))


def check_calibrated_pvalues(test_fn: Callable, null_sampler: Callable, key=None, *, n_replications: int = 500,
                             level: float = 0.05, alpha: float = DEFAULT_ALPHA,
                             batch_size: int | None = None) -> StatCheckResult:
    r"""Check that a test's p-values are uniform under its null.

    ``null_sampler(key)`` draws one data set (a pytree) from the null and
    ``test_fn(data)`` returns its p-value; both pure and traceable. Two tests, Bonferroni
    combined (each at ``alpha/2``): the Kolmogorov–Smirnov test of the p-values against
    U(0, 1), and an exact two-sided binomial test that the rejection rate at the user's
    ``level`` equals ``level`` (catches anti-conservative and conservative tests).

    Returns
    -------
    StatCheckResult
        ``statistic`` is the rejection rate at ``level``, ``interval`` its
        Clopper–Pearson interval at :math:`1-\alpha`, ``mcse`` its binomial standard error.
    """

    alpha = _alpha(alpha)
    level = _alpha(level)
    R = _reps(n_replications, minimum=10)
    pv = np.asarray(_replicate(lambda k: test_fn(null_sampler(k)), _key(key), R, batch_size), float).ravel()
    if not np.all(np.isfinite(pv)) or np.any((pv < 0) | (pv > 1)):
        return StatCheckResult("check_calibrated_pvalues", False, np.nan, 0.0, None, alpha, R, np.nan,
                               "test_fn returned p-values outside [0, 1] or non-finite")
    return _calibration_decision(pv, level, alpha)


def _calibration_decision(pv, level, alpha):
    from scipy import stats

    R = pv.size
    rej = int(np.sum(pv <= level))
    p_ks = float(stats.kstest(pv, "uniform").pvalue)
    bt = stats.binomtest(rej, R, level)
    p_bin = float(bt.pvalue)
    ci = bt.proportion_ci(1 - alpha, method="exact")
    p = min(1.0, 2 * min(p_ks, p_bin))
    rate = rej / R
    msg = (f"rejection rate at level {level:g} = {rate:.4f} ({rej}/{R}; binomial p = {p_bin:.3g}), "
           f"KS p = {p_ks:.3g} (Bonferroni over 2 tests)")
    return StatCheckResult("check_calibrated_pvalues", p > alpha, rate, p, (ci.low, ci.high), alpha, R,
                           math.sqrt(level * (1 - level) / R), msg, dict(p_values=pv, p_ks=p_ks, p_binomial=p_bin))


_MMD_TEST = None

#: Exceedances after which the sequential permutation test stops (Besag & Clifford, 1991).
SEQUENTIAL_EXCEEDANCES = 20


def _mmd_permutation(key, A, B, n_perm, chunk=128, h=SEQUENTIAL_EXCEEDANCES):
    """Biased (V-statistic) MMD² with a Gaussian kernel (median bandwidth) and its sequential permutation p-value.

    One compiled program: the kernel matrix, the observed statistic, and permuted statistics,
    vmapped over explicit permutation keys in chunks of ``chunk`` under a ``lax.while_loop``.
    Sequential Monte Carlo p-value of Besag & Clifford (*Biometrika* 78, 1991): sampling stops
    at the ``L``-th permutation once ``h`` permuted statistics reach the observed one
    (``p = h / L``), else after ``n_perm`` permutations with ``g < h`` exceedances
    (``p = (g + 1) / (n_perm + 1)``). Both are valid p-values (``P(p <= u) <= u``); a
    typical statistic under the null stops after about ``h / p`` permutations, so equal
    laws are confirmed in a few chunks and only a rejection pays the full ``n_perm``.
    Returns ``(mmd2, p_value, permutations_used)``.
    """
    import jax

    global _MMD_TEST
    if _MMD_TEST is None:
        import jax.numpy as jnp

        def test(key, A, B, n_perm, chunk, h):
            Z = jnp.concatenate([A, B]).astype(jnp.result_type(float))
            sd = Z.std(0)
            Z = (Z - Z.mean(0)) / jnp.where(sd > 0, sd, 1.0)
            sq = jnp.sum((Z[:, None, :] - Z[None, :, :]) ** 2, -1)
            N = Z.shape[0]
            med = jnp.median(sq[jnp.triu_indices(N, 1)])
            K = jnp.exp(-sq / jnp.where(med > 0, med, 1.0))
            nA, nB = A.shape[0], B.shape[0]
            a = jnp.concatenate([jnp.full(nA, 1.0 / nA), jnp.full(nB, -1.0 / nB)]).astype(K.dtype)
            obs = a @ K @ a
            # the permuted statistics in float32 (half the cost of the N² quadratic forms), compared
            # with the observed one computed the same way
            K32, a32 = K.astype(jnp.float32), a.astype(jnp.float32)
            thr = (a32 @ K32 @ a32) * (1 - 1e-6)
            n_chunks = -(-n_perm // chunk)

            def relabel(k):  # a uniformly random nA-subset of the pooled rows is labelled "A"
                _, rows = jax.lax.top_k(jax.random.uniform(k, (N,), jnp.float32), nA)  # faster than a sort
                return jnp.full(N, -1.0 / nB, jnp.float32).at[rows].set(1.0 / nA)

            def cond(state):
                i, count, stop = state
                return (i < n_chunks) & (stop == 0)

            def body(state):  # one chunk of permutations, vmapped over their keys
                i, count, stop = state
                ks = jax.random.split(jax.random.fold_in(key, i), chunk)
                W = jax.vmap(lambda k: relabel(k))(ks)
                idx = i * chunk + jnp.arange(chunk)
                exceed = ((jnp.sum((W @ K32) * W, axis=1) >= thr) & (idx < n_perm)).astype(jnp.int32)
                cum = count + jnp.cumsum(exceed)
                hit = cum >= h
                stop = jnp.where(jnp.any(hit), idx[jnp.argmax(hit)] + 1, 0)
                return i + 1, jnp.minimum(cum[-1], h), stop

            _, count, stop = jax.lax.while_loop(cond, body, (0, jnp.int32(0), 0))
            return obs, count, stop

        _MMD_TEST = jax.jit(test, static_argnames=("n_perm", "chunk", "h"))
    n_perm, h = int(n_perm), int(h)
    obs, count, stop = _MMD_TEST(key, A, B, n_perm=n_perm, chunk=int(min(chunk, n_perm)), h=h)
    if int(stop) > 0:
        return float(obs), h / int(stop), int(stop)
    return float(obs), (1 + int(count)) / (1 + n_perm), n_perm


def check_same_distribution(gen_a: Callable, gen_b: Callable, X_minority, key=None, *, n: int = 200,
                            X_majority=None, alpha: float = DEFAULT_ALPHA, n_permutations: int | None = None
                            ) -> StatCheckResult:
    r"""Check that two generators draw from the same law given the same minority.

    Draws ``n`` rows from each generator (independent keys), then tests equality of the
    two laws by (i) the MMD permutation test with a Gaussian kernel on standardised
    columns, bandwidth the median squared distance (Gretton et al., 2012), and (ii)
    per-column two-sample Kolmogorov–Smirnov tests. Weighted Bonferroni (alpha/2 to the MMD test,
    alpha/(2d) to each KS test), so
    two generators with the same law fail with probability at most ``alpha``.

    The permutation null is one compiled program: the permuted statistics are vmapped
    over explicit permutation keys (split from ``key``) in chunks, and the p-value is the
    sequential Monte Carlo p-value of Besag & Clifford (*Biometrika* 78, 1991), which stops
    once 20 permuted statistics reach the observed one. Equal laws are therefore confirmed
    after a few hundred permutations; only a rejection at ``alpha = 1e-4`` runs all
    ``n_permutations``.

    Parameters
    ----------
    gen_a, gen_b
        generators ``gen(key, X_minority, n[, X_majority=...])``.
    X_minority
        the real minority rows both generators are given.
    n
        synthetic rows per generator (the replication budget).
    X_majority
        passed to a generator that declares ``uses_majority``.
    n_permutations
        the most permutations of the MMD test; default ``ceil(4 / alpha)`` capped at 50 000
        (so the smallest attainable p-value is below the Bonferroni level).

    Returns
    -------
    StatCheckResult
        ``statistic`` is the MMD², ``details`` hold ``p_mmd``, the per-column ``p_ks``,
        the ``permutations`` used and the per-column standard deviations of both samples.
    """
    from scipy import stats

    import jax

    alpha = _alpha(alpha)
    n = _reps(n, "n", 2)
    X = np.asarray(X_minority)
    if X.ndim != 2:
        raise ValueError(f"X_minority must be 2-D; got shape {X.shape}")
    d = X.shape[1]
    B = int(n_permutations) if n_permutations is not None else int(min(50000, math.ceil(4 / alpha)))
    if B < 1:
        raise ValueError(f"n_permutations must be >= 1; got {n_permutations}")
    ka, kb, kp = jax.random.split(_key(key), 3)

    def draw(g, k):
        if getattr(g, "uses_majority", False):
            return np.asarray(g(k, X, n, X_majority=X_majority), float)
        return np.asarray(g(k, X, n), float)

    A, Bs = draw(gen_a, ka), draw(gen_b, kb)
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(Bs))):
        return StatCheckResult("check_same_distribution", False, np.nan, 0.0, None, alpha, n, np.nan,
                               "a generator produced non-finite rows")
    mmd, p_mmd, used = _mmd_permutation(kp, A, Bs, B)
    p_ks = np.atleast_1d(stats.ks_2samp(A, Bs, axis=0).pvalue)  # one two-sample KS test per column
    p = float(min(1.0, 2 * p_mmd, 2 * d * p_ks.min()))  # weighted Bonferroni: alpha/2 to MMD, alpha/2 to the KS tests
    worst = int(np.argmin(p_ks))
    msg = (f"MMD² = {mmd:.4g} (sequential permutation p = {p_mmd:.3g}, {used} of at most {B} permutations); "
           f"smallest column KS p = "
           f"{p_ks[worst]:.3g} (column {worst}); Bonferroni: alpha/2 to MMD, alpha/(2d) to each KS")
    mc = math.sqrt(p_mmd * (1 - p_mmd) / used)
    return StatCheckResult("check_same_distribution", p > alpha, mmd, p, None, alpha, n, mc, msg,
                           dict(p_mmd=p_mmd, p_ks=p_ks, permutations=used, std_a=A.std(0), std_b=Bs.std(0)))


def check_generator_mismatch(gen: Callable, true_sampler: Callable, loss: Callable, theta_star, key=None, *,
                             n1: int = 50, n: int = 200, n_replications: int = 200, X_majority_sampler=None,
                             alpha: float = DEFAULT_ALPHA, batch_size: int | None = None) -> StatCheckResult:
    r"""Estimate the generator's induced mismatch ψ and test :math:`E\,g_\psi(\theta^*) = 0`.

    In the language of Ma & Zhang (arXiv 2601.16120, §2.2), a generator fitted to
    ``n1`` real minority rows induces a law :math:`Q` and the mismatch
    :math:`\psi(\theta) = R_Q(\theta) - R_1(\theta)`. Each replication draws a
    minority sample from ``true_sampler``, ``n`` synthetic rows from ``gen`` and
    ``n`` fresh true rows, and estimates :math:`\psi(\theta^*)` and
    :math:`g_\psi = \nabla\psi(\theta^*)` by the difference of empirical minority
    risks (and their gradients, by autodiff). The check is the Bonferroni t-test of
    :math:`H_0: E\,\hat g_\psi = 0` over the coordinates: a generator whose mismatch
    gradient has mean zero (the oracle, or an unbiased fitted generator) passes with
    probability at least :math:`1-\alpha`; one with a non-vanishing first-order bias
    (shrinkage, fixed-k SMOTE's variance contraction) fails.

    Parameters
    ----------
    gen
        traceable generator ``gen(key, X_minority, n[, X_majority=...])``.
    true_sampler
        ``true_sampler(key, m) -> (m, d)`` draws from the true minority law :math:`P_1`.
    loss
        ``loss(theta, X) -> (m,)`` per-row losses of minority (class 1) rows.
    theta_star
        the balanced optimum :math:`\theta^*`.
    n1, n
        real minority size the generator sees; synthetic/true rows per replication.
    X_majority_sampler
        ``X_majority_sampler(key) -> X0`` for a generator that ``uses_majority``.
    n_replications, alpha, batch_size, key
        as in :func:`check_unbiased`.

    Returns
    -------
    StatCheckResult
        ``statistic`` is the mean :math:`\hat g_\psi`, ``details['psi']`` the mean
        :math:`\hat\psi(\theta^*)` and ``details['psi_mcse']`` its MCSE.
    """
    import jax
    import jax.numpy as jnp

    alpha = _alpha(alpha)
    R = _reps(n_replications)
    theta_star = jnp.asarray(theta_star, jnp.result_type(float))
    uses_major = bool(getattr(gen, "uses_majority", False))
    if uses_major and X_majority_sampler is None:
        raise ValueError("gen uses the majority: pass X_majority_sampler")

    def one(k):
        k1, kg, kt, k0 = jax.random.split(k, 4)
        X1 = true_sampler(k1, n1)
        Xq = gen(kg, X1, n, X_majority=X_majority_sampler(k0)) if uses_major else gen(kg, X1, n)
        Xt = true_sampler(kt, n)
        psi_fn = lambda th: jnp.mean(loss(th, Xq)) - jnp.mean(loss(th, Xt))  # noqa: E731
        return jax.value_and_grad(psi_fn)(theta_star)

    psi, g = _replicate(one, _key(key), R, batch_size)
    psi = np.asarray(psi, float)
    g = np.asarray(g, float).reshape(R, -1)
    out = _mean_test(g, 0.0, alpha)
    if not out["finite"]:
        return StatCheckResult("check_generator_mismatch", False, out["mean"], 0.0, None, alpha, R, out["mcse"],
                               f"{out['bad']} of {R} replications gave non-finite gradients")
    pm, ps = float(psi.mean()), float(psi.std(ddof=1) / math.sqrt(R))
    msg = (f"mean g_psi(theta*) = {np.array2string(out['mean'], precision=4)} "
           f"(psi(theta*) = {pm:.4g} ± {ps:.2g} MCSE); H0: E g_psi = 0, Bonferroni over {g.shape[1]} coordinates")
    return StatCheckResult("check_generator_mismatch", out["p_value"] > alpha, out["mean"], out["p_value"],
                           out["interval"], alpha, R, out["mcse"], msg, dict(psi=pm, psi_mcse=ps,
                                                                             p_coordinates=out["p_coord"]))
