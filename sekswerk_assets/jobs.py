"""Jobs across stages: everything weekly for one week, everything yearly for one measurement year."""

import dagster as dg

from sekswerk_assets.partitions import measurement_year_partitions, weekly_partitions

#: all weekly-partitioned assets (collection, then the weekly ad tables downstream of it)
WEEKLY = dg.AssetSelection.key_prefixes("raw_snapshots") | dg.AssetSelection.assets(
    ["ads", "parsed_ads"], ["ads", "weekly_unique_ads"], ["ads", "ad_state"], ["ads", "ad_lifecycle"]
)
#: all yearly-partitioned assets (reference, yearly ad tables, survey, report)
YEARLY = (
    dg.AssetSelection.key_prefixes("reference", "survey", "report")
    | dg.AssetSelection.key_prefixes("ads") - dg.AssetSelection.assets(
        ["ads", "parsed_ads"], ["ads", "weekly_unique_ads"], ["ads", "ad_state"], ["ads", "ad_lifecycle"]
    )
)

weekly_pipeline = dg.define_asset_job(
    name="weekly_pipeline",
    selection=WEEKLY,
    partitions_def=weekly_partitions,
    executor_def=dg.in_process_executor,
    description="One weekly measurement end to end: collect the three sites and process the week.",
)

yearly_pipeline = dg.define_asset_job(
    name="yearly_pipeline",
    selection=YEARLY,
    partitions_def=measurement_year_partitions,
    description="Every yearly asset of one measurement year (run after its weeks).",
)

defs = dg.Definitions(jobs=[weekly_pipeline, yearly_pipeline])
