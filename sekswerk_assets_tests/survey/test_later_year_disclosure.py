"""Issue 10, points 5-7 and the acceptance runs: a later-year export without personal columns, with thousands dots
and unanswered questions, runs end to end (no_answer rows, that year's reference period); no suppressed cell of any
published survey table can be recovered (by subtraction or by linear programming) on the embedded 2020 export or on
a random later-year export; questionnaire versions per year."""

from __future__ import annotations

import os
import random
import re

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from sekswerk_assets.codebook import codebook_for_year
from sekswerk_assets.enforcement.trends import _long_cells
from sekswerk_assets.lib.disclosure import MIN_CELL, PROTECTION_INTERVAL
from sekswerk_assets.policy.summary import typology_counts
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.survey import synthetic
from sekswerk_assets.defs.survey.assets import survey_responses
from sekswerk_assets.defs.survey.assets import year_comparison
from sekswerk_assets.survey.tables import apply_disclosure, apply_disclosure_primary_only, printed_cells
from sekswerk_assets_tests.survey.helpers import YEARLY, materialize, query, resources

LATER = "2023"
SIZES = ("small", "medium", "large")
UNANSWERED = ("q27", "q30", "q31", "q56", "q65")  # nobody answers these in the later year


# ------------------------------------------------------------------ an independent attacker


def attack(t: pd.DataFrame, widths: dict | None = None) -> list[str]:
    """Try to recover every suppressed count cell of one table from its published cells.

    Knowledge: size classes add up to the overall cell; in single-answer tables and in unit-count columns the rows add
    up to the total row (size columns: at most the total, their no-answer cells are not published); cells lie between
    0 and their base (unit counts: between 0 and their column total). Returns the pinned cells; ``widths`` receives
    every suppressed cell's feasible width (max - min)."""
    cells = t[t["column"].str.endswith(("count", "municipalities")) & t["value"].notna()].reset_index(drop=True)
    if not cells["suppressed"].any():
        return []
    key = {(r, c): i for i, (r, c) in enumerate(zip(cells["row_key"], cells["column"]))}
    pub = cells["value_published"].to_numpy(dtype=float)
    hid = cells["suppressed"].to_numpy()
    var = [i for i in range(len(cells)) if hid[i]]
    pos = {i: k for k, i in enumerate(var)}
    units = {i for (r, c), i in key.items() if c.endswith("count") and (r, c[:-5] + "municipalities") in key}
    multi = bool(t["multiple_answers"].iloc[0])
    eq, le = [], []
    for (r, c), i in key.items():  # sizes add up
        parts = [key.get((r, f"{s}:{c}")) for s in SIZES]
        if ":" not in c and all(p is not None for p in parts):
            eq.append((parts + [i], [1, 1, 1, -1]))
    cols = {c for (_, c) in key}
    for c in cols:
        if c.endswith("municipalities") or ("total", c) not in key:
            continue
        members = [i for (r, cc), i in key.items() if cc == c and r != "total"]
        if multi and not any(m in units for m in members):
            continue
        rel = (members + [key[("total", c)]], [1] * len(members) + [-1])
        (le if c.split(":")[0] in SIZES else eq).append(rel)
    upper = []
    for i in var:
        if i in units:
            c = cells.loc[i, "column"]
            upper.append(pub[key[("total", c)]] if ("total", c) in key and not hid[key[("total", c)]] else 1e7)
        else:
            upper.append(float(cells.loc[i, "base_n"]))

    def mats(rels):
        a, b = [], []
        for idx, coef in rels:
            if not any(j in pos for j in idx):
                continue
            row, rhs = np.zeros(len(var)), 0.0
            for j, w in zip(idx, coef):
                if j in pos:
                    row[pos[j]] += w
                else:
                    rhs -= w * pub[j]
            a.append(row)
            b.append(rhs)
        return (np.array(a), np.array(b)) if a else (None, None)

    a_eq, b_eq = mats(eq)
    a_ub, b_ub = mats(le)
    pinned = []
    for idx, coef in eq:  # subtraction: a relation with exactly one hidden cell
        hidden = [j for j in idx if hid[j]]
        if len(hidden) == 1:
            pinned.append(f"{t['table_id'].iloc[0]} {cells.loc[hidden[0], 'row_key']} "
                          f"{cells.loc[hidden[0], 'column']} (subtraction)")
    for i in var:
        c = np.zeros(len(var))
        c[pos[i]] = 1
        lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=list(zip([0] * len(var), upper)), method="highs")
        hi = linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=list(zip([0] * len(var), upper)), method="highs")
        assert lo.status == 0 and hi.status == 0, (t["table_id"].iloc[0], lo.message, hi.message)
        if -hi.fun - lo.fun < 0.5:
            pinned.append(f"{t['table_id'].iloc[0]} {cells.loc[i, 'row_key']} {cells.loc[i, 'column']} (LP)")
        if widths is not None:
            widths[(cells.loc[i, "row_key"], cells.loc[i, "column"])] = (-hi.fun - lo.fun, upper[pos[i]])
    return pinned


