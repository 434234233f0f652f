"""Shared plumbing of the trained generators (MOMS, LEO-CVAE): one home for their hyperparameters.

A trained generator has a factory (``moms``, ``leo_cvae``) whose signature is the one list
of its hyperparameters and their defaults (the imbalanced-learn samplers mirror it, and a
test checks they agree). Its lower-level ``*_fit`` function takes the same keyword
arguments; :func:`factory_params` completes them from the factory's signature, so names
and defaults are written once.
"""

from __future__ import annotations

import inspect
from typing import Callable, Iterable

__all__ = ["factory_params"]


def factory_params(factory: Callable, params: dict, exclude: Iterable[str] = ("name",)) -> dict:
    """``params`` completed with ``factory``'s defaults, in the factory's parameter order.

    Parameters
    ----------
    factory : callable
        The generator factory whose keyword parameters are the hyperparameters.
    params : dict
        Keyword arguments given by the caller (a subset of the factory's parameters).
    exclude : iterable of str, default=("name",)
        Factory parameters that are not hyperparameters of the fit.

    Returns
    -------
    dict
        Every hyperparameter, given or default.

    Raises
    ------
    TypeError
        If ``params`` holds a name the factory does not take (or one in ``exclude``).
    """
    signature = inspect.signature(factory).parameters
    names = [p for p in signature if p not in set(exclude)]
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise TypeError(f"unexpected parameter(s) {unknown}; the parameters of {factory.__name__} are {names}")
    return {p: params[p] if p in params else signature[p].default for p in names}
