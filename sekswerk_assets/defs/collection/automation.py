"""Unattended collection: freshness deadlines of the week, and the sensor that flags weeks never collected.

The weekly collection itself is started by the raw-snapshot assets' own automation condition
(``on_cron`` Tuesday 07:00 Europe/Amsterdam), evaluated by the code location's automation sensor.
"""

import datetime as dt

import dagster as dg

from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.constants import SITES
from sekswerk_assets.lib.automation import automation_default_status
from sekswerk_assets.lib.keys import AD_LIFECYCLE, PARSED_ADS, RAW_SNAPSHOTS, WEEKLY_UNIQUE_ADS, raw_snapshot_key
from sekswerk_assets.partitions import TIMEZONE, today, week_of_date, weekly_partitions

#: the week's raw snapshots must exist by Tuesday 18:00 (collection starts at 07:00)
SNAPSHOT_DEADLINE_CRON = "0 18 * * 2"

snapshot_freshness_checks = dg.build_last_update_freshness_checks(
    assets=RAW_SNAPSHOTS,
    deadline_cron=SNAPSHOT_DEADLINE_CRON,
    lower_bound_delta=dt.timedelta(hours=11),
    timezone=TIMEZONE,
    severity=dg.AssetCheckSeverity.ERROR,
)

#: the week's processed tables follow by Tuesday 20:00 (their processing starts as soon as collection ends)
PROCESSED_DEADLINE_CRON = "0 20 * * 2"

processed_freshness_checks = dg.build_last_update_freshness_checks(
    assets=[PARSED_ADS, WEEKLY_UNIQUE_ADS, AD_LIFECYCLE],
    deadline_cron=PROCESSED_DEADLINE_CRON,
    lower_bound_delta=dt.timedelta(hours=13),
    timezone=TIMEZONE,
    severity=dg.AssetCheckSeverity.ERROR,
)

#: evaluates the freshness checks (they have no run of their own): a missing week fails them, and alerts follow
freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=[*snapshot_freshness_checks, *processed_freshness_checks],
    default_status=automation_default_status(),
    name="weekly_freshness_sensor",
)


@dg.sensor(
    minimum_interval_seconds=6 * 3600,
    default_status=automation_default_status(),
    description="Flags finished weeks without a raw snapshot: a real-site week can never be collected later.",
)
def missing_collection_sensor(context: dg.SensorEvaluationContext, ad_sites: AdSitesResource):
    current = week_of_date(today())
    events, notes = [], []
    for site in SITES:
        key = raw_snapshot_key(site)
        done = context.instance.get_materialized_partitions(key)
        if not done:
            continue
        first, last = min(done), max(done)
        # a real site: every finished week up to now should exist; the sandbox: only gaps inside the collected range
        until = last if ad_sites.is_sandbox(site) else current
        missing = [k for k in weekly_partitions.get_partition_keys() if first <= k < until and k not in done]
        events.append(
            dg.AssetObservation(
                asset_key=key,
                metadata={"missing_weeks": len(missing), "missing_week_keys": ", ".join(missing[-20:]) or "-"},
            )
        )
        if missing:
            notes.append(f"{site}: {len(missing)} week(s) without collection, latest {missing[-1]}")
    return dg.SensorResult(asset_events=events, skip_reason="; ".join(notes) or "no missing weeks")
