"""Contract checks for generators, samplers and classifiers.

:func:`check_generator` runs every generator check and raises :class:`AssertionError`
naming the check and what was wrong (``"check_generator(jitter): output has 9 rows,
expected 10"``). :func:`generator_checks` yields the individual checks, and
:func:`parametrize_with_checks` turns them into a pytest parametrisation, in the
manner of imbalanced-learn's ``parametrize_with_checks`` (Lemaître, Nogueira & Aridas,
*JMLR* 18, 2017). Samplers and classifiers are checked against the scikit-learn
estimator contract (Buitinck et al., 2013) plus a pandas round trip and exact
synthetic counts. Deterministic: every check uses fixed keys; the one statistical
check (row-permutation invariance in distribution) runs at level 1e-6.
"""

from __future__ import annotations

import inspect
from typing import Callable, Iterator

import numpy as np

__all__ = ["check_generator", "generator_checks", "check_sampler", "sampler_checks", "check_estimator",
           "estimator_checks", "parametrize_with_checks"]

PERMUTATION_ALPHA = 1e-6


def _name(obj) -> str:
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def _fail(check: str, obj, what: str):
    raise AssertionError(f"{check}({_name(obj)}): {what}")


def _data(d=3, n1=12, n0=40, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X1 = (rng.normal(size=(n1, d)) + 1.0).astype(dtype)
    X0 = rng.normal(size=(n0, d)).astype(dtype)
    return X1, X0


def _accepts_majority(gen) -> bool:
    if getattr(gen, "uses_majority", False):
        return True
    try:
        sig = inspect.signature(gen)
    except (TypeError, ValueError):
        return False
    return "X_majority" in sig.parameters or any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


def _call(gen, key, X1, n, X0):
    if _accepts_majority(gen):
        return gen(key, X1, n, X_majority=X0)
    return gen(key, X1, n)


def _min_rows(gen) -> int:
    return int(getattr(gen, "min_rows", 1))


def _n1(gen, n1):
    return max(n1, _min_rows(gen) + 8)


def generator_checks(gen, *, n: int = 200, d: int = 3, n1: int = 12, prefix_consistent: bool | None = None
                     ) -> Iterator[tuple[str, Callable[[], None]]]:
    """The individual generator checks as ``(name, thunk)`` pairs (each thunk raises AssertionError).

    ``prefix_consistent`` (default: ``gen.prefix_consistent`` if set, else False) asks for
    ``gen(key, X, m) == gen(key, X, n)[:m]`` for m < n (nested pools).
    """
    import jax
    import jax.numpy as jnp

    n1 = _n1(gen, n1)
    key = jax.random.key(20260)
    if prefix_consistent is None:
        prefix_consistent = bool(getattr(gen, "prefix_consistent", False))
    x64 = jnp.zeros(()).dtype == jnp.float64

    def shape_dtype():
        for dt in (np.float64, np.float32):
            X1, X0 = _data(d, n1, dtype=dt)
            out = _call(gen, key, X1, n, X0)
            shp = tuple(np.shape(out))
            if shp != (n, d):
                rows = shp[0] if shp else 0
                if len(shp) == 2 and shp[1] == d:
                    _fail("check_generator", gen, f"output has {rows} rows, expected {n}")
                _fail("check_generator", gen, f"output has shape {shp}, expected {(n, d)}")
            want = jnp.asarray(X1).dtype if (x64 or dt == np.float32) else jnp.float32
            if jnp.asarray(out).dtype != want:
                _fail("check_generator", gen, f"output dtype {jnp.asarray(out).dtype} for {np.dtype(dt)} input, "
                                              f"expected {want}")
        X1, X0 = _data(d, n1)
        empty = tuple(np.shape(_call(gen, key, X1, 0, X0)))
        if empty != (0, d):
            _fail("check_generator", gen, f"n = 0 gave shape {empty}, expected {(0, d)}")

    def deterministic():
        X1, X0 = _data(d, n1)
        a = np.asarray(_call(gen, key, X1, n, X0))
        b = np.asarray(_call(gen, key, X1, n, X0))
        if not np.array_equal(a, b, equal_nan=True):
            _fail("check_generator", gen, "two calls with the same key gave different rows (not deterministic)")
        c = np.asarray(_call(gen, jax.random.fold_in(key, 1), X1, n, X0))
        if np.array_equal(a, c, equal_nan=True):
            _fail("check_generator", gen, "two different keys gave identical rows (the key is ignored)")

    def finite():
        X1, X0 = _data(d, n1)
        cases = {"Gaussian minority": X1, "all minority rows identical": np.repeat(X1[:1], n1, 0),
                 "a constant column": np.column_stack([X1[:, :-1], np.full(n1, 3.0)]) if d > 1 else X1,
                 "scale 1e-8": X1 * 1e-8, "scale 1e8": X1 * 1e8}
        for what, X in cases.items():
            X0c = X0 * 1e-8 if what == "scale 1e-8" else X0 * 1e8 if what == "scale 1e8" else X0
            try:
                out = np.asarray(_call(gen, key, X, n, X0c))
            except ValueError:
                if what == "Gaussian minority":
                    raise
                continue  # refusing degenerate input with a clear ValueError is allowed
            if not np.all(np.isfinite(out)):
                _fail("check_generator", gen, f"non-finite output for {what} ({int(np.sum(~np.isfinite(out)))} "
                                              f"entries)")

    def no_mutation():
        X1, X0 = _data(d, n1)
        c1, c0 = X1.copy(), X0.copy()
        _call(gen, key, X1, n, X0)
        if not np.array_equal(X1, c1):
            _fail("check_generator", gen, "the call mutated X_minority")
        if not np.array_equal(X0, c0):
            _fail("check_generator", gen, "the call mutated X_majority")

    def below_minimum():
        m = _min_rows(gen) - 1
        X1, X0 = _data(d, max(m, 1))
        X1 = X1[:m]
        try:
            _call(gen, key, X1, n, X0)
        except ValueError:
            return
        except Exception as exc:  # noqa: BLE001
            _fail("check_generator", gen, f"{m} minority rows (below min_rows={m + 1}) raised "
                                          f"{type(exc).__name__}, expected ValueError")
        _fail("check_generator", gen, f"{m} minority rows (below min_rows={m + 1}) did not raise ValueError")

    def permutation():
        from scipy import stats

        X1, X0 = _data(d, n1)
        perm = np.random.default_rng(1).permutation(n1)
        # n rows (the shape the other checks compiled for): KS power is ample for a generator that
        # favours some rows by position, and a correct one fails with probability below 1e-6
        a = np.asarray(_call(gen, jax.random.key(7), X1, n, X0))
        b = np.asarray(_call(gen, jax.random.key(8), X1[perm], n, X0))
        c = np.asarray(_call(gen, jax.random.key(8), X1, n, X0))
        p_key = float(np.min(stats.ks_2samp(a, c, axis=0).pvalue))
        if p_key * d < PERMUTATION_ALPHA:
            # Rows of one call are not draws from one law given the data (a random fit, e.g. a network
            # trained from a random start, is shared by the rows of a call): another key alone changes
            # the law, so one call per ordering cannot test invariance. Inconclusive: not a failure.
            return
        p = float(np.min(stats.ks_2samp(a, b, axis=0).pvalue))
        if p * d < PERMUTATION_ALPHA:
            _fail("check_generator", gen, f"permuting the minority rows changed the output law "
                                          f"(column KS p = {p:.2g}, level {PERMUTATION_ALPHA:g})")

    def majority_declared():
        # A generator that does not declare uses_majority=True must give the same rows, under the
        # same key, whatever majority it is handed (or none): else it reads the majority silently.
        if getattr(gen, "uses_majority", False) or not _accepts_majority(gen):
            return
        X1, X0 = _data(d, n1)
        a = np.asarray(gen(key, X1, n, X_majority=X0))
        others = {"a shifted and rescaled majority": X0 * 5.0 + 3.0, "a majority of half the rows": X0[: len(X0) // 2],
                  "no majority (X_majority=None)": None}
        for what, other in others.items():
            try:
                b = np.asarray(gen(key, X1, n, X_majority=other))
            except Exception as exc:  # noqa: BLE001
                _fail("check_generator", gen, f"fails with {what} ({type(exc).__name__}: {exc}) but does not declare "
                                              "uses_majority=True")
            if b.shape != a.shape or not np.array_equal(a, b, equal_nan=True):
                _fail("check_generator", gen, f"output depends on X_majority (changed with {what}) but the generator "
                                              "does not declare uses_majority=True")

    def prefix():
        if not prefix_consistent:
            return
        X1, X0 = _data(d, n1)
        full = np.asarray(_call(gen, key, X1, n, X0))
        for m in (1, n // 2):
            part = np.asarray(_call(gen, key, X1, m, X0))
            if not np.allclose(part, full[:m], rtol=1e-6, atol=0):
                _fail("check_generator", gen, f"gen(key, X, {m}) is not the first {m} rows of gen(key, X, {n}) "
                                              "(claims prefix consistency)")

    def traceable():
        if not getattr(gen, "traceable", False):
            return
        X1, X0 = _data(d, n1)
        keys = jax.random.split(key, 2)
        try:  # one compiled program: jit of the generator vmapped over keys
            batched = np.asarray(jax.jit(jax.vmap(lambda k, x, x0: _call(gen, k, x, n, x0),
                                                  in_axes=(0, None, None)))(keys, X1, X0))
        except Exception as exc:  # noqa: BLE001
            _fail("check_generator", gen, f"declares traceable but fails under jit/vmap: {type(exc).__name__}: {exc}")
        for i in range(2):
            one = np.asarray(_call(gen, keys[i], X1, n, X0))
            # batched code may reorder floating-point reductions (a trained generator amplifies that):
            # agreement to 1e-5 of the output's scale (about 100 float32 ulps), not entry by entry
            err = float(np.max(np.abs(batched[i] - one), initial=0.0))
            if not err <= 1e-5 * (1.0 + float(np.max(np.abs(one), initial=0.0))):
                _fail("check_generator", gen, f"jit(vmap) over keys differs from the eager call at key {i} "
                                              f"(max difference {err:.3g})")

    yield from [("no_mutation", no_mutation), ("shape_dtype", shape_dtype), ("deterministic", deterministic),
                ("finite", finite), ("majority_declared", majority_declared), ("permutation", permutation),
                ("prefix", prefix), ("traceable", traceable), ("below_minimum", below_minimum)]


def check_generator(gen, **kwargs) -> None:
    """Run every generator contract check; raise AssertionError at the first failure.

    Checks: exact output shape and dtype (float64 and float32 input); determinism under
    a key and dependence on it; finite output for a Gaussian minority, identical rows, a
    constant column and scales 1e-8 / 1e8; no mutation of the inputs; ValueError below
    ``gen.min_rows``; invariance in distribution under permutation of the minority rows
    (KS at level 1e-6, fixed keys; skipped as inconclusive when another key alone changes the
    law of a call's rows, as for a generator with a random fit); no undeclared use of the majority (the output under a
    key must not change with the majority it is handed); prefix consistency of nested
    pools when claimed; ``jit(vmap)`` agreement with the eager call when ``gen.traceable``.
    ``n`` (default 200) synthetic rows per call; ``n = 0`` must give shape ``(0, d)``.
    Keyword arguments go to :func:`generator_checks`.
    """
    for _, thunk in generator_checks(gen, **kwargs):
        thunk()


# --------------------------------------------------------------------------- samplers


def _imbalanced_xy(n0=60, n1=12, d=3, seed=0, labels=(0, 1)):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n0, d)), rng.normal(size=(n1, d)) + 1.5])
    y = np.array([labels[0]] * n0 + [labels[1]] * n1)
    return X, y


