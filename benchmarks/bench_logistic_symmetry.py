#!/usr/bin/env python
r"""Benchmark: ``logistic-symmetry`` (Ma & Zhang §5.3(b)) in synthaug vs "the usual way".

Runs, in one process and at the same number of replications,

* **synthaug**: :func:`synthaug.designs.logistic_symmetry.curves` with the SMOTE
  generator over the 21 values of γ (JAX: data, SMOTE pool, nested warm-started
  Newton fits and the exact excess risk; one compiled program per chunk of
  replications, which runs them one after another with ``lax.map``). Timed
  twice: the first call (including tracing and XLA compilation) and a second
  call with the same arguments ("steady state"). The compilation time inside
  each call is measured with ``jax.monitoring`` (tracing + lowering + XLA
  compile events), so the run time without compilation is reported too.
* **reference** (:mod:`reference_logistic_symmetry`): NumPy data, one
  imbalanced-learn ``SMOTE.fit_resample`` and one scikit-learn
  ``LogisticRegression`` fit per replication and γ, in Python loops. Its timed
  part is the loop (data + SMOTE + fits); the exact excess-risk evaluation of
  all its estimates (one synthaug call) is timed and reported separately.

and reports

1. wall times and the ratios reference / synthaug (against the first call,
   the steady-state call, and the steady-state call minus its compilation);
2. agreement of the mean curves over γ (excess balanced risk and
   :math:`\lVert\hat\theta - \theta^*\rVert`): per γ,
   :math:`z = |\bar x_{ref} - \bar x_{sa}| / \sqrt{\mathrm{mcse}_{ref}^2 + \mathrm{mcse}_{sa}^2}`
   must be ≤ 4; the maximum z and the number of γ that pass;
3. the fraction of the machine's peak float64 FLOP rate reached by synthaug's
   fits. Flops are counted, not measured by hardware counters. On the first
   chunk of replications (``--flop-reps``, same keys as ``curves()``) the fits
   are re-run unbatched: Newton steps per fit come from ``FitResult.n_iter``,
   and Hessians formed are counted as Cholesky factorisations (a
   ``jax.debug.callback`` wrapped around ``jax.numpy.linalg.cholesky``,
   ``jax.scipy.linalg.cholesky``/``cho_factor`` and the fit's
   ``platform_cholesky`` for that re-run only; synthaug's
   Newton reuses a Hessian factor for several steps, so "one Hessian per step"
   would overstate the work). With n the rows processed and p = 20:
   per Hessian :math:`2np^2 + np + p^3/3`; per Newton step (solve, linear
   predictor and gradient at the trial point) :math:`4np + 2p^2`; per fit
   :math:`6np` (initial evaluation, final margin check). Extra line-search
   backtracks (rare: the full step is accepted almost always) and elementwise
   exp/log work are not counted, nor are data generation, SMOTE's kNN
   (~0.01 GFLOP per replication) and the excess-risk quadrature, although their
   time is in the denominator: the rate is a lower bound for the fits alone.
   Two row counts are given: *executed* (n = real rows + the largest pool
   prefix of the fit's static row bucket, ``fit_nested(n_buckets=...)``: pool
   rows inside the bucket but beyond the fit's prefix are switched off with
   zero weights and still multiplied) and *useful* (n = real rows + the
   current prefix). If no factorisation is seen the plain-Newton model (one
   Hessian per step, an upper bound) is used and the JSON says so. Were the
   replications batched with ``vmap``, a batched ``while_loop`` would run every
   replication of a chunk until the slowest is done; that padding is reported
   (from the step counts) when the design batches, and is 1 when it maps
   sequentially (``lax.map``, the current design).
   The peak is the best time of a 4000 x 4000 float64 NumPy matmul (OpenBLAS)
   on one thread and on all threads; a JAX matmul under synthaug's XLA flags is
   reported too.

Machine load is recorded for every phase from ``/proc/stat``: the CPU seconds
used by *other* processes per wall second ("other load, cores") next to this
process's own CPU use. Timings taken while other load is well above 0 are
distorted.

The environment is exactly `synthaug simulate`'s: the script first calls ``synthaug.config.cpu_workarounds()`` and ``enable_x64()`` (the CLI sets
the same XLA_FLAGS and 64-bit mode). Results go to
``benchmarks/results/logistic_symmetry_<reps>.json``.

Usage::

    .venv/bin/python benchmarks/bench_logistic_symmetry.py            # 200 replications
    .venv/bin/python benchmarks/bench_logistic_symmetry.py --quick    # 10 replications
    .venv/bin/python benchmarks/bench_logistic_symmetry.py --reps 100 --seed 3
"""

