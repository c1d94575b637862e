"""Numeric ad codes per site, increasing with the posting start and continuing over later years."""

from __future__ import annotations

import numpy as np



CODE_SPAN_PER_YEAR = {"kinky": 200_000, "sexjobs": 2_000_000, "topescortbabes": 20_000}


def assign_codes(rng: np.random.Generator, site: str, order_key: np.ndarray, year_index: int = 0) -> np.ndarray:
    """Increasing numeric ad codes by posting start (with gaps for ads outside the sandbox).

    A later simulated year continues where the previous one ended (``year_index`` years after the
    calibration year), so codes never repeat between years, as on a real site.
    """
    start, gap = {"kinky": (3_104_000, 9), "sexjobs": (61_200_000, 31), "topescortbabes": (41_000, 4)}[site]
    start += year_index * CODE_SPAN_PER_YEAR[site]
    order = np.argsort(order_key, kind="stable")
    codes = np.empty(order_key.size, np.int64)
    codes[order] = start + np.cumsum(rng.integers(1, gap, order_key.size))
    return codes.astype(str)
