"""What the UI shows of the yearly ad tables: Table 2.4 with its chart (Figure 2.11 apart), uncollected weeks as
missing (never 0) in the lifecycle year and its plots, previews without nan, report rounding."""

from __future__ import annotations

import re

import dagster as dg
import duckdb
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pandera.errors
import pytest

from sekswerk_assets.defs.deduplication.assets import ad_lifecycle, ad_lifecycle_year, unique_workers, weekly_unique_ads
from sekswerk_assets.deduplication.lifecycle import year_series
from sekswerk_assets.partitions import WEEK_PARTITION_EXPR, weekly_partitions, weeks_of_year
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.sandbox import load_config, simulate
from sekswerk_assets.schemas.ads import AdLifecycleYearModel
from sekswerk_assets.tables import builders as B
from sekswerk_assets.defs.tables.assets import table_assets
from sekswerk_assets.lib.plots import _weekly, municipality_metadata, published_preview

from .conftest import make_resources
from .truth import truth_parsed

NAN = re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])", re.IGNORECASE)
YEAR_WEEKS = weeks_of_year(2020)
COLLECTED = YEAR_WEEKS[:3] + YEAR_WEEKS[4:6]  # week 4 of the year was not collected
PARSED_SPEC = dg.AssetSpec(["ads", "parsed_ads"], partitions_def=weekly_partitions,
                           metadata={"partition_expr": WEEK_PARTITION_EXPR})


def test_percentages_round_half_up():
    assert B.pct(5, 16) == 31.3 and B.pct(1, 8) == 12.5 and B.pct(1, 0) is None and B.pct(2, 3) == 66.7
    assert B.half_up(2.25) == 2.3 and B.half_up(162.65) == 162.7


def test_uncollected_week_is_missing_not_zero():
    presence = pd.DataFrame({"measurement_week": [w for w in COLLECTED for _ in range(3)],
                             "unique_ad_key": [f"ad{k}" for _ in COLLECTED for k in range(3)]})
    series = year_series(presence, "2020", YEAR_WEEKS).set_index("measurement_week")
    gap = series.loc[YEAR_WEEKS[3]]
    assert not gap["collected"]
    assert all(pd.isna(gap[c]) for c in ("active", "new_vs_previous", "closed", "seen_once"))
    uncollected = series[~series["collected"]]
    assert len(uncollected) == len(YEAR_WEEKS) - len(COLLECTED)
    assert not (uncollected[["active", "closed", "seen_once"]] == 0).any().any()
    assert (series.loc[COLLECTED, "active"] == 3).all()
    AdLifecycleYearModel.validate(series.reset_index())
    bad = series.reset_index()
    bad.loc[bad["measurement_week"] == YEAR_WEEKS[3], ["active", "closed", "seen_once"]] = 0
    with pytest.raises(pandera.errors.SchemaError, match="uncollected_weeks_have_no_counts"):
        AdLifecycleYearModel.validate(bad)


