"""scikit-learn classifier for the bias-corrected estimator (:mod:`synthaug.bias_correction.method`).

:class:`BiasCorrectedClassifier` is logistic regression (with intercept) fitted by the
bias-corrected augmented ERM of Lyu, Ma, Zhang & Zhang (2025, "Bias-Corrected Data
Synthesis for Imbalanced Learning", arXiv 2510.26046, as reconstructed): the minority
(the less frequent of the two labels; ties go to ``classes_[1]``) is augmented with
``n_synthetic`` generator rows and the generator's loss bias, estimated on majority
blocks of the minority's size, is subtracted.

Behaviour at the edges (documented choices):

* ``n_synthetic="balance"`` adds ``n_majority - n_minority`` rows; when that is 0 (balanced
  data) nothing is synthesised and the fit is plain (pooled) logistic regression, so the
  generator is never called and needs no minimum sample size.
* Only binary targets are supported (a clear ``ValueError`` otherwise).
* The PRNG key comes from ``random_state`` (``None`` draws a seed from NumPy's global state).
"""

from __future__ import annotations

from synthaug.config import uses_x64
import jax
import jax.numpy as jnp
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from synthaug.bias_correction import bias_corrected_fit
from synthaug.core.losses import logistic_loss
from synthaug.core.validation import check_bool, check_finite_output, check_int, check_magnitudes, check_real
from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import seed_from_random_state, set_params_from_init
from synthaug.generators import Generator, make_generator

__all__ = ["BiasCorrectedClassifier"]

_LOSS = logistic_loss(intercept=True)


def _resolve_generator(generator, params) -> Generator:
    # make_generator gives one Generator object per (name, params): the jitted fit, cached on
    # the generator's identity, then compiles once per configuration.
    if isinstance(generator, Generator):
        if params:
            raise ValueError("generator_params apply only to a generator given by name")
        return generator
    if not isinstance(generator, str):
        raise ValueError(f"generator must be a name or a synthaug Generator; got {type(generator).__name__}")
    return make_generator(generator, **(params or {}))