import synthaug.config  # noqa: E402, I001

synthaug.config.cpu_workarounds()  # before the first JAX computation
synthaug.config.enable_x64()  # the same settings as `synthaug simulate`

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import reference_logistic_symmetry as ref  # noqa: E402
from synthaug.designs import logistic_symmetry as ls  # noqa: E402
from synthaug.designs._common import auto_batch  # noqa: E402

Z_LIMIT = 4.0
PEAK_N = 4000


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- machine and load

def machine_info():
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = dict(nproc=os.cpu_count(), cpu_model=model, platform=platform.platform(),
                python=platform.python_version(), numpy=np.__version__, jax=jax.__version__,
                jax_backend=jax.default_backend(), jax_devices=[str(d) for d in jax.devices()],
                XLA_FLAGS=os.environ.get("XLA_FLAGS", ""), jax_enable_x64=bool(jax.config.jax_enable_x64))
    try:
        import imblearn
        import sklearn

        info.update(sklearn=sklearn.__version__, imblearn=imblearn.__version__)
    except ImportError:
        pass
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [{k: p.get(k) for k in ("internal_api", "prefix", "num_threads", "version")}
                               for p in threadpool_info()]
    except ImportError:
        pass
    return info


def source_provenance():
    """git HEAD, dirty flag and a hash of the synthaug sources actually benchmarked."""
    out = {}
    try:
        out["git_head"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                         check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "synthaug", "simulations"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        out["synthaug_or_simulations_modified"] = dirty.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pass
    h = hashlib.sha256()
    for p in sorted(list((ROOT / "synthaug").glob("*.py")) + [ROOT / "simulations" / "logistic_symmetry.py"]):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    out["sources_sha256"] = h.hexdigest()[:16]
    return out


def _proc_stat():
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    vals = [int(v) for v in fields]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return sum(vals[:8]) - idle  # busy jiffies (user..steal, without guest double counting)


class Phase:
    """Wall time, this process's CPU time, and CPU used by other processes, over a block."""

    def __init__(self, name):
        self.name = name
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __enter__(self):
        self.busy0 = _proc_stat()
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.load0 = os.getloadavg()[0]
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t0
        self.cpu = time.process_time() - self.c0
        busy = (_proc_stat() - self.busy0) / self.tick
        self.other_cores = max(0.0, (busy - self.cpu) / self.wall) if self.wall > 0 else 0.0
        self.own_cores = self.cpu / self.wall if self.wall > 0 else 0.0
        self.loadavg = (self.load0, os.getloadavg()[0])
        log(f"{self.name}: {self.wall:.2f} s wall, own CPU {self.own_cores:.2f} cores, "
            f"other load {self.other_cores:.2f} cores")
        return False

    def record(self):
        return dict(wall_s=self.wall, cpu_s=self.cpu, own_cores=self.own_cores, other_load_cores=self.other_cores,
                    loadavg_1min_start_end=list(self.loadavg))


# ----------------------------------------------------------------------------- compile-time accounting

_COMPILE_EVENTS = ("/jax/core/compile/jaxpr_trace_duration", "/jax/core/compile/jaxpr_to_mlir_module_duration",
                   "/jax/core/compile/backend_compile_duration")
_compile_seconds = {e: 0.0 for e in _COMPILE_EVENTS}


def _compile_listener(event, duration, **kwargs):
    if event in _compile_seconds:
        _compile_seconds[event] += duration


def compile_seconds():
    return sum(_compile_seconds.values())


# ----------------------------------------------------------------------------- synthaug run

def run_synthaug(key, reps):
    c0 = compile_seconds()
    with Phase("synthaug curves()") as ph:
        exc, err, conv, info = ls.curves(key, reps, generators=("smote",), gammas=ls.GAMMAS, progress=False)
    rec = ph.record()
    rec["compile_s"] = compile_seconds() - c0
    rec["run_s_without_compile"] = rec["wall_s"] - rec["compile_s"]
    return dict(excess=np.asarray(exc)[:, 0], param_error=np.asarray(err)[:, 0], converged=np.asarray(conv)[:, 0],
                info=info, timing=rec)


# ----------------------------------------------------------------------------- flop counting

def _hess_flops(n, p):
    """Form Z^T D Z (2np^2), scale the rows (np), factor it (p^3/3)."""
    return 2.0 * n * p * p + n * p + p**3 / 3.0


def _step_flops(n, p):
    """One Newton step: solve with the factor (2p^2), linear predictor and gradient at the trial point (4np)."""
    return 4.0 * n * p + 2.0 * p * p


def _fit_overhead_flops(n, p):
    """Per fit: initial objective/gradient (4np) and the final margin check (2np)."""
    return 6.0 * n * p


def _tol_for_float64():
    tol = getattr(ls, "TOL", None)
    return tol.get("float64") if isinstance(tol, dict) else tol


def _fit_options():
    """The keyword arguments the design passes to ``fit_nested`` besides ``ridge`` and ``tol``."""
    nb = getattr(ls, "N_BUCKETS", None)
    return {} if nb is None else dict(n_buckets=nb, fast_kernels=True)


def _executed_rows(n_real, sizes):
    """Rows multiplied in each candidate's fit: real rows + the largest prefix of its bucket."""
    nb = _fit_options().get("n_buckets", 1)
    try:
        from synthaug.core.fit import _size_groups

        groups = _size_groups(sizes, nb)
    except ImportError:
        groups = [list(sizes)]
    return np.array([n_real + max(g) for g in groups for _ in g], float)


def count_flops(key, reps, n_count, reference_param_error=None):
    """Flops of synthaug's fits on the first ``n_count`` replications (same keys as curves()), unbatched.

    Newton steps per fit come from ``FitResult.n_iter``. Hessians formed are
    counted as Cholesky factorisations (every Newton-type fit factors each
    Hessian it forms, and nothing else in the fitting path factors a matrix):
    for the duration of this re-run only, ``jax.numpy.linalg.cholesky``,
    ``jax.scipy.linalg.cholesky``, ``jax.scipy.linalg.cho_factor`` and the
    fit's own factor (``synthaug.core.fit.platform_cholesky``) are wrapped
    with a ``jax.debug.callback`` counter. If no factorisation is seen, the
    plain-Newton model (one Hessian per step) is used, an upper bound for a
    lagged-Hessian method. The Hessians of a replication are apportioned to the
    candidate sizes in proportion to their steps for the *useful* row count.
    """
    import jax.numpy.linalg as jnl
    import jax.scipy.linalg as jsl
    import synthaug.core.fit as core_fit
    from synthaug.core.fit import fit_nested

    pop = ls.population()
    n0, n1 = ls.class_sizes(pop)
    sizes = ls.synthetic_sizes(ls.GAMMAS, n0 - n1)
    p = ls.D
    n_real, n_pool = n0 + n1, max(sizes)
    n_exec = _executed_rows(n_real, sizes)  # per candidate size
    n_useful = np.array([n_real + s for s in sizes], float)
    gen = ls.make_generator(pop, "smote")
    tol = _tol_for_float64()
    # Concrete before any tracing (first access to Population.theta_star inside a jit trace would
    # cache a tracer; and its own Newton solve must not be counted).
    theta_star = jnp.asarray(np.asarray(pop.theta_star))
    counter = [0]

    def bump():
        counter[0] += 1

    def wrap(orig):
        def wrapper(*args, **kwargs):
            jax.debug.callback(bump)
            return orig(*args, **kwargs)

        return wrapper

    targets = [(jnl, "cholesky"), (jsl, "cholesky"), (jsl, "cho_factor"), (core_fit, "platform_cholesky")]
    originals = [(mod, name, getattr(mod, name)) for mod, name in targets if hasattr(mod, name)]

    def one(k):
        kd, kg = jax.random.split(k)
        X0, X1 = pop.sample(kd, n0, n1, jnp.float64)
        X = jnp.concatenate([X0, X1])
        y = jnp.concatenate([jnp.zeros(n0), jnp.ones(n1)])
        res = fit_nested(pop.loss, X, y, gen(kg, X1, n_pool), sizes, ridge=ls.RIDGE, tol=tol, **_fit_options())
        return res.n_iter, jnp.linalg.norm(res.theta - theta_star, axis=-1)

    # Replication keys as curves() derives them for the first generator: the current code passes
    # ``key`` itself, earlier versions ``fold_in(key, 0)``; use whichever reproduces curves()'s
    # first replication (checked again on all counted replications by the caller).
    candidates = {"split(key)": key, "split(fold_in(key, 0))": jax.random.fold_in(key, 0)}
    derivation = next(iter(candidates))
    if reference_param_error is not None:
        f_plain = jax.jit(one)
        for name, base in candidates.items():
            pe = np.asarray(f_plain(jax.random.split(base, reps)[0])[1])
            if np.max(np.abs(pe - reference_param_error[0])) < 1e-6:
                derivation = name
                break
    keys = jax.random.split(candidates[derivation], reps)[:n_count]
    hess, n_iter, perr = [], [], []
    try:
        for mod, name, orig in originals:
            setattr(mod, name, wrap(orig))
        f = jax.jit(lambda k: one(k))  # a new function object: no reuse of the uninstrumented trace
        for k in keys:
            counter[0] = 0
            it, pe = jax.device_get(f(k))
            jax.effects_barrier()
            hess.append(counter[0])
            n_iter.append(np.asarray(it, float))
            perr.append(np.asarray(pe))
    finally:
        for mod, name, orig in originals:
            setattr(mod, name, orig)
    n_iter = np.array(n_iter)  # (n_count, n_sizes)
    counted = all(h > 0 for h in hess)
    if counted:
        hess_rep = np.array(hess, float)
        method = "counted: Hessians = Cholesky factorisations seen, steps = FitResult.n_iter"
    else:
        hess_rep = n_iter.sum(axis=1)
        method = "model: one Hessian per Newton step (no factorisation seen; upper bound for lagged Hessians)"
    share = n_iter / n_iter.sum(axis=1, keepdims=True)  # apportion Hessians to sizes by steps
    hess_size = hess_rep[:, None] * share
    fits = len(sizes)
    exec_rep = (hess_size @ _hess_flops(n_exec, p) + n_iter @ _step_flops(n_exec, p)
                + _fit_overhead_flops(n_exec, p).sum())
    useful_rep = (hess_size @ _hess_flops(n_useful, p) + n_iter @ _step_flops(n_useful, p)
                  + _fit_overhead_flops(n_useful, p).sum())
    return dict(method=method, n_reps_counted=int(n_count), p=p, rows_executed=n_exec.tolist(),
                rows_executed_mean=float(n_exec.mean()), rows_useful_mean=float(n_useful.mean()),
                key_derivation=derivation,
                flops_per_rep_executed=float(exec_rep.mean()), flops_per_rep_useful=float(useful_rep.mean()),
                newton_steps_per_fit=float(n_iter.mean()), hessians_per_fit=float(hess_rep.mean()) / fits,
                n_iter=n_iter, param_error=np.array(perr))


def vmap_padding(n_iter, batch):
    """Σ over chunks and sizes of (batch × max steps) / Σ steps: how much a vmapped while loop pads."""
    tot, padded = 0.0, 0.0
    for c in range(0, n_iter.shape[0], batch):
        chunk = n_iter[c:c + batch]
        tot += chunk.sum()
        padded += (chunk.max(axis=0) * chunk.shape[0]).sum()
    return padded / tot if tot else float("nan")


# ----------------------------------------------------------------------------- peak

def matmul_peak(n=PEAK_N, threads=None, repeats=3):
    """Best GFLOP/s of an n x n float64 NumPy matmul; threads=None: library default (all cores)."""
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
    with nullcontext() if threads is None else threadpool_limits(limits=threads):
        a @ b
        best = math.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            a @ b
            best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9


def jax_matmul_peak(n=PEAK_N, repeats=3):
    a = jax.random.normal(jax.random.PRNGKey(0), (n, n), jnp.float64)
    b = jax.random.normal(jax.random.PRNGKey(1), (n, n), jnp.float64)
    f = jax.jit(jnp.matmul)
    f(a, b).block_until_ready()
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(a, b).block_until_ready()
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9


# ----------------------------------------------------------------------------- agreement

def mean_se(x):
    x = np.asarray(x, float)
    return x.mean(axis=0), x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])


