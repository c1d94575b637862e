"""Ground truth of the simulated year as Parquet files (kept apart from what the sites show)."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from .population import Population

log = logging.getLogger(__name__)

GROUND_TRUTH_FILES = ("advertisers", "ads", "observations", "weekly_truth", "duplicates")


def ground_truth_frames(pop: Population) -> dict[str, pd.DataFrame]:
    """The five ground-truth tables (documented in README.md) as DataFrames."""
    obs = pop.observations[["week", "site", "ad_code", "sections", "rank"]].copy()
    obs["sections"] = obs["sections"].map(list)
    ads = pop.ads.copy()
    ads["sections"] = ads["sections"].map(list)
    return {
        "advertisers": pop.advertisers.copy(),
        "ads": ads,
        "observations": obs,
        "weekly_truth": pop.weekly_truth.copy(),
        "duplicates": pop.duplicates.copy(),
    }


def write_ground_truth(pop: Population, out_dir: str | Path = "data/sandbox") -> dict[str, Path]:
    """Write ``<name>.parquet`` for every ground-truth table into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, frame in ground_truth_frames(pop).items():
        path = out / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        paths[name] = path
    log.warning("sandbox ground truth written to %s (%d files)", out, len(paths))
    return paths
