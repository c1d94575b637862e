"""Disclosure settings of published tables, defined once for both flows."""

import dagster as dg

#: counts 1..MIN_CELL-1 that the report did not print itself are suppressed
MIN_CELL = 5


class DisclosureConfig(dg.Config):
    """Disclosure control of published tables (run config of every asset that publishes counts)."""

    min_cell: int = MIN_CELL
