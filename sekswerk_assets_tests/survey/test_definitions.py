"""The survey definitions load with the foundation's resources; the sensor requests a new year's export."""

import json

import dagster as dg

from sekswerk_assets.survey.definitions import defs
from sekswerk_assets_tests.conftest import make_resources


def test_definitions_load(tmp_path):
    merged = dg.Definitions.merge(defs, dg.Definitions(resources=make_resources(tmp_path)))
    keys = {tuple(k.path) for k in merged.resolve_all_asset_keys()}
    assert ("survey", "tables") in keys and ("survey", "licence_extrapolation") in keys
    assert merged.get_sensor_def("survey_export_sensor")


def test_sensor_requests_new_and_changed_exports(tmp_path, monkeypatch):
    monkeypatch.setenv("SEKSWERK_SURVEY_DIR", str(tmp_path))
    from sekswerk_assets.survey.sensor import survey_export_sensor

    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "full.csv").write_text("q1\nAmsterdam\n")
    ctx = dg.build_sensor_context(cursor=None)
    reqs = survey_export_sensor(ctx)
    assert [r.partition_key for r in reqs] == ["2025"]
    ctx2 = dg.build_sensor_context(cursor=ctx.cursor)
    assert isinstance(survey_export_sensor(ctx2), dg.SkipReason)
    (tmp_path / "2025" / "full.csv").write_text("q1\nAmsterdam\nUrk\n")
    reqs = survey_export_sensor(dg.build_sensor_context(cursor=ctx.cursor))
    assert [r.partition_key for r in reqs] == ["2025"]
    assert json.loads(ctx.cursor)["2025"]
    # the run carries the fingerprint of the files the sensor saw; a lock file beside them changes nothing
    from sekswerk_assets.survey.source import FINGERPRINT_TAG, export_fingerprint

    assert reqs[0].tags[FINGERPRINT_TAG] == export_fingerprint(tmp_path / "2025")
    c1 = dg.build_sensor_context(cursor=None)
    survey_export_sensor(c1)
    (tmp_path / "2025" / "~$full.xlsx").write_bytes(b"lock")
    assert isinstance(survey_export_sensor(dg.build_sensor_context(cursor=c1.cursor)), dg.SkipReason)
