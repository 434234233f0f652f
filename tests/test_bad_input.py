"""Bad input gives a clear ValueError whose message names the problem."""

import numpy as np
import pytest

import jax

import synthaug  # noqa: F401  (float64)
from synthaug.core.fit import fit_nested, weighted_fit
from synthaug.generators import (
    gaussian_fit,
    jitter,
    make_generator,
    nested_pool,
    random_oversampling,
    smote,
    smote_with_parents,
)
from synthaug.core.losses import get_loss, logistic_loss, squared_loss
from synthaug.core.montecarlo import run_replications
from synthaug.simulate import get_design, run_design

KEY = jax.random.PRNGKey(0)
LOSSES = [squared_loss(), logistic_loss()]
GENERATORS = [smote(5), gaussian_fit(), jitter(), random_oversampling()]


def data(n=12, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.r_[np.zeros(n - n // 3), np.ones(n // 3)]
    return X, y


# --------------------------------------------------------------------------- weighted_fit


@pytest.mark.parametrize("loss", LOSSES, ids=["squared", "logistic"])
@pytest.mark.parametrize("bad,kind", [(np.nan, "NaN"), (np.inf, "infinite"), (-np.inf, "infinite")])
def test_weighted_fit_nonfinite_features(loss, bad, kind):
    X, y = data()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=rf"X contains {kind} values \(first bad row 3"):
        weighted_fit(loss, X, y)


@pytest.mark.parametrize("loss", LOSSES, ids=["squared", "logistic"])
def test_weighted_fit_single_class(loss):
    X, _ = data()
    for cls in (0, 1):
        with pytest.raises(ValueError, match="single class"):
            weighted_fit(loss, X, np.full(X.shape[0], cls))


def test_weighted_fit_bad_labels():
    X, y = data()
    y[0] = 2
    with pytest.raises(ValueError, match="class indices 0 .* and 1"):
        weighted_fit(logistic_loss(), X, y)
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        weighted_fit(logistic_loss(), X, y)


@pytest.mark.parametrize("loss", LOSSES, ids=["squared", "logistic"])
def test_weighted_fit_mismatched_lengths(loss):
    X, y = data()
    with pytest.raises(ValueError, match="X has 12 rows but y has 11 labels"):
        weighted_fit(loss, X, y[:-1])
    with pytest.raises(ValueError, match=r"weights must have shape \(12,\)"):
        weighted_fit(loss, X, y, np.ones(13))


@pytest.mark.parametrize("loss", LOSSES, ids=["squared", "logistic"])
def test_weighted_fit_bad_weights(loss):
    X, y = data()
    with pytest.raises(ValueError, match="positive sum"):
        weighted_fit(loss, X, y, -np.ones(12))
    with pytest.raises(ValueError, match="positive sum"):
        weighted_fit(loss, X, y, np.zeros(12))
    w = np.ones(12)
    w[4] = np.nan
    with pytest.raises(ValueError, match="weights contain NaN"):
        weighted_fit(loss, X, y, w)
    w[4] = np.inf
    with pytest.raises(ValueError, match="weights contain NaN or infinite"):
        weighted_fit(loss, X, y, w)


def test_weighted_fit_bad_shapes_and_ridge():
    X, y = data()
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        weighted_fit(logistic_loss(), X[:, 0], y)
    with pytest.raises(ValueError, match="ridge must be a finite non-negative"):
        weighted_fit(logistic_loss(), X, y, ridge=-1.0)
    with pytest.raises(ValueError, match="ridge must be a finite non-negative"):
        weighted_fit(squared_loss(), X, y, ridge=np.nan)


def test_unknown_loss_name():
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        get_loss("hinge")


# --------------------------------------------------------------------------- generators


@pytest.mark.parametrize("gen", GENERATORS, ids=lambda g: g.name)
@pytest.mark.parametrize("bad,kind", [(np.nan, "NaN"), (np.inf, "infinite")])
def test_generator_nonfinite_features(gen, bad, kind):
    X, _ = data()
    X[2, 0] = bad
    with pytest.raises(ValueError, match=f"X_minority contains {kind} values"):
        gen(KEY, X, 5)


@pytest.mark.parametrize("gen", GENERATORS, ids=lambda g: g.name)
def test_generator_negative_size(gen):
    X, _ = data()
    with pytest.raises(ValueError, match="n must be a non-negative integer; got -1"):
        gen(KEY, X, -1)
    with pytest.raises(ValueError, match="n must be a non-negative integer; got 2.5"):
        gen(KEY, X, 2.5)


def test_smote_too_few_minority_rows():
    X, _ = data(n=5)
    with pytest.raises(ValueError, match=r"needs at least 6 row\(s\); got 5"):
        smote(5)(KEY, X, 3)
    with pytest.raises(ValueError, match=r"k=5 needs at least k \+ 1 = 6 minority rows; got 5"):
        smote_with_parents(KEY, X, 3, k=5)
    # k + 1 rows is enough
    assert smote(4)(KEY, X, 3).shape == (3, 2)
    with pytest.raises(ValueError, match="k must be a positive integer"):
        smote(0)


def test_gaussian_fit_needs_two_rows_and_valid_shrinkage():
    X, _ = data(n=1)
    with pytest.raises(ValueError, match=r"at least 2 row\(s\)"):
        gaussian_fit()(KEY, X, 3)
    with pytest.raises(ValueError, match="shrinkage must lie in"):
        gaussian_fit(1.5)
    with pytest.raises(ValueError, match="jitter scale must be a finite non-negative"):
        jitter(-1.0)


def test_nested_pool_negative_sizes():
    X, _ = data()
    with pytest.raises(ValueError, match="synthetic size must be a non-negative integer; got -1"):
        nested_pool(random_oversampling(), KEY, X, [3, -1, 5])


def test_fit_nested_bad_sizes():
    X, y = data()
    pool = np.zeros((4, 2))
    with pytest.raises(ValueError, match="synthetic size must be a non-negative integer"):
        fit_nested(squared_loss(), X, y, pool, [0, -2])
    with pytest.raises(ValueError, match="largest size 5 exceeds the pool of 4 rows"):
        fit_nested(squared_loss(), X, y, pool, [0, 5])


def test_make_generator_unknown_name():
    with pytest.raises(ValueError, match="unknown generator 'nope'"):
        make_generator("nope")
    # the real names work
    assert make_generator("smote", k=3).min_rows == 4


# --------------------------------------------------------------------------- designs and Monte Carlo


def test_get_design_unknown_name():
    with pytest.raises(ValueError, match="unknown design 'nope'; available designs: biased-aligned"):
        get_design("nope")


@pytest.mark.parametrize("reps", [1, 0, -3, 2.5])
def test_run_design_reps_below_two(reps):
    with pytest.raises(ValueError, match="reps must be an integer >= 2"):
        run_design("biased-aligned", reps=reps, quick=True, progress=False)


def test_run_design_unknown_generator():
    with pytest.raises(ValueError, match=r"unknown generator\(s\) 'nope' for design 'biased-aligned'; available: fixed"):
        run_design("biased-aligned", generators="nope", reps=2, quick=True, progress=False)
    with pytest.raises(ValueError, match="no generator given"):
        run_design("biased-aligned", generators=" , ", reps=2, quick=True, progress=False)


def test_run_design_bad_seed_and_batch():
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        run_design("biased-aligned", reps=2, seed=-1, quick=True, progress=False)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        run_design("biased-aligned", reps=2, batch_size=0, quick=True, progress=False)
    with pytest.raises(ValueError, match="dtype must be float32 or float64"):
        run_design("biased-aligned", reps=2, dtype="int32", quick=True, progress=False)


@pytest.mark.parametrize("reps", [0, -1, 1.5])
def test_run_replications_bad_reps(reps):
    with pytest.raises(ValueError, match="reps must be a positive integer"):
        run_replications(lambda k: jax.random.normal(k), KEY, reps, progress=False)


def test_generator_that_uses_majority_needs_it():
    import jax
    import jax.numpy as jnp

    from synthaug.generators import Generator

    gen = Generator("toy", lambda key, X1, n, X0: jnp.broadcast_to(jnp.mean(X0, axis=0), (n, X1.shape[1])), uses_majority=True)
    X1 = np.ones((4, 2))
    with pytest.raises(ValueError, match="needs the majority"):
        gen(jax.random.key(0), X1, 3)
    with pytest.raises(ValueError, match="columns"):
        gen(jax.random.key(0), X1, 3, X_majority=np.zeros((5, 3)))
    out = gen(jax.random.key(0), X1, 3, X_majority=np.full((5, 2), 2.0))
    assert out.shape == (3, 2) and float(out[0, 0]) == 2.0


# --------------------------------------------------------------------- issue 13: the first hour


def _frame_with(column):
    import pandas as pd

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60)})
    df["c"] = column
    return df, np.r_[np.zeros(45), np.ones(15)]