def agreement(a_ref, a_sa):
    m_r, s_r = mean_se(a_ref)
    m_s, s_s = mean_se(a_sa)
    z = np.abs(m_r - m_s) / np.sqrt(s_r**2 + s_s**2)
    return dict(mean_ref=m_r.tolist(), mcse_ref=s_r.tolist(), mean_synthaug=m_s.tolist(), mcse_synthaug=s_s.tolist(),
                z=z.tolist(), max_z=float(np.max(z)), n_pass=int(np.sum(z <= Z_LIMIT)), n_gammas=int(z.size))


# ----------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=200, help="replications for both implementations (default 200)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="10 replications, shorter peak measurement")
    ap.add_argument("--flop-reps", type=int, default=None,
                    help="replications re-run with flop counters (default: one vmap chunk, at most 32)")
    ap.add_argument("--default-threads-reps", type=int, default=2,
                    help="reference replications also timed with the libraries' default thread pools (0: skip)")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default benchmarks/results/logistic_symmetry_<reps>.json)")
    args = ap.parse_args(argv)
    reps = 10 if args.quick else args.reps
    out_path = args.out or HERE / "results" / f"logistic_symmetry_{reps}.json"
    jax.monitoring.register_event_duration_secs_listener(_compile_listener)

    machine = machine_info()
    log(f"machine: {machine['nproc']} CPUs, {machine['cpu_model']}; XLA_FLAGS={machine['XLA_FLAGS']!r}")
    key = jax.random.PRNGKey(args.seed)

    # Consistency of the two implementations' design constants.
    pop = ls.population()
    cst = ref.design_constants()
    constants_ok = bool(np.isclose(cst["alpha"], pop.p1.alpha, rtol=1e-13, atol=0)
                        and np.isclose(cst["p_neg"][0], pop.p0.prob_t_neg, rtol=1e-13, atol=0)
                        and np.isclose(cst["p_neg"][1], pop.p1.prob_t_neg, rtol=1e-13, atol=0)
                        and ref.class_sizes() == ls.class_sizes(pop)
                        and np.allclose(np.asarray(pop.theta_star), np.eye(ls.D)[0], atol=1e-10))
    if not constants_ok:
        log("WARNING: reference design constants differ from synthaug's population")

    # 1. synthaug: first call (with compilation), then steady state.
    log(f"synthaug: curves(), {reps} replications, first call")
    sa1 = run_synthaug(key, reps)
    log(f"synthaug: second call (compile inside this call: {sa1['timing']['compile_s']:.2f} s in the first)")
    sa2 = run_synthaug(key, reps)
    same = bool(np.array_equal(sa1["excess"], sa2["excess"]))

    # 2. reference.
    log(f"reference: {reps} replications x {len(ref.GAMMAS)} gammas (numpy + imblearn SMOTE + sklearn lbfgs, 1 thread)")
    with Phase("reference loop") as ph_ref:
        rr = ref.run(reps, args.seed, progress=False, threads=1)
    with Phase("reference evaluation (exact risk, JAX)") as ph_eval:
        ev = ref.evaluate(rr["theta"])
    default_threads = None
    if args.default_threads_reps > 0:
        k = min(args.default_threads_reps, reps)
        log(f"reference with default thread pools: {k} replications")
        with Phase("reference loop, default threads") as ph_dt:
            rd = ref.run(k, args.seed + 1, progress=False, threads=None)
        default_threads = dict(reps=k, wall_s=rd["time_work"], per_rep_s=rd["time_work"] / k,
                               cpu_s=rd["cpu_work"], load=ph_dt.record())
    log("reference: solver tolerance check against a tight Newton solve")
    with Phase("tolerance check"):
        tol = ref.tolerance_check()

    # 3. agreement of the mean curves.
    agree = dict(excess_risk=agreement(ev["excess"], sa2["excess"]),
                 param_error=agreement(ev["param_error"], sa2["param_error"]))

    # 4. flops and peak.
    sizes = sa2["info"]["sizes"]
    batch = auto_batch(8.0 * ls.D * (ls.N + max(sizes)) * 6, reps, None)
    n_count = min(reps, args.flop_reps if args.flop_reps else min(batch, 32))
    log(f"flop count: re-running {n_count} replications unbatched with counters")
    with Phase("flop count"):
        fl = count_flops(key, reps, n_count, sa2["param_error"])
    mirror_diff = float(np.max(np.abs(fl["param_error"] - sa2["param_error"][:n_count])))
    sequential = hasattr(ls, "sequential_under_vmap")  # replications mapped with lax.map, not batched
    padding = 1.0 if sequential else vmap_padding(fl["n_iter"], batch)
    if mirror_diff > 1e-6:
        log(f"WARNING: the flop-count re-run does not reproduce curves() (max |diff| {mirror_diff:.2e}); "
            "the counts describe the same design but other replications")
    log("peak: float64 matmul")
    repeats = 2 if args.quick else 3
    with Phase("peak measurement"):
        peak_all = matmul_peak(threads=None, repeats=repeats)
        peak_one = matmul_peak(threads=1, repeats=repeats)
        peak_jax = jax_matmul_peak(repeats=repeats)

    # 5. summary.
    t_first, t_steady = sa1["timing"]["wall_s"], sa2["timing"]["wall_s"]
    t_run = sa2["timing"]["run_s_without_compile"]
    t_ref, t_eval = rr["time_work"], ev["time_eval"]
    flops_exec = fl["flops_per_rep_executed"] * reps
    flops_useful = fl["flops_per_rep_useful"] * reps
    rate = dict(executed_gflops_steady=flops_exec / t_steady / 1e9, useful_gflops_steady=flops_useful / t_steady / 1e9,
                executed_gflops_run_only=flops_exec / t_run / 1e9 if t_run > 0 else None)
    result = dict(
        benchmark="logistic-symmetry", reps=reps, seed=args.seed, gammas=list(ls.GAMMAS), sizes=sizes,
        n0=sa2["info"]["n0"], n1=sa2["info"]["n1"], generator="smote",
        machine=machine, provenance=source_provenance(), constants_match=constants_ok,
        synthaug=dict(first_call=sa1["timing"], second_call=sa2["timing"], identical_results_across_calls=same,
                      converged_share=float(sa2["converged"].mean()), chunk=batch,
                      replication_loop="lax.map (sequential)" if sequential else "vmap",
                      fit_options=_fit_options(), tol_float64=_tol_for_float64()),
        reference=dict(settings=dict(lr=ref.LR_SETTINGS, smote_k=ref.SMOTE_K, threads=1),
                       loop=ph_ref.record(), time_work_s=t_ref, time_eval_s=t_eval, eval_load=ph_eval.record(),
                       per_rep_s=t_ref / reps, lbfgs_iterations_mean=float(rr["n_iter"].mean()),
                       converged_share=float(rr["converged"].mean()), default_threads_sample=default_threads,
                       tolerance_check=tol),
        ratios=dict(ref_over_synthaug_first=t_ref / t_first, ref_over_synthaug_steady=t_ref / t_steady,
                    ref_over_synthaug_run_only=t_ref / t_run if t_run > 0 else None,
                    ref_with_eval_over_synthaug_steady=(t_ref + t_eval) / t_steady),
        agreement=agree,
        flops=dict(method=fl["method"], reps_counted=fl["n_reps_counted"], rows_executed=fl["rows_executed"],
                   rows_executed_mean=fl["rows_executed_mean"], rows_useful_mean=fl["rows_useful_mean"],
                   per_rep_executed=fl["flops_per_rep_executed"], per_rep_useful=fl["flops_per_rep_useful"],
                   total_executed=flops_exec, total_useful=flops_useful,
                   newton_steps_per_fit=fl["newton_steps_per_fit"], hessians_per_fit=fl["hessians_per_fit"],
                   vmap_step_padding=padding,
                   key_derivation=fl["key_derivation"],
                   counted_reps_match_curves_max_abs_param_error_diff=mirror_diff, **rate),
        peak=dict(matmul_n=PEAK_N, numpy_gflops_all_cores=peak_all, numpy_gflops_one_core=peak_one,
                  jax_gflops_synthaug_flags=peak_jax),
        fraction_of_peak=dict(
            executed_vs_one_core=rate["executed_gflops_steady"] / peak_one,
            executed_vs_all_cores=rate["executed_gflops_steady"] / peak_all,
            useful_vs_one_core=rate["useful_gflops_steady"] / peak_one,
            useful_vs_all_cores=rate["useful_gflops_steady"] / peak_all),
    )
    print_table(result)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=1, default=_json_default) + "\n")
    log(f"wrote {out_path}")
    return result


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(type(o))


