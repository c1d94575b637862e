"""A hand-made export of ten municipalities dropped into <survey_dir>/2025/ (list of 1 January 2026),
materialised with no code change; the expected tables are written out by hand."""

import dagster as dg
import pandas as pd
import pytest

from sekswerk_assets_tests.survey.helpers import answer, empty_export, materialize, multi, query

FULL = ["Amsterdam", "Rotterdam", "Den Haag", "Urk", "Vlieland", "Assen", "Texel"]
FOLLOWUP = ["Loon op Zand", "Zwolle", "Terschelling"]


def handmade_full() -> pd.DataFrame:
    df = empty_export(FULL)
    # 0 Amsterdam (large): licensed, policy, maximum policy; one municipality with 45 reports in 2025
    answer(df, 0, q2=1, q3=1, q5=1, q7=1, q10=1, q11=2, q52=1, q53=2, q62=1, q71b=1, q72="iemand@example.org",
           q71a="persoonlijke opmerking")
    multi(df, 0, "q8", 16, {1})
    multi(df, 0, "q9", 6, {1})
    for r in range(1, 9):
        answer(df, 0, **{f"q28_r{r}_c1": 10 if r == 2 else 0})
    answer(df, 0, q55a_r1_c1=0, q55a_r1_c2=0, q55a_r1_c3=0, q55a_r1_c4=45)
    # 1 Rotterdam (large): licensed, policy via spatial planning, measures taken
    answer(df, 1, q2="Beleidsmedewerker Prostitutiebeleid", q3="Ja", q5=1, q7=4, q11=1, q52=1, q53=1, q62=2)
    multi(df, 1, "q8", 16, set())
    multi(df, 1, "q9", 6, {5})
    for r in range(1, 9):
        answer(df, 1, **{f"q28_r{r}_c1": {2: 3, 7: 20}.get(r, 0)})
    answer(df, 1, q55a_r1_c1=1, q55a_r1_c2=2, q55a_r1_c3=3, q55a_r1_c4=5)
    answer(df, 1, q55b_r1_c1=0, q55b_r1_c2=0, q55b_r1_c3=1, q55b_r1_c4=2)
    for r in range(1, 7):
        answer(df, 1, **{f"q56_r{r}_c1": 3 if r == 5 else 0})
    # 2 Den Haag (large, name variant): no licensed businesses, sex work, policy in development
    answer(df, 2, q2=1, q3=2, q4=1, q5=2, q19=2, q52=2, q53=2, q62=3)
    # 3 Urk (small): nothing
    answer(df, 3, q2=6, q2_other="griffier", q3=2, q4=2, q5=3, q6=3)
    # 4 Vlieland (small): not known
    answer(df, 4, q2=1, q3=2, q4=3, q5=3, q6=1, q19=2, q52=3, q53=3, q62=2)
    # 5 Assen (medium): policy in development, council attention
    answer(df, 5, q2=1, q3=2, q4=2, q5=2, q19=1)
    multi(df, 5, "q20", 6, {5})
    # 6 Texel (small)
    answer(df, 6, q2=1, q3=2, q4=2, q5=3, q6=4, q6_other="APV volstaat")
    return df


def handmade_followup() -> pd.DataFrame:
    df = empty_export(FOLLOWUP, "followup")
    answer(df, 0, q5=1)
    multi(df, 0, "q9", 6, {1})
    answer(df, 1, q5=3, q6=3)
    answer(df, 2, q5=2)
    return df


