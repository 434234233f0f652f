r"""Stratified K-fold splits with static shapes, so folds can be ``vmap``-ped.

Each class (``X0`` and ``X1`` separately; indices refer to the rows of each class) is
shuffled with an explicit key and cut into ``K`` consecutive blocks of the permutation;
fold ``k`` validates on block ``k`` and trains on every other row of the class. Repeats
draw fresh permutations.

**Every row held out exactly once** (``holdout_remainder=True``, the default). This is
the cross-fitting of Ma & Zhang (arXiv 2601.16120, §2.3 and §4): each real row is
compared, exactly once per repeat, with a fit and a generator that never saw it. With
:math:`n_c = K m_c + r_c` (:math:`0 \le r_c < K`) the first :math:`r_c` blocks hold
:math:`m_c + 1` rows and the others :math:`m_c`. Shapes stay static with padding and
masks:

* ``valid_c`` has :math:`\lceil n_c/K\rceil` columns; a block of :math:`m_c` rows carries
  one padded slot (``Folds.valid_mask(c)`` False there);
* ``train_c`` has :math:`n_c - m_c` columns, the real training rows first, in the order of
  the permutation; in a fold whose block holds :math:`m_c + 1` rows the last slot is
  padding (``Folds.train_mask(c)`` False there; it holds the first row of the fold's own block,
  so it must never be used as training data).

The padding slots hold valid row indices, so gathers never go out of range, but they
must not enter any statistic: consumers either weight by the masks (fits and means
that take weights) or, where a computation cannot take weights (a generator fed the
training rows: the :class:`~synthaug.generators.basic.Generator` protocol has no mask
argument) choose one of two exact routes:

* a generator with a ``padded`` form (:class:`~synthaug.generators.basic.Generator`:
  ``padded(key, X_padded, n_valid, n_out)`` draws from the first ``n_valid`` rows only,
  and its first ``n`` rows equal the plain call's for every ``n``) is fed the padded
  training minority with its traced real count, :func:`padded_training_draw`; then all
  folds run as **one** ``vmap`` (:func:`single_program_generator` says when: SMOTE,
  Gaussian, jitter, random oversampling and the other minority-only generators);
* any other generator (one that needs the majority rows, runs on the host or has no
  padded form) runs in groups of folds of equal class sizes with exact-size index
  arrays, :func:`map_fold_groups`: at most three ``vmap`` calls (fold ``k`` has a long
  block in class ``c`` iff :math:`k < r_c`), traced into the caller's one jitted program.

The real rows always come first, so cutting the arrays to the fold's true sizes (or
giving the padded form the real count) removes exactly the padding; nothing is
duplicated or dropped, and a generator sees exactly the fold's training rows, with the
same random draws. When ``K`` divides both class sizes nothing is padded and the folds
are bit-identical to the old rule below (callers then run today's single program).

**Old rule** (``holdout_remainder=False``): every block has :math:`m_c` rows, and the
:math:`r_c` left-over rows (a random set, fresh for each repeat) are in the training
part of every fold and in no validation part. Kept for callers that document it
(:mod:`synthaug.bias_correction.crossval`); the masks are then all True.

The sizes of each fold's parts are static metadata of :class:`Folds` (they depend only
on :math:`n_c`, ``K`` and the fold's position, never on the permutation), so code can
branch on them while tracing.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from synthaug.core.validation import check_int

__all__ = ["Folds", "stratified_folds", "check_folds", "block_sizes", "min_train_rows", "map_fold_groups",
           "fold_masks", "single_program_generator", "padded_training_draw"]


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class Folds:
    """Row indices per fold (leading axis: fold) with static part sizes (a pytree).

    Attributes
    ----------
    train0, valid0, train1, valid1 : jax.Array
        Index arrays: ``train_c`` of shape (F, n_c − ⌊n_c/K⌋), ``valid_c`` of shape
        (F, ⌈n_c/K⌉) with ``holdout_remainder`` and (F, ⌊n_c/K⌋) without. Padding
        slots (see the module docstring) come last in each row.
    valid_sizes0, valid_sizes1 : tuple of int
        Static: the number of real validation rows of each fold; the fold trains on
        the other ``n_c − valid_sizes_c[f]`` rows (with ``holdout_remainder``) or on
        all ``train_c.shape[1]`` slots (without).
    n0, n1 : int
        Static: the class sizes.

    Iterating yields ``(train0, valid0, train1, valid1)`` (the old tuple form).
    """

    train0: jax.Array
    valid0: jax.Array
    train1: jax.Array
    valid1: jax.Array
    valid_sizes0: tuple = dataclasses.field(metadata=dict(static=True), default=())
    valid_sizes1: tuple = dataclasses.field(metadata=dict(static=True), default=())
    n0: int = dataclasses.field(metadata=dict(static=True), default=0)
    n1: int = dataclasses.field(metadata=dict(static=True), default=0)

    def __iter__(self):
        return iter((self.train0, self.valid0, self.train1, self.valid1))

    @property
    def num_folds(self) -> int:
        """F, the number of folds (repeats × K)."""
        return len(self.valid_sizes0)

    def train_sizes(self, c: int) -> np.ndarray:
        """Real training rows of class ``c`` per fold (static NumPy)."""
        v = np.asarray(self.valid_sizes0 if c == 0 else self.valid_sizes1, dtype=int)
        width = (self.train0 if c == 0 else self.train1).shape[1]
        n = self.n0 if c == 0 else self.n1
        return np.minimum(n - v, width)

    def train_mask(self, c: int) -> np.ndarray:
        """0/1-valued boolean mask (F, width) of the real training slots of class ``c`` (static NumPy)."""
        width = (self.train0 if c == 0 else self.train1).shape[1]
        return np.arange(width)[None, :] < self.train_sizes(c)[:, None]

    def valid_mask(self, c: int) -> np.ndarray:
        """Boolean mask (F, width) of the real validation slots of class ``c`` (static NumPy)."""
        v = np.asarray(self.valid_sizes0 if c == 0 else self.valid_sizes1, dtype=int)
        width = (self.valid0 if c == 0 else self.valid1).shape[1]
        return np.arange(width)[None, :] < v[:, None]

    @property
    def padded(self) -> bool:
        """True when some fold has a padding slot (static)."""
        return bool(not self.train_mask(0).all() or not self.train_mask(1).all()
                    or not self.valid_mask(0).all() or not self.valid_mask(1).all())

    def take(self, index) -> "Folds":
        """The folds ``index`` (a static int sequence or slice), sizes kept consistent."""
        idx = np.arange(self.num_folds)[index]
        idx = np.atleast_1d(idx)
        return Folds(self.train0[idx], self.valid0[idx], self.train1[idx], self.valid1[idx],
                     tuple(self.valid_sizes0[i] for i in idx), tuple(self.valid_sizes1[i] for i in idx),
                     self.n0, self.n1)


def check_folds(n0: int, n1: int, folds: int, repeats: int = 1) -> None:
    """ValueError unless every fold has at least one row of each class in each part."""
    folds = check_int(folds, "folds", 2)
    repeats = check_int(repeats, "repeats", 1)
    if n1 < folds:
        raise ValueError(
            f"the minority class has {n1} rows, fewer than the {folds} folds; use fewer folds (at most {n1})"
        )
    if n0 < folds:
        raise ValueError(f"the majority class has {n0} rows, fewer than the {folds} folds")


def block_sizes(n: int, K: int, holdout_remainder: bool = True) -> np.ndarray:
    """Validation rows of each of the ``K`` blocks of a class of ``n`` rows (static NumPy).

    With ``holdout_remainder`` the first ``n mod K`` blocks have ``⌊n/K⌋ + 1`` rows and the
    sizes sum to ``n``; without, every block has ``⌊n/K⌋`` rows.
    """
    m, r = divmod(int(n), int(K))
    extra = (np.arange(K) < r) if holdout_remainder else np.zeros(K, bool)
    return m + extra.astype(int)


def min_train_rows(n: int, K: int, holdout_remainder: bool = True) -> int:
    """Rows of a class in the smallest training part: ``n − ⌈n/K⌉`` (``n − ⌊n/K⌋`` under the old rule)."""
    return int(n) - int(block_sizes(n, K, holdout_remainder).max())


def _class_folds(key, n: int, K: int, holdout_remainder: bool):
    m, r = divmod(n, K)
    perm = jax.random.permutation(key, n)
    if not holdout_remainder or r == 0:
        def one(k):
            rolled = jnp.roll(perm, -k * m)
            return rolled[m:], rolled[:m]

        return jax.vmap(one)(jnp.arange(K))
    sizes = block_sizes(n, K, True)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # Static gathers: validation slots start_k + j (j < m + 1; the last one padding when the
    # block has m rows), training slots start_k + size_k + j (j < n - m; the last one padding,
    # the block's own first row, when the block has m + 1 rows), all modulo n.
    va = (starts[:, None] + np.arange(m + 1)[None, :]) % n
    tr = (starts[:, None] + sizes[:, None] + np.arange(n - m)[None, :]) % n
    return perm[tr], perm[va]


def stratified_folds(key, n0: int, n1: int, folds: int, repeats: int = 1, *,
                     holdout_remainder: bool = True) -> Folds:
    """``repeats`` × ``folds`` stratified splits (fold axis of length ``repeats·folds``).

    Parameters
    ----------
    key : jax.Array
        PRNG key (one permutation per class and repeat).
    n0, n1 : int
        Class sizes.
    folds : int
        K.
    repeats : int
        Independent repeats of the K-fold split.
    holdout_remainder : bool
        True (default): every row of each class is validated exactly once per repeat
        (padded, masked blocks; see the module docstring). False: the old rule, the
        ``n_c mod K`` left-over rows are in every training part and no validation part.

    Returns
    -------
    Folds
        Bit-identical for both values of ``holdout_remainder`` when ``K`` divides both
        class sizes.
    """
    check_folds(n0, n1, folds, repeats)
    keys = jax.random.split(key, repeats)
    parts = []
    for r in range(repeats):
        k0, k1 = jax.random.split(keys[r])
        tr0, va0 = _class_folds(k0, n0, folds, holdout_remainder)
        tr1, va1 = _class_folds(k1, n1, folds, holdout_remainder)
        parts.append((tr0, va0, tr1, va1))
    arrays = [jnp.concatenate(a) for a in zip(*parts)]
    v0 = tuple(int(s) for s in np.tile(block_sizes(n0, folds, holdout_remainder), repeats))
    v1 = tuple(int(s) for s in np.tile(block_sizes(n1, folds, holdout_remainder), repeats))
    return Folds(*arrays, v0, v1, int(n0), int(n1))


def map_fold_groups(make_fn, folds: Folds, *per_fold):
    """``vmap`` a per-fold function over the folds, in groups of equal part sizes, with exact-size indices.

    Parameters
    ----------
    make_fn : callable
        ``make_fn(t0, v0, t1, v1) -> fn`` with the static sizes of a group (training and
        validation rows of each class); ``fn(*per_fold_slices, tr0, va0, tr1, va1)``
        handles one fold, its index arrays cut to exactly those sizes (no padding).
    folds : Folds
        The splits.
    *per_fold : arrays with a leading fold axis
        Extra per-fold inputs (e.g. keys), split along with the folds.

    Returns
    -------
    pytree
        The outputs of ``fn`` stacked over the folds in fold order. When all folds
        have one size (``K`` divides both class sizes, or the old rule) this is a single
        ``vmap`` of ``make_fn(...)`` over the full arrays, the program of an unpadded
        split; otherwise at most three ``vmap`` calls (one per group) in the caller's
        program, whose results are re-ordered.
    """
    t0, t1 = folds.train_sizes(0), folds.train_sizes(1)
    v0, v1 = np.asarray(folds.valid_sizes0, int), np.asarray(folds.valid_sizes1, int)
    sig = list(zip(t0.tolist(), v0.tolist(), t1.tolist(), v1.tolist()))
    groups = {}
    for f, s in enumerate(sig):
        groups.setdefault(s, []).append(f)
    if len(groups) == 1:
        (s, _), = groups.items()
        tr0, va0, tr1, va1 = (folds.train0[:, : s[0]], folds.valid0[:, : s[1]],
                              folds.train1[:, : s[2]], folds.valid1[:, : s[3]])
        return jax.vmap(make_fn(*s))(*per_fold, tr0, va0, tr1, va1)
    outs, order = [], []
    for s, idx in groups.items():
        ix = np.asarray(idx)
        args = [a[ix] for a in per_fold]
        outs.append(jax.vmap(make_fn(*s))(*args, folds.train0[ix, : s[0]], folds.valid0[ix, : s[1]],
                                          folds.train1[ix, : s[2]], folds.valid1[ix, : s[3]]))
        order.extend(idx)
    inverse = np.argsort(np.asarray(order))
    return jax.tree.map(lambda *a: jnp.concatenate(a)[inverse], *outs)


def fold_masks(folds: Folds, dtype):
    """``(train_mask0, valid_mask0, train_mask1, valid_mask1)`` as 0/1 arrays of ``dtype`` (F, width)."""
    return tuple(jnp.asarray(m, dtype) for m in (folds.train_mask(0), folds.valid_mask(0),
                                                   folds.train_mask(1), folds.valid_mask(1)))


def single_program_generator(generator, folds: Folds) -> bool:
    """True when padded ``folds`` can feed ``generator`` in one ``vmap`` (see the module docstring).

    That needs a traceable generator with a ``padded`` form that uses only the minority
    rows, and a training width within its ``padded_max_rows``; False when the folds have
    no padding (callers then run the plain, unpadded program).

    Raises
    ------
    ValueError
        When the smallest training part has fewer minority rows than the generator's
        ``min_rows`` (the padded form cannot check it itself).
    """
    if not folds.padded:
        return False
    ok = (getattr(generator, "padded", None) is not None and not getattr(generator, "uses_majority", False)
          and getattr(generator, "traceable", True))
    limit = getattr(generator, "padded_max_rows", None)
    if not ok or (limit is not None and folds.train1.shape[1] > limit):
        return False
    smallest = int(folds.train_sizes(1).min())
    min_rows = int(getattr(generator, "min_rows", 1))
    if smallest < min_rows:
        raise ValueError(f"generator {getattr(generator, 'name', generator)!r} needs at least {min_rows} minority "
                         f"rows; the smallest training part of a fold has {smallest}")
    return True


def padded_training_draw(generator, key, A1, mask1, n_out: int):
    """``n_out`` rows of ``generator`` from the real rows of a padded training minority ``A1``.

    ``mask1`` (0/1, real rows first) marks the real rows; the padding rows are zeroed and
    the generator's ``padded`` form draws from the first ``sum(mask1)`` rows only, so the
    first ``n`` output rows equal ``generator(key, A1[:sum(mask1)], n)`` for every
    ``n <= n_out``.
    """
    n_valid = jnp.sum(mask1 > 0).astype(jnp.int32)
    Az = jnp.where(mask1[:, None] > 0, A1, jnp.zeros((), A1.dtype))
    return generator.padded(key, Az, n_valid, n_out)
