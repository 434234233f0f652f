"""Regenerate ``synthaug/data/examples/clinic.csv``, the small example CSV shipped with synthaug.

The table is simulated (no real patients): 800 admissions with an ID column, two categorical
columns, six numeric vital signs and laboratory values, and a binary outcome ``sepsis`` /
``no sepsis`` at about 6 % prevalence (50 of 800) drawn from a logistic model in the numeric columns. It
exists so a new user can run ``synthaug diagnose`` on a CSV with the awkward parts of real
exports (an identifier to drop, text categories, a string-valued target) in seconds.

Run ``python paper/make_example_csv.py``; the output is deterministic (seed 20261202).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "synthaug" / "data" / "examples" / "clinic.csv"


def make_clinic(n: int = 800, seed: int = 20261202) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(62, 15, n), 18, 95).round().astype(int)
    sex = rng.choice(["F", "M"], n)
    ward = rng.choice(["medical", "surgical", "ICU"], n, p=[0.5, 0.35, 0.15])
    heart_rate = rng.normal(85, 14, n)
    temperature = rng.normal(37.0, 0.6, n)
    resp_rate = rng.normal(17, 3.5, n)
    wbc = np.exp(rng.normal(np.log(8.5), 0.35, n))
    lactate = np.exp(rng.normal(np.log(1.4), 0.4, n))
    systolic_bp = rng.normal(125, 18, n)
    z = (-3.6 + 0.045 * (heart_rate - 85) + 0.9 * (temperature - 37.0) + 0.12 * (resp_rate - 17)
         + 0.09 * (wbc - 8.5) + 0.9 * (lactate - 1.4) - 0.02 * (systolic_bp - 125) + 0.8 * (ward == "ICU"))
    sepsis = rng.random(n) < 1 / (1 + np.exp(-z))
    return pd.DataFrame({
        "patient_id": [f"P{i:05d}" for i in rng.permutation(n) + 1],
        "age": age,
        "sex": sex,
        "ward": ward,
        "heart_rate": heart_rate.round(0),
        "temperature": temperature.round(1),
        "resp_rate": resp_rate.round(0),
        "wbc": wbc.round(1),
        "lactate": lactate.round(2),
        "systolic_bp": systolic_bp.round(0),
        "outcome": np.where(sepsis, "sepsis", "no sepsis"),
    })


if __name__ == "__main__":
    df = make_clinic()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT, index=False)
    print(f"wrote {OUT}: {len(df)} rows, outcome counts {df['outcome'].value_counts().to_dict()}")
