"""The public surface: names resolve, old paths still work (with a warning), import has no side effects."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import warnings

import pytest

import synthaug
from synthaug import _deprecations

# Every old module path (README, paper/, benchmarks/ and earlier tests used them) -> new home.
OLD_PATHS = {
    "synthaug.losses": "synthaug.core.losses",
    "synthaug.fit": "synthaug.core.fit",
    "synthaug.risk": "synthaug.core.risk",
    "synthaug.smalllinalg": "synthaug.core.linalg",
    "synthaug.knn": "synthaug.core.knn",
    "synthaug.folds": "synthaug.core.folds",
    "synthaug.montecarlo": "synthaug.core.montecarlo",
    "synthaug._validation": "synthaug.core.validation",
    "synthaug.populations": "synthaug.theory.populations",
    "synthaug.decomposition": "synthaug.theory.decomposition",
    "synthaug._neighbours": "synthaug.generators._neighbours",
    "synthaug.borderline": "synthaug.generators.borderline",
    "synthaug.adasyn": "synthaug.generators.adasyn",
    "synthaug.smote_nc": "synthaug.generators.smote_nc",
    "synthaug.bootstrap": "synthaug.generators.kde",
    "synthaug.gmm": "synthaug.generators.mixture",
    "synthaug.bc_generators": "synthaug.generators.bias_study",
    "synthaug.gk_smote": "synthaug.generators.gk_smote",
    "synthaug.moms": "synthaug.generators.moms",
    "synthaug.leo_cvae": "synthaug.generators.leo_cvae",
    "synthaug.adapters": "synthaug.generators.adapters",
    "synthaug.datasets": "synthaug.data.datasets",
    "synthaug.symmetry": "synthaug.diagnosis.symmetry",
    "synthaug.alignment": "synthaug.diagnosis.alignment",
    "synthaug.vtss": "synthaug.diagnosis.vtss",
    "synthaug.bc_extensions": "synthaug.bias_correction.extensions",
    "synthaug.bc_crossval": "synthaug.bias_correction.crossval",
    "synthaug.bc_classifier": "synthaug.estimators.bias_corrected",
    "synthaug.samplers": "synthaug.estimators.base",
    "synthaug.oversamplers": "synthaug.estimators.oversamplers",
    "synthaug.kotaro": "synthaug.estimators.kotaro",
    "synthaug._config": "synthaug.config",
}
RENAMED = {
    ("synthaug.gk_smote", "GKSMOTE"): ("synthaug.estimators", "GKSMOTESampler"),
    ("synthaug.moms", "MOMS"): ("synthaug.estimators", "MOMSSampler"),
    ("synthaug.leo_cvae", "LEOCVAE"): ("synthaug.estimators", "LEOCVAESampler"),
    ("synthaug.samplers", "VTSSResampler"): ("synthaug.estimators", "VTSSSampler"),
    ("synthaug", "GKSMOTE"): ("synthaug.estimators", "GKSMOTESampler"),
    ("synthaug", "MOMS"): ("synthaug.estimators", "MOMSSampler"),
    ("synthaug", "LEOCVAE"): ("synthaug.estimators", "LEOCVAESampler"),
    ("synthaug", "VTSSResampler"): ("synthaug.estimators", "VTSSSampler"),
    ("synthaug.estimators", "VTSSResampler"): ("synthaug.estimators", "VTSSSampler"),
}


def _public(module):
    return [n for n in getattr(module, "__all__", ()) if not n.startswith("_")]


@pytest.mark.parametrize("old,new", sorted(OLD_PATHS.items()))
def test_old_module_path_gives_the_same_objects_with_a_warning(old, new):
    shim = importlib.import_module(old)
    target = importlib.import_module(new)
    names = _public(target) or [n for n in dir(target) if not n.startswith("_")][:5]
    assert names, new
    for name in names:
        with pytest.warns(DeprecationWarning, match=new.replace(".", r"\.")):
            value = getattr(shim, name)
        assert value is getattr(target, name), (old, name)
    with pytest.raises(AttributeError):
        shim.no_such_name_here  # noqa: B018


@pytest.mark.parametrize("old,new", sorted(RENAMED.items()))
def test_renamed_names_resolve_with_a_warning(old, new):
    with pytest.warns(DeprecationWarning, match=new[1]):
        value = getattr(importlib.import_module(old[0]), old[1])
    assert value is getattr(importlib.import_module(new[0]), new[1])


def test_old_simulations_paths_resolve():
    from synthaug.designs import biased_aligned

    shim = importlib.import_module("simulations.biased_aligned")
    with pytest.warns(DeprecationWarning, match="synthaug.designs.biased_aligned"):
        assert shim.DESIGN is biased_aligned.DESIGN


def test_every_public_name_resolves_and_dir_lists_it():
    for name in synthaug.__all__:
        assert getattr(synthaug, name) is not None, name
    assert set(synthaug.__all__) <= set(dir(synthaug))
    for sub in ("core", "theory", "generators", "diagnosis", "bias_correction", "estimators", "data"):
        mod = importlib.import_module(f"synthaug.{sub}")
        for name in _public(mod):
            assert getattr(mod, name) is not None, (sub, name)


def test_no_deprecated_name_is_used_inside_the_package():
    # Importing every new module must not touch a shim (that would warn).
    import pkgutil

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for info in pkgutil.walk_packages(synthaug.__path__[:1], "synthaug."):
            if info.name.startswith("synthaug._legacy") or info.name == "synthaug.__main__":
                continue
            importlib.import_module(info.name)


_FRESH = r"""
import json, os, sys
before = os.environ.get("XLA_FLAGS")
import synthaug, synthaug.core, synthaug.theory, synthaug.generators, synthaug.config
import synthaug.core.fit, synthaug.core.knn, synthaug.generators.basic, synthaug.generators.gk_smote
import synthaug.generators.moms, synthaug.generators.leo_cvae, synthaug.generators.smote_nc
import synthaug.generators.borderline, synthaug.generators.adasyn, synthaug.generators.mixture
import synthaug.theory.populations, synthaug.theory.decomposition
heavy = sorted(m for m in ("sklearn", "imblearn") if m in sys.modules)
g = synthaug.make_generator("gk-smote")
heavy_after_make = sorted(m for m in ("sklearn", "imblearn") if m in sys.modules)
import jax
import synthaug.diagnosis, synthaug.bias_correction, synthaug.estimators, synthaug.designs, synthaug.cli
print(json.dumps(dict(heavy=heavy, heavy_after_make=heavy_after_make, x64=bool(jax.config.jax_enable_x64),
                      flags_same=os.environ.get("XLA_FLAGS") == before)))
