r"""Bundled offline datasets for the diagnosis and the real-data studies.

All data ship inside scikit-learn (no download at run time). Each loader
returns ``(X, y)`` as a pandas DataFrame and Series with named columns; the
binary target's minority label and the imbalance ratio are documented here and
in :data:`DATASETS`.

======================  ==============================================================  ===========
name                    task                                                            n0 : n1
======================  ==============================================================  ===========
``breast-cancer``       Wisconsin diagnostic: malignant (1) vs benign (0), as shipped   357 : 212
``breast-cancer-rare``  the same with the malignant class subsampled to 36 rows         357 : 36
``digits-D``            8×8 digits: digit ``D`` (1) vs all others (0), the digit        ≈1617 : 81
                        subsampled to ⌈n0/20⌉ rows (ratio 20); constant pixels dropped
======================  ==============================================================  ===========

Subsampling uses a fixed seed (``seed=0`` by default; pass another to get a
different subsample), so a name always means the same rows. Digit pixels that
are constant over the retained rows are dropped (they carry no information and
make the Hessian singular); the remaining columns keep their pixel names
``pixel_r_c``.

:func:`example_csv` gives the path of ``clinic.csv``, a small simulated CSV shipped with the
package (800 admissions, no real patients): an ID column ``patient_id``, text columns ``sex`` and
``ward``, seven numeric columns and the target ``outcome`` (``sepsis`` in 50 rows, ``no sepsis``
in 750), for trying ``synthaug diagnose`` on a file shaped like a real export.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DATASETS", "load_dataset", "list_datasets", "check_dataset", "example_csv"]

DATASETS = {
    "breast-cancer": "Wisconsin breast cancer, malignant (1) vs benign (0); 357:212 (ratio 1.7)",
    "breast-cancer-rare": "Wisconsin breast cancer with malignant subsampled to 36 rows; 357:36 (ratio 9.9)",
    **{f"digits-{d}": f"digits, digit {d} (1) vs the rest (0), digit subsampled to ratio 20" for d in range(10)},
}


def list_datasets() -> list[str]:
    return list(DATASETS)


def example_csv() -> str:
    """Path of ``clinic.csv``, the simulated example CSV shipped with synthaug.

    Returns
    -------
    str
        An absolute path to a CSV with a header row; target column ``outcome``, minority label
        ``sepsis``, and an ID column ``patient_id`` to leave out.

    Examples
    --------
    >>> import pandas as pd
    >>> from synthaug.data import example_csv
    >>> df = pd.read_csv(example_csv())
    >>> df.shape, int((df["outcome"] == "sepsis").sum())
    ((800, 11), 50)
    """
    from importlib.resources import files

    return str(files("synthaug.data").joinpath("examples", "clinic.csv"))


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    b = load_breast_cancer()
    X = pd.DataFrame(b.data, columns=[str(c).replace(" ", "_") for c in b.feature_names])
    # scikit-learn codes benign as 1; here malignant (the rarer class) is 1.
    y = pd.Series((b.target == 0).astype(int), name="malignant")
    return X, y


def _subsample_minority(X, y, n1, seed):
    rng = np.random.default_rng(seed)
    minority = np.nonzero(y.to_numpy() == 1)[0]
    keep = np.sort(np.r_[np.nonzero(y.to_numpy() == 0)[0], rng.choice(minority, n1, replace=False)])
    return X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)


def check_dataset(name: str) -> str:
    """``name`` if it is a bundled dataset, else ValueError listing them (cheap: loads nothing)."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; available: {', '.join(DATASETS)}")
    return name


def load_dataset(name: str, *, seed: int = 0):
    """``(X, y)`` of a bundled dataset (see the module docstring).

    Examples
    --------
    >>> from synthaug import load_dataset
    >>> X, y = load_dataset("breast-cancer-rare")
    >>> X.shape, y.value_counts().sort_index().tolist()
    ((393, 30), [357, 36])
    """
    check_dataset(name)
    if name == "breast-cancer":
        return _breast_cancer()
    if name == "breast-cancer-rare":
        X, y = _breast_cancer()
        return _subsample_minority(X, y, 36, seed)
    if name.startswith("digits-") and name[7:].isdigit() and 0 <= int(name[7:]) <= 9:
        from sklearn.datasets import load_digits

        digit = int(name[7:])
        dg = load_digits()
        X = pd.DataFrame(dg.data, columns=[f"pixel_{i // 8}_{i % 8}" for i in range(64)])
        y = pd.Series((dg.target == digit).astype(int), name=f"digit_{digit}")
        n0 = int((y == 0).sum())
        X, y = _subsample_minority(X, y, int(np.ceil(n0 / 20)), seed)
        return X.loc[:, X.nunique() > 1], y
    raise AssertionError(f"dataset {name!r} is listed in DATASETS but has no loader")