def test_plot_leaves_a_gap_for_an_uncollected_week():
    presence = pd.DataFrame({"measurement_week": COLLECTED, "unique_ad_key": ["a"] * len(COLLECTED)})
    series = year_series(presence, "2020", YEAR_WEEKS[:6])
    fig, ax = plt.subplots()
    _weekly(ax, series, {"active": "active"}, "Figure 2.5")
    y = np.asarray(ax.lines[0].get_ydata(), dtype=float)
    plt.close(fig)
    assert np.isnan(y[3]) and (y[[0, 1, 2, 4, 5]] == 1).all() and not (y == 0).any()
    assert "not collected" in [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def pop():
    return simulate(load_config(scale=0.05))


def test_municipality_table_metadata_holds_table_2_4(pop):
    units = truth_parsed(pop, YEAR_WEEKS[:2]).assign(method="report")
    municipalities = MunicipalityReference().municipalities(2021)
    cells = pd.DataFrame(B.municipality_table(units, municipalities)).assign(method="report", measurement_year="2020")
    assert list(cells["table_id"].iloc[:22]) == ["2.4"] * 22  # Table 2.4 first, the map rows last
    assert cells["table_id"].iloc[-1] == "2.11"
    meta = municipality_metadata(cells, MunicipalityReference().boundaries_path(2021), municipalities)
    table = meta["table_2_4"].value
    assert table.startswith("**Table 2.4**") and not NAN.search(table)
    rows = [l for l in table.splitlines() if l.startswith("| ") and not l.startswith("| municipality")]
    assert len(rows) == 11 and rows[-1].startswith("| total top ten")
    top = cells[(cells["table_id"] == "2.4") & (cells["stat"] == "count") & (cells["row"] != "total top ten")]
    assert [r.split(" | ")[0][2:] for r in rows[:10]] == top["row"].tolist()
    assert meta["table_2_4_plot"].value.startswith("![plot](data:image/png;base64,")
    assert meta["figure_2_11_map"].value.startswith("![plot](data:image/png;base64,")
    assert meta["figure_2_11/municipalities"] == 352 and 0 < meta["figure_2_11/named_in_an_ad"] <= 352
    assert "**Table 2.5**" in meta["table_2_5"].value and not NAN.search(meta["table_2_5"].value)


def test_published_previews_have_no_nan(pop):
    units = truth_parsed(pop, YEAR_WEEKS[:2]).assign(method="report")
    cells = pd.DataFrame(B.price_table(units)).assign(method="report", table_id="2.2")
    preview = published_preview(cells).value
    assert "–" in preview and not NAN.search(preview)


def test_asset_chain_stores_gaps_and_shows_table_2_4(tmp_path, pop, instance):
    """Five of the year's first six weeks collected: the lifecycle year stores null counts for the sixth-but-one
    week, and the municipality table's metadata holds Table 2.4 and its chart."""
    res = make_resources(tmp_path)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema if not exists ads")
        con.register("p", truth_parsed(pop, COLLECTED))
        con.execute("create or replace table ads.parsed_ads as select * from p")
    weekly = [PARSED_SPEC, weekly_unique_ads, ad_lifecycle]
    for week in COLLECTED:
        # the running state is carried from exactly week-1: after the gap only the unique ads are stored
        selection = [weekly_unique_ads, ad_lifecycle] if week < YEAR_WEEKS[3] else [weekly_unique_ads]
        assert dg.materialize(weekly, selection=selection, partition_key=week,
                              resources=res, instance=instance).success
    municipality_table = next(a for a in table_assets if a.key == dg.AssetKey(["ads", "municipality_table"]))
    result = dg.materialize([*weekly, ad_lifecycle_year, unique_workers, municipality_table],
                            selection=[ad_lifecycle_year, unique_workers, municipality_table],
                            partition_key="2020", resources=res, instance=instance)
    assert result.success
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        gap = con.execute("select active, closed, seen_once, collected from ads.ad_lifecycle_year "
                          "where measurement_week = ?", [YEAR_WEEKS[3]]).fetchone()
        zeros = con.execute("select count(*) from ads.ad_lifecycle_year where not collected and "
                            "(active = 0 or closed = 0 or seen_once = 0)").fetchone()[0]
        top = con.execute("select count(*) from ads.municipality_table where table_id = '2.4' and stat = 'count' "
                          "and method = 'report'").fetchone()[0]
    assert gap == (None, None, None, False) and zeros == 0 and top == 11
    mats = {e.asset_key.to_user_string(): e.materialization.metadata for e in result.get_asset_materialization_events()}
    m = mats["ads/municipality_table"]
    assert {"table_2_4", "table_2_4_plot", "table_2_5", "figure_2_11_map"} <= set(m)
    assert not NAN.search(m["preview"].value) and "2.11" not in m["preview"].value
    lifecycle = mats["ads/ad_lifecycle_year"]
    assert lifecycle["weeks_missing"].value == len(YEAR_WEEKS) - len(COLLECTED)


def test_asset_previews_show_a_dash_for_missing_values():
    from sekswerk_assets.lib.metadata import markdown_preview, table_metadata

    frame = pd.DataFrame({"table_id": ["4.20", "4.2"], "value": [1.5, None],
                          "active": pd.array([3, None], dtype="Int64"), "cells": [[1, 2], None]})
    md = table_metadata(frame)["preview"].value
    assert md == markdown_preview(frame)
    assert "| 4.20 " in md and "| 4.2 " in md and not NAN.search(md) and "<NA>" not in md and md.count("–") == 3
