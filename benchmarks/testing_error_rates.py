"""Measured false-failure rate and power of every statistical check of synthaug.testing.

For each check: RUNS independent runs (default 200) at alpha = 0.05 on a correct implementation
(false-failure rate; nominal 0.05) and on a deliberately broken one (power). To keep it to a few
minutes on 2 cores, the replications of all runs are drawn in one vmapped batch and split into runs;
each run's verdict is the check's own decision rule on its own independent replications (the same
code path the check uses after replicating). check_same_distribution calls the check itself.

Usage: python benchmarks/testing_error_rates.py [--runs 200]
"""

import argparse
import time

import synthaug.config

synthaug.config.enable_x64()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from synthaug.core.montecarlo import run_replications  # noqa: E402
from synthaug.generators import make_generator  # noqa: E402
from synthaug.generators.basic import oracle  # noqa: E402
from synthaug.testing import examples as E  # noqa: E402
from synthaug.testing import stats as S  # noqa: E402

ALPHA = 0.05


def reps(fn, key, n):
    return np.asarray(run_replications(fn, key, n, progress=False, batch_size=4000), float)


def mean_check(samples, truth, runs, R):
    x = samples.reshape(runs, R, -1)
    return np.array([S._mean_test(x[i], truth, ALPHA)["p_value"] <= ALPHA for i in range(runs)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    runs = args.runs
    key = jax.random.key(2026)
    rows = []

    def add(name, setting, good, bad, R, t0):
        rows.append((name, setting, good.mean(), bad.mean(), R, time.time() - t0))
        print(f"{name}: false-failure {good.mean():.3f}, power {bad.mean():.3f} ({time.time() - t0:.0f}s)", flush=True)

    # check_unbiased: sample mean (correct) vs 0.9 × mean (broken), R = 200
    t0, R = time.time(), 200
    good = mean_check(reps(E.mean_estimator, jax.random.fold_in(key, 1), runs * R), np.ones(2), runs, R)
    bad = mean_check(reps(E.shrunk_mean_estimator, jax.random.fold_in(key, 2), runs * R), np.ones(2), runs, R)
    add("check_unbiased", "mean of N(1, I2), n=20 | 0.9 × mean", good, bad, R, t0)

    # check_unbiased, SMOTE-augmented pooled fit in the bias-correction design (power only; d=2, n1=100, κ=20)
    t0 = time.time()
    nb = min(runs, 50)
    est = E.bc_naive_estimator(make_generator("smote", k=5), n1=100)
    bad2 = mean_check(reps(est, jax.random.fold_in(key, 3), nb * R), np.asarray(E.theta_star_shift(2)), nb, R)
    rows.append(("check_unbiased", f"(power only, {nb} runs) SMOTE-augmented naive fit vs θ*, n1=100, κ=20",
                 np.nan, bad2.mean(), R, time.time() - t0))
    print("check_unbiased smote power", bad2.mean(), flush=True)

    # check_rate: squared error of a mean (slope −1) vs √n-subsampled mean (slope −1/2), R = 200
    t0, ns = time.time(), [16, 64, 256]

    def rate_runs(fn, k):
        errs = [reps(lambda kk, n=n: fn(kk, n), jax.random.fold_in(k, n), runs * R).reshape(runs, R) for n in ns]
        out = []
        for i in range(runs):
            e = [x[i] for x in errs]
            res = S._rate_decision(ns, np.array([v.mean() for v in e]), np.array([v.std(ddof=1) / np.sqrt(R) for v in e]),
                                   -1.0, ALPHA, R)
            out.append(not res.passed)
        return np.array(out)

    add("check_rate", "E(x̄−μ)², n ∈ {16,64,256}, claim −1 | √n rows used", rate_runs(E.squared_error_mean, jax.random.fold_in(key, 4)),
        rate_runs(E.squared_error_subsampled, jax.random.fold_in(key, 5)), R, t0)

    # check_calibrated_pvalues: exact t-test vs Wald after oversampling (n1 = 50, κ = 20), R = 300
    t0, R = time.time(), 300

    def cal_runs(test, k):
        pv = reps(lambda kk: test(E.null_two_class(kk)), k, runs * R).reshape(runs, R)
        return np.array([not S._calibration_decision(pv[i], 0.05, ALPHA).passed for i in range(runs)])

    add("check_calibrated_pvalues", "t-test, n1=50, κ=20 | Wald on oversampled data",
        cal_runs(E.t_test_pvalue, jax.random.fold_in(key, 6)), cal_runs(E.wald_oversampled_pvalue, jax.random.fold_in(key, 7)),
        R, t0)

    # check_same_distribution: N(m, I) vs itself | N(m, 1.3² I), n = 200 rows each
    t0, n = time.time(), 200
    X1 = np.random.default_rng(0).normal(size=(20, 2))
    g1, g2 = E.normal_generator(1.0), E.normal_generator(1.3)
    good = np.array([not S.check_same_distribution(g1, g1, X1, jax.random.fold_in(key, 1000 + i), n=n, alpha=ALPHA).passed
                     for i in range(runs)])
    bad = np.array([not S.check_same_distribution(g1, g2, X1, jax.random.fold_in(key, 5000 + i), n=n, alpha=ALPHA).passed
                    for i in range(runs)])
    add("check_same_distribution", "N(x̄, I2) twice | sd 1 vs 1.3, 200 rows each", good, bad, n, t0)

    # check_generator_mismatch: oracle vs shrink (c = 0.7), n1 = 50, R = 200
    t0, R = time.time(), 200
    mu = jnp.zeros(2).at[0].set(1.5)
    sampler = lambda k, m: mu + jax.random.normal(k, (m, 2))  # noqa: E731
    ts = E.theta_star_shift(2)

    def mm_runs(gen, k):
        def one(kk):
            k1, kg, kt = jax.random.split(kk, 3)
            X1 = sampler(k1, 50)
            Xq, Xt = gen(kg, X1, 200), sampler(kt, 200)
            return jax.grad(lambda th: jnp.mean(E.logistic_minority_loss(th, Xq)) - jnp.mean(E.logistic_minority_loss(th, Xt)))(ts)

        return mean_check(reps(one, k, runs * R), 0.0, runs, R)

    add("check_generator_mismatch", "oracle | shrink (c=0.7, noise 0.1), n1=50",
        mm_runs(oracle(lambda k, n, dt: sampler(k, n)), jax.random.fold_in(key, 8)),
        mm_runs(make_generator("shrink", c=0.7, noise=0.1), jax.random.fold_in(key, 9)), R, t0)

    print(f"\n{runs} runs per cell, alpha = {ALPHA} (binomial MCSE of a rate near 0.05: "
          f"{np.sqrt(0.05 * 0.95 / runs):.3f})\n")
    print("| check | correct / broken implementation | replications | false-failure rate (nominal 0.05) | power |")
    print("|---|---|---|---|---|")
    for name, setting, ff, pw, R, _ in rows:
        ffs = "—" if np.isnan(ff) else f"{ff:.3f}"
        print(f"| `{name}` | {setting.replace(' | ', '; broken: ')} | {R} | {ffs} | {pw:.3f} |")


if __name__ == "__main__":
    main()
