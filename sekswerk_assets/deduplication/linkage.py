"""Unique sex workers over a year: the report's method and an improved linkage.

``report``: one unit per unique-ad code (site ad code + advertiser name), after the weekly
between-site deduplication, as in Bijlage 5. Re-posting an ad under a new code makes a new unit,
which the report names as a source of overestimation.

``linked``: report units joined when they evidently belong to one advertiser:
  * kinky/sexjobs: the same phone pseudonym, and the same name pseudonym or near-identical
    text (keyed simhash within ``SIMHASH_MAX_BITS`` bits);
  * topescortbabes (phone hidden): the same name pseudonym and municipality, and the same or
    near-identical text.
Rules are deterministic and explainable; connected components are taken with scipy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

LINKAGE_VERSION = "1"
SIMHASH_MAX_BITS = 6

ATTRIBUTES = [
    "gender", "origin_country", "origin_region", "age", "price_hour", "price_home", "price_escort", "gm_code",
]
FLAGS = ["transgender", "licensed_indicated", "licence_number", "kvk_number"]
WORK = ["work_home", "work_escort", "work_massage"]
TERMS = ["club", "privehuis", "bureau", "kvk"]


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


def link_units(rows: pd.DataFrame) -> pd.Series:
    """Advertiser id per row: connected components over the report units (see module docstring)."""
    units = rows["unique_ad_key"].astype("category")
    codes = units.cat.codes.to_numpy()
    n = len(units.cat.categories)
    first = rows.assign(u=codes).drop_duplicates("u")
    edges: list[tuple[np.ndarray, np.ndarray]] = []

    def join(frame: pd.DataFrame, by: list[str], text_ok) -> None:
        frame = frame.dropna(subset=by)
        for _, grp in frame.groupby(by):
            if len(grp) < 2:
                continue
            u = grp["u"].to_numpy()
            sims = grp["text_simhash"].to_numpy()
            hashes = grp["text_hash"].to_numpy()
            for i in range(1, len(grp)):
                if text_ok(hashes[0], hashes[i], sims[0], sims[i]):
                    edges.append((np.array([u[0]]), np.array([u[i]])))

    def near(h1, h2, s1, s2) -> bool:
        if h1 is not None and h1 == h2:
            return True
        if pd.isna(s1) or pd.isna(s2):
            return False
        return bin((int(s1) ^ int(s2)) & 0xFFFFFFFFFFFFFFFF).count("1") <= SIMHASH_MAX_BITS

    phone_sites = first[first["site"] != "topescortbabes"]
    join(phone_sites, ["phone_pseudo", "name_pseudo"], lambda *a: True)
    join(phone_sites, ["phone_pseudo"], near)
    join(first[first["site"] == "topescortbabes"], ["name_pseudo", "gm_code"], near)
    if edges:
        a = np.concatenate([e[0] for e in edges])
        b = np.concatenate([e[1] for e in edges])
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
    else:
        labels = np.arange(n)
    return pd.Series(labels[codes], index=rows.index).map(lambda x: f"L{x:07d}")


def unique_workers(rows: pd.DataFrame, year: str) -> pd.DataFrame:
    """Both methods' units for a year from the weekly unique ads of its weeks."""
    # a fixed row order: which observation represents a unit must not depend on how the warehouse returns rows
    rows = rows.sort_values(["measurement_week", "site", "ad_pseudo"], kind="stable").reset_index(drop=True)
    report = _summarise(rows, rows["unique_ad_key"])
    report.insert(0, "method", "report")
    linked = _summarise(rows, link_units(rows))
    linked.insert(0, "method", "linked")
    out = pd.concat([report, linked], ignore_index=True)
    out.insert(0, "measurement_year", year)
    return out
