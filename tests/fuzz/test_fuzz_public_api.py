"""Fuzz the public entry points over the input classes a careless user produces.

Every case is classified by :func:`fuzz_outcomes.classify`: a clear ``ValueError`` naming the
problem or a correct finite result passes; a raw error from inside NumPy/JAX/scikit-learn,
another exception type, a non-finite or wrongly sized output, or a mutated input fails.
Sizes that could abort the process run in a subprocess (a crash is an outcome too).

The data are small and share shapes (80 x 3 with 20 minority rows unless a case is about the
shape), so compiled programs are reused across cases.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import jax

import fuzz_outcomes as fz
from fuzz_outcomes import classify, finite_array

N0, N1, D = 60, 20, 3
KEY = jax.random.key(0)


def _base(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N0 + N1, D))
    y = np.r_[np.zeros(N0, int), np.ones(N1, int)]
    X[y == 1] += 0.8
    return X, y


def _variants():
    """Input classes: name -> (X, y). Same 80 x 3 shape unless the class is about the shape."""
    X, y = _base()
    out = {"base": (X, y)}

    def put(name, Xv=None, yv=None):
        out[name] = (X.copy() if Xv is None else Xv, y.copy() if yv is None else yv)

    for name, value in (("nan", np.nan), ("inf", np.inf), ("neg-inf", -np.inf)):
        Xv = X.copy()
        Xv[5, 1] = value
        put(name, Xv)
    for name, scale in (("scale-1e300", 1e300), ("scale-1e154", 1e154), ("scale-1e-300", 1e-300)):
        put(name, X * scale)
    put("empty", np.empty((0, D)), np.empty(0, int))
    put("one-row", X[:1], y[:1])
    put("one-feature", X[:, :1])
    put("1-D-X", X[:, 0])
    put("one-class", yv=np.zeros(N0 + N1, int))
    put("three-classes", yv=np.r_[np.zeros(50, int), np.ones(20, int), np.full(10, 2)])
    put("string-labels", yv=np.where(y == 1, "sick", "well"))
    put("bool-labels", yv=y.astype(bool))
    put("float-labels", yv=y.astype(float))
    put("none-labels", yv=np.array([None if i == 3 else int(v) for i, v in enumerate(y)], dtype=object))
    for m in (1, 2, 5, 6):
        put(f"minority-{m}", yv=np.r_[np.zeros(N0 + N1 - m, int), np.ones(m, int)])
    Xi = X.copy()
    Xi[y == 1] = Xi[y == 1][0]
    put("identical-minority", Xi)
    Xc = X.copy()
    Xc[:, 2] = 4.0
    put("constant-column", Xc)
    Xs = X.copy()
    Xs[y == 1, 0] += 20.0
    put("separable", Xs)
    put("mismatched-lengths", yv=y[:-1])
    put("integer-X", np.rint(X * 3).astype(np.int64))
    put("float32", X.astype(np.float32))
    put("object-array", X.astype(object))
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    put("frame-float", df)
    put("frame-Int64", df.assign(a=np.rint(df.a * 3).astype("Int64")))
    put("frame-categorical", df.assign(c=pd.Categorical(np.where(df.c > 0, "hi", "lo"))))
    put("frame-string", df.assign(c=pd.array(np.where(df.c > 0, "hi", "lo"), dtype="string")))
    put("frame-object", df.assign(c=np.where(df.c > 0, "hi", "lo").astype(object)))
    return out


VARIANTS = _variants()


def _record(case_id, call, inputs, check=None):
    outcome, detail = classify(case_id, call, inputs=inputs, check=check)
    assert outcome in fz.PASSING, f"{case_id}: {outcome}: {detail}"
    return outcome


# --------------------------------------------------------------------------- samplers by discovery


def _samplers():
    from synthaug.estimators import all_estimators

    small = {"MOMSSampler": dict(epochs=3), "LEOCVAESampler": dict(k=3, hidden=8, latent=2, epochs=3),
             "SMOTENCSampler": dict(categorical_features=[0]),
             # the fuzz data's 3 features give no k-means cluster half minority (imbalanced-learn's "auto"
             # threshold for two classes is 1/2, and it raises there too): a threshold that lets it run
             "KMeansSMOTESampler": dict(cluster_balance_threshold=0.2)}
    out = []
    for name, cls in all_estimators(type_filter="sampler"):
        out.append((name, cls, small.get(name, {})))
    return out


SAMPLERS = _samplers()
#: Samplers that train a network on every call (seconds of compilation per shape).
SLOW_SAMPLERS = ("MOMSSampler", "LEOCVAESampler")
#: SMOTE then cleaning (imblearn.combine): real rows are removed too, and the signature is imbalanced-learn's
#: (no n_synthetic; the size is the SMOTE step's).
COMBINED_SAMPLERS = ("SMOTETomekSampler", "SMOTEENNSampler")
#: The variants on which a sampler returns rows (the others end in an error).
SAMPLER_RESULTS = ("base", "string-labels", "identical-minority", "constant-column", "integer-X", "float32",
                   "frame-float", "frame-Int64", "scale-1e300", "scale-1e-300")
#: The samplers' success cases share one shape; the others (errors) are cheap.
SAMPLER_VARIANTS = ["base", "nan", "scale-1e300", "scale-1e-300", "empty", "one-row", "1-D-X", "one-class",
                    "string-labels", "none-labels", "minority-1", "identical-minority", "constant-column",
                    "mismatched-lengths", "integer-X", "float32", "frame-float", "frame-Int64",
                    "frame-categorical", "frame-string"]


def _sampler_check(X, y, expect_more=True, combined=False):
    def check(out):
        Xr, yr = out
        if hasattr(X, "iloc") and any(dt == object or str(dt) in ("category", "string") for dt in X.dtypes):
            # rows copied with their categories (random oversampling): compare the frames
            n = X.shape[0]
            ok = Xr.shape[0] == len(yr) and Xr.iloc[:n].reset_index(drop=True).equals(X.reset_index(drop=True))
            return None if ok and len(yr) > n else "the original rows are not kept first"
        Xin = np.asarray(X.to_numpy(dtype=float) if hasattr(X, "to_numpy") else X, dtype=float)
        Xr_a = np.asarray(Xr.to_numpy(dtype=float) if hasattr(Xr, "to_numpy") else Xr, dtype=float)
        yr = np.asarray(yr)
        if Xr_a.shape[0] != yr.shape[0] or Xr_a.shape[1] != Xin.shape[1]:
            return f"X_res {Xr_a.shape} and y_res {yr.shape} do not fit X {Xin.shape}"
        if np.all(np.isfinite(Xin)) and not np.all(np.isfinite(Xr_a)):  # (row copies may keep NaN)
            return "non-finite rows"
        n = Xin.shape[0]
        if combined:  # the cleaning removes real rows: only the labels are checked
            return None if set(np.unique(yr)) <= set(np.unique(np.asarray(y))) else "labels changed"
        if not (np.array_equal(Xr_a[:n], Xin, equal_nan=True) and np.array_equal(yr[:n], np.asarray(y))):
            return "the original rows are not kept first"
        if expect_more and yr.shape[0] <= n:
            return "no synthetic rows"
        return None

    return check


@pytest.mark.parametrize("variant", SAMPLER_VARIANTS)
@pytest.mark.parametrize("name, cls, params", SAMPLERS, ids=[s[0] for s in SAMPLERS])
def test_sampler(name, cls, params, variant):
    X, y = VARIANTS[variant]
    if name == "VTSSSampler" and variant not in ("nan", "one-class", "1-D-X", "empty"):
        pytest.skip("VTSSSampler runs a whole diagnosis: its input checks are prepare_data's (test_diagnose)")
    if name in SLOW_SAMPLERS and variant in SAMPLER_RESULTS:
        pytest.skip("a trained sampler: its results are checked by the registry contract tests")
    sampler = cls(random_state=0, **params)
    # Borderline-SMOTE finds no danger rows among identical minority rows: it warns and adds none
    more = name != "VTSSSampler" and not (name == "BorderlineSMOTESampler" and variant == "identical-minority")
    _record(f"{name}[{variant}]", lambda: sampler.fit_resample(X, y), (X, y),
            _sampler_check(X, y, expect_more=more, combined=name in COMBINED_SAMPLERS))


@pytest.mark.parametrize("n_synthetic", [0, 7, -1, 2.5, "5", True, None])
@pytest.mark.parametrize("name, cls, params", [s for s in SAMPLERS if s[0] not in ("VTSSSampler", *COMBINED_SAMPLERS)],
                         ids=[s[0] for s in SAMPLERS if s[0] not in ("VTSSSampler", *COMBINED_SAMPLERS)])
def test_sampler_sizes(name, cls, params, n_synthetic):
    X, y = VARIANTS["base"]
    if name in SLOW_SAMPLERS and n_synthetic in (0, 7, True, None):
        pytest.skip("a trained sampler: its results are checked by the registry contract tests")
    sampler = cls(random_state=0, n_synthetic=n_synthetic, **params)
    _record(f"{name}(n_synthetic={n_synthetic!r})", lambda: sampler.fit_resample(X, y), (X, y),
            _sampler_check(X, y, expect_more=n_synthetic not in (0, None) and n_synthetic is not True))


# --------------------------------------------------------------------------- generators by discovery


def _generators():
    from synthaug.generators import GENERATOR_NAMES

    small = {"moms": dict(epochs=3), "leo-cvae": dict(k=3, hidden=8, latent=2, epochs=3),
             "smote-nc": dict(categorical_features=(0,))}
    return [(n, small.get(n, {})) for n in GENERATOR_NAMES]


GENERATORS = _generators()
GEN_INPUTS = ["base", "nan", "inf", "scale-1e300", "scale-1e154", "scale-1e-300", "empty", "one-row", "1-D-X",
              "identical-minority", "constant-column", "integer-X", "float32", "object-array"]


@pytest.mark.parametrize("variant", GEN_INPUTS)
@pytest.mark.parametrize("name, params", GENERATORS, ids=[g[0] for g in GENERATORS])
def test_generator(name, params, variant):
    from synthaug.generators import make_generator

    X, y = VARIANTS[variant]
    if np.ndim(X) == 2:
        X1, X0 = X[y == 1], X[y == 0]
    else:
        X1, X0 = X[N0:], X[:N0]
    if name in ("moms", "leo-cvae") and variant in ("base", "identical-minority", "constant-column", "integer-X",
                                                   "float32", "object-array"):
        pytest.skip("a trained generator: its results are checked by the registry contract tests")
    gen = make_generator(name, **params)
    d = np.shape(X1)[1] if np.ndim(X1) == 2 else None
    _record(f"{name}[{variant}]", lambda: gen(KEY, X1, 9, X_majority=X0), (X1, X0),
            finite_array((9, d)) if d else None)


@pytest.mark.parametrize("n, key", [(0, "key"), (5, "key"), (-1, "key"), (2.5, "key"), ("5", "key"), (None, "key"),
                                    (True, "key"), (5, None), (5, 0), (5, "raw")])
@pytest.mark.parametrize("name", ["smote", "gaussian", "random", "adasyn", "gmm"])
def test_generator_sizes_and_keys(name, n, key):
    from synthaug.generators import make_generator

    X, y = VARIANTS["base"]
    X1, X0 = X[y == 1], X[y == 0]
    k = {"key": KEY, "raw": jax.random.PRNGKey(0)}.get(key, key)
    gen = make_generator(name)
    shape = (n, D) if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else None
    _record(f"{name}(n={n!r}, key={key!r})", lambda: gen(k, X1, n, X_majority=X0), (X1, X0),
            finite_array(shape) if shape else None)


@pytest.mark.parametrize(
    "name, params",
    [("gaussian", {"shrinkage": "0.1"}), ("gaussian", {"shrinkage": 2.0}), ("smote", {"k": 0}), ("smote", {"k": "5"}),
     ("jitter", {"scale": -1.0}), ("jitter", {"per_feature": "no"}), ("gmm", {"n_components": 0}),
     ("gmm", {"covariance_type": "round"}), ("moms", {"lr": "fast"}), ("smoothed-bootstrap", {"shrink": None}),
     ("gk-smote", {"variant": 2}), ("leo-cvae", {"epochs": -3}), ("smote", {"neighbours": 3}),
     ("adasyn", {"k": 2.5}), ("borderline-smote", {"m": None})],
)
def test_generator_parameter_types(name, params):
    from synthaug.generators import make_generator

    _record(f"make_generator({name}, {params})", lambda: make_generator(name, **params), ())


# --------------------------------------------------------------------------- diagnose, select_size, bias correction

DIAG_ERRORS = ["nan", "inf", "empty", "one-row", "1-D-X", "one-class", "three-classes", "none-labels", "minority-1",
               "minority-2", "constant-column", "mismatched-lengths", "object-array", "frame-categorical",
               "frame-string"]
#: Success cases: all 80 x 3 with a 20-row minority, so the diagnosis compiles once.
DIAG_RESULTS = ["base", "scale-1e300", "frame-Int64"]


def _diagnosis_check(d):
    import json

    try:
        json.loads(d.to_json(), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    except ValueError as err:
        return f"non-standard JSON: {err}"
    if not fz.all_finite([d.t_sym, d.gqs, d.selected_size, [r["loss"] for r in d.curve]]):
        return "non-finite statistics"
    if not 0 <= d.selected_size or d.selected_size not in d.candidates:
        return f"selected size {d.selected_size} not among the candidates"
    return None


@pytest.mark.parametrize("variant", DIAG_ERRORS + DIAG_RESULTS)
def test_diagnose(variant):
    from synthaug.diagnosis import diagnose

    X, y = VARIANTS[variant]
    _record(f"diagnose[{variant}]", lambda: diagnose(X, y, progress=False, fidelity=False), (X, y),
            _diagnosis_check)


@pytest.mark.parametrize(
    "kwargs",
    [{"max_multiple": -1}, {"max_multiple": np.inf}, {"standardize": "no"}, {"folds": 1}, {"folds": 100},
     {"repeats": 0}, {"seed": -1}, {"seed": 2**70}, {"alpha": 1.5}, {"tau": 0}, {"tau": "10"},
     {"method": "vtss", "gammas": []}, {"method": "vtss", "gammas": [np.nan]}, {"method": "magic"},
     {"generator": "nope"}, {"generator": 5}, {"model": "nope"}, {"generator_params": {"k": -1}},
     {"minority": "absent"}, {"crossfit_folds": 0}, {"fidelity": "yes"}],
)
def test_diagnose_parameters(kwargs):
    from synthaug.diagnosis import diagnose

    X, y = VARIANTS["base"]
    _record(f"diagnose({kwargs})", lambda: diagnose(X, y, progress=False, **kwargs), (X, y), _diagnosis_check)


@pytest.mark.parametrize(
    "variant, kwargs",
    [("base", {"sizes": [-3]}), ("base", {"sizes": [2.5]}),
     ("base", {"gammas": [-1.0]}), ("base", {"sizes": "10"}), ("base", {"seed": "0"}), ("nan", {}),
     ("one-class", {}), ("empty", {})],
)
def test_select_size(variant, kwargs):
    from synthaug.diagnosis import select_size

    X, y = VARIANTS[variant]

    def check(s):
        rows = [r["loss"] for r in s.curve]
        if not fz.all_finite(rows):
            return "non-finite curve"
        return None if s.selected_size in s.candidates else "selected size not a candidate"

    _record(f"select_size[{variant}]({kwargs})", lambda: select_size(X, y, **kwargs), (X, y), check)


@pytest.mark.parametrize(
    "variant, kwargs",
    [("base", {"gamma": -1.0}), ("base", {"gamma": "1"}),
     ("base", {"seed": 2**70}),
     ("base", {"standardize": "no"}), ("base", {"folds": 1}), ("nan", {}), ("one-class", {})],
)
def test_bias_correct_crossvalidation(variant, kwargs):
    from synthaug.bias_correction.crossval import crossvalidate_bias_correction

    X, y = VARIANTS[variant]

    def check(r):
        return None if fz.all_finite(r.to_dict()) else "non-finite values in the comparison"

    _record(f"bias-correct[{variant}]({kwargs})",
            lambda: crossvalidate_bias_correction(X, y, **{"progress": False, "folds": 3, **kwargs}), (X, y), check)


@pytest.mark.parametrize("variant, n_synthetic", [("base", -5), ("base", 2.5), ("nan", 40),
                                                  ("scale-1e300", 40)])
def test_bias_corrected_fit(variant, n_synthetic):
    import synthaug
    from synthaug.generators import make_generator

    X, y = VARIANTS[variant]
    X0, X1 = X[y == 0], X[y == 1]
    _record(f"bias_corrected_fit[{variant}](n={n_synthetic!r})",
            lambda: synthaug.bias_corrected_fit(synthaug.logistic_loss(), KEY, make_generator("smote"), X0, X1,
                                                n_synthetic), (X0, X1),
            lambda r: None if np.all(np.isfinite(np.asarray(r.theta))) else "non-finite theta")


# --------------------------------------------------------------------------- simulate, classifiers, fits, fidelity


@pytest.mark.parametrize(
    "kwargs",
    [{"reps": 1}, {"reps": -5}, {"reps": 2.5}, {"reps": 10**9}, {"seed": 2**70}, {"seed": -1}, {"quick": "yes"},
     {"dtype": "float16"}, {"batch_size": 0}, {"generators": "nope"}, {"generators": []}],
)
def test_simulate_parameters(kwargs):
    from synthaug.simulate import run_design

    _record(f"run_design({kwargs})", lambda: run_design("biased-aligned", **{"quick": True, "progress": False,
                                                                            **kwargs}), ())


CLASSIFIER_VARIANTS = ["base", "nan", "scale-1e300", "scale-1e154", "empty", "1-D-X", "one-class", "three-classes",
                       "string-labels", "separable", "mismatched-lengths", "integer-X", "frame-float",
                       "frame-categorical"]


@pytest.mark.parametrize("variant", CLASSIFIER_VARIANTS)
@pytest.mark.parametrize("name", ["BiasCorrectedClassifier", "KOTAROClassifier"])
def test_classifier(name, variant):
    from synthaug import estimators

    X, y = VARIANTS[variant]
    if name == "BiasCorrectedClassifier" and variant in ("base", "string-labels", "separable", "integer-X",
                                                         "frame-float"):
        pytest.skip("the bias-corrected fit's results are checked by tests/estimators/test_bias_corrected.py")
    clf = getattr(estimators, name)()
    if name == "BiasCorrectedClassifier":
        clf.set_params(random_state=0)

    def run():
        clf.fit(X, y)
        return clf.predict_proba(X)

    _record(f"{name}[{variant}]", run, (X, y), finite_array((np.shape(X)[0], len(np.unique(y)))))


FIT_VARIANTS = ["base", "nan", "scale-1e300", "scale-1e154", "scale-1e-300", "empty", "1-D-X", "one-class",
                "three-classes", "string-labels", "bool-labels", "separable", "mismatched-lengths", "integer-X",
                "float32"]


@pytest.mark.parametrize("variant", FIT_VARIANTS)
def test_weighted_fit(variant):
    import synthaug

    X, y = VARIANTS[variant]
    d = np.shape(X)[1] if np.ndim(X) == 2 else 0
    loss = synthaug.logistic_loss()
    _record(f"weighted_fit[{variant}]", lambda: synthaug.weighted_fit(loss, X, y).theta, (X, y),
            finite_array((loss.dim(d),)))


@pytest.mark.parametrize("kwargs", [{"theta0": np.full(4, np.nan)}, {"theta0": np.zeros(2)}, {"ridge": -1.0},
                                    {"ridge": "0"}, {"max_iter": 0}, {"w": -np.ones(80)}, {"w": np.ones(79)}])
def test_weighted_fit_parameters(kwargs):
    import synthaug

    X, y = VARIANTS["base"]
    _record(f"weighted_fit({list(kwargs)})", lambda: synthaug.weighted_fit(synthaug.logistic_loss(), X, y,
                                                                           **kwargs).theta, (X, y),
            finite_array((synthaug.logistic_loss().dim(D),)))


FIDELITY_PAIRS = ["base", "nan", "empty", "one-row", "1-D-X", "integer-X", "float32", "scale-1e300",
                  "constant-column"]


@pytest.mark.parametrize("variant", FIDELITY_PAIRS)
@pytest.mark.parametrize("fn", ["mmd2_unbiased", "wasserstein1", "ks_statistic", "precision_recall"])
def test_fidelity(fn, variant):
    from synthaug import fidelity

    X, y = VARIANTS[variant]
    if np.ndim(X) == 2:
        A, B = X[y == 1], X[y == 0]
    else:
        A, B = X[N0:], X[:N0]
    _record(f"{fn}[{variant}]", lambda: getattr(fidelity, fn)(A, B), (A, B),
            lambda r: None if fz.all_finite(r if not hasattr(r, "_asdict") else r._asdict()) else "non-finite")


def test_fidelity_mismatched_columns():
    from synthaug import fidelity

    X, y = VARIANTS["base"]
    for fn in ("mmd2_unbiased", "wasserstein1", "ks_statistic", "precision_recall"):
        _record(f"{fn}[mismatched columns]", lambda fn=fn: getattr(fidelity, fn)(X[:20], X[20:, :2]), (X,))


# --------------------------------------------------------------------------- the command line on malformed CSV files

CSV_CASES = {
    "empty": b"",
    "header-only": b"a,b,y\n",
    "bom": "\ufeffy,a,b\n".encode() + b"".join(f"{i % 4 == 0:d},{i * 0.37 % 1:.3f},{i % 7}\n".encode()
                                                 for i in range(24)),
    "semicolons": b"a;b;y\n1;2;0\n3;4;1\n",
    "quoted-commas": b"y,a,note\n" + b"".join(f'{i % 4 == 0:d},{i * 0.37 % 1:.3f},"x, {i % 2}"\n'.encode()
                                             for i in range(24)),
    "missing-target": b"a,b,c\n1,2,0\n3,4,1\n",
    "ragged": b"a,b,y\n1,2\n3,4,1,5,6\n",
    "latin-1": "a,b,y\n1,\xe9,0\n".encode("latin-1"),
    "one-class": b"a,b,y\n1,2,0\n3,4,0\n5,6,0\n",
    "all-missing-column": b"a,b,y\n1,,0\n3,,1\n5,,0\n",
}


@pytest.mark.parametrize("command", ["diagnose", "bias-correct"])
@pytest.mark.parametrize("case", list(CSV_CASES))
def test_cli_csv(tmp_path, capsys, case, command):
    """``--folds 1`` makes a readable file stop at the first option check, after the table was read."""
    from synthaug.cli import main

    path = tmp_path / "data.csv"
    path.write_bytes(CSV_CASES[case])

    def run():
        rc = main([command, str(path), "--target", "y", "--folds", "1", "--no-progress"])
        err = capsys.readouterr().err
        lines = [ln for ln in err.splitlines() if ln.strip()]
        if rc != 2 or len(lines) != 1 or not lines[0].startswith("synthaug: error: "):
            raise RuntimeError(f"exit {rc}, stderr {err[-500:]!r}")
        if case in ("bom", "quoted-commas") and "folds" not in lines[0]:
            raise RuntimeError(f"a readable file was refused: {lines[0]}")
        raise fz.OneLineError(lines[0])

    _record(f"cli {command}[{case}]", run, ())


# --------------------------------------------------------------------------- sizes that could abort the process

_HUGE = r"""
import json, traceback, numpy as np, jax
import synthaug.config
synthaug.config.enable_x64()
from synthaug import estimators
from synthaug.diagnosis import diagnose, select_size
from synthaug.generators import GENERATOR_NAMES, make_generator
rng = np.random.default_rng(0)
X = rng.normal(size=(80, 3)); y = np.r_[np.zeros(60, int), np.ones(20, int)]
small = {"moms": dict(epochs=3), "leo-cvae": dict(k=3, hidden=8, latent=2, epochs=3),
         "smote-nc": dict(categorical_features=(0,))}
