"""Simulation designs of synthaug, one module per design, found through :data:`DESIGNS`.

Run a design with ``synthaug simulate NAME`` or :func:`synthaug.run_design`. The engine
(losses, fits, generators, replications) lives in the rest of :mod:`synthaug`; a design
module only declares its populations, grids, size rules, metrics and figures.

Adding a design
---------------
Write one module in this package that follows :class:`DesignModule` and add one line
``"cli-name": "synthaug.designs.module"`` to :data:`DESIGNS`. Nothing else lists the
designs: :func:`synthaug.simulate.run_design`, ``synthaug simulate --list``, the CLI
help and the tests in ``tests/designs/`` all read :data:`DESIGNS`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["DESIGNS", "DesignModule", "PROTOCOL_ATTRIBUTES", "design_module"]

#: Design name -> module path, in the order ``synthaug simulate --list`` prints them.
#: Modules are imported only when a design is asked for.
DESIGNS: dict[str, str] = {
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

def design_module(name: str) -> str:
    """The import path of the design ``name``, or ValueError listing the designs (imports nothing)."""
    if name not in DESIGNS:
        raise ValueError(f"unknown design {name!r}; available designs: {', '.join(DESIGNS)}")
    return DESIGNS[name]


#: The module attributes every design defines (see :class:`DesignModule`).
PROTOCOL_ATTRIBUTES = ("NAME", "DESCRIPTION", "GENERATORS", "DEFAULT_GENERATORS", "run", "plot")


@runtime_checkable
class DesignModule(Protocol):
    """The contract of a design module (a module satisfies it structurally).

    Attributes
    ----------
    NAME : str
        The design's CLI name; equal to its key in :data:`DESIGNS`.
    DESCRIPTION : str
        One line for ``synthaug simulate --list``.
    GENERATORS : tuple of str
        Generator names the design accepts (``--generators``).
    DEFAULT_GENERATORS : tuple of str
        The subset of :attr:`GENERATORS` run when none is given.
    """

    NAME: str
    DESCRIPTION: str
    GENERATORS: tuple[str, ...]
    DEFAULT_GENERATORS: tuple[str, ...]

    def run(self, key, reps: int, generators: tuple[str, ...], *, quick: bool, progress: bool, dtype,
            batch_size: int | None) -> tuple[list[dict], list[dict], dict[str, Any]]:
        """Run the design's Monte Carlo experiment.

        Parameters
        ----------
        key : jax.Array
            PRNG key of the whole run; the design derives every replication's key from it.
        reps : int
            Monte Carlo replications per cell (at least 2, checked by
            :func:`synthaug.simulate.run_design`).
        generators : tuple of str
            The generators to run, a non-empty subset of ``GENERATORS``.
        quick : bool
            Reduced grids for demos and tests (seconds to a minute).
        progress : bool
            Show a progress bar per cell.
        dtype : numpy.dtype
            Floating dtype of the data and the fits (float32 or float64).
        batch_size : int or None
            Replications per vmapped chunk; ``None`` lets the design choose from its
            memory estimate (:func:`synthaug.designs._common.auto_batch`).

        Returns
        -------
        records : list of dict
            Flat result records built with :func:`synthaug.simulate.record`.
        summaries : list of dict
            Summary rows built with :func:`synthaug.simulate.summary`.
        settings : dict
            The design's JSON-able settings (grids, sizes, constants).
        """

    def plot(self, result):
        """Draw the design's figure.

        Parameters
        ----------
        result : synthaug.simulate.SimulationResult
            A result of this design (possibly read back from JSON).

        Returns
        -------
        matplotlib.figure.Figure
        """
