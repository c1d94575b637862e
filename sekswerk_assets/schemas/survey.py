"""Schemas of the survey tables (Pandera models used as Dagster types and in blocking checks)."""

import pandera.pandas as pa
from pandera.typing import Series

YEAR = r"^\d{4}$"
SIZE_CLASSES = ["small", "medium", "large"]


class ResponsesModel(pa.DataFrameModel):
    """Validated answers in long form: one row per answered export cell (personal fields never stored)."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    gm_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", description="CBS municipality code of the ad's place (null: not stated or not matched)"
    )
    municipality: Series[str] = pa.Field(description="municipality name as in the CBS list")
    size_class: Series[str] = pa.Field(
        isin=SIZE_CLASSES, description="municipality size class of the report: small, medium or large"
    )
    population: Series[int] = pa.Field(gt=0, description="inhabitants on 1 January of the list year")
    export: Series[str] = pa.Field(
        isin=["full", "followup"], description="which export the answer comes from: full or followup"
    )
    variable: Series[str] = pa.Field(
        str_matches=r"^q\d+[ab]?(_\w+)?$", description="questionnaire variable (column of the export)"
    )
    value: Series[str] = pa.Field(description="the value (null: suppressed or not available)")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")

    @pa.dataframe_check
    def no_personal_fields(cls, df) -> bool:
        return not df["variable"].isin(["q72", "q71a", "q71b"]).any()

    class Config:
        strict = True
        coerce = True


class SurveyTableModel(pa.DataFrameModel):
    """Published survey tables in long form (aggregates only), with disclosure control applied."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    table_id: Series[str] = pa.Field(description="table or figure id as in the report")
    title: Series[str] = pa.Field(description="title of the item")
    row_key: Series[str] = pa.Field(description="stable key of the table row")
    row: Series[str] = pa.Field(description="row of the published table")
    column: Series[str] = pa.Field(description="column of the published table")
    value: Series[float] = pa.Field(nullable=True, description="the value (null: suppressed or not available)")
    base_n: Series[int] = pa.Field(ge=0, description="number of units the value is computed over")
    multiple_answers: Series[bool] = pa.Field(description="the question allows several answers")
    suppressed: Series[bool] = pa.Field(description="suppressed by disclosure control")
    value_published: Series[float] = pa.Field(
        nullable=True, description="the value published in the 2021 report, where there is one"
    )

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

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    gm_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", unique=True, description="CBS municipality code of the ad's place (null: not stated or not matched)"
    )
    size_class: Series[str] = pa.Field(
        isin=SIZE_CLASSES, description="municipality size class of the report: small, medium or large"
    )
    export: Series[str] = pa.Field(
        isin=["full", "followup"], description="which export the answer comes from: full or followup"
    )
    has_policy: Series[str] = pa.Field(
        isin=["yes", "in_development", "no", "unknown"], description="the municipality has a sex work policy"
    )
    type_maximum: Series[bool] = pa.Field(description="policy type: maximum number of businesses")
    type_zero: Series[bool] = pa.Field(description="policy type: zero option")
    type_de_facto_zero: Series[bool] = pa.Field(description="policy type: de facto zero option")
    type_phase_out: Series[bool] = pa.Field(description="policy type: phase-out")
    type_spatial_planning: Series[bool] = pa.Field(description="policy type: spatial planning")
    type_other: Series[bool] = pa.Field(description="policy type: other")
    differs_per_type: Series[str] = pa.Field(
        isin=["yes", "no", "no_answer", "not_asked"], description="the policy differs per type of sex business"
    )
    regime_window: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for window businesses")
    regime_club: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for club businesses")
    regime_escort: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for escort businesses")
    regime_home: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for home businesses")
    regime_independent_escort: Series[str] = pa.Field(
        isin=REGIMES, description="licensing regime for independent escort businesses"
    )
    regime_massage: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for massage businesses")
    regime_street: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for street businesses")
    regime_other: Series[str] = pa.Field(isin=REGIMES, description="licensing regime for other businesses")
    licence_required_window: Series[str] = pa.Field(
        isin=LICENCE, description="a licence is required for window businesses"
    )
    licence_required_club: Series[str] = pa.Field(isin=LICENCE, description="a licence is required for club businesses")
    licence_required_escort: Series[str] = pa.Field(
        isin=LICENCE, description="a licence is required for escort businesses"
    )
    licence_required_home: Series[str] = pa.Field(isin=LICENCE, description="a licence is required for home businesses")
    licence_required_independent_escort: Series[str] = pa.Field(
        isin=LICENCE, description="a licence is required for independent escort businesses"
    )
    licence_required_massage: Series[str] = pa.Field(
        isin=LICENCE, description="a licence is required for massage businesses"
    )
    licence_required_street: Series[str] = pa.Field(
        isin=LICENCE, description="a licence is required for street businesses"
    )
    licence_required_other: Series[str] = pa.Field(
        isin=LICENCE, description="a licence is required for other businesses"
    )
    typology: Series[str] = pa.Field(isin=TYPOLOGIES, description="policy typology of the municipality (section 3.3)")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")

    @pa.dataframe_check
    def no_policy_means_no_types(cls, df) -> bool:
        types = df[[c for c in df.columns if c.startswith("type_")]].any(axis=1)
        return not (types & (df["has_policy"] != "yes")).any()

    class Config:
        strict = True
        coerce = True