@fill_doc
class BiasCorrectedClassifier(ClassifierMixin, BaseEstimator):
    """Bias-corrected augmented logistic regression (binary).

    The bias-corrected augmented ERM of Lyu, Ma, Zhang & Zhang (2025), "Bias-Corrected
    Data Synthesis for Imbalanced Learning", arXiv 2510.26046; see the module docstring.

    Parameters
    ----------
    generator : str or Generator, default="smote"
        A generator name of :data:`synthaug.generators.GENERATOR_FACTORIES` (``smote``,
        ``gaussian``, ``jitter``, ``random``, ``bootstrap``, ``shrink``, ``gmm``, ...)
        or a :class:`~synthaug.generators.Generator`.

    {generator_params}

    n_synthetic : "balance" or int, default="balance"
        Synthetic minority rows: ``"balance"`` adds ``n0 - n1``, an int that many.

    correction : {"one-step", "full"}, default="one-step"
        The correction (see :mod:`synthaug.bias_correction.method`).

    bias_estimate : {"paired", "heldout"}, default="paired"
        How the generator's loss bias is estimated on majority blocks.

    weighting : {"pooled", "balanced"}, default="pooled"
        Weighting of the augmented loss.

    cross_fit : bool, default=False
        Cross-fit the held-out bias estimate.

    ridge : float, default=1e-4
        Ridge penalty on the mean loss (intercept included).

    {random_state}

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The class labels.
    coef_ : ndarray of shape (1, n_features)
        Coefficients of the decision function (scoring ``classes_[1]``).
    intercept_ : ndarray of shape (1,)
        Its intercept.
    n_features_in_ : int
        Number of features seen in ``fit``.
    fit_result_ : BCFit
        The full fit (:class:`~synthaug.bias_correction.fit.BCFit`).
    minority_class_ : object
        The minority label.

    See Also
    --------
    synthaug.bias_corrected_fit : The estimator it fits.
    KOTAROClassifier : Another classifier for imbalanced binary problems.

    References
    ----------
    .. [1] Lyu, Ma, Zhang and Zhang, "Bias-Corrected Data Synthesis for Imbalanced
       Learning", arXiv 2510.26046, 2025.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import BiasCorrectedClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> clf = BiasCorrectedClassifier(generator="smote", random_state=0).fit(X, y)
    >>> clf.coef_.shape, clf.intercept_.shape, int(clf.minority_class_)
    ((1, 2), (1,), 1)
    >>> bool(np.all(clf.coef_ > 0))  # the minority sits at +1 in both features
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(self, generator="smote", generator_params=None, n_synthetic="balance", correction="one-step",
                 bias_estimate="paired", weighting="pooled", cross_fit=False, ridge=1e-4, random_state=None):
        set_params_from_init(self, locals())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.allow_nan = False
        return tags

    @uses_x64
    def fit(self, X, y):
        from synthaug.estimators.base import _non_numeric_columns, check_single_target

        check_single_target(y, "BiasCorrectedClassifier")
        bad = _non_numeric_columns(X)
        if bad:
            raise ValueError(f"BiasCorrectedClassifier works on numeric columns only, but column(s) {bad} are "
                             "categorical or non-numeric; encode them first (e.g. one-hot)")
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        check_classification_targets(y)
        classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
        if len(classes) != 2:
            raise ValueError(f"Only binary classification is supported; got {len(classes)} class(es) "
                             "(BiasCorrectedClassifier corrects one minority class against one majority class)")
        if self.correction not in ("one-step", "full"):
            raise ValueError(f"correction must be 'one-step' or 'full'; got {self.correction!r}")
        ridge = check_real(self.ridge, "ridge", 0.0)
        cross_fit = check_bool(self.cross_fit, "cross_fit")
        # the Newton fit squares the features: refuse columns that overflow (or underflow) float64
        check_magnitudes(X, "X", getattr(self, "feature_names_in_", None))
        self.classes_ = classes
        minority = 0 if counts[0] < counts[1] else 1
        self.minority_class_ = classes[minority]
        X0, X1 = X[y_idx != minority], X[y_idx == minority]
        n0, n1 = len(X0), len(X1)
        if isinstance(self.n_synthetic, str) and self.n_synthetic == "balance":
            ns = n0 - n1
        else:
            try:
                ns = check_int(self.n_synthetic, "n_synthetic", 0)  # refuses other strings too
            except ValueError:
                raise ValueError(
                    f"n_synthetic must be 'balance' or a non-negative integer; got {self.n_synthetic!r}"
                ) from None
        gen = _resolve_generator(self.generator, self.generator_params)
        seed = seed_from_random_state(self.random_state, 2**31)
        res = bias_corrected_fit(_LOSS, jax.random.PRNGKey(seed), gen, jnp.asarray(X0), jnp.asarray(X1), ns,
                                 method=self.bias_estimate, correction=self.correction, weighting=self.weighting,
                                 ridge=ridge, cross_fit=cross_fit)
        theta = np.asarray(res.theta, dtype=np.float64)
        check_finite_output(theta, "the bias-corrected fit")
        sign = 1.0 if minority == 1 else -1.0  # decision_function scores classes_[1]
        self.coef_ = sign * theta[:-1][None, :]
        self.intercept_ = sign * theta[-1:]
        self.fit_result_ = jax.device_get(res)
        return self

    @uses_x64
    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    @uses_x64
    def predict_proba(self, X):
        s = self.decision_function(X)
        p1 = 1.0 / (1.0 + np.exp(-np.clip(s, -700, 700)))
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X):
        s = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, s), -np.logaddexp(0.0, -s)])

    def predict(self, X):
        s = self.decision_function(X)
        return self.classes_[(s > 0).astype(int)]
