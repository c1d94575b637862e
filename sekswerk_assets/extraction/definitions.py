import dagster as dg

from sekswerk_assets import settings
from sekswerk_assets.extraction.assets import parsed_ads, parsed_ads_schema_check
from sekswerk_assets.lib.pseudonym import PseudonymResource


def pseudonym_resource() -> PseudonymResource:
    """Pseudonym key from SEKSWERK_PSEUDONYM_KEY (a dev key under the data dir when unset)."""
    return PseudonymResource(
        key=settings.config_value("SEKSWERK_PSEUDONYM_KEY"),
        data_dir=settings.config_value("SEKSWERK_DATA_DIR"),
    )


defs = dg.Definitions(
    assets=[parsed_ads],
    asset_checks=[parsed_ads_schema_check],
    resources={"pseudonyms": pseudonym_resource()},
)
