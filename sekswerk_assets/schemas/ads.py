"""Schemas of the ad tables downstream of ``ads/parsed_ads`` (deduplication, lifecycle, yearly tables)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

WEEK = r"^\d{4}-\d{2}-\d{2}$"
YEAR = r"^\d{4}$"
METHODS = ["report", "linked"]
SITES = ["kinky", "sexjobs", "topescortbabes"]
REGIONS = ["netherlands", "eastern_europe", "rest_of_europe", "south_america", "other"]


class AdCharacteristics(pa.DataFrameModel):
    """What an ad says about the advertiser (shared by the per-week and the per-year tables)."""

    gender: Series[str] = pa.Field(nullable=True, isin=["female", "male"])
    transgender: Series[bool]
    type_stated: Series[bool]
    work_home: Series[bool]
    work_escort: Series[bool]
    work_massage: Series[bool]
    origin_country: Series[str] = pa.Field(nullable=True)
    origin_region: Series[str] = pa.Field(nullable=True, isin=REGIONS)
    age: Series[pa.Int64] = pa.Field(nullable=True, ge=0, le=120)
    price_hour: Series[float] = pa.Field(nullable=True, ge=0)
    price_home: Series[float] = pa.Field(nullable=True, ge=0)
    price_escort: Series[float] = pa.Field(nullable=True, ge=0)
    gm_code: Series[str] = pa.Field(nullable=True, str_matches=r"^GM\d{4}$")
    licensed_terms: Series[str]
    licensed_indicated: Series[bool]
    licence_number: Series[bool]
    kvk_number: Series[bool]


class WeeklyUniqueAdsModel(AdCharacteristics):
    """Ads of one week after between-site deduplication (phone + municipality, kinky kept)."""

    measurement_week: Series[str] = pa.Field(str_matches=WEEK)
    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    site: Series[str] = pa.Field(isin=SITES)
    unique_ad_key: Series[str] = pa.Field(str_length={"min_value": 16, "max_value": 64})
    ad_pseudo: Series[str]
    phone_pseudo: Series[str] = pa.Field(nullable=True)
    name_pseudo: Series[str] = pa.Field(nullable=True)
    text_hash: Series[str] = pa.Field(nullable=True)
    text_simhash: Series[pa.Int64] = pa.Field(nullable=True)
    also_on_sexjobs: Series[bool]

    @pa.dataframe_check
    def one_row_per_ad(cls, df):
        return ~df.duplicated(["measurement_week", "site", "ad_pseudo"])

    class Config:
        coerce = True


class AdStateModel(pa.DataFrameModel):
    """Running first/last-seen state of every unique ad up to a week (one row per ad per state week)."""

    measurement_week: Series[str] = pa.Field(str_matches=WEEK)
    unique_ad_key: Series[str]
    first_week: Series[str] = pa.Field(str_matches=WEEK)
    last_week: Series[str] = pa.Field(str_matches=WEEK)
    weeks_seen: Series[int] = pa.Field(ge=1)

    @pa.dataframe_check
    def ordered(cls, df):
        return (df["first_week"] <= df["last_week"]) & (df["last_week"] <= df["measurement_week"])

    class Config:
        strict = True
        coerce = True


class AdLifecycleModel(pa.DataFrameModel):
    """Figures 2.2-2.5 for one week; closed/seen-once of the previous measurement are provisional."""

    measurement_week: Series[str] = pa.Field(str_matches=WEEK)
    previous_week: Series[str] = pa.Field(nullable=True)
    active: Series[int] = pa.Field(ge=0)
    new_vs_previous: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    new_vs_previous_five: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    new_vs_all_previous: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    closed_previous_provisional: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    seen_once_previous_provisional: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    history_weeks: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True


class AdLifecycleYearModel(pa.DataFrameModel):
    """Final weekly lifecycle series of a measurement year (Figures 2.2-2.5)."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    measurement_week: Series[str] = pa.Field(str_matches=WEEK)
    # counts are null in a week that was not collected (collected false), never 0
    active: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    new_vs_previous: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    new_vs_previous_five: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    new_vs_all_previous: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    closed: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    seen_once: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    collected: Series[bool]
    uncertain_new: Series[bool]
    uncertain_closed: Series[bool]

    @pa.dataframe_check
    def uncollected_weeks_have_no_counts(cls, df: pd.DataFrame) -> pd.Series:
        """A week that was not collected has no counts (null); a collected week has its active and closed counts."""
        counts = df[["active", "closed", "seen_once"]]
        return counts.isna().all(axis=1).where(~df["collected"].astype(bool), counts.notna().all(axis=1))

    class Config:
        strict = True
        coerce = True


class UniqueWorkersModel(AdCharacteristics):
    """One row per unique ad (method ``report``) or per linked advertiser (method ``linked``) in a year."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    method: Series[str] = pa.Field(isin=METHODS)
    unit_id: Series[str]
    site: Series[str] = pa.Field(isin=SITES)
    n_ads: Series[int] = pa.Field(ge=1)
    weeks_seen: Series[int] = pa.Field(ge=1)
    first_week: Series[str] = pa.Field(str_matches=WEEK)
    last_week: Series[str] = pa.Field(str_matches=WEEK)

    @pa.dataframe_check
    def unique_units(cls, df):
        return ~df.duplicated(["measurement_year", "method", "unit_id"])

    class Config:
        strict = True
        coerce = True


class AdTableModel(pa.DataFrameModel):
    """A published table of chapter 2 in long form: one value per (method, row, column, stat)."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    method: Series[str] = pa.Field(isin=METHODS)
    table_id: Series[str]
    row: Series[str]
    column: Series[str]
    stat: Series[str] = pa.Field(isin=["count", "percent", "mean", "sd", "per_100k", "population", "share"])
    value: Series[float] = pa.Field(nullable=True)
    base_n: Series[int] = pa.Field(ge=0)

    @pa.dataframe_check
    def unique_cells(cls, df):
        return ~df.duplicated(["measurement_year", "method", "table_id", "row", "column", "stat"])

    @pa.dataframe_check
    def percents_in_range(cls, df):
        return (df["stat"] != "percent") | df["value"].isna() | df["value"].between(0, 100)

    class Config:
        strict = True
        coerce = True


class WeeklySeriesModel(pa.DataFrameModel):
    """A weekly series of a measurement year (price trend, Wrs indicators)."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    measurement_week: Series[str] = pa.Field(str_matches=WEEK)
    series: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    base_n: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        coerce = True