def sampler_checks(sampler) -> Iterator[tuple[str, Callable[[], None]]]:
    """The individual sampler checks (imbalanced-learn contract, pandas round trip, exact counts)."""
    from sklearn.base import clone

    nm = type(sampler).__name__

    def fail(what):
        raise AssertionError(f"check_sampler({nm}): {what}")

    def params():
        try:
            p = sampler.get_params()
            c = clone(sampler)
            if c.get_params().keys() != p.keys():
                fail("clone changed the parameter names")
            c.set_params(**{k: v for k, v in p.items() if not hasattr(v, "get_params")})
        except AssertionError:
            raise
        except Exception as exc:  # noqa: BLE001
            fail(f"get_params/set_params/clone failed ({type(exc).__name__}: {exc})")

    def counts():
        for labels in ((0, 1), ("neg", "pos")):
            X, y = _imbalanced_xy(labels=labels)
            s = clone(sampler).set_params(random_state=0) if "random_state" in sampler.get_params() else clone(sampler)
            Xr, yr = s.fit_resample(X, y)
            Xr, yr = np.asarray(Xr), np.asarray(yr)
            if Xr.shape[0] != yr.shape[0] or Xr.shape[1] != X.shape[1]:
                fail(f"fit_resample returned X of shape {Xr.shape} and y of shape {yr.shape}")
            if not np.all(np.isfinite(Xr.astype(float))):
                fail("fit_resample returned non-finite rows")
            strat = getattr(s, "sampling_strategy_", None)
            if strat is None:
                fail("no sampling_strategy_ after fit_resample")
            for cls, extra in strat.items():
                got = int(np.sum(yr == cls)) - int(np.sum(y == cls))
                if got != int(extra):
                    fail(f"added {got} rows of class {cls!r}, sampling_strategy_ says {int(extra)}")
            if set(np.unique(yr)) != set(np.unique(y)):
                fail(f"labels changed: {sorted(map(str, np.unique(yr)))} vs {sorted(map(str, np.unique(y)))}")
            if Xr.shape[0] < X.shape[0] or not np.allclose(Xr[: X.shape[0]], X):
                fail("the original rows are not kept, in order, at the top of the output")
            if Xr.dtype != X.dtype:
                fail(f"fit_resample returned X of dtype {Xr.dtype} for {X.dtype} input")

    def exact_size():
        # a sampler with an explicit size parameter (synthaug's n_synthetic) adds exactly that many rows
        if "n_synthetic" not in sampler.get_params():
            return
        X, y = _imbalanced_xy()
        s = clone(sampler).set_params(n_synthetic=7)
        if "random_state" in s.get_params():
            s.set_params(random_state=0)
        Xr, yr = s.fit_resample(X, y)
        added = {c: int(np.sum(np.asarray(yr) == c)) - int(np.sum(y == c)) for c in np.unique(y)}
        if sorted(added.values()) != [0, 7] or np.shape(Xr)[0] != X.shape[0] + 7:
            fail(f"n_synthetic=7 added {added} rows per class ({np.shape(Xr)[0] - X.shape[0]} in all), expected 7 "
                 "minority rows")

    def deterministic():
        if "random_state" not in sampler.get_params():
            return
        X, y = _imbalanced_xy()
        a = clone(sampler).set_params(random_state=3).fit_resample(X, y)[0]
        b = clone(sampler).set_params(random_state=3).fit_resample(X, y)[0]
        if not np.array_equal(np.asarray(a), np.asarray(b)):
            fail("the same random_state gave different output")
        c = clone(sampler).set_params(random_state=4).fit_resample(X, y)[0]
        if np.shape(c) == np.shape(a) and np.array_equal(np.asarray(a), np.asarray(c)):
            fail("random_state=3 and random_state=4 gave identical output (random_state is ignored)")

    def pandas_round_trip():
        import pandas as pd

        X, y = _imbalanced_xy()
        Xd = pd.DataFrame(X, columns=["alpha", "beta", "gamma"])
        ys = pd.Series(y, name="target")
        Xr, yr = clone(sampler).fit_resample(Xd, ys)
        if not isinstance(Xr, pd.DataFrame) or list(Xr.columns) != list(Xd.columns):
            fail(f"DataFrame input came back as {type(Xr).__name__} with columns {getattr(Xr, 'columns', None)}")
        if not isinstance(yr, pd.Series) or yr.name != "target":
            fail(f"Series input came back as {type(yr).__name__} named {getattr(yr, 'name', None)!r}")

    yield from [("params", params), ("counts", counts), ("exact_size", exact_size), ("deterministic", deterministic),
                ("pandas_round_trip", pandas_round_trip)]


