"""The municipality reference as an asset per measurement year."""


import dagster as dg
import pandas as pd

from sekswerk_assets.lib.checks import DUCKDB_POOL, dagster_type, pandera_check
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.schemas.reference import MunicipalitiesModel


@dg.asset(
    key=["reference", "municipalities"],
    partitions_def=measurement_year_partitions,
    group_name="reference",
    kinds={"duckdb", "pandas"},
    pool=DUCKDB_POOL,
    dagster_type=dagster_type(MunicipalitiesModel),
    metadata={"partition_expr": "measurement_year"},
    owners=["team:data-engineering"],
)
def municipalities(context: dg.AssetExecutionContext, reference: MunicipalityReference) -> pd.DataFrame:
    """CBS municipalities with population and size class for a measurement year (list of 1 January Y+1)."""
    year = context.partition_key
    list_year = list_year_for(year)
    df = reference.municipalities(list_year)
    df.insert(0, "list_year", list_year)
    df.insert(0, "measurement_year", year)
    counts = df["size_class"].value_counts().to_dict()
    context.add_output_metadata(
        {
            **table_metadata(df),
            **provenance(synthetic=False, source=f"CBS 03759ned, 1 January {list_year}"),
            "municipalities": len(df),
            "inhabitants": int(df["population"].sum()),
            **{f"size_class/{k}": int(v) for k, v in counts.items()},
        }
    )
    return df


municipalities_schema_check = pandera_check(
    municipalities, MunicipalitiesModel, partitions_def=measurement_year_partitions
)

defs = dg.Definitions(assets=[municipalities], asset_checks=[municipalities_schema_check])
