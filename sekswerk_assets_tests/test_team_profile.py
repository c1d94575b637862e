"""The team profile: a real PostgreSQL instance storage records the runs."""

import os
import shutil
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from sekswerk_assets.defs.reference.assets import municipalities

from .conftest import make_resources
from .services import pg_bin, postgres

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(pg_bin() is None and not os.environ.get("CI"), reason="PostgreSQL not installed (CI installs it)")
def test_materialisation_is_recorded_in_postgres(tmp_path, monkeypatch):
    with postgres(tmp_path / "pg") as pg:
        monkeypatch.setenv("SEKSWERK_PG_URL", pg["SEKSWERK_PG_URL"])
        home = tmp_path / "home"
        home.mkdir()
        shutil.copy(REPO / "deploy" / "team" / "dagster.yaml", home / "dagster.yaml")
        instance = dg.DagsterInstance.from_config(str(home))
        try:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            result = dg.materialize([municipalities], partition_key="2020", resources=make_resources(tmp_path),
                                    instance=instance)
            assert result.success
        finally:
            instance.dispose()
        with psycopg2.connect(host="127.0.0.1", port=pg["port"], user="dagster",
                              dbname="dagster") as con, con.cursor() as cur:
            cur.execute("select status from runs where run_id = %s", (result.run_id,))
            assert cur.fetchone() == ("SUCCESS",)
            cur.execute("select count(*) from event_logs where run_id = %s and dagster_event_type = 'ASSET_MATERIALIZATION'",
                        (result.run_id,))
            assert cur.fetchone()[0] == 1
