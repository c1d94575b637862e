import dagster as dg

from sekswerk_assets.deduplication.assets import assets, checks

defs = dg.Definitions(assets=assets, asset_checks=checks)
