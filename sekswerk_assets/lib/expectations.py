"""Great Expectations suites for the key tables, run as Dagster asset checks.

Pandera guards structure (types, keys, nullability); GX holds the statistical
expectations: allowed sets, value ranges with a tolerated share (``mostly``) and
fill rates. A suite is a list of GX expectation objects built in code and validated
against the DataFrame in an ephemeral context (nothing written to disk).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import dagster as dg
import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def fill_rate(column: str, at_least: float):
    """The share of non-null values in ``column`` is at least ``at_least``."""
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnValuesToNotBeNull(column=column, mostly=at_least)


def validate_suite(df: pd.DataFrame, suite_name: str, expectations: Sequence) -> dg.AssetCheckResult:
    """Validate ``df`` against the expectations; one row per failed expectation in the metadata."""
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False}
    except Exception:  # progress-bar config moved between GX versions; cosmetic only
        pass
    source = context.data_sources.add_pandas(name=f"{suite_name}_source")
    asset = source.add_dataframe_asset(name=suite_name)
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(batch_parameters={"dataframe": df})
    suite = context.suites.add(ExpectationSuite(name=suite_name))
    for exp in expectations:
        suite.add_expectation(exp)
    result = batch.validate(suite)
    rows = []
    for r in result.results:
        cfg = r.expectation_config
        kwargs = cfg.kwargs
        rows.append(
            {
                "expectation": cfg.type,
                "column": kwargs.get("column", ""),
                "success": bool(r.success),
                "unexpected_percent": round(float(r.result.get("unexpected_percent") or 0.0), 2),
            }
        )
    table = pd.DataFrame(rows)
    failed = table[~table["success"]]
    return dg.AssetCheckResult(
        passed=bool(result.success),
        metadata={
            "expectations": len(table),
            "failed": len(failed),
            "results": dg.MetadataValue.md((failed if len(failed) else table).to_markdown(index=False)),
        },
    )


def row_count_between(min_value: int, max_value: int | None = None):
    """The table has at least ``min_value`` (and at most ``max_value``) rows: an empty table fails."""
    import great_expectations.expectations as gxe

    return gxe.ExpectTableRowCountToBeBetween(min_value=min_value, max_value=max_value)


def gx_check(*, asset, name: str, description: str, expectations, rows=None,
             partitions_def: dg.PartitionsDefinition | None = None) -> dg.AssetChecksDefinition:
    """An asset check that loads the asset and validates ``rows(df)`` (default: all rows) against a GX suite.

    ``expectations`` is a function returning the expectation objects: GX binds each object to one suite,
    so every evaluation builds its own.
    """
    from sekswerk_assets.constants import DUCKDB_POOL

    @dg.asset_check(asset=asset, name=name, pool=DUCKDB_POOL, partitions_def=partitions_def, description=description)
    def _check(data: pd.DataFrame) -> dg.AssetCheckResult:
        return validate_suite(rows(data) if rows else data, name, expectations())

    return _check
