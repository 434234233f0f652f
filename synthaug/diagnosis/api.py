r"""Diagnose a dataset: will augmentation help, with this generator, and how much to add?

:func:`diagnose` runs, on the user's data (Ma & Zhang, arXiv 2601.16120, §2–4):

1. a balanced pilot fit and the **local-symmetry Wald test** (:mod:`synthaug.diagnosis.symmetry`);
2. the cross-fitted **mismatch** :math:`\hat g_\psi`, its **alignment** with the
   shift (cosine, ρ), the **theory size** and the **generator quality score**
   (:mod:`synthaug.diagnosis.alignment`);
3. **TG-VTSS** (default) or plain **VTSS**: the cross-validated balanced loss of
   every candidate synthetic size, the selected size, and a refit on all data
   (:mod:`synthaug.diagnosis.vtss`).

It returns a :class:`Diagnosis` with :meth:`~Diagnosis.summary`,
:meth:`~Diagnosis.plot` and :meth:`~Diagnosis.to_dict` (the JSON contract of
``synthaug diagnose``). :func:`select_size` runs plain VTSS alone.

**Data conventions.** ``X`` is a 2-D numeric array or a DataFrame of numeric
columns; ``y`` holds exactly two distinct labels of any type. The minority is
the less frequent label unless ``minority=`` names it. By default features are
standardised (mean 0, sd 1 over all rows, an affine map that leaves linear
models with an intercept unchanged up to the ridge) before anything else, so
generators and fits see comparable scales; pass ``standardize=False`` to work on
the raw scale. Constant columns, missing values, a single class, a minority
that is not smaller than the majority, or fewer minority rows than folds stop
with a ``ValueError``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from functools import partial

from synthaug.config import uses_x64
import jax
import jax.numpy as jnp
import numpy as np

from synthaug.generators.adapters import as_generator
from synthaug.diagnosis.alignment import alignment, crossfit_mismatch, generator_quality_score, theory_size_from
from synthaug.core.folds import check_folds, stratified_folds
from synthaug.models import get_model
from synthaug.diagnosis.symmetry import pilot_fit, symmetry_test, wald_cutoff, wald_p_value
from synthaug.diagnosis.vtss import REGIMES, VTSS_GRID, cv_curve, cv_losses, sizes_from_gammas, tg_candidates

__all__ = ["Diagnosis", "diagnose", "select_size", "prepare_data", "PreparedData"]


# ----------------------------------------------------------------------------- data


@dataclasses.dataclass
class PreparedData:
    """Validated, class-split data: ``X0`` majority rows, ``X1`` minority rows (float64)."""

    X0: np.ndarray
    X1: np.ndarray
    majority_label: object
    minority_label: object
    feature_names: list
    mean: np.ndarray
    scale: np.ndarray


def _labels_list(y):
    vals, counts = np.unique(np.asarray(y, dtype=object).astype(str), return_counts=True)
    return vals, counts


def prepare_data(X, y, *, minority=None, standardize: bool = True) -> PreparedData:
    """Validate ``(X, y)``, find the minority label and split the rows by class."""
    names = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        names = [str(c) for c in X.columns]
        bad = [str(c) for c, t in zip(X.columns, X.dtypes) if not np.issubdtype(np.dtype(t), np.number)
               or np.issubdtype(np.dtype(t), np.bool_)]
        if bad:
            raise ValueError(f"non-numeric column(s) {bad[:5]}: encode them first (the CLI one-hot encodes them)")
        X = X.to_numpy(dtype=float)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features); got shape {X.shape}")
    if not np.issubdtype(X.dtype, np.number) or np.issubdtype(X.dtype, np.complexfloating):
        raise ValueError(f"X must be numeric; got dtype {X.dtype}")
    X = X.astype(float)
    names = names or [f"x{j}" for j in range(X.shape[1])]
    y_arr = np.asarray(getattr(y, "values", y))
    if y_arr.ndim != 1:
        raise ValueError(f"y must be 1-D; got shape {y_arr.shape}")
    if y_arr.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y_arr.shape[0]} labels")
    if X.shape[1] == 0:
        raise ValueError("X has no feature columns")
    missing_y = np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in y_arr.tolist()])
    if missing_y.any():
        raise ValueError(f"y has {int(missing_y.sum())} missing label(s); drop or label those rows")
    nan_cols = [names[j] for j in np.nonzero(~np.all(np.isfinite(X), axis=0))[0]]
    if nan_cols:
        all_nan = [names[j] for j in np.nonzero(np.all(np.isnan(X), axis=0))[0]]
        what = f"all-missing column(s) {all_nan[:5]}" if all_nan else f"missing or infinite values in {nan_cols[:5]}"
        raise ValueError(f"X has {what}; drop or impute them (the CLI has --impute mean)")
    const = [names[j] for j in np.nonzero(np.ptp(X, axis=0) == 0)[0]]
    if const:
        raise ValueError(f"constant column(s) {const[:5]}{' …' if len(const) > 5 else ''}: drop them (no information, singular Hessian)")
    labels, inverse = np.unique(y_arr, return_inverse=True)
    if labels.size == 1:
        raise ValueError(f"y has a single class ({labels[0]!r}); two classes are needed")
    if labels.size > 2:
        raise ValueError(
            f"y has {labels.size} classes; diagnose needs a binary target (name the positive class, e.g. --positive)"
        )
    counts = np.bincount(inverse, minlength=2)
    if minority is None:
        if counts[0] == counts[1]:
            raise ValueError(f"the classes are balanced ({counts[0]} rows each): there is nothing to oversample")
        m = int(np.argmin(counts))
    else:
        matches = [i for i, lab in enumerate(labels.tolist()) if lab == minority or str(lab) == str(minority)]
        if not matches:
            raise ValueError(f"minority label {minority!r} is not in y (labels: {labels.tolist()})")
        m = matches[0]
        if counts[m] >= counts[1 - m]:
            raise ValueError(
                f"the class {labels[m]!r} named as minority has {counts[m]} rows, not fewer than the other ({counts[1 - m]})"
            )
    mean = X.mean(axis=0) if standardize else np.zeros(X.shape[1])
    scale = X.std(axis=0) if standardize else np.ones(X.shape[1])
    Z = (X - mean) / scale
    return PreparedData(Z[inverse != m], Z[inverse == m], labels[1 - m].item() if hasattr(labels[1 - m], "item") else labels[1 - m],
                        labels[m].item() if hasattr(labels[m], "item") else labels[m], names, mean, scale)


# ----------------------------------------------------------------------------- jitted stages


@partial(jax.jit, static_argnames=("model", "generator", "crossfit_folds"))
def _stage_diagnostics(model, generator, key, X0, X1, crossfit_folds):
    k_aux, k_pilot, k_folds, k_cf = jax.random.split(key, 4)
    aux = model.prepare(k_aux, jnp.concatenate([X0, X1]))
    params = pilot_fit(model, aux, k_pilot, X0, X1)
    test = symmetry_test(model, aux, params, X0, X1)
    folds = stratified_folds(k_folds, X0.shape[0], X1.shape[0], crossfit_folds)
    mm = crossfit_mismatch(model, aux, generator, k_cf, X0, X1, folds)
    cos, rho, denom = alignment(test.g_phi, mm.g_psi)
    gap = X0.shape[0] - X1.shape[0]
    theory = theory_size_from(gap, denom)
    gqs = generator_quality_score(X0.shape[0], X1.shape[0], mm)
    separable = jnp.all(model.decision(aux, params, X0) < 0) & jnp.all(model.decision(aux, params, X1) > 0)
    return aux, test, mm, cos, rho, denom, theory, gqs, separable


@partial(jax.jit, static_argnames=("model", "generator", "folds", "pool_size"))
def _stage_cv(model, generator, key, X0, X1, aux, candidates, folds, pool_size):
    k_folds, k_cv = jax.random.split(key)
    f = stratified_folds(k_folds, X0.shape[0], X1.shape[0], folds)
    return cv_losses(model, aux, generator, k_cv, X0, X1, candidates, f, pool_size)


@partial(jax.jit, static_argnames=("model", "generator", "pool_size"))
def _stage_refit_pool(model, generator, key, X0, X1, aux, size, pool_size):
    kg, kf = jax.random.split(key)
    pool = generator(kg, X1, pool_size, X_majority=X0)
    X = jnp.concatenate([X0, X1, pool])
    y = jnp.concatenate([jnp.zeros(X0.shape[0]), jnp.ones(X1.shape[0] + pool_size)])
    w = jnp.concatenate([jnp.ones(X0.shape[0] + X1.shape[0]), (jnp.arange(pool_size) < size).astype(X.dtype)])
    return model.fit(aux, kf, X, y, w), pool


def _bucket(n: int) -> int:
    """Round a static size up to a coarse grid (at most 12.5 % above), so that jitted
    stages compile once for nearby sizes instead of once per size."""
    n = int(n)
    if n <= 16:
        return 16
    step = 2 ** (int(np.floor(np.log2(n))) - 3)
    return int(-(-n // step) * step)


def _pad_candidates(cands):
    """Pad a candidate vector to a multiple of 8 with its first entry (the arg-min is unchanged)."""
    c = np.asarray(cands)
    m = -(-c.size // 8) * 8
    return np.r_[c, np.full(m - c.size, c[0])].astype(int)


def _stage_refit(model, generator, key, X0, X1, aux, size):
    """Refit on all rows plus ``size`` fresh synthetic rows; returns (params, synthetic rows)."""
    params, pool = _stage_refit_pool(model, generator, key, X0, X1, aux, jnp.asarray(size), _bucket(size))
    return params, np.asarray(pool)[:size]


# ----------------------------------------------------------------------------- result


def _f(x):
    x = float(x)
    return x if math.isfinite(x) else None


@dataclasses.dataclass
class Diagnosis:
    """The outcome of :func:`diagnose` (plain numbers; see :meth:`to_dict` for the fields).

    ``params`` and ``synthetic`` (the refitted model's parameters and its synthetic
    rows, on the standardised scale) and ``data`` are kept for the caller but not
    serialised.
    """

    n0: int
    n1: int
    gap: int
    method: str
    regime: str
    t_sym: float
    df: int
    p_value: float
    alpha: float
    cutoff: float
    gqs: float
    tau: float
    generator_quality: str
    cosine: float | None
    rho: float | None
    g_phi_norm: float
    g_psi_norm: float
    theory_denominator: float | None
    theory_size: float | None
    theory_clipped: bool
    tg_branch: str
    candidates: list
    curve: list
    selected_size: int
    selected_gamma: float
    generator: str
    model: str
    folds: int
    repeats: int
    crossfit_folds: int
    seed: int
    majority_label: object
    minority_label: object
    n_features: int
    standardized: bool
    elapsed_s: float
    fidelity: dict | None = None
    warnings: list = dataclasses.field(default_factory=list)
    params: object = dataclasses.field(default=None, repr=False)
    synthetic: object = dataclasses.field(default=None, repr=False)
    data: PreparedData | None = dataclasses.field(default=None, repr=False)

    _SKIP = ("params", "synthetic", "data")

    def to_dict(self) -> dict:
        """JSON-ready dict (the ``synthaug diagnose --json`` contract)."""
        from synthaug import __version__

        out = {}
        for f in dataclasses.fields(self):
            if f.name in self._SKIP or f.name.startswith("_"):
                continue
            v = getattr(self, f.name)
            if isinstance(v, (np.generic,)):
                v = v.item()
            out[f.name] = v
        for k in ("majority_label", "minority_label"):
            v = out[k]
            out[k] = v if isinstance(v, (str, int, float, bool)) or v is None else str(v)
        out["version"] = __version__
        return out

    def to_json(self, path=None, indent: int = 2) -> str:
        text = json.dumps(self.to_dict(), indent=indent)
        if path is not None:
            with open(path, "w") as fh:
                fh.write(text + "\n")
        return text

    def summary(self) -> str:
        """A readable report of the diagnosis."""
        reject = self.regime == "local-asymmetry"
        lines = [
            f"synthaug diagnosis: minority {self.minority_label!r} ({self.n1} rows) vs majority "
            f"{self.majority_label!r} ({self.n0} rows); gap n0 - n1 = {self.gap}",
            f"model {self.model}, generator {self.generator}, {self.n_features} features"
            + (" (standardised)" if self.standardized else ""),
            "",
            f"Local symmetry test: T_sym = {self.t_sym:.2f} on {self.df} df (cut-off {self.cutoff:.2f} at "
            f"alpha = {self.alpha}), p = {self.p_value:.3g}",
            "  -> " + ("local ASYMMETRY: rebalancing matters (raw ERM targets the wrong point)" if reject
                       else "local symmetry not rejected: imbalance is not the leading error; little augmentation needed"),
            f"Generator quality: GQS = {self.gqs:.3g} (threshold {self.tau:g}) -> {self.generator_quality}"
            + (" (mismatch within sampling noise at balance)" if self.generator_quality == "realistic"
               else " (its bias exceeds the sampling noise at balance)"),
        ]
        if self.cosine is not None:
            way = "with" if self.cosine > 0 else "against"
            lines.append(f"Alignment: cos(g_phi, g_psi) = {self.cosine:+.3f}, rho = |g_psi|/|g_phi| = {self.rho:.3g}"
                         f" -> the generator's mismatch points {way} the majority-minority shift")
        if self.theory_size is None:
            lines.append("Theory size: none (denominator 1 - 2 rho cos <= 0: no finite size cancels the bias)")
        else:
            lines.append(f"Theory size: {self.theory_size:.0f} synthetic rows ({self.theory_size / self.gap:.2f} x gap)"
                         + (" [clipped in the candidates]" if self.theory_clipped else ""))
        best = next(r for r in self.curve if r["n_synthetic"] == self.selected_size)
        raw = next((r for r in self.curve if r["n_synthetic"] == 0), None)
        lines += [
            "",
            f"{self.method.upper()} ({self.tg_branch} grid, {len(self.candidates)} candidates, {self.folds}-fold CV"
            + (f" x {self.repeats} repeats" if self.repeats > 1 else "") + "):",
            f"  selected n_synthetic = {self.selected_size} ({self.selected_gamma:.2f} x gap), "
            f"CV balanced loss {best['loss']:.4f} +/- {best['se']:.4f}",
        ]
        if best.get("diff_balance") is not None and self.selected_size != self.gap:
            lines.append(f"  selected minus full balancing (paired over folds): {best['diff_balance']:+.4f} "
                         f"+/- {best['se_diff_balance']:.4f}")

        def ref(r):
            return "" if r.get("candidate", True) else " (reference, not a candidate)"

        if raw is not None:
            lines.append(f"  no augmentation: CV balanced loss {raw['loss']:.4f} +/- {raw['se']:.4f}{ref(raw)}")
        bal = next((r for r in self.curve if r["n_synthetic"] == self.gap), None)
        if bal is not None:
            lines.append(f"  full balancing:  CV balanced loss {bal['loss']:.4f} +/- {bal['se']:.4f}{ref(bal)}")
        for w in self.warnings:
            lines.append(f"WARNING: {w}")
        if self.fidelity:
            lines.append("Fidelity (synthetic vs held-out minority): "
                         + ", ".join(f"{k} = {v:.3g}" for k, v in self.fidelity.items() if isinstance(v, (int, float))))
        return "\n".join(lines)

    def plot(self, ax=None):
        """Figure: CV curve with ±1 SE band and reference lines; alignment read-out."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.5, 4), gridspec_kw={"width_ratios": [2.2, 1]})
        else:
            fig, ax2 = ax.figure, None
        n = np.array([r["n_synthetic"] for r in self.curve], dtype=float)
        m = np.array([r["loss"] for r in self.curve])
        s = np.array([r["se"] if r["se"] is not None else np.nan for r in self.curve])
        c = np.array([r.get("candidate", True) for r in self.curve])
        ax.plot(n[c], m[c], "o-", color="C0", ms=3, label="CV balanced loss (candidates)")
        ax.fill_between(n[c], (m - s)[c], (m + s)[c], color="C0", alpha=0.2, label="±1 SE")
        if (~c).any():
            ax.errorbar(n[~c], m[~c], yerr=s[~c], fmt="s", mfc="white", color="C0", ms=5, capsize=2,
                        label="references (raw, balance)")
        ax.axvline(0, color="0.4", ls=":", label="raw (0)")
        ax.axvline(self.gap, color="C2", ls="--", label=f"balance ({self.gap})")
        if self.theory_size is not None:
            ax.axvline(self.theory_size, color="C1", ls="-.", label=f"theory ({self.theory_size:.0f})")
        ax.axvline(self.selected_size, color="C3", lw=2, label=f"selected ({self.selected_size})")
        ax.set_xlabel("number of synthetic minority rows")
        ax.set_ylabel("balanced validation loss")
        ax.set_title(f"{self.method.upper()}: {self.generator} + {self.model}")
        ax.legend(fontsize=8)
        if ax2 is not None:
            ax2.set_aspect("equal")
            ax2.arrow(0, 0, 1, 0, width=0.02, color="C0", length_includes_head=True)
            ax2.text(1.02, 0.05, r"$\hat g_\phi$", color="C0")
            if self.cosine is not None:
                ang = math.acos(max(-1.0, min(1.0, self.cosine)))
                r = min(self.rho, 1.5)
                ax2.arrow(0, 0, r * math.cos(ang), r * math.sin(ang), width=0.02, color="C3",
                          length_includes_head=True)
                ax2.text(r * math.cos(ang), r * math.sin(ang) + 0.08, r"$\hat g_\psi$" + (" (>1.5)" if self.rho > 1.5 else ""),
                         color="C3")
            ax2.set_xlim(-1.6, 1.6)
            ax2.set_ylim(-0.5, 1.7)
            ax2.axhline(0, color="0.8", lw=0.5)
            ax2.axvline(0, color="0.8", lw=0.5)
            ax2.set_xticks([])
            ax2.set_yticks([])
            txt = (f"{self.regime}\nT={self.t_sym:.1f} (cut {self.cutoff:.1f}), p={self.p_value:.2g}\n"
                   f"GQS={self.gqs:.3g} -> {self.generator_quality}\n"
                   + (f"cos={self.cosine:+.2f}, rho={self.rho:.2g}" if self.cosine is not None else ""))
            ax2.set_title("regime and alignment", fontsize=10)
            ax2.text(-1.55, -0.45, txt, fontsize=8, va="bottom")
        fig.tight_layout()
        return fig


