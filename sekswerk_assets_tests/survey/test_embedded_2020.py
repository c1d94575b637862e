"""The embedded synthetic 2020 export reproduces every printed count (except the documented readings)."""

import re

import pandas as pd
import pytest

from sekswerk_assets.survey.tables import compare_with_published, published
from sekswerk_assets_tests.survey.helpers import materialize, query


@pytest.fixture(scope="module")
def run_2020(tmp_path_factory):
    import dagster as dg

    tmp = tmp_path_factory.mktemp("embedded")
    with dg.instance_for_test() as instance:
        result = materialize(tmp, instance, "2020")
        assert result.success
        yield tmp, result


def test_tables_equal_printed_counts(run_2020):
    tmp, _ = run_2020
    t = query(tmp, "select * from survey.tables where measurement_year='2020'")
    assert compare_with_published(t.drop(columns="measurement_year"), "2020") == []
    ids = set(t["table_id"])
    expected = {"2.1", *(f"3.{i}" for i in range(1, 15)), *(f"4.{i}" for i in range(1, 22))}
    assert expected <= ids


def test_response_overview_equals_b2(run_2020):
    tmp, _ = run_2020
    t = query(tmp, "select * from survey.response_overview where measurement_year='2020'")
    assert compare_with_published(t.drop(columns="measurement_year"), "2020", overview=True) == []
    rate = t[(t.table_id == "text:response") & (t.row_key == "responders") & (t.column == "percent")]["value"].iloc[0]
    assert round(rate) == 45


def test_readings_are_applied(run_2020):
    tmp, _ = run_2020
    t = query(tmp, "select * from survey.tables where measurement_year='2020'").set_index(["table_id", "row_key", "column"])
    assert t.loc[("4.9", "3", "percent"), "value"] == 43.2
    assert t.loc[("4.14", "3", "percent"), "value"] == 1.9
    assert t.loc[("4.18", "total", "warnings:count"), "value"] == 10
    assert t.loc[("4.8", "1", "count"), "base_n"] == 125
    assert ("3.12", "total", "count") not in t.index


def test_marked_synthetic_and_no_personal_fields(run_2020):
    tmp, result = run_2020
    for mat in result.get_asset_materialization_events():
        meta = mat.materialization.metadata
        assert meta["synthetic"].value is True, mat.asset_key
    r = query(tmp, "select distinct variable from survey.municipalities_responses")
    assert not set(r["variable"]) & {"q72", "q71a", "q71b"}


def test_previews_hold_no_municipality_names(run_2020, reference_dir):
    tmp, result = run_2020
    names = set(query(tmp, "select distinct municipality from survey.municipalities_responses")["municipality"])
    names |= set(query(tmp, "select distinct municipality from survey.followup_responses")["municipality"])
    for mat in result.get_asset_materialization_events():
        for key, value in mat.materialization.metadata.items():
            text = str(getattr(value, "value", value))
            if "data:image/png" in text:
                continue
            for name in names:
                assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), (mat.asset_key, key, name)


def test_small_cells_suppressed_and_marked(run_2020):
    tmp, result = run_2020
    t = query(tmp, "select * from survey.tables where measurement_year='2020'")
    sup = t[t["suppressed"]]
    assert len(sup) > 0
    assert sup["value_published"].isna().all()
    counts = sup[sup["column"].str.endswith("count")]
    assert counts["value"].between(1, 4).any()  # primary suppression
    assert (counts["value"] >= 5).any()  # complementary suppression
    # printed cells are never suppressed
    printed = {(tid, str(rk), c) for tid, tt in published("2020")["tables"].items() for rk, cells in tt["rows"].items() for c in cells}
    assert not any(k in printed for k in zip(sup.table_id, sup.row_key, sup.column))
    mats = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert "[s]" in "".join(str(v.value) for k, v in mats["tables"].items() if k.startswith("table "))
