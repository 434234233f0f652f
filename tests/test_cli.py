"""The command-line contract: output keys, figures, one-line errors with non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from synthaug.cli import main
from synthaug.simulate import RECORD_KEYS, SUMMARY_KEYS


def _run(*args):
    return subprocess.run([sys.executable, "-m", "synthaug", *args], capture_output=True, text=True, timeout=300)


def test_list():
    out = _run("simulate", "--list")
    assert out.returncode == 0
    for name in ("biased-aligned", "realistic-aligned", "mean-shift-symmetry", "logistic-symmetry"):
        assert name in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("simulate", "no-such-design"), "unknown design"),
        (("simulate", "biased-aligned", "--generators", "smote"), "unknown generator"),
        (("simulate", "biased-aligned", "--reps", "-1"), "reps must be"),
        (("simulate", "biased-aligned", "--seed", "-5"), "seed must be"),
        (("simulate", "biased-aligned", "--out", "x.csv"), "should end in .json"),
        (("simulate", "biased-aligned", "--reps", "abc"), "invalid int value"),
        (("simulate",), "give a design name"),
    ],
)
def test_errors_are_one_line(args, message):
    out = _run(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], out.stderr


def test_quick_run_writes_contract(tmp_path, capsys):
    js, png = tmp_path / "r.json", tmp_path / "r.png"
    rc = main(["simulate", "biased-aligned", "--quick", "--reps", "3", "--seed", "7", "--no-progress",
               "--out", str(js), "--plot", str(png)])
    assert rc == 0
    d = json.loads(js.read_text())
    assert d["design"] == "biased-aligned" and d["reps"] == 3 and d["seed"] == 7 and d["version"]
    assert d["records"] and d["summaries"]
    for r in d["records"]:
        assert set(RECORD_KEYS) <= set(r)
    for s in d["summaries"]:
        assert set(SUMMARY_KEYS) <= set(s)
    methods = {r["method"] for r in d["records"]}
    assert {"raw", "balance", "theory"} <= methods
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    assert "wrote" in capsys.readouterr().out
