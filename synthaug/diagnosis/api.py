r"""Diagnose a dataset: will augmentation help, with this generator, and how much to add?

:func:`diagnose` runs, on the user's data (Ma & Zhang, arXiv 2601.16120, §2–4):

1. a balanced pilot fit and the **local-symmetry Wald test** (:mod:`synthaug.diagnosis.symmetry`);
2. the cross-fitted **mismatch** :math:`\hat g_\psi`, its **alignment** with the
   shift (cosine, ρ), the **theory size** and the **generator quality score**
   (:mod:`synthaug.diagnosis.alignment`);
3. **TG-VTSS** (default) or plain **VTSS**: the cross-validated balanced loss of
   every candidate synthetic size, the selected size, and a refit on all data
   (:mod:`synthaug.diagnosis.vtss`).

It returns a :class:`~synthaug.diagnosis.result.Diagnosis` with
:meth:`~synthaug.diagnosis.result.Diagnosis.summary`,
:meth:`~synthaug.diagnosis.result.Diagnosis.plot` and
:meth:`~synthaug.diagnosis.result.Diagnosis.to_dict` (the JSON contract of
``synthaug diagnose``). :func:`select_size` runs plain VTSS alone.

This module holds the two entry points only: the data checks are
:func:`synthaug.data.prepare_data`, the jitted programs
:mod:`synthaug.diagnosis.stages`, the result objects
:mod:`synthaug.diagnosis.result` and the figure :mod:`synthaug.diagnosis.plot`.

**Data conventions** (:func:`synthaug.data.prepare_data`). ``X`` is a 2-D numeric
array or a DataFrame of numeric columns; ``y`` holds exactly two distinct labels of
any type. The minority is the less frequent label unless ``minority=`` names it. By
default features are standardised (mean 0, sd 1 over all rows) before anything
else, so generators and fits see comparable scales; pass ``standardize=False`` to
work on the raw scale. Constant columns, missing values, a single class, a minority
that is not smaller than the majority, or fewer minority rows than folds stop with a
``ValueError``.
"""

from __future__ import annotations

import textwrap
import time

import jax
import numpy as np

from synthaug.config import ensure_compilation_cache, uses_x64
from synthaug.core.folds import check_folds, min_train_rows
from synthaug.core.buckets import round_up
from synthaug.core.montecarlo import progress_bar
from synthaug.core.validation import (
    check_allocation,
    check_bool,
    check_finite_output,
    check_int,
    check_multiple,
    check_real,
    check_seed,
    check_size,
    plain,
)
from synthaug.data.prepare import PreparedData, prepare_data
from synthaug.diagnosis.result import Diagnosis, SizeSelection, curve_rows, finite_or_none
from synthaug.diagnosis.stages import (
    check_stage_finite,
    run_cv,
    stage_diagnostics,
    stage_keys,
    stage_prepare,
    stage_refit,
)
from synthaug.diagnosis.symmetry import wald_cutoff, wald_p_value
from synthaug.diagnosis.vtss import REGIMES, VTSS_GRID, sizes_from_gammas, tg_candidates_host
from synthaug.generators.adapters import as_generator
from synthaug.models import get_model

__all__ = ["Diagnosis", "diagnose", "select_size", "prepare_data", "PreparedData", "SizeSelection"]


_COMMON_PARAMETERS = """\
X : array-like or DataFrame of shape (n_samples, n_features)
    Numeric features (see :func:`synthaug.data.prepare_data`).
y : array-like or Series of shape (n_samples,)
    Exactly two distinct labels of any type.
generator : str, Generator, imbalanced-learn sampler or callable, default="smote"
    A registered generator name (:func:`synthaug.generators.make_generator`), a
    generator object, an imbalanced-learn over-sampler or a callable (see
    :func:`synthaug.generators.adapters.as_generator`).
model : str or Model, default="logistic"
    A name of :data:`synthaug.models.MODEL_NAMES` or a model object.
folds : int, default=5
    Stratified K-fold cross-validation of the size selection.
repeats : int, default=1
    Repeats of that cross-validation (repeat ``r`` uses ``fold_in(key, r)``).
minority : object, default=None
    The minority label; default the rarer one.
standardize : bool, default=True
    Z-score the features first.
seed : int, default=0
    All randomness derives from ``jax.random.key(seed)``.
generator_params, model_params : dict, default=None
    Keyword arguments of the generator and model factories."""


