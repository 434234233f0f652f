r"""Use any over-sampler as a synthaug :class:`~synthaug.generators.basic.Generator`.

:func:`as_generator` accepts

* a :class:`Generator` (returned as is) or a generator name (``"smote"``, …);
* an imbalanced-learn over-sampler object (``SMOTE()``, ``ADASYN()``,
  ``BorderlineSMOTE()``, …) – :func:`from_imblearn`;
* a plain callable ``fn(X_minority, n, random_state)`` returning ``n`` rows
  (it may also take a keyword ``X_majority``) – :func:`from_callable`.

Host (NumPy) code enters JAX through :func:`jax.pure_callback` with the known
output shape ``(n, d)``, so adapted generators work inside the jitted and
vmapped diagnosis (vmapped calls run one after another). The callback receives
an integer seed derived from the JAX key, so results are reproducible.

**imbalanced-learn adapter (documented choices).** The sampler is cloned and
called on the minority rows (label 1) together with the majority rows (label 0)
with ``sampling_strategy={1: n1 + n}`` and ``random_state`` set from the key;
the rows it appends are the synthetic rows (imbalanced-learn appends new rows
after the originals). ADASYN's per-row rounding can return a few rows more or
fewer than asked: extra rows are cut (the first ``n`` are kept) and a shortfall
is filled by calling the sampler again with the next seed, until ``n`` rows
exist.
"""

from __future__ import annotations

import inspect
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.generators.basic import Generator, host_encode, pure_callback_rows
from synthaug.generators.registry import cached, make_generator

__all__ = ["as_generator", "from_imblearn", "from_callable"]


def _seed(key):
    return jax.random.randint(key, (), 0, 2**31 - 1, dtype=jnp.int32)


def _callback_generator(name, host_fn, min_rows):
    def fn(key, X1, n, X0):
        def host(seed, x1, x0):
            rows = np.asarray(host_fn(np.asarray(x1), n, int(seed), np.asarray(x0)), dtype=x1.dtype)
            if rows.shape != (n, x1.shape[1]):
                raise ValueError(f"generator {name!r} returned shape {rows.shape}; expected {(n, x1.shape[1])}")
            if not np.all(np.isfinite(rows)):
                raise ValueError(f"generator {name!r} returned NaN or infinite values")
            return host_encode(rows)

        return pure_callback_rows(host, (n, X1.shape[1]), X1.dtype, _seed(key), X1, X0)

    return Generator(name, fn, min_rows=min_rows, uses_majority=True)


def from_imblearn(sampler, name: str | None = None) -> Generator:
    """Wrap an imbalanced-learn over-sampler (see the module docstring)."""
    from sklearn.base import clone

    if not hasattr(sampler, "fit_resample") or not hasattr(sampler, "get_params"):
        raise ValueError(f"{sampler!r} is not an imbalanced-learn sampler (no fit_resample/get_params)")
    params = sampler.get_params()
    if "sampling_strategy" not in params:
        raise ValueError(f"{type(sampler).__name__} has no sampling_strategy; it is not an over-sampler")
    k = params.get("k_neighbors", params.get("n_neighbors"))
    min_rows = int(k) + 1 if isinstance(k, numbers.Integral) else 2
    name = name or type(sampler).__name__

    def host(x1, n, seed, x0):
        n1 = x1.shape[0]
        X = np.concatenate([x0, x1])
        y = np.r_[np.zeros(x0.shape[0], int), np.ones(n1, int)]
        parts, got, attempt = [], 0, 0
        while got < n:
            s = clone(sampler).set_params(sampling_strategy={1: n1 + (n - got)}, random_state=seed + attempt)
            Xr, yr = s.fit_resample(X, y)
            new = np.asarray(Xr)[X.shape[0]:]
            if not np.all(np.asarray(yr)[X.shape[0]:] == 1):
                raise ValueError(f"{name} appended rows that are not minority rows")
            if new.shape[0] == 0:
                raise ValueError(f"{name} produced no synthetic rows")
            parts.append(new)
            got += new.shape[0]
            attempt += 1
            if attempt > 20:
                raise ValueError(f"{name} kept returning too few rows")
        return np.concatenate(parts)[:n]

    return _callback_generator(name, host, min_rows)


def from_callable(fn, name: str | None = None, min_rows: int = 1) -> Generator:
    """Wrap ``fn(X_minority, n, random_state[, X_majority=...]) -> (n, d)`` array."""
    if not callable(fn):
        raise ValueError(f"{fn!r} is not callable")
    try:
        takes_majority = "X_majority" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        takes_majority = False
    name = name or getattr(fn, "__name__", "callable")

    def host(x1, n, seed, x0):
        if takes_majority:
            return fn(x1, n, seed, X_majority=x0)
        return fn(x1, n, seed)

    return _callback_generator(name, host, min_rows)


def as_generator(obj, **params) -> Generator:
    """A :class:`Generator` from a name, a Generator, an imbalanced-learn sampler or a callable.

    An adapter is reused for an equal configuration (the sampler's class and parameters, or
    the callable itself) through the one generator cache,
    :func:`synthaug.generators.registry.cached`, so jitted code compiles once per
    configuration, as for :func:`~synthaug.generators.registry.make_generator`.
    """
    if isinstance(obj, Generator):
        if params:
            raise ValueError("generator parameters can only be given with a generator name")
        return obj
    if isinstance(obj, str):
        return make_generator(obj, **params)
    if params:
        raise ValueError("generator parameters can only be given with a generator name")
    if hasattr(obj, "fit_resample"):
        try:
            key = ("imblearn", type(obj), tuple(sorted((k, repr(v)) for k, v in obj.get_params(deep=False).items())))
        except Exception:  # noqa: BLE001 - no get_params: from_imblearn raises a clear error
            return from_imblearn(obj)
        return cached(key, lambda: from_imblearn(obj))
    if callable(obj):
        return cached(("callable", obj), lambda: from_callable(obj))
    raise ValueError(
        f"cannot use {obj!r} as a generator: pass a name, a synthaug Generator, an imbalanced-learn "
        "over-sampler or a callable fn(X_minority, n, random_state)"
    )
