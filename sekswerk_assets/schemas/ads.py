"""Schemas of the ad tables downstream of ``ads/parsed_ads`` (deduplication, lifecycle, yearly tables)."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sekswerk_assets import constants

WEEK = r"^\d{4}-\d{2}-\d{2}$"
YEAR = r"^\d{4}$"
METHODS = ["report", "report_phone", "linked"]  # report_phone: report + between-site phone step
SITES = list(constants.SITES)
REGIONS = list(constants.REGIONS)


class AdCharacteristics(pa.DataFrameModel):
    """What an ad says about the advertiser (shared by the per-week and the per-year tables)."""

    gender: Series[str] = pa.Field(
        nullable=True, isin=["female", "male"], description="stated gender of the advertiser: female or male (null: not stated)"
    )
    transgender: Series[bool] = pa.Field(description="the ad mentions a transgender advertiser")
    type_stated: Series[bool] = pa.Field(description="at least one type of sex work is stated")
    work_home: Series[bool] = pa.Field(description="receiving at home (incall) is offered")
    work_escort: Series[bool] = pa.Field(description="escort (outcall) is offered")
    work_massage: Series[bool] = pa.Field(description="erotic massage is offered")
    origin_country: Series[str] = pa.Field(
        nullable=True, description="stated country of origin, ISO 3166-1 alpha-2 (null: not stated)"
    )
    origin_region: Series[str] = pa.Field(
        nullable=True, isin=REGIONS, description="origin region of Figure 2.10 (null: not stated)"
    )
    age: Series[pa.Int64] = pa.Field(nullable=True, ge=0, le=120, description="stated age in years (null: not stated)")
    price_hour: Series[float] = pa.Field(
        nullable=True, ge=0, description="price per hour, EUR (1-hour price; else half hour x2; else 2 hours /2)"
    )
    price_home: Series[float] = pa.Field(
        nullable=True, ge=0, description="price per hour for receiving at home (incall), EUR"
    )
    price_escort: Series[float] = pa.Field(nullable=True, ge=0, description="price per hour for escort (outcall), EUR")
    gm_code: Series[str] = pa.Field(
        nullable=True, str_matches=r"^GM\d{4}$", description="CBS municipality code of the ad's place (null: not stated or not matched)"
    )
    licensed_terms: Series[str] = pa.Field(
        description="licensed-work search terms found (comma-separated: club, privehuis, bureau, kvk)"
    )
    licensed_indicated: Series[bool] = pa.Field(
        description="the ad really indicates licensed work (after context rules)"
    )
    licence_number: Series[bool] = pa.Field(description="a municipal licence number is shown")
    kvk_number: Series[bool] = pa.Field(description="a Chamber of Commerce (KvK) number is shown")


class WeeklyUniqueAdsModel(AdCharacteristics):
    """Ads of one week after between-site deduplication (phone + municipality, kinky kept)."""

    measurement_week: Series[str] = pa.Field(
        str_matches=WEEK, description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    site: Series[str] = pa.Field(isin=SITES, description="ad site: kinky, sexjobs or topescortbabes")
    unique_ad_key: Series[str] = pa.Field(
        str_length={"min_value": 16, "max_value": 64}, description="key of a unique ad after between-site deduplication"
    )
    ad_pseudo: Series[str] = pa.Field(description="keyed pseudonym of the site's ad code")
    phone_pseudo: Series[str] = pa.Field(nullable=True, description="keyed pseudonym of the phone number")
    name_pseudo: Series[str] = pa.Field(nullable=True, description="keyed pseudonym of the advertiser's name")
    name_bloom: Series[pa.Int64] = pa.Field(
        nullable=True, description="keyed 64-bit Bloom filter of the name's character bigrams (name similarity, no name)"
    )
    text_hash: Series[str] = pa.Field(
        nullable=True, description="keyed hash of the normalised ad text (detects identical texts)"
    )
    text_simhash: Series[pa.Int64] = pa.Field(
        nullable=True, description="64-bit simhash of the ad text (detects near-identical texts)"
    )
    also_on_sexjobs: Series[bool] = pa.Field(
        description="the same phone and municipality were also advertised on sexjobs that week"
    )

    @pa.dataframe_check
    def one_row_per_ad(cls, df):
        return ~df.duplicated(["measurement_week", "site", "ad_pseudo"])

    class Config:
        coerce = True


class AdStateModel(pa.DataFrameModel):
    """Running first/last-seen state of every unique ad up to a week (one row per ad per state week)."""

    measurement_week: Series[str] = pa.Field(
        str_matches=WEEK, description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    unique_ad_key: Series[str] = pa.Field(description="key of a unique ad after between-site deduplication")
    first_week: Series[str] = pa.Field(str_matches=WEEK, description="first week the ad was seen")
    last_week: Series[str] = pa.Field(str_matches=WEEK, description="latest week the ad was seen")
    weeks_seen: Series[int] = pa.Field(ge=1, description="number of weeks the ad was seen")

    @pa.dataframe_check
    def ordered(cls, df):
        return (df["first_week"] <= df["last_week"]) & (df["last_week"] <= df["measurement_week"])

    class Config:
        strict = True
        coerce = True


class AdLifecycleModel(pa.DataFrameModel):
    """Figures 2.2-2.5 for one week; closed/seen-once of the previous measurement are provisional."""

    measurement_week: Series[str] = pa.Field(
        str_matches=WEEK, description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    previous_week: Series[str] = pa.Field(nullable=True, description="the week the running state was carried from")
    active: Series[int] = pa.Field(ge=0, description="unique ads online in the week")
    new_vs_previous: Series[pa.Int64] = pa.Field(nullable=True, ge=0, description="unique ads not seen the week before")
    new_vs_previous_five: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="unique ads not seen in the five weeks before"
    )
    new_vs_all_previous: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="unique ads never seen in any earlier week"
    )
    closed_previous_provisional: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="ads of the previous week not seen this week (provisional: they may return)"
    )
    seen_once_previous_provisional: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="ads of the previous week seen only then (provisional)"
    )
    history_weeks: Series[int] = pa.Field(ge=0, description="weeks between the first week of the state and this week")

    class Config:
        strict = True
        coerce = True


class AdLifecycleYearModel(pa.DataFrameModel):
    """Final weekly lifecycle series of a measurement year (Figures 2.2-2.5)."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    measurement_week: Series[str] = pa.Field(
        str_matches=WEEK, description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    # counts are null in a week that was not collected (collected false), never 0
    active: Series[pa.Int64] = pa.Field(nullable=True, ge=0, description="unique ads online in the week")
    new_vs_previous: Series[pa.Int64] = pa.Field(nullable=True, ge=0, description="unique ads not seen the week before")
    new_vs_previous_five: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="unique ads not seen in the five weeks before"
    )
    new_vs_all_previous: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="unique ads never seen in any earlier week"
    )
    closed: Series[pa.Int64] = pa.Field(
        nullable=True, ge=0, description="unique ads of the previous week that are gone this week"
    )
    seen_once: Series[pa.Int64] = pa.Field(nullable=True, ge=0, description="unique ads online in exactly one week")
    collected: Series[bool] = pa.Field(description="the week was collected (false: no data, values null)")
    uncertain_new: Series[bool] = pa.Field(description="new count uncertain (first week of the collected range)")
    uncertain_closed: Series[bool] = pa.Field(description="closed count uncertain (last week of the collected range)")

    @pa.dataframe_check
    def uncollected_weeks_have_no_counts(cls, df: pd.DataFrame) -> pd.Series:
        """A week that was not collected has no counts (null); a collected week has its active and closed counts."""
        counts = df[["active", "closed", "seen_once"]]
        return counts.isna().all(axis=1).where(~df["collected"].astype(bool), counts.notna().all(axis=1))

    class Config:
        strict = True
        coerce = True


