r"""Reference implementation of the ``logistic-symmetry`` design, written "the usual way".

This is how a statistician would typically code Ma & Zhang §5.3(b) with the
standard Python stack: NumPy for the data, imbalanced-learn's ``SMOTE`` for the
synthetic minority rows and scikit-learn's ``LogisticRegression`` for the fits,
in plain Python loops over replications and over the candidate sizes. It is the
baseline that :mod:`synthaug.designs.logistic_symmetry` (JAX, vmapped) is timed
against in ``bench_logistic_symmetry.py``; nothing here uses JAX for the heavy
work.

Design (the same law as :class:`synthaug.theory.populations.TwoPointLogisticLaw`,
re-implemented here in NumPy):

* :math:`d = 20`, :math:`X = T e_1 + W`. :math:`T \in \{-a, b\}`,
  :math:`(a, b, c) = (5, 1, 1)`, :math:`P(T = -a) = \alpha = b s_b/(a s_a + b s_b)`
  with :math:`s_x = \sigma(cx)(1 - \sigma(cx))`, and :math:`P(Y=1 \mid X) = \sigma(c X_1)`.
  Given the class, :math:`P(T=-a \mid Y=1) = \alpha\sigma(-ca)/\pi_1` and
  :math:`P(T=-a \mid Y=0) = \alpha\sigma(ca)/\pi_0`.
* :math:`W` (coordinates 2..d) is :math:`N(0, I_{d-1}) + s\,(2.5, 2.5, 2.5, 0, \dots)`
  with :math:`s = \pm 1` equiprobable, independent of :math:`(T, Y)`.
* Fixed class sizes :math:`n_1 = \mathrm{round}(n\pi_1) = 557`, :math:`n_0 = 4443`
  (as in the JAX design), :math:`\gamma \in \{0, 0.1, \dots, 2\}`,
  :math:`\tilde n = \lfloor \gamma (n_0 - n_1) \rfloor`.

Per replication: draw the data once; for every :math:`\gamma` call
``SMOTE(k_neighbors=5, sampling_strategy={1: n1 + ñ}).fit_resample`` afresh (one
independent SMOTE draw per candidate size; at :math:`\tilde n = 0` SMOTE returns
the data unchanged) and fit ``LogisticRegression`` on the result. The JAX design
instead draws one nested pool of the largest size and uses prefixes; each
prefix has exactly the law of an independent SMOTE draw of that size (SMOTE
rows are i.i.d. given the minority sample), so the *mean curve over γ* is the
same, which is what the benchmark checks. (Only the correlation between sizes
differs.)

Logistic regression settings, :data:`LR_SETTINGS`:

* ``fit_intercept=False, C=1e6``: scikit-learn minimises
  :math:`\mathrm{mean\ loss} + \lVert\theta\rVert^2/(2 C n_{rows})`, i.e. a ridge of
  :math:`1/(2 C n_{rows}) \in [3.9\cdot10^{-11}, 10^{-10}]` on the mean loss;
  synthaug uses :math:`10^{-10}`. The difference moves :math:`\hat\theta` by
  about :math:`10^{-10}`, far below anything measurable here.
* ``solver="lbfgs", tol=1e-8, max_iter=1000``: L-BFGS stops when the max-norm of
  the gradient of the (mean-scaled) objective is below ``tol`` (or when the
  relative decrease of the objective reaches :math:`64\,\epsilon`). The
  smallest eigenvalue of the mean-loss Hessian is about 0.026 here, so the
  coefficient error is :math:`\lesssim \sqrt{p}\,10^{-8}/0.026 \approx 2\cdot10^{-6}`;
  measured against a tightly converged Newton solution
  (:func:`tolerance_check`, run and reported by the benchmark) it is about
  :math:`3\cdot10^{-7}` in :math:`\hat\theta` and :math:`2\cdot10^{-8}` in the
  excess risk: four orders of magnitude below the Monte Carlo standard errors
  of the curves (about :math:`2\cdot10^{-4}` for the excess risk and
  :math:`5\cdot10^{-3}` for :math:`\lVert\hat\theta - \theta^*\rVert` at 200
  replications). scikit-learn's default ``tol=1e-4`` is about 1.5x faster per
  fit but leaves errors of order :math:`10^{-4}`-:math:`10^{-3}` in
  :math:`\hat\theta`, no longer clearly negligible.

What :func:`run` times (``time_work``): everything the usual script does per
replication and per γ, i.e. NumPy data generation, the SMOTE calls and the
logistic fits, Python loop overhead included. It does **not** include the
evaluation of the excess balanced risk: that is done once, at the end, on the
stacked array of all fitted :math:`\hat\theta` by :func:`evaluate` with
synthaug's exact population risk (quadrature, JAX), and timed separately
(``time_eval``). A "usual" script would instead estimate the risk on a large
test sample, which would cost more; the exact evaluation is used here so that
both implementations are scored by the same function and the comparison of the
curves carries no test-set noise.

Threads: :func:`run` takes ``threads`` (default 1), applied with
``threadpoolctl.threadpool_limits`` to the OpenBLAS and OpenMP pools that
NumPy, SciPy and scikit-learn use; ``threads=None`` leaves the libraries'
defaults. Single-threaded is the *fastest* setting for this workload: every
operation is small (at most 12,772 x 20), so threads have little to share and
the synchronisation costs more than it saves. On the 2-core benchmark machine
the default pools took 2-3x longer per replication when the machine was
otherwise idle, and about 26x longer (7.1 s instead of 0.27 s) while another
process kept one core busy, because every OpenMP region then waits for a
descheduled thread. The benchmark also times a few replications with the
default pools and reports them. Nothing is parallelised across replications,
as a typical script would not be.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

__all__ = [
    "D",
    "N",
    "GAMMAS",
    "LR_SETTINGS",
    "design_constants",
    "class_sizes",
    "synthetic_sizes",
    "sample_class",
    "fit_logistic",
    "replication",
    "run",
    "evaluate",
    "newton_logistic",
    "tolerance_check",
]

D, N = 20, 5000
A, B, C_SLOPE = 5.0, 1.0, 1.0
SHIFT, N_SHIFT = 2.5, 3
SMOTE_K = 5
GAMMAS = tuple(round(0.1 * i, 10) for i in range(21))
LR_SETTINGS = dict(fit_intercept=False, C=1e6, solver="lbfgs", max_iter=1000, tol=1e-8)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def design_constants(a: float = A, b: float = B, c: float = C_SLOPE) -> dict:
    """alpha, class probabilities and P(T = -a | Y = y) of the design."""

    def s(x):
        return _sigmoid(c * x) * (1.0 - _sigmoid(c * x))

    alpha = b * s(b) / (a * s(-a) + b * s(b))
    pi1 = alpha * _sigmoid(-c * a) + (1.0 - alpha) * _sigmoid(c * b)
    pi0 = 1.0 - pi1
    p_neg = {0: alpha * _sigmoid(c * a) / pi0, 1: alpha * _sigmoid(-c * a) / pi1}
    return dict(alpha=alpha, pi0=pi0, pi1=pi1, p_neg=p_neg)


def class_sizes(n: int = N) -> tuple[int, int]:
    """Fixed class sizes (n0, n1) with n1 = round(n * pi1)."""
    n1 = int(round(n * design_constants()["pi1"]))
    return n - n1, n1


def synthetic_sizes(gammas, gap: int) -> list[int]:
    """ñ = floor(gamma * gap) per gamma (with a guard against 0.3 * 10 = 2.9999...)."""
    return [int(np.floor(g * gap + 1e-9)) for g in gammas]


def sample_class(rng: np.random.Generator, label: int, n: int, d: int = D) -> np.ndarray:
    """n draws of X given Y = label, shape (n, d)."""
    p_neg = design_constants()["p_neg"][label]
    t = np.where(rng.random(n) < p_neg, -A, B)
    s = rng.choice((-1.0, 1.0), size=(n, 1))
    v = np.zeros(d - 1)
    v[:N_SHIFT] = SHIFT
    w = rng.standard_normal((n, d - 1)) + s * v
    return np.column_stack([t, w])


def fit_logistic(X, y):
    """scikit-learn logistic regression without intercept: (theta, n_iter, converged)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LogisticRegression(**LR_SETTINGS).fit(X, y)
    n_iter = int(np.max(model.n_iter_))
    converged = n_iter < LR_SETTINGS["max_iter"] and not any(
        issubclass(w.category, ConvergenceWarning) for w in caught
    )
    return model.coef_.ravel().copy(), n_iter, converged


