"""Helpers shared by the design modules (batching, records, figure style)."""

from __future__ import annotations

import numpy as np

from synthaug.core.montecarlo import loglog_slope, mean_mcse
from synthaug.simulate import record, summary

#: Memory budget for one vmapped chunk of replications (bytes).
CHUNK_BYTES = 384 * 2**20


def auto_batch(bytes_per_rep: float, reps: int, batch_size: int | None) -> int:
    """Replications per chunk: the user's choice, else as many as fit in :data:`CHUNK_BYTES`."""
    if batch_size is not None:
        return int(batch_size)
    return int(max(1, min(reps, CHUNK_BYTES // max(1.0, bytes_per_rep))))


def curve_records(design, method, generator, n0, n1, sizes, gap, metric, values, reps, **extra):
    """Records for one curve: ``values`` has shape (reps, len(sizes))."""
    mean, mcse = mean_mcse(values, axis=0)
    out = []
    for j, s in enumerate(sizes):
        gamma = None if gap == 0 else s / gap
        out.append(record(design, method, generator, n0, n1, int(s), gamma, metric, mean[j], mcse[j], reps, **extra))
    return out


def slope_summary(records, method, generator, metric="excess_risk", x="n1", lo=None, hi=None, **extra):
    """Log–log slope of the mean of ``metric`` against ``x`` over records (optionally a range of x)."""
    rows = [r for r in records if r["method"] == method and r["generator"] == generator and r["metric"] == metric]
    rows = [r for r in rows if r["mean"] is not None and (lo is None or r[x] >= lo) and (hi is None or r[x] <= hi)]
    xs = np.array([r[x] for r in rows], float)
    ys = np.array([r["mean"] for r in rows], float)
    fit = loglog_slope(xs, ys)
    return summary(
        "loglog_slope", method, generator, x, metric, fit.estimate, fit.ci_low, fit.ci_high,
        x_min=float(xs.min()) if xs.size else None, x_max=float(xs.max()) if xs.size else None,
        n_points=fit.n_points, **extra,
    )


COLORS = {
    "raw": "#7f7f7f",
    "balance": "#1f77b4",
    "double": "#9467bd",
    "theory": "#d62728",
    "oracle": "#2ca02c",
    "smote": "#d62728",
    "gaussian": "#ff7f0e",
    "semi-oracle": "#1f77b4",
    "vtss": "#8c564b",
    "tg-vtss": "#e377c2",
    "jitter": "#17becf",
    "reweight": "#bcbd22",
    "cost-sensitive": "#9467bd",
}


def errorbar(ax, x, mean, mcse, label, color=None, **kw):
    """Mean ± 1.96 MCSE against ``x`` on ``ax``, in the designs' marker style."""
    x, mean, mcse = (np.asarray(v, float) for v in (x, mean, mcse))
    ax.errorbar(x, mean, yerr=1.96 * mcse, label=label, color=color, marker="o", ms=3.5, capsize=2, lw=1.4, **kw)


def finish_figure(fig, result, title=None, *, model, bars="mean ± 1.96 MCSE (95 % Monte Carlo interval)"):
    """Give ``fig`` its overall title and a tight layout; return it (the last step of every design's ``plot``).

    The title names the design, its model and its generators and says what the error bars are, so
    the figure reads on its own.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    result : synthaug.simulate.SimulationResult
        The result drawn; the default first line is ``"{design}: {reps} replications, seed {seed}"``.
    title : str, optional
        A first line of the design's own instead.
    model : str
        The fitted model in words (e.g. ``"logistic regression with intercept"``).
    bars : str, optional
        What the error bars or bands are.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.
    """
    if title is None:
        title = f"{result.design}: {result.reps} replications, seed {result.seed}"
    generators = sorted({str(r["generator"]) for r in result.records if r.get("generator") not in (None, "")})
    fig.suptitle(f"{title}\nmodel: {model}; generators: {', '.join(generators) or 'none'}; bars: {bars}",
                 fontsize=10)
    fig.tight_layout()
    return fig


def select(result, **where):
    """Records of ``result`` matching ``where``, ordered by (n1, n_synthetic)."""
    rows = result.select(**where)
    return sorted(rows, key=lambda r: (r["n1"], r["n_synthetic"]))


def end_minus_start(values, method, generator, metric="excess_risk", **extra):
    """Paired trend over a coupled curve: mean of (last − first) with a 95 % MCSE interval.

    ``values`` has shape (reps, n_points); nested pools make the two ends share data.
    """
    diff = np.asarray(values)[:, -1] - np.asarray(values)[:, 0]
    mean, mcse = mean_mcse(diff)
    return summary("end_minus_start", method, generator, "gamma", metric, float(mean),
                   float(mean - 1.96 * mcse), float(mean + 1.96 * mcse), **extra)
