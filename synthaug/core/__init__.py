"""The numerical core: JAX and NumPy only (no scikit-learn, no imbalanced-learn).

Arrays in, arrays out, explicit PRNG keys, NamedTuple results:
:mod:`~synthaug.core.losses` (losses, per-row scores and Hessians),
:mod:`~synthaug.core.glm` (the penalised weighted GLM algebra: objective, gradient,
Hessian, per-row scores and Hessians, moments, sandwich covariance),
:mod:`~synthaug.core.fit` (weighted M-estimation, nested fits),
:mod:`~synthaug.core.risk` (balanced risk and weights),
:mod:`~synthaug.core.linalg` (small dense linear algebra in plain XLA),
:mod:`~synthaug.core.knn` (exact k nearest neighbours),
:mod:`~synthaug.core.folds` (stratified folds with static shapes),
:mod:`~synthaug.core.montecarlo` (vectorised replications, MCSEs),
:mod:`~synthaug.core.validation` (input checks shared by every layer).
"""
