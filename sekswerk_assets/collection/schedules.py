"""Weekly collection job, its schedule, and the sensor that flags weeks without a collection."""


import datetime as dt

import dagster as dg

from sekswerk_assets import settings
from sekswerk_assets.collection.adapters import SITES
from sekswerk_assets.collection.assets import raw_snapshot_key, raw_snapshots
from sekswerk_assets.partitions import TIMEZONE, week_of_date, weekly_partitions

collection_job = dg.define_asset_job(
    name="weekly_collection",
    selection=dg.AssetSelection.assets(*raw_snapshots),
    partitions_def=weekly_partitions,
    # one process: the sandbox (if used) starts once and the sites are collected one after another
    executor_def=dg.in_process_executor,
    description="Collect the three ad sites for one weekly partition (also used for sandbox backfills).",
)


def _real_sites_configured() -> bool:
    return any(settings.get(f"SEKSWERK_{s.upper()}_URL") for s in SITES)


@dg.schedule(
    job=collection_job,
    cron_schedule="0 7 * * 2",  # Tuesday 07:00
    execution_timezone=TIMEZONE,
    # stopped by default when real sites are configured: start it deliberately in the UI
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every Tuesday morning: collect the CURRENT week's partition (the week that starts today).",
)
def weekly_collection_schedule(context: dg.ScheduleEvaluationContext):
    scheduled = context.scheduled_execution_time.astimezone(dt.timezone.utc).date()
    week = week_of_date(scheduled)
    return dg.RunRequest(run_key=week, partition_key=week)


@dg.sensor(
    minimum_interval_seconds=6 * 3600,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Flags finished weeks without a raw snapshot: a real-site week can never be collected later.",
)
def missing_collection_sensor(context: dg.SensorEvaluationContext):
    current = week_of_date(dt.date.today())
    # real sites: every finished week up to now should exist; sandbox: only gaps inside the collected range
    real = _real_sites_configured()
    events = []
    notes = []
    for site in SITES:
        key = raw_snapshot_key(site)
        done = context.instance.get_materialized_partitions(key)
        if not done:
            continue
        first, last = min(done), max(done)
        until = current if real else last
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

