r"""Several generators diagnosed on the same pilot and the same folds, and ranked.

:func:`compare_generators` runs :func:`~synthaug.diagnosis.diagnose` once per generator
with one seed. The keys of a diagnosis depend on the seed only, so every generator meets
the same balanced pilot (hence the same local-symmetry test), the same cross-fitting
folds and the same cross-validation folds; what differs is the generator's own
cross-fitted mismatch (GQS, alignment, theory size), its candidate sizes and its synthetic
rows. The comparison checks that pairing (the fold-wise losses of raw ERM, which use no
synthetic row, must coincide across generators) and reports it.

**Ranking criterion.** Each generator is scored by the cross-validated balanced loss of
the size its own selection chose (TG-VTSS by default), the quantity ``diagnose`` itself
minimises. Because the folds are shared, differences between generators are paired fold
by fold: the comparison reports each generator's difference from the best with the
standard error of the fold-wise differences (sd/√F, a guide: folds share data). The best
of several cross-validated minima is optimistically biased (it is selected on the same
folds), and the interval does not include that selection; a difference within about two
paired standard errors is within noise.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from synthaug.diagnosis.result import Diagnosis

__all__ = ["GeneratorComparison", "compare_generators"]


def _selected_losses(d) -> np.ndarray:
    j = int(np.nonzero(np.asarray(d.cv_sizes) == d.selected_size)[0][0])
    return np.asarray(d.cv_losses)[:, j]


def _raw_losses(d) -> np.ndarray:
    j = int(np.nonzero(np.asarray(d.cv_sizes) == 0)[0][0])
    return np.asarray(d.cv_losses)[:, j]


@dataclasses.dataclass
class GeneratorComparison:
    """The outcome of :func:`compare_generators`: one diagnosis per generator and their ranking.

    Attributes
    ----------
    diagnoses : list of Diagnosis
        In the order the generators were given.
    ranking : list of dict
        Best first: ``generator``, ``selected_size``, ``selected_gamma``, ``cv_loss`` and ``se``
        (mean and SE over folds at the selected size), ``diff_vs_best`` and ``se_diff_vs_best``
        (paired over folds), ``gqs``, ``generator_quality``, ``cosine``, ``theory_size``.
    paired : bool
        Whether the generators were scored on identical folds (raw ERM's fold-wise losses
        agree across generators to 1e-9 relative).
    """

    diagnoses: list
    ranking: list
    paired: bool

    @property
    def best(self):
        """The diagnosis of the best-ranked generator."""
        name = self.ranking[0]["generator"]
        return next(d for d in self.diagnoses if d.generator == name)

    def recommendation(self) -> str:
        """Which generator to use, and whether the others are distinguishable from it."""
        b = self.ranking[0]
        close = [r["generator"] for r in self.ranking[1:]
                 if r["se_diff_vs_best"] is not None and r["diff_vs_best"] <= 2 * r["se_diff_vs_best"]]
        text = (f"Use {b['generator']}: its selected size ({b['selected_size']} rows) has the lowest cross-validated "
                f"balanced loss of the {len(self.ranking)} generators ({b['cv_loss']:.4f}).")
        if close:
            text += (f" {', '.join(close)} {'is' if len(close) == 1 else 'are'} within two paired standard errors "
                     "of it: the data cannot tell them apart.")
        return text + " " + self.best.recommendation()

    def to_dict(self) -> dict:
        """JSON-ready dict: the ranking, the pairing check and every diagnosis (``Diagnosis.to_dict``)."""
        from synthaug import __version__

        return {"comparison": "generators", "paired": self.paired, "ranking": self.ranking,
                "recommendation": self.recommendation(), "diagnoses": [d.to_dict() for d in self.diagnoses],
                "version": __version__}

    to_json = Diagnosis.to_json  # the JSON text of to_dict(), also written to ``path`` when given

    def summary(self) -> str:
        """The ranking table, then the summary of the best generator's diagnosis."""
        lines = [f"Generators compared on the same pilot and folds{'' if self.paired else ' (NOT paired: see WARNING)'}"
                 f" ({self.diagnoses[0].folds}-fold CV, balanced loss at each generator's selected size):",
                 f"  {'generator':<22}{'size':>7}{'gamma':>7}{'CV loss':>10}{'SE':>8}{'vs best':>10}{'paired SE':>11}"
                 f"  GQS / quality"]
        for r in self.ranking:
            diff = "" if r["diff_vs_best"] is None else f"{r['diff_vs_best']:+.4f}"
            sed = "" if r["se_diff_vs_best"] is None else f"{r['se_diff_vs_best']:.4f}"
            lines.append(f"  {r['generator']:<22}{r['selected_size']:>7}{r['selected_gamma']:>7.2f}"
                         f"{r['cv_loss']:>10.4f}{r['se']:>8.4f}{diff:>10}{sed:>11}"
                         f"  {r['gqs']:.3g} / {r['generator_quality']}")
        lines.append("Recommendation: " + self.recommendation())
        if not self.paired:
            lines.append("WARNING: raw ERM's fold losses differ across generators: the folds were not shared, so "
                         "the differences are not paired")
        lines += ["", "Best generator's diagnosis:", self.best.summary()]
        return "\n".join(lines)

    def plot(self, ax=None, data_name=None):
        """Each generator's CV loss at its selected size, with paired 95 % intervals against the best."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(7.5, 0.6 * len(self.ranking) + 1.8))
        else:
            fig = ax.figure
        names = [r["generator"] for r in self.ranking][::-1]
        diff = np.array([r["diff_vs_best"] or 0.0 for r in self.ranking][::-1])
        se = np.array([r["se_diff_vs_best"] or 0.0 for r in self.ranking][::-1])
        y = np.arange(len(names))
        ax.errorbar(diff, y, xerr=1.96 * se, fmt="o", color="C0", capsize=3, label="paired 95 % interval")
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_yticks(y, [f"{n} ({r['selected_size']} rows)" for n, r in zip(names, self.ranking[::-1])])
        ax.set_xlabel("CV balanced loss minus the best generator's (paired over folds)")
        where = f"{data_name}: " if data_name else ""
        ax.set_title(f"{where}generators ranked by CV balanced loss at their selected size", fontsize=10)
        fig.tight_layout()
        return fig


def compare_generators(X, y, generators=("smote", "jitter", "gaussian"), **kwargs) -> GeneratorComparison:
    """Diagnose several generators on the same pilot and folds and rank them.

    Parameters
    ----------
    X, y
        As for :func:`~synthaug.diagnosis.diagnose`.
    generators : sequence of str or Generator, default=("smote", "jitter", "gaussian")
        At least two distinct generators (names or objects, as ``diagnose`` takes them).
    **kwargs
        Passed to :func:`~synthaug.diagnosis.diagnose` for every generator (``model``,
        ``method``, ``folds``, ``seed``, ``fidelity``, ``progress``, ...); one ``seed`` for
        all, which is what makes the comparison paired.

    Returns
    -------
    GeneratorComparison

    Raises
    ------
    ValueError
        Fewer than two generators, a repeated one, ``generator=`` among the keyword
        arguments, or any error ``diagnose`` raises for one of them (named).

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug.diagnosis.compare import compare_generators
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> c = compare_generators(X, y, ["smote", "jitter"], gammas=[0.5, 1.0], folds=2, crossfit_folds=2,
    ...                        fidelity=False, progress=False)
    >>> c.paired, sorted(r["generator"] for r in c.ranking)
    (True, ['jitter', 'smote'])
    """
    from synthaug.diagnosis.api import diagnose

    if "generator" in kwargs:
        raise ValueError("give the generators as `generators=`, not `generator=`")
    if isinstance(generators, str):
        generators = [g.strip() for g in generators.split(",") if g.strip()]
    generators = list(generators)
    if len(generators) < 2:
        raise ValueError(f"compare_generators needs at least two generators; got {len(generators)}")
    given = [g for g in generators if isinstance(g, str)]
    if len(set(given)) < len(given):
        raise ValueError(f"each generator may appear once; got {given}")
    diagnoses = []
    for g in generators:
        try:
            diagnoses.append(diagnose(X, y, generator=g, **kwargs))
        except ValueError as exc:
            raise ValueError(f"generator {getattr(g, 'name', g)!r}: {exc}") from None
    names = [d.generator for d in diagnoses]
    if len(set(names)) < len(names):
        raise ValueError(f"each generator may appear once; got {names}")
    raw = [_raw_losses(d) for d in diagnoses]
    scale = max(1.0, float(np.max(np.abs(raw[0]))))
    paired = all(r.shape == raw[0].shape and float(np.max(np.abs(r - raw[0]))) <= 1e-9 * scale for r in raw)
    sel = [_selected_losses(d) for d in diagnoses]
    order = sorted(range(len(diagnoses)), key=lambda i: (float(sel[i].mean()), names[i]))
    best = sel[order[0]]
    F = best.size
    ranking = []
    for i in order:
        d, L = diagnoses[i], sel[i]
        diff = L - best
        ranking.append(dict(
            generator=d.generator, selected_size=int(d.selected_size), selected_gamma=float(d.selected_gamma),
            cv_loss=float(L.mean()), se=float(L.std(ddof=1) / np.sqrt(F)) if F > 1 else None,
            diff_vs_best=float(diff.mean()) if i != order[0] else 0.0,
            se_diff_vs_best=(float(diff.std(ddof=1) / np.sqrt(F)) if F > 1 else None) if paired else None,
            gqs=float(d.gqs), generator_quality=d.generator_quality, cosine=d.cosine, theory_size=d.theory_size))
    return GeneratorComparison(diagnoses=diagnoses, ranking=ranking, paired=paired)
