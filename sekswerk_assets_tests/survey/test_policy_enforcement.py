"""Policy typology, enforcement trends and the year comparison on the embedded 2020 export (plus a hand-made 2025)."""

import re

import dagster as dg
import pandas as pd
import pytest

from sekswerk_assets.policy.typology import SEX_WORK_TYPES
from sekswerk_assets.defs.survey.assets import year_comparison
from sekswerk_assets_tests.survey.helpers import survey_checks
from sekswerk_assets.survey.tables import published
from sekswerk_assets_tests.survey.helpers import YEARLY, query, resources
from sekswerk_assets_tests.survey.test_handmade_2025 import handmade_followup, handmade_full

NEW = {"policy_typology", "enforcement_trends", "year_comparison"}
TYPE_COLS = {"1": "type_maximum", "2": "type_zero", "3": "type_de_facto_zero", "4": "type_phase_out",
             "5": "type_spatial_planning", "6": "type_other"}
STATUS = {"1": "yes", "2": "in_development", "3": "no"}


def _checks(keys):
    return [c for c in survey_checks if any(k.asset_key.path[-1] in keys for k in c.check_keys)]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """2020 (embedded) and 2025 (hand-made) in one warehouse, then the unpartitioned comparison."""
    tmp = tmp_path_factory.mktemp("policy_enf")
    survey_dir = tmp / "survey"
    folder = survey_dir / "2025"
    folder.mkdir(parents=True)
    handmade_full().to_csv(folder / "full.csv", index=False)
    handmade_followup().to_csv(folder / "followup.csv", index=False)
    res = resources(tmp, survey_dir)
    yearly_checks = _checks({"policy_typology", "enforcement_trends"})
    results = {}
    with dg.instance_for_test() as instance:
        for year in ("2020", "2025"):
            results[year] = dg.materialize([*YEARLY, *yearly_checks], partition_key=year, resources=res,
                                           instance=instance)
            assert results[year].success
        results["comparison"] = dg.materialize([year_comparison, *_checks({"year_comparison"})], resources=res,
                                               instance=instance)
        assert results["comparison"].success
        yield tmp, results


def _meta(result, name):
    return next(m.materialization.metadata for m in result.get_asset_materialization_events()
                if m.asset_key.path[-1] == name)


def test_blocking_checks_pass(run):
    _, results = run
    for key, result in results.items():
        evals = [e for e in result.get_asset_check_evaluations() if e.asset_key.path[-1] in NEW]
        assert evals, key
        assert all(e.passed for e in evals), key


def test_typology_counts_equal_published_policy_tables(run):
    tmp, _ = run
    t = query(tmp, "select * from survey.policy_typology where measurement_year='2020'")
    pub = published("2020")["tables"]
    assert len(t) == 232 and t["gm_code"].is_unique
    assert t["export"].value_counts().to_dict() == {"full": 157, "followup": 75}
    # Table 3.1 (survey + follow-up), in total and by size class
    for key, status in STATUS.items():
        cells = pub["3.1"]["rows"][key]
        assert (t["has_policy"] == status).sum() == cells["count"]
        for s in ("small", "medium", "large"):
            assert ((t["has_policy"] == status) & (t["size_class"] == s)).sum() == cells[f"{s}:count"]
    # Table 3.4: policy types of the 124 with policy
    yes = t[t["has_policy"] == "yes"]
    assert len(yes) == pub["3.4"]["base_n"] == 124
    for key, col in TYPE_COLS.items():
        assert int(yes[col].sum()) == pub["3.4"]["rows"][key]["count"], col
    assert not t.loc[t["has_policy"] != "yes", list(TYPE_COLS.values())].any().any()
    # q11 (47 / 36 of 83) and Table 3.6 (licence obligation per type, N=67)
    assert (t["differs_per_type"] == "yes").sum() == pub["text:q11"]["rows"]["1"]["count"] == 47
    assert (t["differs_per_type"] == "no").sum() == pub["text:q11"]["rows"]["2"]["count"] == 36
    assert (t["licence_required_window"] != "not_asked").sum() == 67
    for r, typ in enumerate(SEX_WORK_TYPES, 1):
        assert (t[f"licence_required_{typ}"] == "yes").sum() == pub["3.6"]["rows"][str(r)]["count"], typ


