"""The report reads cleanly: no nan, report rounding, right table ids, tables that fit the page, a first line that
states each input, and data-quality counts per partition."""

from __future__ import annotations

import json
import re
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sekswerk_assets.report.document import enforcement_tables, first_line
from sekswerk_assets.report.inputs import ads_nature, survey_nature
from sekswerk_assets.report.quality import check_results
from sekswerk_assets.report.render import Extra, cell_text, fmt, md_frame

from .test_report import built, text_only  # noqa: F401  (the module's report on a small sandbox year)

NAN = re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])", re.IGNORECASE)
CHROMIUM = "/usr/bin/chromium"


# ----------------------------------------------------------------------------- cells


def test_no_nan_anywhere_in_the_markdown_or_the_html(built):
    md = text_only(built["md"])
    assert not NAN.findall(md), [l for l in md.splitlines() if NAN.search(l)][:5]
    html_text = HTMLParser(built["html"]).body.text(separator=" ")
    assert not NAN.findall(html_text)


def test_an_empty_cell_is_a_dash_with_its_reason_underneath(built):
    md = built["md"]
    table_lines = [l for l in md.splitlines() if l.startswith("|")]
    assert any(" – " in l or "| – |" in l or "| –" in l for l in table_lines)
    assert "– no value: the 2020 source has no figure for this cell" in md
    assert "– not stated:" in md
    tree = HTMLParser(built["html"])
    for table in tree.css("table"):
        if any(td.text(deep=False).strip() == "–" for td in table.css("td")):
            foot = table.parent.next  # past the table's wrapper and any further parts of the same table
            while foot is not None and (foot.tag != "p" or "part" in (foot.attributes.get("class") or "").split()):
                foot = foot.next
            assert foot is not None and "footnote" in foot.attributes.get("class", ""), table.attributes.get("data-table-id")


def test_numbers_are_rounded_half_up_as_the_report_rounds():
    assert fmt(2.25, "percent") == "2.3" and fmt(0.05, "percent") == "0.1" and fmt(1.35, "mean") == "1.4"
    assert fmt(2.5, "count") == "3" and fmt(12_345.5, "count") == "12,346" and fmt(None, "count") == "–"
    assert cell_text(0.13114754098360656) == "0.1" and cell_text(61.0) == "61" and cell_text(float("nan")) == "–"
    assert cell_text(2021, "year") == "2021" and cell_text(12_500, "ads") == "12,500" and cell_text(pd.NA) == "–"
    md = md_frame(Extra("x", "x", pd.DataFrame({"share (%)": [71.0, 89.45], "n": [3.0, None]})))
    assert "| 71.0 | 3 |" in md and "| 89.5 | – |" in md and "not stated" in md


def test_no_unrounded_number_in_a_table(built):
    long_decimals = re.compile(r"(?<![\w.])\d[\d,]*\.\d{2,}(?![\w.])")
    cells = [c.strip() for l in text_only(built["md"]).splitlines() if l.startswith("| ") for c in l.split("|")]
    numeric = [c for c in cells if not re.search(r"survey\.|ads\.|Table|Figure", c)]  # source names hold table ids
    assert len(numeric) > 500
    assert not [c for c in numeric if long_decimals.search(c)][:5]


# ----------------------------------------------------------------------------- ids


def test_table_4_20_ids_are_right_in_markdown_and_html(built):
    md = built["md"]
    assert "### Table 4.20 " in md
    assert "### Enforcement per year (survey table 4.20)" in md
    assert not re.search(r"^\|\s*4\.2\s*\|", md, re.M)  # no row id printed as a number
    tree = HTMLParser(built["html"])
    assert tree.css_first('section[data-item-id="Table 4.20"] table[data-table-id="Table 4.20"]') is not None
    assert tree.css_first('table[data-table-id="Enforcement trends 4.20"]') is not None
    ids = [t.attributes["data-table-id"] for t in tree.css("table[data-table-id]")]
    assert "Enforcement trends 4.2" not in ids and "Table 4.20" in ids and "Table 4.2" in ids
    for sid in re.findall(r"^### (Table [\d.]+[ab]?) ", md, re.M):
        assert tree.css_first(f'table[data-table-id="{sid}"], section[data-item-id="{sid}"]') is not None, sid