def check_sampler(sampler) -> None:
    """Run every sampler check: scikit-learn parameter contract (``get_params``/``set_params``/``clone``),
    exact synthetic counts per ``sampling_strategy_`` for integer and string labels, exactly
    ``n_synthetic`` rows when the sampler has that parameter, original rows kept in order, the
    input dtype kept, finite output, determinism under ``random_state`` and dependence on it,
    pandas DataFrame/Series round trip."""
    for _, thunk in sampler_checks(sampler):
        thunk()


# --------------------------------------------------------------------------- classifiers


def estimator_checks(est) -> Iterator[tuple[str, Callable[[], None]]]:
    """The individual classifier checks (scikit-learn contract plus pandas and string labels)."""
    from sklearn.base import clone

    nm = type(est).__name__

    def fail(what):
        raise AssertionError(f"check_estimator({nm}): {what}")

    def fit_predict():
        for labels in ((0, 1), ("neg", "pos")):
            X, y = _imbalanced_xy(labels=labels)
            e = clone(est)
            r = e.fit(X, y)
            if r is not e:
                fail("fit does not return self")
            if list(np.asarray(e.classes_)) != sorted(set(y)):
                fail(f"classes_ = {list(e.classes_)}, expected {sorted(set(y))}")
            pred = np.asarray(e.predict(X))
            if pred.shape != (X.shape[0],) or not set(pred) <= set(y):
                fail(f"predict returned shape {pred.shape} with labels {set(pred)}")
            if hasattr(e, "predict_proba"):
                P = np.asarray(e.predict_proba(X))
                if P.shape != (X.shape[0], 2) or not np.allclose(P.sum(1), 1) or np.any(P < 0):
                    fail("predict_proba rows are not probabilities over the 2 classes")

    def not_fitted():
        from sklearn.exceptions import NotFittedError

        X, _ = _imbalanced_xy()
        try:
            clone(est).predict(X)
        except (NotFittedError, AttributeError, ValueError):
            return
        fail("predict before fit did not raise NotFittedError")

    def pandas_input():
        import pandas as pd

        X, y = _imbalanced_xy()
        Xd = pd.DataFrame(X, columns=["alpha", "beta", "gamma"])

        def seeded():  # the same random_state for both fits, so only the input type differs
            e = clone(est)
            return e.set_params(random_state=0) if "random_state" in e.get_params() else e

        a = np.asarray(seeded().fit(Xd, pd.Series(y, name="target")).predict(Xd))
        b = np.asarray(seeded().fit(X, y).predict(X))
        if not np.array_equal(a, b):
            fail("pandas input gives different predictions from NumPy input")

    yield from [("fit_predict", fit_predict), ("not_fitted", not_fitted), ("pandas_input", pandas_input)]


