r"""Does the bias correction help on *your* data? Cross-validated comparison of the estimators.

The estimators of :func:`synthaug.bias_correction.compare.compare_estimators` (Lyu, Ma, Zhang &
Zhang, 2025, *Bias-Corrected Data Synthesis for Imbalanced Learning*, arXiv 2510.26046) are fitted in
every training part of a repeated stratified K-fold split and scored on the held-out part:

* ``raw`` (unweighted logistic ERM), ``reweight`` (each class weighted to one half),
  ``naive`` (pooled ERM on real plus ñ synthetic minority rows), ``bc-heldout`` and
  ``bc-paired`` (the full correction :math:`L^{aug} - \beta\hat\psi` with the held-out or
  paired bias estimate, safeguarded, one-step fallback), ``bc-onestep`` (one Newton step of
  the corrected objective from the naive fit, paired estimate); see :mod:`synthaug.bias_correction`.
* Model: logistic regression with intercept, ridge on the mean loss (default 1e-4, as
  :func:`synthaug.diagnose`); features z-scored on the whole data set first (default).
* Synthetic size per training fold: :math:`\tilde n = \lfloor\gamma (n_0 - n_1)\rceil` of the
  fold's class sizes (``gamma=1``: full balancing).
* Held-out metrics, each a mean over folds (and repeats) with its standard error
  :math:`\mathrm{sd}/\sqrt{F}`:

  - ``balanced_log_loss``: mean of the two class-wise mean log-losses;
  - ``balanced_accuracy``: mean of the two class-wise accuracies of the sign of the logit;
  - ``auc``: ROC AUC (Mann–Whitney, ties counted one half).

  Paired differences against ``naive`` and ``reweight`` (per fold, then mean ± SE) are
  reported too, since the folds share most of their training rows: the paired SE is the
  one to read. Cross-validation SEs ignore the dependence between folds (training parts
  overlap), so they are somewhat optimistic, as usual for K-fold CV.

All folds run as one vectorised, jitted program (static fold shapes from
:func:`synthaug.core.folds.stratified_folds` with ``holdout_remainder=False``, kept on
purpose: the ``n mod K`` left-over rows of each class are always in training and never
validated). This comparison needs one synthetic size and one majority-block layout in
every fold (all six estimators of a fold share them, so the paired differences stay
exact), and it is a comparison of estimators on identical folds, not the paper's
cross-fitting; the rule affects at most ``K − 1`` rows per class. The bias estimate needs majority blocks of the minority's size:
each training fold must hold at least :math:`2n_1` majority rows (two blocks for the
held-out version), otherwise a ``ValueError`` says so.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial

from synthaug.config import uses_x64
import jax
import jax.numpy as jnp
import numpy as np

from synthaug.bias_correction.compare import COMPARE_METHODS, compare_estimators
from synthaug.bias_correction.safeguard import step_ratio, step_ratio_message
from synthaug.data.prepare import prepare_data
from synthaug.core.folds import check_folds, stratified_folds
from synthaug.core.montecarlo import progress_bar
from synthaug.generators import Generator, make_generator
from synthaug.core.losses import logistic_loss
from synthaug.core.validation import check_seed

__all__ = ["BCCrossValidation", "crossvalidate_bias_correction", "METRICS"]

METRICS = ("balanced_log_loss", "balanced_accuracy", "auc")
_LOSS = logistic_loss(intercept=True)
_LOWER_IS_BETTER = {"balanced_log_loss": True, "balanced_accuracy": False, "auc": False}


@dataclasses.dataclass(frozen=True)
class BCCrossValidation:
    r"""Result of :func:`crossvalidate_bias_correction`.

    Attributes
    ----------
    methods
        the estimators, in the order of :data:`synthaug.bias_correction.compare.COMPARE_METHODS`.
    per_fold
        ``{metric: array (F, 6)}``, the held-out metric of every fold and method.
    flagged_share
        share of folds in which the safeguard of each full correction fired.
    step_ratio
        per fold, :math:`\lVert\hat\theta^{1step} - \hat\theta^{naive}\rVert /
        \lVert\hat\theta^{naive}\rVert`, the size of the one-step correction relative to the
        naive estimate; a median above 1 means the bias estimate is noisy relative to the
        curvature (near separation, few minority rows per feature) and triggers a warning.
    theta
        (6, p + 1) estimates on the whole data set (standardised features; intercept last).
    feature_names, n_majority, n_minority, minority_label, generator, gamma, n_synthetic, folds, repeats, seed, ridge, standardized
        the settings (``n_synthetic`` per training fold).
    """

    methods: tuple
    per_fold: dict
    flagged_share: dict
    step_ratio: np.ndarray
    theta: np.ndarray
    feature_names: list
    n_majority: int
    n_minority: int
    minority_label: object
    generator: str
    gamma: float
    n_synthetic: int
    folds: int
    repeats: int
    seed: int
    ridge: float
    standardized: bool

    def mean_se(self, metric: str):
        """``(mean, se)`` arrays over methods for one metric."""
        v = np.asarray(self.per_fold[metric])
        return v.mean(axis=0), v.std(axis=0, ddof=1) / np.sqrt(v.shape[0])

    def paired(self, metric: str, versus: str = "naive"):
        """``(mean, se)`` of ``metric(method) - metric(versus)`` over folds, for every method."""
        v = np.asarray(self.per_fold[metric])
        d = v - v[:, [self.methods.index(versus)]]
        return d.mean(axis=0), d.std(axis=0, ddof=1) / np.sqrt(v.shape[0])

    def best(self, metric: str = "balanced_log_loss") -> str:
        m, _ = self.mean_se(metric)
        return self.methods[int(np.argmin(m) if _LOWER_IS_BETTER[metric] else np.argmax(m))]

    def to_dict(self) -> dict:
        out = {k: v for k, v in dataclasses.asdict(self).items() if k not in ("per_fold", "theta")}
        out["methods"] = list(self.methods)
        out["step_ratio"] = np.asarray(self.step_ratio).tolist()
        out["warnings"] = self.warnings()
        out["minority_label"] = str(self.minority_label)
        out["per_fold"] = {m: np.asarray(v).tolist() for m, v in self.per_fold.items()}
        out["theta"] = {meth: dict(zip([*self.feature_names, "intercept"], np.asarray(t).tolist()))
                        for meth, t in zip(self.methods, self.theta)}
        out["summary"] = {}
        for metric in METRICS:
            mean, se = self.mean_se(metric)
            dn, sn = self.paired(metric, "naive")
            dr, sr = self.paired(metric, "reweight")
            out["summary"][metric] = {meth: dict(mean=float(mean[i]), se=float(se[i]), minus_naive=float(dn[i]),
                                                 minus_naive_se=float(sn[i]), minus_reweight=float(dr[i]),
                                                 minus_reweight_se=float(sr[i]))
                                      for i, meth in enumerate(self.methods)}
            out["summary"][metric]["best"] = self.best(metric)
        return out

    def to_json(self, path=None) -> str:
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            with open(path, "w") as fh:
                fh.write(text + "\n")
        return text

    def warnings(self) -> list:
        """Plain-language cautions about the comparison (empty when there are none)."""
        out = []
        message = step_ratio_message(float(np.median(self.step_ratio)), " (median over folds)")
        if message:
            out.append(message)
        per_param = self.n_minority / (len(self.feature_names) + 1)
        if per_param < 10:
            out.append(f"only {per_param:.1f} minority rows per parameter: every estimator here is noisy")
        return out

    def summary(self) -> str:
        F = self.folds * self.repeats
        lines = [f"Bias correction, cross-validated: {self.n_majority} majority / {self.n_minority} minority "
                 f"(minority = {self.minority_label!r}), generator {self.generator}, "
                 f"gamma {self.gamma:g} (ñ = {self.n_synthetic} per training fold), "
                 f"{self.folds}-fold x {self.repeats}, seed {self.seed}, ridge {self.ridge:g}",
                 "  mean ± SE over folds; Δ = paired difference against naive augmentation (± SE)", ""]
        head = f"  {'method':11s}" + "".join(f"{m:>34s}" for m in METRICS)
        lines.append(head)
        for i, meth in enumerate(self.methods):
            cells = []
            for metric in METRICS:
                mean, se = self.mean_se(metric)
                dn, sn = self.paired(metric, "naive")
                delta = "" if meth == "naive" else f" Δ{dn[i]:+.3f}±{sn[i]:.3f}"
                cells.append(f"{mean[i]:.3f}±{se[i]:.3f}{delta}".rjust(34))
            lines.append(f"  {meth:11s}" + "".join(cells))
        flags = ", ".join(f"{k} {v:.0%}" for k, v in self.flagged_share.items())
        lines += ["", f"  safeguard fired (fell back to one step) in: {flags} of {F} folds"]
        best = self.best("balanced_log_loss")
        d, s = self.paired("balanced_log_loss", "naive")
        i = self.methods.index("bc-onestep")
        verdict = ("the correction lowers the balanced log-loss of naive augmentation"
                   if d[i] + 2 * s[i] < 0 else
                   "the correction raises the balanced log-loss of naive augmentation"
                   if d[i] - 2 * s[i] > 0 else
                   "no clear difference between the correction and naive augmentation (within 2 SE)")
        lines.append(f"  best balanced log-loss: {best}; one-step correction vs naive: {verdict}")
        lines.append(f"  one-step correction size / naive estimate size: median {np.median(self.step_ratio):.2f}")
        lines += [f"  warning: {w}" for w in self.warnings()]
        return "\n".join(lines)

    def plot(self, data_name=None):
        """Matplotlib figure: per metric, each method's paired difference from naive augmentation.

        Points with 95 % intervals of ``metric(method) - metric(naive)`` over the
        cross-validation folds (paired: the folds are shared), a zero line at naive
        augmentation, and the side that is better shaded; below, the mean of each method
        with its ±1.96 SE, on an axis that is not truncated to the bars.

        Parameters
        ----------
        data_name : str, default=None
            The data set's name, for the title.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        colors = {"raw": "#7f7f7f", "reweight": "#1f77b4", "naive": "#d62728", "bc-heldout": "#ff7f0e",
                  "bc-paired": "#9467bd", "bc-onestep": "#2ca02c"}
        fig, axes = plt.subplots(2, len(METRICS), figsize=(4.3 * len(METRICS), 6.2),
                                 gridspec_kw={"height_ratios": [1.4, 1]})
        x = np.arange(len(self.methods))
        col = [colors.get(m, "0.5") for m in self.methods]
        for j, metric in enumerate(METRICS):
            ax, ax2 = axes[0][j], axes[1][j]
            mean, se = self.paired(metric, "naive")
            ax.axhline(0, color=colors["naive"], lw=1, ls="--")
            for i in range(len(x)):
                ax.errorbar(x[i], mean[i], yerr=1.96 * se[i], fmt="o", color=col[i], capsize=3, ms=5)
            lower = _LOWER_IS_BETTER[metric]
            lim = float(np.nanmax(np.abs(mean) + 1.96 * se)) * 1.15 + 1e-12
            ax.set_ylim(-lim, lim)
            ax.axhspan(-lim if lower else 0, 0 if lower else lim, color="#2ca02c", alpha=0.06)
            ax.text(0.02, 0.03 if lower else 0.97, "better than naive", transform=ax.transAxes, fontsize=7.5,
                    color="#2ca02c", va="bottom" if lower else "top")
            ax.set_xticks(x)
            ax.set_xticklabels([])
            ax.set_title(f"{metric.replace('_', ' ')}: method minus naive", fontsize=9)
            m, e = self.mean_se(metric)
            ax2.errorbar(x, m, yerr=1.96 * e, fmt="none", ecolor="0.3", capsize=3)
            ax2.scatter(x, m, c=col, zorder=3, s=25)
            ax2.set_xticks(x)
            ax2.set_xticklabels(self.methods, rotation=35, ha="right", fontsize=8)
            ax2.set_title(f"{metric.replace('_', ' ')} ({'lower' if lower else 'higher'} is better)", fontsize=9)
        where = f"{data_name}: " if data_name else ""
        fig.suptitle(f"{where}bias correction with {self.generator} (γ = {self.gamma:g}), logistic regression; "
                     f"{self.folds}-fold CV × {self.repeats}; intervals 95 % (paired over folds on top)",
                     fontsize=10)
        fig.tight_layout()
        return fig


