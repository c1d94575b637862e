"""One factory for the project's typed DataFrame assets: the defaults every stage shares, defined once.

``typed_asset`` is ``@dg.asset`` with the project's conventions filled in: the weekly or yearly
partitions with their ``partition_expr``, the DuckDB pool, owners, kinds, a code version, and the
Pandera model as an in-step blocking check (see :mod:`sekswerk_assets.lib.checks`). The decorated
function returns a DataFrame or a ``dg.Output``, or yields those and check results.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable
from typing import Literal

import dagster as dg
import pandas as pd
import pandera.pandas as pa

from sekswerk_assets.constants import DUCKDB_POOL, OWNERS
from sekswerk_assets.lib.checks import checked, column_schema, schema_check_spec, schema_failure
from sekswerk_assets.partitions import (
    WEEK_PARTITION_EXPR,
    YEAR_PARTITION_EXPR,
    measurement_year_partitions,
    weekly_partitions,
    weeks_of_year,
)

Partitioning = Literal["weekly", "yearly", "none"]


def partitioning(kind: Partitioning) -> tuple[dg.PartitionsDefinition | None, dict]:
    """Partitions definition and DuckDB ``partition_expr`` metadata of a weekly, yearly or unpartitioned table."""
    if kind == "weekly":
        return weekly_partitions, {"partition_expr": WEEK_PARTITION_EXPR}
    if kind == "yearly":
        return measurement_year_partitions, {"partition_expr": YEAR_PARTITION_EXPR}
    return None, {}


def year_metadata(year: str) -> dict:
    """Which weeks a measurement year's partition covers: its first and last weekly key and their number."""
    weeks = weeks_of_year(year)
    return {
        "measurement_year/first_week": dg.MetadataValue.text(weeks[0]),
        "measurement_year/last_week": dg.MetadataValue.text(weeks[-1]),
        "measurement_year/weeks": dg.MetadataValue.int(len(weeks)),
    }


def validated_events(model: type[pa.DataFrameModel], key: dg.AssetKey, events: Iterable, output_name: str = "result",
                     extra_metadata: dict | None = None):
    """Pass events through; validate every DataFrame output first and yield its schema check before it.

    ``extra_metadata`` (e.g. a yearly partition's weeks) is added to every output's metadata.
    """
    for event in events:
        if isinstance(event, pd.DataFrame):
            event = dg.Output(event, output_name=output_name)
        if isinstance(event, dg.Output) and isinstance(event.value, pd.DataFrame):
            df, result = checked(model, event.value, key)
            yield result
            if not result.passed:
                raise schema_failure(key, result)
            meta = {"dagster/row_count": len(df), "dagster/column_schema": column_schema(model, df),
                    **(extra_metadata or {}), **(event.metadata or {})}
            yield dg.Output(df, output_name=event.output_name, metadata=meta, data_version=event.data_version,
                            tags=event.tags)
        else:
            yield event


def typed_asset(
    *,
    key: str | list[str] | dg.AssetKey,
    model: type[pa.DataFrameModel],
    partitions: Partitioning,
    group: str,
    code_version: str,
    kinds: Iterable[str] = ("duckdb", "pandas"),
    check_specs: Iterable[dg.AssetCheckSpec] = (),
    metadata: dict | None = None,
    **asset_kwargs,
):
    """``@dg.asset`` with the project's defaults and the model's in-step schema check."""
    asset_key = dg.AssetKey.from_coercible(key)
    partitions_def, part_meta = partitioning(partitions)

    def decorator(fn):
        @functools.wraps(fn)
        def compute(*args, **kwargs):
            out = fn(*args, **kwargs)
            extra = None
            if partitions == "yearly":  # the UI shows, per year partition, which weeks it covers
                extra = year_metadata(dg.AssetExecutionContext.get().partition_key)
            yield from validated_events(model, asset_key, out if inspect.isgenerator(out) else [out],
                                        extra_metadata=extra)

        return dg.asset(
            key=asset_key,
            partitions_def=partitions_def,
            group_name=group,
            kinds=set(kinds),
            pool=DUCKDB_POOL,
            metadata={**part_meta, **(metadata or {})},
            owners=list(OWNERS),
            code_version=code_version,
            check_specs=[schema_check_spec(asset_key, model, partitions_def), *check_specs],
            **asset_kwargs,
        )(compute)

    return decorator
