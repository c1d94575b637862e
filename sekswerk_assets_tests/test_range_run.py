"""A backfill range in one run (issue 11): the same rows as week-by-week runs, checks recorded per week.

Snapshots of three sandbox weeks (scale 0.03) are written straight from the sandbox's renderer (no
browser: the collection is not what is tested here), then processed once week by week and once as
one range run of the weekly assets, each into its own warehouse.
"""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
import pytest

from sekswerk_assets.constants import SITES
from sekswerk_assets.definitions import load_definitions
from sekswerk_assets.extraction import parse
from sekswerk_assets.lib.crypto import new_key
from sekswerk_assets.lib.keys import AD_LIFECYCLE, AD_STATE, PARSED_ADS, WEEKLY_UNIQUE_ADS
from sekswerk_assets.lib.pseudonym import PseudonymResource
from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.sandbox import load_config, simulate
from sekswerk_assets.sandbox.render import Renderer

from .conftest import make_resources

SCALE = 0.03
N_WEEKS = 3
TABLES = ("parsed_ads", "weekly_unique_ads", "ad_state", "ad_lifecycle")
SORT = {"parsed_ads": ["measurement_week", "site", "ad_pseudo"], "weekly_unique_ads": ["measurement_week", "unique_ad_key"],
        "ad_state": ["measurement_week", "unique_ad_key"], "ad_lifecycle": ["measurement_week"]}
defs = load_definitions()
SELECTION = dg.AssetSelection.assets(PARSED_ADS, WEEKLY_UNIQUE_ADS, AD_STATE, AD_LIFECYCLE)
#: the partitioned checks the weekly assets evaluate in their own step (Pandera schemas, GX suites, unparsed pages)
IN_STEP_CHECKS = {
    ("ads/parsed_ads", "ParsedAdsModel_schema"), ("ads/parsed_ads", "parsed_ads_expectations"),
    ("ads/parsed_ads", "unparsed_pages"), ("ads/weekly_unique_ads", "WeeklyUniqueAdsModel_schema"),
    ("ads/weekly_unique_ads", "weekly_unique_ads_expectations"), ("ads/ad_state", "AdStateModel_schema"),
    ("ads/ad_lifecycle", "AdLifecycleModel_schema"),
}


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory):
    """Three weeks of every site's ad pages as the sandbox renders them; the key of the store."""
    root = tmp_path_factory.mktemp("range_snapshots")
    key = new_key()
    store = SnapshotStore(root / "data", DataDirResource(data_dir=str(root / "data"), snapshot_key=key).cipher())
    pop = simulate(load_config(scale=SCALE))
    weeks = [w.isoformat() for w in pop.weeks[:N_WEEKS]]
    render = {"kinky": "kinky_ad", "sexjobs": "sexjobs_ad", "topescortbabes": "teb_ad"}
    for site in SITES:
        r = Renderer(pop, site)
        for i, week in enumerate(weeks):
            writer = store.writer(site, week)
            for row in r.rows_in_week(i):
                body = getattr(r, render[site])(int(row), i)
                writer.add(PageRecord("ad", f"http://{site}.test{r.ad_url(int(row))}", 200, body, 1,
                                      ad_code=str(r.records[int(row)]["ad_code"])))
            writer.commit({"site": site, "week": week, "synthetic": True})
    return root / "data", key, weeks


def _resources(tmp_path, snapshots, pseudo_key):
    data_dir, key, _ = snapshots
    return make_resources(tmp_path, data=DataDirResource(data_dir=str(data_dir), snapshot_key=key),
                          pseudonyms=PseudonymResource(key=pseudo_key, data_dir=str(tmp_path)))