# ----------------------------------------------------------------------------- entry points


def _setup(X, y, generator, model, minority, standardize, folds, repeats, seed, generator_params, model_params):
    data = prepare_data(X, y, minority=minority, standardize=standardize)
    gen = as_generator(generator, **(generator_params or {}))
    mdl = get_model(model, **(model_params or {}))
    n0, n1 = data.X0.shape[0], data.X1.shape[0]
    check_folds(n0, n1, folds, repeats)
    n1_train = n1 - n1 // folds
    if n1_train < gen.min_rows:
        raise ValueError(
            f"generator {gen.name!r} needs {gen.min_rows} minority rows, but a {folds}-fold training part has "
            f"only {n1_train} of the {n1}; use fewer folds or a generator with a smaller neighbourhood"
        )
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"seed must be an integer; got {seed!r}")
    return data, gen, mdl, jax.random.key(int(seed))


def _progress(total, desc, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, disable=not enabled, leave=False)


def _run_cv(mdl, gen, key, X0, X1, aux, cands, folds, repeats, bar):
    losses = []
    padded = _pad_candidates(cands)
    for r in range(repeats):
        L = _stage_cv(mdl, gen, jax.random.fold_in(key, r), X0, X1, aux, jnp.asarray(padded), folds,
                      _bucket(max(cands)))
        losses.append(np.asarray(L)[:, : len(cands)])
        bar.update(1)
    return np.concatenate(losses)


