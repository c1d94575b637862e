"""Schema of the raw-snapshot manifest (one row per fetched page)."""

import pandera.pandas as pa
from pandera.typing import Series

PAGE_TYPES = ["robots", "wall", "listing", "ad", "api"]


class ManifestModel(pa.DataFrameModel):
    """Manifest of one site's weekly snapshot. Stored encrypted: it holds clear URLs and site ad codes."""

    record: Series[int] = pa.Field(ge=0, unique=True)
    page_type: Series[str] = pa.Field(isin=PAGE_TYPES)
    section: Series[str] = pa.Field(nullable=True)
    url: Series[str]
    ad_code: Series[str] = pa.Field(nullable=True)
    fetched_at: Series[pa.DateTime] = pa.Field(nullable=True)
    status: Series[int] = pa.Field(ge=0, le=599)
    bytes: Series[int] = pa.Field(ge=0)
    sha256: Series[str] = pa.Field(nullable=True, str_length={"min_value": 64, "max_value": 64})
    attempts: Series[int] = pa.Field(ge=0)
    offset: Series[int] = pa.Field(ge=-1)
    length: Series[int] = pa.Field(ge=0)
    ok: Series[bool]
    error: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True
