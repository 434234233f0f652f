"""GK-SMOTE, KOTARO, MOMS and LEO-CVAE: behaviour and bad input (their contracts: synthaug.testing, by discovery)."""

import jax
import numpy as np
import pytest

from synthaug.generators import make_generator
from synthaug.estimators.recent import GKSMOTESampler as GKSMOTE
from synthaug.generators.gk_smote import BORDERLINE, NOISY, SAFE, gk_smote_with_parents, natural_neighbors
from synthaug.core.knn import knn
from synthaug.testing import parametrize_with_checks


def _imbalanced(n0=120, n1=20, d=2, seed=0, shift=2.5):
    rng = np.random.default_rng(seed)
    X0 = rng.normal(size=(n0, d))
    X1 = rng.normal(size=(n1, d)) * 0.6 + shift
    return X0, X1


def _xy(X0, X1):
    return np.r_[X0, X1], np.r_[np.zeros(len(X0), int), np.ones(len(X1), int)]


# ----------------------------------------------------------------------------- GK-SMOTE


def _planted():
    """Minority cluster away from the majority plus three isolated minority points deep inside it."""
    X0, X1 = _imbalanced(n0=200, n1=30, seed=0)
    planted = np.array([[0.0, 0.0], [-1.0, 1.0], [0.5, -1.0]])
    return X0, np.r_[X1, planted]


@pytest.mark.parametrize("variant", ["paper", "reference"])
def test_gk_smote_never_seeds_from_noisy(variant):
    X0, X1 = _planted()
    Xs, i, j, u, info = gk_smote_with_parents(jax.random.key(0), X1, 300, X0, variant=variant)
    cat, i, j, u = np.asarray(info.category), np.asarray(i), np.asarray(j), np.asarray(u)
    assert set(cat[-3:]) == {NOISY}  # the planted points are flagged
    assert not np.any(cat[i] == NOISY) and not np.any(cat[j] == NOISY)
    assert np.any(cat == SAFE)
    # every row lies on the segment between its (non-noisy) parents
    np.testing.assert_allclose(np.asarray(Xs), X1[i] + u[:, None] * (X1[j] - X1[i]), atol=1e-12)
    assert np.all((u >= 0) & (u <= 1))


def test_gk_smote_paper_categories_and_weights():
    X0, X1 = _planted()
    _, i, _, _, info = gk_smote_with_parents(jax.random.key(1), X1, 4000, X0, borderline_weight=0.0)
    cat = np.asarray(info.category)
    assert np.any(cat == BORDERLINE) or np.all(cat[cat != NOISY] == SAFE)
    assert np.all(cat[np.asarray(i)] == SAFE)  # weight 0 on borderline: safe seeds only
    lam = int(info.n_neighbors[0])
    assert 1 <= lam <= 20


def test_natural_eigenvalue_by_hand():
    # 1-D grid 0..9, ties to the lower index: nearest neighbours 0->1, i->i-1 (i >= 1), so only
    # point 9 has no reverse neighbour at r = 1 (z_1 = 1); at r = 2 point 8 picks 9 (z_2 = 0): λ = 2.
    X = np.arange(10.0)[:, None]
    _, nb = knn(X, 5)
    assert int(natural_neighbors(nb, 5)) == 2
    # An outlier at 100 (index 10): nobody's neighbour at r = 1 or 2, so z_1 = z_2 = 1 and the
    # search stops at λ = 2 because the count stopped changing.
    X2 = np.r_[X, [[100.0]]]
    _, nb2 = knn(X2, 5)
    assert int(natural_neighbors(nb2, 5)) == 2
    # Two far clusters of 3 collinear points: 0->1, 1->0, 2->1 in each; z_1 = 2 (points 2 and 5),
    # z_2 = 0 (1 picks 2 at r = 2): λ = 2.
    X3 = np.array([[0.0], [1.0], [2.5], [50.0], [51.0], [52.5]])
    _, nb3 = knn(X3, 2)
    assert int(natural_neighbors(nb3, 2)) == 2


# Counts, originals, determinism and n_synthetic of the samplers' default configurations are checked by
# discovery (synthaug.testing.check_sampler, tests/estimators/test_samplers.py); the reference variant of
# GK-SMOTE is a different code path, checked here.
@parametrize_with_checks([GKSMOTE(variant="reference", random_state=0)], ids=["gk-smote-reference"])
def test_gk_smote_reference_variant_contract(obj, check):
    check()