def replication(rng: np.random.Generator, n0: int, n1: int, sizes, d: int = D):
    """One replication: data, then one SMOTE draw and one fit per candidate size.

    Returns (thetas (len(sizes), d), lbfgs iterations, converged flags).
    """
    from imblearn.over_sampling import SMOTE

    X = np.concatenate([sample_class(rng, 0, n0, d), sample_class(rng, 1, n1, d)])
    y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n1, dtype=int)])
    thetas = np.empty((len(sizes), d))
    iters = np.empty(len(sizes), dtype=int)
    conv = np.empty(len(sizes), dtype=bool)
    for j, s in enumerate(sizes):
        smote = SMOTE(k_neighbors=SMOTE_K, sampling_strategy={1: n1 + int(s)},
                      random_state=int(rng.integers(2**31 - 1)))
        Xa, ya = smote.fit_resample(X, y)
        thetas[j], iters[j], conv[j] = fit_logistic(Xa, ya)
    return thetas, iters, conv


def run(reps: int, seed: int = 0, gammas=GAMMAS, *, progress: bool = False, threads: int | None = 1) -> dict:
    """All replications in a Python loop; see the module docstring for what is timed.

    Replication r uses ``np.random.default_rng(SeedSequence(seed).spawn(reps)[r])``.
    ``threads``: limit for the BLAS/OpenMP pools during the loop (None: library defaults).
    Returns a dict with ``theta`` (reps, len(gammas), d), ``n_iter``,
    ``converged``, the sizes and ``time_work`` / ``cpu_work`` (wall and process
    CPU seconds of the loop).
    """
    n0, n1 = class_sizes()
    sizes = synthetic_sizes(gammas, n0 - n1)
    children = np.random.SeedSequence(seed).spawn(reps)
    theta = np.empty((reps, len(sizes), D))
    n_iter = np.empty((reps, len(sizes)), dtype=int)
    conv = np.empty((reps, len(sizes)), dtype=bool)
    loop = range(reps)
    if progress:
        from tqdm.auto import tqdm

        loop = tqdm(loop, desc="reference (numpy + imblearn + sklearn)", unit="rep")
    from contextlib import nullcontext

    from threadpoolctl import threadpool_limits

    limit = nullcontext() if threads is None else threadpool_limits(limits=int(threads))
    with limit:
        t0, c0 = time.perf_counter(), time.process_time()
        for r in loop:
            theta[r], n_iter[r], conv[r] = replication(np.random.default_rng(children[r]), n0, n1, sizes)
        time_work, cpu_work = time.perf_counter() - t0, time.process_time() - c0
    return dict(theta=theta, n_iter=n_iter, converged=conv, n0=n0, n1=n1, sizes=sizes, gammas=list(gammas),
                time_work=time_work, cpu_work=cpu_work, threads=threads)


