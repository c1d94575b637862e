import dagster as dg

from sekswerk_assets.collection.assets import raw_snapshots
from sekswerk_assets.collection.schedules import collection_job, missing_collection_sensor, weekly_collection_schedule

defs = dg.Definitions(
    assets=raw_snapshots,
    jobs=[collection_job],
    schedules=[weekly_collection_schedule],
    sensors=[missing_collection_sensor],
)
