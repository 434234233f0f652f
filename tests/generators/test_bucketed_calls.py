"""Shape buckets: a concrete generator call equals the unpadded computation, and the folds of a
cross-validation share one compiled program (issue: compile once per shape bucket).

Found by discovery: every registered generator whose default configuration has a
``padded`` implementation (minority only) or a ``padded_majority`` one (both classes
padded) is checked, so a new generator with one is covered by itself.
"""

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.core.buckets import bucket, draw_size, masked_cov, masked_mean, masked_std, pad_rows_host, row_bucket
from compile_count import compiled, traces as collect_traces  # tests/compile_count.py
from synthaug.generators.basic import _padded_majority_program, _padded_program
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
    with collect_traces() as traced:
        for tr, _ in folds2:
            sampler.fit_resample(X2[tr], y2[tr])
    assert traced.events == []


# --- generators that use the majority: both classes padded ----------------------------------

EXTRA_MAJORITY_CONFIGS = [("borderline-smote-2", {"majority_step": "imblearn"}), ("borderline-smote", {"fallback": "smote"}),
                          ("borderline-smote", {"k": 20, "m": 18}), ("adasyn", {"fallback": "smote"}), ("adasyn", {"k": 3}),
                          ("svm-smote", {"split": "uniform", "fallback": "smote"}), ("smote-enn", {"kind_sel": "mode"})]
PADDED_MAJORITY = [(name, {}) for name in GENERATOR_NAMES
                   if make_generator(name, **_REQUIRED.get(name, {})).padded_majority is not None] + EXTRA_MAJORITY_CONFIGS


def test_the_majority_generators_have_a_bucketed_path():
    names = {name for name, _ in PADDED_MAJORITY}
    assert {"borderline-smote", "borderline-smote-2", "adasyn", "svm-smote", "smote-tomek", "smote-enn"} <= names
    # not bucketed: KMeans-SMOTE (its k-means sums are not reproducible on padded rows), and
    # ADASYN with imbalanced-learn's rounding (a data-dependent number of rows)
    assert make_generator("kmeans-smote").padded_majority is None
    assert make_generator("adasyn", rounding="imblearn").padded_majority is None


def _two_classes(rng, n1, n0, loc):
    scale = rng.uniform(0.5, 3.0, size=4)
    X1 = rng.normal(size=(n1, 4)) * scale + loc + 0.7
    X0 = rng.normal(size=(n0, 4)) * scale + loc
    return X1, X0


@pytest.mark.parametrize("name,params", PADDED_MAJORITY, ids=[f"{n}{p or ''}" for n, p in PADDED_MAJORITY])
def test_padded_majority_path_equals_unpadded(name, params):
    """Bit for bit: the draws are integer picks and interpolations of the same rows. Rows near the
    origin (loc 0) would have the zero padding rows among their nearest neighbours if the
    padding were not masked; rows far from it (loc 50) would show a padding row drawn."""
    gen = make_generator(name, **params)
    rng = np.random.default_rng(11)
    unpadded = gen.fn  # the computation as it runs without buckets (its own jitted stages, its concrete errors)
    calls = []
    for loc in (0.0, 50.0):
        for n1, n0 in ((gen.min_rows + 2, 27), (41, 203)):
            X1, X0 = _two_classes(rng, n1, n0, loc)
            for n in (5, n0 - n1):
                assert gen.bucketed_majority(n1, n0, n)
                key = jax.random.key(1000 * n1 + n)
                try:
                    want = np.asarray(unpadded(key, jnp.asarray(X1), n, jnp.asarray(X0)))
                except ValueError as err:  # e.g. the ENN cleaning removed every synthetic row
                    with pytest.raises(type(err), match="^" + re.escape(str(err)) + "$"):
                        gen(key, X1, n, X_majority=X0)
                    continue
                got = np.asarray(gen(key, X1, n, X_majority=X0))
                calls.append(n)
                assert got.shape == want.shape == (n, 4)
                np.testing.assert_array_equal(got, want)
    assert len(calls) >= 4


