"""An analyst's open read-only DuckDB connection: a write says it waits, then opens or fails clearly."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest

from sekswerk_assets.lib.warehouse import WarehouseIOManager, WarehouseLocked, WarehouseResource


def hold_read_only(path, seconds: float) -> subprocess.Popen:
    """Another process (the analyst) with the warehouse open read-only for ``seconds``."""
    code = (f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only=True); "
            f"print('open', flush=True); time.sleep({seconds}); c.close()")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "open"
    return proc


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema ads; create table ads.t as select 1 as x")
    return path


def test_write_fails_with_a_clear_lock_error(warehouse, caplog):
    analyst = hold_read_only(warehouse, 120)
    try:
        start = time.monotonic()
        with caplog.at_level(logging.INFO), pytest.raises(WarehouseLocked) as err:
            with WarehouseResource(database=str(warehouse), lock_timeout_s=3).get_connection():
                pass
        waited = time.monotonic() - start
    finally:
        analyst.kill()
        analyst.wait()
    assert 3 <= waited < 30  # not DuckDB's silent ~100 s of retries
    msg = str(err.value)
    assert f"locked by process {analyst.pid}" in msg and "read-only" in msg
    assert "python" not in msg  # the holder's executable path (may contain a user name) is not echoed
    waits = [r.getMessage() for r in caplog.records if "waiting up to 3 s" in r.getMessage()]
    assert waits and f"process {analyst.pid}" in waits[0]


def test_write_waits_for_the_connection_to_close(warehouse, caplog):
    analyst = hold_read_only(warehouse, 3)
    try:
        with caplog.at_level(logging.INFO):
            with WarehouseResource(database=str(warehouse), lock_timeout_s=120).get_connection() as con:
                con.execute("insert into ads.t values (2)")
    finally:
        analyst.wait(timeout=60)
    messages = [r.getMessage() for r in caplog.records]
    assert any("is locked by process" in m and "waiting up to 120 s" in m for m in messages)
    assert any("opened after waiting" in m for m in messages)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from ads.t").fetchone()[0] == 2


def test_io_manager_write_fails_the_step_with_the_lock_error(warehouse):
    @dg.asset(key=["ads", "lock_probe"])
    def lock_probe():
        """A one-row table written through the warehouse IO manager."""
        import pandas as pd

        return pd.DataFrame({"x": [1]})

    analyst = hold_read_only(warehouse, 120)
    try:
        with dg.instance_for_test() as instance:
            result = dg.materialize(
                [lock_probe], raise_on_error=False, instance=instance,
                resources={"io_manager": WarehouseIOManager(database=str(warehouse), lock_timeout_s=2)},
            )
            logs = [e.user_message for e in instance.all_logs(result.run_id) if "waiting up to 2 s" in e.user_message]
    finally:
        analyst.kill()
        analyst.wait()
    assert not result.success
    error = str(result.get_step_failure_events()[0].event_specific_data.error)
    assert "WarehouseLocked" in error and f"locked by process {analyst.pid}" in error
    assert logs, "the wait must show in the run's log"
