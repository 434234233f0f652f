"""Every estimator of ``synthaug.estimators.all_estimators()`` through the ecosystem's checks.

Found by discovery (as imbalanced-learn's ``tests/test_common.py``): a new sampler or
classifier is checked without editing any list here. Samplers go through
imbalanced-learn's ``parametrize_with_checks`` (which includes scikit-learn's), classifiers
through scikit-learn's. ``CHECK_PARAMS`` gives the few estimators that need constructor
arguments to be checked at all (required arguments) or quickly (small networks);
``EXPECTED_FAILED`` names each expected failure with its reason.
"""

from __future__ import annotations

import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

from synthaug.estimators import all_estimators

#: Non-default constructor arguments for the checks (random_state=0 is set where there is one).
CHECK_PARAMS = {
    "SMOTENCSampler": dict(categorical_features=[0]),
    "VTSSSampler": dict(generator="random", folds=2, crossfit_folds=2),
    "MOMSSampler": dict(epochs=3),
    "LEOCVAESampler": dict(k=3, hidden=8, latent=2, epochs=5),
}

_SMALL_MINORITY = ("the check's minority class has fewer than the 6 rows SMOTE(k=5) needs, so the "
                   "generator (and imbalanced-learn's SMOTE alike) cannot run; the fit raises a clear ValueError")
EXPECTED_FAILED = {
    "VTSSSampler": {
        "check_samplers_fit_resample": "VTSS chooses the synthetic size by validation; it need not balance the classes",
        "check_samplers_sampling_strategy_fit_resample": "VTSSSampler has no sampling_strategy: the size is selected",
    },
    "BiasCorrectedClassifier": {
        "check_n_features_in_after_fitting": _SMALL_MINORITY,
        "check_fit2d_1feature": _SMALL_MINORITY,
    },
}


def _instances(kind):
    out = []
    for name, cls in all_estimators(kind):
        est = cls(**CHECK_PARAMS.get(name, {}))
        if "random_state" in est.get_params():
            est.set_params(random_state=0)
        out.append(est)
    return out


def _expected(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


def test_discovery_finds_every_estimator():
    names = {name for name, _ in all_estimators()}
    assert {"SMOTESampler", "GKSMOTESampler", "VTSSSampler", "KOTAROClassifier", "BiasCorrectedClassifier"} <= names
    assert {n for n, _ in all_estimators("sampler")} | {n for n, _ in all_estimators("classifier")} == names
    assert set(CHECK_PARAMS) | set(EXPECTED_FAILED) <= names  # no stale entries
    with pytest.raises(ValueError, match="type_filter"):
        all_estimators("transformer")


@imblearn_checks(_instances("sampler"), expected_failed_checks=_expected)
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)


@sklearn_checks(_instances("classifier"), expected_failed_checks=_expected)
def test_sklearn_classifier_checks(estimator, check):
    check(estimator)


# Samplers that expose a generator factory's parameters one to one declare it as ``_factory``;
# a parameter added to one and not the other (LEO-CVAE's weight_decay was such a drift) fails here.
_BASE_PARAMS = {"sampling_strategy", "n_synthetic", "gap_multiple", "random_state"}


@pytest.mark.parametrize("name,cls", [(n, c) for n, c in all_estimators("sampler") if hasattr(c, "_factory")])
def test_sampler_parameters_match_their_generator_factory(name, cls):
    import inspect

    factory = inspect.signature(cls._factory).parameters
    expected = {p: v.default for p, v in factory.items() if p != "name"}
    params = {p: v for p, v in cls().get_params().items() if p not in _BASE_PARAMS}
    assert params == expected, name
