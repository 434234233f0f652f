"""imbalanced-learn samplers over the recent generators: GK-SMOTE, MOMS and LEO-CVAE.

Each class is a thin :class:`~synthaug.estimators.base.GeneratorSampler` over the pure JAX
generator factory of the same name in :mod:`synthaug.generators` (algorithms, defaults and
documented choices are in those modules' docstrings).
"""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from synthaug.estimators.base import GeneratorSampler
from synthaug.generators.basic import Generator
from synthaug.generators.gk_smote import gk_smote
from synthaug.generators.leo_cvae import leo_cvae
from synthaug.generators.moms import moms

__all__ = ["GKSMOTESampler", "MOMSSampler", "LEOCVAESampler"]


class GKSMOTESampler(GeneratorSampler):
    """GK-SMOTE over-sampler (imbalanced-learn API); see the module docstring.

    Parameters: ``variant``, ``k``, ``max_neighbors``, ``borderline_weight`` as in
    :func:`gk_smote`, plus :class:`~synthaug.estimators.base.GeneratorSampler`'s
    ``sampling_strategy``, ``n_synthetic``, ``gap_multiple`` and ``random_state``.
    Each oversampled class is treated one-vs-rest.
    """

    #: The generator factory whose parameters this sampler exposes one to one (checked by the tests).
    _factory = staticmethod(gk_smote)

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "variant": [StrOptions({"paper", "reference"})],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "borderline_weight": [Interval(numbers.Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        variant="paper",
        k=5,
        max_neighbors=20,
        borderline_weight=0.5,
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
        self.variant = variant
        self.k = k
        self.max_neighbors = max_neighbors
        self.borderline_weight = borderline_weight

    def _generator(self) -> Generator:
        return gk_smote(self.variant, self.k, self.max_neighbors, self.borderline_weight)


class MOMSSampler(GeneratorSampler):
    """MOMS over-sampler (imbalanced-learn API); parameters as in :func:`moms`.

    Each oversampled class is treated one-vs-rest (its "majority" is every other row).
    """

    #: The generator factory whose parameters this sampler exposes one to one (checked by the tests).
    _factory = staticmethod(moms)

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "lam": [Interval(numbers.Real, 0, None, closed="left")],
        "margin": [Interval(numbers.Real, 0, None, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="left")],
        "safe_quantile": [Interval(numbers.Real, 0, 1, closed="both")],
        "max_width": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_train_rows": [Interval(numbers.Integral, 2, None, closed="left")],
    }

    def __init__(
        self,
        *,
        lam=0.01,
        margin=1.0,
        alpha=0.3,
        k=5,
        epochs=300,
        lr=1e-2,
        safe_quantile=0.75,
        max_width=64,
        max_train_rows=1024,
        sampling_strategy="auto",
        n_synthetic=None,
        gap_multiple=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple, random_state=random_state
        )
        self.lam, self.margin, self.alpha, self.k = lam, margin, alpha, k
        self.epochs, self.lr, self.safe_quantile = epochs, lr, safe_quantile
        self.max_width, self.max_train_rows = max_width, max_train_rows

    def _generator(self) -> Generator:
        return moms(
            self.lam, self.margin, self.alpha, self.k, self.epochs, self.lr,
            self.safe_quantile, self.max_width, self.max_train_rows,
        )  # fmt: skip


class LEOCVAESampler(GeneratorSampler):
    """LEO-CVAE over-sampler (imbalanced-learn API); parameters as in :func:`leo_cvae`.

    Each oversampled class is treated one-vs-rest.
    """

    #: The generator factory whose parameters this sampler exposes one to one (checked by the tests).
    _factory = staticmethod(leo_cvae)

    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k": [Interval(numbers.Integral, 1, None, closed="left")],
        "gamma": [Interval(numbers.Real, 0, None, closed="left")],
        "beta": [Interval(numbers.Real, 0, None, closed="left")],
        "kl_floor": [Interval(numbers.Real, 0, None, closed="left")],
        "hidden": [Interval(numbers.Integral, 2, None, closed="left")],
        "latent": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="left")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "val_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "weighting": [StrOptions({"class*entropy", "entropy", "none"})],
        "generation": [StrOptions({"seed", "prior"})],
    }

    def __init__(
        self,
        *,
        k=15,
        gamma=2.5,
        beta=4.0,
        kl_floor=0.1,
        hidden=64,
        latent=16,
        epochs=200,
        patience=25,
        lr=1e-3,
        weight_decay=1e-5,
        batch_size=32,
        val_fraction=0.2,
        weighting="class*entropy",
        generation="seed",
        sampling_strategy="auto",
        n_synthetic=None,
        gap_multiple=None,
        random_state=None,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, n_synthetic=n_synthetic, gap_multiple=gap_multiple, random_state=random_state
        )
        self.k, self.gamma, self.beta, self.kl_floor = k, gamma, beta, kl_floor
        self.hidden, self.latent, self.epochs, self.patience = hidden, latent, epochs, patience
        self.lr, self.weight_decay, self.batch_size, self.val_fraction = lr, weight_decay, batch_size, val_fraction
        self.weighting, self.generation = weighting, generation

    def _generator(self) -> Generator:
        return leo_cvae(
            k=self.k, gamma=self.gamma, beta=self.beta, kl_floor=self.kl_floor, hidden=self.hidden,
            latent=self.latent, epochs=self.epochs, patience=self.patience, lr=self.lr,
            weight_decay=self.weight_decay, batch_size=self.batch_size, val_fraction=self.val_fraction,
            weighting=self.weighting, generation=self.generation,
        )  # fmt: skip
