"""The fuzz suite's outcome report: counts per outcome class at the end of the run.

Set ``SYNTHAUG_FUZZ_REPORT=path.json`` to also write the counts and the failing cases.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import fuzz_outcomes  # noqa: E402


def pytest_terminal_summary(terminalreporter):
    tally = fuzz_outcomes.TALLY
    if not tally:
        return
    terminalreporter.write_sep("-", "fuzz outcomes")
    for outcome in fuzz_outcomes.PASSING + fuzz_outcomes.FAILING:
        terminalreporter.write_line(f"{outcome:18s} {tally.get(outcome, 0)}")
    for case, outcome, detail in fuzz_outcomes.FAILURES[:50]:
        terminalreporter.write_line(f"FAILED CASE {case}: {outcome}: {detail}")
    path = os.environ.get("SYNTHAUG_FUZZ_REPORT")
    if path:
        with open(path, "w") as fh:
            json.dump({"counts": dict(tally), "failures": fuzz_outcomes.FAILURES}, fh, indent=1)