def test_enforcement_trends_are_narrow_tables_per_survey_table():
    enf = pd.DataFrame({
        "measurement_year": "2020", "table_id": ["4.16", "4.16", "4.20"], "section": "s", "item_key": "k",
        "item": ["reports", "reports", "Geen vergunning"], "period": ["2019", "2020", "all years"],
        "total": [61.0, 89.0, 38.0], "municipalities": [22, 24, 38], "base_n": [52, 52, 52],
        "percent": [None, None, 73.1], "largest_share": [0.1311, 0.2, None],
        "total_without_largest": [53.0, 71.0, None], "total_without_dominant": [53.0, 71.0, None],
        "suppressed": [False, False, False],
    })
    tables = enforcement_tables(enf, "2020")
    assert [t.id for t in tables] == ["Enforcement trends 4.16", "Enforcement trends 4.20"]
    assert "%" not in tables[0].frame.columns  # a column without any value is left out
    assert tables[0].frame["largest municipality (% of total)"].round(1).tolist() == [13.1, 20.0]
    assert "section" not in tables[1].frame.columns and "item_key" not in tables[1].frame.columns


# ----------------------------------------------------------------------------- width


def test_no_table_is_wider_than_its_page_at_1280px(built, tmp_path):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(built["html_path"].as_uri(), wait_until="load", timeout=120_000)
            result = page.evaluate("""() => {
                const body = document.body, cs = getComputedStyle(body);
                const page = body.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
                const tables = [...document.querySelectorAll('table')].map(t => ({
                    id: t.dataset.tableId || '?', part: t.dataset.part || '1',
                    width: t.getBoundingClientRect().width}));
                return {page, scroll: document.documentElement.scrollWidth, tables};
            }""")
            page.screenshot(path=str(tmp_path / "report_1280.png"), full_page=False)
        finally:
            browser.close()
    assert result["page"] > 900 and len(result["tables"]) > 60
    too_wide = [(t["id"], t["part"], round(t["width"])) for t in result["tables"] if t["width"] > result["page"] + 0.5]
    assert too_wide == []
    assert result["scroll"] <= 1280  # nothing pushes the page sideways
    ids = {t["id"] for t in result["tables"]}
    assert {"Table 2.2", "Enforcement trends 4.16", "Year comparison"} <= ids  # Table 2.2 and Appendix C measured
    assert sum(t["id"] == "Table 2.2" for t in result["tables"]) > 1  # the wide one is split into narrow parts


# ----------------------------------------------------------------------------- first line


def test_first_line_states_each_input_from_the_data(tmp_path):
    root = tmp_path / "data"
    none_inputs = {"fill_rates": pd.DataFrame({"ads": [0]})}
    assert ads_nature(root, "2021", none_inputs, configured_sandbox=True)[0] == "none"  # config says sandbox: no ads
    week = root / "raw" / "kinky" / "2021-08-24"
    week.mkdir(parents=True)
    (week / "summary.json").write_text(json.dumps({"site": "kinky", "week": "2021-08-24", "synthetic": False}))
    kind, basis = ads_nature(root, "2021", none_inputs, configured_sandbox=True)
    assert kind == "real" and "1 weekly site snapshot" in basis  # the snapshot's own flag wins over the config
    other = root / "raw" / "sexjobs" / "2021-08-31"
    other.mkdir(parents=True)
    (other / "summary.json").write_text(json.dumps({"synthetic": True}))
    assert ads_nature(root, "2021", none_inputs, configured_sandbox=False)[0] == "sandbox"
    assert ads_nature(root, "2022", {"fill_rates": pd.DataFrame({"ads": [5]})}, configured_sandbox=False)[0] == "real"

    assert survey_nature({"survey_synthetic": pd.DataFrame({"s": [False]})}) == "delivered"
    assert survey_nature({"survey_synthetic": pd.DataFrame({"s": [True]})}) == "synthetic"
    assert survey_nature({"survey_synthetic": pd.DataFrame({"s": [None]})}) == "none"
    line = first_line("2021", ads="none", survey="delivered")
    assert not line.startswith("SYNTHETIC") and "ads: none" in line and "survey: delivered" in line


