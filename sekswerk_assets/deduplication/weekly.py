"""Between-site deduplication of one measurement week (Bijlage 5, 'ontdubbelen tussen bronnen').

kinky and sexjobs ads with the same phone pseudonym and municipality are one ad; the kinky
record is kept because it carries the most information. topescortbabes hides phone numbers,
so its ads stay separate (the report: a segment of its own with higher prices).
"""

from __future__ import annotations

import hashlib

import pandas as pd

PHONE_SITES = ("kinky", "sexjobs")
DEDUP_VERSION = "2"  # 2: keeps the name Bloom filter for the linkage

KEEP_COLUMNS = [
    "measurement_week", "measurement_year", "site", "ad_pseudo", "phone_pseudo", "name_pseudo", "text_hash",
    "text_simhash", "gender", "transgender", "type_stated", "work_home", "work_escort", "work_massage",
    "origin_country", "origin_region", "age", "price_hour", "price_home", "price_escort", "gm_code",
    "licensed_terms", "licensed_indicated", "licence_number", "kvk_number",
]


def unique_ad_key(site: pd.Series, ad_pseudo: pd.Series, name_pseudo: pd.Series) -> pd.Series:
    """The report's unique-ad code: site ad code + advertiser name (both already pseudonymised)."""
    joined = site.astype(str) + "|" + ad_pseudo.astype(str) + "|" + name_pseudo.fillna("").astype(str)
    return joined.map(lambda s: hashlib.sha256(s.encode()).hexdigest()[:32])


def dedup_week(parsed: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Unique ads of one week and the statistics the report gives for this step."""
    df = parsed[parsed["parse_ok"]].drop_duplicates(["site", "ad_pseudo"]).copy()
    if "name_bloom" not in df:  # parsed before the name filter existed: names compare exactly only
        df["name_bloom"] = pd.array([pd.NA] * len(df), dtype="Int64")
    keyed = df["site"].isin(PHONE_SITES) & df["phone_pseudo"].notna() & df["gm_code"].notna()
    pair = df["phone_pseudo"].astype(str) + "|" + df["gm_code"].astype(str)
    kinky_pairs = set(pair[keyed & (df["site"] == "kinky")])
    sexjobs_pairs = set(pair[keyed & (df["site"] == "sexjobs")])
    duplicate = keyed & (df["site"] == "sexjobs") & pair.isin(kinky_pairs)
    unique = df[~duplicate].copy()
    unique["also_on_sexjobs"] = (unique["site"] == "kinky") & pair[~duplicate].isin(sexjobs_pairs)
    unique["unique_ad_key"] = unique_ad_key(unique["site"], unique["ad_pseudo"], unique["name_pseudo"])
    unique = unique[KEEP_COLUMNS[:4] + ["unique_ad_key"] + KEEP_COLUMNS[4:] + ["also_on_sexjobs", "name_bloom"]]
    n_sexjobs = int((df["site"] == "sexjobs").sum())
    stats = {
        "observations": len(df),
        "unique_ads": len(unique),
        "between_site_duplicates": int(duplicate.sum()),
        "unique_share_phone_municipality": round(len(unique) / len(df), 4) if len(df) else None,
        "sexjobs_also_on_kinky_share": round(int(duplicate.sum()) / n_sexjobs, 4) if n_sexjobs else None,
        "unparsed_dropped": int((~parsed["parse_ok"]).sum()),
    }
    return unique.reset_index(drop=True), stats