@pytest.mark.parametrize("kind", ["string", "category", "boolean", "object"])
def test_non_numeric_pandas_dtypes_get_the_intended_message(kind):
    import pandas as pd

    values = ["u", "v"] * 30
    column = {"string": pd.array(values, dtype="string"), "category": pd.Categorical(values),
              "boolean": pd.array([True, False] * 30, dtype="boolean"), "object": np.array(values, dtype=object)}[kind]
    from synthaug.data import prepare_data

    df, y = _frame_with(column)
    with pytest.raises(ValueError, match=r"non-numeric column\(s\) c \(.+\): encode them first, e.g. with "
                                         r"synthaug.data.prepare_table"):
        prepare_data(df, y)
    before = df.copy()
    with pytest.raises(ValueError, match="non-numeric column"):
        synthaug.diagnose(df, y, progress=False)
    assert df.equals(before)  # the caller's frame is not modified


def test_nullable_integer_columns_are_numeric_and_missing_values_named():
    import pandas as pd

    from synthaug.data import prepare_data

    df, y = _frame_with(pd.array(list(range(60)), dtype="Int64"))
    data = prepare_data(df, y)
    assert data.X0.shape == (45, 2) and np.isfinite(data.X0).all()
    df, y = _frame_with(pd.array([None] + list(range(59)), dtype="Int64"))
    with pytest.raises(ValueError, match=r"missing or infinite values in \['c'\]; drop or impute them \(prepare_table"):
        prepare_data(df, y)


