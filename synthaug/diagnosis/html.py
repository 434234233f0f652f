r"""A diagnosis as one self-contained HTML page, readable offline.

:func:`diagnosis_html` renders a :class:`~synthaug.diagnosis.Diagnosis` as a single HTML
document: the recommendation and the warnings first, the verdicts (local-symmetry test,
generator quality, alignment, theory size) with their numbers, the diagnosis figure
(:func:`synthaug.diagnosis.plot.plot_diagnosis`, embedded as a PNG data URI), the whole
cross-validation curve with the paired differences from full balancing, the fidelity
metrics, the settings and the versions of the software that produced it. Nothing is
fetched: no scripts, fonts, style sheets or images from elsewhere, so the file can be
mailed, archived or opened on a machine without network. :func:`write_html_report`
writes it; ``synthaug diagnose ... --report FILE.html`` does the same from the command
line.

The page is a report of the result, kept apart from the result object (as the figures
are, in :mod:`synthaug.diagnosis.plot`); matplotlib is imported only for the figure.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import math
import platform
import sys
from importlib import metadata

__all__ = ["diagnosis_html", "comparison_html", "write_html_report", "software_versions"]

_PACKAGES = ("synthaug", "jax", "jaxlib", "numpy", "scipy", "scikit-learn", "imbalanced-learn", "pandas",
             "matplotlib")

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 68em;
       color: #1d2329; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.8em;
     border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; }
.sub { color: #57606a; margin-top: 0; }
.advice { background: #eef6ee; border-left: 5px solid #2f8132; padding: 0.7em 1em; font-size: 1.05em; }
.warn { background: #fff5e5; border-left: 5px solid #c66b00; padding: 0.5em 1em; margin: 0.6em 0; }
.verdicts { display: flex; flex-wrap: wrap; gap: 0.8em; }
.card { flex: 1 1 14em; border: 1px solid #d0d7de; border-radius: 6px; padding: 0.6em 0.9em; }
.card .label { color: #57606a; font-size: 0.85em; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 1.15em; font-weight: 600; margin: 0.15em 0; }
.card .detail { font-size: 0.9em; color: #24292f; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: right; }
th { background: #f6f8fa; } td.l, th.l { text-align: left; }
tr.selected td { background: #e6f0fb; font-weight: 600; }
tr.ref td { color: #6e7781; }
img { max-width: 100%; border: 1px solid #d0d7de; }
pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
footer { color: #6e7781; font-size: 0.85em; margin-top: 2.5em; }
"""


def software_versions() -> dict:
    """Python, the platform and the installed versions of the packages behind a result.

    Returns
    -------
    dict
        ``{"python": ..., "platform": ..., "<package>": version or "not installed"}``.

    Examples
    --------
    >>> v = software_versions()
    >>> sorted(k for k in ("python", "numpy", "jax") if k in v)
    ['jax', 'numpy', 'python']
    """
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _esc(x) -> str:
    return html.escape(str(x), quote=True)


def _num(x, fmt: str = ".4g") -> str:
    if x is None:
        return "&ndash;"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int,)) and not isinstance(x, bool):
        return f"{x:d}"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return _esc(x)
    if not math.isfinite(v):
        return _esc(v)
    return format(v, fmt)


def _page_open(title: str) -> list:
    """The document's head (inline style, no external resource) and its title heading."""
    return ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>", f"<h1>{_esc(title)}</h1>"]


def _figure_uri(diagnosis, data_name) -> str | None:
    """The diagnosis figure as a PNG data URI (None if matplotlib is missing)."""
    try:
        import matplotlib.pyplot  # noqa: F401  (the caller's backend is left as it is)
    except ImportError:
        return None
    return _fig_uri(diagnosis.plot(data_name=data_name))


def _card(label, value, detail) -> str:
    return (f'<div class="card"><div class="label">{_esc(label)}</div><div class="value">{value}</div>'
            f'<div class="detail">{detail}</div></div>')


