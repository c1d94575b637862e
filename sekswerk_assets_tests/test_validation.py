"""The yearly validation loop on a small sandbox: sample, coding sheet, simulated coder, accuracy, report section.

Collection runs through the real sandbox server and Playwright (scale 0.05, the first 3 weeks of 2020);
then ``ads/validation_sample`` draws its sample and writes the encrypted coding sheet, a wrongly coded sheet
fails ``ads/extraction_accuracy`` and writes nothing, the ``simulate-coder`` command codes the sheet from the
ground truth, the accuracy is measured with Wilson intervals and the report prints it beside the tables.
No ad text reaches the event log or the warehouse.
"""

from __future__ import annotations

import io
import re

import dagster as dg
import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from sekswerk_assets.collection.client import AdSitesResource
from sekswerk_assets.definitions import load_definitions
from sekswerk_assets.defs.report.assets import report_paths
from sekswerk_assets.defs.validation.coded_sheet import coded_sheet_sensor, observations
from sekswerk_assets.jobs import WEEKLY
from sekswerk_assets.lib.keys import EXTRACTION_ACCURACY, REPORT, VALIDATION_SAMPLE
from sekswerk_assets.lib.stats import rogan_gladen, wilson
from sekswerk_assets.partitions import weeks_of_year
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.sandbox import SandboxServer, load_config
from sekswerk_assets.schemas.validation import VARIABLES
from sekswerk_assets.validation.__main__ import main as cli
from sekswerk_assets.validation.sample import allocate, draw_sample
from sekswerk_assets.validation.sheet import CODED, CODING, COLUMNS, build_workbook, read_sealed, sheet_path, \
    write_sealed

from .conftest import make_resources

SCALE = 0.05
YEAR = "2020"
WEEKS = weeks_of_year(2020)[:3]
SIZE = 120

defs = load_definitions()


def _events(instance) -> list[str]:
    return [str(r.dagster_event or "") + " " + (r.user_message or "")
            for run in instance.get_runs() for r in instance.all_logs(run.run_id)]


