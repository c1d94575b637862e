"""National estimates of licensed sex businesses from the responding municipalities.

* Report method: total licences of the respondents / response percentage x 100
  (168 / 45 x 100 = 373; the response percentage is rounded to a whole number as in the report).
* Stratified expansion estimator over the CBS size classes h: T = sum_h N_h / n_h * y_h.
* Stratified (separate) ratio estimator with population as auxiliary: T = sum_h X_h * y_h / x_h.

Intervals: rescaled bootstrap (Rao & Wu 1988) within strata, with the finite-population correction
(the response is a large share of each stratum), percentile 95% interval. Non-responding
municipalities are assumed missing at random within their size class.
"""

from __future__ import annotations

import numpy as np


def report_estimate(total: float, respondents: int, municipalities: int) -> float:
    """The report's extrapolation: total / rounded response percentage x 100."""
    return total / round(100 * respondents / municipalities) * 100


def stratified_estimate(y: np.ndarray, strata: np.ndarray, stratum_sizes: dict, x=None, stratum_x=None) -> float:
    total = 0.0
    for h, N in stratum_sizes.items():
        m = strata == h
        if not m.any():
            continue
        if x is None:
            total += N * y[m].mean()
        else:
            total += stratum_x[h] * y[m].sum() / x[m].sum()
    return float(total)


def bootstrap_interval(y, strata, stratum_sizes: dict, *, x=None, stratum_x=None, reps: int = 2000,
                       level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile interval of the rescaled stratified bootstrap (with finite-population correction)."""
    rng = np.random.default_rng(seed)
    y = np.asarray(y, dtype=float)
    strata = np.asarray(strata)
    totals = np.zeros(reps)
    for h, N in stratum_sizes.items():
        m = strata == h
        n = int(m.sum())
        if n == 0:
            continue
        yh = y[m]
        idx = rng.integers(0, n, size=(reps, n))
        scale = np.sqrt(n * max(1 - n / N, 0.0) / (n - 1)) if n > 1 else 0.0
        if x is None:
            est = yh.mean()
            boot = yh[idx].mean(axis=1)
            totals += N * (est + scale * (boot - est))
        else:
            xh = np.asarray(x, dtype=float)[m]
            est = yh.sum() / xh.sum()
            boot = yh[idx].sum(axis=1) / xh[idx].sum(axis=1)
            totals += stratum_x[h] * (est + scale * (boot - est))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(totals, [alpha, 1 - alpha])
    return float(max(lo, 0.0)), float(hi)
