"""Never lose a good week: staged snapshots, lost listing pages, the wall's own diagnosis, serialised commits.

All against the real sandbox server at scale 0.05 (fault injection: ``sandbox_fault_fail_paths``,
paths that answer 503 on every attempt, and ``sandbox_layout_change``).
"""

from __future__ import annotations

import threading
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from sekswerk_assets.defs.collection.assets import raw_snapshots
from sekswerk_assets.lib.keys import raw_snapshot_key
from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.lib.snapshots import (
    CheckOutcome,
    PageRecord,
    SnapshotKept,
    SnapshotStore,
    snapshot_checks,
)
from sekswerk_assets.defs.extraction.assets import parsed_ads
from sekswerk_assets.lib.crypto import Cipher, new_key
from sekswerk_assets.resources import DataDirResource

from .conftest import make_resources

SCALE = 0.05
WEEK = "2020-09-01"
KINKY, SEXJOBS = raw_snapshot_key("kinky"), raw_snapshot_key("sexjobs")


def resources(tmp: Path, key: str, **sites) -> dict:
    from sekswerk_assets.lib.pseudonym import PseudonymResource

    return make_resources(
        tmp,
        data=DataDirResource(data_dir=str(tmp / "data"), snapshot_key=key),
        pseudonyms=PseudonymResource(key="k" * 64, data_dir=str(tmp / "data")),
        ad_sites=AdSitesResource(sandbox_scale=SCALE, **sites),
    )


def files(store: SnapshotStore, site: str) -> dict[str, bytes]:
    folder = store.partition_dir(site, WEEK)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def parsed_rows(tmp: Path) -> pd.DataFrame:
    with duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select * from ads.parsed_ads where site = 'kinky' order by ad_pseudo").df()


def test_layout_change_on_recollection_keeps_the_stored_snapshot(tmp_path):
    key = new_key()
    good = resources(tmp_path, key)
    with dg.instance_for_test() as instance:
        assert dg.materialize([raw_snapshots, parsed_ads], partition_key=WEEK, resources=good, instance=instance,
                              selection=[KINKY, parsed_ads.key], raise_on_error=False).output_for_node(
            "ads__parsed_ads") is not None
    store = SnapshotStore(tmp_path / "data", Cipher(key))
    before, rows_before = files(store, "kinky"), parsed_rows(tmp_path)
    assert len(rows_before) > 100

    changed = resources(tmp_path, key, sandbox_layout_change=True)
    with dg.instance_for_test() as instance:
        # sexjobs is collected in the same run (one multi-asset): nothing is stored for it, so its snapshot is
        # stored and reported; then the run fails for kinky alone
        result = dg.materialize([raw_snapshots], selection=[KINKY, SEXJOBS], partition_key=WEEK, resources=changed,
                                instance=instance, raise_on_error=False)
    assert not result.success
    assert [m.asset_key for m in result.get_asset_materialization_events()] == [SEXJOBS]
    assert {(e.asset_key, e.check_name) for e in result.get_asset_check_evaluations()} == {
        (SEXJOBS, "all_listed_ads_accounted"), (SEXJOBS, "week_not_empty"), (SEXJOBS, "error_rate")}
    failure = str(result.get_step_failure_events()[0].event_specific_data.error)
    assert "stored snapshot of kinky 2020-09-01 kept" in failure
    assert "sexjobs" not in result.get_step_failure_events()[0].event_specific_data.error.message
    assert "week_not_empty" in failure and "layout may have changed" in failure
    assert files(store, "kinky") == before  # byte-identical: pages, manifest and summary
    assert [p.name for p in store.partition_dir("kinky", WEEK).parent.iterdir()] == [WEEK]  # nothing left aside

    with dg.instance_for_test() as instance:  # re-parsing the kept snapshot gives the same rows
        dg.materialize([parsed_ads], partition_key=WEEK, resources=good, instance=instance, raise_on_error=False)
    pd.testing.assert_frame_equal(parsed_rows(tmp_path), rows_before)

    # replace: force stores the new (empty) snapshot anyway, and its blocking check fails
    with dg.instance_for_test() as instance:
        forced = dg.materialize([raw_snapshots], selection=[KINKY], partition_key=WEEK, resources=changed,
                                instance=instance, raise_on_error=False,
                                run_config={"ops": {"raw_snapshots": {"config": {"replace": "force"}}}})
    checks = {e.check_name: e for e in forced.get_asset_check_evaluations()}
    assert not checks["week_not_empty"].passed
    assert store.summary("kinky", WEEK)["ads_fetched"] == 0


