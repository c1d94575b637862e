"""Schema of the report index (one row per rendered item; stored as report.nulmeting_report)."""

import pandera.pandas as pa
from pandera.typing import Series

KINDS = ["table", "figure", "note"]


class ReportIndexModel(pa.DataFrameModel):
    """What the yearly report holds: each table/figure with its source, number of cells and availability."""

    measurement_year: Series[str] = pa.Field(str_matches=r"^\d{4}$")
    position: Series[int] = pa.Field(ge=0)
    item_id: Series[str]
    kind: Series[str] = pa.Field(isin=KINDS)
    chapter: Series[int] = pa.Field(ge=0, le=9)
    title: Series[str]
    in_published_list: Series[bool]
    source_table: Series[str]
    source_id: Series[str]
    cells: Series[int] = pa.Field(ge=0)
    published_cells: Series[int] = pa.Field(ge=0)
    suppressed_cells: Series[int] = pa.Field(ge=0)
    available: Series[bool]
    synthetic: Series[bool]

    @pa.dataframe_check
    def unique_items(cls, df) -> bool:
        return not df.duplicated(["measurement_year", "item_id"]).any()

    class Config:
        strict = True
        coerce = True
