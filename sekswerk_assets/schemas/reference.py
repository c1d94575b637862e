"""Schemas of the reference tables."""

import pandera.pandas as pa
from pandera.typing import Series


class MunicipalitiesModel(pa.DataFrameModel):
    """One row per municipality of a measurement year (CBS list of 1 January Y+1)."""

    measurement_year: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    list_year: Series[int] = pa.Field(ge=2021)
    gm_code: Series[str] = pa.Field(str_matches=r"^GM\d{4}$", unique=True)
    name: Series[str]
    name_cbs: Series[str]
    province: Series[str] = pa.Field(nullable=True)
    population: Series[int] = pa.Field(gt=0, le=2_000_000)
    size_class: Series[str] = pa.Field(isin=["small", "medium", "large"])

    class Config:
        strict = True
        coerce = True
