"""Definitions of the survey capability: assets, checks, sensor and the survey source resource.

Merge with ``from sekswerk_assets.survey.definitions import defs``.
"""

import dagster as dg

from sekswerk_assets import settings
from sekswerk_assets.lib.checks import pandera_check
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.schemas.survey import ResponsesModel, SurveyTableModel
from sekswerk_assets.survey.assets import followup_responses, municipalities_responses, response_overview, tables
from sekswerk_assets.survey.source import SurveySource

YEARLY = [municipalities_responses, followup_responses, response_overview, tables]
MODELS = {
    municipalities_responses: ResponsesModel,
    followup_responses: ResponsesModel,
    response_overview: SurveyTableModel,
    tables: SurveyTableModel,
}

extra_assets: list = []
extra_checks: list = []
extra_models: dict = {}
try:  # later stages (policy, licences, enforcement, comparison)
    from sekswerk_assets.survey.stages import STAGE_ASSETS, STAGE_MODELS, UNPARTITIONED

    extra_assets = STAGE_ASSETS + UNPARTITIONED
    extra_models = STAGE_MODELS
except ImportError:  # pragma: no cover
    UNPARTITIONED = []

survey_checks = [
    pandera_check(a, m, partitions_def=a.partitions_def) for a, m in {**MODELS, **extra_models}.items()
]

survey_assets = YEARLY + extra_assets


def survey_source_from_env() -> SurveySource:
    return SurveySource(survey_dir=settings.config_value("SEKSWERK_SURVEY_DIR"))


from sekswerk_assets.survey.sensor import survey_export_sensor  # noqa: E402

defs = dg.Definitions(
    assets=survey_assets,
    asset_checks=survey_checks,
    sensors=[survey_export_sensor],
    resources={"survey_source": survey_source_from_env()},
)