def _curve(cands_unique, losses_unique, gap, is_candidate=None):
    """Curve rows; ``diff_balance``/``se_diff_balance``: the paired fold-wise difference from
    full balancing (folds share data, so paired differences are far more precise than the
    separate standard errors suggest)."""
    mean, se = cv_curve(losses_unique)
    flags = np.ones(len(cands_unique), bool) if is_candidate is None else is_candidate
    L = np.asarray(losses_unique, float)
    jb = np.nonzero(np.asarray(cands_unique) == gap)[0]
    if jb.size:
        dm, dse = cv_curve(L - L[:, jb[:1]])
    else:
        dm = dse = np.full(L.shape[1], np.nan)
    return [
        {"n_synthetic": int(c), "gamma": float(c) / gap, "loss": float(m), "se": _f(s), "candidate": bool(f),
         "diff_balance": _f(a), "se_diff_balance": _f(b)}
        for c, m, s, f, a, b in zip(cands_unique, mean, se, flags, dm, dse)
    ]


@uses_x64
def diagnose(
    X,
    y,
    *,
    generator="smote",
    model="logistic",
    method: str = "tg-vtss",
    folds: int = 5,
    repeats: int = 1,
    crossfit_folds: int = 3,
    alpha: float = 0.05,
    tau: float = 10.0,
    gammas=None,
    max_multiple: float = 5.0,
    minority=None,
    standardize: bool = True,
    seed: int = 0,
    generator_params: dict | None = None,
    model_params: dict | None = None,
    fidelity: bool = True,
    progress: bool = True,
) -> Diagnosis:
    """Diagnose synthetic augmentation of ``(X, y)`` and choose a synthetic size.

    Args:
      X, y: data (array or DataFrame; any two labels).
      generator: name (``"smote"``, ``"gaussian"``, …), a :class:`~synthaug.generators.basic.Generator`,
        an imbalanced-learn over-sampler or a callable (see :func:`~synthaug.generators.adapters.as_generator`).
      model: ``"logistic"`` (default), ``"logistic-nointercept"``, ``"squared"``,
        ``"rff-logistic"``, ``"mlp"`` or a model object (:mod:`synthaug.models`).
      method: ``"tg-vtss"`` (candidates from the test and GQS) or ``"vtss"`` (grid ``gammas``,
        default 0.5–1.5 × gap).
      folds, repeats: stratified K-fold CV for the selection (repeated ``repeats`` times).
      crossfit_folds: folds for the cross-fitted :math:`\\hat g_\\psi` and GQS (default 3).
      alpha: level of the symmetry test; tau: GQS threshold.
      max_multiple: cap on theory-size candidates, in multiples of the gap.
      minority: the minority label (default: the rarer label).
      standardize: z-score the features first (default True).
      seed: integer seed (all randomness derives from ``jax.random.key(seed)``).
      fidelity: also report generator fidelity metrics when :mod:`synthaug.fidelity` is available.
      progress: show a progress bar.
    """
    t0 = time.perf_counter()
    if method not in ("tg-vtss", "vtss"):
        raise ValueError(f"method must be 'tg-vtss' or 'vtss'; got {method!r}")
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must lie in (0, 1); got {alpha}")
    if not (tau > 0):
        raise ValueError(f"tau must be positive; got {tau}")
    data, gen, mdl, key = _setup(X, y, generator, model, minority, standardize, folds, repeats, seed,
                                 generator_params, model_params)
    n0, n1 = data.X0.shape[0], data.X1.shape[0]
    check_folds(n0, n1, crossfit_folds)
    if n1 - n1 // crossfit_folds < gen.min_rows:
        raise ValueError(f"generator {gen.name!r} needs {gen.min_rows} minority rows per cross-fitting fold")
    gap = n0 - n1
    X0, X1 = jnp.asarray(data.X0), jnp.asarray(data.X1)
    k_diag, k_cv, k_refit = jax.random.split(key, 3)
    bar = _progress(repeats + 2, "diagnose", progress)
    aux, test, mm, cos, rho, denom, theory, gqs, separable = _stage_diagnostics(mdl, gen, k_diag, X0, X1,
                                                                                  crossfit_folds)
    bar.update(1)
    df = int(test.df)
    warnings = []
    if n1 < 10 * df:
        warnings.append(f"the minority has {n1} rows for {df} parameters (fewer than 10 per parameter): "
                        "the Wald test and GQS rest on asymptotics that may not hold at this size")
    if bool(separable) and getattr(getattr(mdl, "loss", None), "kind", "logistic") == "logistic":
        warnings.append("the balanced pilot separates the classes perfectly: the fit is determined by the ridge "
                        "and the scores are nearly zero, so the test statistic is not reliable")
    t_sym = float(test.t_sym)
    cutoff = wald_cutoff(df, alpha)
    reject = t_sym > cutoff
    gqs_f = float(gqs)
    clipped = False
    if method == "tg-vtss":
        cands, branch, clip = tg_candidates(gap, reject, gqs_f, float(theory), tau, max_multiple)
        cands = np.asarray(cands)
        branch_name, clipped = REGIMES[int(branch)], bool(clip)
    else:
        g = VTSS_GRID if gammas is None else np.asarray(gammas, dtype=float)
        if g.ndim != 1 or g.size == 0 or np.any(~np.isfinite(g)) or np.any(g < 0):
            raise ValueError("gammas must be a non-empty 1-D list of non-negative numbers")
        cands = sizes_from_gammas(g, gap)
        branch_name = "vtss"
    uniq = np.unique(cands)
    # raw (0) and full balancing (gap) are always cross-validated as references; only
    # the method's candidates can be selected.
    allc = np.unique(np.r_[uniq, 0, gap])
    losses = _run_cv(mdl, gen, k_cv, X0, X1, aux, allc, folds, repeats, bar)
    is_cand = np.isin(allc, uniq)
    curve = _curve(allc, losses, gap, is_cand)
    mean = losses.mean(axis=0)
    sel = int(allc[is_cand][int(np.argmin(mean[is_cand]))])
    params, syn = _stage_refit(mdl, gen, k_refit, X0, X1, aux, sel)
    bar.update(1)
    bar.close()
    fid = None
    if fidelity:
        fid = _fidelity(gen, jax.random.fold_in(key, 7), data)
    cos_f = _f(cos) if float(jnp.linalg.norm(mm.g_psi)) > 0 else None
    return Diagnosis(
        n0=n0, n1=n1, gap=gap, method=method,
        regime="local-asymmetry" if reject else "local-symmetry",
        t_sym=t_sym, df=df, p_value=float(wald_p_value(t_sym, df)), alpha=float(alpha), cutoff=cutoff,
        gqs=gqs_f, tau=float(tau), generator_quality="realistic" if gqs_f <= tau else "biased",
        cosine=cos_f, rho=_f(rho) if cos_f is not None else None,
        g_phi_norm=float(jnp.linalg.norm(test.g_phi)), g_psi_norm=float(jnp.linalg.norm(mm.g_psi)),
        theory_denominator=_f(denom), theory_size=_f(theory), theory_clipped=clipped, tg_branch=branch_name,
        candidates=[int(c) for c in uniq], curve=curve, selected_size=sel, selected_gamma=sel / gap,
        generator=gen.name, model=mdl.name, folds=int(folds), repeats=int(repeats),
        crossfit_folds=int(crossfit_folds), seed=int(seed), majority_label=data.majority_label,
        minority_label=data.minority_label, n_features=int(data.X0.shape[1]), standardized=bool(standardize),
        elapsed_s=round(time.perf_counter() - t0, 3), fidelity=fid, warnings=warnings, params=params, synthetic=np.asarray(syn),
        data=data,
    )


