"""Parameter documentation shared by the estimators, written once.

:data:`PARAMETERS` holds the numpydoc paragraph (``name : type, default=...`` and its
description) of every parameter that several estimators share. A class docstring names
such a parameter by a line holding only ``{name}`` inside its ``Parameters`` section, and
:func:`fill_doc` (a class decorator) replaces that line by the paragraph, indented like the
placeholder. ``{sampler_parameters}`` stands for the four parameters of every
generator-backed sampler (``sampling_strategy``, ``n_synthetic``, ``gap_multiple`` and
``random_state``). The same holds for the fitted attributes that several estimators
share (``{sampler_attributes}`` stands for ``sampling_strategy_``, ``n_features_in_`` and
``feature_names_in_``) and for the longer shared passages of :data:`SECTIONS` (e.g.
``{synthetic_size}``, the rules that turn ``n_synthetic``, ``gap_multiple`` and
``sampling_strategy`` into a number of rows, for a ``Notes`` section). The rendered
docstring is plain numpydoc, so ``help()``, Sphinx and numpydoc's validation see complete
sections.
"""

from __future__ import annotations

import re

__all__ = ["PARAMETERS", "GROUPS", "SECTIONS", "fill_doc"]

PARAMETERS: dict[str, str] = {
    "sampling_strategy": """\
sampling_strategy : float, str, dict or callable, default="auto"
    imbalanced-learn's sampling strategy: the target count of each class after
    resampling (``"auto"`` raises every non-majority class to the majority count; see
    :class:`imblearn.over_sampling.SMOTE`). Used only when neither ``n_synthetic``
    nor ``gap_multiple`` is given, and the only way to resample a multi-class target
    (see Notes).""",
    "n_synthetic": """\
n_synthetic : int or None, default=None
    Exactly this many synthetic rows (an int >= 0) of the minority class, the less
    frequent label (binary targets only). Overrides ``sampling_strategy``; setting it
    together with ``gap_multiple`` makes ``fit_resample`` raise ``ValueError``.""",
    "gap_multiple": """\
gap_multiple : float or None, default=None
    Synthetic rows as a multiple (a float >= 0) of the class gap:
    ``round(gap_multiple * (n0 - n1))`` minority rows, ``n0`` and ``n1`` the majority and
    minority counts and ``round`` Python's (half to even), so ``1.0`` balances the
    classes and ``0.5`` closes half of the gap (binary targets only; overrides
    ``sampling_strategy``; setting it together with ``n_synthetic`` makes
    ``fit_resample`` raise ``ValueError``). This is the scale on which Ma & Zhang express the synthetic ratio
    (Ma & Zhang, 2026, "Synthetic Augmentation in Imbalanced Learning: When It Helps,
    When It Hurts, and How Much to Add", arXiv 2601.16120).""",
    "random_state": """\
random_state : int, RandomState instance or None, default=None
    Seed of the JAX PRNG key that drives the draws. An int gives reproducible output;
    ``None`` or a :class:`numpy.random.RandomState` draws the seed from NumPy's random
    state.""",
    "k_neighbors": """\
k_neighbors : int or object, default=5
    Number of nearest minority neighbours among which the interpolation partner of a
    seed row is drawn (SMOTE's ``k``), searched by synthaug's exact JAX kNN; or, as in
    imbalanced-learn, a neighbour estimator (any object with ``kneighbors`` and
    ``kneighbors_graph``: scikit-learn's ``NearestNeighbors``, a faiss or cuML
    wrapper), cloned, fitted on the host and asked for ``n_neighbors`` neighbours of
    which the first (the row itself) is dropped, so ``NearestNeighbors(n_neighbors=6)``
    is ``k_neighbors=5``. The fitted copy is ``nn_k_``.""",
    "fallback": """\
fallback : {"raise", "smote"}, default="raise"
    What to do when no minority row qualifies as a seed: ``"raise"`` raises a
    ``ValueError``, ``"smote"`` falls back to plain SMOTE (every minority row seeds).""",
    "generator": """\
generator : str or Generator, default="smote"
    A generator name of :data:`synthaug.generators.GENERATOR_FACTORIES` or a
    :class:`~synthaug.generators.Generator`.""",
    "generator_params": """\
generator_params : dict or None, default=None
    Keyword arguments of the named generator's factory (e.g. ``{"k": 5}`` for
    ``"smote"``); only for a generator given by name.""",
    "standardize": """\
standardize : bool, default=True
    Z-score the features with the training mean and standard deviation before
    fitting.""",
    # Fitted attributes (the same numpydoc form, for an ``Attributes`` section).
    "sampling_strategy_": """\
sampling_strategy_ : OrderedDict
    Class label -> number of synthetic rows actually added by the last
    ``fit_resample``: ``n_synthetic`` or ``round(gap_multiple * gap)`` when one is set,
    imbalanced-learn's resolved ``sampling_strategy`` otherwise (0 for a class that
    was skipped with a warning). Keyed by plain Python labels (``int``, ``str``, ...).""",
    "n_features_in_": """\
n_features_in_ : int
    Number of features seen in ``fit_resample``.""",
    "feature_names_in_": """\
feature_names_in_ : ndarray of shape (``n_features_in_``,)
    Column names seen in ``fit_resample``; set only when ``X`` has string column names
    (a pandas DataFrame).""",
}

