"""The code location's resources for this environment, every value from ``SEKSWERK_*`` variables.

One place assembles them: tests build the same set with other values (a temporary warehouse, a test
key) and so swap resources, never code paths.
"""

from __future__ import annotations

from sekswerk_assets import settings
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.lib.alerts import AlertWebhookResource
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.lib.warehouse import WarehouseIOManager, WarehouseResource
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.survey.source import SurveySource


def build_resources(**overrides) -> dict:
    """All resources of the code location, from the environment unless overridden."""
    database = overrides.pop("database", None) or settings.config_value("SEKSWERK_DB_PATH")
    resources = {
        # Tables land in schemas named after the asset key prefix (ads, survey, reference, ...).
        # lock-aware: another process's lock on the file is logged, waited for, then a clear error
        "io_manager": WarehouseIOManager(database=database),
        "duckdb": WarehouseResource(database=database),
        "data": DataDirResource(
            data_dir=settings.config_value("SEKSWERK_DATA_DIR"),
            snapshot_key=settings.config_value("SEKSWERK_SNAPSHOT_KEY"),
        ),
        "reference": MunicipalityReference(directory=settings.config_value("SEKSWERK_REFERENCE_DIR")),
        "ad_sites": AdSitesResource.from_env(),
        "pseudonyms": PseudonymResource(
            key=settings.config_value("SEKSWERK_PSEUDONYM_KEY"), data_dir=settings.config_value("SEKSWERK_DATA_DIR")
        ),
        "survey_source": SurveySource(survey_dir=settings.config_value("SEKSWERK_SURVEY_DIR")),
        "alerts": AlertWebhookResource.from_env(),
    }
    resources.update(overrides)
    return resources
