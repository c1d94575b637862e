"""Shared fixtures: a temporary Dagster home, warehouse and data folder per test session or test."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from sekswerk_assets.lib.crypto import new_key
from sekswerk_assets.environment import build_resources

REPO = Path(__file__).resolve().parents[1]
PACKAGED_REFERENCE = REPO / "sekswerk_assets" / "reference" / "data"


@pytest.fixture(scope="session", autouse=True)
def _isolated_env(tmp_path_factory):
    """Keep Dagster's instance, temp files and keys out of the working tree."""
    home = tmp_path_factory.mktemp("dagster_home")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("SEKSWERK_REFERENCE_DIR", str(PACKAGED_REFERENCE))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    yield


@pytest.fixture
def instance():
    with dg.instance_for_test() as inst:
        yield inst


@pytest.fixture
def reference_dir() -> Path:
    path = Path(os.environ["SEKSWERK_REFERENCE_DIR"])
    if not path.exists():
        pytest.fail(f"reference data not found at {path}; set SEKSWERK_REFERENCE_DIR")
    return path


def make_resources(tmp_path: Path, **overrides) -> dict:
    """The production resource set pointed at a temporary warehouse and data folder."""
    from sekswerk_assets.lib.pseudonym import PseudonymResource
    from sekswerk_assets.reference.loader import MunicipalityReference
    from sekswerk_assets.resources import DataDirResource
    from sekswerk_assets.survey.source import SurveySource

    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    base = {
        "database": str(tmp_path / "warehouse.duckdb"),
        "data": DataDirResource(data_dir=str(data_dir), snapshot_key=new_key()),
        "reference": MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False),
        "pseudonyms": PseudonymResource(key=new_key(), data_dir=str(data_dir)),
        "survey_source": SurveySource(survey_dir=str(tmp_path / "survey")),
    }
    base.update(overrides)
    return build_resources(**base)


@pytest.fixture
def resources(tmp_path) -> dict:
    return make_resources(tmp_path)