def test_built_report_first_line_and_metadata(built):
    first = built["md"].splitlines()[0]
    assert first.startswith("SYNTHETIC DATA: measurement year 2020, ads: SANDBOX")
    assert "survey: SYNTHETIC export" in first
    mat = next(e.materialization for e in built["result"].get_asset_materialization_events())
    assert mat.metadata["input_ads"].value == "sandbox" and mat.metadata["input_survey"].value == "synthetic"


# ----------------------------------------------------------------------------- data quality


WEEKS_2020 = ["2020-08-25", "2020-09-01", "2020-09-08"]
weekly = dg.TimeWindowPartitionsDefinition(start="2020-08-25", cron_schedule="0 0 * * 2", fmt="%Y-%m-%d",
                                           timezone="Europe/Amsterdam")


@dg.asset(partitions_def=weekly)
def quality_probe(context):
    if context.partition_key == "2020-09-15":
        raise RuntimeError("this week's materialisation fails, so its check is planned but never runs")
    return 1


@dg.asset_check(asset=quality_probe)
def probe_unpartitioned():
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=quality_probe, partitions_def=weekly)
def probe_partitioned(context):
    return dg.AssetCheckResult(passed=context.partition_key != "2021-08-24")


def test_a_check_passed_in_every_week_counts_as_passed(instance):
    defs = [quality_probe, probe_unpartitioned, probe_partitioned]
    for week in [*WEEKS_2020, "2021-08-24"]:
        dg.materialize(defs, partition_key=week, instance=instance, raise_on_error=False)
    res = check_results(instance, [probe_unpartitioned.check_key, probe_partitioned.check_key], "2020").set_index("check")
    for name in ("probe_unpartitioned", "probe_partitioned"):
        row = res.loc[name]
        assert (row["status"], row["passed"], row["failed"], row["not_evaluated"], row["scope"]) == ("passed", 3, 0, 0, "weeks")
    later = check_results(instance, [probe_partitioned.check_key], "2021").set_index("check").loc["probe_partitioned"]
    assert (later["status"], later["failed"], later["passed"]) == ("failed", 1, 0)
    # a week whose check was only planned (the asset failed, the check never ran) is "not evaluated"
    assert not dg.materialize(defs, partition_key="2020-09-15", instance=instance, raise_on_error=False).success
    row = check_results(instance, [probe_unpartitioned.check_key], "2020").set_index("check").loc["probe_unpartitioned"]
    assert (row["status"], row["passed"], row["not_evaluated"]) == ("incomplete", 3, 1)


def test_the_report_quality_line_counts_per_partition(built):
    line = next(l for l in built["md"].splitlines() if l.startswith("Asset checks of the code location"))
    passed, failed, none, incomplete = map(int, re.search(
        r"(\d+) passed, (\d+) failed, (\d+) without a result, (\d+) incomplete", line).groups())
    assert passed > 20 and incomplete == 0, line


def test_a_schema_error_upstream_fails_the_report_instead_of_not_available(tmp_path):
    """A table that exists in another shape is an error, never a silent 'not available'."""
    import duckdb
    from dagster_duckdb import DuckDBResource

    from sekswerk_assets.report.inputs import ReportInputError, read_inputs

    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema ads")
        con.execute("create table ads.price_table (year_of_measure varchar, cell double)")  # no measurement_year
    with pytest.raises(ReportInputError, match=r"ads\.price_table cannot be read \(BinderException"):
        read_inputs(DuckDBResource(database=str(db)), "2020")
    # a table that does not exist yet still reads as empty (the year simply has no such data)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert read_inputs(DuckDBResource(database=str(empty)), "2020")["ads.price_table"].empty
