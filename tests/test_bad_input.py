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
    with pytest.raises(ValueError, match="n must be non-negative; got -1"):
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
    with pytest.raises(ValueError, match="synthetic size must be non-negative; got -1"):
        nested_pool(random_oversampling(), KEY, X, [3, -1, 5])


def test_fit_nested_bad_sizes():
    X, y = data()
    pool = np.zeros((4, 2))
    with pytest.raises(ValueError, match="synthetic size must be non-negative"):
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