class UniqueWorkersModel(AdCharacteristics):
    """One row per unique ad (methods ``report``, ``report_phone``) or per linked advertiser (``linked``) in a year."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    method: Series[str] = pa.Field(
        isin=METHODS, description="deduplication method: report (ad code + name), report_phone (report + cross-site copies without a municipality found by phone) or linked (splink)"
    )
    unit_id: Series[str] = pa.Field(
        description="id of the unique ad (report method) or linked advertiser (linked method)"
    )
    site: Series[str] = pa.Field(isin=SITES, description="ad site: kinky, sexjobs or topescortbabes")
    n_ads: Series[int] = pa.Field(ge=1, description="number of ads in the unit")
    weeks_seen: Series[int] = pa.Field(ge=1, description="number of weeks the ad was seen")
    first_week: Series[str] = pa.Field(str_matches=WEEK, description="first week the ad was seen")
    last_week: Series[str] = pa.Field(str_matches=WEEK, description="latest week the ad was seen")

    @pa.dataframe_check
    def unique_units(cls, df):
        return ~df.duplicated(["measurement_year", "method", "unit_id"])

    class Config:
        strict = True
        coerce = True


class AdTableModel(pa.DataFrameModel):
    """A published table of chapter 2 in long form: one value per (method, row, column, stat)."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    method: Series[str] = pa.Field(
        isin=METHODS, description="deduplication method: report (ad code + name), report_phone (report + cross-site copies without a municipality found by phone) or linked (splink)"
    )
    table_id: Series[str] = pa.Field(description="table or figure id as in the report")
    row: Series[str] = pa.Field(description="row of the published table")
    column: Series[str] = pa.Field(description="column of the published table")
    stat: Series[str] = pa.Field(
        isin=["count", "percent", "mean", "sd", "per_100k", "population", "share"], description="statistic: count, percent, mean, sd, per_100k, population or share"
    )
    value: Series[float] = pa.Field(nullable=True, description="the value (null: suppressed or not available)")
    base_n: Series[int] = pa.Field(ge=0, description="number of units the value is computed over")

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

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    measurement_week: Series[str] = pa.Field(
        str_matches=WEEK, description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    series: Series[str] = pa.Field(description="name of the weekly series")
    value: Series[float] = pa.Field(nullable=True, description="the value (null: suppressed or not available)")
    base_n: Series[int] = pa.Field(ge=0, description="number of units the value is computed over")

    class Config:
        strict = True
        coerce = True