def _verdicts(d) -> str:
    asym = d.regime == "local-asymmetry"
    rank = ""
    n_par = getattr(d, "n_parameters", None)
    if n_par is not None and d.df < n_par:
        rank = f" (rank {d.df} of {n_par})"
    cards = [
        _card("Local symmetry test", "asymmetry: rebalancing matters" if asym else "symmetry not rejected",
              f"T<sub>sym</sub> = {_num(d.t_sym, '.2f')} on {d.df} df{_esc(rank)}, cut-off {_num(d.cutoff, '.2f')} "
              f"at &alpha; = {_num(d.alpha, 'g')}, p = {_num(d.p_value, '.3g')}"),
        _card("Generator quality", _esc(d.generator_quality),
              f"GQS = {_num(d.gqs, '.3g')} (threshold &tau; = {_num(d.tau, 'g')})"),
    ]
    if d.cosine is not None:
        way = "with" if d.cosine > 0 else "against"
        cards.append(_card("Alignment", f"mismatch points {way} the shift",
                           f"cos(g<sub>&phi;</sub>, g<sub>&psi;</sub>) = {_num(d.cosine, '+.3f')}, "
                           f"&rho; = {_num(d.rho, '.3g')}"))
    if d.theory_size is None:
        cards.append(_card("Theory size", "none", "1 &minus; 2&rho;cos &le; 0: no finite size cancels the bias"))
    else:
        cards.append(_card("Theory size", f"{d.theory_size:.0f} rows",
                           f"{d.theory_size / d.gap:.2f} &times; gap" + (" (clipped)" if d.theory_clipped else "")))
    cards.append(_card("Selected size", f"{d.selected_size} rows",
                       f"{d.selected_gamma:.2f} &times; gap by {_esc(d.method.upper())} ({_esc(d.tg_branch)} grid)"))
    return '<div class="verdicts">' + "".join(cards) + "</div>"


def _curve_table(d) -> str:
    head = ("<tr><th>n_synthetic</th><th>&gamma; = n/gap</th><th>CV balanced loss</th><th>SE</th>"
            "<th>minus full balancing</th><th>paired SE</th><th class=\"l\">role</th></tr>")
    rows = []
    for r in d.curve:
        roles = []
        if r["n_synthetic"] == d.selected_size:
            roles.append("selected")
        if r["n_synthetic"] == 0:
            roles.append("raw")
        if r["n_synthetic"] == d.gap:
            roles.append("full balancing")
        if not r.get("candidate", True):
            roles.append("reference")
        cls = "selected" if r["n_synthetic"] == d.selected_size else ("ref" if not r.get("candidate", True) else "")
        rows.append(f'<tr class="{cls}"><td>{r["n_synthetic"]}</td><td>{_num(r["gamma"], ".3f")}</td>'
                    f'<td>{_num(r["loss"], ".5f")}</td><td>{_num(r.get("se"), ".5f")}</td>'
                    f'<td>{_num(r.get("diff_balance"), "+.5f")}</td><td>{_num(r.get("se_diff_balance"), ".5f")}</td>'
                    f'<td class="l">{_esc(", ".join(roles))}</td></tr>')
    return "<table>" + head + "".join(rows) + "</table>"


def _kv_table(items) -> str:
    return "<table>" + "".join(f'<tr><th class="l">{_esc(k)}</th><td class="l">{v}</td></tr>' for k, v in items) + \
        "</table>"


