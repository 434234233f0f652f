"""Simulation designs: the registry, the result type and the JSON contract.

Each design (one module in the top-level ``simulations`` package) exposes a
:class:`Design`. :func:`run_design` runs one and returns a
:class:`SimulationResult` whose JSON form is the stable CLI contract::

    {"design", "reps", "seed", "version", "settings", "records": [...], "summaries": [...]}

Every record is one flat object with the keys of :data:`RECORD_KEYS` (null where a
key does not apply) plus design-specific keys; every summary has the keys of
:data:`SUMMARY_KEYS`.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
from typing import Callable

from synthaug.config import uses_x64
import numpy as np

__all__ = [
    "Design",
    "SimulationResult",
    "RECORD_KEYS",
    "SUMMARY_KEYS",
    "record",
    "summary",
    "list_designs",
    "get_design",
    "run_design",
]

RECORD_KEYS = (
    "design",
    "method",
    "generator",
    "n0",
    "n1",
    "n_synthetic",
    "gamma",
    "metric",
    "mean",
    "mcse",
    "reps",
)
SUMMARY_KEYS = ("kind", "method", "generator", "x", "y", "estimate", "ci_low", "ci_high")

#: Design names, in the order ``synthaug simulate --list`` prints them.
DESIGN_MODULES = {
    "biased-aligned": "synthaug.designs.biased_aligned",
    "realistic-aligned": "synthaug.designs.realistic_aligned",
    "mean-shift-symmetry": "synthaug.designs.mean_shift_symmetry",
    "logistic-symmetry": "synthaug.designs.logistic_symmetry",
    "symmetry-test": "synthaug.designs.symmetry_test",
    "tgvtss-linear": "synthaug.designs.tgvtss_linear",
    "tgvtss-nonlinear": "synthaug.designs.tgvtss_nonlinear",
    "nonsynthetic": "synthaug.designs.nonsynthetic",
    "bias-correction": "synthaug.designs.bias_correction",
    "smote-bias": "synthaug.designs.smote_bias",
    "bc-multitask": "synthaug.designs.bc_multitask",
    "bc-ate": "synthaug.designs.bc_ate",
}


def _clean(v):
    """JSON-safe scalar: numpy → Python, NaN/inf → None."""
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _clean_tree(obj):
    """Recursively make a settings tree JSON-safe (numpy → Python, NaN/inf → None)."""
    if isinstance(obj, dict):
        return {str(k): _clean_tree(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_tree(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean_tree(obj.tolist())
    return _clean(obj)


def record(design, method, generator, n0, n1, n_synthetic, gamma, metric, mean, mcse, reps, **extra) -> dict:
    """One flat result record with the contract keys first."""
    out = dict(
        design=design,
        method=method,
        generator=generator,
        n0=n0,
        n1=n1,
        n_synthetic=n_synthetic,
        gamma=gamma,
        metric=metric,
        mean=mean,
        mcse=mcse,
        reps=reps,
    )
    out.update(extra)
    return {k: _clean(v) for k, v in out.items()}


def summary(kind, method, generator, x, y, estimate, ci_low, ci_high, **extra) -> dict:
    """One summary row (e.g. a log–log slope with its CI)."""
    out = dict(kind=kind, method=method, generator=generator, x=x, y=y, estimate=estimate, ci_low=ci_low, ci_high=ci_high)
    out.update(extra)
    return {k: _clean(v) for k, v in out.items()}


@dataclasses.dataclass(frozen=True)
class Design:
    """A simulation design.

    Attributes:
      name: CLI name.
      description: one line for ``--list``.
      generators: generator names the design accepts.
      default_generators: those run when ``--generators`` is not given.
      run: ``run(key, reps, generators, quick, progress, dtype, batch_size) -> (records, summaries, settings)``.
      plot: ``plot(result) -> matplotlib Figure``.
    """

    name: str
    description: str
    generators: tuple[str, ...]
    default_generators: tuple[str, ...]
    run: Callable
    plot: Callable


@dataclasses.dataclass
class SimulationResult:
    design: str
    reps: int
    seed: int
    version: str
    records: list
    summaries: list
    settings: dict = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "design": self.design,
            "reps": self.reps,
            "seed": self.seed,
            "version": self.version,
            "settings": _clean_tree(self.settings),
            "records": self.records,
            "summaries": self.summaries,
        }

    def to_json(self, path=None, indent: int = 1) -> str:
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)
        if path is not None:
            with open(path, "w") as fh:
                fh.write(text + "\n")
        return text

    @classmethod
    def from_json(cls, path) -> "SimulationResult":
        with open(path) as fh:
            d = json.load(fh)
        return cls(d["design"], d["reps"], d["seed"], d["version"], d["records"], d["summaries"], d.get("settings", {}))

    def select(self, **where) -> list:
        """Records whose keys equal the given values."""
        return [r for r in self.records if all(r.get(k) == v for k, v in where.items())]

    def plot(self, path=None):
        fig = get_design(self.design).plot(self)
        if path is not None:
            fig.savefig(path, dpi=130, bbox_inches="tight")
        return fig


def list_designs() -> list[str]:
    return list(DESIGN_MODULES)


def get_design(name: str) -> Design:
    if name not in DESIGN_MODULES:
        raise ValueError(f"unknown design {name!r}; available designs: {', '.join(DESIGN_MODULES)}")
    return importlib.import_module(DESIGN_MODULES[name]).DESIGN


@uses_x64
def run_design(
    name: str,
    *,
    reps: int | None = None,
    seed: int = 0,
    generators=None,
    quick: bool = False,
    progress: bool = True,
    dtype=None,
    batch_size: int | None = None,
) -> SimulationResult:
    """Run a design by name (see ``synthaug simulate --list``).

    Args:
      reps: Monte Carlo replications (default 100, or the quick default with ``quick``).
      seed: integer seed of the PRNG key.
      generators: sequence (or comma-separated string) of generator names; default
        the design's defaults. Unknown names raise ``ValueError``.
      quick: reduced grids for demos and tests (seconds).
      dtype: ``"float64"`` (default) or ``"float32"``.
      batch_size: replications per vmapped chunk (memory bound).
    """
    import jax

    from synthaug import __version__
    from synthaug.config import resolve_dtype

    design = get_design(name)
    if generators is None:
        gens = design.default_generators
    else:
        gens = tuple(g.strip() for g in (generators.split(",") if isinstance(generators, str) else generators))
        gens = tuple(g for g in gens if g)
        if not gens:
            raise ValueError("no generator given")
        unknown = [g for g in gens if g not in design.generators]
        if unknown:
            raise ValueError(
                f"unknown generator(s) {', '.join(map(repr, unknown))} for design {name!r}; "
                f"available: {', '.join(design.generators)}"
            )
    if reps is None:
        reps = 20 if quick else 100
    if int(reps) != reps or reps < 2:
        raise ValueError(f"reps must be an integer >= 2 (an MCSE needs two replications); got {reps}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed}")
    if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
        raise ValueError(f"batch_size must be a positive integer; got {batch_size}")
    dt = resolve_dtype(dtype)
    key = jax.random.PRNGKey(int(seed))
    records, summaries, settings = design.run(
        key, int(reps), gens, quick=quick, progress=progress, dtype=dt, batch_size=batch_size
    )
    settings = dict(settings, generators=list(gens), quick=bool(quick), dtype=str(np.dtype(dt)))
    return SimulationResult(name, int(reps), int(seed), __version__, records, summaries, settings)
