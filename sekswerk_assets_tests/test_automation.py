"""Unattended operation: automation conditions, the yearly trigger, freshness checks and alerts."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from sekswerk_assets.definitions import load_definitions
from sekswerk_assets.lib.alerts import AlertWebhookResource, alerts_for_run
from sekswerk_assets.lib.keys import PARSED_ADS, RAW_SNAPSHOTS, SURVEY_EXPORTS, SURVEY_MUNICIPALITIES
from sekswerk_assets.defs.survey.exports import survey_exports_sensor
from sekswerk_assets.survey.source import SurveySource
from sekswerk_assets.lib.yearly import years_ready, yearly_after_last_week_sensor
from sekswerk_assets.partitions import weeks_of_year

AMS = ZoneInfo("Europe/Amsterdam")


def _assets(*keys):
    defs = load_definitions()
    graph = defs.resolve_asset_graph()
    wanted = {dg.AssetKey.from_coercible(k) for k in keys}
    def keys_of(a):
        return set(a.keys) if isinstance(a, dg.AssetsDefinition) else {a.key}

    chosen = [a for a in defs.assets if isinstance(a, (dg.AssetsDefinition, dg.SourceAsset, dg.AssetSpec)) and keys_of(a) & wanted]
    return dg.Definitions(assets=chosen, resources=defs.resources), graph


def _requested(result) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in result.results:
        if r.true_subset.size:
            out[r.key.to_user_string()] = set(r.true_subset.expensively_compute_partition_keys())
    return out


def test_tuesday_cron_requests_the_current_week_of_each_site(instance):
    assets, _ = _assets(*RAW_SNAPSHOTS)
    before = dt.datetime(2026, 12, 1, 6, 55, tzinfo=AMS)
    first = dg.evaluate_automation_conditions(defs=assets, instance=instance, evaluation_time=before)
    assert not _requested(first)
    after = dg.evaluate_automation_conditions(defs=assets, instance=instance, cursor=first.cursor,
                                              evaluation_time=before + dt.timedelta(minutes=10))
    requested = _requested(after)
    assert set(requested) == {k.to_user_string() for k in RAW_SNAPSHOTS}
    assert all(v == {"2026-12-01"} for v in requested.values())


def test_collected_week_requests_the_rest_of_the_week(instance):
    assets, _ = _assets(*RAW_SNAPSHOTS, PARSED_ADS, ["ads", "weekly_unique_ads"])
    week = "2026-12-01"
    when = dt.datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
    first = dg.evaluate_automation_conditions(defs=assets, instance=instance, evaluation_time=when)
    assert "ads/parsed_ads" not in _requested(first)
    for key in RAW_SNAPSHOTS:  # the collection run's materialisations
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=week))
    second = dg.evaluate_automation_conditions(defs=assets, instance=instance, cursor=first.cursor,
                                               evaluation_time=when + dt.timedelta(minutes=1))
    # the rest of the week's chain is requested in the same tick (one run, in dependency order)
    assert _requested(second).get("ads/parsed_ads") == {week}
    assert _requested(second).get("ads/weekly_unique_ads") == {week}
    third = dg.evaluate_automation_conditions(defs=assets, instance=instance, cursor=second.cursor,
                                              evaluation_time=when + dt.timedelta(minutes=2))
    assert "ads/parsed_ads" not in _requested(third)  # not requested again while nothing new arrived


def test_last_week_of_a_year_requests_the_yearly_assets(instance):
    sensor = yearly_after_last_week_sensor(dg.DefaultSensorStatus.STOPPED)
    key = dg.AssetKey(["ads", "ad_lifecycle"])
    for week in weeks_of_year("2020")[-3:-1]:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=week))
    assert isinstance(sensor(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key, partition=weeks_of_year("2020")[-1]))
    requests = sensor(dg.build_sensor_context(instance=instance))
    assert [r.partition_key for r in requests] == ["2020"]
    assert requests[0].run_key == "year-2020"  # requested once per year, however often the sensor runs
    assert years_ready({"2021-08-17"}) == ["2020"] and years_ready({"2021-08-10"}) == []


def test_new_survey_export_requests_the_survey_assets(instance, tmp_path):
    assets, _ = _assets(SURVEY_EXPORTS, SURVEY_MUNICIPALITIES)
    when = dt.datetime(2026, 3, 1, 12, 0, tzinfo=AMS)
    first = dg.evaluate_automation_conditions(defs=assets, instance=instance, evaluation_time=when)
    assert "survey/municipalities_responses" not in _requested(first)
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "full.csv").write_text("q1\nAmsterdam\n")
    ctx = dg.build_sensor_context(instance=instance, resources={"survey_source": SurveySource(survey_dir=str(tmp_path))})
    for event in survey_exports_sensor(ctx).asset_events:  # what the daemon does with the sensor's events
        instance.report_runless_asset_event(event)
    second = dg.evaluate_automation_conditions(defs=assets, instance=instance, cursor=first.cursor,
                                               evaluation_time=when + dt.timedelta(minutes=1))
    assert _requested(second).get("survey/municipalities_responses") == {"2025"}


def test_freshness_checks_guard_the_weeks_snapshots():
    checks = load_definitions().asset_checks
    fresh = [k for c in checks for k in c.check_keys if "freshness" in k.name]
    assert {k.asset_key for k in fresh} >= set(RAW_SNAPSHOTS) | {PARSED_ADS, dg.AssetKey(["ads", "weekly_unique_ads"])}
    assert load_definitions().get_sensor_def("weekly_freshness_sensor") is not None


@pytest.mark.parametrize("group", ["snapshots", "processed"])
def test_freshness_checks_fail_for_a_missing_week_and_pass_once_it_arrives(group):
    """Run as the freshness sensor runs them: never materialised -> failed ERROR; materialised now -> passed."""
    from sekswerk_assets.defs.collection.automation import processed_freshness_checks, snapshot_freshness_checks
    from sekswerk_assets.partitions import today, week_of_date, weekly_partitions

    checks = list(snapshot_freshness_checks if group == "snapshots" else processed_freshness_checks)
    keys = {k.asset_key for c in checks for k in c.check_keys}
    specs = [dg.AssetSpec(k, partitions_def=weekly_partitions) for k in keys]
    with dg.instance_for_test() as instance:
        def evaluate():
            result = dg.materialize([*specs, *checks], instance=instance,
                                    selection=dg.AssetSelection.all_asset_checks(), raise_on_error=False)
            return {e.asset_key: e for e in result.get_asset_check_evaluations()}

        before = evaluate()
        assert set(before) == keys
        assert all(not e.passed and e.severity == dg.AssetCheckSeverity.ERROR for e in before.values())
        for key in keys:
            instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=week_of_date(today())))
        after = evaluate()
        assert all(e.passed for e in after.values())


class _Sink(http.server.BaseHTTPRequestHandler):
    received: list = []
    got = threading.Event()

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()
        type(self).got.set()

    def log_message(self, *args):
        pass


@pytest.fixture()
def sink():
    _Sink.received = []
    _Sink.got = threading.Event()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Sink
    server.shutdown()


SECRET = "06-91234567 https://kinky.example/ad/3104555 Anouk"


@dg.asset(check_specs=[dg.AssetCheckSpec("error_check", asset="alerting_asset")], partitions_def=dg.StaticPartitionsDefinition(["2020"]))
def alerting_asset():
    yield dg.Output(1)
    yield dg.AssetCheckResult(check_name="error_check", passed=False, severity=dg.AssetCheckSeverity.ERROR,
                              description=SECRET, metadata={"detail": SECRET})


@dg.asset
def failing_asset():
    raise dg.Failure(SECRET)


def test_alerts_reach_the_sink_without_personal_data(sink, instance):
    url, handler = sink
    hook = AlertWebhookResource(url=url)
    ok = dg.materialize([alerting_asset], instance=instance, partition_key="2020", raise_on_error=False)
    bad = dg.materialize([failing_asset], instance=instance, raise_on_error=False)
    assert not bad.success
    for result in (ok, bad):
        run = instance.get_run_by_id(result.run_id)
        for message in alerts_for_run(instance, run):
            hook.post(message)
    assert handler.got.wait(30)
    kinds = sorted(m["kind"] for m in handler.received)
    assert kinds == ["check_failure", "run_failure"]
    check = next(m for m in handler.received if m["kind"] == "check_failure")
    assert check["asset"] == "alerting_asset" and check["check"] == "error_check" and check["partition"] == "2020"
    text = json.dumps(handler.received)
    for fragment in ("06-9", "91234567", "https://kinky", "3104555", "Anouk"):
        assert fragment not in text


def test_no_webhook_means_no_alerts():
    assert not AlertWebhookResource().enabled
