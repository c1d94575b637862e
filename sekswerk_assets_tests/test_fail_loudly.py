"""Fail loudly: a parser that crashes on every page fails the week's blocking check, and nothing downstream runs."""

import dagster as dg

from sekswerk_assets.constants import SITES
from sekswerk_assets.definitions import load_definitions
from sekswerk_assets.extraction import parse
from sekswerk_assets.lib.keys import PARSED_ADS, WEEKLY_UNIQUE_ADS
from sekswerk_assets.lib.snapshots import PageRecord, SnapshotStore

from .conftest import make_resources

WEEK = "2020-09-01"


def _snapshots(tmp_path, res) -> None:
    store = SnapshotStore(tmp_path / "data", res["data"].cipher())
    for site in SITES:
        w = store.writer(site, WEEK)
        for code in range(1, 21):
            w.add(PageRecord("ad", f"http://{site}.test/ad/{code}", 200, b"<html><body>ad</body></html>", 1,
                             ad_code=str(code)))
        w.commit({"site": site, "week": WEEK, "synthetic": True})


def test_parser_crash_on_every_page_fails_the_week_and_stops_downstream(tmp_path, monkeypatch, instance):
    res = make_resources(tmp_path)
    _snapshots(tmp_path, res)

    def crash(*args, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(parse, "parse_ad", crash)
    defs = load_definitions()
    result = dg.materialize([*defs.assets, *defs.asset_checks],
                            selection=dg.AssetSelection.assets(PARSED_ADS, WEEKLY_UNIQUE_ADS),
                            partition_key=WEEK, resources=res, instance=instance, raise_on_error=False)
    assert not result.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    unparsed = checks[("ads/parsed_ads", "unparsed_pages")]
    assert not unparsed.passed
    assert "failed to parse in kinky, sexjobs, topescortbabes" in (unparsed.description or "")
    assert not result.asset_materializations_for_node("ads__weekly_unique_ads"), "nothing downstream may run"


def test_a_clean_week_passes_the_same_check(tmp_path, instance):
    """The control: the same snapshots with a parser that only reports unparsable pages as such."""
    from sekswerk_assets.defs.extraction.assets import unparsed_result

    res = make_resources(tmp_path)
    _snapshots(tmp_path, res)
    import pandas as pd

    stats = parse.WeekStats(WEEK)
    df = pd.DataFrame({"site": ["kinky"] * 100, "parse_error": [None] * 100})
    assert unparsed_result(df, stats).passed
    df.loc[:1, "parse_error"] = "RuntimeError in parser"  # 2% of kinky's pages
    failed = unparsed_result(df, stats)
    assert not failed.passed and "kinky" in failed.description
    assert unparsed_result(df, stats, max_unparsed_share=0.05).passed  # the tolerance is configurable