@partial(jax.jit, static_argnames=("generator", "n_synthetic", "ridge"))
def _fold_estimates(generator, key, X0, X1, folds, n_synthetic, ridge):
    def one(k, tr0, tr1):
        res = compare_estimators(_LOSS, k, generator, X0[tr0], X1[tr1], n_synthetic, ridge=ridge)
        return res.theta, res.flagged

    keys = jax.random.split(key, folds.train0.shape[0])
    return jax.vmap(one)(keys, folds.train0, folds.train1)


@partial(jax.jit, static_argnames=("generator", "n_synthetic", "ridge"))
def _full_estimates(generator, key, X0, X1, n_synthetic, ridge):
    return compare_estimators(_LOSS, key, generator, X0, X1, n_synthetic, ridge=ridge).theta


def _auc(s0, s1):
    from scipy.stats import rankdata

    r = rankdata(np.concatenate([s0, s1]))
    n0, n1 = len(s0), len(s1)
    return float((r[n0:].sum() - n1 * (n1 + 1) / 2) / (n0 * n1))


def _metrics(theta, V0, V1):
    """Held-out metrics of one estimate on validation rows V0 (label 0) and V1 (label 1)."""
    z0, z1 = V0 @ theta[:-1] + theta[-1], V1 @ theta[:-1] + theta[-1]
    ll = 0.5 * np.mean(np.logaddexp(0.0, z0)) + 0.5 * np.mean(np.logaddexp(0.0, -z1))
    ba = 0.5 * np.mean(z0 < 0) + 0.5 * np.mean(z1 > 0)
    return ll, ba, _auc(z0, z1)


