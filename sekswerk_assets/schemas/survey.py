"""Schemas of the survey tables (Pandera models used as Dagster types and in blocking checks)."""

import pandera.pandas as pa
from pandera.typing import Series

YEAR = r"^\d{4}$"
SIZE_CLASSES = ["small", "medium", "large"]


class ResponsesModel(pa.DataFrameModel):
    """Validated answers in long form: one row per answered export cell (personal fields never stored)."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    gm_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$")
    municipality: Series[str]
    size_class: Series[str] = pa.Field(isin=SIZE_CLASSES)
    population: Series[int] = pa.Field(gt=0)
    export: Series[str] = pa.Field(isin=["full", "followup"])
    variable: Series[str] = pa.Field(str_matches=r"^q\d+[ab]?(_\w+)?$")
    value: Series[str]
    synthetic: Series[bool]

    @pa.dataframe_check
    def no_personal_fields(cls, df) -> bool:
        return not df["variable"].isin(["q72", "q71a", "q71b"]).any()

    class Config:
        strict = True
        coerce = True


class SurveyTableModel(pa.DataFrameModel):
    """Published survey tables in long form (aggregates only), with disclosure control applied."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    table_id: Series[str]
    title: Series[str]
    row_key: Series[str]
    row: Series[str]
    column: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    base_n: Series[int] = pa.Field(ge=0)
    multiple_answers: Series[bool]
    suppressed: Series[bool]
    value_published: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class PolicyTypologyModel(pa.DataFrameModel):
    """Per municipality (warehouse only): policy status, policy types, regime per type of sex work, typology."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    gm_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$", unique=True)
    size_class: Series[str] = pa.Field(isin=SIZE_CLASSES)
    export: Series[str] = pa.Field(isin=["full", "followup"])
    has_policy: Series[str] = pa.Field(isin=["yes", "in_development", "no", "unknown"])
    type_maximum: Series[bool]
    type_zero: Series[bool]
    type_de_facto_zero: Series[bool]
    type_phase_out: Series[bool]
    type_spatial_planning: Series[bool]
    type_other: Series[bool]
    regime_window: Series[str]
    regime_club: Series[str]
    regime_escort: Series[str]
    regime_home: Series[str]
    regime_independent_escort: Series[str]
    regime_massage: Series[str]
    regime_street: Series[str]
    regime_other: Series[str]
    typology: Series[str]
    synthetic: Series[bool]

    class Config:
        strict = True
        coerce = True


class LicenceCountsModel(pa.DataFrameModel):
    """Licences per type of business and size class (Table 2.1 by size class)."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    business_type: Series[str]
    size_class: Series[str] = pa.Field(isin=SIZE_CLASSES + ["all"])
    licences: Series[int] = pa.Field(ge=0)
    municipalities_with_licences: Series[int] = pa.Field(ge=0)
    respondents: Series[int] = pa.Field(ge=0)
    municipalities_in_list: Series[int] = pa.Field(gt=0)
    synthetic: Series[bool]

    class Config:
        strict = True
        coerce = True


class LicenceExtrapolationModel(pa.DataFrameModel):
    """National estimates of licensed businesses: the report's method and stratified estimators with intervals."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    business_type: Series[str]
    method: Series[str] = pa.Field(isin=["report", "stratified_expansion", "stratified_ratio"])
    estimate: Series[float] = pa.Field(ge=0)
    ci_low: Series[float] = pa.Field(nullable=True)
    ci_high: Series[float] = pa.Field(nullable=True)
    sample_total: Series[int] = pa.Field(ge=0)
    synthetic: Series[bool]

    class Config:
        strict = True
        coerce = True


class EnforcementTrendsModel(pa.DataFrameModel):
    """Enforcement per year (reports, measures) with the largest municipality's share and the trend without it."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    section: Series[str]
    item: Series[str]
    period: Series[str]
    total: Series[float] = pa.Field(ge=0)
    municipalities: Series[int] = pa.Field(ge=0)
    largest_share: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    total_without_largest: Series[float] = pa.Field(nullable=True)
    synthetic: Series[bool]

    class Config:
        strict = True
        coerce = True


class YearComparisonModel(pa.DataFrameModel):
    """Key indicators side by side over measurement years (2014 from earlier research as fixed point)."""

    indicator: Series[str]
    year: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    unit: Series[str]
    source: Series[str]
    synthetic: Series[bool]

    class Config:
        strict = True
        coerce = True
