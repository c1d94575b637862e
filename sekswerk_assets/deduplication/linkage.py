"""Unique sex workers over a year: the report's method and an improved linkage.

``report``: one unit per unique-ad code (site ad code + advertiser name), after the weekly
between-site deduplication, as in Bijlage 5. Re-posting an ad under a new code makes a new unit,
which the report names as a source of overestimation.

``report_phone``: the report's units, with one more between-site step. The report's rule (phone +
municipality within a week, ``weekly.dedup_week``) misses a cross-site copy that leaves the
municipality out; here a sexjobs ad also joins the kinky ad of the same week with the same phone
when either copy states no municipality and that phone is stated with at most one municipality in
the whole year (so it cannot join two workers of different places that the report rule keeps
apart). The kinky record is kept, as in the report. The report method itself is unchanged.

``linked``: report units clustered by a probabilistic linkage model (splink on DuckDB, trained on
the year itself) over phone and name pseudonyms, keyed text hashes, municipality, age and origin:
re-posted ads with new codes join their advertiser (see ``splink_model``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sekswerk_assets.constants import LICENSED_TERMS
from sekswerk_assets.deduplication.splink_model import LinkageResult, link
from sekswerk_assets.deduplication.weekly import PHONE_SITES

LINKAGE_VERSION = "4-splink-names-sites"  # 4: name Bloom levels, method report_phone

ATTRIBUTES = [
    "gender", "origin_country", "origin_region", "age", "price_hour", "price_home", "price_escort", "gm_code",
]
FLAGS = ["transgender", "licensed_indicated", "licence_number", "kvk_number"]
WORK = ["work_home", "work_escort", "work_massage"]
TERMS = list(LICENSED_TERMS)


def _mode(unit: np.ndarray, values: pd.Series) -> pd.Series:
    """Most frequent non-null value of ``values`` per unit code (ties: the smallest value), vectorised.

    ``unit``: each row's unit code (0, 1, ...); the result is indexed by unit code and holds the units that
    state a value.
    """
    stated = values.notna().to_numpy()
    codes, uniques = pd.factorize(values[stated], sort=True)  # code order is value order
    units = unit[stated]
    key, counts = np.unique(units.astype(np.int64) * max(len(uniques), 1) + codes, return_counts=True)
    key_unit, key_code = np.divmod(key, max(len(uniques), 1))
    # per unit: the largest count first, then the smallest value
    order = np.lexsort((key_code, -counts, key_unit))
    first = order[np.r_[True, key_unit[order][1:] != key_unit[order][:-1]]] if len(order) else order
    return pd.Series(uniques.take(key_code[first]), index=key_unit[first])


def _first_by(unit: np.ndarray, n_units: int, values: pd.Series, largest: bool) -> np.ndarray:
    """The smallest (or largest) non-null value of ``values`` per unit code (every unit has one)."""
    codes, uniques = pd.factorize(values, sort=True)
    fill = -1 if largest else np.iinfo(np.int64).max
    out = np.full(n_units, fill, dtype=np.int64)
    ok = codes >= 0
    (np.maximum if largest else np.minimum).at(out, unit[ok], codes[ok])
    return np.asarray(uniques.take(out), dtype=object)


def _distinct(unit: np.ndarray, n_units: int, values: pd.Series) -> np.ndarray:
    """Number of distinct non-null values of ``values`` per unit code."""
    codes, uniques = pd.factorize(values)
    ok = codes >= 0
    pairs = np.unique(unit[ok].astype(np.int64) * max(len(uniques), 1) + codes[ok])
    return np.bincount(pairs // max(len(uniques), 1), minlength=n_units).astype(np.int64)


def _any(unit: np.ndarray, n_units: int, flags) -> np.ndarray:
    return np.bincount(unit, weights=np.asarray(flags, dtype=bool).astype(np.float64), minlength=n_units) > 0


def _summarise(rows: pd.DataFrame, unit: pd.Series) -> pd.DataFrame:
    """Characteristics per unit: the most frequent stated value of each variable over its observations.

    Units are in sorted order of their ids; ``site`` is kinky when any observation is on kinky, else the
    site of the unit's first observation (in row order).
    """
    codes, labels = pd.factorize(unit, sort=True)
    codes = codes.astype(np.intp)
    n = len(labels)
    index = pd.Index(labels, name="unit_id")
    first_row = np.full(n, len(rows), dtype=np.int64)
    np.minimum.at(first_row, codes, np.arange(len(rows)))
    site = rows["site"].to_numpy(dtype=object)
    kinky = _any(codes, n, site == "kinky")
    out = pd.DataFrame(
        {
            "site": np.where(kinky, "kinky", site[first_row]).astype(object),
            "n_ads": _distinct(codes, n, rows["unique_ad_key"]),
            "weeks_seen": _distinct(codes, n, rows["measurement_week"]),
            "first_week": _first_by(codes, n, rows["measurement_week"], largest=False),
            "last_week": _first_by(codes, n, rows["measurement_week"], largest=True),
        },
        index=index,
    )
    # work types as one number per observation: home, escort, massage as bits 4, 2, 1 (number order is the
    # order of the "000".."111" strings, so ties go to the same combination)
    combo = (rows["work_home"].astype(int) * 4 + rows["work_escort"].astype(int) * 2
             + rows["work_massage"].astype(int))
    combo_mode = _mode(codes, combo.where(rows["type_stated"].astype(bool).to_numpy()))
    combo_all = np.zeros(n, dtype=np.int64)
    combo_all[combo_mode.index.to_numpy()] = combo_mode.to_numpy(dtype=np.int64)
    stated = np.zeros(n, dtype=bool)
    stated[combo_mode.index.to_numpy()] = True
    out["type_stated"] = stated
    for bit, col in zip((4, 2, 1), WORK):
        out[col] = (combo_all & bit) > 0
    for col in ATTRIBUTES:
        out[col] = _mode(codes, rows[col]).reindex(range(n)).set_axis(index)
    for col in FLAGS:
        out[col] = _any(codes, n, rows[col].to_numpy())
    # licensed terms: a comma-separated list per observation; decided once per distinct list
    term_codes, lists = pd.factorize(rows["licensed_terms"].fillna(""))
    found = {t: _any(codes, n, np.array([t in str(x).split(",") for x in lists], dtype=bool)[term_codes])
             if len(lists) else np.zeros(n, dtype=bool) for t in TERMS}
    out["licensed_terms"] = [",".join(t for t in TERMS if found[t][i]) for i in range(n)]
    out["age"] = pd.to_numeric(out["age"]).round().astype("Int64")
    return out.reset_index()


def link_units(rows: pd.DataFrame) -> tuple[pd.Series, LinkageResult]:
    """Advertiser id per row: the splink cluster of its report unit (see ``splink_model``)."""
    units = rows["unique_ad_key"].astype("category")
    codes = units.cat.codes.to_numpy()
    # each unit is described by its first observation (rows arrive in a fixed order)
    first = rows.assign(unit=codes).drop_duplicates("unit")
    result = link(first)
    labels = result.clusters.reindex(range(len(units.cat.categories))).to_numpy()
    names = np.array([f"L{x:07d}" for x in labels], dtype=object)  # formatted once per unit
    return pd.Series(names[codes], index=rows.index), result


def between_site_duplicates(rows: pd.DataFrame) -> pd.DataFrame:
    """sexjobs rows that copy a kinky ad of their week, found by phone where a copy states no municipality.

    ``rows`` are the year's weekly unique ads (the report's between-site step already applied).
    Returns one row per (week, sexjobs ad, kinky ad): ``measurement_week``, ``ad_pseudo`` (sexjobs),
    ``kinky_ad_pseudo``.
    """
    cols = ["measurement_week", "ad_pseudo", "phone_pseudo", "gm_code"]
    phoned = rows[rows["site"].isin(PHONE_SITES) & rows["phone_pseudo"].notna()]
    # municipalities each phone is stated with over the year (both sites)
    places = phoned.dropna(subset=["gm_code"]).groupby("phone_pseudo")["gm_code"].nunique()
    one_place = phoned["phone_pseudo"].map(places).fillna(0) <= 1
    cand = phoned[one_place]
    sexjobs = cand.loc[cand["site"] == "sexjobs", cols]
    kinky = cand.loc[cand["site"] == "kinky", cols]
    pairs = sexjobs.merge(kinky, on=["measurement_week", "phone_pseudo"], suffixes=("", "_kinky"))
    # pairs with a municipality on both copies are the report rule's (already merged) or different places
    pairs = pairs[pairs["gm_code"].isna() | pairs["gm_code_kinky"].isna()]
    out = pairs.rename(columns={"ad_pseudo_kinky": "kinky_ad_pseudo"})[["measurement_week", "ad_pseudo", "kinky_ad_pseudo"]]
    return out.sort_values(["measurement_week", "ad_pseudo", "kinky_ad_pseudo"]).reset_index(drop=True)


def without_phone_duplicates(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """``rows`` without the sexjobs copies ``between_site_duplicates`` finds, and how many were dropped."""
    dup = between_site_duplicates(rows)[["measurement_week", "ad_pseudo"]].drop_duplicates()
    key = pd.MultiIndex.from_frame(rows[["measurement_week", "ad_pseudo"]])
    drop = (rows["site"] == "sexjobs").to_numpy() & key.isin(pd.MultiIndex.from_frame(dup))
    return rows[~drop].reset_index(drop=True), int(drop.sum())


def unique_workers(rows: pd.DataFrame, year: str) -> tuple[pd.DataFrame, LinkageResult]:
    """Every method's units for a year from the weekly unique ads of its weeks, and the linkage model."""
    # a fixed row order: which observation represents a unit must not depend on how the warehouse returns rows
    rows = rows.sort_values(["measurement_week", "site", "ad_pseudo"], kind="stable").reset_index(drop=True)
    report = _summarise(rows, rows["unique_ad_key"])
    report.insert(0, "method", "report")
    phone_rows, _ = without_phone_duplicates(rows)
    report_phone = _summarise(phone_rows, phone_rows["unique_ad_key"])
    report_phone.insert(0, "method", "report_phone")
    clusters, model = link_units(rows)
    linked = _summarise(rows, clusters)
    linked.insert(0, "method", "linked")
    out = pd.concat([report, report_phone, linked], ignore_index=True)
    out.insert(0, "measurement_year", year)
    return out, model
