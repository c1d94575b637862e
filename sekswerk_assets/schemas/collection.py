"""Schema of the raw-snapshot manifest (one row per fetched page)."""

import pandera.pandas as pa
from pandera.typing import Series

from sekswerk_assets.constants import PAGE_TYPES


class ManifestModel(pa.DataFrameModel):
    """Manifest of one site's weekly snapshot. Stored encrypted: it holds clear URLs and site ad codes."""

    record: Series[int] = pa.Field(ge=0, unique=True, description="record number in the snapshot")
    page_type: Series[str] = pa.Field(isin=list(PAGE_TYPES), description="robots, wall, listing, ad or api")
    section: Series[str] = pa.Field(nullable=True, description="listing section of the site the page belongs to")
    url: Series[str] = pa.Field(description="page URL (clear text: only in the encrypted manifest)")
    ad_code: Series[str] = pa.Field(
        nullable=True, description="the site's own ad code (clear text: only in the encrypted manifest)"
    )
    fetched_at: Series[pa.DateTime] = pa.Field(nullable=True, description="when the page was fetched (UTC)")
    status: Series[int] = pa.Field(ge=0, le=599, description="HTTP status of the page")
    bytes: Series[int] = pa.Field(ge=0, description="size of the stored page in bytes")
    sha256: Series[str] = pa.Field(
        nullable=True, str_length={"min_value": 64, "max_value": 64}, description="SHA-256 of the page body"
    )
    attempts: Series[int] = pa.Field(ge=0, description="fetch attempts made for the page")
    offset: Series[int] = pa.Field(
        ge=-1, description="offset of the encrypted record in the page store (-1: no page stored)"
    )
    length: Series[int] = pa.Field(ge=0, description="length of the encrypted record in the page store")
    ok: Series[bool] = pa.Field(description="the page was fetched successfully")
    error: Series[str] = pa.Field(
        nullable=True, description="fetch error class, if the page failed (no URL or content)"
    )

    class Config:
        strict = True
        coerce = True
