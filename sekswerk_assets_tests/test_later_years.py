"""A later measurement year out of the box: the sandbox simulates any year, and its weeks backfill."""

from __future__ import annotations

import os

import dagster as dg
import duckdb
import pytest

from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.definitions import load_definitions

defs = load_definitions()
from sekswerk_assets.jobs import WEEKLY, YEARLY
from sekswerk_assets.partitions import weeks_of_year
from sekswerk_assets.reference.loader import MunicipalityReference, list_year_for
from sekswerk_assets.sandbox import load_config, simulate

from .conftest import make_resources

SCALE = 0.02
YEAR = 2021
WEEKS = weeks_of_year(YEAR)[:2]


@pytest.mark.parametrize("year", range(2020, 2040))
def test_sandbox_year_has_the_partition_weeks(year):
    cfg = load_config(scale=SCALE).for_year(year)
    weeks = weeks_of_year(year)
    assert [w.isoformat() for w in cfg.weeks] == weeks
    assert cfg.measurement_year == year and cfg.seed == 20200825 + year - 2020


def test_later_year_is_a_new_draw_of_the_same_sector():
    base = load_config(scale=0.1)
    p2020, p2021 = simulate(base), simulate(base.for_year(YEAR))
    for site in ("kinky", "sexjobs", "topescortbabes"):
        codes20 = set(p2020.ads.loc[p2020.ads["site"] == site, "ad_code"].astype(int))
        codes21 = set(p2021.ads.loc[p2021.ads["site"] == site, "ad_code"].astype(int))
        assert max(codes20) < min(codes21), site  # codes keep growing, never repeat
    a20, a21 = p2020.weekly_truth["active_unique"], p2021.weekly_truth["active_unique"]
    assert abs(a21.mean() - a20.mean()) / a20.mean() < 0.05  # same calibration ...
    assert p2020.ads["phone"].isin(p2021.ads["phone"]).mean() < 0.01  # ... different people
    assert str(p2021.weekly_truth["week"].iloc[0]) == WEEKS[0]


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    """Two weeks of 2020 and of 2021, each year's ad tables, then the 2021 report (no 2021 survey)."""
    tmp = tmp_path_factory.mktemp("two_years")
    res = make_resources(tmp, ad_sites=AdSitesResource(sandbox_scale=SCALE))
    assets = list(defs.assets)
    seeds = {}
    with dg.instance_for_test() as instance:
        lifecycle = dg.AssetSelection.assets(["ads", "ad_state"], ["ads", "ad_lifecycle"])
        for week in weeks_of_year(2020)[:2] + WEEKS:
            # 2021's weeks follow a gap (2020 has only two weeks), so their running state cannot be carried
            selection = WEEKLY if week < WEEKS[0] else WEEKLY - lifecycle
            result = dg.materialize(assets, selection=selection, partition_key=week, resources=res, instance=instance)
            assert result.success, week
            md = result.asset_materializations_for_node("ads__parsed_ads")[0].metadata
            assert md["synthetic"].value is True
            seeds[week] = md["sandbox_seed"].value
        gap = dg.materialize(assets, selection=lifecycle, partition_key=WEEKS[0], resources=res, instance=instance,
                             raise_on_error=False)
        gap_error = str(gap.get_step_failure_events()[0].event_specific_data.error) if not gap.success else ""
        ads_yearly = YEARLY - dg.AssetSelection.key_prefixes("survey", "report")
        for year in ("2020", str(YEAR)):
            assert dg.materialize(assets, selection=ads_yearly, partition_key=year, resources=res,
                                  instance=instance).success, year
        report = dg.materialize(assets, selection=dg.AssetSelection.assets(["report", "nulmeting_report"]),
                                partition_key=str(YEAR), resources=res, instance=instance)
        assert report.success
    md = (tmp / "data" / "reports" / str(YEAR) / f"nulmeting_{YEAR}.md").read_text(encoding="utf-8")
    return {"tmp": tmp, "seeds": seeds, "md": md, "gap_error": gap_error}


def test_a_missing_previous_week_stops_the_running_state(two_years):
    """The state is carried from exactly week-1: after a gap the week fails, naming the missing week."""
    previous = weeks_of_year(YEAR - 1)[-1]
    assert f"no rows for {previous}, the week before {WEEKS[0]}" in two_years["gap_error"]


def test_report_shows_the_earlier_year_beside_the_new_one(two_years):
    md = two_years["md"]
    first = md.splitlines()[0]
    assert first.startswith("SYNTHETIC DATA:") and "no municipal survey export" in first
    assert "earlier measurement years present in the warehouse (2020)" in md
    assert md.count("(2020: ") + md.count("; 2020: ") > 20  # ad tables carry the 2020 value beside 2021
    assert "Not available: survey.tables has no table 2.1 for 2021" in md


def test_backfill_of_later_year_weeks_starts_that_years_sandbox(two_years):
    """Weekly partitions of 2021 collect from a 2021 sandbox the resource starts itself."""
    tmp_path = two_years["tmp"]
    pop = simulate(load_config(scale=SCALE).for_year(YEAR))
    assert {w: two_years["seeds"][w] for w in WEEKS} == {w: 20200826 for w in WEEKS}
    assert set(two_years["seeds"].values()) == {20200825, 20200826}
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        per_week = dict(con.execute(
            f"select measurement_week, count(*) from ads.parsed_ads where measurement_year = '{YEAR}' group by 1"
        ).fetchall())
        codes = {c for (c,) in con.execute(
            f"select distinct gm_code from ads.parsed_ads where gm_code is not null and measurement_year = '{YEAR}'"
        ).fetchall()}
    truth = pop.observations.assign(week=pop.observations["week"].astype(str)).groupby("week").size()
    assert per_week == {w: int(truth[w]) for w in WEEKS}
    # the sandbox names 2021 municipalities and places; ads land on the measurement year's list (2022)
    current = set(MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False).municipalities(list_year_for(YEAR))["gm_code"])
    assert codes and codes <= current
