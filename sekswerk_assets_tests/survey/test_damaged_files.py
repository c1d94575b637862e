"""Real exports read right (issue 10, points 1-4 and 8): personal columns, messages without values, Dutch numbers,
one snapshot per year, and every kind of damaged file, all on files this test writes.

All runs share one persistent Dagster instance (its own DAGSTER_HOME); the last test scans that folder for the
personal values planted in the exports (e-mails, names, phone numbers)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from sekswerk_assets.lib.numbers import parse_dutch_number, percent
from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.survey import source as source_module
from sekswerk_assets.survey import synthetic
from sekswerk_assets.defs.survey.assets import survey_responses
from sekswerk_assets.survey.source import export_fingerprint
from sekswerk_assets_tests.survey.helpers import YEARLY, materialize, query, resources, rows_for_year

PLANTED = ["jan.de.vries@gemeente-voorbeeld.nl", "Jan de Vries-Pietersen", "06-12345678", "+31 6 87654321",
           "m.jansen@example.org", "Marieke Jansen-Bakker"]
YEAR = "2020"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    path = tmp_path_factory.mktemp("damaged_home")
    with dg.instance_for_test(temp_dir=str(path)) as instance:
        yield path, instance


@pytest.fixture(scope="module")
def good():
    ref = MunicipalityReference(directory=os.environ["SEKSWERK_REFERENCE_DIR"], allow_online=False)
    full, fu = synthetic.generate(ref.municipalities(2021))
    full = full.astype(object).where(full.notna(), "").map(str)
    fu = fu.astype(object).where(fu.notna(), "").map(str)
    # personal values planted in the personal columns (dropped on ingestion)
    wants = full.index[full["q71b"] == "1"]
    full.loc[wants[0], "q72"] = PLANTED[0]
    full.loc[wants[1], "q71a"] = f"Bel {PLANTED[1]} op {PLANTED[2]}"
    full.loc[full.index[full["q71b"] == "2"][0], "q72"] = PLANTED[4]  # an e-mail although no report was wanted
    return full, fu


def failure_text(result) -> str:
    parts = []
    for ev in result.all_events:
        if ev.is_step_failure:
            err = ev.step_failure_data.error
            while err is not None:
                parts.append(err.message)
                err = err.cause
    return "\n".join(parts)


def write(folder: Path, full: pd.DataFrame | None, fu: pd.DataFrame | None, sep=",", **kw):
    folder.mkdir(parents=True, exist_ok=True)
    if full is not None:
        full.to_csv(folder / "full.csv", index=False, sep=sep, **kw)
    if fu is not None:
        fu.to_csv(folder / "followup.csv", index=False, sep=sep, **kw)


def run(tmp_path, home, raise_on_error=False, assets=None):
    return materialize(tmp_path, home[1], YEAR, survey_dir=tmp_path / "survey", raise_on_error=raise_on_error,
                       assets=assets or [survey_responses])


def responses_meta(result) -> dict:
    return {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}


def assert_failed(tmp_path, result, *fragments):
    assert not result.success
    text = failure_text(result)
    for f in fragments:
        assert f in text, text
    for p in PLANTED:
        assert p not in text, text
    assert rows_for_year(tmp_path, "survey", "municipalities_responses", YEAR) == 0
    return text


def _row_of(full, cond):
    i = full.index[cond(full)][0]
    return i, i + 2


# ------------------------------------------------------------------ 1. personal columns optional


def test_personal_columns_absent_is_fine(good, tmp_path, home):
    full, fu = good
    write(tmp_path / "survey" / YEAR, full.drop(columns=["q71a", "q71b", "q72"]), fu)
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    assert responses_meta(result)["municipalities_responses"]["personal_columns_dropped"].value == "none present"


@pytest.mark.parametrize("drop", ["q71b", "q72", "q71a"])
def test_one_personal_column_absent(good, tmp_path, home, drop):
    full, fu = good
    write(tmp_path / "survey" / YEAR, full.drop(columns=[drop]), fu)
    assert run(tmp_path, home).success


def test_personal_columns_present_are_dropped_first(good, tmp_path, home):
    """q72 holds an e-mail although q71b says no report (a routing error, if it were validated): dropped, not echoed."""
    full, fu = good
    write(tmp_path / "survey" / YEAR, full, fu)
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    assert responses_meta(result)["municipalities_responses"]["personal_columns_dropped"].value == "q71a, q71b, q72"
    r = query(tmp_path, "select variable, value from survey.municipalities_responses")
    assert not set(r["variable"]) & {"q71a", "q71b", "q72"}
    assert not r["value"].str.contains("@").any()


# ------------------------------------------------------------------ 2. no value in any message


def test_email_shifted_into_closed_columns_is_not_echoed(good, tmp_path, home):
    full, fu = good
    full = full.copy()
    i, row = _row_of(full, lambda d: d["q3"] == "1")
    full.loc[i, "q3"] = PLANTED[0]
    full.loc[i, "q28_r2_c1"] = PLANTED[2]
    full.loc[i + 1, "q2"] = PLANTED[1]
    j, row_j = _row_of(full, lambda d: d.index == 7)
    full.loc[j, "q1"] = PLANTED[4]
    write(tmp_path / "survey" / YEAR, full, fu)
    text = assert_failed(tmp_path, run(tmp_path, home),
                         f"full.csv, row {row}, column q3, value <{len(PLANTED[0])} characters, not shown>: "
                         "answer outside the options: allowed are 1-3",
                         f"full.csv, row {row}, column q28_r2_c1",
                         f"full.csv, row {row + 1}, column q2",
                         f"full.csv, row {row_j}, column q1, value <{len(PLANTED[4])} characters, not shown>: "
                         "municipality not in the CBS list")
    assert "closest names" not in text.split(f"row {row_j}, column q1")[1].split("\n")[0]


def test_free_text_never_quoted_in_routing_errors(good, tmp_path, home):
    full, fu = good
    full = full.copy()
    i, row = _row_of(full, lambda d: d["q5"] != "3")
    full.loc[i, "q6_other"] = f"zie {PLANTED[5]}, {PLANTED[3]}"
    write(tmp_path / "survey" / YEAR, full, fu)
    assert_failed(tmp_path, run(tmp_path, home), f"full.csv, row {row}, column q6_other: answer given but the "
                                                 "routing says q6 was not asked")


# ------------------------------------------------------------------ 3. Dutch numbers


def test_parse_dutch_number_and_percent():
    assert parse_dutch_number("1.000").value == 1000 and parse_dutch_number("12.500").value == 12500
    assert parse_dutch_number("2,5").value == 2.5 and parse_dutch_number("1.000,5").value == 1000.5
    assert parse_dutch_number("1 000").value == 1000
    amb = parse_dutch_number("1,000")
    assert amb.value is None and "ambiguous" in amb.reason
    assert percent(5, 16) == 31.3 and percent(1, 8) == 12.5 and percent(3, 0) is None


def test_thousands_dots_in_counts(good, tmp_path, home):
    full, fu = good
    full = full.copy()
    i, row = _row_of(full, lambda d: d["q52"] == "1")
    full.loc[i, "q55a_r1_c4"] = "1.000"
    write(tmp_path / "survey" / YEAR, full, fu, sep=";")
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    r = query(tmp_path, "select gm_code, value from survey.municipalities_responses where variable = 'q55a_r1_c4'")
    assert "1000" in set(r["value"])  # read as one thousand, not as 1


@pytest.mark.parametrize("value,reason", [("1.500", "absurd count (more than 1000)"),
                                          ("2,5", "non-integer count"),
                                          ("1,000", "ambiguous number: a comma followed by three digits")])
def test_bad_numbers_rejected_with_reason(good, tmp_path, home, value, reason):
    full, fu = good
    full = full.copy()
    i, row = _row_of(full, lambda d: d["q52"] == "1")
    full.loc[i, "q55a_r1_c4"] = value
    write(tmp_path / "survey" / YEAR, full, fu, sep=";")
    assert_failed(tmp_path, run(tmp_path, home), f"full.csv, row {row}, column q55a_r1_c4, value '{value}': {reason}")


# ------------------------------------------------------------------ 4. one snapshot per year


def test_snapshot_hashes_in_metadata(good, tmp_path, home):
    full, fu = good
    folder = tmp_path / "survey" / YEAR
    write(folder, full, fu)
    result = run(tmp_path, home)
    meta = responses_meta(result)
    fp = export_fingerprint(folder)
    for key in ("municipalities_responses", "followup_responses"):
        assert meta[key]["export_fingerprint"].value == fp
    assert set(meta["municipalities_responses"]["file_hashes"].value) == {"full.csv", "followup.csv"}


def test_file_changed_between_reads_fails(good, tmp_path, home, monkeypatch):
    """A municipality moves from the full export to the follow-up while the year is being read."""
    full, fu = good
    folder = tmp_path / "survey" / YEAR
    write(folder, full, fu)
    real = source_module.read_export

    def read_then_replace(path):
        out = real(path)
        if path.name == "full.csv":
            moved = full.iloc[[0]][fu.columns]
            pd.concat([fu, moved]).to_csv(folder / "followup.csv", index=False)
            full.iloc[1:].to_csv(folder / "full.csv", index=False)
        return out

    monkeypatch.setattr(source_module, "read_export", read_then_replace)
    assert_failed(tmp_path, run(tmp_path, home), "the export files changed while they were being read")
    assert rows_for_year(tmp_path, "survey", "followup_responses", YEAR) == 0


def test_files_changed_since_the_run_was_requested(good, tmp_path, home):
    """The sensor tags a run with the fingerprint it saw; a different folder content at run time fails the run."""
    from sekswerk_assets.survey.source import FINGERPRINT_TAG

    folder = tmp_path / "survey" / YEAR
    write(folder, *good)
    seen = export_fingerprint(folder)
    good[1].iloc[1:].to_csv(folder / "followup.csv", index=False)  # replaced after the request
    result = dg.materialize([survey_responses], partition_key=YEAR, instance=home[1], raise_on_error=False,
                            resources=resources(tmp_path, tmp_path / "survey"), tags={FINGERPRINT_TAG: seen})
    assert_failed(tmp_path, result, "the export files changed since the run was requested")


# ------------------------------------------------------------------ 8. damaged files


def test_tab_separated(good, tmp_path, home):
    write(tmp_path / "survey" / YEAR, *good, sep="\t")
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    assert "'separator': 'tab'" in responses_meta(result)["municipalities_responses"]["source"].value


def test_unquoted_comma_in_free_text(good, tmp_path, home):
    full, fu = good
    folder = tmp_path / "survey" / YEAR
    write(folder, full, fu)
    lines = (folder / "full.csv").read_text(encoding="utf-8").splitlines()
    i, row = _row_of(full, lambda d: d["q6_other"] != "") if (full["q6_other"] != "").any() else (3, 5)
    cells = lines[row - 1].split(",")
    cells[list(full.columns).index("q70_r1")] = f"overleg met {PLANTED[5]}, {PLANTED[3]}"
    lines[row - 1] = ",".join(cells)
    (folder / "full.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_failed(tmp_path, run(tmp_path, home), f"full.csv, row {row}: row has {len(full.columns) + 1} cells but "
                                                 f"the header has {len(full.columns)}: probably an unquoted ','")


def test_zero_byte_file(good, tmp_path, home):
    folder = tmp_path / "survey" / YEAR
    write(folder, good[0], None)
    (folder / "followup.csv").write_bytes(b"")
    assert_failed(tmp_path, run(tmp_path, home), "followup.csv: empty file (0 bytes)")


def test_header_only_followup_is_zero_respondents(good, tmp_path, home):
    full, fu = good
    write(tmp_path / "survey" / YEAR, full, fu)
    assert run(tmp_path, home).success
    assert rows_for_year(tmp_path, "survey", "followup_responses", YEAR) > 0
    write(tmp_path / "survey" / YEAR, full, fu.iloc[0:0])  # corrected delivery: nobody in the follow-up
    result = run(tmp_path, home, assets=YEARLY)  # the whole year, not only the responses
    assert result.success, failure_text(result)
    t = query(tmp_path, "select * from survey.response_overview where table_id = 'text:followup' and row_key = 'total'")
    assert t["value"].iloc[0] == 0
    assert responses_meta(result)["followup_responses"]["respondents"].value == 0
    assert rows_for_year(tmp_path, "survey", "followup_responses", YEAR) == 0
    assert rows_for_year(tmp_path, "survey", "municipalities_responses", YEAR) > 0


def test_header_only_full_export_rejected(good, tmp_path, home):
    write(tmp_path / "survey" / YEAR, good[0].iloc[0:0], good[1])
    assert_failed(tmp_path, run(tmp_path, home), "full.csv: the full export has a header but no rows")


def test_trailing_semicolon_rows(good, tmp_path, home):
    folder = tmp_path / "survey" / YEAR
    write(folder, *good, sep=";")
    with (folder / "full.csv").open("a", encoding="utf-8") as fh:
        fh.write(";" * (len(good[0].columns) - 1) + "\n")
        fh.write(";;;;\n" * 3)
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    assert responses_meta(result)["municipalities_responses"]["respondents"].value == len(good[0])


def test_lock_and_hidden_files_ignored(good, tmp_path, home):
    folder = tmp_path / "survey" / YEAR
    folder.mkdir(parents=True)
    good[0].to_excel(folder / "full.xlsx", index=False)
    (folder / "~$full.xlsx").write_bytes(b"\x00locked by Jan")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    (folder / ".~lock.followup.csv#").write_text("x")
    good[1].to_csv(folder / "followup.csv", index=False)
    before = export_fingerprint(folder)
    (folder / "~$full.xlsx").write_bytes(b"\x00locked again")
    assert export_fingerprint(folder) == before
    result = run(tmp_path, home)
    assert result.success, failure_text(result)


def test_cbs_codes_accepted(good, tmp_path, home):
    full, fu = good
    full = full.copy()
    i = full.index[full["q1"] == "'s-Gravenhage"]
    j = full.index[full["q1"] == "'s-Hertogenbosch"]
    assert len(i) and len(j), "synthetic export lacks the test municipalities"
    full.loc[i[0], "q1"] = "GM0518"
    full.loc[j[0], "q1"] = "GM796"
    write(tmp_path / "survey" / YEAR, full, fu)
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    codes = set(query(tmp_path, "select distinct gm_code from survey.municipalities_responses")["gm_code"])
    assert {"GM0518", "GM0796"} <= codes


def test_merged_municipality_gets_successor(good, tmp_path, home):
    full, fu = good
    fu = fu.copy()
    fu.loc[fu.index[0], "q1"] = "Delfzijl"
    write(tmp_path / "survey" / YEAR, full, fu)
    text = assert_failed(tmp_path, run(tmp_path, home), "followup.csv, row 2, column q1, value 'Delfzijl': former "
                                                        "municipality: merged into Eemsdelta (GM1979)")
    assert "Delft" not in text


def test_extra_sheet_warns(good, tmp_path, home):
    folder = tmp_path / "survey" / YEAR
    folder.mkdir(parents=True)
    with pd.ExcelWriter(folder / "full.xlsx") as xw:
        good[0].to_excel(xw, sheet_name="Antwoorden", index=False)
        pd.DataFrame({"opmerking": ["rij 12 gecorrigeerd"]}).to_excel(xw, sheet_name="Correcties", index=False)
    good[1].to_csv(folder / "followup.csv", index=False)
    result = run(tmp_path, home)
    assert result.success, failure_text(result)
    assert "'Correcties'" in responses_meta(result)["municipalities_responses"]["warnings"].value
    warned = [r for r in home[1].all_logs(result.run_id) if r.level >= 30 and "Correcties" in r.user_message]
    assert warned  # and in the run log, as a warning


def test_50mb_file_rejected_quickly(good, tmp_path, home):
    folder = tmp_path / "survey" / YEAR
    write(folder, *good)
    with (folder / "full.csv").open("a", encoding="utf-8") as fh:
        block = ("x" * 999 + "\n") * 1000
        for _ in range(52):
            fh.write(block)
    t0 = time.monotonic()
    assert_failed(tmp_path, run(tmp_path, home), "full.csv: file too large")
    assert time.monotonic() - t0 <= 20


def test_1mb_cell_rejected_at_once(good, tmp_path, home):
    full, fu = good
    full = full.copy()
    full.loc[full.index[3], "q70_r1"] = "y" * 1_000_000
    write(tmp_path / "survey" / YEAR, full, fu)
    t0 = time.monotonic()
    assert_failed(tmp_path, run(tmp_path, home), "full.csv, row 5: cell too large")
    assert time.monotonic() - t0 <= 20


# ------------------------------------------------------------------ last: nothing personal in DAGSTER_HOME


def test_dagster_home_holds_no_planted_value(home):
    path, _ = home
    files = [p for p in path.rglob("*") if p.is_file()]
    assert files, "the shared instance wrote nothing"
    for p in files:
        data = p.read_bytes()
        for value in PLANTED:
            for enc in ("utf-8", "utf-16-le"):
                assert value.encode(enc) not in data, (p, value)
