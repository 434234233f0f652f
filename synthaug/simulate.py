"""Simulation designs: running them, the result type and the JSON contract.

The designs are modules of :mod:`synthaug.designs`, listed in its registry
:data:`synthaug.designs.DESIGNS` and each following
:class:`synthaug.designs.DesignModule`. :func:`run_design` runs one and returns a
:class:`SimulationResult` whose JSON form is the stable CLI contract::

    {"design", "reps", "seed", "version", "settings", "records": [...], "summaries": [...]}

Every record is one flat object with the keys of :data:`RECORD_KEYS` (null where a
key does not apply) plus design-specific keys; every summary has the keys of
:data:`SUMMARY_KEYS`.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import json
import math
from typing import Callable

import numpy as np

from synthaug.config import uses_x64
from synthaug.core.validation import check_allocation, check_bool, check_int, check_seed

#: Most Monte Carlo replications :func:`run_design` runs: the keys and the records of every
#: replication are held in memory together (an MCSE at 10**6 replications is already 0.1% of
#: the standard deviation).
MAX_REPS = 10**6
from synthaug.designs import DESIGNS, PROTOCOL_ATTRIBUTES, design_module

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
    """A simulation design, as read from its module (see :class:`synthaug.designs.DesignModule`).

    Parameters
    ----------
    name : str
        CLI name (the module's ``NAME``).
    description : str
        One line for ``--list`` (``DESCRIPTION``).
    generators : tuple of str
        Generator names the design accepts (``GENERATORS``).
    default_generators : tuple of str
        Those run when ``--generators`` is not given (``DEFAULT_GENERATORS``).
    run : callable
        ``run(key, reps, generators, *, quick, progress, dtype, batch_size) -> (records, summaries, settings)``.
    plot : callable
        ``plot(result) -> matplotlib.figure.Figure``.
    """

    name: str
    description: str
    generators: tuple[str, ...]
    default_generators: tuple[str, ...]
    run: Callable
    plot: Callable

    @classmethod
    def from_module(cls, module) -> "Design":
        """The design of a module that follows :class:`synthaug.designs.DesignModule`.

        Parameters
        ----------
        module : module or str
            The design module, or its import path.

        Returns
        -------
        Design
            One object per module (cached), so ``from_module(m) is from_module(m)``.
        """
        return _design_of(module if isinstance(module, str) else module.__name__)


@functools.lru_cache(maxsize=None)
def _design_of(module_name: str) -> Design:
    mod = importlib.import_module(module_name)
    missing = [a for a in PROTOCOL_ATTRIBUTES if not hasattr(mod, a)]
    if missing:
        raise TypeError(f"design module {module_name} lacks {', '.join(missing)} (see synthaug.designs.DesignModule)")
    return Design(mod.NAME, mod.DESCRIPTION, tuple(mod.GENERATORS), tuple(mod.DEFAULT_GENERATORS), mod.run, mod.plot)


@dataclasses.dataclass
class SimulationResult:
    """The outcome of :func:`run_design`: what ``synthaug simulate --out`` writes as JSON.

    Parameters
    ----------
    design : str
        The design's name.
    reps : int
        Monte Carlo replications per cell.
    seed : int
        Seed of the run's PRNG key.
    version : str
        synthaug version that produced it.
    records : list of dict
        Flat records (keys :data:`RECORD_KEYS` first).
    summaries : list of dict
        Summary rows (keys :data:`SUMMARY_KEYS` first).
    settings : dict
        The design's settings plus ``generators``, ``quick`` and ``dtype``.

    Examples
    --------
    >>> from synthaug import SimulationResult
    >>> res = SimulationResult(design="symmetry-test", reps=2, seed=0, version="0.1.0",
    ...                        records=[{"n1": 50, "T_sym": 1.2}], summaries=[], settings={"quick": True})
    >>> import json
    >>> json.loads(res.to_json())["records"]  # what ``synthaug simulate --out`` writes
    [{'n1': 50, 'T_sym': 1.2}]
    >>> res.select(n1=50)
    [{'n1': 50, 'T_sym': 1.2}]
    """

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
    """Names of the registered designs (:data:`synthaug.designs.DESIGNS`), in ``--list`` order.

    Examples
    --------
    >>> from synthaug import list_designs
    >>> names = list_designs()
    >>> "symmetry-test" in names and "biased-aligned" in names
    True
    """
    return list(DESIGNS)


def get_design(name: str) -> Design:
    """The registered design called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`synthaug.designs.DESIGNS`.

    Returns
    -------
    Design

    Raises
    ------
    ValueError
        If no design has that name.

    Examples
    --------
    >>> from synthaug import get_design, list_designs
    >>> design = get_design("symmetry-test")
    >>> design.name
    'symmetry-test'
    >>> all(get_design(name).name == name for name in list_designs())
    True
    """
    return Design.from_module(design_module(name))


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
    devices=None,
    executor=None,
    workers: int | None = None,
    cache_dir=None,
    timeout: float | None = None,
    retries: int = 2,
    split_reps: int | None = None,
) -> SimulationResult:
    """Run a registered design by name (see ``synthaug simulate --list``).

    Parameters
    ----------
    name : str
        A key of :data:`synthaug.designs.DESIGNS`.
    reps : int, optional
        Monte Carlo replications per cell, at least 2 (an MCSE needs two); default 100,
        or 20 with ``quick``.
    seed : int, default=0
        Non-negative seed of the PRNG key.
    generators : str or sequence of str, optional
        Generator names (a sequence or a comma-separated string), a subset of the
        design's ``GENERATORS``; default its ``DEFAULT_GENERATORS``.
    quick : bool, default=False
        Reduced grids for demos and tests (seconds to a minute).
    progress : bool, default=True
        Show a progress bar per cell.
    dtype : {"float64", "float32"}, optional
        Floating dtype of data and fits; default float64.
    batch_size : int, optional
        Replications per vmapped chunk (a memory bound); default chosen by the design.
    devices : None, int, "all", sequence of jax.Device or jax.sharding.Mesh, optional
        Lay every cell's replications out over these devices
        (:func:`synthaug.core.montecarlo.resolve_devices`); default one device. The records
        do not depend on the device count (replication ``r`` keeps its key; see
        :func:`synthaug.core.montecarlo.run_replications`). Several CPU devices need
        :func:`synthaug.config.cpu_devices` first. Not stored in the settings.
    executor : None, "processes", "dask", concurrent.futures.Executor or dask.distributed.Client, optional
        Compute the design's cells (one per replication call: one shape, one compilation) in
        parallel there and assemble them (:func:`synthaug.parallel.run_design_cells`); the
        records are identical to the in-process run. Default: in this process.
    workers : int, optional
        Worker processes for ``executor="processes"`` or ``"dask"``.
    cache_dir : str or path, optional
        A content-addressed cell cache: an interrupted run resumes where it stopped.
    timeout : float, optional
        Seconds per cell attempt (with ``executor``) before it is resubmitted.
    retries : int, default=2
        Resubmissions of a failing cell.
    split_reps : int, optional
        With ``executor``: cut every cell into tasks of at most this many replications at
        its chunk boundaries (set ``batch_size`` to make chunks), so that a design with one
        dominant cell still spreads over the workers; records unchanged.

    Returns
    -------
    SimulationResult
        Records, summaries and settings; the settings gain ``generators``, ``quick``
        and ``dtype``.

    Raises
    ------
    ValueError
        For an unknown design or generator, no generator, ``reps`` outside
        ``[2, MAX_REPS]`` (:data:`MAX_REPS`), a seed outside ``[0, 2**63 - 1]``,
        ``batch_size < 1`` or an unsupported dtype.

    Examples
    --------
    >>> from synthaug import run_design
    >>> res = run_design("symmetry-test", reps=2, quick=True, progress=False)  # doctest: +SKIP
    >>> res.design, res.reps  # doctest: +SKIP
    ('symmetry-test', 2)
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
    quick = check_bool(quick, "quick")
    check_bool(progress, "progress")
    if reps is None:
        reps = 20 if quick else 100
    try:
        reps = check_int(reps, "reps", 2)
        if reps > MAX_REPS:
            raise ValueError(f"reps must be at most {MAX_REPS}; got {reps}")
    except ValueError as err:
        raise ValueError(f"{err} (an MCSE needs two replications; more than {MAX_REPS:,} would hold every "
                         "replication's key and records in memory at once)") from None
    # every replication keeps its key and its records: refuse what cannot be held in memory
    check_allocation(reps, 64, "reps", copies=1.0, max_rows=None)
    seed = check_seed(seed)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size")
    dt = resolve_dtype(dtype)
    key = jax.random.PRNGKey(seed)
    from synthaug.core.montecarlo import use_devices

    if executor is not None or cache_dir is not None:
        from synthaug.parallel import CellSpec, run_design_cells

        spec = CellSpec(name, reps, seed, tuple(gens), bool(quick), str(np.dtype(dt)), batch_size)
        with use_devices(devices):
            records, summaries, settings = run_design_cells(spec, executor=executor, workers=workers,
                                                            cache_dir=cache_dir, timeout=timeout, retries=retries,
                                                            progress=progress, split_reps=split_reps)
    else:
        with use_devices(devices):
            records, summaries, settings = design.run(
                key, reps, gens, quick=quick, progress=progress, dtype=dt, batch_size=batch_size
            )
    settings = dict(settings, generators=list(gens), quick=bool(quick), dtype=str(np.dtype(dt)))
    return SimulationResult(name, reps, seed, __version__, records, summaries, settings)