def narrow_cells(t: pd.DataFrame, printed: set) -> list[str]:
    """Suppressed cells whose feasible range is narrower than the protection interval, unless that range is already
    the widest any pattern can give: with every cell hidden that the report did not print itself (and that is not
    a total equal to the published N), i.e. what the printed report alone leaves open."""
    widths: dict = {}
    attack(t, widths)
    if not widths:
        return []
    tid = t["table_id"].iloc[0]
    widest_t = t.assign(suppressed=[(tid, r, c) not in printed and not (r == "total" and v == b)
                                    for r, c, v, b in zip(t["row_key"], t["column"], t["value"], t["base_n"])])
    widest_t["value_published"] = widest_t["value"].where(~widest_t["suppressed"])
    widest: dict = {}
    attack(widest_t, widest)
    # (a printed cell hidden with its row, as in the enforcement rows, keeps its own width as the widest)
    need = {k: min(PROTECTION_INTERVAL, up, widest.get(k, (w,))[0]) for k, (w, up) in widths.items()}
    return [f"{tid} {r} {c}: {w:.1f} < {need[(r, c)]:.1f}" for (r, c), (w, _) in widths.items()
            if w < need[(r, c)] - 1e-6]


def narrow_all(tables: pd.DataFrame, printed: set) -> list[str]:
    return [n for _, t in tables.groupby("table_id") for n in narrow_cells(t, printed)]


def attack_all(tables: pd.DataFrame) -> list[str]:
    return [p for _, t in tables.groupby("table_id") for p in attack(t)]


def enforcement_as_tables(e: pd.DataFrame, year: str) -> pd.DataFrame:
    cells, own_printed, origin = _long_cells(e.reset_index(drop=True), printed_cells(year))
    cells["suppressed"] = [bool(e.reset_index(drop=True).loc[o, "suppressed"]) for o in origin]
    cells["value_published"] = cells["value"].where(~cells["suppressed"])
    cells.attrs["printed"] = own_printed  # the report's printed cells under these tables' ids
    return cells


def all_published(tmp, year) -> dict[str, pd.DataFrame]:
    t = query(tmp, f"select * from survey.tables where measurement_year='{year}'")
    o = query(tmp, f"select * from survey.response_overview where measurement_year='{year}'")
    typ = query(tmp, f"select * from survey.policy_typology where measurement_year='{year}'")
    counts = apply_disclosure(typology_counts(typ, codebook_for_year(year)), year)
    e = query(tmp, f"select * from survey.enforcement_trends where measurement_year='{year}'")
    return {"tables": t, "overview": o, "policy": counts, "enforcement": enforcement_as_tables(e, year)}


# ------------------------------------------------------------------ the later-year export


def later_export(seed: int):
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    full, fu = synthetic.generate(ref.municipalities(int(LATER) + 1), seed=seed)
    cb = codebook_for_year(LATER)
    full = full.drop(columns=["q71a", "q71b", "q72"]).astype(object).where(full.notna(), "")
    full = full.map(lambda v: str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v))
    for q in UNANSWERED:
        for c in cb.question(q).columns():
            if c.name in full:
                full[c.name] = ""
    i = full.index[full["q52"] == "1"][0]
    full.loc[i, "q55a_r1_c4"] = "1.000"  # a thousands dot in a count
    fu = fu.astype(object).where(fu.notna(), "").map(str)
    return full, fu


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("later")
    seed = random.Random().randrange(10_000, 99_999)
    full, fu = later_export(seed)
    folder = tmp / "survey" / LATER
    folder.mkdir(parents=True)
    full.to_csv(folder / "full.csv", index=False, sep=";")
    fu.to_csv(folder / "followup.csv", index=False, sep=";")
    with dg.instance_for_test() as instance:
        result = materialize(tmp, instance, LATER, survey_dir=tmp / "survey")
        assert result.success, seed
        comp = dg.materialize([year_comparison, *YEARLY], resources=resources(tmp, tmp / "survey"), instance=instance,
                              selection=[year_comparison])
        yield tmp, result, comp, seed


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embedded_disclosure")
    with dg.instance_for_test() as instance:
        result = materialize(tmp, instance, "2020")
        assert result.success
        yield tmp, result


