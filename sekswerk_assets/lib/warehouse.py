"""Reading the warehouse with SQL where an IO-manager input does not fit (yearly reads of weekly tables)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource


def read_sql(db: DuckDBResource, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    """Run a query; a table that does not exist yet reads as an empty frame."""
    with db.get_connection() as con:
        try:
            return con.execute(sql, params or []).df()
        except duckdb.CatalogException:
            return pd.DataFrame()


def in_list(values: Sequence[str]) -> str:
    """A SQL ``IN (...)`` list of quoted keys (partition keys only: dates and years, validated upstream)."""
    for v in values:
        if not all(c.isdigit() or c == "-" for c in v):
            raise ValueError(f"not a partition key: {v!r}")
    return "(" + ",".join(f"'{v}'" for v in values) + ")" if values else "('')"
