"""The generator registry: name -> factory, and the one generator cache.

:data:`GENERATOR_FACTORIES` maps each data-driven generator's name to its factory, given
as a lazy ``"module:function"`` string (a generator module loads only when its name is
used) or as the factory itself. Adding a generator is one module plus one line here; the
registry-wide contract test (``tests/generators/test_registry.py``) and the
imbalanced-learn sampler checks find the new name by themselves.

:func:`make_generator` builds a generator by name. ``make_generator(name, **p)`` returns
the same object for the same arguments, so jitted functions that take the generator as a
static argument compile once per configuration. That promise is kept by one cache,
:func:`cached`, keyed by ``(name, frozen params)``; the adapters of
:mod:`synthaug.generators.adapters` (imbalanced-learn samplers, plain callables) share it
under their own keys. Generators built from unhashable parameters are built afresh.

The :class:`~synthaug.generators.basic.Generator` protocol itself lives in
:mod:`synthaug.generators.basic`, next to the simplest generators that spell it out;
this module imports no generator module until a name is asked for.
"""

from __future__ import annotations

import importlib
import inspect
import numbers
from collections import OrderedDict
from typing import Callable, Hashable

import numpy as np

__all__ = ["GENERATOR_FACTORIES", "GENERATOR_NAMES", "make_generator", "resolve_factory", "cached"]

#: Data-driven generators usable by name anywhere (``synthaug diagnose --generator``, the
#: designs, VTSS, the samplers). ``oracle``, ``fixed`` and ``semi-oracle`` need the true
#: distribution and are built by each simulation design from its population.
GENERATOR_FACTORIES: dict = {
    "smote": "synthaug.generators.basic:smote",
    "gaussian": "synthaug.generators.basic:gaussian_fit",
    "jitter": "synthaug.generators.basic:jitter",
    "random": "synthaug.generators.basic:random_oversampling",
    "gk-smote": "synthaug.generators.gk_smote:gk_smote",
    "moms": "synthaug.generators.moms:moms",
    "leo-cvae": "synthaug.generators.leo_cvae:leo_cvae",
    "bootstrap": "synthaug.generators.basic:bootstrap",
    "shrink": "synthaug.generators.basic:shrink",
    "gmm-em50": "synthaug.generators.mixture:gmm_em50",
    "smote-global": "synthaug.generators.basic:smote_global",
    "borderline-smote": "synthaug.generators.borderline:borderline_smote",
    "borderline-smote-2": "synthaug.generators.borderline:borderline_smote2",
    "adasyn": "synthaug.generators.adasyn:adasyn",
    "smote-nc": "synthaug.generators.smote_nc:smote_nc",
    "smoothed-bootstrap": "synthaug.generators.kde:smoothed_bootstrap",
    "kde": "synthaug.generators.kde:smoothed_bootstrap",
    "gmm": "synthaug.generators.mixture:gaussian_mixture",
    "svm-smote": "synthaug.generators.svm_smote:svm_smote",
    "kmeans-smote": "synthaug.generators.kmeans_smote:kmeans_smote",
    "smoten": "synthaug.generators.smoten:smoten",
    "smote-tomek": "synthaug.generators.smote_cleaning:smote_tomek",
    "smote-enn": "synthaug.generators.smote_cleaning:smote_enn",
}
GENERATOR_NAMES = tuple(GENERATOR_FACTORIES)

_CACHE_SIZE = 256
_CACHE: OrderedDict = OrderedDict()


def cached(key: Hashable, build: Callable):
    """The object built by ``build()`` for ``key``, built once and then reused.

    Parameters
    ----------
    key : hashable
        Identifies the configuration, e.g. ``("registry", name, frozen_params)``. An
        unhashable key is not cached: ``build()`` is called every time.
    build : callable
        Builds the object (no arguments).

    Returns
    -------
    object
        The same object for equal keys, so jitted code that takes it as a static argument
        compiles once per configuration. The cache holds the 256 most recently used keys.
    """
    try:
        hash(key)
    except TypeError:
        return build()
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    value = build()
    _CACHE[key] = value
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return value


def resolve_factory(name: str) -> Callable:
    """The factory registered under ``name`` (a lazy ``"module:function"`` entry is imported).

    Raises
    ------
    ValueError
        If ``name`` is not registered.
    """
    if name not in GENERATOR_FACTORIES:
        raise ValueError(
            f"unknown generator {name!r}; data-driven generators are {sorted(GENERATOR_FACTORIES)} "
            "(oracle, fixed and semi-oracle are provided by the simulation designs)"
        )
    factory = GENERATOR_FACTORIES[name]
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
    return factory


def make_generator(name: str, **params):
    """A data-driven generator by name.

    ``make_generator(name, **p)`` returns the same object for the same arguments, so jitted
    functions that take the generator as a static argument compile once.

    Parameters
    ----------
    name : str
        A key of :data:`GENERATOR_FACTORIES`.
    **params
        Keyword arguments of that factory.

    Returns
    -------
    Generator
        The generator; one object per ``(name, params)`` when the parameter values are
        hashable, a fresh one otherwise.

    Raises
    ------
    ValueError
        If ``name`` is not registered, or the factory rejects ``params``.

    Examples
    --------
    >>> import jax
    >>> import jax.numpy as jnp
    >>> from synthaug import make_generator
    >>> smote = make_generator("smote", k=3)
    >>> smote is make_generator("smote", k=3)  # one object per configuration
    True
    >>> X1 = jax.random.normal(jax.random.key(0), (10, 2))
    >>> smote(jax.random.key(1), X1, 5).shape
    (5, 2)
    """
    factory = resolve_factory(name)
    check_params(name, factory, params)
    return cached(("registry", name, tuple(sorted(params.items()))), lambda: factory(**params))


def _kind(default):
    """The type a parameter with this default must have: (label, test) or None (no check)."""
    if isinstance(default, str) and default == "auto":  # "auto" or a number (KMeans-SMOTE): the factory checks
        return None
    if isinstance(default, bool):
        return "a boolean (True or False)", lambda v: isinstance(v, (bool, np.bool_))
    if isinstance(default, numbers.Integral):
        return "an integer", lambda v: (isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))) or (
            isinstance(v, (float, np.floating)) and float(v).is_integer())
    if isinstance(default, numbers.Real):
        return "a number (float)", lambda v: isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))
    if isinstance(default, str):
        return "a string", lambda v: isinstance(v, str)
    return None


def check_params(name: str, factory: Callable, params: dict) -> None:
    """Refuse unknown parameters and values of the wrong type before ``factory`` runs.

    Each parameter's type is that of the factory's default (a boolean, an integer, a number
    or a string; parameters defaulting to None are left to the factory's own checks), so a
    string ``"0.1"`` for a float gets a message naming the parameter and the type expected
    instead of an error from deep inside NumPy.

    Raises
    ------
    ValueError
        Naming the generator, the parameter and the expected type.
    """
    try:
        sig = inspect.signature(factory)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return
    free = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    named = [p for p in sig.parameters.values() if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
    for key, value in params.items():
        if key not in sig.parameters:
            if free:
                continue
            raise ValueError(
                f"generator {name!r} has no parameter {key!r}; its parameters are {[p.name for p in named]}"
            )
        kind = _kind(sig.parameters[key].default)
        if kind is not None and not kind[1](value):
            from synthaug.core.validation import plain

            raise ValueError(f"{key} (generator {name!r}) must be {kind[0]}; got {plain(value)}")