def test_gk_smote_by_name_and_bad_input():
    X0, X1 = _imbalanced()
    gen = make_generator("gk-smote", variant="reference", k=5)
    assert gen.uses_majority and gen(jax.random.key(0), X1, 11, X_majority=X0).shape == (11, 2)
    with pytest.raises(ValueError, match="at least 6"):
        gen(jax.random.key(0), X1[:5], 3, X_majority=X0)
    with pytest.raises(ValueError, match="X_majority"):
        gen(jax.random.key(0), X1, 3)
    bad = X1.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        gen(jax.random.key(0), bad, 3, X_majority=X0)
    X, y = _xy(X0, X1)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GKSMOTE().fit_resample(X, y)
    with pytest.raises(ValueError, match="variant"):
        make_generator("gk-smote", variant="nope")




# ----------------------------------------------------------------------------- KOTARO


from synthaug.estimators.kotaro import KOTAROClassifier, adaptive_gammas  # noqa: E402


@pytest.mark.parametrize("bandwidth_from", ["dist", "sqdist"])
def test_kotaro_interpolates_training_labels_when_unregularised(bandwidth_from):
    X0, X1 = _imbalanced(n0=60, n1=12, seed=5, shift=1.0)
    X, y = _xy(X0, X1)
    clf = KOTAROClassifier(alpha=0.0, bandwidth_from=bandwidth_from).fit(X, y)
    np.testing.assert_allclose(clf.decision_function(X), 2.0 * y - 1.0, atol=1e-8)
    np.testing.assert_array_equal(clf.predict(X), y)
    # with a ridge the fit is no longer exact but predictions at the training points stay
    ridge = KOTAROClassifier(alpha=1e-1, bandwidth_from=bandwidth_from).fit(X, y)
    assert np.max(np.abs(ridge.decision_function(X) - (2.0 * y - 1.0))) > 1e-4


def test_kotaro_widens_kernels_in_sparse_regions():
    rng = np.random.default_rng(0)
    dense = rng.uniform(0.0, 1.0, size=50)
    sparse = np.linspace(5.0, 15.0, 8)
    X = np.r_[dense, sparse][:, None]
    gamma, d = map(np.asarray, adaptive_gammas(X, n_neighbors=3))
    assert d[50:].min() > d[:50].max() and gamma[50:].max() < gamma[:50].min()
    # the fitted classifier (standardised features) shows the same ordering
    y = np.r_[np.zeros(50, int), np.ones(8, int)]
    clf = KOTAROClassifier(n_neighbors=3).fit(X, y)
    assert np.asarray(clf.gamma_)[50:].max() < np.asarray(clf.gamma_)[:50].min()
    # same_class neighbours: radii computed within each class
    g2, d2 = map(np.asarray, adaptive_gammas(X, y, 3, neighbors_from="same_class", bandwidth_from="sqdist"))
    np.testing.assert_allclose(g2, 1.0 / d2**2)


def test_kotaro_minority_recall_beats_single_width_rbf_svm_under_severe_imbalance():
    # IR 50 (500 vs 10 rows), minority N((1.8, 0), 0.49 I) overlapping the majority N(0, I).
    # Paired over 6 seeds, balanced test sets of 4000 rows: KOTARO's wide minority kernels give a
    # higher minority recall than an RBF-SVM with one global width; require the mean paired
    # difference to exceed 4 standard errors.
    from sklearn.metrics import recall_score
    from sklearn.svm import SVC

    diffs = []
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)

        def draw(n0, n1):
            X = np.r_[rng.normal(size=(n0, 2)), rng.normal(size=(n1, 2)) * 0.7 + [1.8, 0.0]]
            return X, np.r_[np.zeros(n0, int), np.ones(n1, int)]

        X, y = draw(500, 10)
        Xt, yt = draw(2000, 2000)
        r_k = recall_score(yt, KOTAROClassifier().fit(X, y).predict(Xt))
        r_s = recall_score(yt, SVC().fit(X, y).predict(Xt))
        diffs.append(r_k - r_s)
    diffs = np.asarray(diffs)
    assert diffs.mean() > 4 * diffs.std(ddof=1) / np.sqrt(len(diffs)), diffs


def test_kotaro_bad_input_and_labels():
    X0, X1 = _imbalanced(n0=30, n1=8)
    X, y = _xy(X0, X1)
    labels = np.where(y == 1, "pos", "neg")
    clf = KOTAROClassifier().fit(X, labels)
    assert set(clf.predict(X)) <= {"pos", "neg"} and clf.predict_proba(X).shape == (38, 2)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[(clf.predict_proba(X)[:, 1] > 0.5).astype(int)])
    with pytest.raises(ValueError, match="binary"):
        KOTAROClassifier().fit(X, np.arange(38) % 3)
    with pytest.raises(ValueError, match="more than 5 rows"):
        KOTAROClassifier().fit(X[:5], [0, 1, 0, 1, 0])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KOTAROClassifier().fit(Xn, y)
    with pytest.raises(ValueError, match="same_class"):
        KOTAROClassifier(neighbors_from="same_class", n_neighbors=8).fit(X, y)




# ----------------------------------------------------------------------------- MOMS

