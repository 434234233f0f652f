"""Stratified folds that hold every row out exactly once (synthaug.core.folds)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from synthaug.core.folds import block_sizes, map_fold_groups, stratified_folds


def _old_rule(key, n0, n1, K, repeats):
    """The previous implementation, written out: blocks of floor(n/K), left-overs always in training."""

    def one_class(k, n):
        m = n // K
        perm = np.asarray(jax.random.permutation(k, n))
        tr = np.stack([np.roll(perm, -j * m)[m:] for j in range(K)])
        va = np.stack([np.roll(perm, -j * m)[:m] for j in range(K)])
        return tr, va

    out = []
    for r, kr in enumerate(jax.random.split(key, repeats)):
        k0, k1 = jax.random.split(kr)
        out.append(one_class(k0, n0) + one_class(k1, n1))
    return [np.concatenate([o[i] for o in out]) for i in range(4)]


CASES = [(23, 11, 4, 2), (40, 10, 5, 1), (17, 9, 3, 3), (10, 7, 2, 1), (31, 6, 6, 2)]


@pytest.mark.parametrize("n0,n1,K,R", CASES)
def test_every_row_validated_exactly_once_and_parts_partition(n0, n1, K, R):
    f = stratified_folds(jax.random.key(3), n0, n1, K, repeats=R)
    for c, n, tr_all, va_all in ((0, n0, f.train0, f.valid0), (1, n1, f.train1, f.valid1)):
        tr_all, va_all = np.asarray(tr_all), np.asarray(va_all)
        m, r = divmod(n, K)
        # static shapes: ceil(n/K) validation slots, n - floor(n/K) training slots
        assert va_all.shape == (R * K, m + (r > 0)) and tr_all.shape == (R * K, n - m)
        tm, vm = f.train_mask(c), f.valid_mask(c)
        assert tm.shape == tr_all.shape and vm.shape == va_all.shape
        assert np.all((0 <= tr_all) & (tr_all < n)) and np.all((0 <= va_all) & (va_all < n))
        np.testing.assert_array_equal(vm.sum(1), np.tile(block_sizes(n, K), R))
        np.testing.assert_array_equal(tm.sum(1), n - vm.sum(1))
        for rep in range(R):
            counts = np.zeros(n, int)
            for k in range(rep * K, (rep + 1) * K):
                va, tr = va_all[k][vm[k]], tr_all[k][tm[k]]
                # masks: real slots first, padding last
                assert vm[k, : vm[k].sum()].all() and tm[k, : tm[k].sum()].all()
                assert len(set(va.tolist())) == va.size and len(set(tr.tolist())) == tr.size
                assert not set(va.tolist()) & set(tr.tolist())
                assert set(va.tolist()) | set(tr.tolist()) == set(range(n))
                counts[va] += 1
            np.testing.assert_array_equal(counts, 1)  # every row validated exactly once per repeat


@pytest.mark.parametrize("n0,n1,K,R", [(40, 10, 5, 2), (30, 12, 3, 1), (8, 4, 4, 3)])
def test_divisible_sizes_give_the_old_folds_bit_for_bit(n0, n1, K, R):
    key = jax.random.key(11)
    new = stratified_folds(key, n0, n1, K, repeats=R)
    old = stratified_folds(key, n0, n1, K, repeats=R, holdout_remainder=False)
    ref = _old_rule(key, n0, n1, K, R)
    for a, b, c in zip(new, old, ref):
        np.testing.assert_array_equal(np.asarray(a), c)
        np.testing.assert_array_equal(np.asarray(b), c)
    assert not new.padded


def test_old_rule_is_kept_behind_the_flag():
    key = jax.random.key(5)
    old = stratified_folds(key, 23, 11, 4, repeats=2, holdout_remainder=False)
    for a, c in zip(old, _old_rule(key, 23, 11, 4, 2)):
        np.testing.assert_array_equal(np.asarray(a), c)
    assert old.train_mask(1).all() and old.valid_mask(0).all()


def test_same_permutation_as_the_old_rule():
    """Padding never changes which rows are drawn: the new blocks cut the old permutation."""
    key = jax.random.key(2)
    n, K = 13, 4
    new = stratified_folds(key, 20, n, K)
    k1 = jax.random.split(jax.random.split(key, 1)[0])[1]
    perm = np.asarray(jax.random.permutation(k1, n))
    vm = new.valid_mask(1)
    got = np.concatenate([np.asarray(new.valid1[k])[vm[k]] for k in range(K)])
    np.testing.assert_array_equal(got, perm)


def test_folds_work_under_jit_and_map_fold_groups_uses_exact_sizes():
    n0, n1, K = 23, 10, 4
    f = jax.jit(lambda k: stratified_folds(k, n0, n1, K))(jax.random.key(0))
    X0 = jnp.arange(n0, dtype=jnp.float32)
    X1 = jnp.arange(n1, dtype=jnp.float32)
    seen = []

    def make(t0, v0, t1, v1):
        seen.append((t0, v0, t1, v1))

        def one(k, tr0, va0, tr1, va1):
            return jnp.stack([X0[tr0].sum(), X0[va0].sum(), X1[tr1].sum(), X1[va1].sum(),
                              tr0.shape[0], va1.shape[0]]) + 0 * k

        return one

    out = np.asarray(jax.jit(lambda f: map_fold_groups(make, f, jnp.arange(K)))(f))
    assert len(seen) == 3 and len(set(seen)) == 3  # 23 = 4·5 + 3, 10 = 4·2 + 2: three shapes
    for k in range(K):
        vm0, vm1 = f.valid_mask(0)[k], f.valid_mask(1)[k]
        tm0, tm1 = f.train_mask(0)[k], f.train_mask(1)[k]
        want = [np.asarray(f.train0[k])[tm0].sum(), np.asarray(f.valid0[k])[vm0].sum(),
                np.asarray(f.train1[k])[tm1].sum(), np.asarray(f.valid1[k])[vm1].sum(), tm0.sum(), vm1.sum()]
        np.testing.assert_allclose(out[k], want)
    assert out[:, 1].sum() == X0.sum() and out[:, 3].sum() == X1.sum()  # all rows validated once


def test_take_keeps_sizes():
    f = stratified_folds(jax.random.key(1), 23, 11, 4)
    h = f.take([0])
    assert h.num_folds == 1 and h.valid_sizes0 == (6,) and h.valid_sizes1 == (3,)
    assert h.train_mask(0).sum() == 17
