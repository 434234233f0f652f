"""Shape bucketing (synthaug.core.buckets): exact properties, checked over many sizes."""

import numpy as np
import pytest

from synthaug.core.buckets import bucket, pad_rows, pad_with_first, round_up


@pytest.mark.parametrize("relative,min_step,minimum", [(3, 1, 16), (2, 32, 0), (1, 1, 1)])
def test_bucket_bounds_and_monotone(relative, min_step, minimum):
    ns = np.arange(1, 5000)
    b = np.array([bucket(int(n), relative=relative, min_step=min_step, minimum=minimum) for n in ns])
    assert np.all(b >= ns) and np.all(b >= minimum)
    assert np.all(np.diff(b) >= 0)  # monotone: a larger size never gets a smaller bucket
    # the overshoot is at most one step: max(min_step, 2^(floor(log2 n) - relative))
    step = np.maximum(min_step, 2.0 ** np.maximum(np.floor(np.log2(ns)) - relative, 0))
    assert np.all(b - ns < np.maximum(step, minimum))
    # few buckets: O(2^relative log n) distinct values
    assert len(np.unique(b)) <= (2 ** relative + 1) * 13 + 5000 // max(min_step, 1) // 64 + 2
    # idempotent: a bucket is its own bucket
    assert all(bucket(int(v), relative=relative, min_step=min_step, minimum=minimum) == v for v in np.unique(b))


def test_bucket_small_and_nonpositive():
    # step 2^(floor(log2 n) - 3): 17 -> step 2 -> 18; 1025 -> step 128 -> 1152
    assert bucket(0) == 16 and bucket(-3) == 16 and bucket(1) == 16 and bucket(17) == 18
    assert bucket(1000) == 1024 and bucket(1025) == 1152


def test_round_up_and_padding():
    assert [round_up(n, 8) for n in (1, 8, 9, 16)] == [8, 8, 16, 16]
    X = np.arange(6.0).reshape(3, 2)
    P = np.asarray(pad_rows(X, 5))
    assert P.shape == (5, 2) and np.array_equal(P[:3], X) and not P[3:].any()
    c = np.array([4, 2, 9])
    p = np.asarray(pad_with_first(c, 8))
    assert p.shape == (8,) and np.array_equal(p[:3], c) and np.all(p[3:] == 4)
    assert p.min() == c.min() and int(np.argmin(p)) == int(np.argmin(c))
