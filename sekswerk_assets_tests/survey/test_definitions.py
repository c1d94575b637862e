"""The survey definitions load with the foundation's resources; a new or changed export is a new data version."""

import dagster as dg

from sekswerk_assets.defs.survey.exports import survey_exports_sensor
from sekswerk_assets.survey.source import NO_EXPORT, export_fingerprint
from sekswerk_assets.definitions import load_definitions
from sekswerk_assets.survey.source import SurveySource


def test_definitions_load():
    keys = {k.to_user_string() for k in load_definitions().resolve_asset_graph().get_all_asset_keys()}
    assert {"survey/tables", "survey/licence_extrapolation", "survey/exports", "survey/policy_typology"} <= keys


def test_fingerprint_follows_contents_and_ignores_lock_files(tmp_path):
    year = tmp_path / "2025"
    year.mkdir()
    assert export_fingerprint(year) == NO_EXPORT
    (year / "full.csv").write_text("q1\nAmsterdam\n")
    first = export_fingerprint(year)
    (year / "~$full.xlsx").write_text("lock")
    (year / ".hidden").write_text("x")
    assert export_fingerprint(year) == first
    (year / "full.csv").write_text("q1\nAmsterdam\nUrk\n")
    assert export_fingerprint(year) != first


def test_sensor_observes_new_and_changed_exports_once(tmp_path):
    (tmp_path / "2025").mkdir()
    (tmp_path / "2025" / "full.csv").write_text("q1\nAmsterdam\n")
    res = {"survey_source": SurveySource(survey_dir=str(tmp_path))}
    ctx = dg.build_sensor_context(cursor=None, resources=res)
    result = survey_exports_sensor(ctx)
    assert [(e.partition, e.asset_key.to_user_string()) for e in result.asset_events] == [("2025", "survey/exports")]
    version = result.asset_events[0].tags["dagster/data_version"]
    again = survey_exports_sensor(dg.build_sensor_context(cursor=ctx.cursor, resources=res))
    assert isinstance(again, dg.SkipReason)
    (tmp_path / "2025" / "full.csv").write_text("q1\nAmsterdam\nUrk\n")
    changed = survey_exports_sensor(dg.build_sensor_context(cursor=ctx.cursor, resources=res))
    assert changed.asset_events[0].tags["dagster/data_version"] != version
