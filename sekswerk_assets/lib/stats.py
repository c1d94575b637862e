"""Small interval estimators shared by the evaluation and the validation sample (scipy for the quantiles)."""

from __future__ import annotations

import functools
import math


@functools.cache
def z95() -> float:
    """The two-sided 95% normal quantile (scipy is imported here, at first use: it takes seconds to import)."""
    from scipy.stats import norm

    return float(norm.ppf(0.975))


def wilson(k: int, n: int, z: float | None = None) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n`` (``(nan, nan)`` when ``n`` is 0); ``z``: 95%."""
    if z is None:
        z = z95()
    if n <= 0:
        return math.nan, math.nan
    if not 0 <= k <= n:
        raise ValueError(f"wilson: k={k} is not between 0 and n={n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # the interval always holds the estimate (rounding can put p = 1 a hair above centre + half)
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def rogan_gladen(observed: float, sensitivity: float, specificity: float) -> float:
    """Prevalence corrected for misclassification: ``(q + Sp - 1) / (Se + Sp - 1)``, clipped to [0, 1].

    ``nan`` when the classifier carries no information (Se + Sp <= 1).
    """
    youden = sensitivity + specificity - 1
    if youden <= 0:
        return math.nan
    return min(1.0, max(0.0, (observed + specificity - 1) / youden))