def diagnosis_html(diagnosis, data_name: str | None = None, figure: bool = True) -> str:
    """The diagnosis as a self-contained HTML document.

    Parameters
    ----------
    diagnosis : Diagnosis
        The result of :func:`~synthaug.diagnosis.diagnose`.
    data_name : str, default=None
        The data set's name, for the title and the figure.
    figure : bool, default=True
        Embed the diagnosis figure (a PNG data URI; needs matplotlib).

    Returns
    -------
    str
        The HTML text. It references no external resource.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import diagnose
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> d = diagnose(X, y, gammas=[0.5, 1.0], folds=2, crossfit_folds=2, fidelity=False, progress=False)
    >>> page = diagnosis_html(d, data_name="toy", figure=False)
    >>> page.startswith("<!DOCTYPE html>"), "Recommendation" in page, "http" in page.split("<body>")[1]
    (True, True, False)
    """
    d = diagnosis
    title = f"synthaug diagnosis{': ' + data_name if data_name else ''}"
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        *_page_open(title),
        f'<p class="sub">Minority {_esc(repr(d.minority_label))} ({d.n1} rows) against majority '
        f"{_esc(repr(d.majority_label))} ({d.n0} rows), gap n<sub>0</sub> &minus; n<sub>1</sub> = {d.gap}; "
        f"model {_esc(d.model)}, generator {_esc(d.generator)}, {d.n_features} features"
        f"{' (standardised)' if d.standardized else ''}.</p>",
        f'<div class="advice"><strong>Recommendation.</strong> {_esc(d.recommendation())}</div>',
    ]
    for w in d.warnings:
        parts.append(f'<div class="warn"><strong>Warning.</strong> {_esc(w)}</div>')
    parts += ["<h2>Verdicts</h2>", _verdicts(d)]
    if figure:
        uri = _figure_uri(d, data_name)
        if uri is not None:
            parts += ["<h2>Figure</h2>",
                      f'<img alt="CV curve, paired difference from full balancing and alignment" src="{uri}">']
    parts += [
        "<h2>Cross-validation curve</h2>",
        f"<p>{d.folds}-fold stratified cross-validation" + (f" &times; {d.repeats} repeats" if d.repeats > 1 else "")
        + ". The paired column compares each size with full balancing fold by fold; its interval is much narrower "
          "than the separate standard errors suggest because the folds share data.</p>",
        _curve_table(d),
    ]
    if d.fidelity:
        parts += ["<h2>Fidelity of the synthetic rows</h2>",
                  "<p>Synthetic rows against held-out minority rows.</p>",
                  _kv_table((k, _num(v)) for k, v in d.fidelity.items() if isinstance(v, (int, float)))]
    settings = [("method", _esc(d.method)), ("model", _esc(d.model)), ("generator", _esc(d.generator)),
                ("folds", _num(d.folds)), ("repeats", _num(d.repeats)), ("cross-fit folds", _num(d.crossfit_folds)),
                ("seed", _num(d.seed)), ("standardised", _num(d.standardized)), ("features", _num(d.n_features)),
                ("candidates", _esc(", ".join(str(c) for c in d.candidates))),
                ("elapsed", f"{_num(d.elapsed_s, '.3g')} s"), ("written", _esc(when))]
    parts += ["<h2>Settings</h2>", _kv_table(settings),
              "<h2>Software</h2>", _kv_table((k, _esc(v)) for k, v in software_versions().items()),
              "<h2>Summary as text</h2>", f"<pre>{_esc(d.summary())}</pre>",
              "<footer>Ma &amp; Zhang, &ldquo;Synthetic Augmentation in Imbalanced Learning: When It Helps, When It Hurts, "
              "and How Much to Add&rdquo; (arXiv 2601.16120): the local-"
              "symmetry test, the generator quality score, the alignment and TG-VTSS. Produced by synthaug; this "
              "file loads nothing from the network.</footer>",
              "</body></html>"]
    return "\n".join(parts) + "\n"


