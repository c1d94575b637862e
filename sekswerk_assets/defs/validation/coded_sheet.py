"""The coder's sheet as an external asset: a new or changed coded sheet of a year is a new data version.

The coded sheet is written outside Dagster (``python -m sekswerk_assets.validation encrypt``). A sensor looks
at ``<data dir>/raw/validation/<year>/coded_sheet.xlsx.enc`` and reports a runless materialisation with the
file's SHA-256 as data version when it appears or changes; ``ads/extraction_accuracy`` follows it by its
automation condition (the pattern of ``survey/exports``).
"""

import hashlib

import dagster as dg

from sekswerk_assets.constants import OWNERS
from sekswerk_assets.lib.automation import automation_default_status, report_new_data_versions
from sekswerk_assets.lib.keys import CODED_SHEET
from sekswerk_assets.partitions import measurement_year_partitions
from sekswerk_assets.resources import DataDirResource
from sekswerk_assets.validation.sheet import CODED, sheet_path

coded_sheet = dg.AssetSpec(
    key=CODED_SHEET,
    partitions_def=measurement_year_partitions,
    group_name="validation",
    kinds={"excel"},
    owners=list(OWNERS),
    description="The coded validation sheet of a year (encrypted in the raw zone, observed); data version = file hash.",
)


def fingerprint(data: DataDirResource, year: str) -> str | None:
    path = sheet_path(data.root, year, CODED)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def observations(data: DataDirResource, known: dict[str, str]) -> list[dg.AssetMaterialization]:
    """A runless materialisation for every year whose coded sheet is new or changed since ``known``."""
    events = []
    for year in measurement_year_partitions.get_partition_keys():
        version = fingerprint(data, year)
        if version and known.get(year) != version:
            events.append(dg.AssetMaterialization(asset_key=CODED_SHEET, partition=year,
                                                  tags={"dagster/data_version": version},
                                                  metadata={"fingerprint": version}))
    return events


@dg.sensor(
    name="coded_sheet_sensor",
    minimum_interval_seconds=120,
    default_status=automation_default_status(),
    description="Observes the coded validation sheets: a new or changed sheet is a new data version of validation/coded_sheet.",
)
def coded_sheet_sensor(context: dg.SensorEvaluationContext, data: DataDirResource):
    return report_new_data_versions(context, lambda known: observations(data, known),
                                    "no new or changed coded validation sheet")
