"""Helpers shared by the bias-correction designs: estimator summaries (bias, SD, RMSE, coverage) with MCSEs."""

from __future__ import annotations

import numpy as np

from synthaug.core.montecarlo import mean_mcse
from synthaug.simulate import record


def estimator_records(design, method, generator, est, truth, se, common, prefix=""):
    """Records ``bias``, ``sd``, ``rmse``, ``coverage`` (95 % Wald) and ``mean_se`` of a scalar estimator.

    MCSEs: bias sd/√R; SD sd/√(2(R−1)); RMSE by the delta method on the mean squared error;
    coverage binomial; mean_se sd/√R.
    """
    est, se = np.asarray(est, float), np.asarray(se, float)
    R = est.size
    err = est - truth
    b, b_se = mean_mcse(err)
    sd = float(np.std(est, ddof=1))
    mse, mse_se = mean_mcse(err ** 2)
    rmse = float(np.sqrt(mse))
    cover, cover_se = mean_mcse((np.abs(err) <= 1.96 * se).astype(float))
    mse_mean, mse_mcse = mean_mcse(se)
    out = []
    for metric, m, s in ((f"{prefix}bias", b, b_se), (f"{prefix}sd", sd, sd / np.sqrt(2 * (R - 1))),
                         (f"{prefix}rmse", rmse, mse_se / (2 * max(rmse, 1e-300))),
                         (f"{prefix}coverage", cover, cover_se), (f"{prefix}mean_se", mse_mean, mse_mcse)):
        out.append(record(design, method, generator, metric=metric, mean=m, mcse=s, **common))
    return out
