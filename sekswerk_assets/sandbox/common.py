"""Constants and sampling helpers shared by the sandbox population modules."""

from __future__ import annotations

import numpy as np

from sekswerk_assets.constants import SITES  # noqa: F401 - the sites the sandbox simulates
PATTERNS = ("kinky_only", "sexjobs_only", "kinky_and_sexjobs", "topescortbabes")
COMBOS = ("H", "HE", "HM", "E", "HEM", "M", "EM")
FIELDS = ("type", "origin", "age", "price", "municipality")
CHANNELS = ("field", "text", "both")
TERM_SCENARIOS = (
    "club_licensed",
    "club_nightclub",
    "club_or_privehuis_negation",
    "privehuis_licensed",
    "bureau_licensed",
    "bureau_negation",
    "kvk_licensed",
)




def scaled_round(rng: np.random.Generator, x: np.ndarray | float) -> np.ndarray:
    """Stochastic rounding (keeps expected totals at small scales)."""
    arr = np.asarray(x, dtype=float)
    base = np.floor(arr)
    return (base + (rng.random(arr.shape) < (arr - base))).astype(np.int64)


def choice(rng: np.random.Generator, labels: list[str] | tuple[str, ...], probs: list[float], n: int) -> np.ndarray:
    """``n`` labels drawn with the (normalised) probabilities ``probs``."""
    p = np.asarray(probs, float)
    p = p / p.sum()
    return np.asarray(labels, dtype=object)[rng.choice(len(labels), size=n, p=p)]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def has_site_pattern(pattern: str, site: str) -> bool:
    """Whether a site pattern puts a copy of the posting on ``site``."""
    return {
        "kinky": pattern in ("kinky_only", "kinky_and_sexjobs"),
        "sexjobs": pattern in ("sexjobs_only", "kinky_and_sexjobs"),
        "topescortbabes": pattern == "topescortbabes",
    }[site]
