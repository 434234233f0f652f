r"""SMOTE followed by a cleaning rule, as generators: ``"smote-tomek"`` and ``"smote-enn"``.

Batista, Prati & Monard (2004) [1]_ follow SMOTE (Chawla et al., 2002 [2]_) by a data-cleaning
rule applied to the union of the real and the synthetic rows: Tomek links (Tomek, 1976 [3]_;
:func:`synthaug.core.cleaning.tomek_links`) or Wilson's edited nearest neighbours (ENN,
Wilson, 1972 [4]_; :func:`synthaug.core.cleaning.enn_flags`). The samplers
:class:`~synthaug.estimators.SMOTETomekSampler` and :class:`~synthaug.estimators.SMOTEENNSampler`
do exactly that, real rows included, as imbalanced-learn's ``imblearn.combine`` does.

**In the theory's terms.** synthaug's estimators (the balanced risk, the
:math:`\varphi/\psi` decomposition, :math:`T_{\mathrm{sym}}`; Ma & Zhang, arXiv
2601.16120) are defined on the *real* sample: removing real rows would change the
estimand, not the generator. As generators, the two methods are therefore
*generators with cleaning*: the cleaning rule is computed on the union of the real
minority, the real majority and a SMOTE pool, with every synthetic row labelled
minority, and only the **synthetic** rows it flags are dropped; real rows are never
removed here. The law :math:`Q` that the diagnosis judges is the law of the surviving
synthetic rows.

**Exactly n rows, fixed shapes.** The protocol asks for ``n`` rows. The SMOTE pool has
exactly ``n`` rows, so the cleaning sees the configuration imbalanced-learn's combined
samplers see (the same real rows next to the same number of synthetic ones: the pool's
density, which decides which synthetic rows are flagged, is the sampler's). Of the pool,
the ``s`` survivors come first, in pool order (the pool is i.i.d., so this is no
selection), and the ``n - s`` remaining slots are filled by survivors drawn uniformly
with replacement (from a separate key). Every shape is fixed by ``n``, so the generator
runs under ``jit``/``vmap``. When the cleaning removes the whole pool (``s = 0``) there
is nothing to resample: a concrete call raises ``ValueError``; a traced call returns NaN
rows, which the callers' finiteness checks (:func:`synthaug.generators.basic.finite_flag`)
turn into an error on the host.

The Tomek rule flags both rows of a link (imbalanced-learn's ``TomekLinks`` with
``sampling_strategy="all"``, the default of ``SMOTETomek``); here the synthetic row of a
link is dropped. ENN uses ``n_neighbors`` (default 3) and ``kind_sel`` (``"all"``, the
default, or ``"mode"``). The generator sees two classes, the minority and the rest
(one-vs-rest): for Tomek links and ``kind_sel="all"`` this is the same as the
multi-class rule for the minority's rows; for ``"mode"`` the vote is minority against
rest.

References
----------
.. [1] G. E. A. P. A. Batista, R. C. Prati and M. C. Monard, "A Study of the Behavior of
   Several Methods for Balancing Machine Learning Training Data", SIGKDD Explorations
   6(1), 20-29, 2004.
.. [2] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE: Synthetic
   Minority Over-sampling Technique", JAIR 16, 321-357, 2002.
.. [3] I. Tomek, "Two Modifications of CNN", IEEE Trans. SMC-6(11), 769-772, 1976.
.. [4] D. L. Wilson, "Asymptotic Properties of Nearest Neighbor Rules Using Edited Data",
   IEEE Trans. SMC-2(3), 408-421, 1972.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from synthaug.core.buckets import draw_size, row_bucket
from synthaug.core.cleaning import (
    KIND_SEL,
    enn_flags_from_neighbours,
    padded_self_neighbours,
    tomek_links_from_neighbours,
)
from synthaug.core.knn import DENSE_MAX_ELEMENTS, default_block_size, knn
from synthaug.core.validation import check_int, is_concrete
from synthaug.generators.basic import PADDED_NO_SEED, PADDED_OK, Generator, _smote_draw, smote

__all__ = ["smote_tomek", "smote_enn", "cleaned_smote_pool"]


@partial(jax.jit, static_argnames=("n", "k", "rule", "n_neighbors", "kind_sel"))
def _cleaned(key, X1, X0, n: int, k: int, rule: str, n_neighbors: int = 3, kind_sel: str = "all"):
    k_pool, k_fill = jax.random.split(key)
    S = _smote_draw(k_pool, X1, n, k)[0]
    U = jnp.concatenate([X1, X0, S])
    yU = jnp.concatenate([jnp.ones(X1.shape[0], jnp.int32), jnp.zeros(X0.shape[0], jnp.int32),
                          jnp.ones(n, jnp.int32)])
    block = default_block_size(U.shape[0], U.shape[0])
    if rule == "tomek":
        nn = knn(U, 1, block_size=block)[1][:, 0]
        flags = tomek_links_from_neighbours(nn, yU)
    else:
        flags = enn_flags_from_neighbours(knn(U, n_neighbors, block_size=block)[1], yU, kind_sel)
    keep = ~flags[X1.shape[0] + X0.shape[0]:]
    s = jnp.sum(keep)
    order = jnp.argsort(~keep, stable=True)  # survivors first, in pool order
    fill = order[jax.random.randint(k_fill, (n,), 0, jnp.maximum(s, 1))]
    slots = jnp.arange(n)
    rows = S[jnp.where(slots < s, order, fill)]
    return jnp.where(s > 0, rows, jnp.nan), s


def cleaned_smote_pool(key, X1, X0, n: int, k: int = 5, rule: str = "tomek", n_neighbors: int = 3,
                       kind_sel: str = "all"):
    """SMOTE rows after the cleaning rule: ``(rows, survivors)`` (see the module docstring).

    Parameters
    ----------
    key : jax.Array
        PRNG key (split into the SMOTE pool and the refill draws).
    X1, X0 : array, shapes (n1, d) and (n0, d)
        Minority and other rows.
    n : int
        Rows to return (and the size of the SMOTE pool).
    k : int, default=5
        SMOTE's neighbours.
    rule : {"tomek", "enn"}, default="tomek"
        The cleaning rule.
    n_neighbors : int, default=3
        ENN's neighbours (``rule="enn"``).
    kind_sel : {"all", "mode"}, default="all"
        ENN's vote (``rule="enn"``).

    Returns
    -------
    rows : jax.Array, shape (n, d)
        The surviving pool rows first, then survivors drawn with replacement; NaN rows
        when no pool row survived (``survivors == 0``).
    survivors : jax.Array of int
        How many of the ``n`` pool rows the cleaning kept.

    See Also
    --------
    smote_tomek, smote_enn : The generators.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug.generators.smote_cleaning import cleaned_smote_pool
    >>> rng = np.random.default_rng(0)
    >>> X1, X0 = rng.normal(size=(20, 2)) + 1.0, rng.normal(size=(60, 2))
    >>> rows, kept = cleaned_smote_pool(jax.random.key(0), X1, X0, 40, k=3, rule="enn")
    >>> rows.shape, 0 < int(kept) <= 40
    ((40, 2), True)
    """
    if rule not in ("tomek", "enn"):
        raise ValueError(f"rule must be 'tomek' or 'enn'; got {rule!r}")
    if kind_sel not in KIND_SEL:
        raise ValueError(f"kind_sel must be one of {KIND_SEL}; got {kind_sel!r}")
    X1 = jnp.asarray(X1)
    return _cleaned(key, X1, jnp.asarray(X0, X1.dtype), n, check_int(k, "k"), rule,
                    check_int(n_neighbors, "n_neighbors"), kind_sel)


def _padded_cleaned(key, X1p, n1, X0p, n0, n, n_out: int, k: int, rule: str, n_neighbors: int, kind_sel: str):
    """:func:`_cleaned` on classes padded to row buckets (``Generator.padded_majority``).

    The SMOTE pool is the bucketed SMOTE draw (its first ``n`` rows are the unpadded pool),
    the cleaning's search runs on ``[X1p; X0p; pool]`` with the padding rows and the pool
    rows beyond ``n`` never neighbours (:func:`~synthaug.core.cleaning.padded_self_neighbours`;
    the real rows keep their order, so the neighbours are the unpadded ones), only the
    first ``n`` pool rows can survive, and the refill draws are prefix-stable.
    """
    k_pool, k_fill = jax.random.split(key)
    b1, b0 = X1p.shape[0], X0p.shape[0]
    S = smote(k).padded(k_pool, X1p, n1, n_out)
    U = jnp.concatenate([X1p, X0p, S])
    in_pool = jnp.arange(n_out) < n
    valid = jnp.concatenate([jnp.arange(b1) < n1, jnp.arange(b0) < n0, in_pool])
    yU = jnp.concatenate([jnp.ones(b1, jnp.int32), jnp.zeros(b0, jnp.int32), jnp.ones(n_out, jnp.int32)])
    if rule == "tomek":
        flags = tomek_links_from_neighbours(padded_self_neighbours(U, valid, 1)[:, 0], yU)
    else:
        flags = enn_flags_from_neighbours(padded_self_neighbours(U, valid, n_neighbors), yU, kind_sel)
    keep = ~flags[b1 + b0:] & in_pool
    s = jnp.sum(keep)
    order = jnp.argsort(~keep, stable=True)  # survivors first, in pool order
    fill = order[jax.random.randint(k_fill, (n_out,), 0, jnp.maximum(s, 1))]
    rows = S[jnp.where(jnp.arange(n_out) < s, order, fill)]
    failed = (n > 0) & (s == 0)
    return {"rows": jnp.where(s > 0, rows, jnp.nan),
            "status": jnp.where(failed, PADDED_NO_SEED, PADDED_OK).astype(jnp.int32)}


def _generator(name, k, rule, n_neighbors=3, kind_sel="all"):
    what = "Tomek links" if rule == "tomek" else "ENN"

    def message(n):
        return (f"generator {name!r}: the {what} cleaning removed all {n} synthetic rows of the SMOTE pool, so "
                "there is no survivor to return; the minority is too entangled with the majority for this "
                "cleaning (use 'smote', or fewer ENN neighbours)")

    def fn(key, X1, n, X0):
        rows, s = _cleaned(key, X1, X0, n, k, rule, n_neighbors, kind_sel)
        if n > 0 and is_concrete(s) and int(s) == 0:
            raise ValueError(message(n))
        return rows

    def padded_majority(key, X1p, n1, X0p, n0, n, n_out):
        return _padded_cleaned(key, X1p, n1, X0p, n0, n, n_out, k, rule, n_neighbors, kind_sel)

    def padded_check(n1, n0, n):
        # the cleaning's neighbours need enough rows (fn's kNN raises otherwise: run it); the padded
        # search over all rows must stay dense, as the unpadded one then is
        total = row_bucket(n1) + row_bucket(n0) + draw_size(max(n, 1))
        return n > 0 and n1 + n0 + n >= (1 if rule == "tomek" else n_neighbors) + 1 and total**2 <= DENSE_MAX_ELEMENTS

    def padded_error(n1, n0, n):
        return ValueError(message(n))

    return Generator(name, fn, min_rows=k + 1, uses_majority=True, padded_majority=padded_majority,
                     padded_check=padded_check, padded_error=padded_error)


def smote_tomek(k: int = 5, name: str = "smote-tomek") -> Generator:
    """SMOTE whose synthetic rows in a Tomek link are dropped (real rows are kept).

    Parameters
    ----------
    k : int, default=5
        SMOTE's nearest minority neighbours.
    name : str, default="smote-tomek"
        The generator's name.

    Returns
    -------
    Generator
        ``uses_majority=True`` (the links are found on the union of real and synthetic
        rows), needs ``k + 1`` minority rows, runs under ``jit``/``vmap``; exactly ``n``
        rows (survivors, then survivors resampled: see the module docstring).

    Raises
    ------
    ValueError
        If ``k`` is not a positive integer.

    See Also
    --------
    smote_enn : The same with Wilson's ENN.
    synthaug.estimators.SMOTETomekSampler : The imbalanced-learn sampler (removes real rows too).

    References
    ----------
    .. [1] G. E. A. P. A. Batista, R. C. Prati and M. C. Monard, "A Study of the Behavior
       of Several Methods for Balancing Machine Learning Training Data", SIGKDD
       Explorations 6(1), 20-29, 2004.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug import make_generator
    >>> rng = np.random.default_rng(0)
    >>> X1, X0 = rng.normal(size=(20, 2)) + 1.0, rng.normal(size=(60, 2))
    >>> make_generator("smote-tomek", k=3)(jax.random.key(0), X1, 40, X_majority=X0).shape
    (40, 2)
    """
    return _generator(name, check_int(k, "k"), "tomek")


def smote_enn(k: int = 5, n_neighbors: int = 3, kind_sel: str = "all", name: str = "smote-enn") -> Generator:
    """SMOTE whose synthetic rows flagged by Wilson's ENN are dropped (real rows are kept).

    Parameters
    ----------
    k : int, default=5
        SMOTE's nearest minority neighbours.
    n_neighbors : int, default=3
        ENN's neighbours.
    kind_sel : {"all", "mode"}, default="all"
        ENN's vote: ``"all"`` drops a synthetic row unless all its neighbours are
        minority rows (real or synthetic); ``"mode"`` when most of them are not.
    name : str, default="smote-enn"
        The generator's name.

    Returns
    -------
    Generator
        As :func:`smote_tomek`.

    Raises
    ------
    ValueError
        If ``k`` or ``n_neighbors`` is not a positive integer or ``kind_sel`` is not
        ``"all"`` or ``"mode"``.

    See Also
    --------
    smote_tomek : The same with Tomek links.
    synthaug.estimators.SMOTEENNSampler : The imbalanced-learn sampler (removes real rows too).

    References
    ----------
    .. [1] G. E. A. P. A. Batista, R. C. Prati and M. C. Monard, "A Study of the Behavior
       of Several Methods for Balancing Machine Learning Training Data", SIGKDD
       Explorations 6(1), 20-29, 2004.
    .. [2] D. L. Wilson, "Asymptotic Properties of Nearest Neighbor Rules Using Edited
       Data", IEEE Trans. SMC-2(3), 408-421, 1972.

    Examples
    --------
    >>> import jax
    >>> import numpy as np
    >>> from synthaug import make_generator
    >>> rng = np.random.default_rng(0)
    >>> X1, X0 = rng.normal(size=(20, 2)) + 1.0, rng.normal(size=(60, 2))
    >>> make_generator("smote-enn", k=3)(jax.random.key(0), X1, 40, X_majority=X0).shape
    (40, 2)
    """
    if kind_sel not in KIND_SEL:
        raise ValueError(f"kind_sel must be one of {KIND_SEL}; got {kind_sel!r}")
    return _generator(name, check_int(k, "k"), "enn", check_int(n_neighbors, "n_neighbors"), kind_sel)
