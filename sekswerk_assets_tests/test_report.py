"""The yearly report for 2020 on a small sandbox year: completeness, values equal to the assets, privacy.

The warehouse is filled as in ``test_ads_downstream``: sandbox ground truth shaped as parsed ads, the
weekly assets for a few weeks, then every yearly asset (ads, survey on the embedded synthetic export),
then the report on its own so that it sees all check results of the year.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from sekswerk_assets.partitions import weeks_of_year
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.defs.report.assets import REPORT_KEY, report_paths
from sekswerk_assets.report.content import published_chapter2, published_list
from sekswerk_assets.sandbox import load_config, simulate
from sekswerk_assets.survey.source import SurveySource

from .conftest import REPO, make_resources
from .truth import truth_parsed

YEAR = "2020"
WEEKS = weeks_of_year(2020)[:4]
WEEKLY_KEYS = [["ads", "weekly_unique_ads"], ["ads", "ad_state"], ["ads", "ad_lifecycle"]]
SHARED_TABLES = REPO.parent / "shared" / "reference" / "published_tables.yaml"


def _all_definitions() -> tuple[list, dict, dg.AssetSelection, dg.AssetSelection]:
    from sekswerk_assets.definitions import load_definitions
    defs = load_definitions()
    from sekswerk_assets.jobs import WEEKLY, YEARLY

    merged = defs
    defs_list = [*merged.assets, *(merged.asset_checks or [])]
    weekly = WEEKLY & dg.AssetSelection.assets(*WEEKLY_KEYS)
    return defs_list, dict(merged.resources or {}), weekly, YEARLY - dg.AssetSelection.key_prefixes("report")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    pop = simulate(load_config(scale=0.05))
    with duckdb.connect(str(tmp / "warehouse.duckdb")) as con:
        con.execute("create schema if not exists ads")
        con.register("p", truth_parsed(pop, WEEKS))
        con.execute("create or replace table ads.parsed_ads as select * from p")
    everything, code_location_resources, weekly, yearly = _all_definitions()
    # the code location's resources, with the warehouse, data folder and survey source of this test
    res = {**code_location_resources, **make_resources(tmp, survey_source=SurveySource(survey_dir=str(tmp / "survey")))}
    with dg.instance_for_test() as instance:
        for week in WEEKS:
            assert dg.materialize(everything, selection=weekly, partition_key=week, resources=res, instance=instance).success
        assert dg.materialize(everything, selection=yearly, partition_key=YEAR, resources=res, instance=instance).success
        result = dg.materialize(everything, selection=dg.AssetSelection.assets(REPORT_KEY), partition_key=YEAR,
                                resources=res, instance=instance)
        assert result.success
        html_path, md_path = report_paths(tmp / "data", YEAR)
        yield dict(tmp=tmp, pop=pop, result=result, html=html_path.read_text(), md=md_path.read_text(),
                   html_path=html_path)


def query(tmp: Path, sql: str, params=None) -> pd.DataFrame:
    with duckdb.connect(str(tmp / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).df()


def text_only(doc: str) -> str:
    """The report without its embedded images (base64 is not text a reader sees)."""
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", doc)


# ----------------------------------------------------------------------------- rendering


def test_report_renders_for_2020(built):
    assert built["html_path"].exists() and built["html"].rstrip().endswith("</html>")
    assert not list(built["html_path"].parent.glob(".nulmeting_*"))  # no temp files left behind
    mat = next(e.materialization for e in built["result"].get_asset_materialization_events())
    assert mat.metadata["report"].value == built["md"]
    assert mat.metadata["synthetic"].value is True
    index = query(built["tmp"], "select * from report.nulmeting_report where measurement_year = ?", [YEAR])
    listed = index[index["in_published_list"]]
    assert len(listed) == len(published_list())
    assert listed["available"].all(), listed.loc[~listed["available"], "item_id"].tolist()
    checks = {e.check_name: e.passed for e in built["result"].get_asset_check_evaluations()}
    assert checks["ReportIndexModel_schema"] and checks["report_complete"]


def test_first_line_states_synthetic(built):
    assert built["html"].splitlines()[0].startswith("<!-- SYNTHETIC DATA:")
    assert built["md"].splitlines()[0].startswith("SYNTHETIC DATA:")
    assert "not real measurements" in built["md"].splitlines()[0]
    first = HTMLParser(built["html"]).css_first("body > *")
    assert first.text(strip=True).startswith("SYNTHETIC DATA:")  # the first thing a reader sees


@pytest.mark.parametrize(
    "ads, survey, expected",
    [
        ("sandbox", "synthetic", "SYNTHETIC DATA: measurement year 2021, ads: SANDBOX (the embedded simulated ad sites, "
                                 "invented advertisers); survey: SYNTHETIC export (invented answers). The numbers resting "
                                 "on the invented ads and survey are not real measurements."),
        ("sandbox", "none", "SYNTHETIC DATA: measurement year 2021, ads: SANDBOX"),
        ("real", "synthetic", "SYNTHETIC DATA: measurement year 2021, ads: real (collected from the public ad sites); "
                              "survey: SYNTHETIC export"),
        ("none", "delivered", "Nulmeting sex work sector, measurement year 2021: ads: none (no ads collected for this "
                              "year); survey: delivered municipal export."),
        ("real", "none", "Nulmeting sex work sector, measurement year 2021: ads: real (collected from the public ad "
                         "sites); survey: none (no municipal survey export for this year)."),
    ],
)
def test_first_line_names_what_is_synthetic(ads, survey, expected):
    from sekswerk_assets.report.document import first_line

    assert first_line("2021", ads=ads, survey=survey).startswith(expected)


def test_every_published_id_appears_in_order(built):
    tree = HTMLParser(built["html"])
    ids = [n.attributes["data-item-id"] for n in tree.css("section[data-item-id]")]
    expected = [s["id"] for s in published_list()]
    assert [i for i in ids if i in expected] == expected
    tables = {n.attributes["data-table-id"] for n in tree.css("table[data-table-id]")}
    assert set(expected) - {"Figure 2.1", "Figure 2.11"} <= tables  # 2.1 is a diagram, 2.11 only a map
    assert tree.css_first('section[data-item-id="Figure 2.11"] img') is not None
    for sid in expected:  # the Markdown twin holds the same ids
        assert f"### {sid} " in built["md"], sid


def test_published_list_matches_the_shared_reference():
    """The report's id list covers every numbered table of chapters 2-4 of the printed report."""
    if not SHARED_TABLES.exists():
        pytest.skip("shared reference not available")
    printed = yaml.safe_load(SHARED_TABLES.read_text())["tables"]
    numbered = [t["id"].replace("Tabel ", "Table ") for t in printed if re.match(r"Tabel [234]\.\d+$", t["id"])]
    ours = [s["id"] for s in published_list() if s["id"].startswith("Table")]
    assert sorted(set(numbered)) == sorted({re.sub(r"[ab]$", "", i) for i in ours})
    assert numbered.count("Table 2.5") == 2 and {"Table 2.5a", "Table 2.5b"} <= set(ours)
    figures = [s["id"] for s in published_list() if s["id"].startswith("Figure")]
    assert figures == [f"Figure 2.{i}" for i in range(1, 13) if i != 8]  # the report has no Figure 2.8