def _fill_common(fn):
    """Put :data:`_COMMON_PARAMETERS` (the parameters of both entry points, documented once) into ``fn``'s docstring."""
    fn.__doc__ = fn.__doc__.replace("{common_parameters}", textwrap.indent(_COMMON_PARAMETERS, "    ").strip("\n").lstrip())
    return fn


def _setup(X, y, generator, model, minority, standardize, folds, repeats, seed, generator_params, model_params,
           progress):
    standardize = check_bool(standardize, "standardize")
    check_bool(progress, "progress")
    seed = check_seed(seed)
    folds = check_int(folds, "folds", 2)
    repeats = check_int(repeats, "repeats", 1)
    for nm, v in (("generator_params", generator_params), ("model_params", model_params)):
        if v is not None and not isinstance(v, dict):
            raise ValueError(f"{nm} must be a dict of keyword arguments or None; got {plain(v)}")
    data = prepare_data(X, y, minority=minority, standardize=standardize)
    gen = as_generator(generator, **(generator_params or {}))
    mdl = get_model(model, **(model_params or {}))
    n0, n1 = data.X0.shape[0], data.X1.shape[0]
    check_folds(n0, n1, folds, repeats)
    n1_train = min_train_rows(n1, folds)  # every row is validated once: the largest block is ceil(n1 / K)
    if n1_train < gen.min_rows:
        raise ValueError(
            f"generator {gen.name!r} needs {gen.min_rows} minority rows, but a {folds}-fold training part has "
            f"only {n1_train} of the {n1}; use fewer folds or a generator with a smaller neighbourhood"
        )
    return data, gen, mdl, seed


def _check_cv_memory(cands, folds: int, data, what: str) -> None:
    """Refuse candidate sizes whose cross-validation would not fit in memory, before anything runs.

    Each of the ``folds`` vmapped fits holds the design matrix of the real rows and the pool
    of the largest candidate, ``(n + pool) x (features + 2)`` values, and one 0/1 weight per
    pool row and candidate, ``pool x candidates`` values; the estimate counts two working
    copies of all of it (:func:`synthaug.core.validation.check_allocation`; the logistic fits
    run one candidate at a time, so nothing else grows with the number of candidates).
    Measured peak resident memory of the whole diagnosis at 1M x 20 (biased branch, 41
    candidates, pool 1.6M rows) is in ``benchmarks/results/diagnose*.json``."""
    cands = np.asarray(cands)
    if cands.size == 0:
        return
    pool = int(cands.max())
    n = data.X0.shape[0] + data.X1.shape[0]
    n_cand = int(round_up(np.unique(cands).size + 2, 8))
    values = int(folds) * ((n + pool) * (data.X0.shape[1] + 2) + pool * n_cand)
    check_allocation(pool, values / max(pool, 1), what, copies=2.0)


def _host_errors(fn, *args):
    """``fn(*args)``, with a ValueError raised on the host inside a JAX callback (an adapted generator's
    own check) re-raised as that ValueError instead of JAX's runtime error that wraps it."""
    try:
        return fn(*args)
    except jax.errors.JaxRuntimeError as err:
        text = str(err)
        marker = "ValueError: "
        if marker in text:
            raise ValueError(text.split(marker, 1)[1].splitlines()[0].strip()) from None
        raise


def _check_finite_result(losses, syn, gen) -> None:
    """The host-side check of the traced stages: non-finite synthetic rows or losses are refused."""
    check_finite_output(syn, f"generator {gen.name!r}")
    if not np.all(np.isfinite(np.asarray(losses))):
        raise ValueError(
            f"the cross-validated losses are NaN or infinite with generator {gen.name!r}: a generator produced "
            "non-finite rows or a fit diverged; standardise the features or choose other generator parameters"
        )


def _sizes_from_gammas(gammas, gap):
    """Candidate sizes of the grid ``gammas`` (default :data:`~synthaug.diagnosis.vtss.VTSS_GRID`) × gap."""
    if gammas is None:
        g = VTSS_GRID
    else:
        try:
            g = np.asarray(gammas, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"gammas must be a non-empty 1-D list of non-negative numbers; got {plain(gammas)}") from None
    if g.ndim != 1 or g.size == 0 or np.any(~np.isfinite(g)) or np.any(g < 0):
        raise ValueError(f"gammas must be a non-empty 1-D list of finite non-negative numbers; got {g.tolist()}")
    return sizes_from_gammas(g, gap)


