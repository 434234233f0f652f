"""Parameter documentation shared by the estimators, written once.

:data:`PARAMETERS` holds the numpydoc paragraph (``name : type, default=...`` and its
description) of every parameter that several estimators share. A class docstring names
such a parameter by a line holding only ``{name}`` inside its ``Parameters`` section, and
:func:`fill_doc` (a class decorator) replaces that line by the paragraph, indented like the
placeholder. ``{sampler_parameters}`` stands for the four parameters of every
generator-backed sampler (``sampling_strategy``, ``n_synthetic``, ``gap_multiple`` and
``random_state``). The rendered docstring is plain numpydoc, so ``help()``, Sphinx and
numpydoc's validation see a complete ``Parameters`` section.
"""

from __future__ import annotations

import re

__all__ = ["PARAMETERS", "GROUPS", "fill_doc"]

PARAMETERS: dict[str, str] = {
    "sampling_strategy": """\
sampling_strategy : float, str, dict or callable, default="auto"
    imbalanced-learn's sampling strategy: the target count of each class after
    resampling (``"auto"`` raises every non-majority class to the majority count; see
    :class:`imblearn.over_sampling.SMOTE`). Used only when neither ``n_synthetic``
    nor ``gap_multiple`` is given; multi-class targets are allowed.""",
    "n_synthetic": """\
n_synthetic : int or None, default=None
    Number of synthetic rows of the minority class (binary targets only). Overrides
    ``sampling_strategy``; giving it together with ``gap_multiple`` is an error.""",
    "gap_multiple": """\
gap_multiple : float or None, default=None
    Synthetic rows as a multiple of the class gap: ``round(gap_multiple * (n0 - n1))``
    rows, so ``1.0`` balances the classes and ``0.5`` closes half of the gap (binary
    targets only; overrides ``sampling_strategy``, exclusive with ``n_synthetic``). This is the scale on which Ma & Zhang express the synthetic ratio
    (Ma & Zhang, 2026, "Synthetic Augmentation in Imbalanced Learning: When It Helps,
    When It Hurts, and How Much to Add", arXiv 2601.16120).""",
    "random_state": """\
random_state : int, RandomState instance or None, default=None
    Seed of the JAX PRNG key that drives the draws. An int gives reproducible output;
    ``None`` or a :class:`numpy.random.RandomState` draws the seed from NumPy's random
    state.""",
    "k_neighbors": """\
k_neighbors : int, default=5
    Number of nearest minority neighbours among which the interpolation partner of a
    seed row is drawn (SMOTE's ``k``).""",
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
}

#: Placeholders that stand for several parameters, in this order.
GROUPS: dict[str, tuple[str, ...]] = {
    "sampler_parameters": ("sampling_strategy", "n_synthetic", "gap_multiple", "random_state"),
}

_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)\{(?P<name>\w+)\}[ \t]*$", re.MULTILINE)


def _paragraphs(name: str) -> str:
    names = GROUPS.get(name, (name,))
    try:
        return "\n\n".join(PARAMETERS[n] for n in names)
    except KeyError as e:
        raise KeyError(f"no shared documentation for parameter {e.args[0]!r}; add it to PARAMETERS") from None


def fill_doc(obj):
    """Replace each ``{name}`` placeholder line of ``obj.__doc__`` by the shared paragraph.

    Parameters
    ----------
    obj : type or function
        The object whose docstring holds placeholders (a line with only ``{name}``,
        ``name`` a key of :data:`PARAMETERS` or :data:`GROUPS`).

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
