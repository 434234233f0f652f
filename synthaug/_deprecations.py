"""Moved and renamed names: one mechanism, a DeprecationWarning that names the new home.

Old import paths (``synthaug.fit``, ``synthaug.oversamplers``, ...) are modules in
``synthaug/_legacy/``, a folder on the package's ``__path__`` after the package itself,
so ``import synthaug.fit`` finds them while the new subpackages stay the only code. Each
holds one call to :func:`moved_module`; attribute access returns the very same object as
the new home and warns. They will be removed in synthaug 0.3.
"""

from __future__ import annotations

import importlib
import warnings

__all__ = ["moved_module", "deprecated_aliases"]


def _resolve(target: str):
    module, _, attr = target.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr) if attr else mod


def deprecated_aliases(module_name: str, aliases: dict, fallback=None):
    """A module ``__getattr__`` that resolves ``aliases`` (old name -> "module:name") with a warning."""

    def __getattr__(name):
        if name in aliases:
            target = aliases[name]
            warnings.warn(
                f"{module_name}.{name} is deprecated; use {target.replace(':', '.')}",
                DeprecationWarning,
                stacklevel=2,
            )
            return _resolve(target)
        if fallback is not None:
            return fallback(name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__


def moved_module(old: str, new: str, renamed: dict | None = None):
    """``(__getattr__, __dir__)`` for a shim module ``old`` whose contents moved to ``new``.

    Parameters
    ----------
    old, new : str
        Old and new dotted module paths.
    renamed : dict, optional
        Names that moved elsewhere or were renamed: old name -> ``"module:name"``.
    """
    renamed = dict(renamed or {})

    def fallback(name):
        if name.startswith("__"):
            raise AttributeError(name)
        mod = importlib.import_module(new)
        try:
            value = getattr(mod, name)
        except AttributeError:
            raise AttributeError(f"module {old!r} has no attribute {name!r} (it moved to {new!r})") from None
        warnings.warn(f"{old} is deprecated; import {name} from {new}", DeprecationWarning, stacklevel=3)
        return value

    def __dir__():
        return sorted(set(dir(importlib.import_module(new))) | set(renamed))

    return deprecated_aliases(old, renamed, fallback), __dir__