def test_python_errors_show_plain_values_and_python_names():
    from synthaug.data import prepare_data

    X = np.random.default_rng(0).normal(size=(30, 2))
    y = np.r_[np.zeros(20, np.int64), np.ones(10, np.int64)]
    with pytest.raises(ValueError, match=r"^the class 0 named as minority has 20 rows"):
        prepare_data(X, y, minority=np.int64(0))
    with pytest.raises(ValueError, match=r"^folds must be an integer >= 2; got '5' \(a string\)$"):
        synthaug.diagnose(X, y, folds="5", progress=False)
    with pytest.raises(ValueError, match=r"got -1$"):
        synthaug.diagnose(X, y, folds=np.int64(-1), progress=False)
    with pytest.raises(ValueError, match=r"3 classes; a binary target is needed: .*prepare_table\(\.\.\., positive=LABEL\)") as err:
        prepare_data(X, np.r_[np.zeros(10), np.ones(10), 2 * np.ones(10)])
    assert "--" not in str(err.value)  # no CLI flags in Python errors


@pytest.mark.parametrize("name", ["SMOTESampler", "GKSMOTESampler", "GaussianMixtureSampler"])
def test_n_synthetic_and_gap_multiple_together_are_refused(name):
    X, y = data(40, 2)[0], np.r_[np.zeros(30, int), np.ones(10, int)]
    sampler = getattr(synthaug, name)(n_synthetic=5, gap_multiple=0.5, random_state=0)
    with pytest.raises(ValueError, match="give n_synthetic or gap_multiple, not both"):
        sampler.fit_resample(X, y)


