"""Jobs across stages, for the UI and for backfills: everything weekly for one week, everything yearly for one year.

Day-to-day runs are started by the assets' automation conditions; these jobs group the same assets so a
person can launch or backfill a whole week or year at once, and so runs show under a job in the UI.
"""

import dagster as dg

from sekswerk_assets.lib.keys import SURVEY_EXPORTS, WEEKLY_CHAIN

#: all weekly-partitioned assets (collection, then the weekly ad tables downstream of it)
WEEKLY = dg.AssetSelection.assets(*WEEKLY_CHAIN)
#: all yearly-partitioned assets (reference, yearly ad tables, survey, report)
YEARLY = (
    dg.AssetSelection.key_prefixes("reference", "survey", "report", "ads")
    - WEEKLY
    - dg.AssetSelection.assets(SURVEY_EXPORTS)
)

weekly_pipeline = dg.define_asset_job(
    name="weekly_pipeline",
    selection=WEEKLY,
    # one process: the sandbox (if used) starts once and the sites are collected one after another
    executor_def=dg.in_process_executor,
    description="One weekly measurement end to end: collect the three sites and process the week.",
)

yearly_pipeline = dg.define_asset_job(
    name="yearly_pipeline",
    selection=YEARLY,
    description="Every yearly asset of one measurement year (run after its weeks).",
)

JOBS = [weekly_pipeline, yearly_pipeline]
