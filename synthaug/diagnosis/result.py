r"""The result objects of the diagnosis: :class:`Diagnosis` and :class:`SizeSelection`.

Plain dataclasses of numbers (Ma & Zhang, arXiv 2601.16120, §2–4, for what they
mean); :meth:`Diagnosis.to_dict` is the JSON contract of ``synthaug diagnose --json``
and :meth:`Diagnosis.summary` the text report. The figure is drawn by
:mod:`synthaug.diagnosis.plot` (:meth:`Diagnosis.plot` calls it).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np

from synthaug.data.prepare import PreparedData
from synthaug.diagnosis.plot import plot_diagnosis
from synthaug.diagnosis.vtss import cv_curve

__all__ = ["Diagnosis", "SizeSelection", "curve_rows", "finite_or_none"]


def finite_or_none(x):
    """``float(x)``, or None when it is not finite (JSON has no NaN)."""
    x = float(x)
    return x if math.isfinite(x) else None


def json_safe(obj, notes: list, path: str = ""):
    """``obj`` with every non-finite float replaced by None (standard JSON has no NaN or Infinity).

    Each replacement appends a line to ``notes`` naming the field and why it has no value:
    NaN means the statistic is undefined for these data (e.g. an MMD of a minority whose
    rows are all identical), an infinity is written as null too. NumPy scalars and arrays
    become Python numbers and lists.
    """
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        what = "NaN (undefined for these data)" if math.isnan(obj) else f"{'+' if obj > 0 else '-'}infinite"
        notes.append(f"{path or 'value'} is {what}; written as null")
        return None
    if isinstance(obj, dict):
        return {k: json_safe(v, notes, f"{path}.{k}" if path else str(k)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v, notes, f"{path}[{i}]") for i, v in enumerate(obj)]
    return obj


def curve_rows(cands_unique, losses_unique, gap, is_candidate=None) -> list:
    """The CV curve as JSON rows, one per size.

    Parameters
    ----------
    cands_unique : array-like of int, shape (m,)
        The cross-validated synthetic sizes (sorted, distinct).
    losses_unique : array-like of shape (repeats * folds, m)
        Their fold-wise balanced validation losses.
    gap : int
        ``n0 - n1`` (full balancing).
    is_candidate : array-like of bool, shape (m,), default=None
        Which sizes could be selected (default: all); the others are references.

    Returns
    -------
    list of dict
        ``n_synthetic``, ``gamma``, ``loss`` and ``se`` (mean and standard error over
        folds), ``candidate``, and ``diff_balance`` / ``se_diff_balance``: the paired
        fold-wise difference from full balancing (folds share data, so paired
        differences are far more precise than the separate standard errors suggest;
        None when full balancing was not cross-validated).
    """
    mean, se = cv_curve(losses_unique)
    flags = np.ones(len(cands_unique), bool) if is_candidate is None else is_candidate
    L = np.asarray(losses_unique, float)
    jb = np.nonzero(np.asarray(cands_unique) == gap)[0]
    if jb.size:
        dm, dse = cv_curve(L - L[:, jb[:1]])
    else:
        dm = dse = np.full(L.shape[1], np.nan)
    return [
        {"n_synthetic": int(c), "gamma": float(c) / gap, "loss": float(m), "se": finite_or_none(s),
         "candidate": bool(f), "diff_balance": finite_or_none(a), "se_diff_balance": finite_or_none(b)}
        for c, m, s, f, a, b in zip(cands_unique, mean, se, flags, dm, dse)
    ]


@dataclasses.dataclass
class Diagnosis:
    r"""The outcome of :func:`~synthaug.diagnosis.diagnose` (plain numbers; see :meth:`to_dict`).

    The fields are the test (``t_sym``, ``df``, ``p_value``, ``alpha``, ``cutoff``,
    ``regime``; ``df`` is the numerical rank of the score covariance :math:`\hat V`, which
    is ``n_parameters`` unless :math:`\hat V` is singular, when ``t_sym`` is the
    generalised-inverse statistic on the identifiable subspace and ``warnings`` says why;
    ``t_sym_ridge`` is the ridge-regularised value of earlier versions, for comparison:
    :mod:`synthaug.diagnosis.symmetry`), the generator's quality and alignment (``gqs``, ``tau``,
    ``generator_quality``, ``cosine``, ``rho``, the norms of :math:`\hat g_\phi` and
    :math:`\hat g_\psi`, ``theory_size``), the size selection (``candidates``,
    ``curve``, ``selected_size``, ``selected_gamma``) and the settings used.
    ``params`` and ``synthetic`` (the refitted model's parameters and its synthetic
    rows, on the standardised scale), ``data``, and ``cv_sizes``/``cv_losses`` (every
    cross-validated size and its fold-wise losses, shape ``(repeats·folds, len(cv_sizes))``:
    what paired comparisons need) are kept for the caller but not serialised.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import Diagnosis, diagnose
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> d = diagnose(X, y, method="vtss", gammas=[0.5, 1.0], folds=2, crossfit_folds=2, fidelity=False, progress=False)
    >>> isinstance(d, Diagnosis), d.n0, d.n1, d.method
    (True, 48, 16, 'vtss')
    >>> record = d.to_dict()  # plain numbers, what to_json() writes
    >>> record["selected_size"] == d.selected_size
    True
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
    n_parameters: int | None = None
    t_sym_ridge: float | None = None
    params: object = dataclasses.field(default=None, repr=False)
    synthetic: object = dataclasses.field(default=None, repr=False)
    data: PreparedData | None = dataclasses.field(default=None, repr=False)
    cv_sizes: object = dataclasses.field(default=None, repr=False)
    cv_losses: object = dataclasses.field(default=None, repr=False)

    _SKIP = ("params", "synthetic", "data", "cv_sizes", "cv_losses")

    @property
    def selected_at_edge(self) -> bool:
        """The selected size is the largest (or, above zero, the smallest) candidate: the best
        size may lie outside the grid, so a wider grid (``max_multiple=``, ``gammas=``) is worth a run."""
        cands = sorted(self.candidates)
        return len(cands) > 1 and (self.selected_size == cands[-1] or (self.selected_size == cands[0] > 0))

    def recommendation(self) -> str:
        """What to do, in one or two sentences, from the selected size and its paired comparison."""
        best = next(r for r in self.curve if r["n_synthetic"] == self.selected_size)
        if self.selected_size == 0:
            text = (f"Do not augment: in {self.folds}-fold cross-validation no synthetic size beat the "
                    f"raw fit with {self.generator} + {self.model}.")
        else:
            text = (f"Add {self.selected_size} synthetic minority rows ({self.selected_gamma:.2f} x gap) with "
                    f"{self.generator}.")
            diff, se = best.get("diff_balance"), best.get("se_diff_balance")
            if self.selected_size != self.gap and diff is not None and se is not None:
                half = 1.96 * se
                if diff + half < 0:
                    text += (f" It beats full balancing: balanced loss {diff:+.4f} +/- {half:.4f} against it "
                             "(95% paired interval).")
                else:
                    text += (f" Its balanced loss differs from full balancing's by {diff:+.4f} +/- {half:.4f} "
                             f"(95% paired interval), within noise: full balancing ({self.gap} rows) is as good a "
                             "choice.")
        if self.selected_at_edge:
            text += " The selected size is at the edge of the candidate grid: the best size may lie beyond it."
        return text

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
        out["selected_at_edge"] = self.selected_at_edge
        out["recommendation"] = self.recommendation()
        out["version"] = __version__
        notes = []
        out = json_safe(out, notes)
        out["warnings"] = list(out.get("warnings") or []) + notes
        return out

    def to_json(self, path=None, indent: int = 2) -> str:
        """The JSON text of :meth:`to_dict`, also written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w") as fh:
                fh.write(text + "\n")
        return text

    def _rank_note(self) -> str:
        """`` (rank r of p: singular score covariance)`` when the test ran on a subspace, else empty."""
        if self.n_parameters is not None and self.df < self.n_parameters:
            return f" (rank {self.df} of {self.n_parameters} parameters: singular score covariance, see WARNING)"
        return ""

    def summary(self) -> str:
        """A readable report of the diagnosis."""
        reject = self.regime == "local-asymmetry"
        lines = [
            f"synthaug diagnosis: minority {self.minority_label!r} ({self.n1} rows) vs majority "
            f"{self.majority_label!r} ({self.n0} rows); gap n0 - n1 = {self.gap}",
            f"model {self.model}, generator {self.generator}, {self.n_features} features"
            + (" (standardised)" if self.standardized else ""),
            "",
            f"Local symmetry test: T_sym = {self.t_sym:.2f} on {self.df} df{self._rank_note()} (cut-off "
            f"{self.cutoff:.2f} at alpha = {self.alpha}), p = {self.p_value:.3g}",
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
        lines.append("Recommendation: " + self.recommendation())
        for w in self.warnings:
            lines.append(f"WARNING: {w}")
        if self.fidelity:
            lines.append("Fidelity (synthetic vs held-out minority): "
                         + ", ".join(f"{k} = {v:.3g}" for k, v in self.fidelity.items() if isinstance(v, (int, float))))
        return "\n".join(lines)

    def plot(self, ax=None, data_name=None):
        """Figure of the diagnosis (see :func:`synthaug.diagnosis.plot.plot_diagnosis`)."""
        return plot_diagnosis(self, ax=ax, data_name=data_name)


@dataclasses.dataclass
class SizeSelection:
    """Result of :func:`~synthaug.diagnosis.select_size`: the CV curve, the selected size and the refit.

    ``curve`` has the rows of :func:`curve_rows`; ``params`` and ``synthetic`` are the
    refitted model's parameters and synthetic rows (standardised scale), ``data`` the
    :class:`~synthaug.data.PreparedData`.
    """

    gap: int
    candidates: list
    curve: list
    selected_size: int
    selected_gamma: float
    params: object = dataclasses.field(default=None, repr=False)
    synthetic: object = dataclasses.field(default=None, repr=False)
    data: PreparedData | None = dataclasses.field(default=None, repr=False)