from synthaug.fidelity import median_bandwidth, mmd2_unbiased  # noqa: E402
from synthaug.estimators.recent import MOMSSampler as MOMS
from synthaug.generators.moms import bucket, danger_safe_sets, moms_fit, moms_transform  # noqa: E402


# The MOMS tests below use row counts that fall in the size bucket (32, 32) of imbalanced-learn's
# check_samplers_fit (20 and 10 rows, d = 2), so they share one compilation of the training program.


def test_moms_lowers_mmd_between_mapped_majority_and_minority():
    rng = np.random.default_rng(0)
    X0 = rng.normal(size=(32, 2))
    X1 = rng.normal(size=(30, 2)) * 0.5 + 3.0
    state = moms_fit(jax.random.key(0), X1, X0, epochs=300)
    T = np.asarray(moms_transform(state, X0))
    h = float(median_bandwidth(X1, X0))  # one fixed bandwidth for before and after
    before, after = float(mmd2_unbiased(X1, X0, h)), float(mmd2_unbiased(X1, T, h))
    assert after < 0.2 * before, (before, after)  # the note's "> 80 % drop"
    assert float(state.losses[-1]) < 0.1 * float(state.losses[0])
    # the map moved the majority onto the minority's location
    np.testing.assert_allclose(T.mean(0), X1.mean(0), atol=0.5)


def test_moms_danger_and_safe_sets():
    # 1-D: minority at 0..4; two minority points at 10.2 and 10.4 among majority 10..14: each has
    # the other and 4 majority rows among its 5 neighbours (danger); a lone minority point
    # at 40.5 has 5 majority neighbours (noise, not danger).
    X1 = np.r_[np.arange(5.0), [10.2, 10.4, 40.5]][:, None]
    X0 = np.r_[np.arange(10.0, 15.0), np.arange(30.0, 45.0)][:, None]
    danger, safe = map(np.asarray, danger_safe_sets(X1, X0, k=5))
    assert danger.tolist() == [False] * 5 + [True, True, False]
    dmin = np.min(np.abs(X0 - X1.T), axis=1)
    np.testing.assert_array_equal(safe, dmin > np.quantile(dmin, 0.75))
    assert bucket(40) == 64 and bucket(300) == 320 and bucket(1000) == 1024 and bucket(64) == 64


def test_moms_sampler_more_rows_than_the_majority_and_bad_input():
    X0, X1 = _imbalanced(n0=30, n1=10, seed=1)
    X, y = _xy(X0, X1)
    Xn, yn = MOMS(epochs=20, n_synthetic=45, random_state=0).fit_resample(X, y)  # more than n0: with replacement
    assert Xn.shape == (85, 2) and np.bincount(yn).tolist() == [30, 55]
    gen = make_generator("moms", epochs=5)
    assert gen.uses_majority
    with pytest.raises(ValueError, match="at least 6"):
        gen(jax.random.key(0), X1[:5], 3, X_majority=X0)
    with pytest.raises(ValueError, match="n_minority > k"):
        moms_fit(jax.random.key(0), X1[:5], X0)
    Xb = X.copy()
    Xb[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MOMS(epochs=5).fit_resample(Xb, y)
    with pytest.raises(ValueError, match="epochs"):
        make_generator("moms", epochs=0)




# ----------------------------------------------------------------------------- LEO-CVAE

import scipy.stats  # noqa: E402

from synthaug.estimators.recent import LEOCVAESampler as LEOCVAE  # noqa: E402
from synthaug.generators.leo_cvae import (  # noqa: E402
    leo_cvae_fit,
    leo_cvae_generate,
    local_entropy,
    seed_probabilities,
)

_TINY = dict(hidden=8, latent=2, epochs=5)


def test_local_entropy_pure_and_boundary():
    # 1-D line: class 0 at -10..0, class 1 at 1..10, k = 2. Every point's two nearest are its
    # two line neighbours, so only 0 (neighbours -1: class 0, 1: class 1) and 1 (neighbours 0
    # and 2) see a 50/50 neighbourhood: exactly 1 bit; everything else is pure: 0.
    X = np.arange(-10.0, 11.0)[:, None]
    y = (X[:, 0] >= 1).astype(int)
    H = np.asarray(local_entropy(X, y, k=2))
    expected = np.zeros(21)
    expected[[10, 11]] = 1.0
    np.testing.assert_allclose(H, expected, atol=1e-12)
    # brute force on random 3-class data with k = 6
    rng = np.random.default_rng(0)
    Xr, yr = rng.normal(size=(40, 2)), rng.integers(0, 3, 40)
    D = ((Xr[:, None] - Xr[None]) ** 2).sum(-1)
    np.fill_diagonal(D, np.inf)
    nb = np.argsort(D, axis=1, kind="stable")[:, :6]
    p = np.stack([(yr[nb] == c).mean(1) for c in range(3)], 1)
    Hb = -np.sum(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0), 1)
    np.testing.assert_allclose(np.asarray(local_entropy(Xr, yr, k=6)), Hb, atol=1e-12)