def test_regimes_and_typology_are_consistent(run):
    tmp, _ = run
    t = query(tmp, "select * from survey.policy_typology where measurement_year='2020'")
    regimes = t[[f"regime_{x}" for x in SEX_WORK_TYPES]]
    no = t["has_policy"].isin(["no", "in_development"])
    assert (regimes[no] == "no_policy").all().all()
    assert (t.loc[t["has_policy"] == "no", "typology"] == "no_policy").all()
    assert (t.loc[t["has_policy"] == "in_development", "typology"] == "in_development").all()
    yes = t[t["has_policy"] == "yes"]
    zero = yes["type_zero"] | yes["type_de_facto_zero"]
    assert set(yes.loc[zero & yes["type_maximum"], "typology"]) == {"mixed_maximum_zero"}
    assert set(yes.loc[zero & ~yes["type_maximum"], "typology"]) == {"zero"}
    assert set(yes.loc[~zero & yes["type_maximum"], "typology"]) == {"maximum"}
    # same policy for every type: a (de-facto) zero policy prohibits every type
    same = yes[(yes["differs_per_type"] != "yes") & zero]
    assert len(same) and (same[[f"regime_{x}" for x in SEX_WORK_TYPES]] == "prohibited").all().all()
    # follow-up municipalities have no q11/q27 answers
    fu = t[t["export"] == "followup"]
    assert set(fu["differs_per_type"]) == {"not_asked"} and set(fu["licence_required_club"]) == {"not_asked"}
    assert t["synthetic"].all()


def test_typology_metadata_aggregates_only(run):
    tmp, results = run
    meta = _meta(results["2020"], "policy_typology")
    assert meta["synthetic"].value is True
    assert meta["with_policy"].value == 124
    assert "data:image/png" in meta["policy_by_size_class"].value
    assert "| Ja" in meta["counts 3.1"].value and "124" in meta["counts 3.1"].value
    assert "[s]" in "".join(str(v.value) for k, v in meta.items() if k.startswith("counts "))
    codes = set(query(tmp, "select gm_code from survey.policy_typology")["gm_code"])
    for name in ("policy_typology", "enforcement_trends"):
        m = _meta(results["2020"], name)
        text = " ".join(str(getattr(v, "value", v)) for v in m.values() if "data:image" not in str(getattr(v, "value", v)))
        assert not re.search(r"GM\d{4}", text)
        assert not any(c in text for c in codes)


def _cell(e, tid, section, key, period="all years"):
    r = e[(e.table_id == tid) & (e.section == section) & (e.item_key == key) & (e.period == period)]
    assert len(r) == 1, (tid, section, key, period)
    return r.iloc[0]


def test_enforcement_equals_printed_tables(run):
    tmp, _ = run
    e = query(tmp, "select * from survey.enforcement_trends where measurement_year='2020'")
    pub = published("2020")["tables"]
    readings = {(r["table"], str(r["row"]), r["column"]): r["expected"] for r in published("2020")["readings"]}
    for section in ("reports", "measures"):
        cells = pub["4.16"]["rows"][section]
        for year in ("2017", "2018", "2019", "2020"):
            row = _cell(e, "4.16", section, section, year)
            assert row.total == cells[f"{year}:count"] and row.municipalities == cells[f"{year}:municipalities"]
            assert row.base_n == cells["respondents"]
    assert _cell(e, "4.16", "measures", "measures").total == 384  # reading 6: q55b sums to 384, q56 to 433
    for key, cells in pub["4.17"]["rows"].items():
        row = _cell(e, "4.17", "measures_by_kind", key)
        assert row.total == cells["count"] and row.percent == pytest.approx(cells["percent"], abs=0.051)
    for tid, section, group in (("4.18", "licensed_warnings", "warnings"), ("4.18", "licensed_sanctions", "sanctions"),
                                ("4.19", "unlicensed_sanctions", "sanctions")):
        for key, cells in pub[tid]["rows"].items():
            row = _cell(e, tid, section, key)
            exp_n = readings.get((tid, key, f"{group}:count"), cells[f"{group}:count"])
            exp_m = readings.get((tid, key, f"{group}:municipalities"), cells[f"{group}:municipalities"])
            assert (row.total, row.municipalities) == (exp_n, exp_m), (tid, section, key)
    assert _cell(e, "4.18", "licensed_warnings", "total").total == 10  # reading 5 (printed 11 in 9)
    for key, cells in pub["4.20"]["rows"].items():
        row = _cell(e, "4.20", "sanction_reasons", key)
        assert row.total == cells["count"] and row.percent == pytest.approx(cells["percent"]) and row.base_n == 125


