"""Shared engine of the 2-D aligned designs: size rules compared over a grid of n1.

For each n1 (n0 = ratio·n1) and each replication: draw the real data, draw one
nested pool of synthetic rows from the generator law Q (the largest size), fit the
pooled squared-loss ERM at every rule's size from prefix sums (one pass), and
record the exact excess balanced risk, the parameter error and the theory's
predicted excess (two-term expansion with large-sample score covariances).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.theory.decomposition import decompose, expected_excess, theory_multiplier
from synthaug.core.fit import fit_nested
from synthaug.generators.basic import fixed
from synthaug.core.montecarlo import run_replications

from synthaug.designs._common import auto_batch, curve_records


def rule_sizes(rules, gap: int, gamma_star: float) -> dict:
    """Size of each rule; ``theory`` is dropped when no finite cancelling size exists."""
    table = {"raw": 0, "balance": gap, "double": 2 * gap}
    if np.isfinite(gamma_star):
        table["theory"] = int(round(gamma_star * gap))
    return {r: table[r] for r in rules if r in table}


def run_rules(name, pop, q_for_n1, grid, ratio, rules, ridge, key, reps, *, progress, dtype, batch_size):
    """Records for every (n1, rule) and the per-n1 theory (γ*, g_φ, g_ψ)."""
    records, per_n1 = [], []
    theta_star = pop.theta_star.astype(dtype)
    sig0 = pop.score_covariance(pop.p0, theta_star, 0)
    sig1 = pop.score_covariance(pop.p1, theta_star, 1)
    for i, n1 in enumerate(grid):
        q = q_for_n1(n1)
        dec = decompose(pop.risk0, pop.risk1, lambda t, q=q: pop.risk(q, t), theta_star)
        gamma_star = float(theory_multiplier(dec.g_phi, dec.g_psi))
        n0 = ratio * n1
        gap = n0 - n1
        by_rule = rule_sizes(rules, gap, gamma_star)
        names, sizes = list(by_rule), list(by_rule.values())
        gen = fixed(q.sample, name="fixed")

        def one(k, n0=n0, n1=n1, sizes=sizes, gen=gen):
            kd, kg = jax.random.split(k)
            X0, X1 = pop.sample(kd, n0, n1, dtype)
            pool = gen(kg, X1, max(sizes))
            X = jnp.concatenate([X0, X1])
            y = jnp.concatenate([jnp.zeros(n0, dtype), jnp.ones(n1, dtype)])
            th = fit_nested(pop.loss, X, y, pool, sizes, ridge=ridge).theta
            return pop.excess_risk(th), jnp.linalg.norm(th - theta_star, axis=-1)

        bs = auto_batch(8.0 * pop.d * (n0 + n1 + max(sizes)) * 4, reps, batch_size)
        exc, err = run_replications(one, jax.random.fold_in(key, i), reps, batch_size=bs, progress=progress,
                                    desc=f"{name} n1={n1}")
        sigq = pop.score_covariance(q, theta_star, 1)
        pred = np.asarray(expected_excess(jnp.asarray(sizes, dtype), n0, n1, dec, sig0, sig1, sigq).total)
        for j, rule in enumerate(names):
            common = dict(design=name, method=rule, generator="fixed", n0=n0, n1=n1, sizes=[sizes[j]], gap=gap)
            records += curve_records(metric="excess_risk", values=exc[:, [j]], reps=reps, **common)
            records += curve_records(metric="param_error", values=err[:, [j]], reps=reps, **common)
            rec = curve_records(metric="predicted_excess", values=np.full((2, 1), pred[j]), reps=None, **common)
            rec[0]["mcse"] = None
            records += rec
        per_n1.append(dict(n1=n1, gamma_star=gamma_star, g_phi=np.asarray(dec.g_phi).tolist(),
                           g_psi=np.asarray(dec.g_psi).tolist()))
    return records, per_n1
