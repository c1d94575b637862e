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


def _mode(df: pd.DataFrame, col: str) -> pd.Series:
    """Most frequent non-null value of ``col`` per unit (ties: the smallest value), vectorised."""
    counts = df.groupby(["unit_id", col], dropna=True, observed=True).size().reset_index(name="n")
    counts = counts.sort_values(["unit_id", "n", col], ascending=[True, False, True], kind="stable")
    return counts.drop_duplicates("unit_id").set_index("unit_id")[col]


def _summarise(rows: pd.DataFrame, unit: pd.Series) -> pd.DataFrame:
    """Characteristics per unit: the most frequent stated value of each variable over its observations."""
    df = rows.assign(unit_id=unit.values)
    g = df.groupby("unit_id", sort=True)
    out = pd.DataFrame(
        {
            "site": g["site"].agg(lambda s: "kinky" if (s == "kinky").any() else s.iloc[0]),
            "n_ads": g["unique_ad_key"].nunique(),
            "weeks_seen": g["measurement_week"].nunique(),
            "first_week": g["measurement_week"].min(),
            "last_week": g["measurement_week"].max(),
        }
    )
    stated = df[df["type_stated"]].assign(
        combo=lambda d: d["work_home"].astype(int).astype(str) + d["work_escort"].astype(int).astype(str)
        + d["work_massage"].astype(int).astype(str)
    )
    combo_mode = _mode(stated, "combo")
    out["type_stated"] = out.index.isin(combo_mode.index)
    for i, col in enumerate(WORK):
        out[col] = combo_mode.reindex(out.index).fillna("000").str[i].eq("1")
    for col in ATTRIBUTES:
        out[col] = _mode(df, col).reindex(out.index)
    for col in FLAGS:
        out[col] = g[col].any()
    found = {t: df["licensed_terms"].fillna("").str.split(",").map(lambda xs, t=t: t in xs).groupby(df["unit_id"]).any()
             for t in TERMS}
    out["licensed_terms"] = [
        ",".join(t for t in TERMS if found[t].get(unit, False)) for unit in out.index
    ]
    out["age"] = pd.to_numeric(out["age"]).round().astype("Int64")
    return out.rename_axis("unit_id").reset_index()


def link_units(rows: pd.DataFrame) -> tuple[pd.Series, LinkageResult]:
    """Advertiser id per row: the splink cluster of its report unit (see ``splink_model``)."""
    units = rows["unique_ad_key"].astype("category")
    codes = units.cat.codes.to_numpy()
    # each unit is described by its first observation (rows arrive in a fixed order)
    first = rows.assign(unit=codes).drop_duplicates("unit")
    result = link(first)
    labels = result.clusters.reindex(range(len(units.cat.categories))).to_numpy()
    return pd.Series(labels[codes], index=rows.index).map(lambda x: f"L{x:07d}"), result


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
