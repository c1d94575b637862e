"""Retention deletes only old snapshots whose parsed rows exist, and logs what it deleted."""

import datetime as dt

import duckdb
import pandas as pd

from sekswerk_assets.defs.collection.retention import raw_snapshot_retention
from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore
from sekswerk_assets.partitions import today, week_of_date

from .conftest import make_resources


def test_retention_deletes_only_parsed_old_weeks(tmp_path):
    res = make_resources(tmp_path)
    store = SnapshotStore(tmp_path / "data", res["data"].cipher())
    weeks = [week_of_date(today() - dt.timedelta(weeks=n)) for n in (30, 20, 1)]
    for week in weeks:
        w = store.writer("kinky", week)
        w.add(PageRecord("ad", "http://x/1", 200, b"<html></html>", 1, ad_code="1"))
        w.commit({})
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema ads")
        parsed = pd.DataFrame({"measurement_week": weeks[1:], "site": "kinky"})  # oldest week not parsed
        con.register("p", parsed)
        con.execute("create table ads.parsed_ads as select * from p")
    off = raw_snapshot_retention.execute_in_process(resources=res)
    assert off.success and store.weeks("kinky") == sorted(weeks)
    result = raw_snapshot_retention.execute_in_process(
        resources=res, run_config={"ops": {"delete_old_snapshots": {"config": {"keep_weeks": 10}}}}
    )
    assert result.success
    assert store.weeks("kinky") == sorted([weeks[0], weeks[2]])  # unparsed old week kept, recent kept
    obs = [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
    kinky = [e for e in obs if e.asset_key.path[-1] == "kinky"][0]
    assert kinky.event_specific_data.asset_observation.metadata["retention_deleted_weeks"].value == 1