def test_padded_majority_errors_are_those_of_the_unpadded_call():
    from synthaug.generators._neighbours import NoSeedRowsError

    rng = np.random.default_rng(3)
    X1, X0 = rng.normal(size=(20, 3)) + 100.0, rng.normal(size=(60, 3))  # well separated: no danger, no hardness
    for name, params, error in (("borderline-smote", {}, NoSeedRowsError), ("borderline-smote", {"fallback": "raise"},
                                                                             ValueError), ("adasyn", {}, ValueError)):
        gen = make_generator(name, **params)
        assert gen.bucketed_majority(20, 60, 10)
        with pytest.raises(error) as bucketed:
            gen(jax.random.key(0), X1, 10, X_majority=X0)
        with pytest.raises(error) as unpadded:
            gen.fn(jax.random.key(0), jnp.asarray(X1), 10, jnp.asarray(X0))
        assert str(bucketed.value) == str(unpadded.value)
    with pytest.raises(ValueError, match="needs at least"):  # the size checks of fn, before any program
        make_generator("borderline-smote", m=30)(jax.random.key(0), X1[:8], 5, X_majority=X0[:10])


def test_padding_rows_are_never_majority_neighbours():
    """A minority on the origin's side: unmasked zero padding rows of the majority would be its
    nearest majority neighbours and make every row a danger point."""
    from synthaug.generators.basic import _bucketed_majority_call

    rng = np.random.default_rng(5)
    X1 = rng.normal(size=(30, 2)) * 0.1  # around the zero padding rows
    X0 = rng.normal(size=(97, 2)) * 0.1 + 3.0  # 97 rows: padded to 104
    gen = make_generator("borderline-smote", fallback="smote")
    rows, extras = _bucketed_majority_call(gen, jax.random.key(0), X1, 50, X0, host=True)
    assert not extras["danger"].any()  # no majority row near the minority
    from synthaug.generators.borderline import danger_mask

    np.testing.assert_array_equal(extras["danger"], np.asarray(danger_mask(X1, X0)[0]))


def _cv_folds_sharing_buckets():
    X, y, folds, shapes = _cv_folds(62, 438, 0)
    X2, y2, folds2, shapes2 = _cv_folds(63, 437, 1)

    def buckets(folds_, y_):
        return {(row_bucket(int((y_[tr] == 1).sum())), row_bucket(int((y_[tr] == 0).sum())),
                 draw_size(int((y_[tr] == 0).sum() - (y_[tr] == 1).sum()))) for tr, _ in folds_}

    assert len(shapes) > 1 and shapes2 - shapes  # without buckets the folds would compile several programs
    assert buckets(folds2, y2) <= buckets(folds, y) and len(buckets(folds, y)) == 1
    return X, y, folds, X2, y2, folds2


@pytest.mark.parametrize("sampler_name,params", [("BorderlineSMOTESampler", {"kind": 1}),
                                                 ("BorderlineSMOTESampler", {"kind": 2}),
                                                 ("ADASYNSampler", {})], ids=["borderline-1", "borderline-2", "adasyn"])
def test_five_fold_cross_validation_compiles_once_with_the_majority(sampler_name, params):
    """Trace-count guard for the samplers that use the majority: one program per cross-validation,
    none for a second one of similar data; the bucketed rows are those of the unpadded call."""
    import synthaug

    # configurations no other test uses, so their programs are compiled here
    extra = {"m_neighbors": 9} if sampler_name == "BorderlineSMOTESampler" else {"n_neighbors": 6}
    sampler = getattr(synthaug, sampler_name)(random_state=0, **params, **extra)
    X, y, folds, X2, y2, folds2 = _cv_folds_sharing_buckets()
    before = compiled(_padded_majority_program)
    for tr, _ in folds:
        sampler.fit_resample(X[tr], y[tr])
    assert compiled(_padded_majority_program) - before == 1
    with collect_traces() as traced:
        for tr, _ in folds2:
            X_res, y_res = sampler.fit_resample(X2[tr], y2[tr])
    assert traced.events == []
    # the last fold against the unpadded generator call
    tr = folds2[-1][0]
    gen = sampler._generator()
    X1, X0 = X2[tr][y2[tr] == 1], X2[tr][y2[tr] == 0]
    from synthaug.estimators.base import key_from_random_state

    key = jax.random.fold_in(key_from_random_state(0), 0)
    want = np.asarray(jax.jit(gen.fn, static_argnums=2)(key, jnp.asarray(X1), X0.shape[0] - X1.shape[0], jnp.asarray(X0)))
    np.testing.assert_array_equal(X_res[len(tr):], want)