def test_seed_selection_proportional_to_entropy_weight():
    H = np.array([0.0, 0.5, 1.0, 1.0])
    p = np.asarray(seed_probabilities(H, 2.5))
    np.testing.assert_allclose(p, (1 + H) ** 2.5 / np.sum((1 + H) ** 2.5))
    X0, X1 = _imbalanced(n0=60, n1=20, d=2, seed=2, shift=1.0)
    state, H1 = leo_cvae_fit(jax.random.key(0), X1, X0, k=5, **_TINY)
    _, seeds = leo_cvae_generate(jax.random.key(1), state, X1, H1, 20000)
    counts = np.bincount(np.asarray(seeds), minlength=20)
    p1 = np.asarray(seed_probabilities(H1, 2.5), np.float64)
    expected = 20000 * p1 / p1.sum()  # renormalise in float64 (the float32 sum is off by ~1e-7)
    assert scipy.stats.chisquare(counts, expected).pvalue > 1e-3


def test_leo_cvae_early_stopping_keeps_best_and_generates_near_minority():
    # shapes and widths as in the other LEO-CVAE tests (60 + 20 rows, d = 2, tiny widths): one compilation
    rng = np.random.default_rng(0)
    X0 = rng.normal(size=(60, 2))
    X1 = rng.normal(size=(20, 2)) * 0.5 + 2.0
    state, H1 = leo_cvae_fit(jax.random.key(0), X1, X0, k=5, hidden=8, latent=2, epochs=300, patience=5)
    n_ep = len(state.train_losses)
    assert state.best_epoch == int(np.argmin(state.val_losses))
    # with patience 5 this run stops early, exactly `patience` epochs after the best one
    assert n_ep < 300 and n_ep == state.best_epoch + 5 + 1
    Xs, _ = leo_cvae_generate(jax.random.key(1), state, X1, H1, 300)
    assert Xs.shape == (300, 2)
    h = float(median_bandwidth(X1, X0))
    assert float(mmd2_unbiased(X1, np.asarray(Xs), h)) < 0.2 * float(mmd2_unbiased(X1, X0, h))
    Xp, sp = leo_cvae_generate(jax.random.key(1), state, X1, H1, 7, generation="prior")
    assert Xp.shape == (7, 2) and np.all(np.asarray(sp) == 0)


def test_leo_cvae_bad_input():
    X0, X1 = _imbalanced(n0=60, n1=20, seed=3)
    X, y = _xy(X0, X1)
    gen = make_generator("leo-cvae", k=5, **_TINY)
    assert gen.uses_majority
    with pytest.raises(ValueError, match="at least 6"):
        gen(jax.random.key(0), X1[:5], 3, X_majority=X0)
    with pytest.raises(ValueError, match="n_minority > k"):
        leo_cvae_fit(jax.random.key(0), X1[:15], X0)  # default k = 15
    Xb = X.copy()
    Xb[5, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LEOCVAE(k=5, **_TINY).fit_resample(Xb, y)
    with pytest.raises(ValueError, match="jit/vmap"):
        jax.jit(lambda a, b: gen.fn(jax.random.key(0), a, 3, b))(X1, X0)
    with pytest.raises(ValueError, match="weighting"):
        make_generator("leo-cvae", weighting="bogus")




def test_leo_cvae_constant_training_column_and_divergence():
    """Regression (KEEL flare-F): a column constant in the training split must get scale 1, not the
    float32 rounding noise of its sd, else held-out rows overflow and some generated rows were NaN."""
    from synthaug.generators.leo_cvae import _standardiser

    col = np.full(640, -0.03537745773792267, np.float32)  # flare-F: a one-hot level, constant in this split
    other = np.random.default_rng(0).normal(size=640).astype(np.float32)
    assert float(np.std(col)) > 0  # the float32 noise the old rule took as a scale
    mean, scale = _standardiser(np.c_[col, other])
    assert scale[0] == 1.0 and abs(scale[1] - np.std(other.astype(np.float64))) < 1e-12
    outlier = (28.27 - mean[0]) / scale[0]
    assert abs(outlier) < 30  # finite and on the data's scale
    # a column that varies in one row only is not constant
    col2 = col.copy()
    col2[3] = 28.27
    assert _standardiser(col2[:, None])[1][0] > 1.0
    # training whose validation loss is never finite is an error, never a silent untrained model
    X0, X1 = _imbalanced(n0=60, n1=20, d=2, seed=4)
    with pytest.raises(ValueError, match="diverged"):
        leo_cvae_fit(jax.random.key(0), X1, X0, k=5, lr=1e12, **_TINY)  # steps blow up at once