# ----------------------------------------------------------------------------- values


def html_cells(table) -> tuple[dict, set, set]:
    values, suppressed, absent = {}, set(), set()
    for td in table.css("td[data-row]"):
        a = td.attributes
        key = (a["data-row"], a["data-column"], a["data-stat"])
        if "data-absent" in a:
            absent.add(key)
        elif "data-suppressed" in a:
            suppressed.add(key)
            assert "data-value" not in a and td.text(deep=False).strip() == "[s]"
        elif "data-value" in a:
            values[key] = float(a["data-value"])
        else:
            values[key] = None
    return values, suppressed, absent


def asset_cells(tmp: Path, table) -> tuple[dict, set]:
    a = table.attributes
    kind, source, sid = a["data-source-kind"], a["data-source-table"], a["data-source-id"]
    if kind == "long":
        df = query(tmp, f"select row, \"column\", stat, value from {source} where measurement_year = ? and "
                        "method = 'report' and table_id = ?", [YEAR, sid])
        return {(r, c, s): (None if pd.isna(v) else float(v)) for r, c, s, v in df.itertuples(index=False)}, set()
    if kind == "survey":
        df = query(tmp, f"select row_key, \"column\", value, value_published, suppressed from {source} "
                        "where measurement_year = ? and table_id = ?", [YEAR, sid])
        values = {(r, c, c.rsplit(":", 1)[-1]): (None if pd.isna(p) else float(p))
                  for r, c, v, p, s in df.itertuples(index=False) if not s}
        sup = {(r, c, c.rsplit(":", 1)[-1]) for r, c, v, p, s in df.itertuples(index=False) if s}
        return values, sup
    if kind == "weekly" and source == "ads.ad_lifecycle_year":
        cols = sid.split(",")
        df = query(tmp, f"select * from {source} where measurement_year = ? and collected", [YEAR])
        return {(w, c, "count"): (None if pd.isna(v) else float(v))
                for w, row in zip(df["measurement_week"], df[cols].to_dict("records")) for c, v in row.items()}, set()
    if kind == "weekly":
        df = query(tmp, f"select measurement_week, series, value from {source} where measurement_year = ?", [YEAR])
        return {(w, s, "mean"): (None if pd.isna(v) else float(v)) for w, s, v in df.itertuples(index=False)}, set()
    raise AssertionError(f"unknown source kind {kind}")


