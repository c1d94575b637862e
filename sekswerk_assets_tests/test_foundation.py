"""Partitions, the weekly -> year mapping, definitions and the municipality reference."""

import datetime as dt

import dagster as dg
import duckdb
import pytest

from sekswerk_assets import partitions as P
from sekswerk_assets.defs.reference.assets import municipalities
from sekswerk_assets.reference.loader import MunicipalityReference, ReferenceDataMissing

from .conftest import make_resources


def test_year_boundaries_match_the_study():
    assert P.year_start(2020) == dt.date(2020, 8, 25)
    assert P.year_end(2020) == dt.date(2021, 8, 17)
    weeks = P.weeks_of_year(2020)
    assert weeks[0] == "2020-08-25" and weeks[-1] == "2021-08-17" and len(weeks) == 52


@pytest.mark.parametrize("year", range(2020, 2040))
def test_years_tile_the_weekly_partitions(year):
    weeks = P.weeks_of_year(year)
    assert len(weeks) in (52, 53)
    start = P.year_start(year)
    assert start.weekday() == 1 and dt.date(year, 8, 19) <= start <= dt.date(year, 8, 25)
    assert all(P.year_of_week(w) == str(year) for w in weeks)
    nxt = P.weeks_of_year(year + 1)[0]
    assert (dt.date.fromisoformat(nxt) - dt.date.fromisoformat(weeks[-1])).days == 7


def test_weekly_partition_keys_are_the_measurement_tuesdays():
    keys = P.weekly_partitions.get_partition_keys()
    assert keys[:3] == ["2020-08-25", "2020-09-01", "2020-09-08"]
    covered = [w for y in P.measurement_year_keys() for w in P.weeks_of_year(y)]
    assert set(keys) <= set(covered)  # every weekly partition belongs to exactly one year key
    assert len(covered) == len(set(covered))


def test_year_of_week_rejects_non_tuesdays():
    with pytest.raises(ValueError, match="not a weekly measurement key"):
        P.year_of_week("2020-08-26")
    with pytest.raises(ValueError):
        P.year_of_week("2020-08-18")


def test_year_keys_grow_with_time():
    assert P.measurement_year_keys(dt.date(2021, 8, 23)) == ["2020"]
    assert P.measurement_year_keys(dt.date(2021, 8, 24)) == ["2020", "2021"]
    assert P.week_of_date(dt.date(2021, 8, 23)) == "2021-08-17"


def test_definitions_load():
    from sekswerk_assets.definitions import load_definitions
    defs = load_definitions()

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw_snapshots/kinky", "raw_snapshots/sexjobs", "raw_snapshots/topescortbabes",
            "reference/municipalities"} <= keys
    assert defs.resolve_job_def("weekly_pipeline") is not None
    assert defs.get_sensor_def("default_automation_condition_sensor") is not None


def test_municipalities_2020_uses_list_of_2021(tmp_path, instance):
    res = make_resources(tmp_path)
    result = dg.materialize([municipalities], partition_key="2020", resources=res, instance=instance)
    assert result.success
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        n, pop, small, medium, large = con.execute(
            "select count(*), sum(population), count(*) filter (size_class='small'),"
            " count(*) filter (size_class='medium'), count(*) filter (size_class='large')"
            " from reference.municipalities where measurement_year='2020'"
        ).fetchone()
    assert (n, pop) == (352, 17_475_415)
    assert (small, medium, large) == (219, 101, 32)
    # Re-materialising replaces the partition instead of appending.
    assert dg.materialize([municipalities], partition_key="2020", resources=res, instance=instance).success
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from reference.municipalities").fetchone()[0] == 352


def test_municipalities_2025_uses_list_of_2026(tmp_path, instance):
    res = make_resources(tmp_path)
    assert dg.materialize([municipalities], partition_key="2025", resources=res, instance=instance).success
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from reference.municipalities where list_year=2026").fetchone()[0] == 342


def test_missing_reference_data_says_how_to_provide_it(tmp_path):
    ref = MunicipalityReference(directory=str(tmp_path / "nothing"), cache_dir=str(tmp_path / "cache"), allow_online=False)
    with pytest.raises(ReferenceDataMissing, match="SEKSWERK_REFERENCE_DIR"):
        ref.municipalities(2021)


def test_code_location_loads_like_the_webserver_does():
    """The webserver loads the module and finds exactly one definitions entry point at module scope."""
    import sekswerk_assets.definitions as module
    from dagster.components.definitions import LazyDefinitions

    found = [name for name, value in vars(module).items() if isinstance(value, (dg.Definitions, LazyDefinitions))]
    assert found == ["defs"]