class LicenceCountsModel(pa.DataFrameModel):
    """Licences per type of business and size class (Table 2.1 by size class)."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    business_type: Series[str] = pa.Field(description="type of sex business (club, window, escort, ...)")
    size_class: Series[str] = pa.Field(
        isin=SIZE_CLASSES + ["all"], description="municipality size class of the report: small, medium or large"
    )
    licences: Series[int] = pa.Field(ge=0, description="number of licences")
    municipalities_with_licences: Series[int] = pa.Field(
        ge=0, description="municipalities that issued at least one licence"
    )
    respondents: Series[int] = pa.Field(ge=0, description="number of responding municipalities")
    municipalities_in_list: Series[int] = pa.Field(gt=0, description="municipalities in the CBS list of the year")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")

    class Config:
        strict = True
        coerce = True


class LicenceExtrapolationModel(pa.DataFrameModel):
    """National estimates of licensed businesses: the report's method and stratified estimators with intervals."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    business_type: Series[str] = pa.Field(description="type of sex business (club, window, escort, ...)")
    method: Series[str] = pa.Field(
        isin=["report", "stratified_expansion", "stratified_ratio"], description="estimation method"
    )
    estimate: Series[float] = pa.Field(ge=0, description="the estimate")
    ci_low: Series[float] = pa.Field(nullable=True, description="lower bound of the 95% interval")
    ci_high: Series[float] = pa.Field(nullable=True, description="upper bound of the 95% interval")
    sample_total: Series[int] = pa.Field(ge=0, description="total in the responding municipalities")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")

    class Config:
        strict = True
        coerce = True


class EnforcementTrendsModel(pa.DataFrameModel):
    """Enforcement (Tables 4.16-4.20) with the largest municipality's share and the trend without it."""

    measurement_year: Series[str] = pa.Field(
        str_matches=YEAR, description="measurement year: August to August, named after its first August"
    )
    table_id: Series[str] = pa.Field(
        isin=["4.16", "4.17", "4.18", "4.19", "4.20"], description="table or figure id as in the report"
    )
    section: Series[str] = pa.Field(description="section of the questionnaire")
    item_key: Series[str] = pa.Field(description="stable key of the item")
    item: Series[str] = pa.Field(description="item (answer option) of the question")
    period: Series[str] = pa.Field(
        str_matches=r"^(\d{4}|all years)$", description="reference period of the question (e.g. the last four years)"
    )
    total: Series[float] = pa.Field(ge=0, nullable=True, description="total (null: asked, but nobody answered)")
    municipalities: Series[int] = pa.Field(ge=0, description="number of municipalities")
    no_answer: Series[int] = pa.Field(ge=0, description="municipalities asked but not answering")
    base_n: Series[int] = pa.Field(ge=0, description="number of units the value is computed over")
    percent: Series[float] = pa.Field(
        nullable=True, ge=0, le=100, description="percentage, rounded half up as in the report"
    )
    largest_share: Series[float] = pa.Field(
        nullable=True, ge=0, le=1, description="share of the largest municipality (only when at least 3 share its value)"
    )
    largest_share_band: Series[str] = pa.Field(description="10-point band of the largest share, e.g. 40-50%")
    total_without_largest: Series[float] = pa.Field(
        nullable=True, ge=0, description="total without the largest municipality"
    )
    total_without_dominant: Series[float] = pa.Field(
        nullable=True, ge=0, description="total without the dominant municipality"
    )
    suppressed: Series[bool] = pa.Field(description="suppressed by disclosure control")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")

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

    indicator: Series[str] = pa.Field(description="name of the indicator")
    year: Series[str] = pa.Field(description="measurement year")
    value: Series[float] = pa.Field(nullable=True, description="the value (null: suppressed or not available)")
    unit: Series[str] = pa.Field(description="unit of the value")
    source: Series[str] = pa.Field(description="where the value comes from")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")
    status: Series[str] = pa.Field(
        isin=["value", "suppressed", "not asked / not answered"], description="status of the value (published, suppressed, not asked / not answered)"
    )

    class Config:
        strict = True
        coerce = True