def meta_of(result, name):
    return {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}[name]


def test_later_year_no_answer_rows(later):
    tmp, *_ , seed = later
    t = query(tmp, f"select * from survey.tables where measurement_year='{LATER}'").set_index(["table_id", "row_key", "column"])
    for tid, col in (("3.6", "count"), ("3.8", "requested:municipalities"), ("3.8", "granted:municipalities"),
                     ("4.17", "municipalities"), ("4.18", "warnings:municipalities")):
        base = t.loc[(tid, "no_answer", col), "base_n"]
        assert base > 0 and t.loc[(tid, "no_answer", col), "value"] == base, (tid, col, seed)
    # never a 0 for "not answered": every cell of an unanswered question is empty
    for tid, col in (("3.6", "count"), ("3.6", "percent"), ("3.8", "requested:count"), ("4.17", "count"),
                     ("4.17", "total")):
        cells = t.xs(tid, level="table_id")
        cells = cells[(cells.index.get_level_values("column") == col) & (cells.index.get_level_values("row_key") != "no_answer")]
        assert cells["value"].isna().all(), (tid, col)
    e = query(tmp, f"select * from survey.enforcement_trends where measurement_year='{LATER}' and table_id = '4.17'")
    assert e["total"].isna().all() and (e["no_answer"] == e["base_n"]).all()


def test_later_year_comparison_says_not_answered(later):
    tmp, _, comp, _ = later
    c = query(tmp, "select * from survey.year_comparison").set_index(["indicator", "year"])
    assert c.loc[("measures_by_kind_total", LATER), "status"] == "not asked / not answered"
    assert pd.isna(c.loc[("measures_by_kind_total", LATER), "value"])
    assert "not asked / not answered" in meta_of(comp, "year_comparison")["comparison"].value


def test_later_year_labels_carry_its_reference_period(later):
    tmp, result, *_ = later
    t = query(tmp, f"select * from survey.tables where measurement_year='{LATER}'")
    cols = set(t.loc[t.table_id == "4.16", "column"])
    assert {"2020:count", "2023:count"} <= cols and not {"2017:count"} & cols
    assert "2020-2023" in t.loc[t.table_id == "text:q52", "title"].iloc[0]
    e = query(tmp, f"select distinct period from survey.enforcement_trends where measurement_year='{LATER}'")
    assert set(e["period"]) == {"2020", "2021", "2022", "2023", "all years"}
    m = meta_of(result, "tables")
    assert m["reference_period"].value == "2020-2023" and m["codebook_reused"].value is True
    assert "reuses the questionnaire written for measurement year 2020" in m["codebook"].value
    r = meta_of(result, "municipalities_responses")
    assert r["personal_columns_dropped"].value == "none present"


def test_later_year_thousands_dot(later):
    tmp, *_ = later
    v = query(tmp, f"select value from survey.municipalities_responses where measurement_year='{LATER}' "
                   "and variable = 'q55a_r1_c4'")["value"]
    assert "1000" in set(v)


def test_no_suppressed_cell_recoverable_later_year(later):
    tmp, result, *_, seed = later
    published = all_published(tmp, LATER)
    assert sum(int(t["suppressed"].sum()) for t in published.values()) > 0
    for name, t in published.items():
        assert attack_all(t) == [], (name, seed)
        # item 6: every suppressed cell's feasible range spans the protection interval (no printed cells this year)
        assert narrow_all(t, set()) == [], (name, seed)
    m = meta_of(result, "tables")
    assert m["suppressed_cells_audited"].value >= m["primary_suppressions"].value > 0
    assert m["capped_by_printed_cells"].value == 0


def test_no_suppressed_cell_recoverable_embedded_2020(embedded):
    tmp, result = embedded
    printed = printed_cells("2020")
    for name, t in all_published(tmp, "2020").items():
        assert attack_all(t) == [], name
        assert narrow_all(t, t.attrs.get("printed", printed)) == [], name
    m = meta_of(result, "tables")
    assert m["secondary_suppressions"].value > 0
    assert m["suppressed_cells_audited"].value == m["primary_suppressions"].value + m["secondary_suppressions"].value