def _explicit_sizes(sizes):
    """The explicit candidate sizes of :func:`select_size`, each a non-negative integer."""
    if isinstance(sizes, (str, bytes)) or np.ndim(sizes) != 1 or len(sizes) == 0:
        raise ValueError(f"sizes must be a non-empty 1-D list of non-negative integers; got {plain(sizes)}")
    return np.asarray([check_size(s, "sizes[]") for s in list(sizes)], dtype=np.int64)


@uses_x64
@_fill_common
def diagnose(
    X,
    y,
    *,
    generator="smote",
    model="logistic",
    method: str = "tg-vtss",
    folds: int = 5,
    repeats: int = 1,
    crossfit_folds: int = 3,
    alpha: float = 0.05,
    tau: float = 10.0,
    gammas=None,
    max_multiple: float = 5.0,
    minority=None,
    standardize: bool = True,
    seed: int = 0,
    generator_params: dict | None = None,
    model_params: dict | None = None,
    fidelity: bool = True,
    progress: bool = True,
) -> Diagnosis:
    """Diagnose synthetic augmentation of ``(X, y)`` and choose a synthetic size.

    Parameters
    ----------
    {common_parameters}
    method : {"tg-vtss", "vtss"}, default="tg-vtss"
        ``"tg-vtss"`` takes its candidate sizes from the symmetry test and the GQS;
        ``"vtss"`` cross-validates the grid ``gammas`` × gap.
    crossfit_folds : int, default=3
        Folds of the cross-fitted mismatch :math:`\\hat g_\\psi` and of the GQS.
    alpha : float, default=0.05
        Level of the local-symmetry Wald test, in (0, 1).
    tau : float, default=10.0
        GQS threshold between a "realistic" and a "biased" generator.
    gammas : array-like of float, default=None
        The VTSS grid in multiples of the gap (``method="vtss"``); default 0.5–1.5.
    max_multiple : float, default=5.0
        Cap on the theory-size candidates, in multiples of the gap.
    fidelity : bool, default=True
        Also report the generator's fidelity to held-out minority rows
        (:func:`synthaug.fidelity.heldout_fidelity`: MMD² and its permutation test,
        Wasserstein-1, KS, detection AUC, manifold precision, recall and coverage, on at
        most ``synthaug.fidelity.MAX_COMPARED`` (1000) held-out rows); two compiled programs,
        a few milliseconds once compiled.
    progress : bool, default=True
        Show a progress bar.

    Returns
    -------
    Diagnosis
        The test, the generator's quality and alignment, the CV curve and the selected
        size, with ``summary()``, ``plot()`` and ``to_json()``.

    Raises
    ------
    ValueError
        For invalid data (see :func:`synthaug.data.prepare_data`), too few minority rows
        for the folds or the generator, or an invalid option.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import diagnose
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> d = diagnose(X, y, method="vtss", gammas=[0.5, 1.0], folds=2, crossfit_folds=2, fidelity=False, progress=False)
    >>> d.gap, d.selected_size in (16, 32)
    (32, True)
    >>> d.regime
    'local-asymmetry'
    """
    t0 = time.perf_counter()
    ensure_compilation_cache()
    if method not in ("tg-vtss", "vtss"):
        raise ValueError(f"method must be 'tg-vtss' or 'vtss'; got {plain(method)}")
    alpha = check_real(alpha, "alpha", 0.0, 1.0, open_low=True, open_high=True)
    tau = check_real(tau, "tau", 0.0, open_low=True, allow_inf=True)
    max_multiple = check_multiple(max_multiple, "max_multiple")
    fidelity = check_bool(fidelity, "fidelity")
    crossfit_folds = check_int(crossfit_folds, "crossfit_folds", 2)
    data, gen, mdl, seed = _setup(X, y, generator, model, minority, standardize, folds, repeats, seed,
                                  generator_params, model_params, progress)
    seed, folds, repeats = int(seed), int(folds), int(repeats)
    n0, n1 = data.X0.shape[0], data.X1.shape[0]
    check_folds(n0, n1, crossfit_folds)
    if min_train_rows(n1, crossfit_folds) < gen.min_rows:
        raise ValueError(f"generator {gen.name!r} needs {gen.min_rows} minority rows per cross-fitting fold")
    gap = n0 - n1
    if method == "vtss":  # the grid is known before anything runs: check it (and its memory) first
        vtss_cands = _sizes_from_gammas(gammas, gap)
        _check_cv_memory(np.unique(np.r_[vtss_cands, 0, gap]), folds, data, "the largest candidate synthetic size")
    X0, X1 = jax.device_put(data.X0), jax.device_put(data.X1)  # no eager program
    # all keys in one small program (the same keys as split / fold_in one by one)
    k_diag, k_cv, k_refit, k_fid = stage_keys(np.int64(seed), repeats)
    bar = progress_bar(repeats + 2, "diagnose", progress)
    aux, *host = stage_diagnostics(mdl, gen, k_diag, X0, X1, crossfit_folds)
    # one transfer of the small results; everything below is host arithmetic (no eager JAX ops,
    # each of which would be one more program to trace, compile or load)
    test, mm, cos, rho, denom, theory, gqs, separable = jax.device_get(host)
    check_stage_finite(mm.finite_synthetic, gen, "cross-fitted mismatch")
    bar.update(1)
    n_params = int(test.df)
    df = int(test.rank)  # the degrees of freedom of the rank-aware statistic (= n_params when V is regular)
    warnings = []
    if n1 < 10 * n_params:
        warnings.append(f"the minority has {n1} rows for {n_params} parameters (fewer than 10 per parameter): "
                        "the Wald test and GQS rest on asymptotics that may not hold at this size")
    separates = bool(separable) and getattr(getattr(mdl, "loss", None), "kind", "logistic") == "logistic"
    if separates:
        warnings.append("the balanced pilot separates the classes perfectly: the fit is determined by the ridge "
                        "and the scores are nearly zero, so the test statistic is not reliable")
    warnings += covariance_warnings(data, df, n_params, float(test.t_sym), float(test.t_ridge), separates)
    t_sym = float(test.t_sym)
    cutoff = wald_cutoff(df, alpha)
    reject = t_sym > cutoff
    gqs_f = float(gqs)
    clipped = False
    if method == "tg-vtss":
        cands, branch, clip = tg_candidates_host(gap, reject, gqs_f, float(theory), tau, max_multiple)
        branch_name, clipped = REGIMES[int(branch)], bool(clip)
    else:
        cands = vtss_cands
        branch_name = "vtss"
    uniq = np.unique(cands)
    # raw (0) and full balancing (gap) are always cross-validated as references; only
    # the method's candidates can be selected.
    allc = np.unique(np.r_[uniq, 0, gap])
    _check_cv_memory(allc, folds, data, "the largest candidate synthetic size")
    losses = _host_errors(run_cv, mdl, gen, None, X0, X1, aux, allc, folds, repeats, bar, k_cv)
    is_cand = np.isin(allc, uniq)
    curve = curve_rows(allc, losses, gap, is_cand)
    mean = losses.mean(axis=0)
    sel = int(allc[is_cand][int(np.argmin(mean[is_cand]))])
    params, syn = _host_errors(stage_refit, mdl, gen, k_refit, X0, X1, aux, sel)
    _check_finite_result(losses, syn, gen)
    bar.update(1)
    bar.close()
    fid = None
    if fidelity:
        fid = _host_errors(_fidelity, gen, k_fid, data)  # an adapted generator's ValueError stays one
    g_psi_norm = float(np.linalg.norm(mm.g_psi))
    cos_f = finite_or_none(cos) if g_psi_norm > 0 else None
    return Diagnosis(
        n0=n0, n1=n1, gap=gap, method=method,
        regime="local-asymmetry" if reject else "local-symmetry",
        t_sym=t_sym, df=df, p_value=float(wald_p_value(t_sym, df)), alpha=float(alpha), cutoff=cutoff,
        n_parameters=n_params, t_sym_ridge=finite_or_none(test.t_ridge),
        gqs=gqs_f, tau=float(tau), generator_quality="realistic" if gqs_f <= tau else "biased",
        cosine=cos_f, rho=finite_or_none(rho) if cos_f is not None else None,
        g_phi_norm=float(np.linalg.norm(test.g_phi)), g_psi_norm=g_psi_norm,
        theory_denominator=finite_or_none(denom), theory_size=finite_or_none(theory), theory_clipped=clipped, tg_branch=branch_name,
        candidates=[int(c) for c in uniq], curve=curve, selected_size=sel, selected_gamma=sel / gap,
        generator=gen.name, model=mdl.name, folds=int(folds), repeats=int(repeats),
        crossfit_folds=int(crossfit_folds), seed=int(seed), majority_label=data.majority_label,
        minority_label=data.minority_label, n_features=int(data.X0.shape[1]), standardized=bool(standardize),
        elapsed_s=round(time.perf_counter() - t0, 3), fidelity=fid, warnings=warnings, params=params, synthetic=np.asarray(syn),
        data=data, cv_sizes=np.asarray(allc, int), cv_losses=np.asarray(losses),
    )


