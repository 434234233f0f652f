"""Shape buckets: a concrete generator call equals the unpadded computation, and the folds of a
cross-validation share one compiled program (issue: compile once per shape bucket).

Found by discovery: every registered generator whose default configuration has a
``padded`` implementation is checked, so a new generator with one is covered by itself.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.core.buckets import bucket, draw_size, masked_cov, masked_mean, masked_std, pad_rows_host, row_bucket
from compile_count import compiled  # tests/compile_count.py
from synthaug.generators.basic import _padded_program
from synthaug.generators.registry import GENERATOR_NAMES, make_generator

# generators that cannot be built without arguments
_REQUIRED = {"smote-nc": dict(categorical_features=(0,))}
EXTRA_CONFIGS = [("smote", {"k": 20}), ("jitter", {"per_feature": True}), ("smote", {"k": 1})]
PADDED = [(name, {}) for name in GENERATOR_NAMES
          if make_generator(name, **_REQUIRED.get(name, {})).padded is not None] + EXTRA_CONFIGS
# Draws are integer picks and copies/interpolations of the same rows: bit for bit.
BIT_EXACT = {"smote", "random", "bootstrap"}


def test_the_common_generators_have_a_bucketed_path():
    names = {name for name, _ in PADDED}
    assert {"smote", "random", "bootstrap", "gaussian", "jitter", "shrink", "smoothed-bootstrap", "smote-global"} <= names


@pytest.mark.parametrize("name,params", PADDED, ids=[f"{n}{p or ''}" for n, p in PADDED])
def test_padded_path_equals_unpadded(name, params):
    gen = make_generator(name, **params)
    rng = np.random.default_rng(7)
    worst = 0.0
    unpadded = jax.jit(gen.fn, static_argnums=2)  # the computation as it runs without buckets
    for n1 in (max(gen.min_rows, 3), 41):
        # rows far from the origin: a zero padding row drawn or averaged in would show at once
        X = rng.normal(size=(n1, 4)) * rng.uniform(0.5, 3.0, size=4) + 50.0
        for n in (6, 300):
            key = jax.random.key(1000 * n1 + n)
            got = np.asarray(gen(key, X, n))
            want = np.asarray(unpadded(key, jnp.asarray(X), n))
            assert got.shape == want.shape == (n, 4)
            assert np.all(np.isfinite(got))
            if name in BIT_EXACT:
                np.testing.assert_array_equal(got, want)
            worst = max(worst, float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0))))
    # float64: only the reduction order of the masked statistics differs
    assert worst <= 1e-12, worst


def test_padding_rows_are_never_drawn():
    X = np.arange(1.0, 11.0)[:, None] * np.ones((1, 3))  # 10 rows, padded to 16 with zeros
    out = np.asarray(make_generator("random")(jax.random.key(0), X, 5000))
    assert set(np.unique(out[:, 0])) == set(np.arange(1.0, 11.0))
    out = np.asarray(make_generator("smote", k=2)(jax.random.key(1), X, 5000))
    assert out.min() >= 1.0  # interpolations between real rows only


def test_masked_statistics_match_numpy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(13, 3))
    Xp = jnp.asarray(pad_rows_host(X, 32))
    np.testing.assert_allclose(masked_mean(Xp, 13), X.mean(0), rtol=1e-13)
    np.testing.assert_allclose(masked_std(Xp, 13, ddof=1), X.std(0, ddof=1), rtol=1e-13)
    np.testing.assert_allclose(masked_cov(Xp, 13), np.cov(X, rowvar=False), rtol=1e-13)


def test_bucket_rules():
    assert row_bucket(3) == 8 and draw_size(1) == 8
    for n in range(1, 5000):
        b = bucket(n, minimum=8)
        assert b >= n and (n < 8 or b <= 1.125 * n)
    assert {row_bucket(n) for n in range(37, 49)} == {40, 44, 48}  # three programs for twelve sizes


def _cv_folds(n_minority, n_majority, seed):
    from sklearn.model_selection import StratifiedKFold

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_minority + n_majority, 7))
    y = rng.permutation(np.r_[np.ones(n_minority, int), np.zeros(n_majority, int)])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y))
    # (minority rows, synthetic rows to balance) of each training fold
    shapes = {(int((y[tr] == 1).sum()), int((y[tr] == 0).sum() - (y[tr] == 1).sum())) for tr, _ in folds}
    return X, y, folds, shapes


def _buckets(shapes):
    return {(row_bucket(a), draw_size(b)) for a, b in shapes}


@pytest.mark.parametrize("sampler_name", ["SMOTESampler", "RandomOversamplingSampler", "SmoothedBootstrapSampler"])
def test_five_fold_cross_validation_compiles_once(sampler_name):
    """Trace-count guard: the folds (class sizes differing by a row or two) reuse one program,
    and a second cross-validation of similar data traces nothing new at all."""
    import synthaug

    cls = getattr(synthaug, sampler_name)
    # a configuration no other test uses, so its programs are compiled here
    sampler = cls(k_neighbors=4, random_state=0) if sampler_name == "SMOTESampler" else cls(random_state=0)
    X, y, folds, shapes = _cv_folds(62, 438, 0)
    assert len(shapes) > 1  # without buckets the folds would compile several programs
    X2, y2, folds2, shapes2 = _cv_folds(63, 442, 1)  # similar data: other sizes, the same buckets
    assert shapes2 - shapes and _buckets(shapes2) <= _buckets(shapes)
    if sampler_name == "RandomOversamplingSampler":
        from synthaug.estimators.oversamplers import _bootstrap_programs

        program = _bootstrap_programs()[False]
        program.clear_cache()
    else:
        program = _padded_program
    before = compiled(program)
    for tr, _ in folds:
        sampler.fit_resample(X[tr], y[tr])
    assert compiled(program) - before == 1
    traces = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, duration, **kw: traces.append(event) if event == "/jax/core/compile/jaxpr_trace_duration" else None)
    try:
        for tr, _ in folds2:
            sampler.fit_resample(X2[tr], y2[tr])
    finally:
        jax.monitoring.clear_event_listeners()
    assert traces == []
