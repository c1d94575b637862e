"""Check factories: every typed asset gets its Pandera model as Dagster type and as a blocking check."""


import functools

import dagster as dg
import pandas as pd
import pandera.pandas as pa
from dagster_pandera import pandera_schema_to_dagster_type

DUCKDB_POOL = "duckdb"


@functools.cache
def dagster_type(model: type[pa.DataFrameModel]) -> dg.DagsterType:
    """The Dagster type of a Pandera DataFrameModel (validates on output); one per model."""
    return pandera_schema_to_dagster_type(model)


def validate(model: type[pa.DataFrameModel], df: pd.DataFrame) -> dg.AssetCheckResult:
    """Run ``model`` lazily over ``df`` and report the failure cases as check metadata."""
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        summary = cases.groupby(["column", "check"], dropna=False).size().reset_index(name="failures")
        return dg.AssetCheckResult(
            passed=False,
            metadata={
                "failures": int(len(cases)),
                "summary": dg.MetadataValue.md(summary.head(30).to_markdown(index=False)),
            },
        )
    return dg.AssetCheckResult(passed=True, metadata={"rows": len(df)})


def pandera_check(
    asset: dg.AssetsDefinition | dg.AssetKey,
    model: type[pa.DataFrameModel],
    *,
    partitions_def: dg.PartitionsDefinition | None = None,
    pool: str | None = DUCKDB_POOL,
) -> dg.AssetChecksDefinition:
    """A blocking asset check that loads the asset (through its IO manager) and re-validates its model."""

    @dg.asset_check(
        asset=asset,
        name=f"{model.__name__}_schema",
        description=f"Rows satisfy the Pandera model {model.__name__}.",
        blocking=True,
        pool=pool,
        partitions_def=partitions_def,
    )
    def _check(context: dg.AssetCheckExecutionContext, data: pd.DataFrame) -> dg.AssetCheckResult:
        return validate(model, data)

    return _check

