"""Yearly reads of the weekly tables: a measurement year's assets read exactly the weeks of their year."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from sekswerk_assets.lib.keys import WEEKLY_UNIQUE_ADS
from sekswerk_assets.lib.warehouse import in_list, read_sql
from sekswerk_assets.partitions import weeks_of_year, year_end

#: yearly assets depend on every week of the weekly unique ads (they select their own weeks in SQL)
YEARLY_DEPS = [dg.AssetDep(WEEKLY_UNIQUE_ADS, partition_mapping=dg.AllPartitionMapping())]


def read_presence(duckdb: DuckDBResource, year: str) -> pd.DataFrame:
    """Unique-ad presence per week for every collected week up to the end of the following year."""
    until = year_end(int(year) + 1).isoformat()
    return read_sql(
        duckdb,
        "select measurement_week, unique_ad_key from ads.weekly_unique_ads where measurement_week <= ?",
        [until],
    )


def read_year_rows(duckdb: DuckDBResource, year: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Every weekly unique-ad row of the measurement year ``year`` (only ``columns``, if given: code constants)."""
    select = ", ".join(f'"{c}"' for c in columns) if columns else "*"
    return read_sql(
        duckdb,
        f"select {select} from ads.weekly_unique_ads where measurement_week in {in_list(weeks_of_year(year))} "
        "order by measurement_week, site, ad_pseudo",
    )