#: Longer passages shared by several docstrings, placed by a ``{name}`` line like a parameter.
SECTIONS: dict[str, str] = {
    "synthetic_size": """\
How many rows are added: ``fit_resample`` turns the size parameters into a number of
synthetic rows per class, kept in ``sampling_strategy_``.

* ``n_synthetic=n``: exactly ``n`` rows of the minority class;
* ``gap_multiple=g``: ``round(g * (n0 - n1))`` rows of the minority class, ``n0`` and
  ``n1`` the class counts and ``round`` Python's, which rounds halves to even
  (``g=0.5`` adds 2 rows for a gap of 5 and 4 rows for a gap of 7); ``g=1`` balances
  the classes, ``g=0`` adds nothing and ``g > 1`` makes the minority the larger class;
* neither: imbalanced-learn's ``sampling_strategy`` (``"auto"``: every class but the
  majority raised to the majority count).

``n_synthetic`` and ``gap_multiple`` exclude each other and need a binary target: setting
both, or either one for a target with more than two classes, makes ``fit_resample``
raise ``ValueError`` (the constructor stores its arguments unchecked, as scikit-learn
requires). Either one overrides ``sampling_strategy``, which imbalanced-learn still
checks against the target, so a multi-class target is resampled through
``sampling_strategy`` only. The minority is the less frequent label (the first in
sorted order when both are equally frequent). The synthetic rows are appended after
the original rows, class by class in the labels' order; the generator sees the rows of
the class being oversampled as the minority and all other rows as the majority.""",
}

#: Placeholders that stand for several parameters, in this order.
GROUPS: dict[str, tuple[str, ...]] = {
    "sampler_parameters": ("sampling_strategy", "n_synthetic", "gap_multiple", "random_state"),
    "sampler_attributes": ("sampling_strategy_", "n_features_in_", "feature_names_in_"),
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>\w+)\}[ \t]*$", re.MULTILINE)


def _paragraphs(name: str) -> str:
    names = GROUPS.get(name, (name,))
    try:
        return "\n\n".join(PARAMETERS[n] if n in PARAMETERS else SECTIONS[n] for n in names)
    except KeyError as e:
        raise KeyError(
            f"no shared documentation for {e.args[0]!r}; add it to PARAMETERS or SECTIONS"
        ) from None


def fill_doc(obj):
    """Replace each ``{name}`` placeholder line of ``obj.__doc__`` by the shared paragraph.

    Parameters
    ----------
    obj : type or function
        The object whose docstring holds placeholders (a line with only ``{name}``,
        ``name`` a key of :data:`PARAMETERS`, :data:`GROUPS` or :data:`SECTIONS`).

    Returns
    -------
    type or function
        ``obj`` itself, with the filled docstring.

    Raises
    ------
    KeyError
        If a placeholder names a parameter with no shared paragraph.
    """

    def expand(match):
        indent = match.group("indent")
        return "\n".join(indent + line if line else "" for line in _paragraphs(match.group("name")).splitlines())

    if obj.__doc__:
        obj.__doc__ = _PLACEHOLDER.sub(expand, obj.__doc__)
    return obj
