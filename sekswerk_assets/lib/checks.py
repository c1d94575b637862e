"""Pandera models as in-step, blocking asset checks: a schema failure is a failed check in the UI.

Every typed DataFrame asset validates its own output before anything is written. On failure the step
yields the failed check (columns, checks and failure counts, never a value: cells may be personal) and
stops, so the warehouse keeps its previous partition and nothing downstream runs.
"""

from __future__ import annotations

import dagster as dg
import pandas as pd
import pandera.pandas as pa


def schema_check_name(model: type[pa.DataFrameModel]) -> str:
    return f"{model.__name__}_schema"


def schema_check_spec(key: dg.AssetKey, model: type[pa.DataFrameModel],
                      partitions_def: dg.PartitionsDefinition | None = None) -> dg.AssetCheckSpec:
    """The blocking check spec that :func:`checked` fills in (partitioned like its asset: one result per partition)."""
    return dg.AssetCheckSpec(
        schema_check_name(model), asset=key, blocking=True, partitions_def=partitions_def,
        description=f"Rows satisfy the Pandera model {model.__name__} (validated in the step, before writing).",
    )


def column_schema(model: type[pa.DataFrameModel], df: pd.DataFrame) -> dg.TableSchema:
    """The output's columns with their dtypes and the model's field descriptions."""
    fields = model.to_schema().columns
    return dg.TableSchema(columns=[
        dg.TableColumn(name=str(c), type=str(t), description=getattr(fields.get(c), "description", None))
        for c, t in df.dtypes.items()
    ])


def text_columns(model: type[pa.DataFrameModel]) -> list[str]:
    """Columns the model declares as text."""
    return [n for n, c in model.to_schema().columns.items() if str(c.dtype) in ("str", "string")]


def with_string_dtype(model: type[pa.DataFrameModel], df: pd.DataFrame) -> pd.DataFrame:
    """The frame with pandas' ``string`` dtype for the model's text columns (None becomes <NA>)."""
    out = df.copy()
    for col in text_columns(model):
        if col in out and out[col].dtype == object:
            out[col] = out[col].astype("string")
    return out


def checked(model: type[pa.DataFrameModel], df: pd.DataFrame, key: dg.AssetKey) -> tuple[pd.DataFrame, dg.AssetCheckResult]:
    """Validate ``df`` lazily; return the frame to store (text columns as ``string``) and the check result.

    The model validates a copy (with its coercions); what is stored is the asset's own frame, so a model
    never changes values behind the asset's back. The result holds no cell values.
    """
    name = schema_check_name(model)
    try:
        model.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        summary = cases.groupby(["column", "check"], dropna=False).size().reset_index(name="failures")
        summary["column"] = summary["column"].astype(str)
        return df, dg.AssetCheckResult(
            asset_key=key, check_name=name, passed=False,
            metadata={
                "failures": int(len(cases)),
                "columns": dg.MetadataValue.json(sorted(set(summary["column"]))),
                "summary": dg.MetadataValue.md(summary.head(30).to_markdown(index=False)),
            },
        )
    return with_string_dtype(model, df), dg.AssetCheckResult(asset_key=key, check_name=name, passed=True,
                                                              metadata={"rows": len(df)})


def schema_failure(key: dg.AssetKey, result: dg.AssetCheckResult) -> dg.Failure:
    """The step failure that follows a failed schema check: names the asset and check, shows no values."""
    return dg.Failure(
        description=(f"{key.to_user_string()}: {result.metadata['failures'].value} rows/cells fail "
                     f"{result.check_name}; nothing was written (see the check's summary)."),
        metadata={"columns": result.metadata["columns"]},
    )


def factory_checks(assets_defs) -> list[dg.AssetChecksDefinition]:
    """Dagster's own check factories over every table asset: a row count of at least one, and no column change.

    Both read the materialisation metadata the asset factory writes (``dagster/row_count``,
    ``dagster/column_schema``), so they cost nothing and need no warehouse connection. A change of columns
    between two materialisations is a warning: intended when a model changes, a layout break when not.
    """
    keys = sorted(
        {k for a in assets_defs if isinstance(a, dg.AssetsDefinition)
         for k in a.keys if "pandas" in a.specs_by_key[k].kinds},
        key=lambda k: k.to_user_string(),
    )
    return [
        *dg.build_metadata_bounds_checks(assets=keys, severity=dg.AssetCheckSeverity.WARN,
                                         metadata_key="dagster/row_count", min_value=1),
        *dg.build_column_schema_change_checks(assets=keys, severity=dg.AssetCheckSeverity.WARN),
    ]
