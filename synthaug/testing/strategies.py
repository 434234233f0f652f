"""Hypothesis strategies for imbalanced data (needs hypothesis: ``pip install "synthaug[testing]"``).

Every argument is a value or a hypothesis strategy. Sizes shrink toward their lower
bound, so a failing example shrinks to the smallest minority the strategy allows (e.g.
a 3-row minority), one feature and small integers; the edge cases (a minority of exactly
the method's minimum, all minority rows identical, a constant column, one feature,
scales 1e-8 and 1e8, float32, string labels) are all reachable.
"""

from __future__ import annotations

import numpy as np

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as err:  # pragma: no cover - exercised in a subprocess without hypothesis
    raise ImportError('synthaug.testing.strategies needs hypothesis: pip install "synthaug[testing]"') from err

__all__ = ["imbalanced_datasets", "minority_samples", "generator_calls", "synthetic_sizes"]


def _s(v):
    return v if isinstance(v, st.SearchStrategy) else st.just(v)


def _scales():
    return st.sampled_from([1.0, 1e-8, 1e8])


@st.composite
def minority_samples(draw, n=st.integers(3, 20), d=st.integers(1, 4), dtype=st.sampled_from(["float64", "float32"]),
                     duplicates=st.booleans(), constant_columns=st.booleans(), scale=None, min_rows: int = 1):
    """A minority sample ``X`` of shape (n, d): small integers times a scale, optionally all rows identical
    or with a constant column. ``n`` is raised to ``min_rows``."""
    n = max(int(draw(_s(n))), int(min_rows))
    d = int(draw(_s(d)))
    dtype = np.dtype(draw(_s(dtype)))
    sc = float(draw(_s(scale) if scale is not None else _scales()))
    base = draw(hnp.arrays(np.int8, (n, d), elements=st.integers(-5, 5)))
    X = base.astype(np.float64)
    if draw(_s(duplicates)):
        X = np.repeat(X[:1], n, 0)
    if draw(_s(constant_columns)):
        X[:, draw(st.integers(0, d - 1))] = 1.0
    return (X * sc).astype(dtype)


def synthetic_sizes(max_size: int = 50):
    """Synthetic sizes ñ ≥ 1 (shrink toward 1)."""
    return st.integers(1, max_size)


@st.composite
def generator_calls(draw, generator=None, data=None, size=None):
    """``(key, data, size)`` for a generator call: a PRNG key from a drawn seed, a minority sample of at
    least ``generator.min_rows`` rows, and a synthetic size."""
    import jax

    mr = int(getattr(generator, "min_rows", 1)) if generator is not None else 1
    seed = draw(st.integers(0, 2**31 - 1))
    X = draw(_s(data) if data is not None else minority_samples(n=st.integers(mr, mr + 15), min_rows=mr))
    m = draw(_s(size) if size is not None else synthetic_sizes())
    return jax.random.key(seed), X, int(m)


@st.composite
def imbalanced_datasets(draw, n=st.integers(3, 20), d=st.integers(1, 4), imbalance_ratio=st.integers(1, 5),
                        minority=None, class_separation=st.sampled_from([0.0, 1.0, 3.0]), categorical=False,
                        duplicates=st.booleans(), constant_columns=st.booleans(),
                        dtype=st.sampled_from(["float64", "float32"]), labels=st.sampled_from([(0, 1), ("neg", "pos")]),
                        pandas=False, scale=None):
    """An imbalanced data set ``(X, y)``.

    Each parameter is a value or a hypothesis strategy of values.

    Parameters
    ----------
    n
        minority size n1 (≥ 1; shrinks toward its lower bound).
    d
        number of numeric features.
    imbalance_ratio
        κ = n0 / n1 (n0 = κ n1, rounded).
    minority
        a fixed minority sample (array) or strategy for it; overrides n, d, duplicates, constant_columns.
    class_separation
        shift of the minority along the first feature (in units of the scale).
    categorical
        number of categorical columns (pandas only; a bool means 0 or 1).
    duplicates, constant_columns, dtype, scale
        as in :func:`minority_samples`.
    labels
        (majority, minority) labels, integers or strings.
    pandas
        return a DataFrame with named columns (categoricals as ``category``) and a Series ``y``.
    """
    if minority is not None:
        X1 = np.asarray(draw(_s(minority)))
    else:
        X1 = draw(minority_samples(n=n, d=d, dtype=dtype, duplicates=duplicates, constant_columns=constant_columns,
                                   scale=scale))
    n1, dd = X1.shape
    sc = float(np.max(np.abs(X1))) or 1.0
    kappa = float(draw(_s(imbalance_ratio)))
    n0 = max(1, int(round(kappa * n1)))
    X0 = draw(hnp.arrays(np.int8, (n0, dd), elements=st.integers(-5, 5))).astype(np.float64) * (sc / 5)
    sep = float(draw(_s(class_separation)))
    X1 = X1.astype(np.float64).copy()
    X1[:, 0] += sep * sc / 5
    X = np.vstack([X0, X1]).astype(X1.dtype if minority is not None else np.dtype(draw(_s(dtype))))
    lab = tuple(draw(_s(labels)))
    y = np.array([lab[0]] * n0 + [lab[1]] * n1)
    if not draw(_s(pandas)):
        return X, y
    import pandas as pd

    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(dd)])
    ncat = int(draw(_s(categorical)))
    for j in range(ncat):
        df[f"c{j}"] = pd.Categorical(draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=len(y),
                                                    max_size=len(y))))
    return df, pd.Series(y, name="y")
