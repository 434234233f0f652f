"""imbalanced-learn samplers over the recent generators: GK-SMOTE, MOMS and LEO-CVAE.

Each class is a thin :class:`~synthaug.estimators.base.GeneratorSampler` over the pure JAX
generator of the same name in :mod:`synthaug.generators`, whose factory's parameters it
exposes one to one (algorithms, defaults and documented choices are in those modules'
docstrings). Each oversampled class is treated one-vs-rest: its "majority" is every
other row.
"""

from __future__ import annotations

import numbers

from sklearn.utils._param_validation import Interval, StrOptions

from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import NON_NEGATIVE, POSITIVE_INT, GeneratorSampler, set_params_from_init

__all__ = ["GKSMOTESampler", "MOMSSampler", "LEOCVAESampler"]

_FRACTION = Interval(numbers.Real, 0, 1, closed="both")


@fill_doc
class GKSMOTESampler(GeneratorSampler):
    """GK-SMOTE over-sampler (:mod:`synthaug.generators.gk_smote`).

    Gaussian-KDE-guided, noise-resilient SMOTE of Miraj, Huang, Yang, Zhao, Mu & Lei
    (2025), "A Hyperparameter-free Noise-Resilient Gaussian KDE-Based Oversampling
    Approach", arXiv 2509.11163.

    Parameters
    ----------
    variant : {"paper", "reference"}, default="paper"
        ``"paper"``: natural neighbours, KDE density, noisy/borderline/safe points;
        ``"reference"``: the simplified re-implementation.

    k : int, default=5
        Neighbours for the reference variant's noise filter, density and partners.

    max_neighbors : int, default=20
        Cap on the natural-neighbour search (paper variant).

    borderline_weight : float, default=0.5
        Seed weight of borderline points relative to safe ones (paper variant).

    {sampler_parameters}

    Attributes
    ----------
    {sampler_attributes}

    See Also
    --------
    SMOTESampler : Plain SMOTE.
    synthaug.generators.gk_smote : The generator behind it.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] Miraj, Huang, Yang, Zhao, Mu and Lei, "A Hyperparameter-free Noise-Resilient
       Gaussian KDE-Based Oversampling Approach", arXiv 2509.11163, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import GKSMOTESampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> X_res, y_res = GKSMOTESampler(n_synthetic=10, random_state=0).fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """

    _generator_name = "gk-smote"
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "variant": [StrOptions({"paper", "reference"})],
        "k": [POSITIVE_INT],
        "max_neighbors": [POSITIVE_INT],
        "borderline_weight": [NON_NEGATIVE],
    }

    def __init__(self, *, variant="paper", k=5, max_neighbors=20, borderline_weight=0.5, sampling_strategy="auto",
                 n_synthetic=None, gap_multiple=None, random_state=None):
        set_params_from_init(self, locals())