def test_lost_listing_section_and_page_fail_the_check(tmp_path):
    res = resources(tmp_path, new_key(), sandbox_fault_fail_paths=[
        "/advertenties/stellen",  # kinky: a whole section (its first page fails after every retry)
        "/advertenties/escort?p=2",  # sexjobs: one page of a section
    ])
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_snapshots], selection=[KINKY, SEXJOBS], partition_key=WEEK, resources=res,
                                instance=instance, raise_on_error=False)
    checks = {(e.asset_key.path[-1], e.check_name): e for e in result.get_asset_check_evaluations()}
    kinky = checks[("kinky", "all_listed_ads_accounted")]
    assert not kinky.passed
    assert kinky.metadata["sections_lost"].value == "stellen"
    assert "stellen" in kinky.description and "HTTP 503" in kinky.description
    sexjobs = checks[("sexjobs", "all_listed_ads_accounted")]
    assert not sexjobs.passed
    assert sexjobs.metadata["listing_pages_lost"].value >= 1
    assert "escort" in sexjobs.description and "listing pages lost" in sexjobs.description
    # the other sections are complete, and the counts are in the summary for any later check
    store = SnapshotStore(tmp_path / "data", res["data"].cipher())
    sections = store.summary("sexjobs", WEEK)["sections"]
    assert sections["escort"]["expected_pages"] >= 2 and sections["escort"]["lost_pages"] >= 1
    assert all(s["lost_pages"] == 0 for name, s in sections.items() if name != "escort")
    kinky_sections = store.summary("kinky", WEEK)["sections"]
    assert not kinky_sections["stellen"]["first_page_ok"]
    assert all(s["first_page_ok"] and s["lost_pages"] == 0 for n, s in kinky_sections.items() if n != "stellen")


def test_complete_collection_accounts_for_every_page(tmp_path):
    res = resources(tmp_path, new_key())
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_snapshots], partition_key=WEEK, resources=res, instance=instance)
    for e in result.get_asset_check_evaluations():
        assert e.passed, (e.asset_key, e.check_name, e.description)
    store = SnapshotStore(tmp_path / "data", res["data"].cipher())
    for site in ("kinky", "sexjobs", "topescortbabes"):
        sections = store.summary(site, WEEK)["sections"]
        assert sections and all(s["expected_pages"] == s["fetched_pages"] for s in sections.values()), sections
        manifest = store.manifest(site, WEEK)
        assert sum(s["fetched_pages"] for s in sections.values()) == int(
            (manifest["page_type"].isin(["listing", "api"]) & manifest["ok"]).sum()) - (site == "topescortbabes")


def test_wall_failure_is_reported_as_the_wall(tmp_path):
    res = resources(tmp_path, new_key(), sandbox_fault_fail_paths=["/terms"])
    with dg.instance_for_test() as instance:
        result = dg.materialize([raw_snapshots], selection=[KINKY], partition_key=WEEK, resources=res,
                                instance=instance, raise_on_error=False)
    assert not result.success
    check = {e.check_name: e for e in result.get_asset_check_evaluations()}["week_not_empty"]
    assert not check.passed
    assert check.description == "terms wall not passed: HTTP 503"
    assert check.metadata["layout_problems"].value == 0
    # open, accept, redirect were tried as one unit max_attempts times; nothing behind the wall was fetched
    manifest = SnapshotStore(tmp_path / "data", res["data"].cipher()).manifest("kinky", WEEK)
    wall = manifest[manifest["page_type"] == "wall"]
    assert len(wall) == 1 and wall["attempts"].iloc[0] == res["ad_sites"].max_attempts
    assert wall["error"].iloc[0] == "terms wall not passed: HTTP 503" and wall["status"].iloc[0] == 503
    assert set(manifest["page_type"]) == {"robots", "wall"}


