"""Crash safety: SIGKILL half-way through a week's collection and through a yearly asset, then rerun.

The previous version stays intact while a run is killed (snapshots are swapped in whole, DuckDB
writes are transactional), and the rerun gives the same outputs with no duplicate rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pandas as pd

from sekswerk_assets.lib.snapshots import SnapshotStore
from sekswerk_assets.deduplication.weekly import dedup_week
from sekswerk_assets.lib.crypto import Cipher, new_key
from sekswerk_assets.sandbox import load_config, simulate

from .services import REPO
from .truth import truth_parsed

WEEK = "2020-11-24"


def run(mode: str, work, key: str, kill_after: float | None = None) -> str:
    # scale 1: collecting kinky takes a few seconds; the collection is killed on its first ad-pages progress line
    proc = subprocess.Popen([sys.executable, "-m", "sekswerk_assets_tests.crash_runner", mode, str(work), key, "1.0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    if kill_after is None:
        out, _ = proc.communicate(timeout=600)
        assert "DONE" in out, out[-3000:]
        return out
    seen = []
    for line in proc.stdout:  # wait until the step is running, then kill the whole process group
        seen.append(line)
        # collection: once ad pages are being fetched (its progress lines), however fast the collector is
        if ("kinky: " in line and " ad pages" in line) or ("STEP_START" in line and "ads__unique_workers" in line):
            time.sleep(kill_after)
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)[-3000:]
    return "".join(seen)


def snapshot_view(store: SnapshotStore) -> pd.DataFrame:
    """Manifest without what legitimately differs between runs: timestamps, offsets, the sandbox's port."""
    m = store.manifest("kinky", WEEK).drop(columns=["fetched_at", "offset", "length"])
    m["url"] = m["url"].str.replace(r"^https?://[^/]+", "", regex=True)
    return m


def stamp(store: SnapshotStore) -> float:
    return (store.partition_dir("kinky", WEEK) / "manifest.parquet.enc").stat().st_mtime


def test_kill_during_collection(tmp_path):
    key = new_key()
    run("collect", tmp_path, key)
    store = SnapshotStore(tmp_path / "data", Cipher(key))
    first, written = snapshot_view(store), stamp(store)
    out = run("collect", tmp_path, key, kill_after=0.0)  # killed while fetching ad pages
    assert "STEP_SUCCESS" not in out
    assert stamp(store) == written  # the old version is untouched
    pd.testing.assert_frame_equal(snapshot_view(store), first)
    run("collect", tmp_path, key)
    pd.testing.assert_frame_equal(snapshot_view(store), first)
    assert sorted(p.name for p in (tmp_path / "data" / "raw" / "kinky").iterdir()) == [WEEK]  # no leftovers


def test_kill_during_yearly_asset(tmp_path):
    pop = simulate(load_config(scale=1.0))
    parsed = truth_parsed(pop)
    unique = pd.concat([dedup_week(g)[0] for _, g in parsed.groupby("measurement_week")], ignore_index=True)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema ads")
        con.register("u", unique)
        con.execute("create table ads.weekly_unique_ads as select * from u")
    key = new_key()
    run("yearly", tmp_path, key)
    read = lambda: duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True).execute(  # noqa: E731
        "select * from ads.unique_workers order by method, unit_id").df()
    first = read()
    run("yearly", tmp_path, key, kill_after=2.0)
    pd.testing.assert_frame_equal(read(), first)
    run("yearly", tmp_path, key)
    again = read()
    pd.testing.assert_frame_equal(again, first)
    assert not again.duplicated(["measurement_year", "method", "unit_id"]).any()
