"""Test support: sandbox ground truth shaped like ``ads/parsed_ads`` (what a perfect extractor returns).

Lets the deduplication, lifecycle and table stages be tested against ground truth on
their own, independently of extraction errors. Pseudonyms here are plain SHA-256 (test only); the
name Bloom filter is the real keyed one under a fixed test key.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from sekswerk_assets.partitions import year_of_week

REGION = {"nederland": "netherlands", "zuid_amerika": "south_america", "overig": "other"}


def _h(values: pd.Series, domain: str) -> pd.Series:
    return values.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                      else hashlib.sha256(f"{domain}|{v}".encode()).hexdigest()[:32])


TRUTH_KEY = "sekswerk truth-shaped test rows only"


def name_blooms(names: pd.Series) -> pd.Series:
    """The keyed name Bloom filters (``Pseudonymizer.name_bloom``) of ``names``, one hash per distinct name."""
    from sekswerk_assets.lib.pseudonym import Pseudonymizer

    ps = Pseudonymizer(TRUTH_KEY)
    blooms = {n: ps.name_bloom(n) for n in names.dropna().unique()}
    return pd.Series(pd.array([blooms.get(n) if isinstance(n, str) else None for n in names], dtype="Int64"),
                     index=names.index)


def truth_parsed(pop, weeks: list[str] | None = None) -> pd.DataFrame:
    obs = pop.observations.assign(week=pop.observations["week"].astype(str))
    if weeks is not None:
        obs = obs[obs["week"].isin(weeks)]
    a = pop.ads
    df = obs[["week", "site", "ad_code"]].merge(a, on=["site", "ad_code"], how="left")
    region = np.where(df["origin_region"] == "europa",
                      np.where(df["origin_eastern_europe"], "eastern_europe", "rest_of_europe"),
                      df["origin_region"].map(REGION))
    stated = lambda col: df[f"{col}_stated"].astype(bool)  # noqa: E731
    terms = df[["term_club", "term_privehuis", "term_bureau", "term_kvk"]].to_numpy()
    names = np.array(["club", "privehuis", "bureau", "kvk"])
    out = pd.DataFrame({
        "measurement_week": df["week"],
        "measurement_year": df["week"].map(year_of_week),
        "site": df["site"],
        "ad_pseudo": _h(df["site"] + ":" + df["ad_code"], "code"),
        "url_pseudo": _h(df["site"] + ":" + df["ad_code"], "url"),
        "phone_pseudo": _h(df["phone"].where(df["phone_shown"]), "phone"),
        "name_pseudo": _h(df["name"], "name"),
        "text_hash": _h(df["posting_id"].astype(str) + df["site"], "text"),
        "text_simhash": pd.array(df["advertiser_id"].astype("int64") * 7919, dtype="Int64"),
        "gender": df["gender"].map({"vrouw": "female", "man": "male"}),
        "transgender": df["transgender"].astype(bool),
        "type_stated": stated("type"),
        "work_home": df["work_home"] & stated("type"),
        "work_escort": df["work_escort"] & stated("type"),
        "work_massage": df["work_massage"] & stated("type"),
        "origin_country": df["origin_country"].where(stated("origin")),
        "origin_region": pd.Series(region, index=df.index).where(stated("origin")),
        "age": df["age"].where(stated("age")).astype("Int64"),
        "age_under_18": False,
        "price_hour": df["price_hour"].where(stated("price")),
        "price_home": df["price_home"].where(stated("price")),
        "price_escort": df["price_escort"].where(stated("price")),
        "gm_code": df["gm_code"].where(stated("municipality")),
        "municipality_match": np.where(stated("municipality"), "exact", "none"),
        "licensed_terms": [",".join(names[row]) for row in terms],
        "licensed_indicated": df["licensed_work"].astype(bool),
        "licence_number": df["licence_number_mentioned"].astype(bool),
        "kvk_number": df["term_kvk"].astype(bool),
        "parse_ok": True,
        "parse_error": None,
        "name_bloom": name_blooms(df["name"]),
    })
    return out.reset_index(drop=True)
