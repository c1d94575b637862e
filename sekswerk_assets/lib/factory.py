"""One factory for the project's typed DataFrame assets: the defaults every stage shares, defined once.

``typed_asset`` is ``@dg.asset`` with the project's conventions filled in: the weekly or yearly
partitions with their ``partition_expr``, the DuckDB pool, owners, kinds, a code version, and the
Pandera model as an in-step blocking check (see :mod:`sekswerk_assets.lib.checks`). The decorated
function returns a DataFrame or a ``dg.Output``, or yields those and check results.

Weekly assets may also run a range of weeks in one run (a year's backfill, ``BackfillPolicy.single_run``).
Their partitioned checks then report one result per week (:func:`partition_check_events`), so a bad week
fails its own check, as it does in a one-week run.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable
from typing import Literal, NamedTuple

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
#: the column every weekly table holds its partition key in (``WEEK_PARTITION_EXPR`` casts it)
WEEK_COLUMN = "measurement_week"


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


def range_weeks(context: dg.AssetExecutionContext | None = None) -> list[str] | None:
    """The weekly keys of a run over a range of weeks (a backfill's run); None in a run of one partition key.

    A range of one week counts as a range: a check result of such a run would otherwise carry no partition.
    """
    context = context or dg.AssetExecutionContext.get()
    if not context.has_partition_key_range:
        return None
    return list(context.partition_keys)


def partition_check_events(context: dg.AssetExecutionContext, results: Iterable[tuple[str, dg.AssetCheckResult]]):
    """Events reporting each ``(partition, result)`` as that partition's evaluation of the check, in a range run.

    ``dg.AssetCheckResult`` carries no partition (in a range run it would be recorded without one), so each
    result becomes a ``dg.AssetCheckEvaluation`` for its partition, with the spec's blocking flag: a failed
    blocking week fails the step after its outputs, as in a one-week run. The check's output (when the check
    is selected) is yielded once.
    """
    assets_def = context.assets_def
    emitted = set()
    for partition, result in results:
        key = result.asset_key or (assets_def.key if len(assets_def.keys) == 1 else None)
        spec = assets_def.get_spec_for_check_key(dg.AssetCheckKey(key, result.check_name))
        yield dg.AssetCheckEvaluation(
            asset_key=key, check_name=result.check_name, passed=result.passed, metadata=result.metadata,
            severity=result.severity, description=result.description, blocking=spec.blocking, partition=partition,
        )
        emitted.add(spec.key)
    selected = context.selected_asset_check_keys
    for check_key in sorted(emitted & selected, key=lambda k: k.to_user_string()):  # as Dagster does for a result
        yield dg.Output(None, output_name=assets_def.get_output_name_for_asset_check_key(check_key))


def weekly_schema_results(model: type[pa.DataFrameModel], key: dg.AssetKey, df: pd.DataFrame, weeks: list[str],
                          row_wise: bool = False):
    """The frame to store, each week's schema check and the first failed one, over the weeks of a range.

    The models describe one partition (e.g. "one week per partition", keys unique within the week), so
    each week's rows are validated on their own, as in a one-week run. ``row_wise``: every check of the model
    holds for any subset of rows that passes it (column checks, row-wise frame checks, uniqueness over keys
    that include the week), so when the range's rows pass as a whole, each week's rows pass: the range is then
    validated once and each week reported as passed with its own row count; otherwise (or when a week has no
    rows) week by week as above, so a failure is reported for the week it is in.
    """
    if row_wise and len(weeks) > 1 and len(df):
        rows = df[WEEK_COLUMN].value_counts()
        if set(rows.index) == set(weeks):
            stored, result = checked(model, df, key)
            if result.passed:
                return stored, [(week, dg.AssetCheckResult(asset_key=key, check_name=result.check_name, passed=True,
                                                           metadata={"rows": int(rows[week])})) for week in weeks], None
    by_week = dict(tuple(df.groupby(WEEK_COLUMN, sort=False))) if len(df) else {}
    stored, results, failed = [], [], None
    for week in weeks:
        part, result = checked(model, by_week.get(week, df.iloc[:0]), key)
        stored.append(part)
        results.append((week, result))
        if failed is None and not result.passed:
            failed = result
    return pd.concat(stored, ignore_index=True), results, failed


class WeeklyChecked(NamedTuple):
    """A range run's output whose rows the asset validated week by week itself (e.g. in its worker processes).

    ``output.value`` is the frame to store (as :func:`checked` returns it); ``schema_results`` holds each
    week's result of the model's check.
    """

    output: dg.Output
    schema_results: list[tuple[str, dg.AssetCheckResult]]


def validated_events(model: type[pa.DataFrameModel], key: dg.AssetKey, events: Iterable, output_name: str = "result",
                     extra_metadata: dict | None = None, weekly: bool = False, row_wise: bool = False):
    """Pass events through; validate every DataFrame output first and yield its schema check before it.

    ``extra_metadata`` (e.g. a yearly partition's weeks) is added to every output's metadata. ``weekly``:
    the asset is weekly, so in a range run the schema check is reported per week (``row_wise``: see
    :func:`weekly_schema_results`).
    """
    weeks = range_weeks() if weekly else None
    for event in events:
        if isinstance(event, pd.DataFrame):
            event = dg.Output(event, output_name=output_name)
        if isinstance(event, WeeklyChecked):
            yield from partition_check_events(dg.AssetExecutionContext.get(), event.schema_results)
            failed = next((r for _, r in event.schema_results if not r.passed), None)
            if failed is not None:
                raise schema_failure(key, failed)
            df, event = event.output.value, event.output
            yield _typed_output(model, df, event, extra_metadata)
        elif isinstance(event, dg.Output) and isinstance(event.value, pd.DataFrame):
            if weeks:
                df, per_week, failed = weekly_schema_results(model, key, event.value, weeks, row_wise)
                yield from partition_check_events(dg.AssetExecutionContext.get(), per_week)
                if failed is not None:
                    raise schema_failure(key, failed)
            else:
                df, result = checked(model, event.value, key)
                yield result
                if not result.passed:
                    raise schema_failure(key, result)
            yield _typed_output(model, df, event, extra_metadata)
        else:
            yield event


def _typed_output(model: type[pa.DataFrameModel], df: pd.DataFrame, event: dg.Output, extra_metadata: dict | None):
    meta = {"dagster/row_count": len(df), "dagster/column_schema": column_schema(model, df),
            **(extra_metadata or {}), **(event.metadata or {})}
    return dg.Output(df, output_name=event.output_name, metadata=meta, data_version=event.data_version, tags=event.tags)


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
                                        extra_metadata=extra, weekly=partitions == "weekly")

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
