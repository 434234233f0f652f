"""The command-line contract: output keys, figures, one-line errors with non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
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


# ----------------------------------------------------------------------------- synthaug diagnose


def _csv(tmp_path, n0=400, n1=40, seed=0, **edits):
    import pandas as pd

    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "a": np.r_[rng.normal(size=n0), rng.normal(size=n1) + 1.5],
        "b": np.r_[rng.normal(size=n0), rng.normal(size=n1)],
        "site": rng.choice(["north", "south", "east"], n0 + n1),
        "outcome": np.r_[np.full(n0, "healthy"), np.full(n1, "sepsis")],
    })
    for col, fn in edits.items():
        df[col] = fn(df)
    path = tmp_path / "data.csv"
    df.to_csv(path, index=False)
    return str(path)


def test_diagnose_csv_end_to_end(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SYNTHAUG_NO_CACHE", "1")
    path = _csv(tmp_path, a=lambda df: df["a"].where(np.arange(len(df)) != 3))  # one missing value
    out_json = tmp_path / "d.json"
    rc = main(["diagnose", path, "--target", "outcome", "--folds", "3", "--impute", "mean", "--no-progress",
               "--json", str(out_json), "--plot", str(tmp_path / "d.png")])
    text = capsys.readouterr().out
    assert rc == 0
    assert "one-hot encoded 1 non-numeric column(s) (site)" in text and "imputed missing values" in text
    d = json.loads(out_json.read_text())
    assert d["n0"] == 400 and d["n1"] == 40 and d["minority_label"] == "sepsis"
    for key in ("gap", "regime", "t_sym", "df", "p_value", "gqs", "generator_quality", "cosine", "rho",
                "theory_size", "candidates", "curve", "selected_size"):
        assert key in d
    assert d["df"] == 2 + 2 + 1  # a, b, two site dummies, intercept
    assert (tmp_path / "d.png").stat().st_size > 0


@pytest.mark.parametrize(
    "edits, args, message",
    [
        ({}, ["--target", "nope"], "target column 'nope' not in"),
        ({"outcome": lambda df: np.where(np.arange(len(df)) % 7 == 0, "other", df["outcome"])}, [],
         "name the class of interest with --positive"),
        ({"a": lambda df: df["a"].where(np.arange(len(df)) != 5)}, [], "pass --impute mean"),
        ({"b": lambda df: np.nan}, ["--impute", "mean"], "all-missing column"),
        ({"b": lambda df: 1.0}, [], "constant column"),
        ({"outcome": lambda df: "healthy"}, [], "single class"),
        ({}, ["--positive", "flu"], "is not a value of"),
        ({}, ["--folds", "50"], "fewer than the 50 folds"),
        ({}, ["--generator", "nope"], "unknown generator"),
        ({"patient": lambda df: [f"p{i}" for i in range(len(df))]}, [],
         "'patient' (440 distinct values in 440 rows) look like an ID or free text"),
        ({}, ["--drop", "nope"], "cannot drop ['nope']"),
    ],
)
def test_diagnose_bad_input_one_line_exit_2(tmp_path, capsys, edits, args, message):
    path = _csv(tmp_path, **edits)
    argv = ["diagnose", path] + (args if "--target" in args else ["--target", "outcome"] + args) + ["--no-progress"]
    rc = main(argv)
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert err.startswith("synthaug: error:") and len(err.splitlines()) == 1 and message in err, err


def test_diagnose_needs_input_and_lists_datasets(capsys, tmp_path):
    assert main(["diagnose", "--no-progress"]) == 2
    assert "give a CSV file" in capsys.readouterr().err
    assert main(["diagnose", str(tmp_path / "missing.csv"), "--target", "y"]) == 2
    assert main(["diagnose", "--list-datasets"]) == 0
    assert "breast-cancer" in capsys.readouterr().out


def test_diagnose_drops_id_columns_and_suggests_smote_nc(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SYNTHAUG_NO_CACHE", "1")
    path = _csv(tmp_path, patient=lambda df: [f"p{i}" for i in range(len(df))])
    out_json = tmp_path / "d.json"
    rc = main(["diagnose", path, "--target", "outcome", "--folds", "3", "--drop", "patient", "--no-progress",
               "--json", str(out_json)])
    text = capsys.readouterr().out
    assert rc == 0 and "SMOTENCSampler (generator 'smote-nc')" in text
    assert json.loads(out_json.read_text())["n_features"] == 4  # a, b and two site dummies: patient dropped


def test_bias_correct_lists_datasets_hides_progress_and_writes_any_figure_format(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SYNTHAUG_NO_CACHE", "1")
    assert main(["bias-correct", "--list-datasets"]) == 0
    assert "breast-cancer-rare" in capsys.readouterr().out
    assert main(["bias-correct", "--dataset", "breast-cancer-rare", "--plot", str(tmp_path / "f.xyz")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot write a figure of type 'xyz'; use one of" in err and ".pdf" in err
    pdf = tmp_path / "f.pdf"
    rc = main(["bias-correct", "--dataset", "breast-cancer-rare", "--folds", "3", "--no-progress", "--plot", str(pdf)])
    captured = capsys.readouterr()
    assert rc == 0 and pdf.read_bytes()[:4] == b"%PDF"
    assert "bias-correct" not in captured.err  # no progress bar


def test_positive_keeps_the_users_label(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SYNTHAUG_NO_CACHE", "1")
    path = _csv(tmp_path, outcome=lambda df: np.where(np.arange(len(df)) >= 400, "18", df["site"]))
    out_json = tmp_path / "d.json"
    rc = main(["diagnose", path, "--target", "outcome", "--positive", "18", "--drop", "site", "--folds", "3",
               "--no-progress", "--json", str(out_json)])
    text = capsys.readouterr().out
    d = json.loads(out_json.read_text())
    assert rc == 0 and d["minority_label"] == "18" and d["majority_label"] == "not 18"
    assert "minority '18' (40 rows) vs majority 'not 18' (400 rows)" in text


@pytest.mark.parametrize("argv, message", [
    (["simulate", "nope"], "unknown design 'nope'"),
    (["diagnose", "--dataset", "nope"], "unknown dataset 'nope'"),
    (["diagnose", "--dataset", "breast-cancer", "--generator", "nope"], "unknown generator 'nope'"),
    (["bias-correct", "missing.csv", "--target", "y"], "no such file: 'missing.csv'"),
    (["diagnose", "--dataset", "breast-cancer", "--plot", "f.xyz"], "cannot write a figure of type 'xyz'"),
    (["diagnose", "--dataset", "breast-cancer", "--report", "r.txt"], "--report 'r.txt' should end in .html"),
    (["diagnose", "--dataset", "breast-cancer", "--generator", "smote,nope"], "unknown generator 'nope'"),
    (["diagnose", "--dataset", "breast-cancer", "--generator", "smote,smote"], "each generator may appear once"),
    (["diagnose", "--dataset", "breast-cancer", "--generator", "smote,"], "empty name"),
    (["bias-correct", "--dataset", "breast-cancer", "--generator", "smote,jitter"], "takes one generator"),
    (["diagnose", "EXAMPLE", "--target", "outcme"], "target column 'outcme' not in"),
    (["diagnose", "EXAMPLE", "--target", "outcome", "--positive", "sepsis"], "look like an ID or free text"),
    (["bias-correct", "EXAMPLE", "--target", "outcome", "--positive", "nope", "--drop", "patient_id"], "'nope'"),
    (["simulate", "bc-ate", "--coordinator", "127.0.0.1:7650"], "--coordinator, --num-processes and --process-id"),
    (["simulate", "bc-ate", "--coordinator", "here", "--num-processes", "2", "--process-id", "0"], "HOST:PORT"),
    (["simulate", "bc-ate", "--coordinator", "127.0.0.1:7650", "--num-processes", "2", "--process-id", "2"],
     "--process-id must be in 0..1"),
    (["simulate", "bc-ate", "--coordinator", "127.0.0.1:7650", "--num-processes", "2", "--process-id", "0",
      "--workers", "2"], "does not combine with --workers"),
    (["diagnose", "--list-datasets"], None),
    (["example-csv"], None),
    (["--help"], None),
    (["diagnose", "--help"], None),
])
def test_argument_errors_and_help_import_no_jax(argv, message):
    """Checked before JAX is imported, so they answer in a fraction of a second (no timing asserted).

    ``EXAMPLE`` stands for the example CSV shipped with the package: wrong columns, labels and ID
    columns are found by reading the table, which needs pandas only.
    """
    from synthaug.data import example_csv

    argv = [example_csv() if a == "EXAMPLE" else a for a in argv]
    code = ("import sys\nfrom synthaug.cli import main\n"
            "try:\n    rc = main(sys.argv[1:])\nexcept SystemExit as e:\n    rc = e.code\n"
            "print('JAX_IMPORTED' if 'jax' in sys.modules else 'NO_JAX', rc)")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120)
    last = out.stdout.strip().splitlines()[-1]
    if message is None:
        assert last.split()[0] == "NO_JAX" or argv == ["diagnose", "--help"]  # the --model help lists the models
    else:
        assert last == "NO_JAX 2" and message in out.stderr, (out.stdout, out.stderr)