def check_estimator(est) -> None:
    """Run every classifier check: ``fit`` returns self, ``classes_``, ``predict`` and ``predict_proba``
    contracts for integer and string labels, NotFittedError before fit, pandas input equals NumPy input."""
    for _, thunk in estimator_checks(est):
        thunk()


def parametrize_with_checks(objects, *, ids=None):
    """A ``pytest.mark.parametrize("obj, check", ...)`` over every check of every object.

    Objects are dispatched by kind: a scikit-learn estimator with ``fit_resample`` is a
    sampler, one with ``fit`` a classifier, anything else a generator. ``check`` is a
    zero-argument callable; the test body is ``check()``::

        @parametrize_with_checks([make_generator("smote"), MyGenerator()])
        def test_contract(obj, check):
            check()

    ``ids`` (optional) labels the objects in the test ids (default: the generator's
    ``name`` or the estimator's class name); a test id is ``"<label>-<check>"``.
    Needs pytest (imported when called).
    """
    import pytest

    objects = list(objects)
    if ids is not None and len(ids) != len(objects):
        raise ValueError(f"ids must label each of the {len(objects)} objects; got {len(ids)} labels")
    params, names = [], []
    for i, obj in enumerate(objects):
        if hasattr(obj, "fit_resample"):
            it, label = sampler_checks(obj), type(obj).__name__
        elif hasattr(obj, "fit"):
            it, label = estimator_checks(obj), type(obj).__name__
        else:
            it, label = generator_checks(obj), _name(obj)
        label = label if ids is None else str(ids[i])
        for name, thunk in it:
            params.append((obj, thunk))
            names.append(f"{label}-{name}")
    return pytest.mark.parametrize("obj, check", params, ids=names)
