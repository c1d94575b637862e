"""Sensor: a new or changed export in ``<survey_dir>/<year>/`` requests that year's survey assets."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from sekswerk_assets import settings
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.survey.ingest import data_files
from sekswerk_assets.survey.source import FINGERPRINT_TAG, export_fingerprint

SURVEY_SELECTION = dg.AssetSelection.key_prefixes(["survey"]) - dg.AssetSelection.assets(["survey", "year_comparison"])


def export_signatures(survey_dir: Path) -> dict[str, str]:
    """Per year folder: a hash over the names, sizes and modification times of its data files."""
    out = {}
    if not survey_dir.exists():
        return out
    for folder in sorted(p for p in survey_dir.iterdir() if p.is_dir() and p.name.isdigit()):
        files = data_files(folder)  # no hidden files, no Office lock files (~$full.xlsx)
        if not files:
            continue
        h = hashlib.sha256()
        for f in files:
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        out[folder.name] = h.hexdigest()[:16]
    return out


@dg.sensor(
    name="survey_export_sensor",
    asset_selection=SURVEY_SELECTION,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Requests the survey assets of a measurement year when its export files appear or change.",
)
def survey_export_sensor(context: dg.SensorEvaluationContext):
    survey_dir = Path(settings.get("SEKSWERK_SURVEY_DIR"))
    seen = json.loads(context.cursor) if context.cursor else {}
    current = export_signatures(survey_dir)
    keys = set(measurement_year_partitions.get_partition_keys())
    requests = []
    for year, sig in current.items():
        if seen.get(year) == sig:
            continue
        if year not in keys:
            context.log.warning(f"survey export for {year} ignored: not a measurement year partition yet")
            continue
        requests.append(dg.RunRequest(run_key=f"survey-{year}-{sig}", partition_key=year,
                                      tags={FINGERPRINT_TAG: export_fingerprint(survey_dir / year)}))
    context.update_cursor(json.dumps(current))
    return requests or dg.SkipReason(f"no new or changed survey exports in {survey_dir}")