def evaluate(theta) -> dict:
    """Excess balanced risk (synthaug's exact population risk, one call on the stacked thetas) and ||theta - e1||.

    Timed separately from :func:`run` (``time_eval``: the JAX call including its
    compilation).
    """
    from synthaug.designs.logistic_symmetry import population

    theta = np.asarray(theta, dtype=np.float64)
    e1 = np.zeros(theta.shape[-1])
    e1[0] = 1.0
    t0 = time.perf_counter()
    pop = population(theta.shape[-1])
    excess = np.asarray(pop.excess_risk(theta))
    time_eval = time.perf_counter() - t0
    param_error = np.linalg.norm(theta - e1, axis=-1)
    return dict(excess=excess, param_error=param_error, time_eval=time_eval)


def newton_logistic(X, y, ridge: float, tol: float = 1e-13, max_iter: int = 100):
    """Tightly converged Newton solution of mean logistic loss + ridge*||theta||^2 (accuracy check only)."""
    n, p = X.shape
    theta = np.zeros(p)
    for _ in range(max_iter):
        eta = X @ theta
        prob = _sigmoid(eta)
        grad = X.T @ (prob - y) / n + 2.0 * ridge * theta
        hess = (X * (prob * (1.0 - prob))[:, None]).T @ X / n + 2.0 * ridge * np.eye(p)
        step = np.linalg.solve(hess, grad)
        t, f0 = 1.0, np.mean(np.logaddexp(0.0, eta) - y * eta) + ridge * theta @ theta
        while t > 1e-8:
            new = theta - t * step
            e = X @ new
            if np.mean(np.logaddexp(0.0, e) - y * e) + ridge * new @ new <= f0 + 1e-12 * abs(f0):
                break
            t *= 0.5
        theta = theta - t * step
        if np.max(np.abs(step)) <= tol * (1.0 + np.max(np.abs(theta))):
            break
    return theta


def tolerance_check(seed: int = 12345, n_datasets: int = 3, gammas=(0.0, 1.0, 2.0), threads: int | None = 1) -> dict:
    """Max |theta_lbfgs - theta_newton| and the induced change in the excess risk and parameter error.

    Uses the same ridge as scikit-learn (1/(2 C n_rows)) so only the solver's
    tolerance is measured.
    """
    from contextlib import nullcontext

    from imblearn.over_sampling import SMOTE
    from threadpoolctl import threadpool_limits

    n0, n1 = class_sizes()
    sizes = synthetic_sizes(gammas, n0 - n1)
    rng = np.random.default_rng(seed)
    th_lbfgs, th_newton = [], []
    with nullcontext() if threads is None else threadpool_limits(limits=int(threads)):
        for _ in range(n_datasets):
            X = np.concatenate([sample_class(rng, 0, n0), sample_class(rng, 1, n1)])
            y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n1, dtype=int)])
            for s in sizes:
                Xa, ya = SMOTE(k_neighbors=SMOTE_K, sampling_strategy={1: n1 + s},
                               random_state=int(rng.integers(2**31 - 1))).fit_resample(X, y)
                th_lbfgs.append(fit_logistic(Xa, ya)[0])
                th_newton.append(newton_logistic(Xa, ya.astype(float), 1.0 / (2.0 * LR_SETTINGS["C"] * len(ya))))
    th_lbfgs, th_newton = np.array(th_lbfgs), np.array(th_newton)
    ev_l, ev_n = evaluate(th_lbfgs), evaluate(th_newton)
    return dict(
        n_fits=len(th_lbfgs),
        max_abs_theta_diff=float(np.max(np.abs(th_lbfgs - th_newton))),
        max_abs_excess_diff=float(np.max(np.abs(ev_l["excess"] - ev_n["excess"]))),
        max_abs_param_error_diff=float(np.max(np.abs(ev_l["param_error"] - ev_n["param_error"]))),
    )
