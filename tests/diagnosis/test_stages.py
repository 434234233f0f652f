"""Compile-once guards for the diagnosis stages: one compilation per shape bucket.

``stage_cv`` takes the candidate sizes as a traced vector padded to a multiple of 8 and the
synthetic pool size as a static bucket; ``stage_refit_pool`` takes the refit size traced
and the pool size bucketed. Sizes that share a bucket must reuse one compiled program.
"""

import jax
import jax.numpy as jnp
import numpy as np

from compile_count import compiled
from synthaug.core.buckets import bucket
from synthaug.diagnosis.stages import run_cv, stage_cv, stage_refit, stage_refit_pool
from synthaug.generators import make_generator
from synthaug.models import get_model


def _data(n0=60, n1=20, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return jnp.asarray(rng.normal(0, 1, (n0, d))), jnp.asarray(rng.normal(0.8, 1, (n1, d)))


def test_cv_compiles_once_for_candidate_sets_in_one_bucket():
    X0, X1 = _data()
    model, gen = get_model("logistic"), make_generator("smote", k=3)
    aux = model.prepare(jax.random.key(0), jnp.concatenate([X0, X1]))
    # different maxima (37, 38, 40) and lengths (3, 5, 7): without the bucket and the padding
    # each set would compile its own program
    sets = [np.array([0, 20, 37]), np.array([0, 10, 30, 38, 35]), np.array([5, 37, 38, 39, 40, 12, 3])]
    assert len({bucket(int(s.max())) for s in sets}) == 1
    stage_cv.clear_cache()
    for i, cands in enumerate(sets):
        losses = run_cv(model, gen, jax.random.key(i), X0, X1, aux, cands, 4, 1)
        assert losses.shape == (4, cands.size) and np.all(np.isfinite(losses))
    assert compiled(stage_cv) == 1
    # a size in another bucket compiles a second program, and only one
    run_cv(model, gen, jax.random.key(9), X0, X1, aux, np.array([0, 200]), 4, 1)
    assert compiled(stage_cv) == 2


def test_refit_compiles_once_for_sizes_in_one_bucket():
    X0, X1 = _data()
    model, gen = get_model("logistic"), make_generator("smote", k=3)
    aux = model.prepare(jax.random.key(0), jnp.concatenate([X0, X1]))
    sizes = [33, 35, 36]
    assert len({bucket(s) for s in sizes}) == 1
    stage_refit_pool.clear_cache()
    for s in sizes:
        params, syn = stage_refit(model, gen, jax.random.key(s), X0, X1, aux, s)
        assert syn.shape == (s, 3) and np.all(np.isfinite(np.asarray(params)))
    assert compiled(stage_refit_pool) == 1


def test_stage_keys_are_the_keys_of_split_and_fold_in():
    # diagnose derives every key in one program; they must be the keys of the calls made one by one
    from synthaug.config import x64
    from synthaug.diagnosis.stages import stage_keys

    with x64():
        for seed in (0, 7, 2**40 + 3, 2**63 - 1):
            key = jax.random.key(seed)
            k_diag, k_cv, k_refit = jax.random.split(key, 3)
            got_diag, got_cv, got_refit, got_fid = stage_keys(np.int64(seed), 3)
            pairs = [(got_diag, k_diag), (got_refit, k_refit), (got_fid, jax.random.fold_in(key, 7))]
            pairs += [(got_cv[r], jax.random.fold_in(k_cv, r)) for r in range(3)]
            for got, want in pairs:
                np.testing.assert_array_equal(jax.random.key_data(got), jax.random.key_data(want))


def test_host_candidates_equal_the_traced_ones():
    # diagnose computes the TG-VTSS candidates in NumPy; they must be those of the traced function
    from synthaug.config import x64
    from synthaug.diagnosis.vtss import tg_candidates, tg_candidates_host

    cases = [(100, False, 3.0, 150.0), (100, True, 3.0, 150.0), (100, True, 30.0, 150.0), (100, True, 3.0, np.nan),
             (100, True, 3.0, 900.0), (37, True, 10.0, 41.3)]
    with x64():
        for gap, reject, gqs, theory in cases:
            c, b, clip = tg_candidates(gap, reject, gqs, theory, 10.0, 5.0)
            ch, bh, cliph = tg_candidates_host(gap, reject, gqs, theory, 10.0, 5.0)
            np.testing.assert_array_equal(np.asarray(c), ch)
            assert int(b) == bh and bool(clip) == cliph
