"""Schemas of the reference tables."""

import pandera.pandas as pa
from pandera.typing import Series


class MunicipalitiesModel(pa.DataFrameModel):
    """One row per municipality of a measurement year (CBS list of 1 January Y+1)."""

    measurement_year: Series[str] = pa.Field(
        str_matches=r"^\d{4}$", description="measurement year: August to August, named after its first August"
    )
    list_year: Series[int] = pa.Field(ge=2021, description="year of the CBS municipality list (1 January) used")
    gm_code: Series[str] = pa.Field(
        str_matches=r"^GM\d{4}$", unique=True, description="CBS municipality code of the ad's place (null: not stated or not matched)"
    )
    name: Series[str] = pa.Field(description="municipality name as in the CBS list")
    name_cbs: Series[str] = pa.Field(description="municipality name as CBS writes it in its tables")
    province: Series[str] = pa.Field(nullable=True, description="province of the municipality")
    population: Series[int] = pa.Field(gt=0, le=2_000_000, description="inhabitants on 1 January of the list year")
    size_class: Series[str] = pa.Field(
        isin=["small", "medium", "large"], description="municipality size class of the report: small, medium or large"
    )

    class Config:
        strict = True
        coerce = True
