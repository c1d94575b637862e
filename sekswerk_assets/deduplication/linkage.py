"""Unique sex workers over a year: the report's method and an improved linkage.

``report``: one unit per unique-ad code (site ad code + advertiser name), after the weekly
between-site deduplication, as in Bijlage 5. Re-posting an ad under a new code makes a new unit,
which the report names as a source of overestimation.

``linked``: report units clustered by a probabilistic linkage model (splink on DuckDB, trained on
the year itself) over phone and name pseudonyms, keyed text hashes, municipality, age and origin:
re-posted ads with new codes join their advertiser (see ``splink_model``).
"""

from __future__ import annotations

import pandas as pd

from sekswerk_assets.constants import LICENSED_TERMS
from sekswerk_assets.deduplication.splink_model import LinkageResult, link

LINKAGE_VERSION = "3-splink-graded"

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


def unique_workers(rows: pd.DataFrame, year: str) -> tuple[pd.DataFrame, LinkageResult]:
    """Both methods' units for a year from the weekly unique ads of its weeks, and the linkage model."""
    # a fixed row order: which observation represents a unit must not depend on how the warehouse returns rows
    rows = rows.sort_values(["measurement_week", "site", "ad_pseudo"], kind="stable").reset_index(drop=True)
    report = _summarise(rows, rows["unique_ad_key"])
    report.insert(0, "method", "report")
    clusters, model = link_units(rows)
    linked = _summarise(rows, clusters)
    linked.insert(0, "method", "linked")
    out = pd.concat([report, linked], ignore_index=True)
    out.insert(0, "measurement_year", year)
    return out, model
