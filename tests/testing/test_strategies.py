"""Hypothesis strategies: shapes, edge cases reachable, shrinking to small examples, and use on generators.

Deterministic under the suite's derandomised 'ci' profile (tests/conftest.py).
"""

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from synthaug.generators import make_generator
from synthaug.testing import strategies as S


@given(S.imbalanced_datasets())
def test_datasets_are_imbalanced(data):
    X, y = data
    labs = np.unique(y)
    assert X.ndim == 2 and X.shape[0] == y.shape[0] and len(labs) == 2
    counts = {v: int(np.sum(y == v)) for v in labs}
    assert min(counts.values()) >= 3


def test_shrinks_to_small_minority():
    X, y = find(S.imbalanced_datasets(), lambda d: d[0].shape[0] > 0)
    assert X.shape[1] == 1 and int(np.sum(y == y[-1])) == 3  # minimal: one feature, 3-row minority


@pytest.mark.parametrize("pred", [
    lambda X: X.dtype == np.float32,
    lambda X: X.shape[1] == 1,
    lambda X: len(X) > 1 and np.all(X == X[0]),
    lambda X: X.shape[1] > 1 and np.any(np.ptp(X, 0) == 0) and np.ptp(X) > 0,
    lambda X: 0 < np.abs(X).max() < 1e-7,
    lambda X: np.abs(X).max() > 1e7,
])
def test_edge_cases_reachable(pred):
    find(S.minority_samples(), pred, settings=settings(max_examples=2000, database=None))


def test_string_labels_and_pandas():
    df, y = find(S.imbalanced_datasets(pandas=True, categorical=1, labels=("neg", "pos")), lambda d: True)
    assert list(df.columns)[-1] == "c0" and str(df["c0"].dtype) == "category" and set(y) == {"neg", "pos"}


def test_minority_of_exactly_the_minimum():
    gen = make_generator("gaussian")
    _, X, _ = find(S.generator_calls(gen), lambda c: True)
    assert X.shape[0] == gen.min_rows


@given(S.generator_calls(make_generator("smote", k=3)))
@settings(max_examples=10)
def test_smote_shape_and_finite(call):
    key, X, n = call
    out = np.asarray(make_generator("smote", k=3)(key, X, n))
    assert out.shape == (n, X.shape[1]) and np.all(np.isfinite(out))