def _fidelity(gen, key, data, n_permutations: int = 200):
    """Fidelity of the generator: synthetic rows vs held-out real minority rows.

    A random half of the minority trains the generator (with all majority rows), which
    draws as many rows as the other half has; the two are compared by the metrics of
    :mod:`synthaug.fidelity` (unbiased MMD² with the median-heuristic bandwidth and a
    permutation p-value, mean per-column Wasserstein-1 and KS, normalised detection AUC,
    manifold precision / recall / coverage with k = 5). Returns ``None`` when the
    fidelity module is not installed or the minority is too small to split.
    """
    try:
        from synthaug import fidelity as F
    except ImportError:
        return None
    X1 = np.asarray(data.X1)
    n1 = X1.shape[0]
    half = n1 // 2
    if half < max(gen.min_rows, 6) or n1 - half < 6:
        return None
    kp, kg, km, kd = jax.random.split(key, 4)
    perm = np.asarray(jax.random.permutation(kp, n1))
    train, held = X1[perm[:half]], X1[perm[half:]]
    syn = np.asarray(gen(kg, jnp.asarray(train), held.shape[0], X_majority=jnp.asarray(data.X0)))
    out = {}
    mmd = F.mmd_test(km, held, syn, n_permutations=n_permutations)
    out["mmd2"] = float(mmd.mmd2)
    out["mmd_p_value"] = float(mmd.p_value)
    out["wasserstein1_mean"] = float(np.mean(np.asarray(F.wasserstein1(held, syn))))
    out["ks_max"] = float(np.max(np.asarray(F.ks_statistic(held, syn))))
    try:
        det = F.detection_auc(kd, held, syn)
        out["detection_auc"] = float(det.auc)
        out["detection_normalised"] = float(det.normalised)
    except ValueError:
        pass
    k = min(5, held.shape[0] - 1)
    pr = F.precision_recall(held, syn, k=k)
    out.update(precision=float(pr.precision), recall=float(pr.recall), coverage=float(pr.coverage))
    out["n_compared"] = int(held.shape[0])
    return out