EXPECTED = {  # (table, row_key, column): value, base_n
    ("3.1", "1", "count"): (3, 10), ("3.1", "2", "count"): (3, 10), ("3.1", "3", "count"): (4, 10),
    ("3.1", "1", "percent"): (30.0, 10), ("3.1", "3", "percent"): (40.0, 10),
    ("3.1", "1", "large:count"): (2, 4), ("3.1", "3", "small:count"): (3, 5),
    ("3.2", "3", "count"): (2, 4), ("3.2", "1", "count"): (1, 4), ("3.2", "4", "count"): (1, 4),
    ("3.2", "3", "percent"): (50.0, 4),
    ("3.3", "1", "count"): (1, 2), ("3.3", "4", "count"): (1, 2),
    ("3.4", "1", "count"): (2, 3), ("3.4", "1", "percent"): (66.7, 3), ("3.4", "5", "count"): (1, 3),
    ("3.5", "1", "count"): (1, 2), ("3.5", "1", "percent"): (50.0, 2), ("3.5", "2", "count"): (0, 2),
    ("2.1", "2", "count"): (13, 2), ("2.1", "2", "municipalities"): (2, 2), ("2.1", "7", "count"): (20, 2),
    ("2.1", "7", "municipalities"): (1, 2), ("2.1", "total", "count"): (33, 2), ("2.1", "total", "municipalities"): (2, 2),
    ("3.13", "1", "count"): (1, 5), ("3.13", "2", "count"): (2, 5), ("3.13", "no_answer", "count"): (2, 5),
    ("3.14", "5", "count"): (1, 1), ("3.14", "5", "percent"): (100.0, 1),
    ("4.15", "1", "count"): (1, 4), ("4.15", "2", "count"): (2, 4), ("4.15", "3", "count"): (1, 4),
    ("4.15", "2", "small:count"): (1, 1), ("4.15", "3", "large:count"): (1, 3),
    # the questionnaire's "2017-2020" resolves to 2022-2025 for measurement year 2025
    ("4.16", "reports", "2025:count"): (50, 2), ("4.16", "reports", "2025:municipalities"): (2, 2),
    ("4.16", "reports", "2022:count"): (1, 2), ("4.16", "reports", "2022:municipalities"): (1, 2),
    ("4.16", "measures", "2025:count"): (2, 1), ("4.16", "measures", "2024:count"): (1, 1),
    ("4.17", "5", "count"): (3, 1), ("4.17", "5", "percent"): (100.0, 1), ("4.17", "total", "count"): (3, 1),
    ("text:q3", "1", "count"): (2, 7), ("text:q3", "1", "percent"): (28.6, 7), ("text:q3", "1", "large:count"): (2, 3),
    ("text:q4", "1", "count"): (1, 5), ("text:q4", "3", "count"): (1, 5), ("text:q4", "2", "count"): (3, 5),
}


@pytest.fixture(scope="module")
def run_2025(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("y2025")
    folder = tmp / "survey" / "2025"
    folder.mkdir(parents=True)
    handmade_full().to_csv(folder / "full.csv", index=False, sep=";", encoding="cp1252")
    handmade_followup().to_excel(folder / "followup.xlsx", index=False)
    with dg.instance_for_test() as instance:
        result = materialize(tmp, instance, "2025", survey_dir=tmp / "survey")
        assert result.success
        yield tmp, result


def test_handmade_tables(run_2025):
    tmp, _ = run_2025
    t = query(tmp, "select * from survey.tables where measurement_year='2025'").set_index(["table_id", "row_key", "column"])
    for key, (value, base) in EXPECTED.items():
        assert key in t.index, key
        assert t.loc[key, "value"] == pytest.approx(value), (key, t.loc[key, "value"])
        assert t.loc[key, "base_n"] == base, (key, t.loc[key, "base_n"])


def test_2025_uses_list_of_2026(run_2025):
    tmp, result = run_2025
    o = query(tmp, "select * from survey.response_overview where measurement_year='2025'").set_index(["table_id", "row_key", "column"])
    assert o.loc[("B2.1", "total", "netherlands:count"), "value"] == 342
    assert o.loc[("B2.1", "total", "response:count"), "value"] == 7
    assert o.loc[("text:response", "policy_known", "count"), "value"] == 10
    r = query(tmp, "select * from survey.municipalities_responses where measurement_year='2025'")
    assert "GM0518" in set(r["gm_code"])  # 'Den Haag' mapped to 's-Gravenhage
    assert not set(r["variable"]) & {"q71a", "q71b", "q72"}
    assert not r["value"].str.contains("example.org").any()
    meta = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert meta["tables"]["synthetic"].value is False


def test_2025_small_cells_suppressed(run_2025):
    tmp, result = run_2025
    t = query(tmp, "select * from survey.tables where measurement_year='2025'").set_index(["table_id", "row_key", "column"])
    assert bool(t.loc[("3.1", "1", "count"), "suppressed"])  # 3 < 5 and not printed for 2025
    assert pd.isna(t.loc[("3.1", "1", "count"), "value_published"])
    assert bool(t.loc[("3.1", "1", "percent"), "suppressed"])
    assert not bool(t.loc[("3.1", "total", "count"), "suppressed"])
    meta = {m.asset_key.path[-1]: m.materialization.metadata for m in result.get_asset_materialization_events()}
    assert "[s]" in meta["tables"]["table 3.1"].value