def test_table_values_equal_the_assets(built):
    tree = HTMLParser(built["html"])
    checked = 0
    parts: dict[str, list] = {}  # a wide table is printed as several narrow parts with the same id
    for table in tree.css("table[data-table-id]"):
        parts.setdefault(table.attributes["data-table-id"], []).append(table)
    for tid, tables in parts.items():
        table = tables[0]
        if table.attributes["data-source-kind"] not in ("long", "survey", "weekly"):
            continue
        got, got_suppressed = {}, set()
        for part in tables:
            values, suppressed, _ = html_cells(part)
            got.update(values)
            got_suppressed |= suppressed
        want, want_suppressed = asset_cells(built["tmp"], table)
        assert got_suppressed == want_suppressed, tid
        assert set(got) == set(want), (tid, set(got) ^ set(want))
        for key, v in want.items():
            assert (got[key] is None and v is None) or got[key] == pytest.approx(v, abs=1e-9), (tid, key)
        checked += 1
    assert checked >= len(published_list()) - 2


def test_published_values_beside_the_computed_ones(built):
    tree = HTMLParser(built["html"])
    # Table 2.2, price band 101-150, all prices: printed 11,687 ads
    td = tree.css_first('table[data-table-id="Table 2.2"] td[data-row="101-150"][data-column="all"][data-stat="count"]')
    assert float(td.css_first('span[data-source="published"]').attributes["data-value"]) == 11687
    # survey Table 3.1 (option 1, count): printed 124, equal to the embedded export
    td = tree.css_first('table[data-table-id="Table 3.1"] td[data-row="1"][data-column="count"]')
    assert float(td.attributes["data-value"]) == 124
    assert float(td.css_first('span[data-source="published"]').attributes["data-value"]) == 124
    fill = tree.css_first('table[data-table-id="Quality: fill rates"]')
    assert fill is not None and "71.0" in fill.text()  # Bijlage 5: price filled in 71%
    assert tree.css_first('table[data-table-id="Quality: checks"] td.passed') is not None
    assert f"{published_chapter2()['facts']['unique_ads']:,}" in built["md"]


# ----------------------------------------------------------------------------- privacy

PHONE = re.compile(r"(?<![\w])(?:\+|00)?[\d][\d \-().]{7,16}\d(?![\w])")


def _normalise_phone(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0031"):
        digits = "0" + digits[4:]
    elif digits.startswith("31") and raw.lstrip().startswith("+"):
        digits = "0" + digits[2:]
    return digits


def test_phone_number_formats_are_recognised():
    for raw in ("0691234567", "06-91234567", "06 9123 4567", "+31 6 91234567", "+31691234567", "0031 6 9123 4567",
                "(06) 91 23 45 67"):
        assert any(_normalise_phone(m) == "0691234567" for m in PHONE.findall(f"x {raw} y")), raw


@pytest.mark.parametrize("which", ["html", "md"])
def test_no_personal_data(built, which):
    text = text_only(built[which])
    ads = built["pop"].ads
    phones = {_normalise_phone(m) for m in PHONE.findall(text)}
    assert not {p for p in phones if re.fullmatch(r"069\d{7}", p)}
    assert not phones & set(ads["phone"].astype(str))
    names = {n for n in ads["name"].dropna().astype(str) if len(n) >= 5}
    words = set(re.findall(r"\w+", text))
    assert not names & words, sorted(names & words)[:10]
    codes = set(ads["ad_code"].astype(str))
    # whole numbers only: digit runs inside hex (commit hashes, colours) or decimals are not codes
    tokens = set(re.findall(r"(?<![\w.,])\d{5,}(?![\w.,])", text))
    assert not codes & tokens, sorted(codes & tokens)[:10]


def _municipality_names() -> list[str]:
    import os

    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    return sorted(set(ref.municipalities(2021)["name"]))


@pytest.mark.parametrize("which", ["html", "md"])
def test_only_top_ten_municipalities_are_named(built, which):
    text = text_only(built[which])
    found = {n for n in _municipality_names() if re.search(rf"(?<![\w'-]){re.escape(n)}(?![\w'-])", text)}
    rows = query(built["tmp"], "select distinct row from ads.municipality_table where measurement_year = ? and "
                               "method = 'report' and table_id in ('2.4', '2.5b') union select distinct row from "
                               "ads.work_type_by_municipality where measurement_year = ? and method = 'report'",
                 [YEAR, YEAR])
    allowed = set(rows["row"])
    for tid in ("Table 2.4", "Table 2.5b"):
        allowed |= set(published_chapter2()["items"][tid])
    assert found, "the top-ten tables name municipalities"
    assert found <= allowed, sorted(found - allowed)
    # and no municipality appears outside the three top-ten tables
    tree = HTMLParser(built[which]) if which == "html" else None
    if tree is not None:
        for sel in ('section[data-item-id="Table 2.4"]', 'section[data-item-id="Table 2.5b"]',
                    'section[data-item-id="Figure 2.12"]'):
            tree.css_first(sel).decompose()
        rest = text_only(tree.html)
        leaked = {n for n in _municipality_names() if re.search(rf"(?<![\w'-]){re.escape(n)}(?![\w'-])", rest)}
        assert not leaked, sorted(leaked)
