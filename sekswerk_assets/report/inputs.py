"""Reading the report's inputs from the warehouse: aggregates only, the measurement year and earlier years."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.lib.warehouse import in_list
from sekswerk_assets.lib.warehouse import read_sql as _read_sql
from sekswerk_assets.partitions import weeks_of_year

#: yearly long-form tables read whole for the year and every earlier year
YEARLY_TABLES = [
    "ads.gender_table", "ads.work_type_table", "ads.price_table", "ads.origin_table", "ads.age_table",
    "ads.municipality_table", "ads.work_type_by_municipality", "ads.licensed_signals", "ads.price_trend",
    "ads.wrs_indicators", "ads.ad_lifecycle_year",
    "survey.tables", "survey.response_overview", "survey.licence_counts", "survey.licence_extrapolation",
    "survey.enforcement_trends",
]


def read_sql(db: DuckDBResource, sql: str, params=None) -> pd.DataFrame:
    """``lib.warehouse.read_sql``, also tolerant of a table that exists with another shape (read as empty)."""
    try:
        return _read_sql(db, sql, params)
    except duckdb.Error:
        return pd.DataFrame()


def read_inputs(db: DuckDBResource, year: str) -> dict[str, pd.DataFrame]:
    """Every input frame (missing tables read as empty frames). Per-unit and per-municipality survey rows are
    never read: only counts per method (``ads.unique_workers``) and typology counts (``survey.policy_typology``)."""
    out = {t: read_sql(db, f"select * from {t} where measurement_year <= ?", [year]) for t in YEARLY_TABLES}
    out["units"] = read_sql(
        db, "select measurement_year, method, count(*) as units, sum(n_ads) as ads from ads.unique_workers "
            "where measurement_year <= ? group by all order by all", [year])
    out["policy_typology"] = read_sql(
        db, "select measurement_year, typology, has_policy, count(*) as municipalities from survey.policy_typology "
            "where measurement_year <= ? group by all order by all", [year])
    out["year_comparison"] = read_sql(db, "select * from survey.year_comparison where year <= ?", [year])
    weeks = in_list(weeks_of_year(year))
    out["fill_rates"] = read_sql(db, f"""
        select count(*) as ads,
               count(distinct measurement_week) as weeks,
               100.0 * count(measurement_week) / nullif(count(*), 0) as "measurement week",
               100.0 * count(gender) / nullif(count(*), 0) as gender,
               100.0 * count(*) filter (where type_stated) / nullif(count(*), 0) as "type of work",
               100.0 * count(origin_region) / nullif(count(*), 0) as origin,
               100.0 * count(age) / nullif(count(*), 0) as age,
               100.0 * count(*) filter (where price_hour is not null or price_home is not null
                                       or price_escort is not null) / nullif(count(*), 0) as price,
               100.0 * count(gm_code) / nullif(count(*), 0) as municipality
        from ads.parsed_ads where measurement_week in {weeks}""")
    out["sites"] = read_sql(db, f"select site, count(*) as ads from ads.parsed_ads where measurement_week in {weeks} "
                                "group by site order by site")
    out["dedup"] = read_sql(db, f"select count(*) as unique_ads, count(distinct measurement_week) as weeks "
                                f"from ads.weekly_unique_ads where measurement_week in {weeks}")
    flags = read_sql(db, "select bool_or(synthetic) as s from survey.municipalities_responses where measurement_year = ?",
                     [year])
    out["survey_synthetic"] = flags
    # the extraction accuracy measured on the year's coded validation sample (aggregates only)
    out["accuracy"] = read_sql(db, "select * from ads.extraction_accuracy where measurement_year = ?", [year])
    return out


def survey_synthetic(inputs: dict) -> bool | None:
    f = inputs.get("survey_synthetic")
    if f is None or f.empty or pd.isna(f["s"].iloc[0]):
        return None
    return bool(f["s"].iloc[0])


def survey_nature(inputs: dict) -> str:
    """The survey input of the year as the data records it: ``synthetic``, ``delivered`` or ``none``."""
    flag = survey_synthetic(inputs)
    return {None: "none", True: "synthetic", False: "delivered"}[flag]


def sandbox_configured() -> bool:
    """Whether the current configuration serves any site from the sandbox (the fallback basis of :func:`ads_nature`)."""
    from sekswerk_assets import settings

    return not all(settings.get(f"SEKSWERK_{site.upper()}_URL") for site in ("kinky", "sexjobs", "topescortbabes"))


def ads_nature(data_root: Path | str, year: str, inputs: dict, configured_sandbox: bool) -> tuple[str, str]:
    """The ads input of the year: ``sandbox``, ``real`` or ``none``, and what that rests on.

    The weekly snapshot summaries record whether each site was the sandbox (``synthetic``); that is the data's own
    provenance and wins over the current configuration. Only when the year has parsed ads but no snapshot summary
    (snapshots removed after their retention period, ads loaded otherwise) does the configuration decide, and the
    basis says so.
    """
    from sekswerk_assets.lib.snapshots import SUMMARY_FILE

    flags = []
    raw = Path(data_root) / "raw"
    weeks = set(weeks_of_year(year))
    if raw.is_dir():
        for site in sorted(p for p in raw.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for week in sorted(weeks & {p.name for p in site.iterdir()}):
                path = site / week / SUMMARY_FILE
                if path.is_file():
                    flags.append(bool(json.loads(path.read_text()).get("synthetic", True)))
    if flags:
        kind = "sandbox" if any(flags) else "real"
        return kind, f"{len(flags)} weekly site snapshot(s) of {year}"
    fill = inputs.get("fill_rates")
    n_ads = int(fill["ads"].iloc[0]) if fill is not None and len(fill) and not pd.isna(fill["ads"].iloc[0]) else 0
    if n_ads == 0:
        return "none", f"no ads collected in {year}"
    return ("sandbox" if configured_sandbox else "real"), "no snapshot summary kept; taken from the ad-site configuration"