@fill_doc
class MOMSSampler(GeneratorSampler):
    """MOMS over-sampler (:mod:`synthaug.generators.moms`).

    A network trained with MMD and a triplet loss carries majority rows onto the
    minority (Cha & Kim, 2025, "Learning Majority-to-Minority Transformations with MMD
    and Triplet Loss for Imbalanced Classification", arXiv 2509.11511).

    Parameters
    ----------
    lam : float, default=0.01
        Weight of the triplet term.

    margin : float, default=1.0
        Triplet margin.

    alpha : float, default=0.3
        Extra margin, as a multiple of the mean pairwise distance of the danger points.

    k : int, default=5
        Neighbours of the danger rule.

    epochs : int, default=300
        Full-batch training steps.

    lr : float, default=1e-2
        Peak learning rate (cosine decay to 0).

    safe_quantile : float, default=0.75
        Quantile of the majority-to-minority distances above which a majority row is safe.

    max_width : int, default=64
        Cap on the network widths.

    max_train_rows : int, default=1024
        At most this many majority rows (rounded up to a size bucket) serve as training
        sources.

    {sampler_parameters}

    Attributes
    ----------
    {sampler_attributes}

    See Also
    --------
    LEOCVAESampler : Another learned generator.
    synthaug.generators.moms : The generator behind it.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] Cha and Kim, "Learning Majority-to-Minority Transformations with MMD and Triplet Loss
       for Imbalanced Classification", arXiv 2509.11511, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import MOMSSampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = MOMSSampler(epochs=5, max_width=8, n_synthetic=10, random_state=0)  # tiny, for speed
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """

    _generator_name = "moms"
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "lam": [NON_NEGATIVE],
        "margin": [NON_NEGATIVE],
        "alpha": [NON_NEGATIVE],
        "k": [POSITIVE_INT],
        "epochs": [POSITIVE_INT],
        "lr": [NON_NEGATIVE],
        "safe_quantile": [_FRACTION],
        "max_width": [POSITIVE_INT],
        "max_train_rows": [Interval(numbers.Integral, 2, None, closed="left")],
    }

    def __init__(self, *, lam=0.01, margin=1.0, alpha=0.3, k=5, epochs=300, lr=1e-2, safe_quantile=0.75, max_width=64,
                 max_train_rows=1024, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        set_params_from_init(self, locals())


@fill_doc
class LEOCVAESampler(GeneratorSampler):
    """LEO-CVAE over-sampler (:mod:`synthaug.generators.leo_cvae`).

    An entropy-weighted conditional VAE, trained and sampled with emphasis on minority
    rows in class-overlap regions (Zare et al., 2025, "Uncertainty-Aware Generative
    Oversampling Using an Entropy-Guided Conditional Variational Autoencoder",
    arXiv 2509.25334).

    Parameters
    ----------
    k : int, default=15
        Neighbours of the local label entropy.

    gamma : float, default=2.5
        Entropy exponent of the loss weights and of the seed probabilities.

    beta : float, default=4.0
        Weight of the KL term.

    kl_floor : float, default=0.1
        Floor of the mean KL divergence in the loss.

    hidden : int, default=64
        Width of the first hidden layer (the second has ``hidden // 2``).

    latent : int, default=16
        Latent dimension.

    epochs : int, default=200
        Maximum training epochs.

    patience : int, default=25
        Epochs without a lower validation loss before training stops.

    lr : float, default=1e-3
        Adam learning rate.

    weight_decay : float, default=1e-5
        L2-style weight decay added before Adam.

    batch_size : int, default=32
        Minibatch size.

    val_fraction : float, default=0.2
        Stratified fraction held out for early stopping (``0``: monitor the training loss).

    weighting : {"class*entropy", "entropy", "none"}, default="class*entropy"
        Row weights of the reconstruction loss.

    generation : {"seed", "prior"}, default="seed"
        Decode encodings of entropy-weighted minority seeds, or draws from the prior.

    {sampler_parameters}

    Attributes
    ----------
    {sampler_attributes}

    See Also
    --------
    MOMSSampler : Another learned generator.
    synthaug.generators.leo_cvae : The generator behind it.

    Notes
    -----
    {synthetic_size}

    References
    ----------
    .. [1] Zare et al., "Uncertainty-Aware Generative Oversampling Using an Entropy-Guided
       Conditional Variational Autoencoder", arXiv 2509.25334, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import LEOCVAESampler
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sampler = LEOCVAESampler(k=5, hidden=8, latent=2, epochs=3, batch_size=16, n_synthetic=10, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)  # a tiny network and 3 epochs, for speed
    >>> X_res.shape, np.bincount(y_res).tolist()
    ((74, 2), [48, 26])
    """

    _generator_name = "leo-cvae"
    _parameter_constraints: dict = {
        **GeneratorSampler._parameter_constraints,
        "k": [POSITIVE_INT],
        "gamma": [NON_NEGATIVE],
        "beta": [NON_NEGATIVE],
        "kl_floor": [NON_NEGATIVE],
        "hidden": [Interval(numbers.Integral, 2, None, closed="left")],
        "latent": [POSITIVE_INT],
        "epochs": [POSITIVE_INT],
        "patience": [POSITIVE_INT],
        "lr": [NON_NEGATIVE],
        "weight_decay": [NON_NEGATIVE],
        "batch_size": [POSITIVE_INT],
        "val_fraction": [Interval(numbers.Real, 0, 1, closed="left")],
        "weighting": [StrOptions({"class*entropy", "entropy", "none"})],
        "generation": [StrOptions({"seed", "prior"})],
    }

    def __init__(self, *, k=15, gamma=2.5, beta=4.0, kl_floor=0.1, hidden=64, latent=16, epochs=200, patience=25,
                 lr=1e-3, weight_decay=1e-5, batch_size=32, val_fraction=0.2, weighting="class*entropy",
                 generation="seed", sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                 random_state=None):
        set_params_from_init(self, locals())
