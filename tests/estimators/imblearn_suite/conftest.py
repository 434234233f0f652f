"""imbalanced-learn's over-sampling tests run against synthaug (see ``imblearn_shim``).

:data:`RANDOM_STREAM` names, one by one, the tests that compare exact values drawn from
imbalanced-learn's NumPy random stream (``check_random_state(0)`` and the order in which
imbalanced-learn consumes it); synthaug draws from JAX keys, so the same ``random_state``
gives other (equally distributed) rows. They are marked ``xfail(strict=True)``: each must
fail, so a test that starts to pass, or a test not listed that fails, is reported.
"""

from pathlib import Path

import pytest

_REASON = "compares exact values drawn from imbalanced-learn's NumPy random stream (synthaug draws from JAX keys)"

#: "module::test" (parametrized ids included where only some cases draw from the stream).
RANDOM_STREAM = {
    "test_imblearn_adasyn.py::test_ada_fit_resample",
    "test_imblearn_adasyn.py::test_ada_fit_resample_nn_obj",
    "test_imblearn_smote.py::test_sample_regular",
    "test_imblearn_smote.py::test_sample_regular_half",
    "test_imblearn_smote.py::test_sample_regular_with_nn",
    "test_imblearn_random_over_sampler.py::test_ros_fit_resample",  # all 6 cases: 4 synthetic rows compared
}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if item.path.parent != here:
            continue
        name = f"{item.path.name}::{item.name}"
        base = f"{item.path.name}::{item.originalname}"
        if name in RANDOM_STREAM or base in RANDOM_STREAM:
            item.add_marker(pytest.mark.xfail(reason=_REASON, strict=True))
