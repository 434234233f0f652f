r"""Figures of a :class:`~synthaug.diagnosis.Diagnosis`, kept apart from the result object.

:func:`plot_diagnosis` draws the whole figure (what :meth:`Diagnosis.plot
<synthaug.diagnosis.Diagnosis.plot>` and ``synthaug diagnose --plot`` show);
:func:`plot_cv_curve` and :func:`plot_alignment` draw its two panels on given axes.
matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

__all__ = ["plot_diagnosis", "plot_cv_curve", "plot_balance_difference", "plot_alignment"]


def plot_diagnosis(diagnosis, ax=None, data_name=None):
    r"""The diagnosis figure: CV loss, paired difference from full balancing, alignment, advice.

    Left, top: the cross-validated balanced loss of every size with its ±1 SE band over
    folds. Left, bottom: the quantity to read, the paired fold-wise difference from full
    balancing with its 95 % interval (folds share data, so this interval is much narrower
    than the separate SE bands suggest). Right: the regime and the alignment of
    :math:`\hat g_\psi` with :math:`\hat g_\phi`. Below: the recommendation in words
    (:meth:`~synthaug.diagnosis.result.Diagnosis.recommendation`).

    Parameters
    ----------
    diagnosis : Diagnosis
        The result of :func:`~synthaug.diagnosis.diagnose`.
    ax : matplotlib Axes, default=None
        Draw only the CV curve on these axes; by default a new figure with every panel.
    data_name : str, default=None
        The data set's name, for the title (the CLI passes the dataset or CSV name).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the panels.
    """
    import matplotlib.pyplot as plt

    d = diagnosis
    if ax is not None:
        plot_cv_curve(d, ax)
        return ax.figure
    fig = plt.figure(figsize=(11, 6.4))
    grid = fig.add_gridspec(2, 2, width_ratios=[2.2, 1], height_ratios=[1, 1], hspace=0.08, wspace=0.12)
    ax_loss = fig.add_subplot(grid[0, 0])
    ax_diff = fig.add_subplot(grid[1, 0], sharex=ax_loss)
    ax_align = fig.add_subplot(grid[:, 1])
    plot_cv_curve(d, ax_loss)
    plot_balance_difference(d, ax_diff)
    ax_loss.tick_params(labelbottom=False)
    ax_loss.set_xlabel("")
    plot_alignment(d, ax_align)
    where = f"{data_name}: " if data_name else ""
    fig.suptitle(f"{where}{d.method.upper()} with generator {d.generator} and model {d.model} "
                 f"(minority {d.n1}, majority {d.n0} rows; {d.folds}-fold CV)", fontsize=11)
    fig.text(0.01, 0.012, textwrap.fill("Recommendation: " + d.recommendation(), 150), fontsize=9,
             va="bottom", ha="left")
    fig.subplots_adjust(left=0.07, right=0.98, top=0.91, bottom=0.17)
    return fig


def _size_lines(d, ax, legend=True):
    """Vertical lines at raw, balance, theory and selected sizes; theory drawn over selected."""
    ax.axvline(0, color="0.4", ls=":", label="raw (0)" if legend else None)
    ax.axvline(d.gap, color="C2", ls="--", label=f"balance ({d.gap})" if legend else None)
    ax.axvline(d.selected_size, color="C3", lw=2.5, alpha=0.8, zorder=2,
               label=f"selected ({d.selected_size})" if legend else None)
    if d.theory_size is not None:  # on top of the selected line, so it stays visible when they coincide
        ax.axvline(d.theory_size, color="C1", ls="-.", lw=1.5, zorder=3,
                   label=f"theory ({d.theory_size:.0f})" if legend else None)


def plot_cv_curve(diagnosis, ax):
    """The cross-validated balanced loss of every size on ``ax``: candidates, references, chosen sizes.

    Parameters
    ----------
    diagnosis : Diagnosis
        The result of :func:`~synthaug.diagnosis.diagnose`.
    ax : matplotlib Axes
        Where to draw.

    Returns
    -------
    matplotlib Axes
        ``ax``.
    """
    d = diagnosis
    n = np.array([r["n_synthetic"] for r in d.curve], dtype=float)
    m = np.array([r["loss"] for r in d.curve])
    s = np.array([r["se"] if r["se"] is not None else np.nan for r in d.curve])
    c = np.array([r.get("candidate", True) for r in d.curve])
    ax.plot(n[c], m[c], "o-", color="C0", ms=3, label="CV balanced loss (candidates)")
    ax.fill_between(n[c], (m - s)[c], (m + s)[c], color="C0", alpha=0.15, label="±1 SE over folds")
    if (~c).any():
        ax.errorbar(n[~c], m[~c], yerr=s[~c], fmt="s", mfc="white", color="C0", ms=5, capsize=2,
                    label="references (raw, balance)")
    _size_lines(d, ax)
    if d.selected_at_edge:
        ax.annotate("selected at the edge of the grid", xy=(d.selected_size, float(np.nanmax(m))), fontsize=8,
                    color="C3", ha="right", va="top")
    ax.set_xlabel("number of synthetic minority rows")
    ax.set_ylabel("balanced validation loss")
    ax.legend(fontsize=7.5, loc="best", ncol=2)
    return ax


def plot_balance_difference(diagnosis, ax):
    """Paired fold-wise difference from full balancing, with its 95 % interval, on ``ax``.

    Below zero: the size beats full balancing. Parameters and return value as
    :func:`plot_cv_curve`.
    """
    d = diagnosis
    rows = [r for r in d.curve if r.get("diff_balance") is not None]
    if not rows:
        ax.text(0.5, 0.5, "full balancing was not cross-validated: no paired difference", transform=ax.transAxes,
                ha="center", fontsize=9)
        return ax
    n = np.array([r["n_synthetic"] for r in rows], dtype=float)
    m = np.array([r["diff_balance"] for r in rows])
    half = 1.96 * np.array([r["se_diff_balance"] if r["se_diff_balance"] is not None else np.nan for r in rows])
    c = np.array([r.get("candidate", True) for r in rows])
    ax.axhline(0, color="C2", lw=1, ls="--")
    ax.plot(n[c], m[c], "o-", color="C4", ms=3, label="each size minus full balancing (paired over folds)")
    ax.fill_between(n[c], (m - half)[c], (m + half)[c], color="C4", alpha=0.2, label="95% paired interval")
    if (~c).any():
        ax.errorbar(n[~c], m[~c], yerr=half[~c], fmt="s", mfc="white", color="C4", ms=5, capsize=2)
    _size_lines(d, ax, legend=False)
    ax.set_xlabel("number of synthetic minority rows")
    ax.set_ylabel("loss minus full balancing")
    ax.legend(fontsize=7.5, loc="best")
    return ax


def plot_alignment(diagnosis, ax):
    r"""The shift :math:`\hat g_\phi` and the mismatch :math:`\hat g_\psi` as arrows, with the regime read-out.

    :math:`\hat g_\phi` is drawn with length 1 along the x-axis and :math:`\hat g_\psi`
    at the angle of their cosine with length :math:`\rho` (capped at 1.5). Parameters
    and return value as :func:`plot_cv_curve` (the other panel of the same figure).
    """
    d = diagnosis
    ax.set_aspect("equal")
    ax.arrow(0, 0, 1, 0, width=0.02, color="C0", length_includes_head=True)
    ax.text(1.02, 0.05, r"$\hat g_\phi$", color="C0")
    if d.cosine is not None:
        ang = math.acos(max(-1.0, min(1.0, d.cosine)))
        r = min(d.rho, 1.5)
        ax.arrow(0, 0, r * math.cos(ang), r * math.sin(ang), width=0.02, color="C3", length_includes_head=True)
        ax.text(r * math.cos(ang), r * math.sin(ang) + 0.08, r"$\hat g_\psi$" + (" (>1.5)" if d.rho > 1.5 else ""),
                color="C3")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-0.9, 1.7)
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    txt = (f"{d.regime}\nT={d.t_sym:.1f} (cut {d.cutoff:.1f}), p={d.p_value:.2g}\n"
           f"GQS={d.gqs:.3g} -> {d.generator_quality}\n"
           + (f"cos={d.cosine:+.2f}, rho={d.rho:.2g}" if d.cosine is not None else ""))
    ax.set_title("regime and alignment", fontsize=10)
    ax.text(0.02, 0.02, txt, fontsize=8, va="bottom", ha="left", transform=ax.transAxes, clip_on=True)
    return ax