def print_table(r):
    sa, rf, ra, fl, pk, fr = r["synthaug"], r["reference"], r["ratios"], r["flops"], r["peak"], r["fraction_of_peak"]
    m = r["machine"]
    rows = [
        ("machine", f"{m['nproc']} CPUs, {m['cpu_model']}"),
        ("replications x gammas", f"{r['reps']} x {len(r['gammas'])} (n0={r['n0']}, n1={r['n1']}, SMOTE k=5)"),
        ("synthaug first call (incl. compile)", f"{sa['first_call']['wall_s']:.2f} s "
                                                f"(compile {sa['first_call']['compile_s']:.2f} s)"),
        ("synthaug second call", f"{sa['second_call']['wall_s']:.2f} s (compile inside {sa['second_call']['compile_s']:.2f} s; "
                                 f"run only {sa['second_call']['run_s_without_compile']:.2f} s)"),
        ("synthaug own CPU / other load", f"{sa['second_call']['own_cores']:.2f} / "
                                          f"{sa['second_call']['other_load_cores']:.2f} cores"),
        ("reference loop (data+SMOTE+fits, 1 thread)", f"{rf['time_work_s']:.2f} s ({rf['per_rep_s']:.3f} s/rep)"),
        ("reference own CPU / other load", f"{rf['loop']['own_cores']:.2f} / {rf['loop']['other_load_cores']:.2f} cores"),
        ("reference exact-risk evaluation (separate)", f"{rf['time_eval_s']:.2f} s"),
    ]
    if rf["default_threads_sample"]:
        d = rf["default_threads_sample"]
        rows.append(("reference, default thread pools", f"{d['per_rep_s']:.3f} s/rep ({d['reps']} reps)"))
    rows += [
        ("ratio ref / synthaug first call", f"{ra['ref_over_synthaug_first']:.2f}x"),
        ("ratio ref / synthaug second call", f"{ra['ref_over_synthaug_steady']:.2f}x"),
        ("ratio ref / synthaug run only", f"{ra['ref_over_synthaug_run_only']:.2f}x"
                                          if ra["ref_over_synthaug_run_only"] else "n/a"),
        ("ratio (ref + eval) / synthaug second", f"{ra['ref_with_eval_over_synthaug_steady']:.2f}x"),
    ]
    for name, a in r["agreement"].items():
        rows.append((f"agreement {name}", f"max z = {a['max_z']:.2f}; {a['n_pass']}/{a['n_gammas']} gammas with z <= {Z_LIMIT:g}"))
    tc = rf["tolerance_check"]
    rows += [
        ("lbfgs vs tight Newton (max |dtheta|)", f"{tc['max_abs_theta_diff']:.1e} (excess diff {tc['max_abs_excess_diff']:.1e})"),
        ("converged share synthaug / reference", f"{sa['converged_share']:.4f} / {rf['converged_share']:.4f}"),
        ("Newton steps / Hessians per fit", f"{fl['newton_steps_per_fit']:.2f} / {fl['hessians_per_fit']:.2f} "
                                            f"({fl['method'].split(':')[0]})"),
        ("flops per replication executed / useful", f"{fl['per_rep_executed'] / 1e9:.3f} / {fl['per_rep_useful'] / 1e9:.3f} GFLOP"),
        ("synthaug fit rate executed / useful", f"{fl['executed_gflops_steady']:.2f} / {fl['useful_gflops_steady']:.2f} GFLOP/s"),
        ("flop re-run reproduces curves() (max |diff|)", f"{fl['counted_reps_match_curves_max_abs_param_error_diff']:.1e} "
                                                        f"over {fl['reps_counted']} reps"),
        ("rows per fit executed / useful (mean)", f"{fl['rows_executed_mean']:.0f} / {fl['rows_useful_mean']:.0f}"),
        ("vmap while-loop padding (steps)", f"{fl['vmap_step_padding']:.2f}x ({sa['replication_loop']})"),
        ("peak numpy matmul 1 thread / all threads", f"{pk['numpy_gflops_one_core']:.1f} / {pk['numpy_gflops_all_cores']:.1f} GFLOP/s"),
        ("peak jax matmul (synthaug XLA flags)", f"{pk['jax_gflops_synthaug_flags']:.1f} GFLOP/s"),
        ("fraction of peak, executed (1 core / all)", f"{100 * fr['executed_vs_one_core']:.2f}% / {100 * fr['executed_vs_all_cores']:.2f}%"),
        ("fraction of peak, useful (1 core / all)", f"{100 * fr['useful_vs_one_core']:.2f}% / {100 * fr['useful_vs_all_cores']:.2f}%"),
    ]
    w = max(len(a) for a, _ in rows)
    print(f"\nlogistic-symmetry benchmark ({r['reps']} replications, seed {r['seed']})")
    print("-" * (w + 60))
    for a, b in rows:
        print(f"{a:<{w}}  {b}")
    print("-" * (w + 60))
    print("gamma   excess: ref (mcse)        synthaug (mcse)      z   | param_err: ref        synthaug      z")
    ae, ap = r["agreement"]["excess_risk"], r["agreement"]["param_error"]
    for j, g in enumerate(r["gammas"]):
        print(f"{g:4.1f}   {ae['mean_ref'][j]:.5f} ({ae['mcse_ref'][j]:.5f})  {ae['mean_synthaug'][j]:.5f} "
              f"({ae['mcse_synthaug'][j]:.5f})  {ae['z'][j]:4.2f} | {ap['mean_ref'][j]:.4f} ({ap['mcse_ref'][j]:.4f}) "
              f"{ap['mean_synthaug'][j]:.4f} ({ap['mcse_synthaug'][j]:.4f}) {ap['z'][j]:4.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