cases = [(f"{g}(n=10**10)", lambda g=g: make_generator(g, **small.get(g, {}))(jax.random.key(0), X[60:], 10**10,
                                                                              X_majority=X[:60]))
         for g in GENERATOR_NAMES]
cases += [(f"{n}(n_synthetic=10**10)", lambda c=c: c(n_synthetic=10**10).fit_resample(X, y))
          for n, c in estimators.all_estimators(type_filter="sampler")
          if n not in ("VTSSSampler", "SMOTENCSampler", "SMOTETomekSampler", "SMOTEENNSampler")]
cases += [(f"{n}(smote=SMOTESampler(n_synthetic=10**10))", lambda n=n: getattr(estimators, n)(
    smote=estimators.SMOTESampler(n_synthetic=10**10)).fit_resample(X, y)) for n in ("SMOTETomekSampler", "SMOTEENNSampler")]
cases += [("SMOTENCSampler(n_synthetic=10**10)",
           lambda: estimators.SMOTENCSampler(categorical_features=[0], n_synthetic=10**10).fit_resample(X, y))]
cases += [("select_size(sizes=[10**10])", lambda: select_size(X, y, sizes=[10**10])),
          ("diagnose(gammas=[1e9])", lambda: diagnose(X, y, method="vtss", gammas=[1e9], progress=False))]
