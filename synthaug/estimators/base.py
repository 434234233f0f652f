r"""imbalanced-learn compatible facades over synthaug generators.

:class:`GeneratorSampler` is the thin layer every synthaug over-sampler shares:
it validates ``(X, y)`` the imbalanced-learn way (so pandas in gives pandas out,
sparse in gives sparse out, and ``imblearn.pipeline.Pipeline`` works), turns the requested synthetic size
into a count per class, derives a JAX key from ``random_state`` and calls the
pure generator (:class:`~synthaug.generators.basic.Generator`) once per class to
oversample. Synthetic rows are appended after the original rows, in class
order, exactly as imbalanced-learn's own samplers do.

**Synthetic size.** Three ways, checked in this order:

* ``n_synthetic`` (int ≥ 0): that many synthetic rows of the minority class
  (binary problems only);
* ``gap_multiple`` (float ≥ 0): ``round(gap_multiple · (n0 − n1))`` rows, so
  ``1.0`` is full balancing and ``0.5`` half of it (binary only) — the scale
  on which Ma & Zhang's γ is expressed;
* otherwise imbalanced-learn's ``sampling_strategy`` (default ``"auto"``,
  every non-majority class raised to the majority count), multi-class allowed.

For a class ``c`` being oversampled, the generator sees the rows of ``c`` as the
minority and all other rows as the majority (one-vs-rest).

:func:`as_sampler` wraps any :class:`Generator` (or generator name) as a sampler.
"""

from __future__ import annotations

import numbers

from synthaug.config import uses_x64
import jax
import numpy as np
from scipy import sparse
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval

from synthaug.generators.basic import Generator, make_generator

__all__ = ["GeneratorSampler", "as_sampler", "key_from_random_state", "synthetic_counts"]


def key_from_random_state(random_state):
    """A JAX key from a scikit-learn ``random_state`` (None, int or RandomState)."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return jax.random.key(int(random_state) % (2**32))
    seed = check_random_state(random_state).randint(0, 2**31 - 1)
    return jax.random.key(int(seed))


def synthetic_counts(y, sampling_strategy_, n_synthetic=None, gap_multiple=None) -> dict:
    """Synthetic rows to add per class (see the module docstring for the precedence)."""
    if n_synthetic is None and gap_multiple is None:
        return {c: int(n) for c, n in sampling_strategy_.items()}
    classes, counts = np.unique(y, return_counts=True)
    if len(classes) != 2:
        raise ValueError(
            f"n_synthetic and gap_multiple need a binary target; got {len(classes)} classes "
            "(use sampling_strategy for multi-class problems)"
        )
    minority = classes[np.argmin(counts)]
    gap = int(counts.max() - counts.min())
    if n_synthetic is not None:
        return {minority: int(n_synthetic)}
    return {minority: int(round(float(gap_multiple) * gap))}


class GeneratorSampler(BaseOverSampler):
    """Base class of synthaug's over-samplers (``fit_resample`` over a :class:`Generator`).

    Subclasses implement :meth:`_generator` (build the generator from the
    estimator's parameters) and list their own parameters in ``__init__`` and
    ``_parameter_constraints``.

    Parameters:
      sampling_strategy: imbalanced-learn's sampling strategy (used when neither
        ``n_synthetic`` nor ``gap_multiple`` is given).
      n_synthetic: number of synthetic minority rows (binary targets).
      gap_multiple: synthetic rows as a multiple of the class gap ``n0 − n1``.
      random_state: seed (int), ``RandomState`` or None.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "n_synthetic": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "gap_multiple": [Interval(numbers.Real, 0, None, closed="left"), None],
    }

    def __init__(self, *, sampling_strategy="auto", n_synthetic=None, gap_multiple=None, random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_synthetic = n_synthetic
        self.gap_multiple = gap_multiple
        self.random_state = random_state

    def _generator(self) -> Generator:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_finite(self, X):
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values; impute or drop them before resampling")

    @uses_x64
    def _fit_resample(self, X, y):
        if sparse.issparse(X):
            # Generators work on dense rows; the result goes back to the input's sparse format.
            X_res, y_res = self._fit_resample(X.toarray(), y)
            return type(X)(X_res), y_res
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.floating):
            X = X.astype(float)
        self._check_finite(X)
        counts = synthetic_counts(y, self.sampling_strategy_, self.n_synthetic, self.gap_multiple)
        gen = self._generator()
        key = key_from_random_state(self.random_state)
        X_parts, y_parts = [X], [y]
        for i, (cls, n) in enumerate(sorted(counts.items(), key=lambda kv: str(kv[0]))):
            if n == 0:
                continue
            mask = y == cls
            X1, X0 = X[mask], X[~mask]
            if X1.shape[0] < gen.min_rows:
                raise ValueError(
                    f"class {cls!r} has {X1.shape[0]} rows; generator {gen.name!r} needs at least {gen.min_rows}"
                )
            X_new = np.asarray(gen(jax.random.fold_in(key, i), X1, int(n), X_majority=X0), dtype=X.dtype)
            X_parts.append(X_new)
            y_parts.append(np.full(int(n), cls, dtype=y.dtype))
        return np.concatenate(X_parts), np.concatenate(y_parts)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class _NamedGeneratorSampler(GeneratorSampler):
    """Over-sampler for a generator given by name or as a :class:`Generator`."""

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "generator": [str, Generator],
        "generator_params": [dict, None],
    }

    def __init__(
        self,
        generator="smote",
        *,
        generator_params=None,
        sampling_strategy="auto",
        n_synthetic=None,
        gap_multiple=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            n_synthetic=n_synthetic,
            gap_multiple=gap_multiple,
            random_state=random_state,
        )
        self.generator = generator
        self.generator_params = generator_params

    def _generator(self) -> Generator:
        if isinstance(self.generator, Generator):
            return self.generator
        return make_generator(self.generator, **(self.generator_params or {}))


def as_sampler(generator="smote", **kwargs) -> GeneratorSampler:
    """An imbalanced-learn sampler drawing from ``generator`` (a name or a :class:`Generator`)."""
    return _NamedGeneratorSampler(generator, **kwargs)
