"""Result object shared by the statistical checks of :mod:`synthaug.testing.stats`."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

__all__ = ["StatCheckResult"]


def _fmt(x) -> str:
    a = np.asarray(x, float)
    if a.ndim == 0:
        return f"{float(a):.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in a.ravel()[:8]) + (", ..." if a.size > 8 else "") + "]"


@dataclasses.dataclass(frozen=True)
class StatCheckResult:
    """Outcome of one statistical check.

    Attributes
    ----------
    check
        name of the check (e.g. ``"check_unbiased"``).
    passed
        the null hypothesis of the check was not rejected at level ``alpha``.
    statistic
        the test statistic (or the estimate being tested).
    p_value
        the (multiplicity-adjusted) p-value; ``passed`` is ``p_value > alpha``.
    interval
        a confidence interval at level ``1 - alpha`` for the tested quantity (or None).
    alpha
        the false-failure rate: probability that a correct implementation fails.
    n_replications
        replications (or sample size) used.
    mcse
        Monte Carlo standard error(s) of the estimate.
    message
        what was tested, in words.
    details
        extra arrays (per-coordinate p-values, per-n means, ...).
    """

    check: str
    passed: bool
    statistic: Any
    p_value: float
    interval: Any
    alpha: float
    n_replications: int
    mcse: Any
    message: str = ""
    details: dict = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.passed)

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [f"{self.check}: {verdict} (p = {self.p_value:.3g}, alpha = {self.alpha:g}, "
                 f"{self.n_replications} replications)"]
        if self.message:
            lines.append(f"  {self.message}")
        lines.append(f"  statistic = {_fmt(self.statistic)}, MCSE = {_fmt(self.mcse)}")
        if self.interval is not None:
            lo, hi = (np.ravel(np.asarray(v, float)) for v in self.interval)
            parts = [f"({a:.4g}, {b:.4g})" for a, b in zip(lo[:8], hi[:8])]
            lines.append(f"  {100 * (1 - self.alpha):g}% interval{'s' if lo.size > 1 else ''} = "
                         + ", ".join(parts) + (", ..." if lo.size > 8 else ""))
        return "\n".join(lines)

    def raise_if_failed(self) -> "StatCheckResult":
        """Raise :class:`AssertionError` with the readable report when the check failed; return self otherwise."""
        if not self.passed:
            raise AssertionError(str(self))
        return self