@uses_x64
@_fill_common
def select_size(
    X,
    y,
    *,
    generator="smote",
    model="logistic",
    gammas=None,
    sizes=None,
    folds: int = 5,
    repeats: int = 1,
    minority=None,
    standardize: bool = True,
    seed: int = 0,
    generator_params: dict | None = None,
    model_params: dict | None = None,
    progress: bool = False,
) -> SizeSelection:
    """Plain VTSS: cross-validate the synthetic size over ``gammas`` × gap (or explicit ``sizes``).

    Parameters
    ----------
    {common_parameters}
    gammas : array-like of float, default=None
        Candidate sizes in multiples of the gap; default 0.5–1.5 in steps of 0.01.
    sizes : array-like of int, default=None
        Explicit candidate sizes instead of ``gammas``.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    SizeSelection
        The CV curve, the selected size and the model refitted with it.

    Raises
    ------
    ValueError
        For invalid data, too few minority rows for the folds or the generator, or
        invalid candidate sizes.

    Examples
    --------
    >>> import numpy as np
    >>> from synthaug import select_size
    >>> rng = np.random.default_rng(0)
    >>> X = np.r_[rng.normal(size=(48, 2)), rng.normal(size=(16, 2)) + 1.0]
    >>> y = np.r_[np.zeros(48, int), np.ones(16, int)]
    >>> sel = select_size(X, y, gammas=[0.5, 1.0], folds=2)
    >>> sel.gap, sel.candidates  # gammas times the class gap 48 - 16
    (32, [16, 32])
    >>> sel.selected_size in sel.candidates
    True
    """
    ensure_compilation_cache()
    data, gen, mdl, seed = _setup(X, y, generator, model, minority, standardize, folds, repeats, seed,
                                  generator_params, model_params, progress)
    n0, n1 = data.X0.shape[0], data.X1.shape[0]
    gap = n0 - n1
    if sizes is not None and gammas is not None:
        raise ValueError("give sizes or gammas, not both")
    if sizes is not None:
        cands = _explicit_sizes(sizes)
    else:
        cands = _sizes_from_gammas(gammas, gap)
    _check_cv_memory(cands, folds, data, "the largest candidate synthetic size")
    X0, X1 = jax.device_put(data.X0), jax.device_put(data.X1)  # no eager program
    k_aux, k_cv, k_refit, _ = stage_keys(np.int64(seed), int(repeats))  # split(key(seed), 3) and fold_in(k_cv, r)
    aux = stage_prepare(mdl, k_aux, X0, X1)
    uniq = np.unique(cands)
    bar = progress_bar(repeats + 1, "vtss", progress)
    losses = _host_errors(run_cv, mdl, gen, None, X0, X1, aux, uniq, folds, repeats, bar, k_cv)
    sel = int(uniq[int(np.argmin(losses.mean(axis=0)))])
    params, syn = _host_errors(stage_refit, mdl, gen, k_refit, X0, X1, aux, sel)
    _check_finite_result(losses, syn, gen)
    bar.update(1)
    bar.close()
    return SizeSelection(gap, [int(c) for c in uniq], curve_rows(uniq, losses, gap), sel, sel / gap, params,
                         np.asarray(syn), data)