@dataclasses.dataclass
class SizeSelection:
    """Result of :func:`select_size`: the CV curve, the selected size and the refitted model."""

    gap: int
    candidates: list
    curve: list
    selected_size: int
    selected_gamma: float
    params: object = dataclasses.field(default=None, repr=False)
    synthetic: object = dataclasses.field(default=None, repr=False)
    data: PreparedData | None = dataclasses.field(default=None, repr=False)


@uses_x64
def select_size(
    X,
    y,
    *,
    generator="smote",
    model="logistic",
    gammas=None,
    sizes=None,
    folds: int = 5,
    repeats: int = 1,
    minority=None,
    standardize: bool = True,
    seed: int = 0,
    generator_params: dict | None = None,
    model_params: dict | None = None,
    progress: bool = False,
) -> SizeSelection:
    """Plain VTSS: cross-validate the synthetic size over ``gammas`` × gap (or explicit ``sizes``)."""
    data, gen, mdl, key = _setup(X, y, generator, model, minority, standardize, folds, repeats, seed,
                                 generator_params, model_params)
    n0, n1 = data.X0.shape[0], data.X1.shape[0]
    gap = n0 - n1
    if sizes is not None:
        cands = np.asarray(sizes)
        if cands.ndim != 1 or cands.size == 0 or not np.all(np.asarray(cands) == np.rint(cands)) or np.any(cands < 0):
            raise ValueError("sizes must be a non-empty 1-D list of non-negative integers")
        cands = cands.astype(int)
    else:
        g = VTSS_GRID if gammas is None else np.asarray(gammas, dtype=float)
        if g.ndim != 1 or g.size == 0 or np.any(~np.isfinite(g)) or np.any(g < 0):
            raise ValueError("gammas must be a non-empty 1-D list of non-negative numbers")
        cands = sizes_from_gammas(g, gap)
    X0, X1 = jnp.asarray(data.X0), jnp.asarray(data.X1)
    k_aux, k_cv, k_refit = jax.random.split(key, 3)
    aux = mdl.prepare(k_aux, jnp.concatenate([X0, X1]))
    uniq = np.unique(cands)
    bar = _progress(repeats + 1, "vtss", progress)
    losses = _run_cv(mdl, gen, k_cv, X0, X1, aux, uniq, folds, repeats, bar)
    sel = int(uniq[int(np.argmin(losses.mean(axis=0)))])
    params, syn = _stage_refit(mdl, gen, k_refit, X0, X1, aux, sel)
    bar.update(1)
    bar.close()
    return SizeSelection(gap, [int(c) for c in uniq], _curve(uniq, losses, gap), sel, sel / gap, params,
                         np.asarray(syn), data)
