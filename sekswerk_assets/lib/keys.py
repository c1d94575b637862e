"""Asset keys that cross stage boundaries: stages depend on each other through these keys, never through imports."""

import dagster as dg

from sekswerk_assets.constants import SITES


def raw_snapshot_key(site: str) -> dg.AssetKey:
    """Key of one site's weekly raw snapshot."""
    return dg.AssetKey(["raw_snapshots", site])


RAW_SNAPSHOTS = [raw_snapshot_key(s) for s in SITES]
MUNICIPALITIES = dg.AssetKey(["reference", "municipalities"])
PARSED_ADS = dg.AssetKey(["ads", "parsed_ads"])
WEEKLY_UNIQUE_ADS = dg.AssetKey(["ads", "weekly_unique_ads"])
AD_STATE = dg.AssetKey(["ads", "ad_state"])
AD_LIFECYCLE = dg.AssetKey(["ads", "ad_lifecycle"])
AD_LIFECYCLE_YEAR = dg.AssetKey(["ads", "ad_lifecycle_year"])
UNIQUE_WORKERS = dg.AssetKey(["ads", "unique_workers"])
SURVEY_EXPORTS = dg.AssetKey(["survey", "exports"])
SURVEY_MUNICIPALITIES = dg.AssetKey(["survey", "municipalities_responses"])
SURVEY_FOLLOWUP = dg.AssetKey(["survey", "followup_responses"])
SURVEY_TABLES = dg.AssetKey(["survey", "tables"])
REPORT = dg.AssetKey(["report", "nulmeting_report"])
VALIDATION_SAMPLE = dg.AssetKey(["ads", "validation_sample"])
CODED_SHEET = dg.AssetKey(["validation", "coded_sheet"])
EXTRACTION_ACCURACY = dg.AssetKey(["ads", "extraction_accuracy"])

#: the weekly chain, in flow order
WEEKLY_CHAIN = [*RAW_SNAPSHOTS, PARSED_ADS, WEEKLY_UNIQUE_ADS, AD_STATE, AD_LIFECYCLE]


def survey_ins(*, followup: bool = False) -> dict[str, dg.AssetIn]:
    """Inputs of a survey-side table: the full export's responses, and the follow-up's if asked for."""
    ins = {"full": dg.AssetIn(SURVEY_MUNICIPALITIES)}
    if followup:
        ins["followup"] = dg.AssetIn(SURVEY_FOLLOWUP)
    return ins
