"""Helpers for the survey tests: resources, materialisation and small hand-made exports."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from sekswerk_assets.codebook import load_codebook
from sekswerk_assets.definitions import load_definitions
from sekswerk_assets.survey.source import SurveySource
from sekswerk_assets_tests.conftest import make_resources

SURVEY_GROUPS = {"survey", "policy", "licences", "enforcement"}
#: the survey flow's materialisable assets (the exports source asset is observed, not materialised)
survey_assets = [
    a for a in load_definitions().assets
    if isinstance(a, dg.AssetsDefinition) and a.is_materializable
    and set(a.group_names_by_key.values()) <= SURVEY_GROUPS
]
UNPARTITIONED = [a for a in survey_assets if a.partitions_def is None]
YEARLY = [a for a in survey_assets if a not in UNPARTITIONED]
#: the survey flow's separate checks (the Pandera schema checks run inside each asset's step)
survey_checks = [
    c for c in (load_definitions().asset_checks or [])
    if any(k.asset_key.path[0] == "survey" for k in c.check_keys)
]


def resources(tmp_path: Path, survey_dir: Path | None = None) -> dict:
    survey_dir = survey_dir or tmp_path / "survey"
    return make_resources(tmp_path, survey_source=SurveySource(survey_dir=str(survey_dir)))


def materialize(tmp_path, instance, year="2020", survey_dir=None, assets=None, raise_on_error=True, res=None):
    return dg.materialize(
        assets or YEARLY,
        partition_key=year,
        resources=res or resources(tmp_path, survey_dir),
        instance=instance,
        raise_on_error=raise_on_error,
        selection=None,
    )


def query(tmp_path: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


def table_exists(tmp_path: Path, schema: str, table: str) -> bool:
    if not (tmp_path / "warehouse.duckdb").exists():
        return False
    df = query(tmp_path, f"select count(*) n from information_schema.tables where table_schema='{schema}' and table_name='{table}'")
    return bool(df["n"].iloc[0])


def rows_for_year(tmp_path: Path, schema: str, table: str, year: str) -> int:
    if not table_exists(tmp_path, schema, table):
        return 0
    return int(query(tmp_path, f"select count(*) n from {schema}.{table} where measurement_year='{year}'")["n"].iloc[0])


def empty_export(names: list[str], export: str = "full") -> pd.DataFrame:
    """An export frame with every codebook column, one row per municipality, all answers empty."""
    cols = [c.name for c in load_codebook().columns(export)]
    df = pd.DataFrame({c: [""] * len(names) for c in cols})
    df["q1"] = names
    return df


def answer(df: pd.DataFrame, i: int, **values) -> None:
    for k, v in values.items():
        df.loc[i, k] = "" if v is None else str(v)


def multi(df: pd.DataFrame, i: int, q: str, n_options: int, ticked: set[int]) -> None:
    for k in range(1, n_options + 1):
        df.loc[i, f"{q}_{k}"] = "1" if k in ticked else "0"
