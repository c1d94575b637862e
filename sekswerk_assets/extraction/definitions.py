import dagster as dg

from sekswerk_assets.extraction.assets import parsed_ads, parsed_ads_schema_check

# the pseudonym resource is built with the others in sekswerk_assets/resources.py
defs = dg.Definitions(assets=[parsed_ads], asset_checks=[parsed_ads_schema_check])