def _with_coded(xlsx: bytes, edit) -> bytes:
    wb = load_workbook(io.BytesIO(xlsx))
    edit(wb["coding"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("validation")
    assets = [*defs.assets, *(defs.asset_checks or [])]
    with SandboxServer(load_config(scale=SCALE)) as urls, dg.instance_for_test() as instance, \
            pytest.MonkeyPatch.context() as mp:
        res = {**dict(defs.resources or {}),
               **make_resources(tmp, ad_sites=AdSitesResource(sandbox_scale=SCALE, sandbox_base_urls=urls))}
        data: DataDirResource = res["data"]
        mp.setenv("SEKSWERK_DATA_DIR", data.data_dir)
        mp.setenv("SEKSWERK_SNAPSHOT_KEY", data.snapshot_key)
        for week in WEEKS:
            assert dg.materialize(assets, selection=WEEKLY, partition_key=week, resources=res,
                                  instance=instance).success, week
        run_config = {"ops": {"ads__validation_sample": {"config": {"size": SIZE}}}}
        sample_run = dg.materialize(assets, selection=dg.AssetSelection.assets(VALIDATION_SAMPLE), partition_key=YEAR,
                                    resources=res, instance=instance, run_config=run_config)
        assert sample_run.success
        coding = read_sealed(data.root, data.cipher(), YEAR, CODING)
        # a wrongly coded sheet (a duplicated id) placed in the raw zone: the accuracy fails and writes nothing
        def duplicate(ws):
            ws.cell(row=3, column=1).value = ws.cell(row=2, column=1).value
        write_sealed(data.root, data.cipher(), YEAR, CODED, _with_coded(coding, duplicate))
        accuracy = dg.AssetSelection.assets(EXTRACTION_ACCURACY)
        bad = dg.materialize(assets, selection=accuracy, partition_key=YEAR, resources=res, instance=instance,
                             raise_on_error=False)
        bad_error = next(e for e in bad.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
        with duckdb.connect(res["duckdb"].database, read_only=True) as con:
            tables_after_bad = {t for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'ads'").fetchall()}
        sheet_path(data.root, YEAR, CODED).unlink()
        # the simulated coder, then the accuracy and the report
        assert cli(["simulate-coder", "--year", YEAR, "--scale", str(SCALE)]) == 0
        good = dg.materialize(assets, selection=accuracy, partition_key=YEAR, resources=res, instance=instance)
        assert good.success
        report = dg.materialize(assets, selection=dg.AssetSelection.assets(REPORT), partition_key=YEAR,
                                resources=res, instance=instance)
        assert report.success
        yield {"tmp": tmp, "res": res, "data": data, "instance": instance, "coding": coding, "bad": bad,
               "bad_error": bad_error, "tables_after_bad": tables_after_bad, "good": good,
               "sample_meta": sample_run.asset_materializations_for_node("ads__validation_sample")[0].metadata,
               "events": _events(instance)}


def _read(loop, sql: str) -> pd.DataFrame:
    with duckdb.connect(loop["res"]["duckdb"].database, read_only=True) as con:
        return con.execute(sql).df()


def test_sample_is_stratified_and_pseudonymised(loop):
    sample = _read(loop, "select * from ads.validation_sample")
    assert len(sample) == SIZE
    assert set(sample["site"]) == {"kinky", "sexjobs", "topescortbabes"}
    assert sample["unique_ad_key"].is_unique
    # both stated and not-stated strata for price are present, and every stratum's weight is size / sample
    assert sample["stratum"].str.contains("price not stated").any() and sample["stratum"].str.contains("price stated").any()
    assert ((sample["weight"] - sample["stratum_size"] / sample["stratum_sample"]).abs() < 1e-9).all()
    assert not {"text", "title", "fields", "ad_code"} & set(sample.columns)
    assert loop["sample_meta"]["frame_unique_ads"].value > SIZE


def test_coding_sheet_holds_text_fields_and_extracted_values(loop):
    wb = load_workbook(io.BytesIO(loop["coding"]), read_only=True)
    rows = list(wb["coding"].iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    assert header == COLUMNS and len(body) == SIZE
    col = {h: i for i, h in enumerate(header)}
    assert all(r[col["text"]] and len(r[col["text"]]) > 20 for r in body)
    assert all(r[col["ad_code"]] for r in body)
    assert all(r[col[f"coded_{v}"]] is None for r in body for v in VARIABLES)  # empty for the coder
    assert {r[col["extracted_licensed_work"]] for r in body} <= {"yes", "no"}
    # on disk it is encrypted: no text of the sheet is readable in the file
    raw = sheet_path(loop["data"].root, YEAR, CODING).read_bytes()
    assert b"coded_gender" not in raw and body[0][col["text"]][:20].encode() not in raw


def test_wrong_sheet_fails_the_accuracy_and_writes_nothing(loop):
    assert not loop["bad"].success
    message = loop["bad_error"].step_failure_data.error.message
    assert "row 3" in message and "'sample_id'" in message and "duplicated id (also in row 2)" in message
    assert "extraction_accuracy" not in loop["tables_after_bad"]


def test_accuracy_with_wilson_intervals(loop):
    acc = _read(loop, "select * from ads.extraction_accuracy where measurement_year = '2020'")
    main = acc[acc["measure"] == "accuracy"].set_index("variable")
    assert set(main.index) == set(VARIABLES)
    assert (main["coded_ads"] == SIZE).all()
    for v, r in main.iterrows():
        if r["n"] == 0:
            continue
        lo, hi = wilson(int(r["k"]), int(r["n"]))
        assert r["ci_low"] == pytest.approx(lo) and r["ci_high"] == pytest.approx(hi)
        assert r["ci_low"] <= r["estimate"] <= r["ci_high"]
    # on the sandbox the extractor is nearly exact: the simulated coder finds that
    for v in ("gender", "age", "price_hour", "municipality", "work_types"):
        assert main.loc[v, "estimate"] >= 0.9, v
    false = acc[acc["measure"] == "false_extraction"].set_index("variable")
    assert (false.loc[["age", "price_hour"], "estimate"].fillna(0) <= 0.1).all()
    confusion = acc[acc["measure"] == "confusion"]
    assert set(confusion["variable"]) >= {"gender", "origin_region", "work_types", "licensed_work"}
    g = confusion[confusion["variable"] == "gender"]
    assert int(g["k"].sum()) == SIZE
    meta = loop["good"].asset_materializations_for_node("ads__extraction_accuracy")[0].metadata
    assert "% correct (95% CI" in meta["accuracy"].value


def test_report_prints_accuracy_beside_the_tables(loop):
    _, md = report_paths(loop["data"].root, YEAR)
    text = md.read_text()
    assert re.search(r"price per hour: \d+\.\d% correct \(95% CI \d+\.\d-\d+\.\d\), 120 coded ads", text)
    assert re.search(r"gender: \d+\.\d% correct", text)
    assert "Extraction accuracy on the validation sample" in text


def test_no_ad_text_in_event_log_or_warehouse(loop):
    wb = load_workbook(io.BytesIO(loop["coding"]), read_only=True)
    rows = list(wb["coding"].iter_rows(values_only=True))
    col = {h: i for i, h in enumerate(rows[0])}
    needles = {r[col["text"]][5:35] for r in rows[1:] if r[col["text"]] and len(r[col["text"]]) > 40}
    codes = {str(r[col["ad_code"]]) for r in rows[1:]}
    assert needles
    for line in loop["events"]:
        assert not any(n in line for n in needles), "ad text in the event log"
    for table in ("validation_sample", "extraction_accuracy"):
        frame = _read(loop, f"select * from ads.{table}")
        for c in frame.columns:
            values = {str(v) for v in frame[c].dropna().unique()}
            assert not any(n in v for v in values for n in needles), f"ad text in ads.{table}.{c}"
            assert not values & codes, f"ad code in ads.{table}.{c}"


def test_coded_sheet_sensor_reports_new_and_changed_sheets(loop):
    data = loop["data"]
    first = observations(data, {})
    assert [e.partition for e in first] == [YEAR]
    version = first[0].tags["dagster/data_version"]
    assert observations(data, {YEAR: version}) == []
    ctx = dg.build_sensor_context(resources={"data": data}, cursor=None)
    result = coded_sheet_sensor(ctx)
    assert [e.partition for e in result.asset_events] == [YEAR]


# --------------------------------------------------------------------------- the CLI on wrongly coded sheets

@pytest.fixture
def coding_env(tmp_path, monkeypatch):
    """A coding sheet of three invented ads in a temporary raw zone, and the CLI pointed at it."""
    data = DataDirResource(data_dir=str(tmp_path / "data"), snapshot_key=make_resources(tmp_path)["data"].snapshot_key)
    monkeypatch.setenv("SEKSWERK_DATA_DIR", data.data_dir)
    monkeypatch.setenv("SEKSWERK_SNAPSHOT_KEY", data.snapshot_key)
    rows = [{"sample_id": f"V2020-000{i}", "site": "kinky", "measurement_week": "2020-08-25", "ad_code": str(100 + i),
             "title": "t", "text": f"Geheime advertentietekst nummer {i} met 0612345678", "fields": ""} for i in (1, 2, 3)]
    write_sealed(data.root, data.cipher(), YEAR, CODING, build_workbook(rows))
    good = {"gender": "female", "work_types": "home, escort", "origin_country": "Nederland",
            "origin_region": "netherlands", "age": 25, "price_hour": 150, "municipality": "GM0363",
            "licensed_work": "no"}
    return data, rows, good


def _coded(tmp_path, rows, values, columns=COLUMNS, edit=None):
    wb = Workbook()
    ws = wb.active
    ws.title = "coding"
    ws.append(columns)
    for r in rows:
        full = {**r, **{f"coded_{k}": v for k, v in values.items()}}
        ws.append([full.get(c) for c in columns])
    if edit:
        edit(ws)
    path = tmp_path / "coded.xlsx"
    wb.save(path)
    return path


def test_cli_round_trip(coding_env, tmp_path, capsys):
    data, rows, good = coding_env
    out = tmp_path / "out" / "sheet.xlsx"
    assert cli(["decrypt", "--year", YEAR, str(out)]) == 0
    assert load_workbook(out)["coding"].cell(row=2, column=1).value == "V2020-0001"
    assert cli(["encrypt", "--year", YEAR, str(_coded(tmp_path, rows, good))]) == 0
    assert sheet_path(data.root, YEAR, CODED).is_file()
    assert "3 coded ads checked" in capsys.readouterr().out


@pytest.mark.parametrize("case", ["unknown value", "missing column", "duplicated id", "unknown id", "partly coded",
                                  "another ad"])
def test_cli_refuses_a_wrongly_coded_sheet(coding_env, tmp_path, capsys, case):
    data, rows, good = coding_env
    if case == "unknown value":
        path = _coded(tmp_path, rows, {**good, "gender": "vrouwelijk"})
        expect = ["row 2", "'coded_gender'", "'vrouwelijk'", "unknown value"]
    elif case == "missing column":
        path = _coded(tmp_path, rows, good, columns=[c for c in COLUMNS if c != "coded_age"])
        expect = ["row 1", "'coded_age'", "required column is missing"]
    elif case == "duplicated id":
        path = _coded(tmp_path, rows + rows[:1], good)
        expect = ["row 5", "'sample_id'", "'V2020-0001'", "duplicated id (also in row 2)"]
    elif case == "unknown id":
        path = _coded(tmp_path, [*rows, {**rows[0], "sample_id": "V2020-0999"}], good)
        expect = ["row 5", "'V2020-0999'", "not in this year's sample"]
    elif case == "partly coded":
        path = _coded(tmp_path, rows, {**good, "age": None})
        expect = ["row 2", "'coded_age'", "(empty)", "partly coded"]
    else:  # a sheet of an earlier draw: the id now names another ad (whose code is never echoed)
        path = _coded(tmp_path, [{**rows[0], "ad_code": "987654"}, *rows[1:]], good)
        expect = ["row 2", "'ad_code'", "earlier draw"]
    assert cli(["encrypt", "--year", YEAR, str(path)]) == 2
    err = capsys.readouterr().err
    assert "coded.xlsx" in err and "nothing was written" in err
    for e in expect:
        assert e in err, (e, err)
    assert not sheet_path(data.root, YEAR, CODED).exists()
    assert "advertentietekst" not in err and "0612345678" not in err and "987654" not in err


def test_pasted_text_in_a_cell_is_never_echoed(coding_env, tmp_path, capsys):
    data, rows, good = coding_env
    path = _coded(tmp_path, rows, {**good, "origin_country": rows[0]["text"]})
    assert cli(["encrypt", "--year", YEAR, str(path)]) == 2
    err = capsys.readouterr().err
    assert "'coded_origin_country'" in err and "not shown" in err
    assert "advertentietekst" not in err and "0612345678" not in err


# --------------------------------------------------------------------------- sampling and estimators

def test_allocation_gives_every_stratum_its_minimum():
    sizes = pd.Series({"a": 1000, "b": 50, "c": 3, "d": 1})
    alloc = allocate(sizes, 100, minimum=5)
    assert alloc.sum() == 100 and alloc["c"] == 3 and alloc["d"] == 1 and alloc["b"] >= 5
    assert (alloc <= sizes).all()
    assert allocate(sizes, 5000).equals(sizes)


def test_sample_is_seeded_from_the_year():
    frame = pd.DataFrame({"unique_ad_key": [f"{i:032x}" for i in range(500)],
                          "site": ["kinky", "sexjobs"] * 250, "price_hour": [100.0, None] * 250,
                          "age": [30] * 500, "origin_country": ["Nederland"] * 500})
    a = draw_sample(frame, "2020", 50, seed=2020)
    b = draw_sample(frame, "2020", 50, seed=2020)
    c = draw_sample(frame, "2021", 50, seed=2021)
    assert a["unique_ad_key"].tolist() == b["unique_ad_key"].tolist()
    assert a["unique_ad_key"].tolist() != c["unique_ad_key"].tolist()
    assert len(a) == 50 and a["sample_id"].iloc[0] == "V2020-0001"


def test_wilson_and_rogan_gladen():
    lo, hi = wilson(96, 100)
    assert lo == pytest.approx(0.9016, abs=1e-3) and hi == pytest.approx(0.9843, abs=1e-3)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
    # 30% observed with sensitivity 0.9 and specificity 0.95: true share (0.3 - 0.05) / 0.85
    assert rogan_gladen(0.30, 0.9, 0.95) == pytest.approx(0.25 / 0.85)


def test_new_coded_sheet_requests_the_accuracy(instance, tmp_path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sekswerk_assets.lib.keys import CODED_SHEET

    chosen = [a for a in defs.assets if isinstance(a, (dg.AssetsDefinition, dg.AssetSpec))
              and ({a.key} if isinstance(a, dg.AssetSpec) else set(a.keys)) & {VALIDATION_SAMPLE, CODED_SHEET,
                                                                                EXTRACTION_ACCURACY}]
    assets = dg.Definitions(assets=chosen, resources=defs.resources)
    when = dt.datetime(2021, 9, 1, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=VALIDATION_SAMPLE, partition=YEAR))
    first = dg.evaluate_automation_conditions(defs=assets, instance=instance, evaluation_time=when)
    requested = {r.key: set(r.true_subset.expensively_compute_partition_keys()) for r in first.results
                 if r.true_subset.size}
    assert EXTRACTION_ACCURACY not in requested  # no coded sheet yet
    data = DataDirResource(data_dir=str(tmp_path), snapshot_key=make_resources(tmp_path)["data"].snapshot_key)
    write_sealed(data.root, data.cipher(), YEAR, CODED, b"coded")
    for event in coded_sheet_sensor(dg.build_sensor_context(instance=instance, resources={"data": data})).asset_events:
        instance.report_runless_asset_event(event)
    second = dg.evaluate_automation_conditions(defs=assets, instance=instance, cursor=first.cursor,
                                               evaluation_time=when + dt.timedelta(minutes=1))
    requested = {r.key: set(r.true_subset.expensively_compute_partition_keys()) for r in second.results
                 if r.true_subset.size}
    assert requested.get(EXTRACTION_ACCURACY) == {YEAR}


def test_accuracy_counts_errors_false_extractions_and_corrects_shares():
    from sekswerk_assets.validation.accuracy import accuracy_table

    n = 200
    rng = __import__("numpy").random.default_rng(1)
    truth_home = rng.random(n) < 0.4
    # the extractor misses 10% of home reception and adds it to 5% of the others
    ext_home = [(t and rng.random() > 0.10) or (not t and rng.random() < 0.05) for t in truth_home]
    sample = pd.DataFrame({
        "sample_id": [f"V2020-{i + 1:04d}" for i in range(n)], "site": "kinky", "gender": "female",
        "type_stated": True, "work_home": ext_home, "work_escort": True, "work_massage": False,
        "origin_country": [None] * 10 + ["Nederland"] * (n - 10), "origin_region": [None] * 10 + ["netherlands"] * (n - 10),
        "age": pd.array([30] * n, dtype="Int64"), "price_hour": [150.0] * (n - 1) + [None],
        "gm_code": "GM0363", "licensed_indicated": False,
    })
    coded = pd.DataFrame({
        "sample_id": sample["sample_id"], "gender": ["female"] * (n - 4) + ["male"] * 4,
        "work_types": ["home, escort" if t else "escort" for t in truth_home],
        "origin_country": ["not stated"] * 5 + ["Nederland"] * (n - 5),
        "origin_region": ["not stated"] * 5 + ["netherlands"] * (n - 5), "age": "30",
        "price_hour": ["150.4"] * (n - 2) + ["not stated", "not stated"], "municipality": "GM0363",
        "licensed_work": "no",
    })
    frame = pd.concat([sample] * 5, ignore_index=True)
    t = accuracy_table("2020", sample, coded, frame)
    get = t[t["measure"] != "confusion"].set_index(["variable", "measure"])
    assert get.loc[("gender", "accuracy"), "k"] == n - 4
    assert get.loc[("price_hour", "accuracy"), ["k", "n"]].tolist() == [n - 2, n - 2]  # within half a euro
    assert get.loc[("price_hour", "false_extraction"), ["k", "n"]].tolist() == [1, 2]
    # 5 ads state an origin the extractor missed: wrong among the stated ones
    assert get.loc[("origin_country", "accuracy"), ["k", "n"]].tolist() == [n - 10, n - 5]
    g = t[(t["variable"] == "gender") & (t["measure"] == "confusion")]
    assert set(zip(g["truth"], g["extracted"], g["k"])) == {("female", "female", n - 4), ("male", "female", 4)}
    home = t[t["variable"] == "offers home reception"].set_index("measure")
    assert home.loc["corrected_share", "ci_low"] <= truth_home.mean() <= home.loc["corrected_share", "ci_high"]
    assert abs(home.loc["corrected_share", "estimate"] - truth_home.mean()) < abs(
        home.loc["observed_share", "estimate"] - truth_home.mean()) + 1e-9