@pytest.mark.parametrize("sampler_name", ["SVMSMOTESampler", "SMOTETomekSampler", "SMOTEENNSampler"])
def test_five_fold_cross_validation_compiles_once_svm_and_cleaning(sampler_name):
    """Trace-count guard for SVM-SMOTE (the SVM on the host, the JAX part one bucketed program) and
    SMOTE + Tomek links / ENN (the bucketed SMOTE, then one bucketed cleaning program)."""
    import synthaug
    from synthaug.core import cleaning

    X, y, folds, X2, y2, folds2 = _cv_folds_sharing_buckets()
    if sampler_name == "SVMSMOTESampler":
        sampler, programs = synthaug.SVMSMOTESampler(m_neighbors=9, random_state=0), [_padded_majority_program]
    else:
        sampler = getattr(synthaug, sampler_name)(random_state=0)
        programs = [cleaning._tomek_padded if sampler_name == "SMOTETomekSampler" else cleaning._enn_padded]
        programs[0].clear_cache()
    before = [compiled(p) for p in programs]
    for tr, _ in folds:
        sampler.fit_resample(X[tr], y[tr])
    assert [compiled(p) - b for p, b in zip(programs, before)] == [1]
    with collect_traces() as traced:
        for tr, _ in folds2:
            sampler.fit_resample(X2[tr], y2[tr])
    assert traced.events == []


def test_bucketed_cleaning_flags_equal_unpadded():
    from synthaug.core import cleaning

    rng = np.random.default_rng(2)
    for n in (9, 333, 1100):
        X, y = rng.normal(size=(n, 3)), rng.integers(0, 3, n)
        X[4] = X[7]  # an exact tie: resolved to the lower index on both paths
        np.testing.assert_array_equal(np.asarray(cleaning.tomek_links(X, y)),
                                      np.asarray(cleaning._tomek(jnp.asarray(X), jnp.asarray(y))))
        for k, kind_sel in ((3, "all"), (3, "mode"), (5, "mode")):
            np.testing.assert_array_equal(np.asarray(cleaning.enn_flags(X, y, k, kind_sel)),
                                          np.asarray(cleaning._enn(jnp.asarray(X), jnp.asarray(y), k, kind_sel)))


def test_svm_smote_sampler_bucketed_equals_unpadded(monkeypatch):
    import synthaug
    from synthaug.generators.basic import Generator

    rng = np.random.default_rng(4)
    X = rng.normal(size=(260, 5))
    y = (rng.random(260) < 0.15).astype(int)
    X[y == 1] += 0.8
    for params in ({}, {"split": "uniform"}):
        got = synthaug.SVMSMOTESampler(random_state=0, **params).fit_resample(X, y)[0]
        with monkeypatch.context() as m:
            m.setattr(Generator, "bucketed_majority", lambda self, n1, n0, n: False)
            want = synthaug.SVMSMOTESampler(random_state=0, **params).fit_resample(X, y)[0]
        np.testing.assert_array_equal(got, want)


def test_padded_neighbour_tables_map_back_to_the_unpadded_ones():
    """The padded all-rows search, its indices mapped back (``unpad_index``), is the unpadded table."""
    from synthaug.generators._neighbours import (neighbours_in_all, neighbours_in_minority, padded_neighbours_in_all,
                                                 padded_neighbours_in_minority, unpad_index)

    rng = np.random.default_rng(8)
    X1, X0 = rng.normal(size=(21, 3)) * 0.2, rng.normal(size=(75, 3)) * 0.2  # around the zero padding rows
    b1, b0 = row_bucket(21), row_bucket(75)
    assert (b1, b0) != (21, 75)
    X1p, X0p = jnp.asarray(pad_rows_host(X1, b1)), jnp.asarray(pad_rows_host(X0, b0))
    got = unpad_index(padded_neighbours_in_all(X1p, 21, X0p, 75, 7), b1, 21)[:21]
    np.testing.assert_array_equal(got, neighbours_in_all(jnp.asarray(X1), jnp.asarray(X0), 7))
    np.testing.assert_array_equal(padded_neighbours_in_minority(X1p, 21, 4)[:21], neighbours_in_minority(jnp.asarray(X1), 4))