for label, call in cases:
    try:
        call(); res = ("result", "")
    except ValueError as e:
        tb = traceback.extract_tb(e.__traceback__)
        res = ("clear-error" if "/synthaug/" in tb[-1].filename else "deep-error", str(e)[:200])
    except Exception as e:
        res = ("unclear-error", f"{type(e).__name__}: {str(e)[:200]}")
    print("OUTCOME " + json.dumps([label, *res]), flush=True)
"""


def test_huge_sizes_in_a_subprocess():
    """Every generator, sampler and candidate grid at 10**10 rows: refused, no crash (run in a subprocess)."""
    out = subprocess.run([sys.executable, "-c", _HUGE], capture_output=True, text=True, timeout=300)
    import json

    seen = [json.loads(ln[8:]) for ln in out.stdout.splitlines() if ln.startswith("OUTCOME ")]
    for label, outcome, detail in seen:
        fz.TALLY[outcome] += 1
        if outcome in fz.FAILING:
            fz.FAILURES.append((label, outcome, detail))
    if out.returncode != 0:
        fz.TALLY["crash"] += 1
        fz.FAILURES.append(("huge sizes", "crash", f"exit {out.returncode}: {out.stderr[-300:]}"))
    assert out.returncode == 0, out.stderr[-2000:]
    bad = [s for s in seen if s[1] not in fz.PASSING]
    assert not bad, bad
    assert len(seen) >= 30


# --------------------------------------------------------------------------- determinism


_DETERMINISM = [s for s in SAMPLERS if s[0] != "VTSSSampler" and s[0] not in SLOW_SAMPLERS]


@pytest.mark.parametrize("name, cls, params", _DETERMINISM, ids=[s[0] for s in _DETERMINISM])
def test_samplers_are_deterministic(name, cls, params):
    X, y = VARIANTS["base"]
    a = cls(random_state=3, **params).fit_resample(X, y)
    b = cls(random_state=3, **params).fit_resample(X, y)
    np.testing.assert_array_equal(np.asarray(a[0]), np.asarray(b[0]))
    np.testing.assert_array_equal(np.asarray(a[1]), np.asarray(b[1]))


def test_diagnose_is_deterministic():
    from synthaug.diagnosis import diagnose

    X, y = VARIANTS["base"]
    a = diagnose(X, y, seed=4, progress=False, fidelity=False).to_dict()
    b = diagnose(X, y, seed=4, progress=False, fidelity=False).to_dict()
    a.pop("elapsed_s"), b.pop("elapsed_s")
    assert a == b
