"""Definitions of the report stage; merge with ``from sekswerk_assets.report.definitions import defs``."""

import dagster as dg

from sekswerk_assets.report.assets import assets, checks

defs = dg.Definitions(assets=assets, asset_checks=checks)