def _fig_uri(fig) -> str:
    import matplotlib.pyplot as plt

    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def comparison_html(comparison, data_name: str | None = None, figure: bool = True) -> str:
    """A :class:`~synthaug.diagnosis.compare.GeneratorComparison` as one self-contained HTML page.

    The ranking (CV balanced loss at each generator's selected size, paired differences from
    the best), its figure, then every generator's verdicts and CV curve, and the settings and
    versions, as :func:`diagnosis_html` lays them out.

    Parameters
    ----------
    comparison : GeneratorComparison
        The result of :func:`~synthaug.diagnosis.compare.compare_generators`.
    data_name : str, default=None
        The data set's name, for the title.
    figure : bool, default=True
        Embed the ranking figure and the best generator's diagnosis figure.

    Returns
    -------
    str
        The HTML text. It references no external resource.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug.diagnosis.compare import compare_generators
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> c = compare_generators(X, y, ["smote", "jitter"], gammas=[0.5, 1.0], folds=2, crossfit_folds=2,
    ...                        fidelity=False, progress=False)
    >>> page = comparison_html(c, figure=False)
    >>> "Ranking" in page and "jitter" in page
    True
    """
    c = comparison
    best = c.best
    title = f"synthaug generator comparison{': ' + data_name if data_name else ''}"
    head = ("<tr><th class=\"l\">generator</th><th>selected size</th><th>&gamma;</th><th>CV balanced loss</th>"
            "<th>SE</th><th>minus best</th><th>paired SE</th><th>GQS</th><th class=\"l\">quality</th></tr>")
    rows = "".join(
        f'<tr class="{"selected" if i == 0 else ""}"><td class="l">{_esc(r["generator"])}</td>'
        f'<td>{r["selected_size"]}</td><td>{_num(r["selected_gamma"], ".2f")}</td><td>{_num(r["cv_loss"], ".5f")}</td>'
        f'<td>{_num(r["se"], ".5f")}</td><td>{_num(r["diff_vs_best"], "+.5f")}</td>'
        f'<td>{_num(r["se_diff_vs_best"], ".5f")}</td><td>{_num(r["gqs"], ".3g")}</td>'
        f'<td class="l">{_esc(r["generator_quality"])}</td></tr>'
        for i, r in enumerate(c.ranking))
    parts = [
        *_page_open(title),
        f'<p class="sub">{len(c.ranking)} generators, model {_esc(best.model)}, minority {best.n1} and majority '
        f"{best.n0} rows; the same pilot and the same {best.folds}-fold CV for every generator"
        f"{'' if c.paired else ' (the folds were NOT shared: differences are not paired)'}.</p>",
        f'<div class="advice"><strong>Recommendation.</strong> {_esc(c.recommendation())}</div>',
        "<h2>Ranking</h2>",
        "<p>Each generator at the size its own selection chose. Differences from the best are paired over the "
        "shared folds; the best of several cross-validated minima is optimistic, so a difference within about "
        "two paired standard errors is within noise.</p>",
        "<table>" + head + rows + "</table>",
    ]
    if figure:
        parts.append(f'<img alt="ranking of the generators" src="{_fig_uri(c.plot(data_name=data_name))}">')
    for d in c.diagnoses:
        parts += [f"<h2>Generator {_esc(d.generator)}</h2>"]
        for w in d.warnings:
            parts.append(f'<div class="warn"><strong>Warning.</strong> {_esc(w)}</div>')
        parts += [_verdicts(d), f"<p>{_esc(d.recommendation())}</p>", _curve_table(d)]
    if figure:
        uri = _figure_uri(best, data_name)
        if uri is not None:
            parts += [f"<h2>Diagnosis figure of the best generator ({_esc(best.generator)})</h2>",
                      f'<img alt="diagnosis figure" src="{uri}">']
    parts += ["<h2>Software</h2>", _kv_table((k, _esc(v)) for k, v in software_versions().items()),
              "<h2>Summary as text</h2>", f"<pre>{_esc(c.summary())}</pre>",
              "<footer>Produced by synthaug; this file loads nothing from the network.</footer>", "</body></html>"]
    return "\n".join(parts) + "\n"


def write_html_report(diagnosis, path, data_name: str | None = None, figure: bool = True) -> str:
    """Write :func:`diagnosis_html` to ``path`` (UTF-8) and return the path.

    Parameters
    ----------
    diagnosis : Diagnosis or GeneratorComparison
        The result of :func:`~synthaug.diagnosis.diagnose` (or of
        :func:`~synthaug.diagnosis.compare.compare_generators`: :func:`comparison_html`).
    path : str or os.PathLike
        Where to write; should end in ``.html`` or ``.htm``.
    data_name : str, default=None
        The data set's name, for the title and the figure.
    figure : bool, default=True
        Embed the diagnosis figure.

    Returns
    -------
    str
        ``path``.

    Raises
    ------
    ValueError
        If ``path`` does not end in ``.html`` or ``.htm``.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from synthaug import diagnose
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> d = diagnose(X, y, gammas=[0.5, 1.0], folds=2, crossfit_folds=2, fidelity=False, progress=False)
    >>> path = write_html_report(d, os.path.join(tempfile.mkdtemp(), "diagnosis.html"), figure=False)
    >>> open(path, encoding="utf-8").read(15)
    '<!DOCTYPE html>'
    """
    name = str(path)
    if not name.lower().endswith((".html", ".htm")):
        raise ValueError(f"{name!r}: an HTML report should end in .html or .htm")
    if hasattr(diagnosis, "ranking"):  # a GeneratorComparison
        text = comparison_html(diagnosis, data_name=data_name, figure=figure)
    else:
        text = diagnosis_html(diagnosis, data_name=data_name, figure=figure)
    with open(name, "w", encoding="utf-8") as fh:
        fh.write(text)
    return name
