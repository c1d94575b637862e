"""Definitions of the survey capability: assets, checks, sensor and the survey source resource.

Merge with ``from sekswerk_assets.survey.definitions import defs``.
"""

import dagster as dg

from sekswerk_assets.lib.checks import pandera_check
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.schemas.survey import ResponsesModel, SurveyTableModel
from sekswerk_assets.survey.assets import response_overview, survey_responses, tables
from sekswerk_assets.survey.stages import STAGE_ASSETS, STAGE_MODELS, UNPARTITIONED

YEARLY = [survey_responses, response_overview, tables]
MODELS = {
    dg.AssetKey(["survey", "municipalities_responses"]): ResponsesModel,
    dg.AssetKey(["survey", "followup_responses"]): ResponsesModel,
    response_overview: SurveyTableModel,
    tables: SurveyTableModel,
}

# later stages: policy typology, licences, enforcement trends (yearly) and the year comparison (not partitioned);
# imported directly so that an error in a stage fails the code location instead of dropping its assets
extra_assets: list = STAGE_ASSETS + UNPARTITIONED
extra_models: dict = STAGE_MODELS

survey_checks = [
    pandera_check(a, m, partitions_def=measurement_year_partitions if isinstance(a, dg.AssetKey) else a.partitions_def)
    for a, m in {**MODELS, **extra_models}.items()
]

survey_assets = YEARLY + extra_assets


from sekswerk_assets.survey.sensor import survey_export_sensor  # noqa: E402

defs = dg.Definitions(
    assets=survey_assets,
    asset_checks=survey_checks,
    sensors=[survey_export_sensor],
)
