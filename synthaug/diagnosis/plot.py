r"""Figures of a :class:`~synthaug.diagnosis.Diagnosis`, kept apart from the result object.

:func:`plot_diagnosis` draws the whole figure (what :meth:`Diagnosis.plot
<synthaug.diagnosis.Diagnosis.plot>` and ``synthaug diagnose --plot`` show);
:func:`plot_cv_curve` and :func:`plot_alignment` draw its two panels on given axes.
matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["plot_diagnosis", "plot_cv_curve", "plot_alignment"]


def plot_diagnosis(diagnosis, ax=None):
    """The CV curve with its ±1 SE band and reference lines, and the alignment read-out.

    Parameters
    ----------
    diagnosis : Diagnosis
        The result of :func:`~synthaug.diagnosis.diagnose`.
    ax : matplotlib Axes, default=None
        Draw only the CV curve on these axes; by default a new figure with both panels.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the panels.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.5, 4), gridspec_kw={"width_ratios": [2.2, 1]})
    else:
        fig, ax2 = ax.figure, None
    plot_cv_curve(diagnosis, ax)
    if ax2 is not None:
        plot_alignment(diagnosis, ax2)
    fig.tight_layout()
    return fig


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
    ax.fill_between(n[c], (m - s)[c], (m + s)[c], color="C0", alpha=0.2, label="±1 SE")
    if (~c).any():
        ax.errorbar(n[~c], m[~c], yerr=s[~c], fmt="s", mfc="white", color="C0", ms=5, capsize=2,
                    label="references (raw, balance)")
    ax.axvline(0, color="0.4", ls=":", label="raw (0)")
    ax.axvline(d.gap, color="C2", ls="--", label=f"balance ({d.gap})")
    if d.theory_size is not None:
        ax.axvline(d.theory_size, color="C1", ls="-.", label=f"theory ({d.theory_size:.0f})")
    ax.axvline(d.selected_size, color="C3", lw=2, label=f"selected ({d.selected_size})")
    ax.set_xlabel("number of synthetic minority rows")
    ax.set_ylabel("balanced validation loss")
    ax.set_title(f"{d.method.upper()}: {d.generator} + {d.model}")
    ax.legend(fontsize=8)
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
    ax.set_ylim(-0.5, 1.7)
    ax.axhline(0, color="0.8", lw=0.5)
    ax.axvline(0, color="0.8", lw=0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    txt = (f"{d.regime}\nT={d.t_sym:.1f} (cut {d.cutoff:.1f}), p={d.p_value:.2g}\n"
           f"GQS={d.gqs:.3g} -> {d.generator_quality}\n"
           + (f"cos={d.cosine:+.2f}, rho={d.rho:.2g}" if d.cosine is not None else ""))
    ax.set_title("regime and alignment", fontsize=10)
    ax.text(-1.55, -0.45, txt, fontsize=8, va="bottom")
    return ax