def test_linked_tables_share_their_pattern(later):
    """Tables on the same population (a child asked to one row of its parent) hide the cells they share together."""
    from sekswerk_assets.survey.tables import LINKS

    tmp, *_, seed = later
    t = all_published(tmp, LATER)["tables"].set_index(["table_id", "row_key", "column"])["suppressed"]
    checked = 0
    for child, parent, rows, has_total in LINKS:
        if len(rows) != 1:
            continue
        for z in SIZES:
            p = bool(t.get((parent, rows[0], f"{z}:count"), False))
            if has_total:
                assert p == bool(t.get((child, "total", f"{z}:count"), False)), (child, z, seed)
            elif p:
                kids = t.xs(child, level="table_id")
                kids = kids[kids.index.get_level_values("column") == f"{z}:count"]
                assert kids.all(), (child, z, seed)
            checked += 1
    assert checked


def test_primary_suppression_alone_is_recoverable(embedded):
    """The attacker is not toothless: with primary suppression only (the former rule) cells are pinned."""
    tmp, _ = embedded
    t = query(tmp, "select * from survey.tables where measurement_year='2020'").drop(
        columns=["suppressed", "value_published"])
    old = apply_disclosure_primary_only(t, "2020", MIN_CELL)
    assert attack_all(old)


def test_largest_municipality_band(embedded, later):
    tmp, _ = embedded
    e = query(tmp, "select * from survey.enforcement_trends where measurement_year='2020' and table_id='4.16'")
    r = e[(e.section == "reports") & (e.period == "2020")].iloc[0]
    assert r.total - r.total_without_largest == 45  # printed by the report (footnote) for 2020
    earlier = e[(e.section == "reports") & (e.period == "2017")].iloc[0]
    assert pd.isna(earlier.largest_share) and earlier.largest_share_band.endswith("%")
    tmp2, *_ = later
    e2 = query(tmp2, f"select * from survey.enforcement_trends where measurement_year='{LATER}' and table_id='4.16'")
    shown = e2[e2.largest_share.notna()]
    assert shown.empty or (shown["municipalities"] >= 3).all()


# ------------------------------------------------------------------ 7. questionnaire versions


def _run_responses(tmp, folder_year, codebook_text, instance):
    full, fu = later_export(12345)
    folder = tmp / "survey" / folder_year
    folder.mkdir(parents=True)
    full.to_csv(folder / "full.csv", index=False)
    if codebook_text is not None:
        (folder / "codebook.yaml").write_text(codebook_text, encoding="utf-8")
    return materialize(tmp, instance, folder_year, survey_dir=tmp / "survey", assets=[survey_responses],
                       raise_on_error=False)


def test_year_declares_version_name(tmp_path, instance):
    result = _run_responses(tmp_path, "2024", "version: v2021\n", instance)
    assert result.success
    m = meta_of(result, "municipalities_responses")
    assert "version named in 2024/codebook.yaml" in m["codebook"].value and m["codebook_reused"].value is True
    assert m["reference_period"].value == "2021-2024"
    assert "codebook.yaml" in m["file_hashes"].value


def test_year_declares_its_own_codebook(tmp_path, instance):
    from sekswerk_assets.codebook.codebook import CODEBOOK_DIR

    text = (CODEBOOK_DIR / "questionnaire_v2021.yaml").read_text(encoding="utf-8")
    text = text.replace("codebook_version: v2021", "codebook_version: v2025").replace("reference_year: 2020",
                                                                                     "reference_year: 2024")
    text = text.replace("'2017'", "'2021'").replace("'2018'", "'2022'").replace("'2019'", "'2023'").replace("'2020'", "'2024'")
    result = _run_responses(tmp_path, "2024", text, instance)
    assert result.success
    m = meta_of(result, "municipalities_responses")
    assert m["codebook_version"].value == "v2025" and m["codebook_reused"].value is False
    assert "2024/codebook.yaml" in m["codebook"].value


def test_unknown_version_name(tmp_path, instance):
    result = _run_responses(tmp_path, "2024", "version: v2031\n", instance)
    assert not result.success
    from sekswerk_assets_tests.survey.test_damaged_files import failure_text

    text = failure_text(result)
    assert "unknown codebook version 'v2031'; known versions: v2021" in text


def test_same_table_in_two_assets_has_one_pattern(later):
    """Tables computed in both survey/tables and the policy counts are protected identically (no cross-table leak)."""
    tmp, *_, seed = later
    pub = all_published(tmp, LATER)
    for tid in ("3.1", "3.4", "3.6"):
        a = pub["tables"][pub["tables"].table_id == tid].set_index(["row_key", "column"])
        b = pub["policy"][pub["policy"].table_id == tid].set_index(["row_key", "column"])
        common = a.index.intersection(b.index)
        assert len(common) > 0, tid
        assert (a.loc[common, "value"].fillna(-1) == b.loc[common, "value"].fillna(-1)).all(), (tid, seed)
        assert (a.loc[common, "suppressed"] == b.loc[common, "suppressed"]).all(), (tid, seed)


