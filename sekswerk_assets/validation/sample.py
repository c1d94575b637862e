"""The stratified random sample of a year's unique ads (by site and by stated / not stated).

Frame: every unique ad of the measurement year (``unique_ad_key`` of ``ads.weekly_unique_ads``), represented
by its first observation (first week, then site and pseudonym: a fixed choice). The coder codes that one page,
so the sample measures the extraction of single ad pages, which is what every table is built from.

Strata: site x stated / not stated of the variables that are most often missing (price, age, origin). A
stratum gets at least ``minimum`` ads (or all it has), the rest is allocated in proportion to size (largest
remainders); so the ads that state nothing are sampled often enough to measure false extractions. Each row
carries its design weight (stratum size / stratum sample).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SAMPLE_VERSION = "1"
#: stated / not stated of these columns define the strata within a site
STRATUM_COLUMNS = {"price": "price_hour", "age": "age", "origin": "origin_country"}
FRAME_COLUMNS = ["measurement_year", "measurement_week", "site", "ad_pseudo", "unique_ad_key", "gender",
                 "type_stated", "work_home", "work_escort", "work_massage", "origin_country", "origin_region", "age",
                 "price_hour", "gm_code", "licensed_indicated"]


def sampling_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per unique ad of the year: its first observation."""
    ordered = rows.sort_values(["measurement_week", "site", "ad_pseudo"], kind="stable")
    return ordered.drop_duplicates("unique_ad_key")[FRAME_COLUMNS].reset_index(drop=True)


def strata(frame: pd.DataFrame) -> pd.Series:
    """Stratum label per frame row, e.g. ``kinky|price stated|age stated|origin not stated``."""
    label = frame["site"].astype(str)
    for name, col in STRATUM_COLUMNS.items():
        label = label + "|" + name + np.where(frame[col].notna(), " stated", " not stated")
    return label


def allocate(sizes: pd.Series, n: int, minimum: int = 2) -> pd.Series:
    """Sample size per stratum: ``min(size, minimum)`` each, the rest proportional to the remaining sizes."""
    sizes = sizes.astype(int)
    if n >= int(sizes.sum()):
        return sizes.copy()
    alloc = sizes.clip(upper=minimum)
    if int(alloc.sum()) >= n:  # more strata than the sample can give their minimum: the largest strata first
        alloc[:] = 0
        for label in sizes.sort_values(ascending=False, kind="stable").index[:n]:
            alloc[label] = 1
        return alloc
    left = n - int(alloc.sum())
    while left > 0:
        room = sizes - alloc
        share = room / room.sum() * left
        add = np.minimum(np.floor(share).astype(int), room)
        if int(add.sum()) == 0:  # hand out the remainders, largest first (ties: label order)
            order = (share - np.floor(share)).sort_values(ascending=False, kind="stable").index
            for label in order:
                if left == 0:
                    break
                if room[label] > 0:
                    alloc[label] += 1
                    left -= 1
            break
        alloc += add
        left -= int(add.sum())
    return alloc


def draw_sample(frame: pd.DataFrame, year: str, size: int, seed: int, minimum: int = 2) -> pd.DataFrame:
    """The stratified sample with sample ids ``V<year>-0001``... in random order, strata and weights."""
    frame = frame.sort_values("unique_ad_key", kind="stable").reset_index(drop=True)
    frame["stratum"] = strata(frame)
    sizes = frame.groupby("stratum").size().sort_index()
    alloc = allocate(sizes, size, minimum)
    rng = np.random.default_rng(seed)
    picked = []
    for label in sizes.index:  # fixed order: the same seed gives the same sample
        k = int(alloc[label])
        if k == 0:
            continue
        members = frame.index[frame["stratum"] == label].to_numpy()
        picked.append(frame.loc[np.sort(rng.choice(members, size=k, replace=False))])
    if not picked:
        return frame.iloc[0:0].assign(stratum_size=0, stratum_sample=0, weight=1.0, sample_id="")
    sample = pd.concat(picked)
    sample["stratum_size"] = sample["stratum"].map(sizes).astype(int)
    sample["stratum_sample"] = sample["stratum"].map(alloc).astype(int)
    sample["weight"] = sample["stratum_size"] / sample["stratum_sample"]
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    sample["sample_id"] = [f"V{year}-{i + 1:04d}" for i in range(len(sample))]
    sample["measurement_year"] = str(year)
    return sample


def seed_of(year: str, offset: int = 0) -> int:
    """The sample's seed: the measurement year (plus an optional offset for a fresh draw)."""
    return int(year) + offset