def test_prepare_table_refuses_id_columns_and_drops_on_request():
    import pandas as pd

    from synthaug.data import MAX_LEVELS, prepare_table

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"id": [f"r{i}" for i in range(80)], "site": rng.choice(["n", "s"], 80),
                       "x": rng.normal(size=80), "y": np.r_[np.zeros(60, int), np.ones(20, int)]})
    before = df.copy()
    with pytest.raises(ValueError, match=r"'id' \(80 distinct values in 80 rows\) look like an ID or free text: "
                                         r"one-hot encoding would add 79 feature columns"):
        prepare_table(df, "y")
    table = prepare_table(df, "y", drop=["id"])
    assert list(table.X.columns) == ["x", "site_s"] and any("smote-nc" in n for n in table.notices)
    assert prepare_table(df, "y", max_levels=80).X.shape == (80, 1 + 79 + 1)  # the limit is a parameter
    assert df.equals(before) and MAX_LEVELS == 50
    with pytest.raises(ValueError, match="cannot drop"):
        prepare_table(df, "y", drop=["nope"])
    with pytest.raises(ValueError, match="target column 'y' cannot be dropped"):
        prepare_table(df, "y", drop="y")


# --------------------------------------------------------------------------- sizes that cannot be allocated

_SIZE_SCRIPT = r"""
import numpy as np, jax
import synthaug.config
synthaug.config.enable_x64()
from synthaug import estimators
from synthaug.estimators.base import GeneratorSampler
from synthaug.generators import make_generator
from synthaug.simulate import run_design

rng = np.random.default_rng(0)
X = rng.normal(size=(80, 3))
y = np.r_[np.zeros(60, int), np.ones(20, int)]
cases = []
for name in sorted(dir(estimators)):
    cls = getattr(estimators, name)
    if isinstance(cls, type) and issubclass(cls, GeneratorSampler) and getattr(cls, "_generator_name", None):
        kw = {"categorical_features": [0]} if name == "SMOTENCSampler" else {}
        cases.append((name, lambda cls=cls, kw=kw: cls(n_synthetic=10**10, random_state=0, **kw).fit_resample(X, y)))
cases.append(("SMOTESampler below the row cap",  # 2e9 rows: under 2**31 - 1, over the memory limit
              lambda: estimators.SMOTESampler(n_synthetic=2 * 10**9).fit_resample(X, y)))
for size in (10**10, 3 * 10**9):
    cases.append((f"smote generator n={size}", lambda size=size: make_generator("smote")(jax.random.key(0), X[60:], size)))
    cases.append((f"adasyn generator n={size}",
                  lambda size=size: make_generator("adasyn")(jax.random.key(0), X[60:], size, X_majority=X[:60])))
cases.append(("simulate reps", lambda: run_design("biased-aligned", reps=10**9, quick=True, progress=False)))
for label, call in cases:
    try:
        call()
        print("NO ERROR", label)
    except ValueError as err:
        print("REFUSED", label, "|", err)
"""


