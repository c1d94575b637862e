"""A scale-0.05 week collected through the real sandbox server and extracted, shared by the tests."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from sekswerk_assets.defs.collection.assets import raw_snapshots
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.defs.extraction.assets import parsed_ads
from sekswerk_assets.lib.crypto import Cipher, new_key
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.sandbox import SandboxServer, load_config, simulate

from ..conftest import make_resources

SCALE = 0.05
WEEK = "2020-09-01"


@pytest.fixture(scope="session")
def population():
    return simulate(load_config(scale=SCALE))


@pytest.fixture(scope="session")
def extracted(tmp_path_factory):
    """Collect WEEK of all three sites through the sandbox server, then materialise ads/parsed_ads."""
    tmp = tmp_path_factory.mktemp("extraction")
    snap_key, pseudo_key = new_key(), new_key()
    with SandboxServer(load_config(scale=SCALE)) as urls:
        res = make_resources(
            tmp,
            data=DataDirResource(data_dir=str(tmp / "data"), snapshot_key=snap_key),
            ad_sites=AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=urls),
            pseudonyms=PseudonymResource(key=pseudo_key, data_dir=str(tmp / "data")),
        )
        with dg.instance_for_test() as instance:
            collected = dg.materialize([raw_snapshots], partition_key=WEEK, resources=res, instance=instance)
            assert collected.success
            result = dg.materialize([parsed_ads], partition_key=WEEK, resources=res,
                                    instance=instance)
            assert result.success
            again = dg.materialize([parsed_ads], partition_key=WEEK, resources=res,
                                   instance=instance)
            assert again.success
            logs = [str(e) for e in instance.all_logs(result.run_id)] + [
                str(e) for e in instance.all_logs(again.run_id)
            ]
    with duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True) as con:
        df = con.execute("select * from ads.parsed_ads").fetchdf()
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    return {
        "tmp": tmp,
        "df": df,
        "result": result,
        "again": again,
        "logs": logs,
        "pseudonyms": res["pseudonyms"],
        "store": SnapshotStore(tmp / "data", Cipher(snap_key)),
        "db": str(tmp / "warehouse.duckdb"),
        "tables": tables,
    }
