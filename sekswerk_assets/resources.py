"""Resources shared by all stages, each configured from ``SEKSWERK_*`` environment variables.

Stage-specific resource classes (the ad-site client, pseudonyms, the survey source) live with their
stage; :func:`build_resources` assembles the full set used by ``definitions.py``.
Tests build the same resources with other values (a temporary warehouse, a test key):
they swap resources, never code paths.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from sekswerk_assets import settings
from sekswerk_assets.lib.crypto import Cipher, load_or_create_dev_key
from sekswerk_assets.lib.warehouse import WarehouseIOManager, WarehouseResource
from sekswerk_assets.reference.loader import MunicipalityReference


class DataDirResource(dg.ConfigurableResource):
    """Root folder of everything the pipeline writes outside the warehouse, and the snapshot key."""

    data_dir: str
    snapshot_key: str | None = None

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    def cipher(self) -> Cipher:
        key = self.snapshot_key or load_or_create_dev_key(self.root / "keys" / "dev_snapshot.key", "snapshot")
        return Cipher(key)


def build_resources(**overrides) -> dict:
    """All resources of the code location, from the environment unless overridden."""
    from sekswerk_assets.collection.client import AdSitesResource
    from sekswerk_assets.lib.pseudonym import PseudonymResource
    from sekswerk_assets.survey.source import SurveySource

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
    }
    resources.update(overrides)
    return resources
