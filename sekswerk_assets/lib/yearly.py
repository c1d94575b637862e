"""The yearly assets follow the last week of their measurement year.

Dagster's automation conditions cannot map a weekly time partition to a year of a static partition
set (no built-in mapping between them), so this one step is a sensor: when the last week of year Y
has its lifecycle row, it requests every yearly asset of Y once (keyed by year, so never twice).
"""

from __future__ import annotations

import dagster as dg

from sekswerk_assets.lib.keys import AD_LIFECYCLE, SURVEY_EXPORTS, WEEKLY_CHAIN
from sekswerk_assets.partitions import measurement_year_partitions, weeks_of_year

#: the yearly ad assets, the report and the reference: everything partitioned by year except the survey inputs
YEARLY_AFTER_WEEKS = (
    dg.AssetSelection.key_prefixes("ads", "report", "reference")
    - dg.AssetSelection.assets(*WEEKLY_CHAIN)
    - dg.AssetSelection.assets(SURVEY_EXPORTS)
)


def years_ready(done_weeks: set[str]) -> list[str]:
    """Measurement years whose last week is among ``done_weeks``."""
    return [y for y in measurement_year_partitions.get_partition_keys() if weeks_of_year(y)[-1] in done_weeks]


def yearly_after_last_week_sensor(default_status: dg.DefaultSensorStatus) -> dg.SensorDefinition:
    @dg.sensor(
        name="yearly_after_last_week",
        asset_selection=YEARLY_AFTER_WEEKS,
        minimum_interval_seconds=300,
        default_status=default_status,
        description="Requests a measurement year's yearly assets once its last week has been processed.",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        done = set(context.instance.get_materialized_partitions(AD_LIFECYCLE))
        ready = years_ready(done)
        if not ready:
            return dg.SkipReason("no measurement year has its last week processed yet")
        return [dg.RunRequest(run_key=f"year-{y}", partition_key=y) for y in ready]

    return _sensor