@uses_x64
def crossvalidate_bias_correction(X, y, *, generator="smote", gamma: float = 1.0, folds: int = 5, repeats: int = 1,
                                  seed: int = 0, ridge: float = 1e-4, minority=None, standardize: bool = True,
                                  generator_params=None, progress: bool = True) -> BCCrossValidation:
    """Cross-validate raw, reweighted, naive and bias-corrected logistic regression (see the module docstring).

    Parameters
    ----------
    X
        features, (n, d) array or DataFrame of numeric columns.
    y
        binary labels.
    generator
        a generator name (``synthaug.generators.basic.GENERATOR_FACTORIES``) or a
        :class:`~synthaug.generators.basic.Generator`.
    gamma
        synthetic rows as a multiple of each training fold's class gap (> 0; 1 = balance).
    folds, repeats
        repeated stratified K-fold.
    seed
        PRNG seed (folds, generator draws, bias-estimate blocks).
    ridge
        ridge on the mean logistic loss, for every estimator.
    minority
        the minority label (default: the less frequent one).
    standardize
        z-score the features on the whole data set first.
    generator_params
        keyword arguments of a generator given by name.
    progress
        show a progress bar (the cross-validated fits, then the fits on all data).

    Returns
    -------
    BCCrossValidation
        With ``summary()``, ``plot()``, ``to_dict()``/``to_json()``.

    Raises
    ------
    ValueError
        On bad arguments, or when a training fold cannot hold two minority-sized majority blocks.
    """
    seed = check_seed(seed, "seed")
    if not (isinstance(gamma, (int, float)) and np.isfinite(gamma) and gamma > 0):
        raise ValueError(f"gamma must be a positive number; got {gamma!r}")
    if not (isinstance(ridge, (int, float)) and np.isfinite(ridge) and ridge >= 0):
        raise ValueError(f"ridge must be a non-negative number; got {ridge!r}")
    if isinstance(generator, Generator):
        if generator_params:
            raise ValueError("generator_params apply only to a generator given by name")
        gen = generator
    elif isinstance(generator, str):
        gen = make_generator(generator, **(generator_params or {}))
    else:
        raise ValueError(f"generator must be a name or a synthaug Generator; got {type(generator).__name__}")
    data = prepare_data(X, y, minority=minority, standardize=standardize)
    X0, X1 = jnp.asarray(data.X0), jnp.asarray(data.X1)
    n0, n1 = X0.shape[0], X1.shape[0]
    check_folds(n0, n1, folds, repeats)
    n0t, n1t = n0 - n0 // folds, n1 - n1 // folds
    if n0t < 2 * n1t:
        raise ValueError(
            f"the bias estimate borrows minority-sized blocks from the majority: each training fold needs at least "
            f"2 x {n1t} majority rows (two blocks), but has {n0t} (data: {n0} majority, {n1} minority rows)"
        )
    n_syn = int(round(gamma * (n0t - n1t)))
    if n_syn < 1:
        raise ValueError(f"gamma={gamma} gives no synthetic rows (class gap per training fold {n0t - n1t})")
    key = jax.random.key(int(seed))
    k_folds, k_cv, k_full = jax.random.split(key, 3)
    fs = stratified_folds(k_folds, n0, n1, folds, repeats, holdout_remainder=False)
    bar = progress_bar(2, "bias-correct", progress)
    thetas, flagged = _fold_estimates(gen, k_cv, X0, X1, fs, n_syn, float(ridge))
    bar.update(1)
    thetas, flagged = np.asarray(thetas), np.asarray(flagged)
    Z0, Z1 = np.asarray(X0), np.asarray(X1)
    va0, va1 = np.asarray(fs.valid0), np.asarray(fs.valid1)
    F, M = thetas.shape[:2]
    vals = np.zeros((len(METRICS), F, M))
    for f in range(F):
        for m in range(M):
            vals[:, f, m] = _metrics(thetas[f, m], Z0[va0[f]], Z1[va1[f]])
    n_syn_full = int(round(gamma * (n0 - n1)))
    theta_full = np.asarray(_full_estimates(gen, k_full, X0, X1, n_syn_full, float(ridge)))
    bar.update(1)
    bar.close()
    methods = tuple(COMPARE_METHODS)
    flagged_share = {m: float(flagged[:, i].mean()) for i, m in enumerate(methods) if m in ("bc-heldout", "bc-paired")}
    naive, onestep = thetas[:, methods.index("naive")], thetas[:, methods.index("bc-onestep")]
    ratios = step_ratio(onestep, naive)
    return BCCrossValidation(methods, {m: vals[i] for i, m in enumerate(METRICS)}, flagged_share, ratios,
                             theta_full,
                             list(data.feature_names), n0, n1, data.minority_label, gen.name, float(gamma), n_syn,
                             int(folds), int(repeats), int(seed), float(ridge), bool(standardize))
