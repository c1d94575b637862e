"""Schema of the report index (one row per rendered item; stored as report.nulmeting_report)."""

import pandera.pandas as pa
from pandera.typing import Series

KINDS = ["table", "figure", "note"]


class ReportIndexModel(pa.DataFrameModel):
    """What the yearly report holds: each table/figure with its source, number of cells and availability."""

    measurement_year: Series[str] = pa.Field(
        str_matches=r"^\d{4}$", description="measurement year: August to August, named after its first August"
    )
    position: Series[int] = pa.Field(ge=0, description="position of the item in the report")
    item_id: Series[str] = pa.Field(description="table or figure id as in the report (e.g. 2.4, 4.20)")
    kind: Series[str] = pa.Field(isin=KINDS, description="table, figure or note")
    chapter: Series[int] = pa.Field(ge=0, le=9, description="chapter of the report the item belongs to")
    title: Series[str] = pa.Field(description="title of the item")
    in_published_list: Series[bool] = pa.Field(description="the item is a table or figure of the published report")
    source_table: Series[str] = pa.Field(description="warehouse table the item is read from")
    source_id: Series[str] = pa.Field(description="id of the item in its source table")
    cells: Series[int] = pa.Field(ge=0, description="number of cells in the item")
    published_cells: Series[int] = pa.Field(ge=0, description="cells with a published 2020 value beside them")
    suppressed_cells: Series[int] = pa.Field(ge=0, description="cells suppressed by disclosure control")
    available: Series[bool] = pa.Field(description="the item has data for this year")
    synthetic: Series[bool] = pa.Field(description="computed from synthetic inputs (the sandbox or a synthetic survey)")

    @pa.dataframe_check
    def unique_items(cls, df) -> bool:
        return not df.duplicated(["measurement_year", "item_id"]).any()

    class Config:
        strict = True
        coerce = True
