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


REGIMES = ["prohibited", "phase_out", "maximum", "zone", "licence_required", "tolerated", "other", "no_policy",
           "unspecified", "unknown"]
LICENCE = ["yes", "no", "no_answer", "not_asked"]
TYPOLOGIES = ["mixed_maximum_zero", "zero", "maximum", "phase_out", "spatial_planning", "other", "unspecified",
              "in_development", "no_policy", "unknown"]


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
    differs_per_type: Series[str] = pa.Field(isin=["yes", "no", "no_answer", "not_asked"])
    regime_window: Series[str] = pa.Field(isin=REGIMES)
    regime_club: Series[str] = pa.Field(isin=REGIMES)
    regime_escort: Series[str] = pa.Field(isin=REGIMES)
    regime_home: Series[str] = pa.Field(isin=REGIMES)
    regime_independent_escort: Series[str] = pa.Field(isin=REGIMES)
    regime_massage: Series[str] = pa.Field(isin=REGIMES)
    regime_street: Series[str] = pa.Field(isin=REGIMES)
    regime_other: Series[str] = pa.Field(isin=REGIMES)
    licence_required_window: Series[str] = pa.Field(isin=LICENCE)
    licence_required_club: Series[str] = pa.Field(isin=LICENCE)
    licence_required_escort: Series[str] = pa.Field(isin=LICENCE)
    licence_required_home: Series[str] = pa.Field(isin=LICENCE)
    licence_required_independent_escort: Series[str] = pa.Field(isin=LICENCE)
    licence_required_massage: Series[str] = pa.Field(isin=LICENCE)
    licence_required_street: Series[str] = pa.Field(isin=LICENCE)
    licence_required_other: Series[str] = pa.Field(isin=LICENCE)
    typology: Series[str] = pa.Field(isin=TYPOLOGIES)
    synthetic: Series[bool]

    @pa.dataframe_check
    def no_policy_means_no_types(cls, df) -> bool:
        types = df[[c for c in df.columns if c.startswith("type_")]].any(axis=1)
        return not (types & (df["has_policy"] != "yes")).any()

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
    """Enforcement (Tables 4.16-4.20) with the largest municipality's share and the trend without it."""

    measurement_year: Series[str] = pa.Field(str_matches=YEAR)
    table_id: Series[str] = pa.Field(isin=["4.16", "4.17", "4.18", "4.19", "4.20"])
    section: Series[str]
    item_key: Series[str]
    item: Series[str]
    period: Series[str] = pa.Field(str_matches=r"^(\d{4}|all years)$")
    total: Series[float] = pa.Field(ge=0, nullable=True)  # null: asked, but nobody answered
    municipalities: Series[int] = pa.Field(ge=0)
    no_answer: Series[int] = pa.Field(ge=0)  # asked but not answered
    base_n: Series[int] = pa.Field(ge=0)
    percent: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    largest_share: Series[float] = pa.Field(nullable=True, ge=0, le=1)  # only when >= 3 share the value
    largest_share_band: Series[str]  # e.g. "40-50%"
    total_without_largest: Series[float] = pa.Field(nullable=True, ge=0)
    total_without_dominant: Series[float] = pa.Field(nullable=True, ge=0)
    suppressed: Series[bool]
    synthetic: Series[bool]

    @pa.dataframe_check
    def municipalities_within_base(cls, df) -> bool:
        return bool((df["municipalities"] <= df["base_n"]).all())

    @pa.dataframe_check
    def without_largest_not_above_total(cls, df) -> bool:
        w = df["total_without_largest"]
        return bool((w.isna() | (w <= df["total"])).all())

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
    status: Series[str] = pa.Field(isin=["value", "suppressed", "not asked / not answered"])

    class Config:
        strict = True
        coerce = True
