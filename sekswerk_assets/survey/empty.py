"""A year whose follow-up has no respondents: its (empty) partition must still replace the year's old rows.

The DuckDB pandas IO manager skips empty DataFrames (it creates no table and deletes nothing), so a header-only
follow-up would leave last run's rows of that year in place, or no table for the downstream assets to read.
:func:`replace_with_empty` does what the IO manager would have done for zero rows."""

from __future__ import annotations

import pandera.pandas as pa
from dagster_duckdb import DuckDBResource

_SQL_TYPES = {"str": "VARCHAR", "int64": "BIGINT", "bool": "BOOLEAN", "float64": "DOUBLE"}


def replace_with_empty(db: DuckDBResource, schema: str, table: str, model: type[pa.DataFrameModel],
                       partition_column: str, key: str) -> None:
    """Create ``schema.table`` from the Pandera model if missing and delete the rows of partition ``key``."""
    cols = ", ".join(f'"{name}" {_SQL_TYPES.get(str(col.dtype), "VARCHAR")}'
                     for name, col in model.to_schema().columns.items())
    with db.get_connection() as con:
        con.execute(f"create schema if not exists {schema}")
        con.execute(f"create table if not exists {schema}.{table} ({cols})")
        con.execute(f'delete from {schema}.{table} where "{partition_column}" = ?', [key])
