"""Each kind of bad input yields a clear error (file, row, column, value) and writes nothing."""

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from sekswerk_assets.reference.loader import MunicipalityReference
from sekswerk_assets.survey import synthetic
from sekswerk_assets_tests.survey.helpers import materialize, rows_for_year


@pytest.fixture(scope="module")
def good():
    import os

    reference_dir = os.environ["SEKSWERK_REFERENCE_DIR"]
    ref = MunicipalityReference(directory=str(reference_dir), allow_online=False)
    full, fu = synthetic.generate(ref.municipalities(2021))
    return full.astype(object).where(full.notna(), ""), fu.astype(object).where(fu.notna(), "")


def _row(full, cond):
    return full.index[cond(full)][0]


def failure_text(result) -> str:
    parts = []
    for ev in result.all_events:
        if ev.is_step_failure:
            err = ev.step_failure_data.error
            while err is not None:
                parts.append(err.message)
                err = err.cause
    return "\n".join(parts)


def write(folder: Path, full: pd.DataFrame, fu: pd.DataFrame | None):
    folder.mkdir(parents=True, exist_ok=True)
    full.to_csv(folder / "full.csv", index=False)
    if fu is not None:
        fu.to_csv(folder / "followup.csv", index=False)


def mutate_cell(full, fu, cond, col, value):
    full = full.copy()
    i = _row(full, cond)
    full.loc[i, col] = value
    return full, fu, i + 2, col, value


CASES = {
    "unknown_column": lambda f, u: (f.assign(q99="1"), u, 1, "q99", None, "unknown column"),
    "missing_column": lambda f, u: (f.drop(columns=["q3"]), u, 1, "q3", None, "missing required column"),
    "not_in_list": lambda f, u: (*mutate_cell(f, u, lambda d: d.index == 3, "q1", "Amsterdm")[:4], "Amsterdm",
                                 "not in the CBS list"),
    "twice": lambda f, u: (pd.concat([f, f.iloc[[5]]], ignore_index=True), u, len(f) + 2, "q1", f.iloc[5]["q1"],
                           "more than once"),
    "in_both": lambda f, u: (f, pd.concat([u, u.iloc[[0]].assign(q1=f.iloc[0]["q1"])], ignore_index=True),
                             len(u) + 2, "q1", None, "in both exports"),
    "outside_options": lambda f, u: (*mutate_cell(f, u, lambda d: d.index >= 0, "q3", "7"), "outside the options"),
    "label_outside_options": lambda f, u: (*mutate_cell(f, u, lambda d: d.index >= 0, "q2", "Wethouder")[:4], None,
                                           "outside the options: allowed are 1-6"),
    "multi_not_01": lambda f, u: (*mutate_cell(f, u, lambda d: d["q5"].astype(str) == "1", "q8_2", "2"), "0 or 1"),
    "negative": lambda f, u: (*mutate_cell(f, u, lambda d: d["q3"].astype(str) == "1", "q28_r2_c1", "-3"),
                              "negative count"),
    "non_integer": lambda f, u: (*mutate_cell(f, u, lambda d: d["q3"].astype(str) == "1", "q28_r2_c1", "2.5"),
                                 "non-integer"),
    "absurd": lambda f, u: (*mutate_cell(f, u, lambda d: d["q52"].astype(str) == "1", "q55a_r1_c1", "250000"),
                            "absurd count"),
    "percentage": lambda f, u: (*mutate_cell(f, u, lambda d: d["q3"].astype(str) == "1", "q28_r2_c1", "40%"),
                                "percentage-style"),
    "text_in_count": lambda f, u: (*mutate_cell(f, u, lambda d: d["q3"].astype(str) == "1", "q28_r2_c1", "veel")[:4],
                                   None, "text value in a count cell"),
    "routing": lambda f, u: (*mutate_cell(f, u, lambda d: d["q5"].astype(str) == "3", "q7", "2"),
                             "routing says q7 was not asked"),
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_export(kind, good, tmp_path):
    full, fu = good
    bad_full, bad_fu, row, column, value, message = CASES[kind](full, fu)
    survey = tmp_path / "survey"
    write(survey / "2020", bad_full, bad_fu)
    with dg.instance_for_test() as instance:
        result = materialize(tmp_path, instance, "2020", survey_dir=survey, raise_on_error=False)
    assert not result.success
    text = failure_text(result)
    assert message in text, text
    file = "followup.csv" if kind == "in_both" else "full.csv"
    assert f"{file}, row {row}, column {column}" in text, text
    if value is not None:
        assert repr(str(value)) in text or str(value) in text, text
    elif kind in ("label_outside_options", "text_in_count"):  # a text in a closed column is described, not quoted
        assert "characters, not shown" in text and "Wethouder" not in text and "veel" not in text, text
    if kind == "not_in_list":
        assert "closest names: Amsterdam" in text
    assert rows_for_year(tmp_path, "survey", "municipalities_responses", "2020") == 0
    assert rows_for_year(tmp_path, "survey", "tables", "2020") == 0


def test_undecodable_file(good, tmp_path):
    survey = tmp_path / "survey"
    write(survey / "2020", *good)
    (survey / "2020" / "full.csv").write_bytes(b"q1,q2\n\x81\x8d\x00\xff\xfe,1\n")
    with dg.instance_for_test() as instance:
        result = materialize(tmp_path, instance, "2020", survey_dir=survey, raise_on_error=False)
    assert not result.success
    assert "full.csv: undecodable file" in failure_text(result)
    assert rows_for_year(tmp_path, "survey", "municipalities_responses", "2020") == 0


def test_file_name_neither_full_nor_followup(good, tmp_path):
    survey = tmp_path / "survey"
    write(survey / "2020", *good)
    good[0].to_csv(survey / "2020" / "antwoorden.csv", index=False)
    with dg.instance_for_test() as instance:
        result = materialize(tmp_path, instance, "2020", survey_dir=survey, raise_on_error=False)
    assert not result.success
    assert "antwoorden.csv: file name says neither full nor follow-up" in failure_text(result)
    assert rows_for_year(tmp_path, "survey", "municipalities_responses", "2020") == 0


def test_good_export_materialises_after_a_failure(good, tmp_path):
    """A bad export fails, the corrected export (cp1252, ';' and XLSX) then materialises in the same warehouse."""
    full, fu = good
    survey = tmp_path / "survey"
    write(survey / "2020", full.assign(q99="x"), fu)
    with dg.instance_for_test() as instance:
        assert not materialize(tmp_path, instance, "2020", survey_dir=survey, raise_on_error=False).success
        (survey / "2020" / "full.csv").write_bytes(full.to_csv(index=False, sep=";").encode("cp1252"))
        (survey / "2020" / "followup.csv").unlink()
        fu.to_excel(survey / "2020" / "followup.xlsx", index=False)
        result = materialize(tmp_path, instance, "2020", survey_dir=survey)
    assert result.success
    assert rows_for_year(tmp_path, "survey", "tables", "2020") > 0
    from sekswerk_assets.survey.tables import compare_with_published
    from sekswerk_assets_tests.survey.helpers import query

    t = query(tmp_path, "select * from survey.tables where measurement_year='2020'")
    assert compare_with_published(t.drop(columns="measurement_year"), "2020") == []
    meta = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert meta["municipalities_responses"]["synthetic"].value is False
    assert "cp1252" in meta["municipalities_responses"]["source"].value
