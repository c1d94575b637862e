"""Schemas of the yearly validation sample and of the extraction accuracy measured on its coded sheet."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sekswerk_assets.schemas.ads import REGIONS, SITES

YEAR = r"^\d{4}$"
WEEK = r"^\d{4}-\d{2}-\d{2}$"
#: the variables a coder codes, in sheet order
VARIABLES = ["gender", "work_types", "origin_country", "origin_region", "age", "price_hour", "municipality",
             "licensed_work"]
MEASURES = ["accuracy", "false_extraction", "confusion", "observed_share", "sensitivity", "specificity",
            "corrected_share"]


class ValidationSampleModel(pa.DataFrameModel):
    """One row per sampled unique ad: pseudonymised ids, its stratum and design weight, the extracted values.

    No ad text, no clear identifier: those are only in the encrypted coding sheet in the raw zone.
    """

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    sample_id: Series[str] = pa.Field(
        str_matches=r"^V\d{4}-\d{4}$", unique=True, description="id of the ad in the validation sample (no site code)"
    )
    site: Series[str] = pa.Field(isin=SITES, description="ad site: kinky, sexjobs or topescortbabes")
    measurement_week: Series[str] = pa.Field(
        str_matches=WEEK, description="weekly measurement: the Tuesday of the week (ISO date)"
    )
    ad_pseudo: Series[str] = pa.Field(
        str_length={"min_value": 16, "max_value": 64}, description="keyed pseudonym of the site's ad code"
    )
    unique_ad_key: Series[str] = pa.Field(
        str_length={"min_value": 16, "max_value": 64}, unique=True, description="key of a unique ad after between-site deduplication"
    )
    stratum: Series[str] = pa.Field(description="sampling stratum: site x stated / not stated")
    stratum_size: Series[int] = pa.Field(ge=1, description="unique ads of the year in the stratum")
    stratum_sample: Series[int] = pa.Field(ge=1, description="ads drawn from the stratum")
    weight: Series[float] = pa.Field(ge=1.0, description="design weight of the ad (stratum size / ads drawn)")
    gender: Series[str] = pa.Field(
        nullable=True, isin=["female", "male"], description="stated gender of the advertiser: female or male (null: not stated)"
    )
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
    age: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=0, le=130, description="stated age in years (null: not stated)"
    )
    price_hour: Series[float] = pa.Field(
        nullable=True, gt=0, description="price per hour, EUR (1-hour price; else half hour x2; else 2 hours /2)"
    )
    gm_code: Series[str] = pa.Field(
        nullable=True, str_matches=r"^GM\d{4}$", description="CBS municipality code of the ad's place (null: not stated or not matched)"
    )
    licensed_indicated: Series[bool] = pa.Field(
        description="the ad really indicates licensed work (after context rules)"
    )

    @pa.dataframe_check(description="the stratum sample never exceeds the stratum and the weight is size / sample")
    def design(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["stratum_sample"] <= df["stratum_size"]) & (
            (df["weight"] - df["stratum_size"] / df["stratum_sample"]).abs() < 1e-9)

    class Config:
        strict = True
        coerce = True


class ExtractionAccuracyModel(pa.DataFrameModel):
    """Accuracy of the extraction per variable on the coded sample, in long form.

    ``accuracy``: extracted value correct among ads the coder says state the variable; ``false_extraction``:
    a value extracted from an ad that states none; ``confusion``: coded (truth) x extracted counts of a
    categorical variable (estimate = share of the truth row); ``observed_share`` / ``sensitivity`` /
    ``specificity`` / ``corrected_share``: a binary share of the year's unique ads corrected for
    misclassification (Rogan-Gladen). Intervals are Wilson 95% (bootstrap 95% for ``corrected_share``).
    """

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    variable: Series[str] = pa.Field(description="the extracted variable")
    measure: Series[str] = pa.Field(
        isin=MEASURES, description="what is measured: accuracy, false_extraction, confusion or corrected_share"
    )
    truth: Series[str] = pa.Field(nullable=True, description="the value the coder gave (as text)")
    extracted: Series[str] = pa.Field(nullable=True, description="the value the extractor gave (as text)")
    k: Series[int] = pa.Field(ge=0, description="number of successes (correct, or false extractions)")
    n: Series[int] = pa.Field(ge=0, description="number of coded ads in the base")
    estimate: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="the estimate")
    ci_low: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="lower bound of the 95% interval")
    ci_high: Series[float] = pa.Field(nullable=True, ge=0, le=1, description="upper bound of the 95% interval")
    coded_ads: Series[int] = pa.Field(ge=0, description="number of coded ads the figure rests on")

    @pa.dataframe_check(description="k <= n; the interval holds the estimate")
    def consistent(cls, df: pd.DataFrame) -> Series[bool]:
        ok = df["k"] <= df["n"]
        has = df["ci_low"].notna() & df["estimate"].notna()
        ok &= ~has | ((df["ci_low"] <= df["estimate"] + 1e-9) & (df["estimate"] <= df["ci_high"] + 1e-9))
        return ok

    @pa.dataframe_check(description="one row per variable, measure and cell")
    def unique_rows(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["measurement_year", "variable", "measure", "truth", "extracted"])

    class Config:
        strict = True
        coerce = True