def _tables(tmp_path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        return {t: con.execute(f"select * from ads.{t}").fetchdf().sort_values(SORT[t]).reset_index(drop=True)
                for t in TABLES}


def _range(weeks):
    return {"dagster/asset_partition_range_start": weeks[0], "dagster/asset_partition_range_end": weeks[-1]}


def test_a_range_run_stores_what_week_by_week_runs_store_and_checks_each_week(tmp_path, snapshots):
    weeks = snapshots[2]
    pseudo_key = new_key()
    by_week, in_range = tmp_path / "by_week", tmp_path / "range"
    by_week.mkdir(), in_range.mkdir()
    with dg.instance_for_test() as instance:
        res = _resources(by_week, snapshots, pseudo_key)
        for week in weeks:
            assert dg.materialize(defs.assets, selection=SELECTION, partition_key=week, resources=res,
                                  instance=instance).success
    with dg.instance_for_test() as instance:
        res = _resources(in_range, snapshots, pseudo_key)
        result = dg.materialize(defs.assets, selection=SELECTION, tags=_range(weeks),
                                resources=res, instance=instance)
        assert result.success
        assert len(instance.get_runs()) == 1
        # every partitioned check of the weekly assets has one passed evaluation per week
        evaluations = result.get_asset_check_evaluations()
        names = {(e.asset_key.to_user_string(), e.check_name) for e in evaluations}
        assert names == IN_STEP_CHECKS
        for asset, check in names:
            got = sorted(e.partition for e in evaluations
                         if (e.asset_key.to_user_string(), e.check_name) == (asset, check))
            assert got == weeks, (asset, check)
        assert all(e.passed for e in evaluations)
        # each week is materialised as its own partition
        mats = instance.fetch_materializations(dg.AssetRecordsFilter(asset_key=AD_STATE), limit=100).records
        assert sorted(m.partition_key for m in mats) == weeks
    a, b = _tables(by_week), _tables(in_range)
    for t in TABLES:
        assert len(a[t]) > 0, t
        pd.testing.assert_frame_equal(a[t], b[t], check_dtype=False, obj=t)


def test_a_parser_crash_in_one_week_fails_that_weeks_check_in_a_range_run(tmp_path, snapshots, monkeypatch):
    weeks = snapshots[2]
    bad = weeks[1]
    real = parse.parse_ad

    def crash_in_bad_week(site, body, matcher, pseudonyms):
        if crash_in_bad_week.week == bad:
            raise RuntimeError("parser bug")
        return real(site, body, matcher, pseudonyms)

    real_week = parse.parse_week

    def parse_week(store, week, *args, **kwargs):
        crash_in_bad_week.week = week
        return real_week(store, week, *args, **kwargs)

    monkeypatch.setattr(parse, "parse_ad", crash_in_bad_week)
    monkeypatch.setattr(parse, "parse_week", parse_week)
    with dg.instance_for_test() as instance:
        res = _resources(tmp_path, snapshots, new_key())
        result = dg.materialize(defs.assets, selection=SELECTION, tags=_range(weeks),
                                resources=res, instance=instance, raise_on_error=False)
        assert not result.success
        unparsed = {e.partition: e for e in result.get_asset_check_evaluations() if e.check_name == "unparsed_pages"}
        assert sorted(unparsed) == weeks
        assert not unparsed[bad].passed and "failed to parse" in (unparsed[bad].description or "")
        assert all(unparsed[w].passed for w in weeks if w != bad)
        assert not result.asset_materializations_for_node("ads__weekly_unique_ads"), "nothing downstream may run"


def _state_rows(week: str, n: int) -> pd.DataFrame:
    return pd.DataFrame({"measurement_week": week, "unique_ad_key": [f"{week}-{i}" for i in range(n)],
                         "first_week": week, "last_week": week, "weeks_seen": 1})


def test_a_range_validated_at_once_reports_each_week_and_a_bad_week_as_its_own():
    from sekswerk_assets.lib.factory import weekly_schema_results
    from sekswerk_assets.schemas.ads import AdStateModel

    weeks = ["2020-08-25", "2020-09-01", "2020-09-08"]
    good = pd.concat([_state_rows(w, n) for w, n in zip(weeks, (3, 5, 2))], ignore_index=True)
    at_once = weekly_schema_results(AdStateModel, AD_STATE, good, weeks, row_wise=True)
    by_week = weekly_schema_results(AdStateModel, AD_STATE, good, weeks)
    pd.testing.assert_frame_equal(at_once[0], by_week[0])
    assert at_once[2] is None and by_week[2] is None
    for (wa, ra), (wb, rb) in zip(at_once[1], by_week[1]):
        assert (wa, ra.passed, ra.check_name, dict(ra.metadata)) == (wb, rb.passed, rb.check_name, dict(rb.metadata))
    assert [r.metadata["rows"].value for _, r in at_once[1]] == [3, 5, 2]
    bad = good.copy()
    bad.loc[bad["measurement_week"] == weeks[1], "weeks_seen"] = 0  # violates ge=1 in the middle week only
    _, results, failed = weekly_schema_results(AdStateModel, AD_STATE, bad, weeks, row_wise=True)
    assert [r.passed for _, r in results] == [True, False, True]
    assert failed is results[1][1]


def test_fork_map_gives_each_worker_one_run_of_consecutive_items_in_order():
    import os

    from sekswerk_assets.extraction.parallel import contiguous_chunks, fork_map, pool_size

    items = list(range(7))
    assert contiguous_chunks(items, 2) == [[0, 1, 2, 3], [4, 5, 6]]
    assert contiguous_chunks(items[:1], 2) == [[0], []]
    got = list(fork_map(lambda i: (i, os.getpid()), items, workers=2, contiguous=True))
    assert [i for i, _ in got] == items
    if pool_size(len(items), 2) > 1:  # two cores: the first four items in one process, the last three in another
        pids = [p for _, p in got]
        assert len(set(pids[:4])) == 1 and len(set(pids[4:])) == 1 and pids[0] != pids[4]