def _column_list(names, idx, limit=5) -> str:
    """``a, b, c`` (at most ``limit`` names, then ``…``)."""
    shown = [str(names[j]) for j in idx[:limit]]
    return ", ".join(shown) + (f" … ({len(idx)} in all)" if len(idx) > limit else "")


def covariance_warnings(data: PreparedData, rank: int, n_params: int, t_sym: float = float("nan"),
                        t_ridge: float = float("nan"), separates: bool = False) -> list:
    """Warnings about the local-symmetry test's score covariance :math:`\\hat V` (host arithmetic).

    When the numerical rank of :math:`\\hat V` is below the number of parameters, the test
    statistic is the generalised-inverse Wald statistic on the identifiable subspace with
    ``rank`` degrees of freedom (:mod:`synthaug.diagnosis.symmetry`; Moore, 1977; Andrews,
    1987). The warning says so and names the likely causes it finds in the data (on the
    scale the model saw): columns constant within the minority or the majority, exactly
    duplicated columns, columns that are linear combinations of others (the centred feature
    matrix has rank below the number of columns), and a pilot that separates the classes.
    Independently of the rank, columns constant within a class are reported, because the
    test then learns about them from the other class only.

    Parameters
    ----------
    data : PreparedData
        The prepared data of the diagnosis.
    rank, n_params : int
        Numerical rank of :math:`\\hat V` and its size ``p``.
    t_sym, t_ridge : float, default=nan
        The rank-aware statistic and the ridge-regularised one of earlier versions; the
        latter is quoted when it differs from the former by more than 0.1 %.
    separates : bool, default=False
        Whether the balanced (logistic) pilot separates the classes.

    Returns
    -------
    list of str
        Zero, one or two warnings.
    """
    names = list(data.feature_names)
    const1 = np.flatnonzero(np.ptp(data.X1, axis=0) == 0)
    const0 = np.flatnonzero(np.ptp(data.X0, axis=0) == 0)
    out = []
    if rank < n_params:
        X = np.concatenate([data.X0, data.X1])
        causes = []
        if const1.size:
            causes.append(f"column(s) constant within the minority: {_column_list(names, const1)}")
        if const0.size:
            causes.append(f"column(s) constant within the majority: {_column_list(names, const0)}")
        _, first, inverse = np.unique(X.T, axis=0, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        dups = [j for j in range(X.shape[1]) if first[inverse[j]] != j]
        if dups:
            pairs = [f"{names[j]} = {names[first[inverse[j]]]}" for j in dups]
            causes.append("exactly duplicated column(s): " + ", ".join(pairs[:5])
                          + (f" … ({len(pairs)} in all)" if len(pairs) > 5 else ""))
        Xc = X - X.mean(axis=0)
        feat_rank = int(np.linalg.matrix_rank(Xc)) if X.shape[0] > 1 else 0
        if feat_rank < X.shape[1] - len(dups):
            causes.append(f"linearly dependent columns (the centred features have rank {feat_rank} of "
                          f"{X.shape[1]}): a column is a linear combination of others")
        if separates:
            causes.append("the pilot separates the classes")
        if not causes:
            causes.append("no column is constant within a class, duplicated or collinear, so the pilot nearly "
                          "separates the classes, the minority is too small for the parameters, or (for a "
                          "non-linear model) its learned features are collinear")
        ridge = ""
        if np.isfinite(t_ridge) and np.isfinite(t_sym) and abs(t_ridge - t_sym) > 1e-3 * max(abs(t_sym), 1.0):
            ridge = (f" (the ridge-regularised value of earlier versions, {t_ridge:.4g}, is an artefact of the "
                     "ridge in the unidentified directions)")
        out.append(f"the score covariance of the symmetry test is singular (numerical rank {rank} of {n_params}): "
                   f"T_sym is computed on the {rank}-dimensional identifiable subspace (generalised inverse) with "
                   f"df = {rank}{ridge}; likely causes: " + "; ".join(causes))
    elif const1.size or const0.size:
        parts = []
        if const1.size:
            parts.append(f"within the minority: {_column_list(names, const1)}")
        if const0.size:
            parts.append(f"within the majority: {_column_list(names, const0)}")
        out.append("column(s) constant " + "; ".join(parts) + ": the symmetry test learns about them from the "
                   "other class only")
    return out


def _fidelity(gen, key, data):
    """The fidelity block of the diagnosis (:func:`synthaug.fidelity.heldout_fidelity`)."""
    from synthaug.fidelity import heldout_fidelity

    return heldout_fidelity(gen, key, data.X1, data.X0)