# ------------------------------------------------------------------ 5. the report says why a survey cell is empty


def report_of(tmp, year: str) -> tuple[str, str]:
    """The year's report (Markdown, HTML) built from the test warehouse with the questionnaire line of the asset."""
    from dagster_duckdb import DuckDBResource

    from sekswerk_assets.report.document import build_document
    from sekswerk_assets.report.figures import Figures
    from sekswerk_assets.report.inputs import read_inputs
    from sekswerk_assets.report.render import to_html, to_markdown

    inputs = read_inputs(DuckDBResource(database=str(tmp / "warehouse.duckdb")), year)
    doc, _ = build_document(inputs, year, ads="none", survey="delivered", figures=Figures(),
                            quality=pd.DataFrame({"asset": pd.Series(dtype=str), "status": pd.Series(dtype=str)}),
                            questionnaire=codebook_for_year(year).describe())
    return to_markdown(doc, images=False), to_html(doc)


def _md_section(md: str, heading: str) -> str:
    start = md.index(f"### {heading}")
    end = md.find("\n### ", start + 1)
    return md[start:end if end > 0 else None]


def test_report_says_not_answered_never_zero(later):
    """Item 5: an unanswered question reads 'not answered' in every cell of the report, never 0 or '0.0 (publ. ..)'."""
    from selectolax.lexbor import LexborHTMLParser

    tmp, *_, seed = later
    md, html_text = report_of(tmp, LATER)
    for heading in ("Table 3.6", "Table 3.8", "Table 4.17"):  # q27, q30/q31, q56: nobody answered
        part = _md_section(md, heading)
        rows = [line for line in part.splitlines() if line.startswith("| ") and "no answer" not in line]
        assert rows and "not answered" in part, (heading, seed)
        for line in rows[1:]:  # the header row aside, every value cell of an unanswered question says so
            cells = [c.strip() for c in line.strip("|").split("|")][1:]
            assert "not answered" in line, (heading, line, seed)
            # ('–': a cell the table does not have, e.g. the municipalities of 4.17's total measures)
            assert all(c.startswith(("not answered", "not asked", "[s]", "–")) for c in cells), (heading, line, seed)
        assert not re.search(r"(?<![\d.])0(\.0)? \(publ\.", part), (heading, seed)
    assert "not answered: the question was asked, but every municipality asked left it empty" in md
    # the 2020 columns of 4.16 that the later questionnaire does not ask (2017-2019) read "not asked"
    assert "not asked (publ." in _md_section(md, "Table 4.16")
    tree = LexborHTMLParser(html_text)
    cells = tree.css('table[data-table-id="Table 3.6"] td[data-empty]')
    assert cells and all(td.attributes["data-empty"] == "not answered" and "data-value" not in td.attributes
                         for td in cells)
    assert tree.css_first('table[data-table-id="Table 3.6"] td[data-value="0.0"]') is None
    # 4.18: nobody answered q65 (warnings), q66 (sanctions) was answered
    warned = [td for td in tree.css('table[data-table-id="Table 4.18"] td[data-column^="warnings:"]')
              if td.attributes.get("data-row") != "no_answer" and td.text(deep=False).strip() != "–"]
    assert warned and all(td.attributes.get("data-empty") == "not answered" for td in warned), seed
    # the year comparison prints the words in the value cell
    yc = _md_section(md, "Key indicators over measurement years")
    row = next(line for line in yc.splitlines() if line.startswith("| measures_by_kind_total") and f"| {LATER} |" in line)
    assert "| not asked / not answered |" in row


def test_report_names_the_questionnaire_and_its_reuse(later, embedded):
    """Item 7: the report names the questionnaire version, and says so when a year reuses an older one."""
    md_later, html_later = report_of(later[0], LATER)
    line = next(l for l in md_later.splitlines() if l.startswith(f"Questionnaire of {LATER}:"))
    assert "codebook v2021" in line and "reference period 2020-2023" in line
    assert "reuses the questionnaire written for measurement year 2020, period labels resolved to 2020-2023" in line
    assert "reuses the questionnaire written for measurement year 2020" in html_later
    md_2020, _ = report_of(embedded[0], "2020")
    line = next(l for l in md_2020.splitlines() if l.startswith("Questionnaire of 2020:"))
    assert "codebook v2021" in line and "reference period 2017-2020" in line and "reuses" not in line