# -- promotion rules and locking, on hand-made snapshots ------------------------------------------

def write(store: SnapshotStore, n_ads: int, summary_extra: dict | None = None) -> dict:
    w = store.writer("kinky", WEEK)
    for i in range(n_ads):
        w.add(PageRecord("ad", f"http://x/advertentie/{i}", 200, b"<html>%d</html>" % i, 1, ad_code=str(i)))
    return {"ads_fetched": n_ads, "ads_listed": n_ads, **(summary_extra or {})}, w


def test_fewer_ads_keep_the_stored_snapshot(tmp_path):
    store = SnapshotStore(tmp_path, Cipher(new_key()))
    summary, w = write(store, 10)
    w.commit(summary)
    before = files(store, "kinky")
    summary, w = write(store, 7)
    staged = w.stage(summary)
    outcomes = snapshot_checks(staged.summary, previous_ads=None)
    assert all(o.passed for o in outcomes)
    with pytest.raises(SnapshotKept, match=r"fewer ads \(7\) than the stored one \(10\)"):
        store.promote(staged, outcomes)
    staged.discard()
    assert files(store, "kinky") == before
    summary, w = write(store, 12)  # more ads: replaces
    staged = w.stage(summary)
    store.promote(staged, snapshot_checks(staged.summary, None))
    staged.discard()
    assert store.summary("kinky", WEEK)["ads_fetched"] == 12 and store.summary("kinky", WEEK)["checks_passed"]


def test_overlapping_commits_each_clean_only_their_own_folder(tmp_path):
    store = SnapshotStore(tmp_path, Cipher(new_key()))
    parent = store.partition_dir("kinky", WEEK).parent
    parent.mkdir(parents=True)
    dead = parent / f".{WEEK}.tmp-deadbeef"  # left by a killed run: nobody holds its lock
    dead.mkdir()
    summary_a, a = write(store, 5)
    staged_a = a.stage(summary_a)  # commit A is half-way: written aside, not yet promoted
    assert not dead.exists()
    summary_b, b = write(store, 6)
    b.commit(summary_b)  # commit B runs start to end meanwhile
    assert staged_a.path.exists(), "B's cleanup must leave A's folder alone"
    store.promote(staged_a, [], force=True)
    staged_a.discard()
    assert store.summary("kinky", WEEK)["ads_fetched"] == 5
    assert [p.name for p in parent.iterdir()] == [WEEK]

    errors = []

    def commit(n: int) -> None:
        try:
            for _ in range(5):
                s, w = write(store, n)
                w.commit(s)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))

    threads = [threading.Thread(target=commit, args=(n,)) for n in (3, 4, 5, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert [p.name for p in parent.iterdir()] == [WEEK]
    assert len(store.manifest("kinky", WEEK)) == store.summary("kinky", WEEK)["ads_fetched"]


def test_blocking_check_outcomes_name_the_wall_not_the_layout():
    summary = {"ads_fetched": 0, "ads_listed": 0, "layout_problems": 0, "wall_error": "terms wall not passed: HTTP 503",
               "sections": {}}
    outcomes = {o.name: o for o in snapshot_checks(summary, previous_ads=200)}
    assert isinstance(outcomes["week_not_empty"], CheckOutcome)
    assert outcomes["week_not_empty"].description == "terms wall not passed: HTTP 503"
    assert "layout" not in outcomes["week_not_empty"].description
