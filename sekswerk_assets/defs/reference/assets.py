"""The municipality reference as an asset per measurement year."""

import dagster as dg

from sekswerk_assets.lib.factory import typed_asset
from sekswerk_assets.lib.keys import MUNICIPALITIES
from sekswerk_assets.lib.metadata import provenance, table_metadata
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.schemas.reference import MunicipalitiesModel


@typed_asset(key=MUNICIPALITIES, model=MunicipalitiesModel, partitions="yearly", group="reference", code_version="1")
def municipalities(context: dg.AssetExecutionContext, reference: MunicipalityReference) -> dg.Output:
    """CBS municipalities with population and size class for a measurement year (list of 1 January Y+1)."""
    year = context.partition_key
    list_year = list_year_for(year)
    df = reference.municipalities(list_year)
    df.insert(0, "list_year", list_year)
    df.insert(0, "measurement_year", year)
    counts = df["size_class"].value_counts().to_dict()
    return dg.Output(df, metadata={
        **table_metadata(df),
        **provenance(synthetic=False, source=f"CBS 03759ned, 1 January {list_year}"),
        "municipalities": len(df),
        "inhabitants": int(df["population"].sum()),
        **{f"size_class/{k}": int(v) for k, v in counts.items()},
    })
