"""Every Python block of README.md runs as pasted.

Each ```python block runs in a fresh interpreter, in a temporary directory, on its own (a reader
may paste any one of them), with nothing from the test suite's configuration. A block may be
preceded by an HTML comment that tells this test how to run it at reduced scale:

    <!-- readme-test: replace "reps=100" "reps=4" -->     (repeatable; the text must occur)
    <!-- readme-test: skip REASON -->                      (only for blocks that cannot run here)

so what runs is the printed code up to the named sizes. The expected-output comments of a block
(``# [1/3, 0] ...``) are for the reader and are not compared; the outputs that the README shows
are regenerated from the code by hand and must say how long they take when over a minute.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
_DIRECTIVE = re.compile(r"<!--\s*readme-test:\s*(.*?)\s*-->")
_REPLACE = re.compile(r'replace\s+"([^"]*)"\s+"([^"]*)"')


def readme_blocks(text: str):
    """``(line, code, directives)`` for each ```python block of ``text`` (line is 1-based)."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].strip() == "```python":
            start, body = i + 1, []
            directives = []
            j = i - 1
            while j >= 0 and _DIRECTIVE.search(lines[j]):  # directives directly above the fence
                directives.insert(0, _DIRECTIVE.search(lines[j]).group(1))
                j -= 1
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            blocks.append((start + 1, "\n".join(body) + "\n", directives))
        i += 1
    return blocks


def _prepare(code: str, directives: list[str]) -> str | None:
    for d in directives:
        if d.startswith("skip"):
            return None
        m = _REPLACE.fullmatch(d)
        if m is None:
            raise ValueError(f"unknown readme-test directive {d!r}")
        if m.group(1) not in code:
            raise ValueError(f"readme-test directive {d!r}: {m.group(1)!r} is not in the block")
        code = code.replace(m.group(1), m.group(2))
    return code


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def test_readme_has_python_blocks_and_none_is_skipped_silently():
    assert len(BLOCKS) >= 6
    for line, _, directives in BLOCKS:
        for d in directives:
            assert not d.startswith("skip") or len(d.split()) > 1, f"README line {line}: a skip needs a reason"


def _run_block(code: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTHESIS", "PYTEST"))}
    env["SYNTHAUG_NO_CACHE"] = "1"
    env["MPLBACKEND"] = "Agg"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def block_runs(tmp_path_factory):
    """Run every runnable block once, two interpreters at a time (the blocks are independent and
    mostly wait on single-threaded compilation, so two cores halve the wall time)."""
    jobs = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for line, code, directives in BLOCKS:
            code = _prepare(code, directives)
            if code is not None:
                jobs[line] = (code, pool.submit(_run_block, code, tmp_path_factory.mktemp(f"readme{line}")))
        return {line: (code, job.result()) for line, (code, job) in jobs.items()}


@pytest.mark.parametrize("line, code, directives", BLOCKS, ids=[f"line{b[0]}" for b in BLOCKS])
def test_readme_block_runs(line, code, directives, block_runs):
    if line not in block_runs:
        pytest.skip(f"README line {line}: {directives}")
    code, out = block_runs[line]
    assert out.returncode == 0, f"README block at line {line} failed:\n{code}\n--- stderr ---\n{out.stderr[-4000:]}"


def test_directives_are_checked():
    assert _prepare("reps=100\n", ['replace "reps=100" "reps=4"']) == "reps=4\n"
    assert _prepare("x\n", ["skip needs a GPU"]) is None
    with pytest.raises(ValueError, match="not in the block"):
        _prepare("x\n", ['replace "reps=100" "reps=4"'])
    with pytest.raises(ValueError, match="unknown"):
        _prepare("x\n", ["frobnicate"])
    assert readme_blocks('<!-- readme-test: replace "a" "b" -->\n```python\na = 1\n```\n') == [
        (3, "a = 1\n", ['replace "a" "b"'])]
