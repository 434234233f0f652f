"""The self-contained HTML report of a diagnosis (synthaug.diagnosis.html, ``diagnose --report``)."""

from __future__ import annotations

import base64
import dataclasses
import html.parser
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from synthaug import diagnose
from synthaug.diagnosis.html import diagnosis_html, software_versions, write_html_report

VOID = {"meta", "img", "br", "hr", "link", "input", "source", "wbr", "col", "area", "base", "embed", "track"}


class _Checker(html.parser.HTMLParser):
    """Collects tags, checks nesting, and records every attribute that could load a resource."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.urls, self.tags = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "data", "poster", "srcset") and v is not None:
                self.urls.append(v)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


@pytest.fixture(scope="module")
def diagnosis():
    rng = np.random.default_rng(0)
    X = np.r_[rng.normal(size=(60, 2)), rng.normal(size=(20, 2)) + 1.0]
    y = np.r_[np.zeros(60, int), np.ones(20, int)]
    return diagnose(X, y, gammas=[0.5, 1.0, 1.5], folds=2, crossfit_folds=2, progress=False)


def _parse(page):
    c = _Checker()
    c.feed(page)
    c.close()
    return c


def test_page_is_well_formed_and_loads_nothing(diagnosis):
    page = diagnosis_html(diagnosis, data_name="toy")
    c = _parse(page)
    assert not c.errors and c.stack == [], (c.errors, c.stack)
    assert "script" not in c.tags and "link" not in c.tags  # no code, no external style sheet
    # The one resource is the figure, inline; nothing names a network or file address.
    assert len(c.urls) == 1 and c.urls[0].startswith("data:image/png;base64,"), c.urls[:3]
    png = base64.b64decode(c.urls[0].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert not re.search(r"url\(|@import", page)


def test_page_holds_the_numbers_of_the_result(diagnosis):
    d = diagnosis
    page = diagnosis_html(d, figure=False)
    assert f"T<sub>sym</sub> = {d.t_sym:.2f} on {d.df} df" in page
    assert f"GQS = {d.gqs:.3g}" in page
    assert f"{d.selected_size} rows" in page
    assert html_text(d.recommendation()) in page
    # one table row per CV size, the selected one marked
    rows = re.findall(r"<tr class=\"(selected|ref|)\"><td>(\d+)</td>", page)
    assert [int(n) for _, n in rows] == [r["n_synthetic"] for r in d.curve]
    assert [n for cls, n in rows if cls == "selected"] == [str(d.selected_size)]
    for name, version in software_versions().items():
        assert html_text(version) in page, name
    assert "<img" not in page  # figure=False


def html_text(s):
    import html as h

    return h.escape(s, quote=True)


def test_text_from_the_data_is_escaped(diagnosis):
    d = dataclasses.replace(diagnosis, warnings=["<script>alert(1)</script> & more"], minority_label="<b>x</b>")
    page = diagnosis_html(d, data_name="<i>name</i>", figure=False)
    assert "<script>" not in page and "<b>x</b>" not in page and "<i>name</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert not _parse(page).errors


def test_write_checks_the_suffix(diagnosis, tmp_path):
    with pytest.raises(ValueError, match="should end in .html"):
        write_html_report(diagnosis, tmp_path / "report.txt")
    out = write_html_report(diagnosis, tmp_path / "report.html", figure=False)
    assert open(out, encoding="utf-8").read().startswith("<!DOCTYPE html>")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no headless browser: install Debian's chromium package to render "
                                             "the report (apt-get install chromium)")
def test_report_renders_in_a_headless_browser(diagnosis, tmp_path):
    import matplotlib.image

    page = write_html_report(diagnosis, tmp_path / "report.html", data_name="toy")
    shot = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1800", f"--screenshot={shot}"]
    proc = subprocess.run([CHROMIUM, *flags, "file://" + os.path.abspath(page)], capture_output=True, text=True,
                          timeout=120)
    assert shot.exists(), proc.stderr[-2000:]
    img = matplotlib.image.imread(str(shot))
    assert img.shape[0] == 1800 and img.shape[1] == 1200
    # Not blank: the page's text, tables and embedded figure give many distinct shades.
    flat = (img[..., :3] * 255).astype(np.uint8).reshape(-1, 3)
    assert len(np.unique(flat[::7], axis=0)) > 50
    assert float(np.mean(img[..., :3])) < 0.99