"""


def test_import_changes_nothing_and_the_jax_core_needs_no_scikit_learn():
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_ENABLE_X64")}
    out = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res == dict(heavy=[], heavy_after_make=[], x64=False, flags_same=True)


def test_x64_is_scoped_and_float64_without_it_is_refused():
    import jax
    import numpy as np

    from synthaug.config import resolve_dtype, x64

    was = bool(jax.config.jax_enable_x64)
    with x64(False):
        with pytest.raises(ValueError, match="64-bit mode is off"):
            resolve_dtype("float64")
        assert np.dtype(resolve_dtype(None)) == np.float32
        with x64(True):
            assert np.dtype(resolve_dtype("float64")) == np.float64
        assert not jax.config.jax_enable_x64
    assert bool(jax.config.jax_enable_x64) == was
    with pytest.raises(ValueError, match="float32 or float64"):
        resolve_dtype("int32")


def test_entry_points_run_in_float64_and_restore_the_setting():
    import jax
    import numpy as np

    from synthaug.config import x64

    with x64(False):
        res = synthaug.run_design("biased-aligned", quick=True, reps=2, progress=False)
        assert not jax.config.jax_enable_x64
    assert res.settings["dtype"] == "float64"
    assert np.isfinite([r["mean"] for r in res.records if r["mean"] is not None]).all()


def test_cpu_workarounds_after_start_warns_and_changes_nothing(monkeypatch):
    from synthaug import config

    monkeypatch.setattr(config, "_jaxlib_needs_workaround", lambda: True)
    monkeypatch.setenv("XLA_FLAGS", "")
    monkeypatch.delenv("SYNTHAUG_KEEP_XLA_FLAGS", raising=False)
    with pytest.warns(RuntimeWarning, match="after JAX's backend started"):
        assert config.cpu_workarounds() is False
    assert os.environ["XLA_FLAGS"] == ""


def test_moved_module_helper_rejects_unknown_names():
    getattr_, dir_ = _deprecations.moved_module("old.mod", "synthaug.core.losses")
    assert "logistic_loss" in dir_()
    with pytest.raises(AttributeError, match="moved to 'synthaug.core.losses'"):
        getattr_("nope")
