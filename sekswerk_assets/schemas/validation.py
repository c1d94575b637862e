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

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    sample_id: Series[str] = pa.Field(str_matches=r"^V\d{4}-\d{4}$", unique=True)
    site: Series[str] = pa.Field(isin=SITES)
    measurement_week: Series[str] = pa.Field(str_matches=WEEK)
    ad_pseudo: Series[str] = pa.Field(str_length={"min_value": 16, "max_value": 64})
    unique_ad_key: Series[str] = pa.Field(str_length={"min_value": 16, "max_value": 64}, unique=True)
    stratum: Series[str]
    stratum_size: Series[int] = pa.Field(ge=1)
    stratum_sample: Series[int] = pa.Field(ge=1)
    weight: Series[float] = pa.Field(ge=1.0)
    gender: Series[str] = pa.Field(nullable=True, isin=["female", "male"])
    type_stated: Series[bool]
    work_home: Series[bool]
    work_escort: Series[bool]
    work_massage: Series[bool]
    origin_country: Series[str] = pa.Field(nullable=True)
    origin_region: Series[str] = pa.Field(nullable=True, isin=REGIONS)
    age: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, le=130)
    price_hour: Series[float] = pa.Field(nullable=True, gt=0)
    gm_code: Series[str] = pa.Field(nullable=True, str_matches=r"^GM\d{4}$")
    licensed_indicated: Series[bool]

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

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    variable: Series[str]
    measure: Series[str] = pa.Field(isin=MEASURES)
    truth: Series[str] = pa.Field(nullable=True)
    extracted: Series[str] = pa.Field(nullable=True)
    k: Series[int] = pa.Field(ge=0)
    n: Series[int] = pa.Field(ge=0)
    estimate: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    ci_low: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    ci_high: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    coded_ads: Series[int] = pa.Field(ge=0)

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