def test_largest_municipality_share_and_trend_without_it(run):
    tmp, results = run
    e = query(tmp, "select * from survey.enforcement_trends where measurement_year='2020'")
    rep, mea = _cell(e, "4.16", "reports", "reports", "2020"), _cell(e, "4.16", "measures", "measures", "2020")
    assert rep.total - rep.total_without_largest == 45 and rep.largest_share == pytest.approx(45 / 104)
    assert mea.total - mea.total_without_largest == 70 and mea.largest_share == pytest.approx(70 / 150)
    assert (rep.total_without_dominant, mea.total_without_dominant) == (59, 80)
    trend = e[(e.table_id == "4.16") & (e.section == "reports") & (e.period != "all years")].sort_values("period")
    shown = trend.dropna(subset=["total_without_dominant"])  # 2017-2019: not printed, fewer than 3 share the value
    assert (shown["total_without_dominant"] <= shown["total"]).all()
    meta = _meta(results["2020"], "enforcement_trends")
    assert meta["largest_municipality_2020_reports"].value == 45
    assert meta["largest_municipality_2020_measures"].value == 70
    assert "data:image/png" in meta["enforcement_trend"].value
    assert meta["synthetic"].value is True
    # disclosure: unprinted small cells (4.17 municipalities behind 1-4 measures) are marked and hidden in previews
    assert e.loc[e.table_id == "4.17", "suppressed"].any()
    assert "[s]" in meta["table 4.17"].value


def test_hand_made_year_enforcement(run):
    tmp, _ = run
    e = query(tmp, "select * from survey.enforcement_trends where measurement_year='2025'")
    rep = _cell(e, "4.16", "reports", "reports", "2025")  # the period resolves to 2022-2025
    assert (rep.total, rep.municipalities, rep.base_n) == (50, 2, 2)
    # 45 of 50 from one municipality: neither value nor share published (a band instead), row suppressed
    assert pd.isna(rep.total_without_largest) and pd.isna(rep.largest_share) and bool(rep.suppressed)
    t = query(tmp, "select * from survey.policy_typology where measurement_year='2025'")
    assert len(t) == 10 and not t["synthetic"].any()
    assert t["has_policy"].value_counts().to_dict() == {"no": 4, "yes": 3, "in_development": 3}


def meta_suppressed(results) -> int:
    return _meta(results["comparison"], "year_comparison")["suppressed_values"].value


def test_year_comparison(run):
    tmp, results = run
    c = query(tmp, "select * from survey.year_comparison")
    v = c.set_index(["indicator", "year"])["value"]
    assert v[("share_with_policy", "2014")] == 75 and v[("licensed_businesses_national", "2014")] == 833
    assert v[("share_with_policy", "2020")] == pytest.approx(53.4)
    assert v[("licensed_businesses_national", "2020")] == 373
    assert v[("licensed_municipalities", "2020")] == 53
    assert v[("licences_in_responding_municipalities", "2020")] == 168
    assert v[("policy_type_maximum", "2020")] == pytest.approx(73.4)
    assert v[("administrative_reports_last_year", "2020")] == 104
    assert v[("administrative_measures_last_year", "2020")] == 150
    assert v[("administrative_reports_last_year_without_largest", "2020")] == 59
    # the hand-made 2025 rests on a few municipalities: suppressed cells stay empty in the comparison too
    assert pd.isna(v[("share_with_policy", "2025")])
    assert pd.isna(v[("administrative_reports_last_year", "2025")])
    assert meta_suppressed(results) > 0
    assert {"2014", "2020", "2025"} <= set(c["year"])
    syn = c.groupby("year")["synthetic"].all()
    assert bool(syn["2020"]) and not c.loc[c.year.isin(["2014", "2025"]), "synthetic"].any()
    meta = _meta(results["comparison"], "year_comparison")
    assert meta["synthetic"].value is True
    assert "2014" in meta["comparison"].value and "data:image/png" in meta["comparison_plot"].value
    assert pd.notna(v[("licensed_businesses_national_stratified", "2020")])
