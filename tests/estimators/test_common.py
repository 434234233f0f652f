"""Every estimator of ``synthaug.estimators.all_estimators()`` through the ecosystem's checks.

Found by discovery (as imbalanced-learn's ``tests/test_common.py``): a new sampler or
classifier is checked without editing any list here. Every sampler and every classifier
goes through both scikit-learn's and imbalanced-learn's ``parametrize_with_checks`` (the
two are disjoint: imbalanced-learn's yields only its sampler and classifier checks).
``CHECK_PARAMS`` gives the few estimators that need constructor
arguments to be checked at all (required arguments) or quickly (small networks);
``EXPECTED_FAILED`` names each expected failure with its reason.

Also by discovery: every generator-backed sampler's parameters are its generator factory's
(names and defaults), every estimator's docstring documents every parameter (numpydoc),
and the bucketed samplers compile their jitted core once per shape bucket across the folds
of a cross-validation.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_checks

import synthaug.generators.leo_cvae as leo_module
import synthaug.generators.moms as moms_module
from synthaug.estimators import GeneratorSampler, LEOCVAESampler, MOMSSampler, SMOTESampler, all_estimators
from synthaug.estimators._docs import fill_doc
from synthaug.estimators.base import SAMPLER_PARAMETERS, set_params_from_init
from synthaug.generators import GENERATOR_FACTORIES, make_generator
from synthaug.generators.registry import resolve_factory

from compile_count import compiled  # tests/compile_count.py

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
    "SMOTENCSampler": {
        "check_samplers_string": "the check's X is one categorical column; SMOTE-NC needs a numeric one (as "
                                 "imbalanced-learn's SMOTENC), and says so in a ValueError",
    },
    "KMeansSMOTESampler": {
        "check_samplers_sampling_strategy_fit_resample": "the check oversamples only class 0 of its 3-class "
        "20-feature data, so the 'auto' cluster threshold is 0.5, and no k-means cluster is half class 0: "
        "RuntimeError (no cluster qualifies), as imbalanced-learn's own KMeansSMOTE(random_state=0) raises there",
    },
    "BiasCorrectedClassifier": {
        "check_n_features_in_after_fitting": _SMALL_MINORITY,
        "check_fit2d_1feature": _SMALL_MINORITY,
        "check_classifiers_with_encoded_labels": "",  # filled below: binary-only
    },
    "KOTAROClassifier": {
        "check_classifiers_with_encoded_labels": "",
    },
}
_BINARY_ONLY = ("imbalanced-learn's check fits 3-class iris; the classifier is binary-only and says so through "
                "its tags (classifier_tags.multi_class=False), which this imbalanced-learn check does not read, "
                "and it refuses the 3 classes with a clear ValueError")
for _name in ("BiasCorrectedClassifier", "KOTAROClassifier"):
    EXPECTED_FAILED[_name]["check_classifiers_with_encoded_labels"] = _BINARY_ONLY


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


@sklearn_checks(_instances("sampler"), expected_failed_checks=_expected)
def test_sklearn_sampler_checks(estimator, check):
    check(estimator)


@imblearn_checks(_instances("classifier"), expected_failed_checks=_expected)
def test_imblearn_classifier_checks(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------------------------------
# Generator-backed samplers: their parameters are the factory's (by discovery, no list).

_MISSING = "<missing>"


def _parameter_drift(cls) -> dict:
    """Factory parameter -> (sampler default, factory default) wherever the two disagree.

    The sampler's ``__init__`` parameters (minus the sampler-only ones, renamed through
    ``_generator_param_names``) must be the factory's parameters (minus ``name``) with the
    same defaults; a parameter on one side only shows as ``"<missing>"`` on the other.
    """
    factory = inspect.signature(resolve_factory(cls._generator_name)).parameters
    expected = {p: v.default for p, v in factory.items() if p != "name"}
    init = inspect.signature(cls.__init__).parameters
    got = {
        cls._generator_param_names.get(p, p): v.default
        for p, v in init.items()
        if p != "self" and p not in SAMPLER_PARAMETERS and p not in cls._sampler_only_parameters
    }
    return {
        p: (got.get(p, _MISSING), expected.get(p, _MISSING))
        for p in sorted(got.keys() | expected.keys())
        if got.get(p, _MISSING) != expected.get(p, _MISSING)
    }


_GENERATOR_SAMPLERS = [(n, c) for n, c in all_estimators("sampler") if issubclass(c, GeneratorSampler)]


def test_generator_samplers_are_discovered():
    names = {n for n, _ in _GENERATOR_SAMPLERS}
    assert {"SMOTESampler", "SMOTENCSampler", "GKSMOTESampler", "MOMSSampler", "LEOCVAESampler"} <= names
    assert "VTSSSampler" not in names  # it takes a generator, it is not backed by one
    for name, cls in _GENERATOR_SAMPLERS:
        assert cls._generator_name in GENERATOR_FACTORIES, name
        init = inspect.signature(cls.__init__).parameters
        assert set(cls._generator_param_names) <= set(init), name  # no stale renaming


@pytest.mark.parametrize("name,cls", _GENERATOR_SAMPLERS)
def test_sampler_parameters_match_their_generator_factory(name, cls):
    assert _parameter_drift(cls) == {}, name


def test_parameter_drift_is_caught():
    class NoWeightDecay(LEOCVAESampler):  # LEO-CVAE before weight_decay was added to the sampler
        def __init__(self, *, k=15, gamma=2.5, beta=4.0, kl_floor=0.1, hidden=64, latent=16, epochs=200,
                     patience=25, lr=1e-3, batch_size=32, val_fraction=0.2, weighting="class*entropy",
                     generation="seed", sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                     random_state=None):
            set_params_from_init(self, locals())

    class OtherDefault(SMOTESampler):
        def __init__(self, *, k_neighbors=3, sampling_strategy="auto", n_synthetic=None, gap_multiple=None,
                     random_state=None):
            set_params_from_init(self, locals())

    class Unmapped(SMOTESampler):
        _generator_param_names = {}

    assert _parameter_drift(NoWeightDecay) == {"weight_decay": (_MISSING, 1e-5)}
    assert _parameter_drift(OtherDefault) == {"k": (3, 5)}
    assert _parameter_drift(Unmapped) == {"k": (_MISSING, 5), "k_neighbors": (5, _MISSING)}


@pytest.mark.parametrize("name,cls", [(n, c) for n, c in _GENERATOR_SAMPLERS if n != "SMOTENCSampler"])
def test_sampler_builds_its_generator_from_its_parameters(name, cls):
    """The registry's object for the sampler's parameters: one generator cache, shared."""
    est = cls(**CHECK_PARAMS.get(name, {}))
    params = {cls._generator_param_names.get(p, p): v for p, v in est.get_params().items()
              if p not in SAMPLER_PARAMETERS and p not in cls._sampler_only_parameters}
    if "kind" in params:
        params["kind"] = int(params["kind"])
    assert est._generator() is make_generator(cls._generator_name, **params)


# ---------------------------------------------------------------------------------------------
# Docstrings: a full numpydoc Parameters section, shared paragraphs filled in.

_SECTION = re.compile(r"^([ \t]*)Parameters\n\1-{10,}\n(?P<body>.*?)(?=^[ \t]*\w[\w ]*\n[ \t]*-{3,}\n|\Z)",
                      re.MULTILINE | re.DOTALL)


def _documented_parameters(doc: str) -> list[str]:
    match = _SECTION.search(doc or "")
    assert match, "no numpydoc Parameters section"
    body = match.group("body")
    indent = len(match.group(1))
    names = []
    for line in body.splitlines():
        m = re.match(r"^( *)([\w*, ]+?) : ", line)
        if m and len(m.group(1)) == indent:
            names += [n.strip() for n in m.group(2).split(",")]
    return names


@pytest.mark.parametrize("name,cls", all_estimators())
def test_docstring_documents_every_parameter(name, cls):
    doc = cls.__doc__
    assert "Parameters\n" in doc, name
    assert not re.search(r"^\s*\{\w+\}\s*$", doc, re.MULTILINE), f"{name}: unfilled placeholder"
    params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert _documented_parameters(doc) == params, name  # every parameter, in signature order


def test_fill_doc_placeholders():
    @fill_doc
    class Documented:
        """Title.

        Parameters
        ----------
        {k_neighbors}

        {sampler_parameters}
        """

    assert _documented_parameters(Documented.__doc__) == ["k_neighbors", *SAMPLER_PARAMETERS]
    assert "        Number of nearest minority neighbours" in Documented.__doc__  # indented as the placeholder

    with pytest.raises(KeyError, match="no_such_parameter"):
        @fill_doc
        class Undocumented:
            """Parameters
            ----------
            {no_such_parameter}
            """


# ---------------------------------------------------------------------------------------------
# Compile once per shape bucket in a cross-validation loop (folds differ in row counts).


def _cv_folds():
    """Training folds of a shuffled 5-fold CV: every fold has its own class counts."""
    rng = np.random.default_rng(0)
    n0, n1 = 90, 25
    X = np.vstack([rng.normal(size=(n0, 2)), rng.normal(size=(n1, 2)) + 1.5])
    y = np.r_[np.zeros(n0, int), np.ones(n1, int)]
    folds = [(X[tr], y[tr]) for tr, _ in KFold(5, shuffle=True, random_state=0).split(X)]
    sizes = {tuple(np.bincount(yt)) for _, yt in folds}
    assert len(sizes) == 5, sizes  # (majority, minority) from (69, 23) to (75, 17)
    return folds


@pytest.mark.parametrize(
    "sampler, jitted",
    [
        (lambda: MOMSSampler(epochs=3, random_state=0), lambda: [moms_module._fit, moms_module._transform]),
        (lambda: LEOCVAESampler(k=3, hidden=8, latent=2, epochs=3, random_state=0), lambda: [leo_module._epoch]),
    ],
    ids=["MOMSSampler", "LEOCVAESampler"],
)
def test_cross_validation_compiles_once_per_bucket(sampler, jitted):
    folds = _cv_folds()  # yet one bucket: moms.bucket maps minorities 17-23 to 32, majorities 69-75 to 96
    assert len({(moms_module.bucket(n0), moms_module.bucket(n1)) for n0, n1 in
                (np.bincount(yt) for _, yt in folds)}) == 1
    fns = jitted()
    before = [compiled(f) for f in fns]
    for X, y in folds:
        X_res, y_res = sampler().fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [np.bincount(y)[0]] * 2
    grown = [compiled(f) - b for f, b in zip(fns, before)]
    assert all(g <= 1 for g in grown), grown
