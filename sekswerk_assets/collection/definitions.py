import dagster as dg

from sekswerk_assets.collection.assets import raw_snapshots
from sekswerk_assets.collection.retention import raw_snapshot_retention
from sekswerk_assets.collection.schedules import collection_job, missing_collection_sensor, weekly_collection_schedule

defs = dg.Definitions(
    assets=raw_snapshots,
    jobs=[collection_job, raw_snapshot_retention],
    schedules=[weekly_collection_schedule],
    sensors=[missing_collection_sensor],
)