def test_huge_sizes_are_refused_before_allocation():
    """10**10 synthetic rows aborted the process inside XLA; every sampler, the generator call path and
    simulate's reps now refuse such a size with a ValueError that gives the memory it would need. Run in a
    subprocess so that a regression (a core dump) fails this test instead of killing the test session."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _SIZE_SCRIPT], capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith(("REFUSED", "NO ERROR"))]
    assert len(lines) >= 15, out.stdout  # 10 generator samplers + 1 + 4 generator calls + reps
    assert not [ln for ln in lines if ln.startswith("NO ERROR")], out.stdout
    for ln in lines:
        if "reps" in ln:
            assert "reps must be at most 1000000" in ln, ln
        else:
            assert "is too large" in ln and "GiB of memory" in ln, ln


def test_memory_limit_is_configurable(monkeypatch):
    """Below the 32-bit row cap the estimate is compared with the memory limit (SYNTHAUG_MAX_BYTES here)."""
    from synthaug.core.validation import check_allocation, memory_limit

    X, _ = data(n=20, d=3)
    monkeypatch.setenv("SYNTHAUG_MAX_BYTES", "100000")
    assert memory_limit() == 100000
    with pytest.raises(ValueError, match=r"n \(synthetic rows\) = 10000 is too large: it would need about 938 KiB"):
        smote(3)(KEY, X, 10_000)
    smote(3)(KEY, X, 100)  # 9.4 KiB: allowed
    with pytest.raises(ValueError, match="more than the 97.7 KiB allowed"):
        check_allocation(10_000, 3, "n")
    monkeypatch.setenv("SYNTHAUG_MAX_BYTES", "lots")
    with pytest.raises(ValueError, match="SYNTHAUG_MAX_BYTES must be a number of bytes"):
        memory_limit()


def test_candidate_grids_are_checked_before_the_cross_validation(monkeypatch):
    from synthaug.diagnosis import diagnose, select_size

    X, y = data(n=60, d=2)
    monkeypatch.setenv("SYNTHAUG_MAX_BYTES", "1000000")
    with pytest.raises(ValueError, match="the largest candidate synthetic size = 100000 is too large"):
        select_size(X, y, sizes=[10, 100_000])
    with pytest.raises(ValueError, match="the largest candidate synthetic size = .* is too large"):
        diagnose(X, y, method="vtss", gammas=[1.0, 5000.0], progress=False)


# --------------------------------------------------------------------------- size-like and boolean parameters


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"max_multiple": -1}, r"max_multiple must be a finite non-negative number; got -1"),
        ({"max_multiple": np.nan}, r"max_multiple must be a finite non-negative number; got nan"),
        ({"max_multiple": "5"}, r"max_multiple must be a finite non-negative number; got '5' \(a string\)"),
        ({"standardize": "no"}, r"standardize must be True or False; got 'no' \(a string\)"),
        ({"fidelity": 1}, r"fidelity must be True or False; got 1"),
        ({"progress": "yes"}, r"progress must be True or False"),
        ({"alpha": "0.05"}, r"alpha must lie in \(0, 1\)"),
        ({"tau": -1.0}, r"tau must be positive"),
        ({"seed": 2**70}, r"seed must be a non-negative integer \(at most 2\*\*63 - 1\); got 1180591620717411303424"),
        ({"seed": 1.5}, r"seed must be a non-negative integer"),
        ({"folds": 2.5}, r"folds must be an integer >= 2; got 2.5"),
        ({"repeats": 0}, r"repeats must be a positive integer; got 0"),
        ({"crossfit_folds": "3"}, r"crossfit_folds must be an integer >= 2"),
        ({"method": "vtss", "gammas": [-1.0, 1.0]}, r"gammas must be a non-empty 1-D list of finite non-negative"),
        ({"method": "vtss", "gammas": ["a"]}, r"gammas must be a non-empty 1-D list"),
        ({"generator_params": [("k", 3)]}, r"generator_params must be a dict"),
    ],
)
def test_diagnose_refuses_bad_parameters(kwargs, message):
    from synthaug.diagnosis import diagnose

    X, y = data(n=40, d=2)
    with pytest.raises(ValueError, match=message):
        diagnose(X, y, **{"progress": False, **kwargs})


@pytest.mark.parametrize(
    "sizes, message",
    [([-40, 10], r"sizes\[\] must be a non-negative integer; got -40"),
     ([1.5], r"sizes\[\] must be a non-negative integer; got 1.5"),
     ([], "sizes must be a non-empty 1-D list"),
     ("10", "sizes must be a non-empty 1-D list"),
     ([[1, 2]], "sizes must be a non-empty 1-D list")],
)
def test_select_size_refuses_bad_sizes(sizes, message):
    from synthaug.diagnosis import select_size

    X, y = data(n=40, d=2)
    with pytest.raises(ValueError, match=message):
        select_size(X, y, sizes=sizes)


def test_run_design_refuses_bad_flags():
    with pytest.raises(ValueError, match="quick must be True or False; got 'yes'"):
        run_design("biased-aligned", quick="yes", reps=2)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        run_design("biased-aligned", quick=True, reps=2, seed=2**70)


# --------------------------------------------------------------------------- overflow and underflow


@pytest.mark.parametrize("scale", [1e300, 1e154, 1e-300])
def test_prepare_data_raw_scale_refuses_overflowing_columns(scale):
    from synthaug.data import prepare_data

    X, y = data(n=40, d=3)
    X[:, 1] *= scale
    word = "overflow" if scale > 1 else "underflow"
    with pytest.raises(ValueError, match=rf"X column\(s\) \['x1'\] have .* whose squares {word} float64"):
        prepare_data(X, y, standardize=False)


@pytest.mark.parametrize("scale", [1e300, 1e-300])
def test_standardisation_is_scale_safe(scale):
    """Standardising 1e300- or 1e-300-scaled columns gives the standardised data of the unscaled ones."""
    from synthaug.data import prepare_data

    X, y = data(n=40, d=3)
    ref = prepare_data(X, y)
    got = prepare_data(X * scale, y)
    np.testing.assert_allclose(got.X1, ref.X1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.X0, ref.X0, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.scale / scale, ref.scale, rtol=1e-12)
    assert np.all(np.isfinite(got.mean)) and np.all(got.scale > 0)


def test_diagnose_is_invariant_to_a_huge_or_tiny_feature_scale():
    """diagnose reported T_sym = 2.7e33 at 1e300 and NaN at 1e-300; with scale-safe standardisation the
    scaled data give the same diagnosis as the unscaled data."""
    from synthaug.diagnosis import diagnose

    X, y = data(n=60, d=2)
    ref = diagnose(X, y, progress=False, fidelity=False)
    for scale in (1e300, 1e-300):
        got = diagnose(X * scale, y, progress=False, fidelity=False)
        assert got.t_sym == pytest.approx(ref.t_sym, rel=1e-8)
        assert got.selected_size == ref.selected_size


@pytest.mark.parametrize("scale", [1e300, 1e154, 1e-300])
@pytest.mark.parametrize("name", ["gaussian", "gmm", "gmm-em50", "smoothed-bootstrap", "moms", "smote"])
def test_generators_refuse_overflowing_columns(name, scale):
    X, _ = data(n=24, d=3)
    X1 = X[:12].copy()
    X1[:, 2] *= scale
    word = "overflow" if scale > 1 else "underflow"
    with pytest.raises(ValueError, match=rf"X_minority column\(s\) \[2\] have .* squares {word}"):
        make_generator(name)(KEY, X1, 5, X_majority=X[12:])


def test_float32_limits_follow_the_dtype():
    X = np.random.default_rng(1).normal(size=(10, 2)).astype(np.float32)
    with pytest.raises(ValueError, match=r"squares overflow float32"):
        gaussian_fit()(KEY, X * np.float32(1e20), 4)
    assert np.all(np.isfinite(np.asarray(gaussian_fit()(KEY, X * np.float32(1e10), 4))))


def test_gaussian_fit_identical_float32_rows_is_finite():
    """All-identical float32 rows: the Cholesky floor was 1e-300, zero in float32, so the rows were NaN."""
    X = np.full((6, 3), 2.5, np.float32)
    out = np.asarray(gaussian_fit()(KEY, X, 5))
    assert out.dtype == np.float32 and np.all(np.isfinite(out))
    np.testing.assert_allclose(out, 2.5, atol=1e-6)


def test_generator_output_is_checked_finite():
    from synthaug.generators import Generator

    bad = Generator("bad", lambda key, X, n: jnp_full_nan(n, X.shape[1]))
    X, _ = data(n=10)
    with pytest.raises(ValueError, match=r"generator 'bad' returned NaN or infinite values \(4 of 4 row"):
        bad(KEY, X, 4)
    # under jit the check is left to the caller's flag
    from synthaug.generators.basic import finite_flag

    rows = jax.jit(lambda k, x: bad(k, x, 3))(KEY, X)
    assert not bool(finite_flag(rows))


def jnp_full_nan(n, d):
    import jax.numpy as jnp

    return jnp.full((n, d), jnp.nan)


def test_moms_diverging_learning_rate_is_refused():
    X, _ = data(n=30, d=2)
    gen = make_generator("moms", lr=1e6, epochs=20)
    with pytest.raises(ValueError, match=r"MOMS training diverged: the loss became NaN or infinite at epoch"):
        gen(KEY, X[:10], 8, X_majority=X[10:])


@pytest.mark.parametrize("scale", [1e154, 1e300])
def test_weighted_fit_refuses_overflowing_columns(scale):
    """weighted_fit reported converged=True with a gradient norm of 2e299 and zero slopes."""
    X, y = data()
    X[:, 0] *= scale
    with pytest.raises(ValueError, match=r"X column\(s\) \[0\] have magnitudes above 1.3e\+151"):
        weighted_fit(logistic_loss(), X, y)


def test_weighted_fit_refuses_bad_theta0():
    X, y = data()
    with pytest.raises(ValueError, match="theta0 contains NaN or infinite values"):
        weighted_fit(logistic_loss(), X, y, theta0=np.full(2, np.nan))
    with pytest.raises(ValueError, match=r"theta0 must be a numeric vector of shape \(2,\)"):
        weighted_fit(logistic_loss(), X, y, theta0=np.zeros(3))
    with pytest.raises(ValueError, match="max_iter must be a positive integer"):
        weighted_fit(logistic_loss(), X, y, max_iter=0)


def test_bias_corrected_classifier_refuses_overflowing_columns():
    from synthaug.estimators import BiasCorrectedClassifier

    X, y = data(n=40)
    X[:, 1] *= 1e200
    with pytest.raises(ValueError, match=r"X column\(s\) \[1\] have magnitudes above"):
        BiasCorrectedClassifier(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="ridge must be a finite non-negative number; got '1'"):
        BiasCorrectedClassifier(ridge="1").fit(X / 1e200, y)


# --------------------------------------------------------------------------- standard JSON


def _strict_json(text):
    import json

    def refuse(c):
        raise AssertionError(f"non-standard JSON constant {c}")

    return json.loads(text, parse_constant=refuse)


def test_diagnosis_json_is_standard_with_a_reason():
    """A duplicated minority gives mmd2 = NaN; tau=inf: both were written as NaN / Infinity."""
    from synthaug.diagnosis import diagnose

    X, y = data(n=60, d=2)
    X[y == 1] = X[y == 1][0]
    d = _strict_json(diagnose(X, y, tau=np.inf, progress=False).to_json())
    assert d["tau"] is None
    assert "tau is +infinite; written as null" in d["warnings"]
    nulls = [w for w in d["warnings"] if "NaN (undefined for these data)" in w]
    assert any(w.startswith("fidelity.") for w in nulls), d["warnings"]


# --------------------------------------------------------------------------- parameter types and keys


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("gaussian", {"shrinkage": "0.1"}, r"shrinkage \(generator 'gaussian'\) must be a number \(float\); got '0.1'"),
        ("smote", {"k": 2.5}, r"k \(generator 'smote'\) must be an integer; got 2.5"),
        ("smote", {"k": True}, r"k \(generator 'smote'\) must be an integer; got True"),
        ("jitter", {"per_feature": "yes"}, r"per_feature \(generator 'jitter'\) must be a boolean"),
        ("gmm", {"covariance_type": 3}, r"covariance_type \(generator 'gmm'\) must be a string"),
        ("moms", {"lr": None}, r"lr \(generator 'moms'\) must be a number"),
        ("smote", {"neighbours": 3}, r"generator 'smote' has no parameter 'neighbours'; its parameters are \['k', 'name'\]"),
    ],
)
def test_generator_parameter_types(name, params, message):
    with pytest.raises(ValueError, match=message):
        make_generator(name, **params)


@pytest.mark.parametrize("key", [None, 0, "0", np.zeros(3, np.uint32)])
def test_generator_refuses_a_missing_or_malformed_key(key):
    X, _ = data()
    with pytest.raises(ValueError, match=r"jax.random.key\(0\)"):
        make_generator("smote", k=2)(key, X, 3)


# --------------------------------------------------------------------------- command line


def _cli(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "synthaug", *args], capture_output=True, text=True, timeout=300)


def _one_line(out, message):
    assert out.returncode == 2, (out.returncode, out.stderr[-2000:])
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and message in lines[0], out.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "the file is empty (no header row)"),
        ("a,b,y\n", "has no data rows (only a header with 3 column(s))"),
        ("a;b;y\n1;2;0\n3;4;1\n", "seem to be separated by semicolons, not commas"),
        ("a,b,c\n1,2,0\n3,4,1\n", "target column 'y' not in"),
        ("a,b,y\n1,2\n3,4,1,5,6\n", "cannot read"),
    ],
)
def test_cli_malformed_csv(tmp_path, content, message):
    path = tmp_path / "data.csv"
    path.write_text(content)
    _one_line(_cli("diagnose", str(path), "--target", "y"), message)


def test_cli_reads_bom_and_quoted_commas(tmp_path):
    """A byte-order mark is not part of the first column name; a quoted comma stays inside its field."""
    import argparse

    from synthaug.cli import _read_table

    path = tmp_path / "data.csv"
    rows = ["y,a,note"] + [f'{int(i % 4 == 0)},{i * 0.37 % 1:.3f},"x, {i % 2}"' for i in range(24)]
    path.write_bytes(("\ufeff" + "\n".join(rows) + "\n").encode("utf-8"))
    args = argparse.Namespace(dataset=None, data=str(path), target="y", positive=None, impute=None, drop=None,
                              max_levels=50)
    X, y, _ = _read_table(args)
    assert list(X.columns) == ["a", "note_x, 1"] and len(y) == 24


def test_cli_seed_too_large_is_one_line(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,y\n1,0\n2,1\n")
    _one_line(_cli("diagnose", str(path), "--target", "y", "--seed", str(2**70)), "--seed must be a non-negative integer")
    _one_line(_cli("simulate", "biased-aligned", "--seed", str(2**70)), "--seed must be a non-negative integer")


def test_cli_output_paths_are_checked_first(tmp_path):
    """A missing output directory used to fail only after the whole computation."""
    import time

    path = tmp_path / "data.csv"
    path.write_text("a,y\n1,0\n2,1\n")
    missing = tmp_path / "no" / "such"
    t0 = time.perf_counter()
    _one_line(_cli("diagnose", str(path), "--target", "y", "--json", str(missing / "d.json")), "does not exist")
    _one_line(_cli("bias-correct", str(path), "--target", "y", "--plot", str(missing / "d.png")), "does not exist")
    _one_line(_cli("simulate", "biased-aligned", "--out", str(missing / "r.json")), "does not exist")
    _one_line(_cli("simulate", "biased-aligned", "--plot", str(tmp_path)), "is a directory")
    assert time.perf_counter() - t0 < 60  # four interpreters, no computation


def _nan_above(limit):
    """A traceable generator whose draws of more than ``limit`` rows are NaN (smooth below)."""
    import jax.numpy as jnp

    from synthaug.generators import Generator

    def fn(key, X, n):
        rows = X[jax.random.randint(key, (n,), 0, X.shape[0])]
        return jnp.full((n, X.shape[1]), jnp.nan, X.dtype) if n > limit else rows

    return Generator(f"nan-above-{limit}", fn)


def test_diagnose_stage_flags_name_the_generator_and_the_stage():
    """Inside the jitted stages a generator cannot raise: each stage returns a finiteness flag of the
    rows it drew and the host raises naming the stage (before: only a vague NaN-loss message, or a
    diagnosis built on NaN moments)."""
    from synthaug import diagnose

    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.r_[np.zeros(70, int), np.ones(20, int)]
    with pytest.raises(ValueError, match=r"generator 'nan-above-0' returned NaN or infinite rows in the "
                                         r"cross-fitted mismatch stage"):
        diagnose(X, y, generator=_nan_above(0), fidelity=False, progress=False)
    # the cross-fit draws gap_fold (about a third of 50) rows, the CV pools about 1.5 * 40: only the CV is NaN
    with pytest.raises(ValueError, match=r"generator 'nan-above-50' returned NaN or infinite rows in the "
                                         r"cross-validation stage"):
        diagnose(X, y, generator=_nan_above(50), method="vtss", fidelity=False, progress=False)
    from synthaug import select_size

    with pytest.raises(ValueError, match=r"in the cross-validation stage"):
        select_size(X, y, generator=_nan_above(50), progress=False)
